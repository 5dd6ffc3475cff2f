"""The ASR identification record through the GraphQL API: who identified, when, and errors."""

from __future__ import annotations

from sqlalchemy import select

from core.graphql.api import from_global_id
from core.testing import ThemaTestApp
from plugins.asr.models import AsrProfile
from tests.plugins.asr.kit import World, set_profile, tenant

READ = "query($id: ID!) { household(id: $id) { asr { %s } } }"


def test_identification_records_who_and_when(app: ThemaTestApp, world: World) -> None:
    hid = tenant(app, world.landlord, world.units[0])
    payload = set_profile(
        app,
        hid,
        greatPrecarity=True,
        rentArrearsAmount=1250.5,
        identifiedOn="2025-11-15",
        identifiedBy="Équipe recouvrement Douai",
        identificationSource="RENT_RECOVERY",
        identifyingOrganisationId=world.landlord,
    )
    assert payload["userErrors"] == []
    assert payload["profile"] == {
        "householdId": hid,
        "greatPrecarity": True,
        "rentArrearsAmount": 1250.5,
        "suspectedPsychologicalTroubles": None,
        "identifiedOn": "2025-11-15",
        "identifiedBy": "Équipe recouvrement Douai",
        "identificationSource": "RENT_RECOVERY",
        "identifyingOrganisationId": world.landlord,
        "version": 1,
    }
    read = app.graphql(READ % "identifiedBy identifiedOn", {"id": hid})["household"]["asr"]
    assert read == {"identifiedBy": "Équipe recouvrement Douai", "identifiedOn": "2025-11-15"}


def test_update_keeps_omitted_fields_and_checks_version(app: ThemaTestApp, world: World) -> None:
    hid = tenant(app, world.landlord, world.units[0])
    set_profile(app, hid, greatPrecarity=True, identifiedBy="Recouvrement")
    updated = set_profile(app, hid, version=1, suspectedPsychologicalTroubles=True)
    assert updated["userErrors"] == []
    assert updated["profile"]["greatPrecarity"] is True
    assert updated["profile"]["identifiedBy"] == "Recouvrement"
    assert updated["profile"]["version"] == 2
    stale = set_profile(app, hid, version=1, greatPrecarity=False)
    assert [e["code"] for e in stale["userErrors"]] == ["STALE_VERSION"]
    read = app.graphql(READ % "greatPrecarity version", {"id": hid})["household"]["asr"]
    assert read == {"greatPrecarity": True, "version": 2}


def test_invalid_input_names_every_field_and_writes_nothing(app: ThemaTestApp, world: World) -> None:
    hid = tenant(app, world.landlord, world.units[0])
    payload = set_profile(app, hid, identifiedOn="2026-01-02", rentArrearsAmount=-1.0, identifiedBy="  ")
    assert payload["profile"] is None
    assert sorted((e["field"], e["code"]) for e in payload["userErrors"]) == [
        ("identifiedBy", "REQUIRED"),
        ("identifiedOn", "OUT_OF_RANGE"),
        ("rentArrearsAmount", "NEGATIVE"),
    ]
    assert app.graphql(READ % "version", {"id": hid})["household"]["asr"] is None


def test_unknown_references_are_refused(app: ThemaTestApp, world: World) -> None:
    hid = tenant(app, world.landlord, world.units[0])
    bad_org = set_profile(app, hid, identifyingOrganisationId="T3JnYW5pc2F0aW9uOjk5OTk")
    assert [(e["field"], e["code"]) for e in bad_org["userErrors"]] == [
        ("identifyingOrganisationId", "NOT_FOUND")
    ]
    bad_household = set_profile(app, world.landlord, greatPrecarity=True)
    assert [(e["field"], e["code"]) for e in bad_household["userErrors"]] == [("householdId", "INVALID_ID")]


def test_profile_owner_is_the_households(app: ThemaTestApp, world: World) -> None:
    hid = tenant(app, world.landlord, world.units[0])
    set_profile(app, hid, greatPrecarity=True)
    pk = from_global_id(hid)[1]  # type: ignore[index]
    with app.session() as s:
        owner = s.execute(select(AsrProfile.owner_id).where(AsrProfile.household_id == pk)).scalar_one()
    assert owner == from_global_id(world.landlord)[1]  # type: ignore[index]


def test_catalogue_parameters_and_sensitive_field(app: ThemaTestApp) -> None:
    data = app.graphql(
        '{ scheme(code: "asr") { label portfolioWide parameters { key default } '
        "criteria { code } indicators { key unit target } "
        "sensitiveFields { typeName fieldName category } } }"
    )["scheme"]
    assert data["label"] == "Accompagnement Social Renforcé"
    assert data["portfolioWide"] is True
    assert {p["key"]: p["default"] for p in data["parameters"]} == {
        "min_visits_per_week": 1,
        "visit_kinds": ["home_visit"],
    }
    assert [c["code"] for c in data["criteria"]] == ["asr.tenant", "asr.isolated", "asr.vulnerability"]
    assert [i["key"] for i in data["indicators"]] == [
        "households_supported",
        "support_months",
        "priority_district_share",
        "weekly_visit_share",
        "average_episode_length",
    ]
    assert data["sensitiveFields"] == [
        {
            "typeName": "AsrProfile",
            "fieldName": "suspected_psychological_troubles",
            "category": "HEALTH",
        }
    ]
