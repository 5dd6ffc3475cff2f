"""CHRS indicators on small hand-computed data, through the GraphQL API."""

from __future__ import annotations

from typing import Any

import pytest

from core.testing import ThemaTestApp
from tests.plugins.chrs.kit import FULL_PROFILE, World, born, household, mutate, set_profile

JANUARY = {"from": "2025-01-01", "to": "2025-01-31"}
QUERY = (
    "query($id: ID!, $from: Date, $to: Date) { offer(id: $id) { indicators(from: $from, to: $to) "
    "{ key unit value numerator denominator definition households(first: 10) { totalCount "
    "nodes { reference } } } } }"
)


def stay(
    app: ThemaTestApp,
    w: World,
    reference: str,
    unit: int,
    start: str,
    end: str | None = None,
    destination: str | None = None,
    members: int = 1,
    victim: bool = False,
) -> str:
    """A household hosted in the offer from ``start`` (to ``end``, with its exit destination)."""
    hid = household(app, w.association, born(35), *[born(5)] * (members - 1), reference=reference)
    set_profile(app, hid, **{**FULL_PROFILE, "domesticViolenceVictim": victim})
    occ = mutate(
        app,
        "startOccupancy",
        {"householdId": hid, "unitId": w.units[unit], "offerId": w.offer, "startDate": start},
        "occupancy { id }",
    )["occupancy"]["id"]
    if end:
        mutate(
            app,
            "endOccupancy",
            {"occupancyId": occ, "endDate": end, "exitDestination": destination},
            "occupancy { id }",
        )
    return hid


@pytest.fixture
def hosted(app: ThemaTestApp, world: World) -> World:
    """Capacity 4; in January 2025: 31 + 10 × 2 + 4 place-nights, two exits, one victim."""
    mutate(app, "updateOffer", {"id": world.offer, "capacity": 4}, "offer { capacity }")
    stay(app, world, "H1", 0, "2024-12-01")
    stay(app, world, "H2", 1, "2025-01-11", "2025-01-21", "SOCIAL_RENTAL", members=2, victim=True)
    stay(app, world, "H3", 2, "2024-06-01", "2025-01-05", "SHELTER")
    stay(app, world, "H4", 0, "2024-01-01", "2024-11-30", "PRIVATE_RENTAL")
    return world


def indicators(app: ThemaTestApp, offer: str, period: dict[str, str]) -> dict[str, dict[str, Any]]:
    """The offer's CHRS indicators by key."""
    rows = app.graphql(QUERY, {"id": offer, **period})["offer"]["indicators"]
    return {r["key"]: r for r in rows}


def refs(ind: dict[str, Any]) -> list[str]:
    """References of the households of an indicator's drill-down."""
    return sorted(n["reference"] for n in ind["households"]["nodes"])


def test_occupancy_rate_counts_persons_and_nights(app: ThemaTestApp, hosted: World) -> None:
    ind = indicators(app, hosted.offer, JANUARY)["occupancy_rate"]
    # (31 × 1 + 10 × 2 + 4 × 1) place-nights / 31 days = 1.774 places out of 4.
    assert ind["unit"] == "PERCENT"
    assert ind["value"] == pytest.approx(55 / 31 / 4 * 100, abs=1e-3)
    assert (ind["numerator"], ind["denominator"]) == (1.77, 4)
    assert refs(ind) == ["H1", "H2", "H3"]


def test_average_length_of_stay_over_exits_of_the_period(app: ThemaTestApp, hosted: World) -> None:
    ind = indicators(app, hosted.offer, JANUARY)["average_length_of_stay"]
    # H2: 10 days; H3: 2024-06-01 → 2025-01-05 = 218 days.
    assert (ind["value"], ind["numerator"], ind["denominator"]) == (114.0, 228, 2)
    assert refs(ind) == ["H2", "H3"]


def test_exits_by_destination(app: ThemaTestApp, hosted: World) -> None:
    got = indicators(app, hosted.offer, JANUARY)
    assert got["exits"]["value"] == 2
    by_group = {k: v["value"] for k, v in got.items() if k.startswith("exits_to_")}
    assert by_group == {
        "exits_to_ordinary_housing": 1,
        "exits_to_supported_housing": 0,
        "exits_to_family_or_friends": 0,
        "exits_to_shelter": 1,
        "exits_to_street": 0,
        "exits_to_care_institution": 0,
        "exits_to_other": 0,
    }
    assert all(got[k]["denominator"] == 2 for k in by_group)
    assert refs(got["exits_to_shelter"]) == ["H3"]


def test_exits_without_destination_count_as_other(app: ThemaTestApp, hosted: World) -> None:
    stay(app, hosted, "H5", 0, "2023-01-01", "2023-06-30")
    got = indicators(app, hosted.offer, {"from": "2023-01-01", "to": "2023-12-31"})
    assert got["exits_to_other"]["value"] == 1
    assert got["ordinary_housing_exit_share"]["value"] == 0


def test_ordinary_housing_exit_share(app: ThemaTestApp, hosted: World) -> None:
    got = indicators(app, hosted.offer, JANUARY)["ordinary_housing_exit_share"]
    assert (got["value"], got["numerator"], got["denominator"]) == (50.0, 1, 2)
    assert refs(got) == ["H2"]
    whole = indicators(app, hosted.offer, {"from": "2024-11-01", "to": "2025-01-31"})
    # H4 (private rental, November) joins: 2 of 3 exits went to ordinary housing.
    assert whole["ordinary_housing_exit_share"]["value"] == pytest.approx(66.6667)


def test_violence_priority_share_is_aggregate_only(app: ThemaTestApp, hosted: World) -> None:
    got = indicators(app, hosted.offer, JANUARY)["violence_priority_share"]
    assert got["value"] == pytest.approx(100 / 3, abs=1e-3)
    assert (got["numerator"], got["denominator"]) == (1, 3)
    # No drill-down: the list of victims is never exposed.
    assert got["households"]["totalCount"] == 0


def test_indicators_of_an_empty_period(app: ThemaTestApp, hosted: World) -> None:
    got = indicators(app, hosted.offer, {"from": "2018-01-01", "to": "2018-12-31"})
    assert got["exits"]["value"] == 0
    assert got["ordinary_housing_exit_share"]["value"] is None
    assert got["average_length_of_stay"]["value"] is None
    assert got["violence_priority_share"]["value"] is None


def test_site_and_organisation_scopes_match_the_offer(app: ThemaTestApp, hosted: World) -> None:
    q = (
        'query($id: ID!) { %s(id: $id) { indicators(scheme: "chrs", from: "2025-01-01", '
        'to: "2025-01-31", keys: ["occupancy_rate", "exits"]) { key value } } }'
    )
    expected = {
        k: v["value"]
        for k, v in indicators(app, hosted.offer, JANUARY).items()
        if k in ("occupancy_rate", "exits")
    }
    for field, gid in (("site", hosted.site), ("organisation", hosted.association)):
        rows = app.graphql(q % field, {"id": gid})[field]["indicators"]
        assert {r["key"]: r["value"] for r in rows} == expected
