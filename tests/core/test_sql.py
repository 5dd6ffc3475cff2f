"""Portable date arithmetic gives the same answers on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.engine import Engine

from core.sql import date_value, days_between, earlier, later, years_between
from core.testing import create_database, drop_database, postgres_url


@pytest.fixture(params=["sqlite", "postgres"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "sqlite":
        e = create_engine(f"sqlite:///{tmp_path / 's.db'}")
        yield e
        e.dispose()
        return
    base = postgres_url()
    if base is None:
        pytest.skip("THEMA_TEST_POSTGRES_URL not set")
    url = create_database(base)
    e = create_engine(url)
    try:
        yield e
    finally:
        e.dispose()
        drop_database(url, base)


@pytest.mark.parametrize(
    ("birth", "at", "age"),
    [
        (date(2000, 6, 15), date(2016, 6, 14), 15),
        (date(2000, 6, 15), date(2016, 6, 15), 16),
        (date(2000, 2, 29), date(2017, 2, 28), 16),
        (date(2000, 2, 29), date(2017, 3, 1), 17),
    ],
)
def test_years_between_counts_completed_years(engine: Engine, birth: date, at: date, age: int) -> None:
    with engine.connect() as conn:
        assert conn.execute(select(years_between(date_value(birth), date_value(at)))).scalar_one() == age


def test_days_between_later_earlier(engine: Engine) -> None:
    a, b = date(2019, 5, 1), date(2019, 12, 31)
    with engine.connect() as conn:
        assert conn.execute(select(days_between(date_value(b), date_value(a)))).scalar_one() == 244
        assert conn.execute(select(later(date_value(a), b))).scalar_one() in (b, b.isoformat())
        assert conn.execute(select(earlier(date_value(a), b))).scalar_one() in (a, a.isoformat())
