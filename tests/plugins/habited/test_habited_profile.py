"""The HabiTED profile through the GraphQL API: habitedSetProfile, Household.habited, sensitivity."""

from __future__ import annotations

from core.testing import ThemaTestApp
from tests.plugins.habited.kit import COMPLETE, PROFILE, World, born, mutate, raw_mutate, tenant


def _read(app: ThemaTestApp, household_id: str) -> dict[str, object] | None:
    query = """query($h: ID!) { household(id: $h) { habited {
      householdId diagnosis verbalLanguage publicTransportAutonomy dayActivity version } } }"""
    return app.graphql(query, {"h": household_id})["household"]["habited"]  # type: ignore[no-any-return]


def test_profile_created_updated_and_read(app: ThemaTestApp, world: World) -> None:
    h = tenant(app, world, born(30))
    assert _read(app, h) is None
    created = mutate(app, "habitedSetProfile", {"householdId": h, **COMPLETE}, PROFILE)
    assert created["profile"] == {"householdId": h, **COMPLETE, "version": 1}
    updated = mutate(
        app,
        "habitedSetProfile",
        {"householdId": h, "dayActivity": "DAY_CENTRE", "version": 1},
        PROFILE,
    )
    assert updated["profile"]["dayActivity"] == "DAY_CENTRE"
    assert updated["profile"]["diagnosis"] == "AUTISM"  # omitted fields keep their value
    assert _read(app, h) == {**COMPLETE, "householdId": h, "dayActivity": "DAY_CENTRE", "version": 2}


def test_profile_null_records_an_unknown_fact(app: ThemaTestApp, world: World) -> None:
    h = tenant(app, world, born(30), COMPLETE)
    mutate(app, "habitedSetProfile", {"householdId": h, "publicTransportAutonomy": None}, PROFILE)
    assert _read(app, h)["publicTransportAutonomy"] is None  # type: ignore[index]


def test_profile_stale_version_refused(app: ThemaTestApp, world: World) -> None:
    h = tenant(app, world, born(30), COMPLETE)
    mutate(app, "habitedSetProfile", {"householdId": h, "verbalLanguage": False, "version": 1}, PROFILE)
    stale = raw_mutate(
        app, "habitedSetProfile", {"householdId": h, "verbalLanguage": True, "version": 1}, PROFILE
    )
    assert stale["profile"] is None
    assert [e["code"] for e in stale["userErrors"]] == ["STALE_VERSION"]
    assert _read(app, h)["verbalLanguage"] is False  # type: ignore[index]


def test_profile_refused_when_owner_has_not_enabled_habited(app: ThemaTestApp, world: World) -> None:
    other = mutate(
        app, "createOrganisation", {"name": "Autre", "kind": "ASSOCIATION"}, "organisation { id }"
    )["organisation"]["id"]
    member = {"firstName": "Alex", "lastName": "Durand", "birthDate": born(30)}
    h = mutate(
        app,
        "createHousehold",
        {"organisationId": other, "reference": "X", "members": [member]},
        "household { id }",
    )["household"]["id"]
    payload = raw_mutate(app, "habitedSetProfile", {"householdId": h, **COMPLETE}, PROFILE)
    assert [(e["field"], e["code"]) for e in payload["userErrors"]] == [("householdId", "SCHEME_NOT_ENABLED")]
    assert _read(app, h) is None


def test_profile_diagnosis_declared_sensitive_health(app: ThemaTestApp) -> None:
    query = """{ schemes { code sensitiveFields { typeName fieldName category permission } } }"""
    habited = next(s for s in app.graphql(query)["schemes"] if s["code"] == "habited")
    assert habited["sensitiveFields"] == [
        {
            "typeName": "HabitedProfile",
            "fieldName": "diagnosis",
            "category": "HEALTH",
            "permission": "habited.health",
        }
    ]
