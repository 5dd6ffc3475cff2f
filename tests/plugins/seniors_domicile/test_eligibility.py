"""Eligibility for « Seniors à domicile » through the GraphQL API: every criterion at its boundaries."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from .kit import World, years_before

ON = date(2020, 6, 15)
TENANT = "seniors_domicile.tenant"
AGE = "seniors_domicile.age"
CORE = "seniors_domicile.core_target"


def outcomes(verdict: dict[str, Any]) -> dict[str, str]:
    """Outcome of each criterion by code."""
    return {c["code"]: c["outcome"] for c in verdict["criteria"]}


def codes(items: list[dict[str, Any]]) -> list[str]:
    """The codes of a list of criteria."""
    return [c["code"] for c in items]


@pytest.mark.parametrize(
    ("birth", "status", "age_outcome", "value"),
    [
        (years_before(ON, 70), "ELIGIBLE", "SATISFIED", "70 ans"),  # 70th birthday today
        (years_before(ON, 70) - timedelta(days=1), "ELIGIBLE", "SATISFIED", "70 ans"),
        (years_before(ON, 70) + timedelta(days=1), "INELIGIBLE", "NOT_SATISFIED", "69 ans"),
        (years_before(ON, 69), "INELIGIBLE", "NOT_SATISFIED", "69 ans"),
        (years_before(ON, 71), "ELIGIBLE", "SATISFIED", "71 ans"),
    ],
)
def test_age_boundary_69_70(world: World, birth: date, status: str, age_outcome: str, value: str) -> None:
    """70 completed years at the reference date, the birthday itself included."""
    hid = world.household({"birthDate": birth, "isolated": False, "monthlyResources": 2000.0})
    verdict = world.verdict(hid, ON)
    assert verdict["status"] == status
    age = next(c for c in verdict["criteria"] if c["code"] == AGE)
    assert (age["outcome"], age["value"], age["threshold"]) == (age_outcome, value, "≥ 70 ans")
    assert age["kind"] == "REQUIRED"
    assert (AGE in codes(verdict["failing"])) is (status == "INELIGIBLE")
    assert verdict["referenceDate"] == ON.isoformat()


def test_age_any_member_counts(world: World) -> None:
    """A household with any member aged 70+ is targeted (an adult child living with a parent)."""
    hid = world.household(
        {"birthDate": years_before(ON, 45), "monthlyResources": 1500.0, "isolated": False},
        {"birthDate": years_before(ON, 70), "role": "OTHER", "monthlyResources": 900.0, "isolated": False},
    )
    verdict = world.verdict(hid, ON)
    assert verdict["status"] == "ELIGIBLE"
    assert outcomes(verdict)[AGE] == "SATISFIED"


def test_age_unknown_birth_date_is_incomplete(world: World) -> None:
    """An unknown birth date, no known senior: INCOMPLETE naming the age criterion."""
    hid = world.household(
        {"monthlyResources": 900.0, "isolated": True},
        {"birthDate": years_before(ON, 60), "role": "SPOUSE", "monthlyResources": 0.0},
    )
    verdict = world.verdict(hid, ON)
    assert verdict["status"] == "INCOMPLETE"
    assert codes(verdict["missing"]) == [AGE]
    age = next(c for c in verdict["criteria"] if c["code"] == AGE)
    assert "Date de naissance inconnue" in age["message"]


def test_age_unknown_birth_date_with_known_senior_is_enough(world: World) -> None:
    """A known 70-year-old settles the age criterion whatever the other members' birth dates."""
    hid = world.household(
        {"birthDate": years_before(ON, 70), "monthlyResources": 2000.0, "isolated": False},
        {"role": "SPOUSE", "monthlyResources": 0.0, "isolated": False},
    )
    assert world.verdict(hid, ON)["status"] == "ELIGIBLE"


def test_tenant_without_occupancy_is_ineligible(world: World) -> None:
    """A household of the landlord's files with no current lease is not a tenant."""
    hid = world.household({"birthDate": years_before(ON, 80), "isolated": True}, moved_in=None)
    verdict = world.verdict(hid, ON)
    assert verdict["status"] == "INELIGIBLE"
    assert codes(verdict["failing"]) == [TENANT]


def test_tenant_lease_starting_after_the_date_is_ineligible(world: World) -> None:
    """The lease must be in force at the reference date."""
    hid = world.household(
        {"birthDate": years_before(ON, 80), "isolated": True}, moved_in=ON + timedelta(days=1)
    )
    assert world.verdict(hid, ON)["status"] == "INELIGIBLE"
    assert world.verdict(hid, ON + timedelta(days=1))["status"] == "PRIORITY"


def test_tenant_of_another_landlord_is_ineligible(world: World) -> None:
    """Living in another landlord's dwelling fails the tenant criterion for this offer."""
    other = world.organisation("Autre bailleur", "LANDLORD")
    site = world.gql(
        """mutation($i: CreateSiteInput!) { createSite(input: $i) { site { id }
             userErrors { code } } }""",
        {"organisationId": other, "name": "Ailleurs", "commune": "Creil"},
    )["createSite"]["site"]["id"]
    hid = world.household({"birthDate": years_before(ON, 80), "isolated": True}, unit=world.unit(site))
    verdict = world.verdict(hid, ON)
    assert verdict["status"] == "INELIGIBLE"
    tenant = next(c for c in verdict["criteria"] if c["code"] == TENANT)
    assert tenant["outcome"] == "NOT_SATISFIED"
    assert tenant["value"] != tenant["threshold"]


def test_core_target_isolated_is_priority(world: World) -> None:
    """Social isolation alone puts a senior in the core target, whatever the resources."""
    hid = world.senior(ON, 82, isolated=True, monthlyResources=2500.0)
    verdict = world.verdict(hid, ON)
    assert verdict["status"] == "PRIORITY"
    core = next(c for c in verdict["criteria"] if c["code"] == CORE)
    assert (core["kind"], core["outcome"]) == ("PRIORITY", "SATISFIED")


@pytest.mark.parametrize(
    ("resources", "status", "outcome"),
    [(903.20, "PRIORITY", "SATISFIED"), (903.21, "ELIGIBLE", "NOT_SATISFIED")],
)
def test_core_target_fragile_boundary(world: World, resources: float, status: str, outcome: str) -> None:
    """Resources at most the threshold in force (903.20 € in 2020) are fragile; a cent more not."""
    hid = world.senior(ON, 75, isolated=False, monthlyResources=resources)
    verdict = world.verdict(hid, ON)
    assert verdict["status"] == status
    core = next(c for c in verdict["criteria"] if c["code"] == CORE)
    assert core["outcome"] == outcome
    assert core["threshold"] == "isolement, ou ressources ≤ 903.20 €/mois"
    assert f"{resources:.2f} €/mois" in core["value"]
    # A priority criterion never makes a household ineligible.
    assert TENANT not in codes(verdict["failing"]) and AGE not in codes(verdict["failing"])


def test_core_target_sums_the_household_resources(world: World) -> None:
    """A couple is fragile on its total resources, not on each member's."""
    poor = world.household(
        {"birthDate": years_before(ON, 78), "monthlyResources": 450.0, "isolated": False},
        {"birthDate": years_before(ON, 76), "role": "SPOUSE", "monthlyResources": 400.0, "isolated": False},
    )
    richer = world.household(
        {"birthDate": years_before(ON, 78), "monthlyResources": 500.0, "isolated": False},
        {"birthDate": years_before(ON, 76), "role": "SPOUSE", "monthlyResources": 500.0, "isolated": False},
    )
    assert world.verdict(poor, ON)["status"] == "PRIORITY"
    assert world.verdict(richer, ON)["status"] == "ELIGIBLE"


def test_core_target_unknown_resources_not_isolated_stays_eligible(world: World) -> None:
    """Unknown resources and not isolated: the priority is UNKNOWN but the household is ELIGIBLE."""
    hid = world.senior(ON, 75, isolated=False)
    verdict = world.verdict(hid, ON)
    assert verdict["status"] == "ELIGIBLE"
    assert codes(verdict["missing"]) == [CORE]
    core = next(c for c in verdict["criteria"] if c["code"] == CORE)
    assert "ressources mensuelles inconnues" in core["message"]


def test_core_target_one_member_without_resources_is_unknown(world: World) -> None:
    """The household's resources are unknown as soon as one member's are."""
    hid = world.household(
        {"birthDate": years_before(ON, 78), "monthlyResources": 300.0, "isolated": False},
        {"birthDate": years_before(ON, 76), "role": "SPOUSE", "isolated": False},
    )
    verdict = world.verdict(hid, ON)
    assert (verdict["status"], outcomes(verdict)[CORE]) == ("ELIGIBLE", "UNKNOWN")


def test_core_target_unknown_isolation_with_high_resources_is_unknown(world: World) -> None:
    """Isolation unknown and resources above the threshold: the priority cannot be decided."""
    hid = world.senior(ON, 75, monthlyResources=2000.0)
    verdict = world.verdict(hid, ON)
    assert verdict["status"] == "ELIGIBLE"
    core = next(c for c in verdict["criteria"] if c["code"] == CORE)
    assert core["outcome"] == "UNKNOWN"
    assert "isolement inconnu" in core["message"]


def test_core_target_unknown_isolation_but_fragile_is_priority(world: World) -> None:
    """Economic fragility settles the core target even when isolation is unknown."""
    hid = world.senior(ON, 75, monthlyResources=600.0)
    assert world.verdict(hid, ON)["status"] == "PRIORITY"


def test_offer_override_min_age(world: World) -> None:
    """An offer may target 75 and over; the default offer keeps 70."""
    strict = world.create_offer("Seniors 75+", {"min_age": 75})
    hid = world.senior(ON, 74, isolated=True)
    assert world.verdict(hid, ON)["status"] == "PRIORITY"
    verdict = world.verdict(hid, ON, offer=strict)
    assert verdict["status"] == "INELIGIBLE"
    assert codes(verdict["failing"]) == [AGE]
    assert verdict["parameters"]["overridden"] == ["min_age"]
    assert verdict["parameters"]["values"]["min_age"] == 75
    assert verdict["parameterVersion"] == "seniors_domicile@2020-01-01+offre(min_age)"
    birthday = world.senior(ON, 75, isolated=True)
    assert world.verdict(birthday, ON, offer=strict)["status"] == "PRIORITY"


def test_offer_override_fragile_threshold(world: World) -> None:
    """An offer may set its own fragility threshold, used instead of the ASPA."""
    generous = world.create_offer("Seniors seuil 1200", {"fragile_max_monthly_resources": 1200})
    hid = world.senior(ON, 80, isolated=False, monthlyResources=1200.0)
    assert world.verdict(hid, ON)["status"] == "ELIGIBLE"
    assert world.verdict(hid, ON, offer=generous)["status"] == "PRIORITY"


def test_dated_parameters_keep_the_rules_of_the_date(world: World) -> None:
    """The 2020 ASPA revaluation (903.20 €) does not change a verdict computed for 2019."""
    hid = world.senior(ON, 80, isolated=False, monthlyResources=900.0)
    before = world.verdict(hid, date(2019, 12, 31))
    after = world.verdict(hid, date(2020, 1, 1))
    assert before["status"] == "ELIGIBLE"
    assert before["parameterVersion"] == "seniors_domicile@2019-08-01"
    assert before["parameters"]["values"]["fragile_max_monthly_resources"] == 868.20
    assert after["status"] == "PRIORITY"
    assert after["parameterVersion"] == "seniors_domicile@2020-01-01"
    assert after["parameters"]["effectiveFrom"] == "2020-01-01"


def test_eligibility_for_the_scheme_without_offer(world: World) -> None:
    """Without an offer, a tenant of any landlord with a senior member is targeted."""
    hid = world.senior(ON, 70, isolated=True)
    data = world.app.graphql(
        """query($h: ID!) { node(id: $h) { ... on Household {
             eligibility(scheme: "seniors_domicile", date: "2020-06-15") {
               status offerId criteria { code outcome } } } } }""",
        {"h": hid},
    )
    verdict = data["node"]["eligibility"]
    assert verdict["status"] == "PRIORITY"
    assert verdict["offerId"] is None


def test_candidates_are_the_targeting_list(world: World) -> None:
    """The offer's candidates are the landlord's households, filterable by status and paged."""
    prio = [world.senior(ON, 70 + n, isolated=True) for n in range(3)]
    eligible = world.senior(ON, 90, isolated=False, monthlyResources=3000.0)
    young = world.senior(ON, 50, isolated=True)
    unknown = world.household({"isolated": True})
    query = """query($o: ID!, $s: [Status!], $after: String) { node(id: $o) { ... on Offer {
        candidates(status: $s, date: "2020-06-15", first: 2, after: $after) { totalCount
          pageInfo { hasNextPage endCursor }
          edges { node { household { id } verdict { status } } } } } } }"""

    def page(statuses: list[str] | None, after: str | None = None) -> dict[str, Any]:
        data = world.app.graphql(query, {"o": world.offer, "s": statuses, "after": after})
        result: dict[str, Any] = data["node"]["candidates"]
        return result

    first = page(["PRIORITY"])
    assert first["totalCount"] == 3 and first["pageInfo"]["hasNextPage"]
    second = page(["PRIORITY"], first["pageInfo"]["endCursor"])
    ids = [e["node"]["household"]["id"] for e in first["edges"] + second["edges"]]
    assert sorted(ids) == sorted(prio)
    targeted = page(["PRIORITY", "ELIGIBLE"])
    assert targeted["totalCount"] == 4
    assert page(["ELIGIBLE"])["edges"][0]["node"]["household"]["id"] == eligible
    assert page(["INELIGIBLE"])["edges"][0]["node"]["household"]["id"] == young
    assert page(["INCOMPLETE"])["edges"][0]["node"]["household"]["id"] == unknown
    assert page(None)["totalCount"] == 6
