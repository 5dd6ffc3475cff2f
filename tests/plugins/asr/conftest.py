"""Fixtures of the ASR tests: an app with the ASR plugin only, on each configured backend."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from core.testing import ThemaTestApp, backends
from tests.plugins.asr.kit import World, build_world, new_app


@pytest.fixture(params=backends())
def app(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ThemaTestApp]:
    """A fresh app with the ASR plugin (SQLite; PostgreSQL too when configured)."""
    made = new_app(tmp_path, str(request.param))
    yield made
    made.close()


@pytest.fixture
def world(app: ThemaTestApp) -> World:
    """The standard ASR world of the tests."""
    return build_world(app)
