"""The ASR demo reproduces the published figures of Sia Habitat for May-December 2019."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from core.testing import ThemaTestApp
from tests.plugins.asr.kit import new_app

FIGURES = (
    '{ offers(scheme: "asr") { totalCount nodes { id name site { name } landlord { id name } '
    'indicators(from: "2019-05-01", to: "2019-12-31") { key value numerator denominator '
    "households(first: 100) { totalCount } } } } }"
)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ThemaTestApp]:
    """One app with the demo loaded, shared by the module's read-only tests."""
    app = new_app(Path(tmp_path_factory.mktemp("asr-demo")))
    app.demo(households=10)
    yield app
    app.close()


def figures(demo: ThemaTestApp) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """The ASR offer and its indicators for May-December 2019."""
    offers = demo.graphql(FIGURES)["offers"]
    assert offers["totalCount"] == 1
    offer = offers["nodes"][0]
    return offer, {i["key"]: i for i in offer["indicators"]}


def test_demo_28_households_supported(demo: ThemaTestApp) -> None:
    offer, got = figures(demo)
    assert offer["name"] == "Accompagnement Social Renforcé — Sia Habitat"
    assert offer["site"] is None  # a portfolio-wide programme
    assert offer["landlord"]["name"] == "Sia Habitat"
    assert got["households_supported"]["value"] == 28
    assert got["households_supported"]["households"]["totalCount"] == 28


def test_demo_82_months_of_support(demo: ThemaTestApp) -> None:
    _, got = figures(demo)
    assert got["support_months"]["value"] == 82.0
    assert got["support_months"]["numerator"] == 2496


def test_demo_share_in_priority_district_closest_to_30_percent(demo: ThemaTestApp) -> None:
    _, got = figures(demo)
    qpv = got["priority_district_share"]
    assert (qpv["numerator"], qpv["denominator"]) == (8, 28)
    assert qpv["value"] == pytest.approx(28.5714, abs=1e-3)
    assert round(qpv["value"] / 10) * 10 == 30


def test_demo_figures_hold_for_the_landlord_scope(demo: ThemaTestApp) -> None:
    offer, got = figures(demo)
    q = (
        'query($id: ID!) { organisation(id: $id) { indicators(scheme: "asr", from: "2019-05-01", '
        'to: "2019-12-31") { key value } } }'
    )
    rows = demo.graphql(q, {"id": offer["landlord"]["id"]})["organisation"]["indicators"]
    assert {r["key"]: r["value"] for r in rows} == {k: v["value"] for k, v in got.items()}


def test_demo_weekly_visits_mostly_meet_the_minimum(demo: ThemaTestApp) -> None:
    _, got = figures(demo)
    assert 80 < got["weekly_visit_share"]["value"] < 100


def test_demo_supported_households_were_identified_by_rent_recovery(demo: ThemaTestApp) -> None:
    offer, _ = figures(demo)
    q = (
        'query($id: ID!) { offer(id: $id) { indicators(from: "2019-05-01", to: "2019-12-31", '
        'keys: ["households_supported"]) { households(first: 100) { nodes { asr { '
        "identificationSource identifiedBy identifiedOn } } } } } }"
    )
    nodes = demo.graphql(q, {"id": offer["id"]})["offer"]["indicators"][0]["households"]["nodes"]
    assert len(nodes) == 28
    assert {n["asr"]["identificationSource"] for n in nodes} == {"RENT_RECOVERY"}
    assert all(n["asr"]["identifiedOn"] < "2019-12-31" for n in nodes)


def test_demo_targeting_list_has_every_status(demo: ThemaTestApp) -> None:
    offer, _ = figures(demo)
    q = (
        "query($id: ID!, $s: [Status!]) { offer(id: $id) { candidates(status: $s, first: 1) "
        "{ totalCount } } }"
    )
    counts = {
        s: demo.graphql(q, {"id": offer["id"], "s": [s]})["offer"]["candidates"]["totalCount"]
        for s in ("ELIGIBLE", "INELIGIBLE", "INCOMPLETE")
    }
    assert all(n > 0 for n in counts.values()), counts
