"""Every GraphQL example of the README answers on the demo data, without errors."""

from __future__ import annotations

from pathlib import Path

from core.explorer.examples import load_examples
from core.testing import ThemaTestApp

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_examples_answer_on_demo_data(thema_app: ThemaTestApp) -> None:
    thema_app.demo(seed=7, households=40)
    examples = load_examples(README)
    assert len(examples) >= 5
    for example in examples:
        answer = thema_app.graphql_raw(example.query, example.variables)
        assert not answer.get("errors"), (example.title, answer.get("errors"))
        assert answer["data"], example.title


def test_readme_vivaldi_example_gives_the_published_typologies(thema_app: ThemaTestApp) -> None:
    thema_app.demo(seed=7, households=10)
    example = next(e for e in load_examples(README) if "Vivaldi" in e.title)
    site = thema_app.graphql(example.query)["sites"]["nodes"][0]
    counts = {c["typology"]: c["count"] for c in site["unitSummary"]}
    assert counts == {"T1": 38, "T1_BIS": 2, "T2": 2, "T3": 1}
    assert site["units"]["totalCount"] == 43
