"""HabiTED indicators through the GraphQL API, on small hand-computed data.

Period 2025-01-01 → 2025-01-10 (10 days), offer of capacity 3 (three T1 and a common T4):
  A  since 2016-01-04, ESAT, supported under the offer            10 days, tenure 3294 days
  B  since 2025-01-06, ordinary employment, supported by ISRAA      5 days, tenure    4 days
  C  2020-01-01 → 2025-01-03, day centre, support ended in 2024     3 days, tenure 1829 days
  D  since 2025-01-08 in C's unit, no profile                       3 days, tenure    2 days
"""

from __future__ import annotations

from typing import Any

import pytest

from core.testing import ThemaTestApp
from tests.plugins.habited.kit import COMPLETE, World, born, mutate, tenant

INDICATORS = """query($o: ID!) { offer(id: $o) {
  indicators(from: "2025-01-01", to: "2025-01-10") { key unit value numerator denominator
    households(first: 20) { totalCount edges { node { reference } } } } } }"""


def _occupy(app: ThemaTestApp, world: World, h: str, unit: str, start: str) -> str:
    values = {"householdId": h, "unitId": unit, "offerId": world.offer, "startDate": start}
    return str(mutate(app, "startOccupancy", values, "occupancy { id }")["occupancy"]["id"])


def _support(app: ThemaTestApp, world: World, h: str, start: str, *, offer: bool) -> str:
    values: dict[str, Any] = {
        "householdId": h,
        "organisationId": world.association,
        "startDate": start,
    }
    if offer:
        values["offerId"] = world.offer
    return str(mutate(app, "startSupportEpisode", values, "episode { id }")["episode"]["id"])


@pytest.fixture
def figures(app: ThemaTestApp, world: World) -> dict[str, dict[str, Any]]:
    """The indicators of the module docstring's world, by key."""
    a = tenant(app, world, born(30), COMPLETE, reference="A")
    _occupy(app, world, a, world.homes[0], "2016-01-04")
    _support(app, world, a, "2016-01-04", offer=True)
    b = tenant(app, world, born(25), {**COMPLETE, "dayActivity": "ORDINARY_EMPLOYMENT"}, "B")
    _occupy(app, world, b, world.homes[1], "2025-01-06")
    _support(app, world, b, "2025-01-06", offer=False)
    c = tenant(app, world, born(35), {**COMPLETE, "dayActivity": "DAY_CENTRE"}, reference="C")
    occupancy = _occupy(app, world, c, world.homes[2], "2020-01-01")
    mutate(app, "endOccupancy", {"occupancyId": occupancy, "endDate": "2025-01-03"}, "occupancy { id }")
    episode = _support(app, world, c, "2020-01-01", offer=True)
    mutate(app, "endSupportEpisode", {"episodeId": episode, "endDate": "2024-12-31"}, "episode { id }")
    d = tenant(app, world, born(28), reference="D")
    _occupy(app, world, d, world.homes[2], "2025-01-08")
    indicators = app.graphql(INDICATORS, {"o": world.offer})["offer"]["indicators"]
    return {i["key"]: i for i in indicators}


def _refs(indicator: dict[str, Any]) -> set[str]:
    return {e["node"]["reference"] for e in indicator["households"]["edges"]}


def test_indicators_occupancy_of_the_units(figures: dict[str, dict[str, Any]]) -> None:
    rate = figures["occupancy_rate"]
    assert (rate["numerator"], rate["denominator"], rate["value"]) == (21, 30, 70.0)
    assert _refs(rate) == {"A", "B", "C", "D"}


def test_indicators_average_tenure(figures: dict[str, dict[str, Any]]) -> None:
    tenure = figures["average_tenure_days"]
    assert (tenure["numerator"], tenure["denominator"]) == (3294 + 4 + 1829 + 2, 4)
    assert tenure["value"] == 1282.25
    assert tenure["unit"] == "DAYS"


@pytest.mark.parametrize(
    ("key", "count", "who"),
    [
        ("day_activity_esat", 1, {"A"}),
        ("day_activity_ordinary_employment", 1, {"B"}),
        ("day_activity_day_centre", 1, {"C"}),
        ("day_activity_sheltered_workshop", 0, set()),
    ],
)
def test_indicators_share_of_each_day_activity(
    figures: dict[str, dict[str, Any]], key: str, count: int, who: set[str]
) -> None:
    share = figures[key]
    assert (share["numerator"], share["denominator"]) == (count, 4)
    assert share["value"] == count * 25.0
    assert _refs(share) == who


def test_indicators_tenants_supported_by_the_association(
    figures: dict[str, dict[str, Any]],
) -> None:
    supported = figures["supported_share"]
    assert (supported["numerator"], supported["denominator"], supported["value"]) == (2, 4, 50.0)
    assert _refs(supported) == {"A", "B"}


def test_indicators_empty_scope(app: ThemaTestApp, world: World) -> None:
    other = mutate(app, "createOrganisation", {"name": "Vide", "kind": "LANDLORD"}, "organisation { id }")[
        "organisation"
    ]["id"]
    query = """query($org: ID!) { organisation(id: $org) {
      indicators(scheme: "habited", from: "2025-01-01", to: "2025-12-31") { key value } } }"""
    values = app.graphql(query, {"org": other})["organisation"]["indicators"]
    assert values and all(i["value"] is None for i in values)
