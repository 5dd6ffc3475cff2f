"""Migrations: up and down on SQLite and PostgreSQL, and equal to the models."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import MetaData, create_engine, inspect
from sqlmodel import SQLModel

from core.migrate import downgrade, pending, upgrade
from core.models import CORE_TABLES
from core.plugins import build_registry
from core.settings import Settings
from core.testing import create_database, drop_database, postgres_url


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database of each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'm.db'}"
        return
    base = postgres_url()
    if base is None:
        pytest.skip("THEMA_TEST_POSTGRES_URL not set")
    url = create_database(base)
    try:
        yield url
    finally:
        drop_database(url, base)


def test_migrations_up_match_the_models_then_down_leave_nothing(database_url: str) -> None:
    registry = build_registry(Settings(load_entrypoint_plugins=False))
    assert pending(database_url, registry)
    upgrade(database_url, registry)
    assert pending(database_url, registry) == []
    engine = create_engine(database_url)
    # Only the core's and these plugins' tables: other tests may import more models in-process.
    expected = MetaData()
    names = {t.__tablename__ for t in CORE_TABLES} | set(registry.tables)
    for name in names:
        SQLModel.metadata.tables[name].to_metadata(expected)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), expected)
        tables = set(inspect(conn).get_table_names())
    assert diff == [], f"models and migrations differ: {diff}"
    assert {"organisation", "household", "occupancy", "support_contact"} <= tables
    for table in set(registry.tables) | {"organisation", "household"}:
        assert table in tables
    downgrade(database_url, registry, "base")
    with engine.connect() as conn:
        assert set(inspect(conn).get_table_names()) <= {"alembic_version"}
    engine.dispose()


def test_every_table_has_an_indexed_owner(database_url: str) -> None:
    registry = build_registry(Settings(load_entrypoint_plugins=False))
    upgrade(database_url, registry)
    engine = create_engine(database_url)
    with engine.connect() as conn:
        insp = inspect(conn)
        for table in insp.get_table_names():
            if table == "alembic_version":
                continue
            columns = {c["name"] for c in insp.get_columns(table)}
            assert "owner_id" in columns, table
            indexed = {tuple(i["column_names"]) for i in insp.get_indexes(table)}
            assert any(cols[0] == "owner_id" for cols in indexed), table
    engine.dispose()
