"""The HabiTED demo reproduces the published figures, read through the GraphQL API."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from core.testing import ThemaTestApp, make_test_app
from plugins.habited import hooks
from plugins.habited.demo import APPLICANTS
from tests.plugins.habited.kit import TODAY


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ThemaTestApp]:
    """One app with the HabiTED plugin and the demo loaded, shared by read-only tests."""
    app = make_test_app(tmp_path_factory.mktemp("habited-demo"), [hooks], today=TODAY)
    app.demo(seed=3, households=10)
    yield app
    app.close()


def _offer(app: ThemaTestApp) -> dict[str, Any]:
    query = """{ offers(scheme: "habited", first: 5) { edges { node {
      id name capacity startDate
      site { name commune unitSummary { typology count } units(first: 20) {
        edges { node { typology common monthlyRent } } } } } } } }"""
    edges = app.graphql(query)["offers"]["edges"]
    assert len(edges) == 1
    return edges[0]["node"]  # type: ignore[no-any-return]


def test_demo_ten_t1_at_498_and_one_common_t4(demo: ThemaTestApp) -> None:
    offer = _offer(demo)
    assert (offer["site"]["name"], offer["site"]["commune"]) == ("Résidence HabiTED", "Roncq")
    summary = {s["typology"]: s["count"] for s in offer["site"]["unitSummary"]}
    assert summary == {"T1": 10, "T4": 1}
    units = [e["node"] for e in offer["site"]["units"]["edges"]]
    assert {u["monthlyRent"] for u in units if u["typology"] == "T1"} == {498.0}
    assert [u["common"] for u in units if u["typology"] == "T4"] == [True]
    assert offer["capacity"] == 10
    assert offer["startDate"] == "2016-01-01"  # opened in January 2016


def test_demo_occupancy_and_activities(demo: ThemaTestApp) -> None:
    query = """query($o: ID!) { offer(id: $o) {
      indicators(from: "2026-01-01", to: "2026-01-01") { key value numerator denominator } } }"""
    found = {i["key"]: i for i in demo.graphql(query, {"o": _offer(demo)["id"]})["offer"]["indicators"]}
    assert found["occupancy_rate"]["value"] == 100.0
    assert found["supported_share"]["numerator"] == 10
    shares = {k: v["numerator"] for k, v in found.items() if k.startswith("day_activity_")}
    assert shares == {
        "day_activity_ordinary_employment": 3,
        "day_activity_sheltered_workshop": 2,
        "day_activity_esat": 3,
        "day_activity_day_centre": 2,
    }


def test_demo_applicants_verdicts(demo: ThemaTestApp) -> None:
    query = """query($o: ID!) { offer(id: $o) { candidates(first: 100) {
      edges { node { household { reference } verdict { status } } } } } }"""
    edges = demo.graphql(query, {"o": _offer(demo)["id"]})["offer"]["candidates"]["edges"]
    found = {e["node"]["household"]["reference"]: e["node"]["verdict"]["status"] for e in edges}
    expected = {f"HAB-CAND-{n:05d}": a[-1].upper() for n, a in enumerate(APPLICANTS, start=1)}
    assert {k: found[k] for k in expected} == expected
    assert set(expected.values()) == {"ELIGIBLE", "INELIGIBLE", "INCOMPLETE"}
