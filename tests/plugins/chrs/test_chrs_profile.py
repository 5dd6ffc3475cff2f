"""The CHRS profile through the GraphQL API: upsert, partial updates, errors, confidentiality."""

from __future__ import annotations

from core.testing import ThemaTestApp
from tests.plugins.chrs.kit import FULL_PROFILE, World, born, household, set_profile

HOUSEHOLD = "query($id: ID!) { household(id: $id) { confidential version chrs { %s } } }"


def test_set_profile_creates_then_updates_partially(app: ThemaTestApp, world: World) -> None:
    hid = household(app, world.association, born(30))
    created = set_profile(app, hid, **FULL_PROFILE)
    assert created["userErrors"] == []
    assert created["profile"]["version"] == 1
    assert created["profile"]["householdId"] == hid
    updated = set_profile(app, hid, version=1, healthDifficulty=True)
    assert updated["userErrors"] == []
    profile = updated["profile"]
    assert (profile["version"], profile["healthDifficulty"]) == (2, True)
    # Omitted fields keep their value; an explicit null makes a fact unknown again.
    assert profile["economicDifficulty"] is True and profile["assessedOn"] == "2025-12-01"
    cleared = set_profile(app, hid, economicDifficulty=None)["profile"]
    assert cleared["economicDifficulty"] is None
    read = app.graphql(HOUSEHOLD % "economicDifficulty healthDifficulty version", {"id": hid})
    assert read["household"]["chrs"] == {
        "economicDifficulty": None,
        "healthDifficulty": True,
        "version": 3,
    }


def test_household_without_profile_has_null_chrs(app: ThemaTestApp, world: World) -> None:
    hid = household(app, world.association, born(30))
    assert app.graphql(HOUSEHOLD % "version", {"id": hid})["household"]["chrs"] is None


def test_set_profile_stale_version_writes_nothing(app: ThemaTestApp, world: World) -> None:
    hid = household(app, world.association, born(30))
    set_profile(app, hid, **FULL_PROFILE)
    set_profile(app, hid, version=1, familyDifficulty=True)
    stale = set_profile(app, hid, version=1, familyDifficulty=False)
    assert stale["profile"] is None
    assert [e["code"] for e in stale["userErrors"]] == ["STALE_VERSION"]
    read = app.graphql(HOUSEHOLD % "familyDifficulty version", {"id": hid})["household"]["chrs"]
    assert read == {"familyDifficulty": True, "version": 2}


def test_set_profile_unknown_household_is_not_found(app: ThemaTestApp, world: World) -> None:
    answer = set_profile(app, world.site, **FULL_PROFILE)
    assert [(e["field"], e["code"]) for e in answer["userErrors"]] == [("householdId", "INVALID_ID")]
    missing = set_profile(app, "SG91c2Vob2xkOjk5OTk", **FULL_PROFILE)  # Household:9999
    assert [(e["field"], e["code"]) for e in missing["userErrors"]] == [("householdId", "NOT_FOUND")]


def test_set_profile_future_assessment_is_refused(app: ThemaTestApp, world: World) -> None:
    hid = household(app, world.association, born(30))
    answer = set_profile(app, hid, **{**FULL_PROFILE, "assessedOn": "2026-01-02"})
    assert [(e["field"], e["code"]) for e in answer["userErrors"]] == [("assessedOn", "OUT_OF_RANGE")]
    assert app.graphql(HOUSEHOLD % "version", {"id": hid})["household"]["chrs"] is None


def test_violence_victim_makes_household_confidential(app: ThemaTestApp, world: World) -> None:
    hid = household(app, world.association, born(30))
    before = app.graphql(HOUSEHOLD % "version", {"id": hid})["household"]
    assert before["confidential"] is False
    set_profile(app, hid, **FULL_PROFILE)
    assert app.graphql(HOUSEHOLD % "version", {"id": hid})["household"]["confidential"] is False
    set_profile(app, hid, domesticViolenceVictim=True)
    after = app.graphql(HOUSEHOLD % "domesticViolenceVictim", {"id": hid})["household"]
    assert after["confidential"] is True
    assert after["chrs"] == {"domesticViolenceVictim": True}
    assert after["version"] == before["version"] + 1


def test_sensitive_fields_are_declared(app: ThemaTestApp) -> None:
    data = app.graphql(
        '{ scheme(code: "chrs") { sensitiveFields { typeName fieldName category permission } } }'
    )
    assert data["scheme"]["sensitiveFields"] == [
        {
            "typeName": "ChrsProfile",
            "fieldName": "domestic_violence_victim",
            "category": "VIOLENCE",
            "permission": "chrs.violence",
        },
        {
            "typeName": "ChrsProfile",
            "fieldName": "health_difficulty",
            "category": "HEALTH",
            "permission": "chrs.health",
        },
    ]


def test_scheme_catalogue(app: ThemaTestApp) -> None:
    data = app.graphql(
        '{ scheme(code: "chrs") { label parameters { key default } criteria { code kind } '
        "indicators { key } } }"
    )["scheme"]
    assert data["label"] == "Centre d'Hébergement et de Réinsertion Sociale"
    assert {p["key"]: p["default"] for p in data["parameters"]} == {
        "min_adult_age": 18,
        "requires_referral": True,
    }
    assert [(c["code"], c["kind"]) for c in data["criteria"]] == [
        ("chrs.adult", "REQUIRED"),
        ("chrs.difficulty", "REQUIRED"),
        ("chrs.needs_support", "REQUIRED"),
        ("chrs.referral", "REQUIRED"),
        ("chrs.violence_victim", "PRIORITY"),
    ]
    keys = [i["key"] for i in data["indicators"]]
    assert keys[:3] == ["occupancy_rate", "average_length_of_stay", "exits"]
    assert {"ordinary_housing_exit_share", "violence_priority_share"} <= set(keys)
