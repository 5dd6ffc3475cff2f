"""Import of landlords' files over the API: French report, all or nothing, re-import updates."""

from __future__ import annotations

import base64
import io
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from core.dataio import importer
from core.models import AuditEvent, Household, Person, Site, Unit
from core.testing import ThemaTestApp
from tests.core.conftest import mutate

FIXTURES = Path(__file__).parents[1] / "fixtures" / "import"
IMPORT = """mutation($input: ImportFileInput!) { importFile(input: $input) {
  report { kind applied rows created updated summary annotatedBase64 errors { row column code message } }
  userErrors { field code message } } }"""


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
            }
        },
        token=token,
    )
    assert not answer.get("errors"), answer
    return answer["data"]["importFile"]  # type: ignore[no-any-return]


def _count(app: ThemaTestApp, model: type) -> int:
    with app.session() as s:
        return int(s.execute(select(func.count()).select_from(model)).scalar_one())


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
    sheet = load_workbook(io.BytesIO(base64.b64decode(report["annotatedBase64"]))).active
    header = [c.value for c in sheet[1]]
    assert header[-1] == "Erreurs" and header[0] == "N° RNL"
    assert "obligatoire" in sheet.cell(row=6, column=len(header)).value
    assert sheet.cell(row=2, column=len(header)).value in (None, "")


def test_import_units_dry_run_then_apply_then_reimport_updates(sample_app: ThemaTestApp) -> None:
    org = _org(sample_app)
    dry = _import(sample_app, org, "units.csv", apply=False)["report"]
    assert (dry["applied"], dry["created"], dry["errors"]) == (False, 6, [])
    assert _count(sample_app, Unit) == 0
    done = _import(sample_app, org, "units.csv", apply=True)["report"]
    assert (done["applied"], done["created"], done["updated"]) == (True, 6, 0)
    again = _import(sample_app, org, "units.csv", apply=True)["report"]
    assert (again["created"], again["updated"]) == (0, 6)
    assert _count(sample_app, Unit) == 6 and _count(sample_app, Site) == 2
    with sample_app.session() as s:
        unit = s.execute(select(Unit).where(Unit.national_id == "RNL0200001")).scalar_one()
        assert (unit.typology.value, unit.surface_m2, unit.floor, unit.monthly_rent, unit.furnished) == (
            "t1_bis",
            28.5,
            0,
            312.4,
            True,
        )
        assert (
            s.execute(
                select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "import")
            ).scalar_one()
            == 2
        )


def test_import_households_then_occupancies_utf8_and_cp1252(sample_app: ThemaTestApp) -> None:
    org = _org(sample_app)
    _import(sample_app, org, "units.csv", apply=True)
    bad = _import(sample_app, org, "households_bad.csv", apply=True)["report"]
    assert [(e["row"], e["column"]) for e in bad["errors"]] == [(4, "Date de naissance")]
    assert _count(sample_app, Household) == 0
    good = _import(sample_app, org, "households.csv", apply=True)["report"]  # UTF-8 this time
    assert (good["created"], good["errors"]) == (3, [])
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
    assert _import(sample_app, org, "occupancies.csv", apply=True)["report"]["updated"] == 3


def test_import_unknown_references_name_row_and_column(sample_app: ThemaTestApp) -> None:
    org = _org(sample_app)
    report = _import(sample_app, org, "occupancies.csv", apply=False)["report"]
    assert {(e["row"], e["column"], e["code"]) for e in report["errors"]} >= {
        (2, "Référence ménage", "NOT_FOUND")
    }


def test_import_one_bad_row_in_many_writes_nothing(sample_app: ThemaTestApp) -> None:
    org = _org(sample_app)
    lines = ["N° RNL;Résidence;Commune;Typologie;Surface"]
    lines += [f"RNL{i:07d};Résidence {i % 7};Laon;T2;45,{i % 10}" for i in range(2000)]
    lines[1500] = "RNL9999999;Résidence 1;Laon;T2;quarante"
    report = _import(sample_app, org, "big.csv", apply=True, content="\n".join(lines).encode("cp1252"))[
        "report"
    ]
    assert [(e["row"], e["column"]) for e in report["errors"]] == [(1501, "Surface")]
    assert _count(sample_app, Unit) == 0


def test_import_failure_while_writing_leaves_nothing(
    sample_app: ThemaTestApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    org = _org(sample_app)
    _import(sample_app, org, "units.csv", apply=True)

    def boom(self: object) -> None:
        importer._Writer.write_members_orig(self)  # type: ignore[attr-defined]
        raise RuntimeError("coupure")

    monkeypatch.setattr(importer._Writer, "write_members_orig", importer._Writer.write_members, raising=False)
    monkeypatch.setattr(importer._Writer, "write_members", boom)
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


def test_import_reads_xlsx_with_header_variants(sample_app: ThemaTestApp) -> None:
    from openpyxl import Workbook

    org = _org(sample_app)
    book = Workbook()
    sheet = book.active
    sheet.append(["IDENTIFIANT NATIONAL DU LOGEMENT", "residence", "Ville", "Type", "Surface habitable (m²)"])
    sheet.append(["RNLX1", "Les Acacias", "Laon", "Chambre", 18.5])
    out = io.BytesIO()
    book.save(out)
    report = _import(sample_app, org, "parc.xlsx", apply=True, content=out.getvalue())["report"]
    assert (report["kind"], report["created"], report["errors"]) == ("UNITS", 1, [])
