"""The households page against its SQL ceiling: one statement building the page's JSON.

Compiled-GraphQL servers turn a query into one SQL statement that returns the response itself;
the time of that statement is the floor no GraphQL server on the same database goes under. This
measures, in this process and the same minute (medians of ``RUNS``):

- ``sql_ms``: one statement building the JSON of the page without verdicts (50 households of the
  landlord, their members, the current unit and its site), as the database returns it;
- ``page_plain_ms``: the same page through our whole stack in process (ASGI, auth, context,
  access, GraphQL), without verdicts, and ``page_ms`` with the five schemes' verdicts, which no
  SQL statement of that kind computes (the rules are Python, their sets only are SQL).
"""

from __future__ import annotations

import asyncio
import statistics
import time
from datetime import date
from typing import Any

from sqlalchemy import text

from core.db import make_engine

RUNS = 40

_POSTGRES = """
SELECT CAST(json_agg(json_build_object(
  'id', h.id, 'reference', h.reference,
  'members', (SELECT coalesce(json_agg(json_build_object(
      'firstName', p.first_name, 'role', p.role, 'birthDate', p.birth_date, 'activity', p.activity)
      ORDER BY p.id), '[]') FROM person p WHERE p.household_id = h.id),
  'currentOccupancy', (SELECT json_build_object('unit', json_build_object(
      'label', u.label, 'site', json_build_object('name', s.name)))
    FROM occupancy o JOIN unit u ON u.id = o.unit_id JOIN site s ON s.id = u.site_id
    WHERE o.household_id = h.id AND o.start_date <= :day AND (o.end_date IS NULL OR o.end_date >= :day)
    ORDER BY o.start_date DESC, o.id DESC LIMIT 1)
) ORDER BY h.id) AS TEXT)
FROM (SELECT id, reference FROM household WHERE owner_id = :org ORDER BY id LIMIT 50) AS h
"""

_SQLITE = """
SELECT json_group_array(json(page.node)) FROM (
  SELECT json_object(
    'id', h.id, 'reference', h.reference,
    'members', (SELECT json_group_array(json(m.member)) FROM (
        SELECT json_object('firstName', p.first_name, 'role', p.role, 'birthDate', p.birth_date,
                           'activity', p.activity) AS member
        FROM person p WHERE p.household_id = h.id ORDER BY p.id) AS m),
    'currentOccupancy', (SELECT json_object('unit', json_object(
        'label', u.label, 'site', json_object('name', s.name)))
      FROM occupancy o JOIN unit u ON u.id = o.unit_id JOIN site s ON s.id = u.site_id
      WHERE o.household_id = h.id AND o.start_date <= :day AND (o.end_date IS NULL OR o.end_date >= :day)
      ORDER BY o.start_date DESC, o.id DESC LIMIT 1)
  ) AS node
  FROM (SELECT id, reference FROM household WHERE owner_id = :org ORDER BY id LIMIT 50) AS h
  ORDER BY h.id
) AS page
"""

PLAIN_PAGE = (
    "query Page($org: ID) { households(organisationId: $org, first: 50) { nodes { id reference "
    "members { firstName role birthDate activity } currentOccupancy { unit { label site { name } } } } } }"
)


def _median_ms(run: Any, runs: int = RUNS) -> float:
    for _ in range(5):  # warm: statements prepared, pages cached, selections compiled
        run()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return round(statistics.median(times) * 1000, 2)


def sql_ceiling_ms(url: str, landlord: int, day: date) -> tuple[float, int]:
    """Median ms of the one statement, and the number of households in its answer."""
    engine = make_engine(url)
    statement = text(_POSTGRES if engine.dialect.name == "postgresql" else _SQLITE)
    found: list[Any] = []
    try:
        with engine.connect() as conn:

            def run() -> None:
                found[:] = [conn.execute(statement, {"org": landlord, "day": day}).scalar_one()]

            ms = _median_ms(run)
    finally:
        engine.dispose()
    import orjson

    return ms, len(orjson.loads(found[0]))


def stack_page_ms(
    url: str, token: str, day: date, variables: dict[str, Any], queries: dict[str, str]
) -> dict[str, float]:
    """Median ms of each query through the whole app in process (httpx over ASGI)."""
    import httpx

    from core.app import create_app
    from core.settings import Settings

    app = create_app(
        Settings(
            database_url=url,
            load_entrypoint_plugins=False,
            rate_limit_per_second=0,
            log_level="WARNING",
            fixed_today=day,
        )
    )
    out: dict[str, float] = {}

    async def measure() -> None:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
                headers = {"authorization": f"Bearer {token}"}
                for name, query in queries.items():
                    body = {"query": query, "variables": variables}
                    first = (await client.post("/graphql", json=body, headers=headers)).json()
                    if first.get("errors"):
                        raise RuntimeError(f"{name}: {first['errors'][:2]}")
                    times = []
                    for i in range(5 + RUNS):
                        started = time.perf_counter()
                        await client.post("/graphql", json=body, headers=headers)
                        if i >= 5:
                            times.append(time.perf_counter() - started)
                    out[name] = round(statistics.median(times) * 1000, 2)

    asyncio.run(measure())
    app.state.engine.dispose()
    return out
