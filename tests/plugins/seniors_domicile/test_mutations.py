"""Contact and visit records of « Seniors à domicile » through the GraphQL API."""

from __future__ import annotations

from datetime import date
from typing import Any

from .kit import World

ON = date(2020, 3, 2)


def errors(payload: dict[str, Any]) -> list[tuple[str | None, str]]:
    """(field, code) of a payload's user errors."""
    return [(e["field"], e["code"]) for e in payload["userErrors"]]


def profile(world: World, household: str) -> dict[str, Any] | None:
    """The household's ``seniorsDomicile`` field."""
    data = world.app.graphql(
        """query($h: ID!) { node(id: $h) { ... on Household { seniorsDomicile {
             householdId contacted refused diagnosed
             visits { offerId contactOutcome visitOn } } } } }""",
        {"h": household},
    )
    result: dict[str, Any] | None = data["node"]["seniorsDomicile"]
    return result


def test_record_contact_creates_then_updates_with_version(world: World) -> None:
    """A contact is recorded, then corrected with the version read; a stale version is refused."""
    hid = world.senior(ON, 80, isolated=True)
    assert profile(world, hid) is None
    created = world.contact(hid, ON, "NO_ANSWER")
    assert errors(created) == []
    visit = created["visit"]
    assert (visit["contactOutcome"], visit["contactChannel"], visit["version"]) == (
        "NO_ANSWER",
        "PHONE",
        1,
    )
    assert profile(world, hid) == {
        "householdId": hid,
        "contacted": False,
        "refused": False,
        "diagnosed": False,
        "visits": [{"offerId": world.offer, "contactOutcome": "NO_ANSWER", "visitOn": None}],
    }
    refused = world.contact(hid, date(2020, 3, 9), "REFUSED", refusalReason="Pas intéressé.", version=1)
    assert errors(refused) == []
    assert refused["visit"]["id"] == visit["id"]
    assert (refused["visit"]["refused"], refused["visit"]["version"]) == (True, 2)
    stale = world.contact(hid, date(2020, 3, 10), "ACCEPTED", version=1)
    assert errors(stale) == [("version", "STALE_VERSION")]
    assert profile(world, hid)["refused"] is True  # type: ignore[index]


def test_record_contact_refuses_bad_input_and_writes_nothing(world: World) -> None:
    """Dates out of the offer or in the future, a reason without refusal: typed errors."""
    hid = world.senior(ON, 80, isolated=True)
    early = world.contact(hid, date(2019, 7, 31), "ACCEPTED")
    assert errors(early) == [("contactedOn", "OUT_OF_RANGE")]
    future = world.contact(hid, date(2026, 1, 2), "ACCEPTED")
    assert errors(future) == [("contactedOn", "IN_FUTURE")]
    reason = world.contact(hid, ON, "ACCEPTED", refusalReason="?")
    assert errors(reason) == [("refusalReason", "NOT_APPLICABLE")]
    assert profile(world, hid) is None


def test_record_contact_checks_household_and_offer(world: World) -> None:
    """A household outside the landlord's files, or an unknown offer, is refused."""
    other = world.organisation("Autre bailleur", "LANDLORD")
    stranger = world.household({"birthDate": "1940-01-01"}, owner=other, moved_in=None)
    assert errors(world.contact(stranger, ON, "ACCEPTED")) == [("householdId", "NOT_IN_PORTFOLIO")]
    hid = world.senior(ON, 80)
    assert errors(world.contact(hid, ON, "ACCEPTED", offer=hid)) == [("offerId", "INVALID_ID")]


def test_record_contact_needs_the_scheme_enabled(world: World) -> None:
    """After the landlord disables the scheme, the programme's writes are refused."""
    hid = world.senior(ON, 80)
    world.gql(
        """mutation($i: DisableSchemeInput!) { disableScheme(input: $i) { userErrors {
             code field } } }""",
        {"organisationId": world.landlord, "scheme": "seniors_domicile", "disabledOn": "2021-01-01"},
    )
    assert errors(world.contact(hid, ON, "ACCEPTED")) == []
    late = world.contact(hid, date(2021, 1, 4), "ACCEPTED", version=1)
    assert errors(late) == [("offerId", "SCHEME_NOT_ENABLED")]


def test_record_visit_after_an_accepted_contact(world: World) -> None:
    """The visit records its duration, risks, eco kit (5 LED bulbs by default) and follow-up."""
    hid = world.senior(ON, 80, isolated=True)
    assert errors(world.contact(hid, ON, "ACCEPTED")) == []
    payload = world.visit(
        hid,
        date(2020, 3, 10),
        95,
        risks=["FALLS", "DOMESTIC_SAFETY"],
        kitInstalledOn=date(2020, 3, 10),
        kitAerators=2,
        kitPressureReducers=1,
        carsatOffersRelayed=True,
        urgentInterventionOn=date(2020, 3, 12),
        socialServicesAlertOn=date(2020, 3, 11),
        notes="Baignoire à remplacer par une douche.",
    )
    assert errors(payload) == []
    visit = payload["visit"]
    assert visit["risks"] == ["DOMESTIC_SAFETY", "FALLS"]
    assert (visit["kitLedBulbs"], visit["kitAerators"], visit["kitPressureReducers"]) == (5, 2, 1)
    assert visit["durationMinutes"] == 95
    assert (visit["urgentIntervention"], visit["socialServicesAlert"]) == (True, True)
    assert visit["version"] == 2
    assert profile(world, hid)["diagnosed"] is True  # type: ignore[index]
    # Recording it again replaces the visit data (no kit this time).
    again = world.visit(hid, date(2020, 3, 10), 90, version=2)
    assert errors(again) == []
    assert (again["visit"]["kitLedBulbs"], again["visit"]["risks"]) == (0, [])
    assert again["visit"]["urgentIntervention"] is False


def test_record_visit_refused_without_accepted_contact(world: World) -> None:
    """No visit without a contact, nor after a refusal."""
    hid = world.senior(ON, 80)
    assert errors(world.visit(hid, ON)) == [("householdId", "NOT_ACCEPTED")]
    world.contact(hid, ON, "REFUSED")
    assert errors(world.visit(hid, date(2020, 3, 10))) == [("householdId", "NOT_ACCEPTED")]


def test_record_visit_checks_dates_duration_and_kit(world: World) -> None:
    """Every bad field is named at once, and nothing is written."""
    hid = world.senior(ON, 80)
    world.contact(hid, ON, "ACCEPTED")
    payload = world.visit(
        hid,
        date(2020, 2, 28),
        0,
        kitAerators=3,
        urgentInterventionOn=date(2020, 2, 27),
    )
    assert sorted(errors(payload)) == [
        ("durationMinutes", "OUT_OF_RANGE"),
        ("kitAerators", "NOT_APPLICABLE"),
        ("urgentInterventionOn", "DATE_ORDER"),
        ("visitOn", "DATE_ORDER"),
    ]
    assert errors(world.visit(hid, date(2020, 3, 3), 481)) == [("durationMinutes", "OUT_OF_RANGE")]
    assert profile(world, hid)["diagnosed"] is False  # type: ignore[index]


def test_contact_cannot_become_a_refusal_after_a_visit(world: World) -> None:
    """Once visited, the contact stays accepted."""
    hid = world.senior(ON, 80)
    world.contact(hid, ON, "ACCEPTED")
    assert errors(world.visit(hid, date(2020, 3, 5))) == []
    payload = world.contact(hid, ON, "REFUSED", version=2)
    assert errors(payload) == [("outcome", "VISIT_RECORDED")]
