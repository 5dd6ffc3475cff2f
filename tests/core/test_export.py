"""Export over the API: scope of the caller, sensitive columns only with their permission."""

from __future__ import annotations

import base64
import io
from collections.abc import Callable

from openpyxl import load_workbook
from sqlalchemy import select

from core.models import AuditEvent
from core.testing import Kit, ThemaTestApp
from plugins.chrs import hooks as chrs

EXPORT = """query($kind: ExportKind!, $format: FileFormat!, $offer: ID) {
  exportTable(kind: $kind, format: $format, offerId: $offer) { filename contentType rows contentBase64 omittedColumns } }"""
PROFILE = (
    """mutation($input: ChrsSetProfileInput!) { chrsSetProfile(input: $input) { userErrors { code } } }"""
)


def _csv(app: ThemaTestApp, token: str, kind: str, offer: str | None = None) -> tuple[dict, list[list[str]]]:  # type: ignore[type-arg]
    data = app.graphql(EXPORT, {"kind": kind, "format": "CSV", "offer": offer}, token=token)["exportTable"]
    text = base64.b64decode(data["contentBase64"]).decode("utf-8-sig")
    return data, [line.split(";") for line in text.strip().split("\r\n")]


def _world(factory: Callable[..., ThemaTestApp]) -> tuple[ThemaTestApp, Kit, dict[str, str]]:
    app = factory([chrs])
    kit = Kit(app)
    w = kit.world("chrs")
    other = kit.organisation("Autre bailleur")
    h = kit.household(
        w.association, reference="CHRS-1", members=[kit.member(30, first_name="Inès", last_name="Roux")]
    )
    kit.household(other, reference="AUTRE-1")
    kit.move_in(h, w.units[0], w.offer, start="2025-01-01")
    kit.mutate(
        "chrsSetProfile",
        {"householdId": h, "healthDifficulty": True, "economicDifficulty": True},
        "profile { healthDifficulty }",
    )
    return (
        app,
        kit,
        {
            "landlord": w.landlord,
            "association": w.association,
            "other": other,
            "offer": w.offer,
            "household": h,
        },
    )


def test_export_households_honours_scope(thema_app_factory: Callable[..., ThemaTestApp]) -> None:
    app, _kit, ids = _world(thema_app_factory)
    token = app.create_token(ids["association"], "staff")
    _data, rows = _csv(app, token, "HOUSEHOLDS")
    assert rows[0][0] == "Référence ménage" and [r[0] for r in rows[1:]] == ["CHRS-1"]
    _, members = _csv(app, token, "MEMBERS")
    assert [r[:3] for r in members[1:]] == [["CHRS-1", "Roux", "Inès"]]
    stranger = app.create_token(ids["other"], "staff")
    assert [r[0] for r in _csv(app, stranger, "HOUSEHOLDS")[1][1:]] == ["AUTRE-1"]
    hidden = app.graphql_raw(
        EXPORT, {"kind": "RESIDENTS", "format": "CSV", "offer": ids["offer"]}, token=stranger
    )
    assert hidden["errors"][0]["extensions"]["code"] == "NOT_FOUND"


def test_export_residents_omits_sensitive_columns_without_permission(
    thema_app_factory: Callable[..., ThemaTestApp],
) -> None:
    app, _kit, ids = _world(thema_app_factory)
    plain = app.create_token(ids["association"], "staff")
    data, rows = _csv(app, plain, "RESIDENTS", ids["offer"])
    assert "chrs_profile.health_difficulty" in data["omittedColumns"]
    assert "chrs_profile.health_difficulty" not in rows[0] and "chrs_profile.economic_difficulty" in rows[0]
    assert rows[1][0] == "CHRS-1"
    allowed = app.create_token(ids["association"], "staff", ["chrs.health", "chrs.violence"])
    data, rows = _csv(app, allowed, "RESIDENTS", ids["offer"])
    assert data["omittedColumns"] == []
    assert rows[1][rows[0].index("chrs_profile.health_difficulty")] == "oui"
    with app.session() as s:
        reads = s.execute(select(AuditEvent).where(AuditEvent.action == "read_sensitive")).scalars().all()
        assert {r.field for r in reads} == {"health_difficulty"}


def test_export_xlsx_and_indicators(thema_app_factory: Callable[..., ThemaTestApp]) -> None:
    app, _kit, ids = _world(thema_app_factory)
    token = app.create_token(ids["landlord"], "staff")
    data = app.graphql(EXPORT, {"kind": "UNITS", "format": "XLSX"}, token=token)["exportTable"]
    sheet = load_workbook(io.BytesIO(base64.b64decode(data["contentBase64"]))).active
    assert sheet.cell(row=1, column=1).value == "N° RNL" and data["rows"] == sheet.max_row - 1 > 0
    ind, rows = _csv(app, token, "INDICATORS", ids["offer"])
    assert rows[0][0] == "Indicateur" and ind["rows"] >= 1
    # The landlord sees the offer but not the residents' files of the association.
    assert _csv(app, token, "RESIDENTS", ids["offer"])[0]["rows"] == 0
