"""Lookahead: a households page loads its relations and verdicts ahead, in the same statements."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from strawberry import dataloader

from core.graphql.loaders import BatchLoader
from core.testing import ThemaTestApp
from tests.core.test_statements import SCHEMES, counting, households_page, statements

FRAGMENTS = """query($first: Int, $day: Date, $scheme: String) { households(first: $first) { edges { node { ...H } } } }
fragment H on Household { id reference ... on Household { members { firstName role birthDate activity } }
  currentOccupancy { unit { label site { name } } }
  v_fjt: eligibility(scheme: $scheme, date: $day) { status criteria { code outcome } }
  v_asr: eligibility(scheme: "asr", date: "2025-06-30") { status criteria { code outcome } } }"""
ONE = """query($id: ID!, $day: Date) { household(id: $id) { reference
  v_fjt: eligibility(scheme: "fjt", date: $day) { status criteria { code outcome } }
  v_asr: eligibility(scheme: "asr", date: "2025-06-30") { status criteria { code outcome } } } }"""


@contextmanager
def batches() -> Iterator[list[int]]:
    """Count the DataLoader batches dispatched lazily (each one a round of futures)."""
    count = [0]
    original = dataloader.dispatch_batch

    async def counted(loader: Any, batch: Any) -> None:
        count[0] += 1
        await original(loader, batch)

    dataloader.dispatch_batch = counted  # type: ignore[assignment]
    try:
        yield count
    finally:
        dataloader.dispatch_batch = original  # type: ignore[assignment]


def test_the_households_page_resolves_without_a_lazy_batch(thema_app: ThemaTestApp) -> None:
    thema_app.demo(households=60)
    query = households_page(SCHEMES)
    with batches() as count:
        page = thema_app.graphql(query, {"first": 50})
    assert len(page["households"]["nodes"]) == 50
    assert count[0] == 0  # members, occupancies, units, sites and verdicts were all loaded ahead


def test_fragments_edges_and_variables_are_looked_ahead(thema_app: ThemaTestApp) -> None:
    thema_app.demo(households=60)
    variables = {"first": 30, "day": "2026-01-01", "scheme": "fjt"}
    with batches() as count:
        page = thema_app.graphql(FRAGMENTS, variables)
    assert count[0] == 0
    nodes = [e["node"] for e in page["households"]["edges"]]
    # Verdicts loaded ahead are the ones each household gets alone.
    for node in nodes[:5]:
        alone = thema_app.graphql(ONE, {"id": node["id"], "day": "2026-01-01"})["household"]
        assert alone["v_fjt"] == node["v_fjt"] and alone["v_asr"] == node["v_asr"]
    small, large = ({**variables, "first": n} for n in (10, 50))
    with counting(thema_app) as at_10:
        thema_app.graphql(FRAGMENTS, small)
    with counting(thema_app) as at_50:
        thema_app.graphql(FRAGMENTS, large)
    assert at_10 == at_50


def test_a_scheme_that_cannot_be_evaluated_is_a_located_error(thema_app: ThemaTestApp) -> None:
    thema_app.demo(households=5)
    answer = thema_app.graphql_raw(
        '{ households(first: 3) { nodes { reference eligibility(scheme: "nope") { status } } } }'
    )
    # A verdict is non-null: the first one refused ends the page, as before lookahead.
    assert [e["extensions"]["code"] for e in answer["errors"]] == ["SCHEME_NOT_INSTALLED"]
    assert answer["errors"][0]["path"] == ["households", "nodes", 0, "eligibility"]


def test_an_app_keeps_its_own_verdicts_when_another_is_built_after_it(
    thema_app_factory: Callable[..., ThemaTestApp],
) -> None:
    """Each schema build executes the types template afresh; the page's loaders are shared code.

    The prefetchers of a page (``core.graphql.batches``) once lived in the template: the last
    build's replaced the earlier ones', whose verdict fields then met another build's classes.
    """
    first = thema_app_factory()
    first.demo(households=5)
    thema_app_factory()  # a second schema in the same process, built after the first
    answer = first.graphql_raw(
        '{ households(first: 3) { nodes { reference fjt: eligibility(scheme: "fjt") { status } '
        'nope: eligibility(scheme: "nope") { status } } } }'
    )
    assert [e["extensions"]["code"] for e in answer["errors"]] == ["SCHEME_NOT_INSTALLED"]
    assert answer["errors"][0]["path"] == ["households", "nodes", 0, "nope"]
    page = first.graphql('{ households(first: 3) { nodes { eligibility(scheme: "fjt") { status } } } }')
    assert {n["eligibility"]["status"] for n in page["households"]["nodes"]} <= {
        "ELIGIBLE",
        "INELIGIBLE",
        "INCOMPLETE",
        "PRIORITY",
    }


def test_batch_loader_serves_loaded_values_at_once_and_fetches_once() -> None:
    fetched: list[list[int]] = []

    def fetch(keys: list[int]) -> list[int]:
        fetched.append(list(keys))
        return [k * 10 for k in keys]

    async def scenario() -> None:
        loader: BatchLoader[int, int] = BatchLoader(fetch)
        pending = loader.load(1)  # a lazy load waiting for its batch
        assert loader.load_now([1, 2, 2]) == [10, 20, 20]  # fetched now, once per key
        assert await pending == 10  # the pending load settled by it, without another fetch
        assert loader.get(2) == 20 and loader.get(2, str) == "20"  # at once, no future
        later = loader.get(3)
        assert await later == 30  # not loaded yet: an awaitable, batched
        loader.clear(3)
        assert loader.load_now([3]) == [30]

    import asyncio

    asyncio.run(scenario())
    assert fetched == [[1, 2], [3], [3]]


@pytest.mark.parametrize("first", [1, 7])
def test_page_without_relations_selected_loads_nothing_more(thema_app: ThemaTestApp, first: int) -> None:
    thema_app.demo(households=10)
    assert (
        statements(
            thema_app, "query($first: Int) { households(first: $first) { nodes { reference } } }", first
        )
        <= 2
    )


def test_children_of_files_shown_are_read_without_the_condition_again(thema_app: ThemaTestApp) -> None:
    thema_app.demo(households=20)
    query = """query($org: ID) { households(organisationId: $org, first: 100) {
      nodes { reference owner { id } members { firstName } } } }"""
    owner = thema_app.graphql(query)["households"]["nodes"][0]["owner"]["id"]
    every = thema_app.graphql(query, {"org": owner})["households"]["nodes"]
    token = thema_app.create_token(owner, "viewer")
    seen: list[str] = []
    from sqlalchemy import event

    event.listen(thema_app.engine, "before_cursor_execute", lambda *a: seen.append(a[2]))
    mine = thema_app.graphql(query, {"org": owner}, token=token)["households"]["nodes"]
    assert mine == every  # the landlord's files, each with every member
    members = [s for s in seen if s.lstrip().upper().startswith("SELECT PERSON.")]
    assert members and "EXISTS" not in members[0].upper()
