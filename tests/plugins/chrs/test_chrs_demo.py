"""The CHRS demo: the Bailly CHRS (26 places) and figures consistent across indicators."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from core.testing import ThemaTestApp
from tests.plugins.chrs.kit import new_app

OFFER = (
    '{ offers(scheme: "chrs") { totalCount nodes { id name capacity site { name } '
    "landlord { name } manager { name } units(first: 100) { totalCount nodes { label typology } } "
    'indicators(from: "2025-01-01", to: "2025-12-31") { key value numerator denominator } } } }'
)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ThemaTestApp]:
    """One app with the demo loaded, shared by the module's read-only tests."""
    app = new_app(Path(tmp_path_factory.mktemp("chrs-demo")))
    app.demo(households=10)
    yield app
    app.close()


def test_demo_offer_is_the_bailly_chrs(demo: ThemaTestApp) -> None:
    offers = demo.graphql(OFFER)["offers"]
    assert offers["totalCount"] == 1
    offer = offers["nodes"][0]
    assert offer["name"] == "CHRS de la Résidence du Bailly"
    assert offer["capacity"] == 26
    assert offer["site"]["name"] == "Résidence du Bailly"
    assert (offer["landlord"]["name"], offer["manager"]["name"]) == ("Clésence", "Accueil & Promotion")
    units = offer["units"]["nodes"]
    assert all(u["label"].startswith("CHRS-") for u in units)
    places = {"T1": 1, "T2": 2, "T3": 4}
    assert sum(places[u["typology"]] for u in units) == 26


def test_demo_indicators_are_consistent(demo: ThemaTestApp) -> None:
    rows = demo.graphql(OFFER)["offers"]["nodes"][0]["indicators"]
    got = {r["key"]: r for r in rows}
    exits = got["exits"]["value"]
    assert exits > 0
    assert sum(r["value"] for k, r in got.items() if k.startswith("exits_to_")) == exits
    share = got["ordinary_housing_exit_share"]
    assert share["numerator"] == got["exits_to_ordinary_housing"]["value"]
    assert share["value"] == pytest.approx(100 * share["numerator"] / exits, abs=1e-3)
    assert 0 < got["occupancy_rate"]["value"] <= 100
    assert got["occupancy_rate"]["denominator"] == 26
    assert 0 < got["violence_priority_share"]["value"] < 100


def test_demo_figures_of_2025_are_stable(demo: ThemaTestApp) -> None:
    rows = demo.graphql(OFFER)["offers"]["nodes"][0]["indicators"]
    got = {r["key"]: (r["value"], r["numerator"], r["denominator"]) for r in rows}
    # The figures the README shows; the demo uses its own seeded generator.
    assert got["occupancy_rate"] == (pytest.approx(91.5911, abs=1e-3), 23.81, 26)
    assert got["average_length_of_stay"][0] == 288.1
    assert got["exits"][0] == 8
    assert got["ordinary_housing_exit_share"] == (62.5, 5, 8)
    assert got["violence_priority_share"][1:] == (5, 23)


def test_demo_candidates_cover_every_status(demo: ThemaTestApp) -> None:
    offer = demo.graphql(OFFER)["offers"]["nodes"][0]["id"]
    q = (
        "query($id: ID!) { offer(id: $id) { candidates(first: 100) { totalCount edges { node { "
        "household { reference confidential chrs { domesticViolenceVictim } } "
        "verdict { status failing { code kind } missing { code kind } } } } } } }"
    )
    edges = demo.graphql(q, {"id": offer})["offer"]["candidates"]["edges"]
    waiting = {
        e["node"]["household"]["reference"]: e["node"]["verdict"]
        for e in edges
        if e["node"]["household"]["reference"].startswith("CHRS-CAND")
    }
    assert [v["status"] for _, v in sorted(waiting.items())] == [
        "PRIORITY",
        "ELIGIBLE",
        "INELIGIBLE",
        "INELIGIBLE",
        "INCOMPLETE",
        "INCOMPLETE",
    ]
    required = {
        ref: [c["code"] for c in v["failing"] + v["missing"] if c["kind"] == "REQUIRED"]
        for ref, v in waiting.items()
    }
    assert required["CHRS-CAND-00003"] == ["chrs.difficulty"]
    assert required["CHRS-CAND-00004"] == ["chrs.adult"]
    assert required["CHRS-CAND-00006"] == ["chrs.referral"]
    # Every victim's file is confidential.
    for e in edges:
        h = e["node"]["household"]
        if h["chrs"] and h["chrs"]["domesticViolenceVictim"]:
            assert h["confidential"] is True
