"""The FJT profile through the GraphQL API: fjtSetProfile, Household.fjt, typed user errors."""

from __future__ import annotations

from sqlalchemy import event

from core.testing import ThemaTestApp
from tests.plugins.fjt.kit import World, household, mutate, organisation, raw_mutate, young

PROFILE = "profile { householdId appliedOn composition activityDetail version }"


def _read(app: ThemaTestApp, household_id: str) -> dict[str, object] | None:
    query = """query($h: ID!) { household(id: $h) {
      fjt { householdId appliedOn composition activityDetail version } } }"""
    return app.graphql(query, {"h": household_id})["household"]["fjt"]  # type: ignore[no-any-return]


def test_profile_created_then_read_on_household(app: ThemaTestApp, world: World) -> None:
    h = household(app, world.association, [young(22)])
    assert _read(app, h) is None
    payload = mutate(
        app,
        "fjtSetProfile",
        {"householdId": h, "appliedOn": "2025-11-03", "activityDetail": "  Apprenti boulanger "},
        PROFILE,
    )
    expected = {
        "householdId": h,
        "appliedOn": "2025-11-03",
        "composition": None,
        "activityDetail": "Apprenti boulanger",
        "version": 1,
    }
    assert payload["profile"] == expected
    assert _read(app, h) == expected


def test_profile_update_keeps_omitted_fields_and_bumps_version(app: ThemaTestApp, world: World) -> None:
    h = household(app, world.association, [young(22)])
    mutate(app, "fjtSetProfile", {"householdId": h, "appliedOn": "2025-11-03"}, PROFILE)
    payload = mutate(app, "fjtSetProfile", {"householdId": h, "composition": "SINGLE", "version": 1}, PROFILE)
    assert payload["profile"]["appliedOn"] == "2025-11-03"
    assert payload["profile"]["composition"] == "SINGLE"
    assert payload["profile"]["version"] == 2
    cleared = mutate(app, "fjtSetProfile", {"householdId": h, "composition": None}, PROFILE)
    assert cleared["profile"]["composition"] is None


def test_profile_stale_version_refused_and_nothing_written(app: ThemaTestApp, world: World) -> None:
    h = household(app, world.association, [young(22)])
    mutate(app, "fjtSetProfile", {"householdId": h, "activityDetail": "A"}, PROFILE)
    mutate(app, "fjtSetProfile", {"householdId": h, "activityDetail": "B", "version": 1}, PROFILE)
    stale = raw_mutate(app, "fjtSetProfile", {"householdId": h, "activityDetail": "C", "version": 1}, PROFILE)
    assert stale["profile"] is None
    assert [e["code"] for e in stale["userErrors"]] == ["STALE_VERSION"]
    assert _read(app, h)["activityDetail"] == "B"  # type: ignore[index]


def test_profile_invalid_input_gives_every_user_error(app: ThemaTestApp, world: World) -> None:
    h = household(app, world.association, [young(22)])
    payload = raw_mutate(
        app,
        "fjtSetProfile",
        {"householdId": h, "appliedOn": "2026-01-02", "activityDetail": "x" * 201},
        PROFILE,
    )
    assert payload["profile"] is None
    assert {(e["field"], e["code"]) for e in payload["userErrors"]} == {
        ("appliedOn", "OUT_OF_RANGE"),
        ("activityDetail", "TOO_LONG"),
    }
    assert all(e["message"] for e in payload["userErrors"])
    assert _read(app, h) is None


def test_profile_unknown_household_not_found(app: ThemaTestApp, world: World) -> None:
    payload = raw_mutate(
        app, "fjtSetProfile", {"householdId": world.offer, "appliedOn": "2025-01-01"}, PROFILE
    )
    assert [(e["field"], e["code"]) for e in payload["userErrors"]] == [("householdId", "INVALID_ID")]
    missing = "SG91c2Vob2xkOjk5OTk5"  # Household:99999
    payload = raw_mutate(app, "fjtSetProfile", {"householdId": missing}, PROFILE)
    assert [(e["field"], e["code"]) for e in payload["userErrors"]] == [("householdId", "NOT_FOUND")]


def test_profile_refused_when_owner_has_not_enabled_fjt(app: ThemaTestApp, world: World) -> None:
    other = organisation(app, "Autre association", "ASSOCIATION")
    h = household(app, other, [young(22)])
    payload = raw_mutate(app, "fjtSetProfile", {"householdId": h, "appliedOn": "2025-01-01"}, PROFILE)
    assert [(e["field"], e["code"]) for e in payload["userErrors"]] == [("householdId", "SCHEME_NOT_ENABLED")]


def test_profile_loaded_in_batch_for_many_households(app: ThemaTestApp, world: World) -> None:
    ids = [household(app, world.association, [young(22)], reference=f"H{n}") for n in range(3)]
    for n, h in enumerate(ids[:2]):
        mutate(app, "fjtSetProfile", {"householdId": h, "activityDetail": f"D{n}"}, PROFILE)
    query = """query($org: ID!) { households(organisationId: $org, first: 10) {
      edges { node { reference fjt { activityDetail } } } } }"""
    statements: list[str] = []

    def record(conn: object, cursor: object, statement: str, *args: object) -> None:
        if "fjt_profile" in statement:
            statements.append(statement)

    event.listen(app.engine, "before_cursor_execute", record)
    try:
        edges = app.graphql(query, {"org": world.association})["households"]["edges"]
    finally:
        event.remove(app.engine, "before_cursor_execute", record)
    assert len(statements) == 1  # one statement for the whole page (DataLoader)
    found = {e["node"]["reference"]: e["node"]["fjt"] for e in edges}
    assert found == {"H0": {"activityDetail": "D0"}, "H1": {"activityDetail": "D1"}, "H2": None}


def test_profile_allowed_for_a_manager_running_an_enabled_landlord_offer(
    app: ThemaTestApp, world: World
) -> None:
    # The association enabled nothing itself: it runs the landlord's FJT offer, which is enough.
    manager = organisation(app, "Gestionnaire sans activation", "ASSOCIATION")
    mutate(
        app,
        "createOffer",
        {
            "scheme": "fjt",
            "name": "FJT géré",
            "landlordId": world.landlord,
            "managerId": manager,
            "startDate": "2024-01-01",
        },
        "offer { id }",
    )
    h = household(app, manager, [young(22)])
    payload = raw_mutate(app, "fjtSetProfile", {"householdId": h, "appliedOn": "2025-01-01"}, PROFILE)
    assert payload["userErrors"] == [] and payload["profile"]["appliedOn"] == "2025-01-01"
