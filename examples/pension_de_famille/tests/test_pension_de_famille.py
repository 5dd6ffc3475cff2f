"""The pension de famille plugin through the GraphQL API: catalogue, verdicts, file, indicators, demo."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.testing import CONFORMANCE_CHECKS, Kit, ThemaTestApp, World, assert_conforms, criterion
from thema_pension_de_famille import hooks
from thema_pension_de_famille.scheme import CODE

FILE = (
    "profile { precarity socialIsolation temporaryShelterHistory domesticViolenceVictim "
    "familyBreakdown supportNotes version } userErrors { field code message }"
)
NOTES = "query($id: ID!) { node(id: $id) { ... on Household { pensionDeFamille { supportNotes } } } }"
OFFERS = (
    "query($scheme: String!) { offers(scheme: $scheme, first: 5) { nodes { id name capacity "
    "landlord { name } manager { name } site { name commune } } } }"
)


def set_file(kit: Kit, household: str, **values: object) -> dict[str, object]:
    """Write the household's pension file; the payload, user errors included."""
    return kit.try_mutate("pensionDeFamilleSetProfile", {"householdId": household, **values}, FILE)


def alone(kit: Kit, world: World, *, isolated: bool | None = True, age: int = 52) -> str:
    """A person living alone, owned by the managing association."""
    return kit.household(world.association, [kit.member(age, isolated=isolated, resources=607.0)])


def test_pension_de_famille_catalogue_lists_criteria_indicators_and_sensitive_fields(kit: Kit) -> None:
    scheme = kit.scheme(CODE)
    assert [c["code"] for c in scheme["criteria"]] == [
        "pension_de_famille.age",
        "pension_de_famille.isolated",
        "pension_de_famille.situation",
        "pension_de_famille.resources",
    ]
    assert [i["key"] for i in scheme["indicators"]] == [
        "households_housed",
        "occupancy_rate",
        "long_stay_share",
    ]
    assert {f["permission"] for f in scheme["sensitiveFields"]} == {
        "pension_de_famille.health",
        "pension_de_famille.violence",
        "pension_de_famille.social",
    }


def test_pension_de_famille_isolated_person_in_precarity_is_eligible(kit: Kit, world: World) -> None:
    hid = alone(kit, world)
    assert set_file(kit, hid, precarity=True)["userErrors"] == []
    verdict = kit.verdict(hid, offer=world.offer)
    assert verdict["status"] == "ELIGIBLE"
    assert criterion(verdict, "pension_de_famille.isolated")["message"] == "Personne seule et isolée."


def test_pension_de_famille_couple_is_not_a_person_alone(kit: Kit, world: World) -> None:
    hid = kit.household(world.association, [kit.member(40, isolated=False), kit.member(41, role="SPOUSE")])
    set_file(kit, hid, familyBreakdown=True)
    verdict = kit.verdict(hid, offer=world.offer)
    assert verdict["status"] == "INELIGIBLE"
    assert [c["code"] for c in verdict["failing"]] == ["pension_de_famille.isolated"]


def test_pension_de_famille_without_a_file_the_verdict_is_incomplete(kit: Kit, world: World) -> None:
    verdict = kit.verdict(alone(kit, world), scheme=CODE)
    assert verdict["status"] == "INCOMPLETE"
    assert [c["code"] for c in verdict["missing"]] == ["pension_de_famille.situation"]


def test_pension_de_famille_verdict_never_repeats_a_sensitive_situation(kit: Kit, world: World) -> None:
    hid = alone(kit, world)
    set_file(kit, hid, domesticViolenceVictim=True, socialIsolation=True)
    verdict = kit.verdict(hid, offer=world.offer)
    assert verdict["status"] == "ELIGIBLE"
    text = " ".join(f"{c['message']} {c['value']}" for c in verdict["criteria"]).lower()
    assert "violence" not in text and "psycholog" not in text


def test_pension_de_famille_no_situation_of_the_public_is_ineligible(kit: Kit, world: World) -> None:
    hid = alone(kit, world)
    none = dict.fromkeys(
        (
            "precarity",
            "socialIsolation",
            "temporaryShelterHistory",
            "domesticViolenceVictim",
            "familyBreakdown",
        ),
        False,
    )
    set_file(kit, hid, **none)
    assert kit.verdict(hid, offer=world.offer)["status"] == "INELIGIBLE"


def test_pension_de_famille_offer_may_set_a_resource_ceiling(kit: Kit, world: World) -> None:
    capped = kit.offer(
        CODE,
        world.landlord,
        world.association,
        name="Pension plafonnée",
        parameters={"max_monthly_resources": 600},
    )
    hid = alone(kit, world)
    set_file(kit, hid, precarity=True)
    verdict = kit.verdict(hid, offer=capped)
    assert verdict["status"] == "INELIGIBLE"
    assert criterion(verdict, "pension_de_famille.resources")["value"] == "607 €/mois"


def test_pension_de_famille_file_is_read_back_and_validated(kit: Kit, world: World) -> None:
    hid = alone(kit, world)
    written = set_file(kit, hid, temporaryShelterHistory=True, supportNotes="  Sortie de CHRS  ")
    assert written["profile"]["temporaryShelterHistory"] is True  # type: ignore[index]
    assert [e["code"] for e in set_file(kit, hid, supportNotes="x" * 501)["userErrors"]] == ["TOO_LONG"]
    node = kit.query(NOTES, {"id": hid})["node"]
    assert node["pensionDeFamille"] == {"supportNotes": "Sortie de CHRS"}


def test_pension_de_famille_file_is_refused_where_the_scheme_is_not_enabled(kit: Kit, world: World) -> None:
    other = kit.organisation("Autre association", "ASSOCIATION")
    refused = set_file(kit, kit.household(other), precarity=True)
    assert [e["code"] for e in refused["userErrors"]] == ["SCHEME_NOT_ENABLED"]


def test_pension_de_famille_indicators_over_a_year(kit: Kit, world: World) -> None:
    first = alone(kit, world)
    kit.move_in(first, world.units[0], world.offer, start="2024-07-01")  # whole 2025
    second = kit.household(world.association, [kit.member(60, isolated=True)], reference="M-2")
    kit.move_in(second, world.units[1], world.offer, start="2025-07-02")  # 183 days of 2025
    values = kit.indicators(offer=world.offer, start="2025-01-01", end="2025-12-31")
    assert values["households_housed"]["value"] == 2
    # (365 + 183) place-days / (3 places × 365 days)
    assert values["occupancy_rate"]["numerator"] == 548 and values["occupancy_rate"]["denominator"] == 1095
    assert values["long_stay_share"]["numerator"] == 1 and values["long_stay_share"]["value"] == 50.0


def test_pension_de_famille_demo_adds_the_bailly_pension(app: ThemaTestApp, kit: Kit) -> None:
    app.demo(households=10)
    offers = kit.query(OFFERS, {"scheme": CODE})["offers"]["nodes"]
    assert [(o["name"], o["capacity"]) for o in offers] == [
        ("Pension de famille de la Résidence du Bailly", 25)
    ]
    offer = offers[0]
    assert offer["landlord"]["name"] == "Clésence" and offer["manager"]["name"] == "Accueil & Promotion"
    assert offer["site"] == {"name": "Résidence du Bailly", "commune": "Chauny"}
    values = kit.indicators(offer=offer["id"], start="2025-12-31", end="2025-12-31")
    assert values["households_housed"]["value"] == 22
    assert values["long_stay_share"]["numerator"] == 15


@pytest.mark.parametrize("check", list(CONFORMANCE_CHECKS))
def test_pension_de_famille_conforms(check: str, tmp_path: Path) -> None:
    assert_conforms(hooks, tmp_path, [check])
