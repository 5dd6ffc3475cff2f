"""Test fixtures: an app with this plugin only, on a throwaway database, and builders.

``thema_app_factory`` comes from thema's test kit (the ``core.testing`` pytest plugin, active as
soon as thema is installed); it runs each test on SQLite, and on PostgreSQL too when
``THEMA_TEST_POSTGRES_URL`` is set.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

from core.testing import Kit, ThemaTestApp, World
from thema_pension_de_famille import hooks
from thema_pension_de_famille.scheme import CODE

#: The tests' "today".
TODAY = date(2026, 1, 1)


@pytest.fixture
def app(thema_app_factory: Callable[..., ThemaTestApp]) -> ThemaTestApp:
    """A fresh app with this plugin only."""
    return thema_app_factory([hooks], today=TODAY)


@pytest.fixture
def kit(app: ThemaTestApp) -> Kit:
    """Builders of organisations, sites, units, offers and households, through the API."""
    return Kit(app)


@pytest.fixture
def world(kit: Kit) -> World:
    """A landlord and an association running the scheme, a site with three units, the offer."""
    return kit.world(CODE)
