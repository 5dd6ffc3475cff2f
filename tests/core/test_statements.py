"""No N+1: the SQL statements of a request do not grow with page size or nesting."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import event

from core.testing import ThemaTestApp
from tests.core import sample_plugin

HOUSEHOLDS = """query($first: Int) { households(first: $first) { totalCount nodes { id reference owner { name }
  members { firstName age } occupancies { unit { label site { name } } offer { name } }
  currentOccupancy { unit { label } } referrals { decision } supportEpisodes { startDate contacts { kind } } } } }"""
ORGANISATIONS = """query($first: Int) { organisations(first: $first) { nodes { name schemes { scheme }
  sites(first: $first) { totalCount nodes { name units(first: $first) { totalCount nodes { label site { name } } } offers { name } } }
  households(first: $first) { totalCount nodes { reference } } } } }"""
OFFERS = """query($first: Int) { offers(first: $first) { nodes { name landlord { name } manager { name } site { name }
  units(first: $first) { totalCount nodes { label } } residents(first: $first) { totalCount nodes { household { reference } unit { label } } }
  referrals(first: $first) { totalCount nodes { decision proposer { name } } } } } }"""


@contextmanager
def counting(app: ThemaTestApp) -> Iterator[list[int]]:
    """Count the SQL statements sent while the block runs."""
    count = [0]

    def on_execute(*_: object) -> None:
        count[0] += 1

    event.listen(app.engine, "before_cursor_execute", on_execute)
    try:
        yield count
    finally:
        event.remove(app.engine, "before_cursor_execute", on_execute)


def statements(app: ThemaTestApp, query: str, first: int) -> int:
    with counting(app) as count:
        app.graphql(query, {"first": first})
    return count[0]


@pytest.fixture
def sample_app(thema_app_factory: Callable[..., ThemaTestApp]) -> ThemaTestApp:
    """The sample plugin's app, its cost limit raised: 100 × 100 × 100 nested pages are the point.

    Its token cache is off: every request authenticates (one statement, counted).
    """
    return thema_app_factory([sample_plugin], max_query_cost=10**9, token_cache_seconds=0)


@pytest.fixture
def thema_app(thema_app_factory: Callable[..., ThemaTestApp]) -> ThemaTestApp:
    """Every installed plugin; each request authenticates its token (one statement, counted)."""
    return thema_app_factory(token_cache_seconds=0)


def test_statement_counts_do_not_grow_with_page_size(sample_app: ThemaTestApp) -> None:
    sample_app.demo(households=250)
    for query in (HOUSEHOLDS, ORGANISATIONS, OFFERS):
        small, large = statements(sample_app, query, 10), statements(sample_app, query, 100)
        assert small == large, (query[:40], small, large)
    assert statements(sample_app, HOUSEHOLDS, 100) <= 10


SCHEMES = ("asr", "chrs", "fjt", "habited", "seniors_domicile")


def households_page(schemes: tuple[str, ...]) -> str:
    """The households page: members, current unit and a verdict per scheme asked."""
    verdicts = " ".join(
        f'v_{c}: eligibility(scheme: "{c}") {{ status criteria {{ code outcome }} }}' for c in schemes
    )
    return (
        "query($first: Int) { households(first: $first) { nodes { id reference "
        "members { firstName role birthDate activity } currentOccupancy { unit { label site { name } } } "
        f"{verdicts} }} }} }}"
    )


def test_statement_counts_of_the_households_page_with_verdicts(thema_app: ThemaTestApp) -> None:
    thema_app.demo(households=250)
    counts = {}
    for asked in ((), SCHEMES[:1], SCHEMES):
        query = households_page(asked)
        small, large = statements(thema_app, query, 10), statements(thema_app, query, 100)
        assert small == large, (asked, small, large)
        counts[len(asked)] = large
    # One statement authenticates the token; the page itself costs three (households, their
    # members, their occupancies with units and sites) and each scheme asked at most one more: the
    # verdicts' core facts come from what the page already loaded.
    assert counts[0] <= 1 + 3, counts
    assert counts[1] - counts[0] <= 1, counts
    assert counts[5] - counts[0] <= 5, counts


def test_statement_counts_of_a_landlords_households_page(
    thema_app_factory: Callable[..., ThemaTestApp],
) -> None:
    """A landlord's own caller (access conditions, grants, row-level security on PostgreSQL).

    Its token and grants were checked by a first request: the page costs three statements, at
    most one per scheme asked, and on PostgreSQL one more confining the transaction to the
    caller's organisations (row-level security).
    """
    from sqlalchemy import func, select

    from core.models import Household, Role

    app = thema_app_factory()
    app.demo(households=250)
    with app.session() as s:
        landlord = s.execute(
            select(Household.owner_id).group_by(Household.owner_id).order_by(func.count().desc()).limit(1)
        ).scalar_one()
    token = app.create_token(landlord, Role.ADMIN)
    confine = 1 if app.engine.dialect.name == "postgresql" else 0
    counts = {}
    for asked in ((), SCHEMES):
        query = households_page(asked)
        found = {}
        for first in (10, 100):
            app.graphql(query, {"first": first}, token=token)  # token and grants checked
            with counting(app) as count:
                page = app.graphql(query, {"first": first}, token=token)
            assert len(page["households"]["nodes"]) == first
            found[first] = count[0]
        assert found[10] == found[100], (asked, found)
        counts[len(asked)] = found[100]
    assert counts[0] <= 3 + confine, counts
    assert counts[5] - counts[0] <= 5, counts


def test_a_request_frees_what_it_loaded_without_the_garbage_collector(thema_app: ThemaTestApp) -> None:
    """Rows, facts and verdicts of a page are freed by reference counting as the request ends.

    Loaders close over the request's context: left in it, everything they loaded is a reference
    cycle only the collector's full collections free (long pauses under load).
    """
    import gc

    from core.contract import Verdict
    from core.facts import HouseholdFacts

    thema_app.demo(households=60)
    query = households_page(SCHEMES)
    thema_app.graphql(query, {"first": 50})
    gc.collect()
    gc.disable()
    try:
        page = thema_app.graphql(query, {"first": 50})
        alive = [o for o in gc.get_objects() if isinstance(o, Verdict | HouseholdFacts)]
    finally:
        gc.enable()
    assert len(page["households"]["nodes"]) == 50
    assert alive == []


def test_read_only_requests_keep_their_prepared_statements_on_postgresql(thema_app: ThemaTestApp) -> None:
    """A request that only read commits: psycopg forgets its prepared statements on ROLLBACK.

    Its statements, the same every time, are prepared once per connection (after five runs)
    instead of planned again by every request; a request that wrote still rolls back what it
    did not commit (see ``core.db.end_reading``).
    """
    from sqlalchemy import text

    if thema_app.engine.dialect.name != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's")
    thema_app.demo(households=30)
    query = households_page(SCHEMES)
    for _ in range(7):
        thema_app.graphql(query, {"first": 20})
    with thema_app.engine.connect() as conn:  # the pool's most recently used connection
        prepared = conn.execute(text("SELECT statement FROM pg_prepared_statements")).scalars().all()
    assert any("FROM person" in s for s in prepared), prepared


def test_end_reading_commits_only_what_only_read(thema_app: ThemaTestApp) -> None:
    """A transaction that wrote, even past SQLAlchemy (bulk COPY), is left to the rollback."""
    from sqlalchemy import func, select

    from core.bulk import insert_rows
    from core.db import end_reading
    from core.models import Organisation, OrganisationKind

    with thema_app.session() as s:
        before = s.execute(select(func.count()).select_from(Organisation)).scalar_one()
    with thema_app.session() as s:
        s.execute(select(Organisation.id)).all()
        insert_rows(
            s, Organisation, [{"name": "Écrite puis abandonnée", "kind": OrganisationKind.ASSOCIATION}]
        )
        end_reading(s)
        s.rollback()
    with thema_app.session() as s:
        assert s.execute(select(func.count()).select_from(Organisation)).scalar_one() == before
        s.execute(select(Organisation.id)).all()
        end_reading(s)
        assert not s.in_transaction() or s.connection().dialect.name != "postgresql"
