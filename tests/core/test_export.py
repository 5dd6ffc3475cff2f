"""Export over the API and the CLI: fixed tables and any connection (exportQuery), in the caller's
scope, sensitive columns only with their permission (audited)."""

from __future__ import annotations

import base64
import io
from collections.abc import Callable
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from core.graphql.relay import from_global_id
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


def test_export_core_tables_follow_the_callers_scope(thema_app_factory: Callable[..., ThemaTestApp]) -> None:
    app, kit, ids = _world(thema_app_factory)
    institution = kit.organisation("SIAO de l'Aisne", "INSTITUTION")
    kit.refer(ids["household"], ids["offer"], institution, on="2024-12-01")
    kit.mutate(
        "startSupportEpisode",
        {
            "householdId": ids["household"],
            "organisationId": ids["association"],
            "offerId": ids["offer"],
            "startDate": "2025-01-02",
        },
        "episode { id }",
    )
    association = app.create_token(ids["association"], "staff")
    _, occupancies = _csv(app, association, "OCCUPANCIES")
    assert occupancies[0][:2] == ["Référence ménage", "N° RNL"] and [r[0] for r in occupancies[1:]] == [
        "CHRS-1"
    ]
    _, referrals = _csv(app, association, "REFERRALS")
    # The SIAO is no partner of the association: its name is not shown, as in the API.
    assert [r[:3] for r in referrals[1:]] == [["CHRS-1", ids_name(app, ids["offer"]), ""]]
    _, episodes = _csv(app, association, "SUPPORT_EPISODES")
    assert [r[:2] + r[-1:] for r in episodes[1:]] == [["CHRS-1", "Association gestionnaire", "0"]]
    _, organisations = _csv(app, association, "ORGANISATIONS")
    assert {r[0] for r in organisations[1:]} >= {"Association gestionnaire", "Bailleur social"}
    assert "Autre bailleur" not in {r[0] for r in organisations[1:]}
    # The institution sees the referral it made, not the household's file nor the offer (as in the API).
    siao = app.create_token(institution, "staff")
    _, made = _csv(app, siao, "REFERRALS")
    assert [r[:4] for r in made[1:]] == [["", "", "SIAO de l'Aisne", "01/12/2024"]]
    assert _csv(app, siao, "OCCUPANCIES")[0]["rows"] == 0
    stranger = app.create_token(ids["other"], "staff")
    for kind in ("OCCUPANCIES", "REFERRALS", "SUPPORT_EPISODES", "PARTNERSHIPS"):
        assert _csv(app, stranger, kind)[0]["rows"] == 0, kind
    # The audit log: auditors only, their organisation's events.
    refused = app.graphql_raw(EXPORT, {"kind": "AUDIT_EVENTS", "format": "CSV"}, token=association)
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    auditor = app.create_token(ids["association"], "auditor")
    data, events = _csv(app, auditor, "AUDIT_EVENTS")
    assert data["rows"] > 0 and events[0][:4] == ["Date", "Acteur", "Organisation de l'acteur", "Action"]
    assert {r[4] for r in events[1:]} >= {"ChrsProfile", "SupportEpisode"}
    assert _csv(app, auditor, "HOUSEHOLDS")[0]["rows"] == 0  # auditors read the log, not the files


def ids_name(app: ThemaTestApp, offer: str) -> str:
    """The name of an offer."""
    return str(app.graphql("query($id: ID!) { offer(id: $id) { name } }", {"id": offer})["offer"]["name"])


QUERY = """query($format: FileFormat!, $query: String!, $variables: JSON) {
  exportQuery(query: $query, variables: $variables, format: $format) {
    filename contentType rows contentBase64 omittedColumns } }"""


def _query_csv(
    app: ThemaTestApp,
    token: str,
    query: str,
    variables: dict | None = None,  # type: ignore[type-arg]
) -> tuple[dict, list[list[str]]]:  # type: ignore[type-arg]
    data = app.graphql(QUERY, {"format": "CSV", "query": query, "variables": variables}, token=token)[
        "exportQuery"
    ]
    text = base64.b64decode(data["contentBase64"]).decode("utf-8-sig")
    return data, [line.split(";") for line in text.strip().split("\r\n")]


def test_export_query_pages_through_any_connection_and_flattens(
    thema_app_factory: Callable[..., ThemaTestApp],
) -> None:
    app = thema_app_factory([chrs], max_page_size=3)
    kit = Kit(app)
    org = kit.organisation("Bailleur")
    for n in range(8):
        kit.household(
            org,
            reference=f"M-{n}",
            members=[
                kit.member(40, first_name="Léa", last_name=f"N{n}"),
                kit.member(10, first_name="Noé", role="CHILD"),
            ],
        )
    token = app.create_token(org, "staff")
    query = "{ households { totalCount nodes { reference createdOn members { firstName } } } }"
    data, rows = _query_csv(app, token, query)
    assert data["rows"] == 8 and data["filename"] == "export-households.csv"
    assert rows[0] == ["reference", "createdOn", "members.firstName"]
    assert [r[0] for r in rows[1:]] == [f"M-{n}" for n in range(8)]  # three pages of three
    assert rows[1][2] == "Léa, Noé" and rows[1][1].count("/") == 2  # lists joined, French dates
    # A variable cursor of the caller's own is honoured, an operation that is not a query refused.
    after = app.graphql("{ households(first: 3) { pageInfo { endCursor } } }", token=token)["households"]
    _, rows = _query_csv(
        app,
        token,
        "query($c: String) { households(after: $c) { nodes { reference } } }",
        {"c": after["pageInfo"]["endCursor"]},
    )
    assert [r[0] for r in rows[1:]] == [f"M-{n}" for n in range(3, 8)]
    for bad, code in (
        (
            'mutation { createOrganisation(input: {name: "x", kind: LANDLORD}) { userErrors { code } } }',
            "EXPORT_QUERY",
        ),
        ("{ schemes { code } }", "EXPORT_QUERY"),
        ("{ households { nodes { nope } } }", "INVALID"),
        (
            "{ households { nodes { " + "members { household { " * 8 + "reference" + " } }" * 8 + " } } }",
            "QUERY_TOO_DEEP",
        ),
    ):
        answer = app.graphql_raw(QUERY, {"format": "CSV", "query": bad}, token=token)
        assert answer["errors"][0]["extensions"]["code"] == code, (bad, answer)
    stranger = app.create_token(kit.organisation("Autre"), "staff")
    assert _query_csv(app, stranger, query)[0]["rows"] == 0  # the same access rules as the API


def test_export_query_leaves_out_redacted_sensitive_fields(
    thema_app_factory: Callable[..., ThemaTestApp],
) -> None:
    app, _kit, ids = _world(thema_app_factory)
    query = """query($offer: ID!) { node(id: $offer) { ... on Offer { residents { nodes {
      startDate household { reference chrs { health: healthDifficulty economicDifficulty } } } } } } }"""
    plain = app.create_token(ids["association"], "staff")
    association = from_global_id(ids["association"])
    assert association is not None
    sensitive = select(AuditEvent).where(
        AuditEvent.action == "read_sensitive", AuditEvent.actor_organisation_id == association[1]
    )
    data, rows = _query_csv(app, plain, query, {"offer": ids["offer"]})
    assert data["omittedColumns"] == ["household.chrs.health"]
    assert rows[0] == ["startDate", "household.reference", "household.chrs.economicDifficulty"]
    assert rows[1] == ["01/01/2025", "CHRS-1", "oui"]
    with app.session() as s:
        assert s.execute(sensitive).first() is None
    allowed = app.create_token(ids["association"], "staff", ["chrs.health"])
    data, rows = _query_csv(app, allowed, query, {"offer": ids["offer"]})
    assert data["omittedColumns"] == [] and rows[1][rows[0].index("household.chrs.health")] == "oui"
    with app.session() as s:
        reads = s.execute(sensitive).scalars().all()
        assert [(r.field, r.household_id is not None) for r in reads] == [("health_difficulty", True)]
    # The landlord sees the offer, not the residents' files: as exportTable(RESIDENTS), no row.
    landlord = app.create_token(ids["landlord"], "staff")
    assert _query_csv(app, landlord, query, {"offer": ids["offer"]})[0]["rows"] == 0


def test_export_query_cli(
    thema_app_factory: Callable[..., ThemaTestApp], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from core.cli import app as cli

    app, _kit, ids = _world(thema_app_factory)
    monkeypatch.setenv("THEMA_DATABASE_URL", app.settings.database_url)
    association = from_global_id(ids["association"])
    assert association is not None
    query = tmp_path / "residents.graphql"
    query.write_text("{ households { nodes { reference chrs { healthDifficulty economicDifficulty } } } }")
    out = tmp_path / "menages.xlsx"
    runner = CliRunner()
    done = runner.invoke(cli, ["export", "query", str(query), "--org", str(association[1]), "-o", str(out)])
    assert done.exit_code == 0, done.output
    assert "chrs.healthDifficulty" in done.output and "1 lignes écrites" in done.output
    sheet = load_workbook(out).active
    assert [c.value for c in sheet[1]] == ["reference", "chrs.economicDifficulty"]
    assert [c.value for c in sheet[2]] == ["CHRS-1", True]
    table = tmp_path / "episodes.csv"
    refused = runner.invoke(cli, ["export", "audit_events", "--org", str(association[1]), "-o", str(table)])
    assert refused.exit_code == 1 and "auditeurs" in refused.output
    allowed = runner.invoke(
        cli, ["export", "audit_events", "--org", str(association[1]), "--role", "auditor", "-o", str(table)]
    )
    assert allowed.exit_code == 0 and table.read_text(encoding="utf-8-sig").startswith("Date;Acteur")
