"""Data-subject rights over the API (access, anonymisation) and retention runs."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from sqlalchemy import select

from core.dataio.rights import due_for_retention, run_retention
from core.models import AuditEvent, Household, Person
from core.settings import Settings
from core.testing import Kit, ThemaTestApp
from plugins.chrs import hooks as chrs
from plugins.chrs.models import ChrsProfile

DATA = "query($id: ID!) { householdData(householdId: $id) }"
ANON = """mutation($input: AnonymiseHouseholdInput!) { anonymiseHousehold(input: $input) {
  cleared userErrors { field code message } } }"""


def _world(factory: Callable[..., ThemaTestApp]) -> tuple[ThemaTestApp, Kit, dict[str, str]]:
    app = factory([chrs])
    kit = Kit(app)
    w = kit.world("chrs")
    h = kit.household(
        w.association, reference="CHRS-9", members=[kit.member(30, first_name="Inès", last_name="Roux")]
    )
    occ = kit.move_in(h, w.units[0], w.offer, start="2020-01-01")
    kit.move_out(occ, "2020-06-30")
    kit.mutate(
        "chrsSetProfile",
        {"householdId": h, "healthDifficulty": True, "economicDifficulty": True},
        "profile { healthDifficulty }",
    )
    return app, kit, {"association": w.association, "landlord": w.landlord, "household": h}


def test_household_data_lists_core_and_plugin_rows(thema_app_factory: Callable[..., ThemaTestApp]) -> None:
    app, _kit, ids = _world(thema_app_factory)
    token = app.create_token(ids["association"], "staff", ["chrs.health"])
    data = app.graphql(DATA, {"id": ids["household"]}, token=token)["householdData"]
    tables = data["tables"]
    assert tables["household"][0]["reference"] == "CHRS-9"
    assert tables["person"][0]["first_name"] == "Inès"
    assert len(tables["occupancy"]) == 1 and tables["chrs_profile"][0]["health_difficulty"] is True
    plain = app.create_token(ids["association"], "staff")
    limited = app.graphql(DATA, {"id": ids["household"]}, token=plain)["householdData"]
    assert "health_difficulty" not in limited["tables"]["chrs_profile"][0]
    assert "chrs_profile.health_difficulty" in limited["omittedColumns"]
    stranger = app.create_token(ids["landlord"], "staff")
    assert app.graphql(DATA, {"id": ids["household"]}, token=stranger)["householdData"] is None
    with app.session() as s:
        assert s.execute(select(AuditEvent).where(AuditEvent.action == "access_export")).scalars().all()


def test_anonymise_household_clears_identity_and_keeps_audit(
    thema_app_factory: Callable[..., ThemaTestApp],
) -> None:
    app, _kit, ids = _world(thema_app_factory)
    stranger = app.create_token(ids["landlord"], "staff")
    refused = app.graphql(ANON, {"input": {"householdId": ids["household"]}}, token=stranger)[
        "anonymiseHousehold"
    ]
    assert refused["userErrors"][0]["code"] == "NOT_FOUND"
    with app.session() as s:
        before = len(s.execute(select(AuditEvent)).scalars().all())
    token = app.create_token(ids["association"], "staff")
    done = app.graphql(
        ANON, {"input": {"householdId": ids["household"], "reason": "demande écrite"}}, token=token
    )
    assert (
        done["anonymiseHousehold"]["userErrors"] == []
        and done["anonymiseHousehold"]["cleared"]["person"] == 1
    )
    with app.session() as s:
        person = s.execute(select(Person)).scalar_one()
        assert (person.first_name, person.last_name) == ("Anonyme", "Anonyme")
        assert person.birth_date is not None and (person.birth_date.month, person.birth_date.day) == (1, 1)
        assert s.execute(select(Household)).scalar_one().reference.startswith("ANON-")
        profile = s.execute(select(ChrsProfile)).scalar_one()
        assert profile.health_difficulty is None and profile.economic_difficulty is True
        events = s.execute(select(AuditEvent)).scalars().all()
        assert len(events) == before + 1 and events[-1].action == "anonymise"
        assert events[-1].details["reason"] == "demande écrite"


def test_retention_run_dry_then_apply(thema_app_factory: Callable[..., ThemaTestApp]) -> None:
    app, kit, ids = _world(thema_app_factory)
    kit.household(ids["association"], reference="EN-COURS")
    settings = Settings(retention_departed_household_days=365, retention_closed_household_days=0)
    with app.session() as s:
        assert (
            due_for_retention(
                s,
                Settings(retention_departed_household_days=0, retention_closed_household_days=0),
                date(2030, 1, 1),
            )
            == []
        )
        due = run_retention(s, app.registry, settings, date(2030, 1, 1), apply=False)
        assert [(d.reference, d.rule) for d in due] == [("CHRS-9", "departed_household")]
        assert s.execute(select(Household.reference).where(Household.reference == "CHRS-9")).first()
        assert due_for_retention(s, settings, date(2020, 12, 31)) == []
        run_retention(s, app.registry, settings, date(2030, 1, 1), apply=True)
    with app.session() as s:
        refs = sorted(s.execute(select(Household.reference)).scalars())
        assert refs[1] == "EN-COURS" and refs[0].startswith("ANON-") and len(refs) == 2
        assert due_for_retention(s, settings, date(2030, 1, 1)) == []
        assert (
            s.execute(select(AuditEvent.details).where(AuditEvent.action == "anonymise")).scalar_one()[
                "reason"
            ]
            == "retention:departed_household"
        )
