"""Import of landlords' files over the API and the CLI: French report, all or nothing, re-import updates,
uploads, forgiving headers, per-row audit, and a process killed while writing leaves nothing."""

from __future__ import annotations

import base64
import io
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from core.dataio import importer
from core.migrate import upgrade
from core.models import (
    AuditEvent,
    Household,
    Occupancy,
    Organisation,
    OrganisationKind,
    Person,
    Site,
    SupportEpisode,
    Unit,
)
from core.plugins import build_registry
from core.settings import Settings
from core.testing import ThemaTestApp, postgres_url
from tests.core import sample_plugin
from tests.core.conftest import build_graph, mutate

FIXTURES = Path(__file__).parents[1] / "fixtures" / "import"
REPORT = """report { kind applied rows created updated unchanged headerLine summary notices annotatedBase64
  columns { header field label matchedBy } errors { row column code message } }
  userErrors { field code message }"""
IMPORT = f"mutation($input: ImportFileInput!) {{ importFile(input: $input) {{ {REPORT} }} }}"


def _org(app: ThemaTestApp, name: str = "Bailleur") -> str:
    return mutate(
        app,
        "createOrganisation",
        "CreateOrganisationInput",
        {"name": name, "kind": "LANDLORD"},
        "organisation { id }",
    )["organisation"]["id"]  # type: ignore[no-any-return]


def _import(
    app: ThemaTestApp,
    org: str,
    name: str,
    *,
    apply: bool,
    token: str | None = "",
    content: bytes | None = None,
    **extra: object,
) -> dict:  # type: ignore[type-arg]
    data = content if content is not None else (FIXTURES / name).read_bytes()
    answer = app.graphql_raw(
        IMPORT,
        {
            "input": {
                "organisationId": org,
                "filename": name,
                "contentBase64": base64.b64encode(data).decode(),
                "apply": apply,
                **extra,
            }
        },
        token=token,
    )
    assert not answer.get("errors"), answer
    return answer["data"]["importFile"]  # type: ignore[no-any-return]


def _upload(
    app: ThemaTestApp, org: str, name: str, content: bytes, *, apply: bool, token: str | None = ""
) -> dict:  # type: ignore[type-arg]
    """importFile through a GraphQL multipart request (the file as a part, not in the JSON)."""
    operations = {
        "query": IMPORT,
        "variables": {"input": {"organisationId": org, "file": None, "apply": apply}},
    }
    response = app.request(
        "POST",
        "/graphql",
        data={"operations": json.dumps(operations), "map": json.dumps({"0": ["variables.input.file"]})},
        files={"0": (name, content, "text/csv")},
        token=token,
    )
    assert response.status_code == 200, response.text
    answer = response.json()
    assert not answer.get("errors"), answer
    return answer["data"]["importFile"]  # type: ignore[no-any-return]


def _count(app: ThemaTestApp, model: type, *where: object) -> int:
    with app.session() as s:
        return int(s.execute(select(func.count()).select_from(model).where(*where)).scalar_one())  # type: ignore[arg-type]


def _units_csv(count: int, *, bad: int | None = None) -> bytes:
    lines = ["N° RNL;Résidence;Commune;Typologie;Surface;Loyer"]
    lines += [
        f"RNL{i:07d};Résidence {i % 7};Laon;T{1 + i % 4};45,{i % 10};{300 + i % 90},50 €"
        for i in range(count)
    ]
    if bad is not None:
        lines[bad] = f"RNL{bad - 1:07d};Résidence 1;Laon;T2;quarante;300"
    return ("\n".join(lines) + "\n").encode("cp1252")


def test_import_units_reports_bad_rows_in_french_and_writes_nothing(sample_app: ThemaTestApp) -> None:
    org = _org(sample_app)
    assert (FIXTURES / "units_bad.csv").read_bytes().decode("cp1252")  # the fixture is Windows-1252
    report = _import(sample_app, org, "units_bad.csv", apply=True)["report"]
    assert report["applied"] is False and report["kind"] == "UNITS" and report["rows"] == 6
    errors = {(e["row"], e["column"], e["code"]) for e in report["errors"]}
    assert errors == {(6, "N° RNL", "REQUIRED"), (7, "Surface", "INVALID")}
    assert "soixante" in next(e["message"] for e in report["errors"] if e["row"] == 7)
    assert "rien n'a été enregistré" in report["summary"]
    assert _count(sample_app, Unit) == 0 and _count(sample_app, Site) == 0
    book = load_workbook(io.BytesIO(base64.b64decode(report["annotatedBase64"])))
    sheet = book["Import"]
    header = [c.value for c in sheet[1]]
    assert header[-1] == "Erreurs" and header[0] == "N° RNL"
    assert "obligatoire" in sheet.cell(row=6, column=len(header)).value  # line 6 of the file is row 6
    assert sheet.cell(row=2, column=len(header)).value in (None, "")
    assert sheet.cell(row=7, column=1).value == "RNL0200006"
    listed = [[c.value for c in row] for row in book["Problèmes"].iter_rows(min_row=2)]
    assert [r[0] for r in listed] == [6, 7]


def test_import_units_dry_run_then_apply_then_reimport_updates(sample_app: ThemaTestApp) -> None:
    org = _org(sample_app)
    dry = _import(sample_app, org, "units.csv", apply=False)["report"]
    assert (dry["applied"], dry["created"], dry["errors"]) == (False, 6, [])
    assert _count(sample_app, Unit) == 0
    done = _import(sample_app, org, "units.csv", apply=True)["report"]
    assert (done["applied"], done["created"], done["updated"]) == (True, 6, 0)
    again = _import(sample_app, org, "units.csv", apply=True)["report"]
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 6)
    assert _count(sample_app, Unit) == 6 and _count(sample_app, Site) == 2
    changed = (FIXTURES / "units.csv").read_bytes().replace(b";T2;45,20;", b";T3;45,20;")
    third = _import(sample_app, org, "units.csv", apply=True, content=changed)["report"]
    assert (third["created"], third["updated"], third["unchanged"]) == (0, 1, 5)
    assert _count(sample_app, Unit) == 6
    with sample_app.session() as s:
        unit = s.execute(select(Unit).where(Unit.national_id == "RNL0200001")).scalar_one()
        assert (unit.typology.value, unit.surface_m2, unit.floor, unit.monthly_rent, unit.furnished) == (
            "t1_bis",
            28.5,
            0,
            312.4,
            True,
        )
        moved = s.execute(select(Unit).where(Unit.national_id == "RNL0200002")).scalar_one()
        assert (moved.typology.value, moved.version) == ("t3", 2)
        assert s.execute(select(func.count()).where(AuditEvent.action == "import")).scalar_one() == 3


def test_import_audits_each_row_with_its_changed_columns_never_values(sample_app: ThemaTestApp) -> None:
    org = _org(sample_app)
    token = sample_app.create_token(org, "staff")
    _import(sample_app, org, "units.csv", apply=True, token=token)
    with sample_app.session() as s:
        created = (
            s.execute(
                select(AuditEvent).where(
                    AuditEvent.action == "create", AuditEvent.object_type.in_(["Site", "Unit"])
                )
            )
            .scalars()
            .all()
        )
        assert sorted(e.object_type for e in created) == ["Site"] * 2 + ["Unit"] * 6
        unit = s.execute(select(Unit).where(Unit.national_id == "RNL0200001")).scalar_one()
        event = next(e for e in created if e.object_type == "Unit" and e.object_id == unit.id)
        assert {"national_id", "typology", "surface_m2", "site_id"} <= set(event.details["fields"])
        assert event.details["line"] == 2 and event.actor.startswith("token:")
        assert "RNL0200001" not in json.dumps([e.details for e in created])  # names, never values
    changed = (FIXTURES / "units.csv").read_bytes().replace(b";71;2;540;", b";72;2;555;")
    _import(sample_app, org, "units.csv", apply=True, content=changed, token=token)
    _import(sample_app, org, "households.csv", apply=True, token=token)
    with sample_app.session() as s:
        events = s.execute(select(AuditEvent).where(AuditEvent.action == "update")).scalars().all()
        updates = [e for e in events if "import" in e.details]  # not the organisation created above
        assert [(e.object_type, e.details["fields"]) for e in updates] == [
            ("Unit", ["monthly_rent", "surface_m2", "version"])
        ]
        people = s.execute(select(AuditEvent).where(AuditEvent.object_type == "Person")).scalars().all()
        households = dict(s.execute(select(Person.id, Person.household_id)).all())
        assert len(people) == 4 and all(e.household_id == households[e.object_id] for e in people)
    # Auditors read the events through the API.
    auditor = sample_app.create_token(org, "auditor")
    page = sample_app.graphql(
        "{ auditEvents(first: 100) { nodes { action objectType fields } } }", token=auditor
    )["auditEvents"]["nodes"]
    assert {
        "action": "update",
        "objectType": "Unit",
        "fields": ["monthly_rent", "surface_m2", "version"],
    } in page


def test_import_households_then_occupancies_utf8_and_cp1252(sample_app: ThemaTestApp) -> None:
    org = _org(sample_app)
    _import(sample_app, org, "units.csv", apply=True)
    bad = _import(sample_app, org, "households_bad.csv", apply=True)["report"]
    assert [(e["row"], e["column"]) for e in bad["errors"]] == [(4, "Date de naissance")]
    assert _count(sample_app, Household) == 0
    good = _import(sample_app, org, "households.csv", apply=True)["report"]  # UTF-8 this time
    assert (good["created"], good["errors"]) == (4, [])  # one row per member
    assert "3 ménage(s) nouveau(x)" in good["notices"]
    _import(sample_app, org, "households.csv", apply=True)
    assert _count(sample_app, Household) == 3 and _count(sample_app, Person) == 4
    with sample_app.session() as s:
        lea = s.execute(select(Person).where(Person.first_name == "Léa")).scalar_one()
        assert (str(lea.birth_date), lea.monthly_resources, lea.activity.value) == (
            "1999-04-03",
            1240.5,
            "employed",
        )
    occ = _import(sample_app, org, "occupancies.csv", apply=True)["report"]
    assert (occ["kind"], occ["created"], occ["errors"]) == ("OCCUPANCIES", 3, [])
    again = _import(sample_app, org, "occupancies.csv", apply=True)["report"]
    assert (again["created"], again["unchanged"]) == (0, 3)
    assert _count(sample_app, Occupancy) == 3


def test_import_unknown_references_name_row_and_column(sample_app: ThemaTestApp) -> None:
    org = _org(sample_app)
    report = _import(sample_app, org, "occupancies.csv", apply=False)["report"]
    assert {(e["row"], e["column"], e["code"]) for e in report["errors"]} >= {
        (2, "Référence ménage", "NOT_FOUND")
    }


def test_import_one_bad_row_in_ten_thousand_writes_nothing(sample_app: ThemaTestApp) -> None:
    org = _org(sample_app)
    content = _units_csv(10_000, bad=7_500)
    report = _upload(sample_app, org, "big.csv", content, apply=True)["report"]
    assert [(e["row"], e["column"], e["code"]) for e in report["errors"]] == [(7501, "Surface", "INVALID")]
    assert report["applied"] is False and report["rows"] == 10_000
    assert _count(sample_app, Unit) == 0 and _count(sample_app, Site) == 0
    assert _count(sample_app, AuditEvent, AuditEvent.object_type.in_(["Site", "Unit", "units"])) == 0


def test_import_failure_while_writing_leaves_nothing(
    sample_app: ThemaTestApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    org = _org(sample_app)
    _import(sample_app, org, "units.csv", apply=True)
    before = _count(sample_app, AuditEvent)
    original = importer._Writer._insert

    def cut(self: importer._Writer, model: type, *args: object) -> list[int]:
        ids = original(self, model, *args)  # type: ignore[arg-type]
        if model is Person:
            raise RuntimeError("coupure")  # after the households and people were inserted
        return ids

    monkeypatch.setattr(importer._Writer, "_insert", cut)
    answer = sample_app.graphql_raw(
        IMPORT,
        {
            "input": {
                "organisationId": org,
                "filename": "households.csv",
                "apply": True,
                "contentBase64": base64.b64encode((FIXTURES / "households.csv").read_bytes()).decode(),
            }
        },
    )
    assert answer.get("errors")
    assert _count(sample_app, Household) == 0 and _count(sample_app, Person) == 0
    assert _count(sample_app, AuditEvent) == before


def test_import_acts_for_callers_organisation_only(sample_app: ThemaTestApp) -> None:
    mine, other = _org(sample_app, "Bailleur L"), _org(sample_app, "Bailleur M")
    token = sample_app.create_token(mine, "staff")
    refused = _import(sample_app, other, "units.csv", apply=True, token=token)
    assert refused["report"] is None and refused["userErrors"][0]["code"] == "FORBIDDEN"
    assert _import(sample_app, mine, "units.csv", apply=True, token=token)["report"]["created"] == 6
    viewer = sample_app.create_token(mine, "viewer")
    answer = sample_app.graphql_raw(
        IMPORT, {"input": {"organisationId": mine, "filename": "x.csv", "contentBase64": ""}}, token=viewer
    )
    assert answer["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    neither = sample_app.graphql(IMPORT, {"input": {"organisationId": mine}}, token=token)["importFile"]
    assert neither["userErrors"][0]["code"] == "REQUIRED" and neither["userErrors"][0]["field"] == "file"


def test_import_multipart_upload_beyond_the_json_body_limit(sample_app: ThemaTestApp) -> None:
    org = _org(sample_app)
    content = _units_csv(6_000)
    assert len(content) > 256 * 1024
    # The same file in base64 inside JSON is refused by the body limit, unread.
    too_big = sample_app.request(
        "POST",
        "/graphql",
        json={
            "query": IMPORT,
            "variables": {
                "input": {"organisationId": org, "contentBase64": base64.b64encode(content).decode()}
            },
        },
    )
    assert (
        too_big.status_code == 413 and too_big.json()["errors"][0]["extensions"]["code"] == "BODY_TOO_LARGE"
    )
    dry = _upload(sample_app, org, "parc.csv", content, apply=False)["report"]
    assert (dry["applied"], dry["rows"], dry["created"], dry["errors"]) == (False, 6_000, 6_000, [])
    assert _count(sample_app, Unit) == 0
    done = _upload(sample_app, org, "parc.csv", content, apply=True)["report"]
    assert (done["applied"], done["created"]) == (True, 6_000)
    again = _upload(sample_app, org, "parc.csv", content, apply=True)["report"]
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 6_000)
    assert _count(sample_app, Unit) == 6_000 and _count(sample_app, Site) == 7


def test_import_multipart_limits_and_malformed_requests(
    thema_app_factory: Callable[..., ThemaTestApp],
) -> None:
    app = thema_app_factory([sample_plugin], max_upload_bytes=100_000)
    org = _org(app)
    operations = json.dumps({"query": IMPORT, "variables": {"input": {"organisationId": org, "file": None}}})
    mapping = json.dumps({"0": ["variables.input.file"]})

    def post(data: dict[str, str], files: dict[str, tuple[str, bytes, str]], token: str | None = "") -> dict:  # type: ignore[type-arg]
        response = app.request("POST", "/graphql", data=data, files=files, token=token)
        return {"status": response.status_code, **response.json()}

    big = post({"operations": operations, "map": mapping}, {"0": ("parc.csv", _units_csv(3_000), "text/csv")})
    assert big["status"] == 413 and big["errors"][0]["extensions"]["code"] == "BODY_TOO_LARGE"
    small = {"0": ("parc.csv", _units_csv(10), "text/csv")}
    assert post({"operations": operations, "map": mapping}, small, token=None)["status"] == 401
    missing = post({"operations": operations, "map": json.dumps({"1": ["variables.input.file"]})}, small)
    assert missing["status"] == 400 and "absent" in missing["errors"][0]["message"]
    outside = post({"operations": operations, "map": json.dumps({"0": ["query"]})}, small)
    assert outside["status"] == 400 and "variables" in outside["errors"][0]["message"]
    broken = post({"operations": "{", "map": mapping}, small)
    assert broken["status"] == 400 and broken["errors"][0]["extensions"]["code"] == "BAD_JSON"
    fine = post({"operations": operations, "map": mapping}, small)
    assert fine["status"] == 200 and fine["data"]["importFile"]["report"]["created"] == 10


def test_import_reads_xlsx_with_header_variants_and_excel_serial_dates(sample_app: ThemaTestApp) -> None:
    org = _org(sample_app)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Patrimoine au 30/09/2025"])  # a title line above the headers
    sheet.append([])
    sheet.append(
        [
            "IDENTIFIANT NATIONAL DU LOGEMENT",
            "residence",
            "Ville",
            "CP",
            "Type",
            "Surface habitable (m²)",
            None,
        ]
    )
    sheet.append(["RNLX1", "Les Acacias", "Laon", 2000, "Chambre", 18.5])
    sheet.append(["RNLX2", "Les Acacias", "Laon", 2000, "T1 bis", 24])
    sheet.append([None, None, None])  # trailing empty lines and columns
    out = io.BytesIO()
    book.save(out)
    report = _import(sample_app, org, "parc.xlsx", apply=True, content=out.getvalue())["report"]
    assert (report["kind"], report["created"], report["errors"], report["headerLine"]) == ("UNITS", 2, [], 3)
    assert any("lignes 1 à 2 ignorées" in n for n in report["notices"])
    with sample_app.session() as s:
        assert s.execute(select(Site.postcode)).scalars().all() == ["02000"]  # the lost leading zero
    households = Workbook()
    sheet = households.active
    assert sheet is not None
    sheet.append(["Réf. ménage", "NOM", "Prénom", "Date naiss."])
    sheet.append(["M-9", "Petit", "Jules", 36161])  # a date cell that lost its format: 1999-01-01
    out = io.BytesIO()
    households.save(out)
    report = _import(sample_app, org, "menages.xlsx", apply=True, content=out.getvalue())["report"]
    assert (report["kind"], report["errors"]) == ("HOUSEHOLDS", [])
    with sample_app.session() as s:
        assert str(s.execute(select(Person.birth_date)).scalar_one()) == "1999-01-01"


LANDLORD_CSV = """Extraction patrimoine - Bailleur de l'Aisne - 01/10/2025;;;;;;;;;;
;;;;;;;;;;
Code logement;Nom résidence;Ville;C.P.;Type logt;Surf. hab. (m²);Etg;Loyer HC (€);Logt meublé;Gardien;
A-0001;Résidence Vivaldi;Soissons;2200;T2;45,50;RDC;"1 312,40 €";Oui;M. Durand;
A-0002;Résidence Vivaldi;Soissons;2200;Type 3;61,2;1er;398;Non;M. Durand;
A-0003;Les Tilleuls;Laon;02000;F4;72;2;452,10;N;;
;;;;;;;;;;
"""


def test_import_forgiving_headers_title_line_and_fallback_key(sample_app: ThemaTestApp) -> None:
    org = _org(sample_app)
    content = LANDLORD_CSV.replace("\u00a0", " ").encode("cp1252")
    report = _import(sample_app, org, "patrimoine.csv", apply=True, content=content)["report"]
    assert report["errors"] == [] and (report["kind"], report["created"], report["headerLine"]) == (
        "UNITS",
        3,
        3,
    )
    matched = {c["header"]: (c["field"], c["matchedBy"]) for c in report["columns"]}
    assert matched["Code logement"] == ("national_id", "repli")
    assert matched["Type logt"][0] == "typology" and matched["Surf. hab. (m²)"][0] == "surface_m2"
    assert matched["Loyer HC (€)"][0] == "monthly_rent" and matched["Logt meublé"][0] == "furnished"
    assert any("« Code logement » lu comme « N° RNL »" in n for n in report["notices"])
    assert any("« Gardien »" in n for n in report["notices"])
    with sample_app.session() as s:
        unit = s.execute(select(Unit).where(Unit.national_id == "A-0001")).scalar_one()
        assert (unit.typology.value, unit.surface_m2, unit.floor, unit.monthly_rent, unit.furnished) == (
            "t2",
            45.5,
            0,
            1312.4,
            True,
        )


def test_import_missing_column_lists_expected_names_then_explicit_mapping(sample_app: ThemaTestApp) -> None:
    org = _org(sample_app)
    content = "Clé;Programme;Commune;Typologie\nK1;Les Acacias;Laon;T2\n".encode()
    report = _import(sample_app, org, "x.csv", apply=False, content=content, kind="UNITS")["report"]
    [error] = report["errors"]
    assert (error["row"], error["column"], error["code"]) == (1, "N° RNL", "MISSING_COLUMN")
    assert "« Identifiant RNL »" in error["message"] or "« n rnl »" in error["message"]
    assert "« Clé »" in error["message"] and '--map "Clé=national_id"' in error["message"]
    mapped = _import(
        sample_app, org, "x.csv", apply=True, content=content, columns=[{"header": "clé", "field": "RNL"}]
    )["report"]
    assert (mapped["errors"], mapped["created"]) == ([], 1)
    assert {
        "header": "Clé",
        "field": "national_id",
        "label": "N° RNL",
        "matchedBy": "correspondance",
    } in mapped["columns"]
    wrong = _import(
        sample_app,
        org,
        "x.csv",
        apply=False,
        content=content,
        kind="UNITS",
        columns=[{"header": "Clé", "field": "toit"}],
    )["report"]
    assert wrong["errors"][0]["code"] == "BAD_MAPPING" and "national_id" in wrong["errors"][0]["message"]


def test_import_support_episodes(sample_app: ThemaTestApp) -> None:
    graph = build_graph(sample_app)
    token = sample_app.create_token(graph.association, "staff")
    households = "Réf ménage;Nom;Prénom\nS-1;Roux;Inès\nS-2;Blanc;Marc\n".encode()
    _import(sample_app, graph.association, "m.csv", apply=True, content=households, token=token)
    episodes = (
        "Réf ménage;Début accompagnement;Fin accompagnement;Motif de fin;Dispositif\n"
        "S-1;01/02/2024;;;Offre\n"
        "S-2;15/03/24;30/06/2025;Relogement;Offre\n"
        "S-3;01/01/2024;;;Offre\n"
        "S-1;01/02/2024;01/01/2024;;Offre\n"
    ).encode()
    bad = _import(sample_app, graph.association, "acc.csv", apply=True, content=episodes, token=token)[
        "report"
    ]
    assert bad["kind"] == "SUPPORT_EPISODES"
    assert {(e["row"], e["code"]) for e in bad["errors"]} == {(4, "NOT_FOUND"), (5, "DATE_ORDER")}
    good_rows = episodes.decode().splitlines()[:3]
    good = "\n".join(good_rows).encode()
    done = _import(sample_app, graph.association, "acc.csv", apply=True, content=good, token=token)["report"]
    assert (done["created"], done["errors"]) == (2, [])
    again = _import(sample_app, graph.association, "acc.csv", apply=True, content=good, token=token)["report"]
    assert (again["created"], again["unchanged"]) == (0, 2)
    with sample_app.session() as s:
        rows = s.execute(select(SupportEpisode).order_by(SupportEpisode.start_date)).scalars().all()
        assert [(str(r.start_date), r.end_reason, r.offer_id is not None) for r in rows] == [
            ("2024-02-01", None, True),
            ("2024-03-15", "Relogement", True),
        ]
    listed = sample_app.graphql("{ households(first: 10) { nodes { reference } } }", token=token)[
        "households"
    ]["nodes"]
    assert {n["reference"] for n in listed} == {"S-1", "S-2"}


def test_import_cli_dry_run_report_map_and_apply(
    sample_app: ThemaTestApp, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from core.cli import app as cli

    _org(sample_app)
    with sample_app.session() as s:
        pk = s.execute(select(Organisation.id)).scalar_one()
    monkeypatch.setenv("THEMA_DATABASE_URL", sample_app.settings.database_url)
    path = tmp_path / "patrimoine.csv"
    path.write_bytes(LANDLORD_CSV.replace("Type 3", "Type trois").encode("cp1252"))
    runner = CliRunner()
    dry = runner.invoke(cli, ["import", "--org", str(pk), str(path), "--report", str(tmp_path / "r.xlsx")])
    assert dry.exit_code == 1, dry.output
    assert (
        "import : lecture…" in dry.output
        and "ligne 5, colonne « Type logt » : typologie inconnue" in dry.output
    )
    sheet = load_workbook(tmp_path / "r.xlsx")["Import"]
    notes = [c.value for c in sheet[3]].index("Erreurs") + 1
    assert (
        sheet.cell(row=5, column=1).value == "A-0002" and "typologie" in sheet.cell(row=5, column=notes).value
    )
    path.write_bytes(LANDLORD_CSV.encode("cp1252"))
    done = runner.invoke(
        cli,
        ["import", "--org", str(pk), str(path), "--apply", "--map", "Gardien=", "--map", "Code logement=rnl"],
    )
    assert done.exit_code == 0, done.output
    assert (
        "import : écriture…" in done.output and "3 créations" in done.output and "enregistrés" in done.output
    )
    assert _count(sample_app, Unit) == 3
    again = runner.invoke(cli, ["import", "--org", str(pk), str(path), "--apply"])
    assert again.exit_code == 0 and "toutes déjà à jour" in again.output
    assert _count(sample_app, Unit) == 3


def test_import_killed_while_writing_leaves_nothing(sample_app: ThemaTestApp, tmp_path: Path) -> None:
    with sample_app.session() as s:
        org = Organisation(name="Bailleur", kind=OrganisationKind.LANDLORD)
        s.add(org)
        s.flush()
        pk = org.id
    path = tmp_path / "parc.csv"
    path.write_bytes(_units_csv(60_000))
    env = {**os.environ, "THEMA_DATABASE_URL": sample_app.settings.database_url, "COLUMNS": "200"}
    command = [
        sys.executable,
        "-c",
        "from core.cli import main; main()",
        "import",
        "--org",
        str(pk),
        str(path),
    ]
    process = subprocess.Popen(
        [*command, "--apply"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    assert process.stdout is not None
    seen = []
    for line in process.stdout:
        seen.append(line)
        if "écriture" in line:
            break
    time.sleep(0.5)  # well into the writing: sites, then the first batches of units and audit events
    assert process.poll() is None, "".join(seen)  # still writing
    process.send_signal(signal.SIGKILL)
    assert process.wait(timeout=30) == -signal.SIGKILL
    assert _count(sample_app, Unit) == 0 and _count(sample_app, Site) == 0
    assert _count(sample_app, AuditEvent) == 0
    # The same file, not interrupted, is written whole: the kill happened in a real write.
    finished = subprocess.run([*command, "--apply"], env=env, capture_output=True, text=True, timeout=300)
    assert finished.returncode == 0, finished.stdout + finished.stderr
    assert _count(sample_app, Unit) == 60_000


@pytest.mark.skipif(postgres_url() is None, reason="THEMA_TEST_POSTGRES_URL not set")
def test_import_under_row_level_security_as_an_ordinary_role() -> None:
    """An ordinary PostgreSQL role (RLS in force, unlike superusers): imports for its caller's
    organisation are written; the rows stay invisible to another organisation's caller."""
    base = postgres_url()
    assert base is not None
    role, db = f"thema_imp_{uuid.uuid4().hex[:8]}", f"thema_imp_{uuid.uuid4().hex[:8]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE ROLE "{role}" LOGIN NOSUPERUSER NOBYPASSRLS'))
        conn.execute(text(f'CREATE DATABASE "{db}" OWNER "{role}"'))
    url = make_url(base).set(username=role, password=None, database=db).render_as_string(hide_password=False)
    settings = Settings(database_url=url, environment="test")
    upgrade(url, build_registry(settings, [sample_plugin]))
    app = ThemaTestApp(settings, [sample_plugin])
    try:
        mine, other = _org(app, "Bailleur L"), _org(app, "Bailleur M")
        token = app.create_token(mine, "staff")
        done = _upload(app, mine, "units.csv", (FIXTURES / "units.csv").read_bytes(), apply=True, token=token)
        assert (done["report"]["created"], done["report"]["errors"]) == (6, [])
        households = _import(app, mine, "households.csv", apply=True, token=token)["report"]
        assert (households["created"], households["errors"]) == (4, [])
        stranger = app.create_token(other, "staff")
        count = "{ sites { totalCount } households { totalCount } }"
        assert app.graphql(count, token=stranger) == {
            "sites": {"totalCount": 0},
            "households": {"totalCount": 0},
        }
        assert app.graphql(count, token=token) == {
            "sites": {"totalCount": 2},
            "households": {"totalCount": 3},
        }
    finally:
        app.close()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)'))
            conn.execute(text(f'DROP ROLE IF EXISTS "{role}"'))
        admin.dispose()
