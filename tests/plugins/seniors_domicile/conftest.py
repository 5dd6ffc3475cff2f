"""Fixtures for « Seniors à domicile »: an app with the plugin alone, and a small world in it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

import plugins.seniors_domicile.hooks as seniors_hooks
from core.testing import ThemaTestApp, backends, make_test_app

from .kit import TODAY, World


@pytest.fixture(params=backends())
def app(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ThemaTestApp]:
    """An app with the « Seniors à domicile » plugin only, on a fresh database of each backend."""
    made = make_test_app(tmp_path, plugins=[seniors_hooks], backend=request.param, today=TODAY)
    yield made
    made.close()


@pytest.fixture
def world(app: ThemaTestApp) -> World:
    """A landlord with the scheme enabled, a site and a portfolio-wide programme offer."""
    return World(app)
