"""Indicators of « Seniors à domicile » on small hand-computed data, through the GraphQL API."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from core.testing import ThemaTestApp

from .kit import World

AGES_ON = date(2020, 6, 15)
YEAR_2020 = (date(2020, 1, 1), date(2020, 12, 31))


@pytest.fixture
def data(world: World) -> dict[str, str]:
    """Eight households; comments say where each one counts."""
    h: dict[str, str] = {}
    # Core target (isolated), contacted, visited with kit, urgent intervention and alert.
    h["h1"] = world.senior(AGES_ON, 75, isolated=True, monthlyResources=1500.0)
    # Core target (fragile), refused.
    h["h2"] = world.senior(AGES_ON, 80, isolated=False, monthlyResources=700.0)
    # Targeted, not core; visited without kit.
    h["h3"] = world.senior(AGES_ON, 72, isolated=False, monthlyResources=2000.0)
    # Targeted, not core; no answer.
    h["h4"] = world.senior(AGES_ON, 71, isolated=False, monthlyResources=2000.0)
    # Too young.
    h["h5"] = world.senior(AGES_ON, 40, isolated=True, monthlyResources=500.0)
    # Core target, never contacted.
    h["h6"] = world.senior(AGES_ON, 85, isolated=True)
    # Turns 70 on 31 December 2020.
    h["h7"] = world.household(
        {"birthDate": date(1950, 12, 31), "isolated": False, "monthlyResources": 2000.0}
    )
    # Core target, contacted and visited in 2019.
    h["h8"] = world.senior(AGES_ON, 78, isolated=True, monthlyResources=950.0)

    def ok(payload: dict[str, Any]) -> None:
        assert payload["userErrors"] == []

    ok(world.contact(h["h1"], date(2020, 1, 10), "ACCEPTED"))
    ok(
        world.visit(
            h["h1"],
            date(2020, 1, 20),
            kitInstalledOn=date(2020, 1, 20),
            urgentInterventionOn=date(2020, 1, 25),
            socialServicesAlertOn=date(2020, 1, 22),
        )
    )
    ok(world.contact(h["h2"], date(2020, 2, 1), "REFUSED"))
    ok(world.contact(h["h3"], date(2020, 2, 3), "ACCEPTED"))
    ok(world.visit(h["h3"], date(2020, 2, 10), 120))
    ok(world.contact(h["h4"], date(2020, 2, 5), "NO_ANSWER"))
    ok(world.contact(h["h8"], date(2019, 11, 4), "ACCEPTED"))
    ok(world.visit(h["h8"], date(2019, 11, 20), 60, kitInstalledOn=date(2019, 11, 20)))
    return h


def counted(indicator: dict[str, Any], h: dict[str, str]) -> list[str]:
    """Names of the households of the drill-down."""
    names = {v: k for k, v in h.items()}
    return sorted(names[n["id"]] for n in indicator["households"]["nodes"])


def values(result: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """(value, numerator, denominator) by key."""
    return {k: (i["value"], i["numerator"], i["denominator"]) for k, i in result.items()}


def test_indicators_over_2020(world: World, data: dict[str, str]) -> None:
    """Target at the period's end, events dated within the period."""
    result = world.indicators(*YEAR_2020)
    assert values(result) == {
        "targeted_households": (7.0, 7.0, None),
        "core_target_households": (4.0, 4.0, None),
        "contacted": (3.0, 3.0, None),
        "diagnostics_done": (2.0, 2.0, None),
        "refusal_rate": (pytest.approx(33.3333), 1.0, 3.0),
        "kits_installed": (1.0, 1.0, None),
        "urgent_interventions": (1.0, 1.0, None),
        "social_services_alerts": (1.0, 1.0, None),
        "core_target_reached": (25.0, 1.0, 4.0),
    }
    assert counted(result["targeted_households"], data) == [
        "h1", "h2", "h3", "h4", "h6", "h7", "h8"
    ]  # fmt: skip
    assert counted(result["core_target_households"], data) == ["h1", "h2", "h6", "h8"]
    assert counted(result["contacted"], data) == ["h1", "h2", "h3"]
    assert counted(result["refusal_rate"], data) == ["h2"]
    assert counted(result["diagnostics_done"], data) == ["h1", "h3"]
    assert counted(result["kits_installed"], data) == ["h1"]
    assert counted(result["urgent_interventions"], data) == ["h1"]
    assert counted(result["social_services_alerts"], data) == ["h1"]
    assert counted(result["core_target_reached"], data) == ["h1"]
    reach = result["core_target_reached"]
    assert (reach["unit"], reach["target"]) == ("PERCENT", 100.0)
    assert result["targeted_households"]["unit"] == "COUNT"


def test_indicators_over_a_shorter_period(world: World, data: dict[str, str]) -> None:
    """February to 30 December 2020: h7 is not 70 yet, January's events drop out."""
    result = world.indicators(date(2020, 2, 1), date(2020, 12, 30))
    assert values(result) == {
        "targeted_households": (6.0, 6.0, None),
        "core_target_households": (4.0, 4.0, None),
        "contacted": (2.0, 2.0, None),
        "diagnostics_done": (1.0, 1.0, None),
        "refusal_rate": (50.0, 1.0, 2.0),
        "kits_installed": (0.0, 0.0, None),
        "urgent_interventions": (0.0, 0.0, None),
        "social_services_alerts": (0.0, 0.0, None),
        "core_target_reached": (0.0, 0.0, 4.0),
    }


def test_indicators_over_2019(world: World, data: dict[str, str]) -> None:
    """The 2019 visit counts in 2019; ages are taken at the period's end (31 December 2019)."""
    result = world.indicators(date(2019, 8, 1), date(2019, 12, 31))
    assert values(result)["targeted_households"] == (6.0, 6.0, None)
    assert values(result)["refusal_rate"] == (0.0, 0.0, 1.0)
    assert values(result)["core_target_reached"] == (25.0, 1.0, 4.0)
    assert counted(result["core_target_reached"], data) == ["h8"]


def test_indicators_by_organisation_and_site(world: World, data: dict[str, str]) -> None:
    """The landlord's scope gives the offer's figures; a site without programme gives none."""
    by_org = world.indicators(*YEAR_2020, scope=world.landlord)
    assert values(by_org) == values(world.indicators(*YEAR_2020))
    by_site = values(world.indicators(*YEAR_2020, scope=world.site))
    assert by_site["targeted_households"] == (0.0, 0.0, None)
    assert by_site["refusal_rate"] == (None, 0.0, 0.0)
    assert by_site["core_target_reached"] == (None, 0.0, 0.0)


def test_indicators_use_each_offer_parameters(app: ThemaTestApp) -> None:
    """An offer for 80 and over counts its own target; the landlord's scope counts each once."""
    world = World(app, name="Bailleur 80+")
    strict = world.create_offer("Seniors 80+", {"min_age": 80})
    world.senior(AGES_ON, 79, isolated=True)
    world.senior(AGES_ON, 80, isolated=False, monthlyResources=1000.0)
    keys = ["targeted_households", "core_target_households"]
    assert values(world.indicators(*YEAR_2020, keys=keys)) == {
        "targeted_households": (2.0, 2.0, None),
        "core_target_households": (1.0, 1.0, None),
    }
    assert values(world.indicators(*YEAR_2020, scope=strict, keys=keys)) == {
        "targeted_households": (1.0, 1.0, None),
        "core_target_households": (0.0, 0.0, None),
    }
    assert values(world.indicators(*YEAR_2020, scope=world.landlord, keys=keys)) == {
        "targeted_households": (2.0, 2.0, None),
        "core_target_households": (1.0, 1.0, None),
    }


def test_indicators_follow_the_dated_threshold(world: World) -> None:
    """900 €/month is fragile from 2020 (ASPA 903.20 €), not at the end of 2019 (868.20 €)."""
    world.senior(AGES_ON, 80, isolated=False, monthlyResources=900.0)
    keys = ["core_target_households"]
    assert (
        world.indicators(date(2019, 8, 1), date(2019, 12, 31), keys=keys)["core_target_households"]["value"]
        == 0.0
    )
    assert world.indicators(*YEAR_2020, keys=keys)["core_target_households"]["value"] == 1.0


def test_indicators_match_the_candidates(world: World, data: dict[str, str]) -> None:
    """Targeted and core-target counts equal the offer's ELIGIBLE+PRIORITY and PRIORITY lists."""
    query = """query($o: ID!, $s: [Status!]) { node(id: $o) { ... on Offer {
        candidates(status: $s, date: "2020-12-31", first: 1) { totalCount } } } }"""

    def total(statuses: list[str]) -> int:
        return int(
            world.app.graphql(query, {"o": world.offer, "s": statuses})["node"]["candidates"]["totalCount"]
        )

    result = world.indicators(*YEAR_2020)
    assert total(["ELIGIBLE", "PRIORITY"]) == result["targeted_households"]["value"]
    assert total(["PRIORITY"]) == result["core_target_households"]["value"]


def test_the_target_populations_are_counted_in_one_statement(world: World, data: dict[str, str]) -> None:
    """Targeted, core target and core target reached: the members are read by one statement."""
    from sqlalchemy import event

    sent: list[str] = []

    def on_execute(*args: Any) -> None:
        sent.append(args[2])

    keys = ["targeted_households", "core_target_households", "core_target_reached"]
    query = """query($id: ID!, $keys: [String!]) { node(id: $id) { ... on Offer {
        indicators(from: "2020-01-01", to: "2020-12-31", keys: $keys) { key value } } } }"""
    event.listen(world.app.engine, "before_cursor_execute", on_execute)
    try:
        found = world.app.graphql(query, {"id": world.offer, "keys": keys})["node"]["indicators"]
    finally:
        event.remove(world.app.engine, "before_cursor_execute", on_execute)
    assert {i["key"]: i["value"] for i in found} == {
        "targeted_households": 7.0,
        "core_target_households": 4.0,
        "core_target_reached": 25.0,
    }
    members_read = [s for s in sent if "FROM person" in s]
    assert len(members_read) == 1, members_read
