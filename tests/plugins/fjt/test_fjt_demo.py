"""The FJT demo reproduces the published figures, read through the GraphQL API."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from core.testing import ThemaTestApp, make_test_app
from plugins.fjt import hooks
from plugins.fjt.demo import APPLICANTS
from tests.plugins.fjt.kit import TODAY


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ThemaTestApp]:
    """One app with the FJT plugin and the demo loaded, shared by the module's read-only tests."""
    app = make_test_app(tmp_path_factory.mktemp("fjt-demo"), [hooks], today=TODAY)
    app.demo(seed=7, households=20)
    yield app
    app.close()


def _offers(app: ThemaTestApp) -> dict[str, dict[str, Any]]:
    query = """{ offers(scheme: "fjt", first: 10) { edges { node {
      id name capacity parameters site { id name unitSummary { typology count } }
      units(first: 100) { totalCount } } } } }"""
    return {e["node"]["name"]: e["node"] for e in app.graphql(query)["offers"]["edges"]}


def test_demo_vivaldi_stock_38_t1_2_t1_bis_2_t2_1_t3(demo: ThemaTestApp) -> None:
    vivaldi = _offers(demo)["FJT Résidence Vivaldi"]
    summary = {s["typology"]: s["count"] for s in vivaldi["site"]["unitSummary"]}
    assert summary == {"T1": 38, "T1_BIS": 2, "T2": 2, "T3": 1}
    # The caretaker's T3 is not part of the young people's offer.
    assert vivaldi["units"]["totalCount"] == 42
    assert vivaldi["capacity"] == 42
    assert vivaldi["parameters"] == {"max_age": 29}


def test_demo_bailly_40_places_default_parameters(demo: ThemaTestApp) -> None:
    bailly = _offers(demo)["FJT Résidence du Bailly"]
    assert bailly["capacity"] == 40
    assert bailly["units"]["totalCount"] == 40
    assert bailly["parameters"] == {}
    assert bailly["site"]["name"] == "Résidence du Bailly"


def test_demo_vivaldi_more_than_60_percent_in_activity(demo: ThemaTestApp) -> None:
    vivaldi = _offers(demo)["FJT Résidence Vivaldi"]["id"]
    query = """query($o: ID!) { offer(id: $o) {
      fjtActivityQuota(date: "2026-01-01") { residents inActivity unknown share minimum meetsQuota }
      indicators(from: "2026-01-01", to: "2026-01-01", keys: ["activity_share"]) {
        value numerator denominator target } } }"""
    data = demo.graphql(query, {"o": vivaldi})["offer"]
    quota = data["fjtActivityQuota"]
    assert quota == {
        "residents": 41,
        "inActivity": 25,
        "unknown": 0,
        "share": pytest.approx(60.9756),
        "minimum": 60.0,
        "meetsQuota": True,
    }
    share = data["indicators"][0]
    assert (share["numerator"], share["denominator"]) == (25, 41)
    assert share["value"] > share["target"] == 60.0


def test_demo_vivaldi_2025_flows(demo: ThemaTestApp) -> None:
    vivaldi = _offers(demo)["FJT Résidence Vivaldi"]["id"]
    query = """query($o: ID!) { offer(id: $o) {
      indicators(from: "2025-01-01", to: "2025-12-31") { key value numerator denominator } } }"""
    found = {i["key"]: i for i in demo.graphql(query, {"o": vivaldi})["offer"]["indicators"]}
    assert found["arrivals"]["value"] == 12
    assert found["departures"]["value"] == 12
    assert found["average_stay_days"]["denominator"] == 12
    assert 0 < found["occupancy_rate"]["value"] < 100


def test_demo_applicants_span_every_status(demo: ThemaTestApp) -> None:
    offers = _offers(demo)
    target = {
        "bailly": offers["FJT Résidence du Bailly"]["id"],
        "vivaldi": offers["FJT Résidence Vivaldi"]["id"],
    }
    query = """query($o: ID!) { offer(id: $o) { candidates(first: 100) {
      edges { node { household { reference } verdict { status } } } } } }"""
    statuses: dict[str, dict[str, str]] = {}
    for where, offer_id in target.items():
        edges = demo.graphql(query, {"o": offer_id})["offer"]["candidates"]["edges"]
        statuses[where] = {e["node"]["household"]["reference"]: e["node"]["verdict"]["status"] for e in edges}
    seen = Counter()
    for n, (where, _, _, expected) in enumerate(APPLICANTS, start=1):
        status = statuses[where][f"FJT-CAND-{n:05d}"]
        assert status == expected.upper(), (n, where)
        seen[status] += 1
    assert set(seen) == {"PRIORITY", "ELIGIBLE", "INELIGIBLE", "INCOMPLETE"}


def test_demo_is_idempotent(tmp_path: Path) -> None:
    app = make_test_app(tmp_path, [hooks], today=TODAY)
    try:
        app.demo(seed=1, households=4)
        app.demo(seed=1, households=4)
        assert len(_offers(app)) == 2
        query = '{ offers(scheme: "fjt", first: 10) { edges { node { referrals { totalCount } } } } }'
        counts = [e["node"]["referrals"]["totalCount"] for e in app.graphql(query)["offers"]["edges"]]
        assert sorted(counts) == [5, 8]
    finally:
        app.close()
