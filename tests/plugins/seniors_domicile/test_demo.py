"""The demo reproduces the published figures of « Seniors à domicile », read through the API."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

import plugins.seniors_domicile.hooks as seniors_hooks
from core.graphql.api import to_global_id
from core.models import Offer, Organisation, Unit
from core.testing import ThemaTestApp, backends, make_test_app

from .kit import TODAY

OFFER = """query($o: ID!, $d: Date) { node(id: $o) { ... on Offer {
  targeted: candidates(status: [ELIGIBLE, PRIORITY], date: $d, first: 1) { totalCount }
  core: candidates(status: [PRIORITY], date: $d, first: 1) { totalCount } } } }"""

INDICATORS = """query($o: ID!, $from: Date, $to: Date) { node(id: $o) { ... on Offer {
  indicators(from: $from, to: $to) { key value numerator denominator } } } }"""


@pytest.fixture(scope="module", params=backends())
def demo(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[ThemaTestApp, str]]:
    """The demo as ``thema demo`` loads it (seed 42, 2,000 synthetic households), per backend."""
    app = make_test_app(
        Path(tmp_path_factory.mktemp("demo")),
        plugins=[seniors_hooks],
        backend=request.param,
        today=TODAY,
    )
    app.demo(seed=42, households=2000)
    with app.session() as s:
        offer_id = s.execute(select(Offer.id).where(Offer.scheme == "seniors_domicile")).scalar_one()
    yield app, to_global_id("Offer", offer_id)
    app.close()


def indicators(app: ThemaTestApp, offer: str, start: str, end: str) -> dict[str, Any]:
    """(value, numerator, denominator) of every indicator, by key."""
    data = app.graphql(INDICATORS, {"o": offer, "from": start, "to": end})
    return {i["key"]: (i["value"], i["numerator"], i["denominator"]) for i in data["node"]["indicators"]}


@pytest.mark.parametrize("day", ["2019-08-01", "2021-12-31", "2026-01-01", "2026-11-21", "2034-12-31"])
def test_demo_targets_1630_households_842_in_the_core_target(
    demo: tuple[ThemaTestApp, str], day: str
) -> None:
    """« 1630 seniors … 842 … cible du cœur de projet », whatever the reference date."""
    app, offer = demo
    data = app.graphql(OFFER, {"o": offer, "d": day})["node"]
    assert (data["targeted"]["totalCount"], data["core"]["totalCount"]) == (1630, 842)


def test_demo_programme_indicators(demo: tuple[ThemaTestApp, str]) -> None:
    """Over the programme (August 2019 to end 2021): the target, and a 13 % refusal rate."""
    app, offer = demo
    result = indicators(app, offer, "2019-08-01", "2021-12-31")
    assert result["targeted_households"] == (1630.0, 1630.0, None)
    assert result["core_target_households"] == (842.0, 842.0, None)
    assert result["contacted"] == (1500.0, 1500.0, None)
    assert result["refusal_rate"] == (13.0, 195.0, 1500.0)
    # Everything else is consistent with the contacts: visits only for households that accepted.
    diagnostics = result["diagnostics_done"][0]
    assert diagnostics == 1500 - 195 - 25
    assert 0 < result["kits_installed"][0] <= diagnostics
    assert 0 < result["urgent_interventions"][0] < diagnostics
    assert 0 < result["social_services_alerts"][0] < diagnostics
    value, reached, core = result["core_target_reached"]
    assert core == 842.0 and 0 < reached < core
    assert value == round(reached / core * 100, 4)


@pytest.mark.parametrize(
    ("start", "end", "reached", "refusals"),
    [("2019-01-01", "2019-12-31", 600.0, 78.0), ("2020-01-01", "2020-12-31", 900.0, 117.0)],
)
def test_demo_refusal_rate_is_13_percent_each_year(
    demo: tuple[ThemaTestApp, str], start: str, end: str, reached: float, refusals: float
) -> None:
    """« le taux de refus est de 13% »: in 2019 as in 2020."""
    app, offer = demo
    assert indicators(app, offer, start, end)["refusal_rate"] == (13.0, refusals, reached)


def test_demo_portfolio_has_13000_dwellings(demo: tuple[ThemaTestApp, str]) -> None:
    """« 1630 locataires de 70 ans et plus concernés (13 000 logements) »."""
    app, _ = demo
    with app.session() as s:
        oise = s.execute(select(Organisation.id).where(Organisation.name == "Oise Habitat")).scalar_one()
        units = s.execute(select(func.count()).select_from(Unit).where(Unit.owner_id == oise)).scalar_one()
    assert units == 13_000


def test_demo_is_the_same_with_every_seed(tmp_path: Path) -> None:
    """Another seed and a smaller core world change the people, never the published figures."""
    app = make_test_app(tmp_path, plugins=[seniors_hooks], today=date(2026, 11, 21))
    try:
        app.demo(seed=7, households=50)
        with app.session() as s:
            offer_id = s.execute(select(Offer.id).where(Offer.scheme == "seniors_domicile")).scalar_one()
            offer = to_global_id("Offer", offer_id)
        data = app.graphql(OFFER, {"o": offer, "d": None})["node"]
        assert (data["targeted"]["totalCount"], data["core"]["totalCount"]) == (1630, 842)
        result = indicators(app, offer, "2019-08-01", "2021-12-31")
        assert result["refusal_rate"] == (13.0, 195.0, 1500.0)
    finally:
        app.close()


def readme_queries() -> dict[str, str]:
    """The GraphQL examples of the plugin's README, by operation name."""
    text = (Path(seniors_hooks.__file__).parent / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```graphql\n(.*?)```", text, flags=re.S)
    return {re.search(r"query (\w+)", b).group(1): b for b in blocks}  # type: ignore[union-attr]


def test_readme_queries_return_the_published_figures(demo: tuple[ThemaTestApp, str]) -> None:
    """The README's queries, run on the demo, show 1,630 / 842 and 13 %."""
    app, _ = demo
    queries = readme_queries()
    assert set(queries) == {
        "SeniorsDomicileTargeting",
        "SeniorsDomicileIndicators",
        "SeniorsDomicileRefusals2019",
    }
    offer = app.graphql(queries["SeniorsDomicileTargeting"])["offers"]["nodes"][0]
    assert (offer["targeted"]["totalCount"], offer["coreTarget"]["totalCount"]) == (1630, 842)
    offer = app.graphql(queries["SeniorsDomicileIndicators"])["offers"]["nodes"][0]
    found = {i["key"]: i["value"] for i in offer["indicators"]}
    assert (found["targeted_households"], found["core_target_households"]) == (1630.0, 842.0)
    assert (found["contacted"], found["refusal_rate"]) == (1500.0, 13.0)
    offer = app.graphql(queries["SeniorsDomicileRefusals2019"])["offers"]["nodes"][0]
    (rate,) = offer["indicators"]
    assert (rate["value"], rate["numerator"], rate["denominator"]) == (13.0, 78.0, 600.0)
    assert rate["households"]["totalCount"] == 78
