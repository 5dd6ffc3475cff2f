"""FJT indicators through the GraphQL API, on small hand-computed data.

Period 2025-01-01 → 2025-01-10 (10 days) over the main offer (capacity 7):
  A  16 at entry (2024-12-01), employed, with a child; still there         10 days
  B  26 at entry (2025-01-06), student; still there                           5 days
  C  25 at entry (2024-06-01), job seeking; left 2025-01-03 (216-day stay)    3 days
  F  birth date and activity unknown; arrived 2025-01-10                      1 day
  D  arrives 2025-01-20: outside the period
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from core.testing import ThemaTestApp
from tests.plugins.fjt.kit import (
    World,
    household,
    move_in,
    move_out,
    offer,
    organisation,
    young,
)

INDICATORS = """indicators(from: "2025-01-01", to: "2025-01-10") {
  key unit value numerator denominator target targetLabel definition
  households(first: 20) { totalCount edges { node { reference } } } }"""


@pytest.fixture
def people(app: ThemaTestApp, world: World) -> dict[str, str]:
    """The residents of the module docstring, by letter."""
    owner = world.association
    a = household(
        app,
        owner,
        [young(16, "EMPLOYED", at=date(2024, 12, 1)), young(1, None, role="CHILD")],
        reference="A",
    )
    move_in(app, a, world.t1[0], world.offer, "2024-12-01")
    b = household(app, owner, [young(26, "STUDENT", at=date(2025, 1, 6))], reference="B")
    move_in(app, b, world.t1[1], world.offer, "2025-01-06")
    c = household(app, owner, [young(25, "JOB_SEEKING", at=date(2024, 6, 1))], reference="C")
    move_out(app, move_in(app, c, world.t1[2], world.offer, "2024-06-01"), "2025-01-03")
    f = household(app, owner, [young(None, None)], reference="F")
    move_in(app, f, world.t1[3], world.offer, "2025-01-10")
    d = household(app, owner, [young(22, "EMPLOYED")], reference="D")
    move_in(app, d, world.t1[4], world.offer, "2025-01-20")
    return {"A": a, "B": b, "C": c, "F": f, "D": d}


def _by_key(indicators: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {i["key"]: i for i in indicators}


def _refs(indicator: dict[str, Any]) -> set[str]:
    return {e["node"]["reference"] for e in indicator["households"]["edges"]}


def _offer_indicators(app: ThemaTestApp, offer_id: str) -> dict[str, dict[str, Any]]:
    query = f"query($o: ID!) {{ offer(id: $o) {{ {INDICATORS} }} }}"
    return _by_key(app.graphql(query, {"o": offer_id})["offer"]["indicators"])


def test_indicators_occupancy_rate_place_days(
    app: ThemaTestApp, world: World, people: dict[str, str]
) -> None:
    ind = _offer_indicators(app, world.offer)["occupancy_rate"]
    assert (ind["numerator"], ind["denominator"]) == (19, 70)  # 10 + 5 + 3 + 1 of 7 × 10
    assert ind["value"] == pytest.approx(27.1429)
    assert ind["unit"] == "PERCENT"
    assert _refs(ind) == {"A", "B", "C", "F"}


def test_indicators_share_16_25_at_entry(app: ThemaTestApp, world: World, people: dict[str, str]) -> None:
    ind = _offer_indicators(app, world.offer)["share_16_25"]
    # A (16) and C (25) count; B was 26; F's age is unknown; A's child is not a resident.
    assert (ind["numerator"], ind["denominator"], ind["value"]) == (2, 4, 50.0)
    assert _refs(ind) == {"A", "C"}


def test_indicators_activity_share_with_target(
    app: ThemaTestApp, world: World, people: dict[str, str]
) -> None:
    ind = _offer_indicators(app, world.offer)["activity_share"]
    assert (ind["numerator"], ind["denominator"], ind["value"]) == (2, 4, 50.0)
    assert ind["target"] == 60.0
    assert "60 %" in ind["targetLabel"]
    assert _refs(ind) == {"A", "C"}


def test_indicators_stays_arrivals_departures(
    app: ThemaTestApp, world: World, people: dict[str, str]
) -> None:
    ind = _offer_indicators(app, world.offer)
    stay = ind["average_stay_days"]
    assert (stay["value"], stay["numerator"], stay["denominator"]) == (216.0, 216, 1)
    assert stay["unit"] == "DAYS"
    assert (ind["arrivals"]["value"], _refs(ind["arrivals"])) == (2, {"B", "F"})
    assert (ind["departures"]["value"], _refs(ind["departures"])) == (1, {"C"})
    assert all(i["definition"] for i in ind.values())


def test_indicators_organisation_scope_adds_offers_capacity_days(
    app: ThemaTestApp, world: World, people: dict[str, str]
) -> None:
    # A third offer opening mid-period: 2 places × 5 days (2025-01-06 → 2025-01-10).
    ids = (world.landlord, world.association, world.site)
    offer(app, ids, "FJT récent", world.vivaldi_units, capacity=2, start="2025-01-06")
    query = """query($org: ID!) { organisation(id: $org) {
      indicators(scheme: "fjt", from: "2025-01-01", to: "2025-01-10", keys: ["occupancy_rate"])
      { key value numerator denominator } } }"""
    rate = app.graphql(query, {"org": world.association})["organisation"]["indicators"][0]
    # 7 × 10 (main) + 2 × 10 (Vivaldi-like) + 2 × 5 (recent) = 100 place-days offered.
    assert (rate["numerator"], rate["denominator"], rate["value"]) == (19, 100, 19.0)


def test_indicators_site_scope_matches_its_offers(
    app: ThemaTestApp, world: World, people: dict[str, str]
) -> None:
    query = """query($s: ID!) { site(id: $s) {
      indicators(scheme: "fjt", from: "2025-01-01", to: "2025-01-10", keys: ["activity_share"])
      { key numerator denominator } } }"""
    share = app.graphql(query, {"s": world.site})["site"]["indicators"][0]
    assert (share["numerator"], share["denominator"]) == (2, 4)


def test_indicators_empty_scope_has_no_value(app: ThemaTestApp, world: World) -> None:
    other = organisation(app, "Bailleur sans FJT", "LANDLORD")
    query = """query($org: ID!) { organisation(id: $org) {
      indicators(scheme: "fjt", from: "2025-01-01", to: "2025-12-31") { key value numerator } } }"""
    found = _by_key(app.graphql(query, {"org": other})["organisation"]["indicators"])
    assert found["occupancy_rate"]["value"] is None
    assert found["activity_share"]["value"] is None
    assert found["arrivals"]["value"] == 0
