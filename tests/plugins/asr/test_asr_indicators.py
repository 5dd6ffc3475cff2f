"""ASR indicators on small hand-computed data, through the GraphQL API."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from core import ParameterVersion
from core.testing import ThemaTestApp
from tests.plugins.asr.kit import (
    World,
    build_world,
    contact,
    dated_plugin,
    episode,
    new_app,
    tenant,
)

MAY = {"from": "2019-05-01", "to": "2019-05-31"}
QUERY = (
    "query($id: ID!, $from: Date, $to: Date) { offer(id: $id) { indicators(from: $from, to: $to) "
    "{ key unit value numerator denominator target households(first: 10) { totalCount "
    "nodes { reference } } } } }"
)


def supported(app: ThemaTestApp, w: World) -> None:
    """H1 (QPV): 28 days in May, 4 weeks, 3 with a visit; H2: all May, weeks 2-5, 2 with a visit.

    H3 is supported in June only.
    """
    h1 = tenant(app, w.landlord, w.qpv_units[0], reference="H1")
    h2 = tenant(app, w.landlord, w.units[0], reference="H2")
    h3 = tenant(app, w.landlord, w.units[1], reference="H3")
    e1 = episode(app, h1, w.association, w.offer, "2019-05-01", "2019-05-28")
    contact(app, e1, "2019-05-03")  # week 0
    contact(app, e1, "2019-05-09", "PHONE")  # week 1: a call is not a visit
    contact(app, e1, "2019-05-15")  # week 2
    contact(app, e1, "2019-05-17")  # week 2
    contact(app, e1, "2019-05-28")  # week 3
    e2 = episode(app, h2, w.second_association, w.offer, "2019-04-20")
    contact(app, e2, "2019-04-25")  # week 0, before the period
    contact(app, e2, "2019-05-05")  # week 2 (May 4-10)
    contact(app, e2, "2019-05-20")  # week 4 (May 18-24)
    contact(app, e2, "2019-05-26", "OFFICE_VISIT")  # week 5: not a home visit
    episode(app, h3, w.association, w.offer, "2019-06-10", "2019-06-20")


def indicators(app: ThemaTestApp, offer: str, period: dict[str, str]) -> dict[str, dict[str, Any]]:
    """The offer's ASR indicators by key."""
    rows = app.graphql(QUERY, {"id": offer, **period})["offer"]["indicators"]
    return {r["key"]: r for r in rows}


def refs(ind: dict[str, Any]) -> list[str]:
    """References of the households of an indicator's drill-down."""
    return sorted(n["reference"] for n in ind["households"]["nodes"])


@pytest.fixture
def may(app: ThemaTestApp, world: World) -> dict[str, dict[str, Any]]:
    """The indicators of May 2019 on the hand-made episodes."""
    supported(app, world)
    return indicators(app, world.offer, MAY)


def test_households_supported_in_the_period(app: ThemaTestApp, world: World, may: Any) -> None:
    ind = may["households_supported"]
    assert (ind["value"], ind["unit"]) == (2, "COUNT")
    assert refs(ind) == ["H1", "H2"]
    june = indicators(app, world.offer, {"from": "2019-06-01", "to": "2019-06-30"})
    assert refs(june["households_supported"]) == ["H2", "H3"]


def test_support_months_are_days_over_average_month(may: Any) -> None:
    ind = may["support_months"]
    # H1: May 1-28 = 28 days; H2: May 1-31 = 31 days (its April days are outside the period).
    assert (ind["numerator"], ind["denominator"]) == (59, 30.4375)
    assert ind["value"] == 1.9
    assert ind["unit"] == "MONTHS"


def test_priority_district_share(may: Any) -> None:
    ind = may["priority_district_share"]
    assert (ind["value"], ind["numerator"], ind["denominator"]) == (50.0, 1, 2)
    assert refs(ind) == ["H1"]


def test_weekly_visit_share_counts_complete_weeks(may: Any) -> None:
    ind = may["weekly_visit_share"]
    # H1: weeks 0-3, visits in 0, 2, 3; H2: weeks 2-5 within May, home visits in 2 and 4.
    assert (ind["numerator"], ind["denominator"]) == (5, 8)
    assert ind["value"] == 62.5
    assert ind["target"] == 100
    assert refs(ind) == ["H1", "H2"]


def test_average_episode_length_over_ended_episodes(app: ThemaTestApp, world: World, may: Any) -> None:
    ind = may["average_episode_length"]
    assert (ind["value"], ind["numerator"], ind["denominator"]) == (28.0, 28, 1)
    assert refs(ind) == ["H1"]
    june = indicators(app, world.offer, {"from": "2019-06-01", "to": "2019-06-30"})
    assert june["average_episode_length"]["value"] == 11.0


def test_offer_override_of_minimum_visits(app: ThemaTestApp) -> None:
    w = build_world(app, parameters={"min_visits_per_week": 2})
    supported(app, w)
    ind = indicators(app, w.offer, MAY)["weekly_visit_share"]
    # Only H1's week 2 has two home visits.
    assert (ind["numerator"], ind["denominator"]) == (1, 8)
    assert refs(ind) == ["H1"]


def test_offer_override_of_visit_kinds(app: ThemaTestApp) -> None:
    w = build_world(app, parameters={"visit_kinds": ["home_visit", "phone", "office_visit"]})
    supported(app, w)
    ind = indicators(app, w.offer, MAY)["weekly_visit_share"]
    # H1's call (week 1) and H2's office visit (week 5) now count.
    assert (ind["numerator"], ind["denominator"]) == (7, 8)


def test_dated_parameters_apply_from_their_date(tmp_path: Path) -> None:
    app = new_app(
        tmp_path,
        plugin=dated_plugin(ParameterVersion(date(2019, 6, 1), {"min_visits_per_week": 2})),
    )
    try:
        w = build_world(app)
        supported(app, w)
        may = indicators(app, w.offer, MAY)["weekly_visit_share"]
        assert (may["numerator"], may["denominator"]) == (5, 8)
        june = indicators(app, w.offer, {"from": "2019-05-01", "to": "2019-06-30"})
        # From June on, two visits a week are required: only H1's week 2 qualifies.
        assert june["weekly_visit_share"]["numerator"] == 1
    finally:
        app.close()


def test_no_offer_in_scope_gives_empty_figures(app: ThemaTestApp, world: World) -> None:
    q = (
        'query($id: ID!) { organisation(id: $id) { indicators(scheme: "asr", from: "2019-05-01", '
        'to: "2019-05-31") { key value numerator } } }'
    )
    rows = app.graphql(q, {"id": world.other_landlord})["organisation"]["indicators"]
    got = {r["key"]: r["value"] for r in rows}
    assert got["households_supported"] == 0
    assert got["support_months"] == 0
    assert got["priority_district_share"] is None
    assert got["weekly_visit_share"] is None
    assert got["average_episode_length"] is None


def test_organisation_scope_matches_offer(app: ThemaTestApp, world: World, may: Any) -> None:
    q = (
        'query($id: ID!) { organisation(id: $id) { indicators(scheme: "asr", from: "2019-05-01", '
        'to: "2019-05-31") { key value } } }'
    )
    rows = app.graphql(q, {"id": world.landlord})["organisation"]["indicators"]
    assert {r["key"]: r["value"] for r in rows} == {k: v["value"] for k, v in may.items()}
