"""Every GraphQL example of the READMEs answers on the demo data, and the published figures hold."""

from __future__ import annotations

from pathlib import Path

import pytest
from graphql import parse, validate

from core.app import plugin_readmes
from core.explorer.examples import Example, load_examples
from core.testing import ThemaTestApp

README = Path(__file__).resolve().parents[1] / "README.md"


@pytest.fixture
def demo_app(thema_app: ThemaTestApp) -> ThemaTestApp:
    """The app with every built-in plugin and the demo data."""
    thema_app.demo(seed=42, households=40)
    return thema_app


def example(title_part: str) -> Example:
    return next(e for e in load_examples(README) if title_part in e.title)


def test_every_readme_example_answers_on_demo_data(demo_app: ThemaTestApp) -> None:
    paths = [README, *plugin_readmes(demo_app.registry)]
    examples = [e for p in paths for e in load_examples(p)]
    assert len(paths) == 6 and len(examples) >= 15
    schema = demo_app.app.state.schema._schema
    for ex in examples:
        document = parse(ex.query)
        assert validate(schema, document) == [], ex.title
        needs = {
            v.variable.name.value
            for op in document.definitions
            for v in getattr(op, "variable_definitions", None) or ()
        }
        if needs - set(ex.variables or {}):
            continue  # a template whose ids the reader fills in: validated above
        answer = demo_app.graphql_raw(ex.query, ex.variables)
        assert not answer.get("errors"), (ex.title, answer.get("errors"))
        assert answer["data"], ex.title


def test_readme_vivaldi_example_gives_the_published_typologies(demo_app: ThemaTestApp) -> None:
    site = demo_app.graphql(example("Vivaldi's units").query)["sites"]["nodes"][0]
    assert {c["typology"]: c["count"] for c in site["unitSummary"]} == {
        "T1": 38,
        "T1_BIS": 2,
        "T2": 2,
        "T3": 1,
    }
    assert site["units"]["totalCount"] == 43


def test_readme_fjt_example_shows_the_quota(demo_app: ThemaTestApp) -> None:
    offer = demo_app.graphql(example("FJT — Vivaldi").query)["offers"]["nodes"][0]
    assert offer["parameters"] == {"max_age": 29}
    quota = offer["fjtActivityQuota"]
    assert quota["share"] >= quota["minimum"] and quota["meetsQuota"] is True


def test_readme_seniors_example_gives_1630_842_and_13_percent(demo_app: ThemaTestApp) -> None:
    offer = demo_app.graphql(example("Seniors").query)["offers"]["nodes"][0]
    assert offer["targeted"]["totalCount"] == 1630
    assert offer["coreTarget"]["totalCount"] == 842
    values = {i["key"]: i["value"] for i in offer["indicators"]}
    assert values["targeted_households"] == 1630 and values["core_target_households"] == 842
    assert values["refusal_rate"] == pytest.approx(13.0)


def test_readme_asr_example_gives_28_households_82_months(demo_app: ThemaTestApp) -> None:
    offer = demo_app.graphql(example("ASR").query)["offers"]["nodes"][0]
    values = {i["key"]: i["value"] for i in offer["indicators"]}
    assert values["households_supported"] == 28
    assert values["support_months"] == pytest.approx(82.0)
    assert values["priority_district_share"] == pytest.approx(100 * 8 / 28, abs=0.01)
