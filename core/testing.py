"""Test kit for thema and its plugins (a pytest plugin): apps on throwaway databases, HTTP, GraphQL.

Use ``make_test_app(tmp_path, plugins=[my_plugin.hooks])`` or the fixtures ``thema_app`` (all
installed plugins) and ``thema_app_factory``. Databases: a SQLite file per app, and when
``THEMA_TEST_POSTGRES_URL`` is set, the ``thema_app`` tests run on a fresh PostgreSQL database too.
"""

from __future__ import annotations

import asyncio
import atexit
import os
import shutil
import tempfile
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlmodel import Session

from core.app import create_app
from core.auth import create_token
from core.demo import DemoContext, run_demo
from core.graphql.relay import from_global_id
from core.migrate import upgrade
from core.models import Role
from core.plugins import Registry, build_registry
from core.settings import Settings

POSTGRES_ENV = "THEMA_TEST_POSTGRES_URL"


def postgres_url() -> str | None:
    """The PostgreSQL server tests may use, if configured."""
    return os.environ.get(POSTGRES_ENV) or None


def create_database(base_url: str, template: str | None = None) -> str:
    """Create a throwaway database on the server of ``base_url`` (a copy of ``template``)."""
    url = make_url(base_url)
    name = f"thema_t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    copy = f' TEMPLATE "{template}"' if template else ""
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"{copy}'))
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


def drop_database(db_url: str, base_url: str) -> None:
    """Drop a database made by ``create_database``."""
    name = make_url(db_url).database
    admin = create_engine(make_url(base_url), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


#: Migrated template databases, one per backend and plugin set, copied for each test app.
_TEMPLATES: dict[tuple[str, tuple[str, ...]], str] = {}


def _template(backend: str, registry: Registry, base: str | None) -> str:
    """A database migrated once for this plugin set: a SQLite file path or a PostgreSQL name."""
    key = (backend, tuple(sorted(p.module for p in registry.plugins)))
    found = _TEMPLATES.get(key)
    if found is not None:
        return found
    if backend == "postgres":
        assert base is not None
        url = create_database(base)
        upgrade(url, registry)
        found = str(make_url(url).database)
        atexit.register(drop_database, url, base)
    else:
        folder = Path(tempfile.mkdtemp(prefix="thema-templates-"))
        path = folder / "template.db"
        upgrade(f"sqlite:///{path}", registry)
        found = str(path)
        atexit.register(shutil.rmtree, folder, True)
    _TEMPLATES[key] = found
    return found


class ThemaTestApp:
    """An app on its own migrated database, with an in-process HTTP client."""

    def __init__(
        self,
        settings: Settings,
        plugins: Sequence[ModuleType] | None,
        cleanup: Callable[[], None] | None = None,
    ) -> None:
        self.settings = settings
        self.app = create_app(settings, plugins)
        self.registry: Registry = self.app.state.registry
        self.engine = self.app.state.engine
        self._cleanup = cleanup
        #: A platform operator's token holding every permission: the default caller of the tests.
        self.token = self.create_token(None, Role.PLATFORM, ["*"])

    def create_token(
        self, organisation: str | int | None, role: Role | str, permissions: Sequence[str] = ()
    ) -> str:
        """A bearer token for an organisation (global id or pk; None: a platform operator)."""
        if isinstance(organisation, str):
            decoded = from_global_id(organisation)
            assert decoded is not None and decoded[0] == "Organisation", organisation
            organisation = decoded[1]
        with self.session() as s:
            secret, _ = create_token(
                s, organisation_id=organisation, role=Role(role), permissions=permissions
            )
        return secret

    def request(self, method: str, path: str, *, token: str | None = "", **kwargs: Any) -> httpx.Response:
        """Send one HTTP request to the app in process (httpx over ASGI), as ``token``.

        ``token=""`` (default) sends the platform token unless an Authorization header is given;
        ``token=None`` sends no credentials.
        """
        headers = dict(kwargs.pop("headers", None) or {})
        if not any(k.lower() == "authorization" for k in headers):
            chosen = self.token if token == "" else token
            if chosen:
                headers["Authorization"] = f"Bearer {chosen}"
        kwargs["headers"] = headers

        async def send() -> httpx.Response:
            transport = httpx.ASGITransport(app=self.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://thema.test") as c:
                return await c.request(method, path, **kwargs)

        return asyncio.run(send())

    def graphql_raw(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        headers: dict[str, str] | None = None,
        token: str | None = "",
    ) -> dict[str, Any]:
        """POST a GraphQL operation as ``token`` (default: the platform token); the full JSON answer."""
        response = self.request(
            "POST", "/graphql", json={"query": query, "variables": variables}, headers=headers, token=token
        )
        answer: dict[str, Any] = response.json()
        return answer

    def graphql(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        headers: dict[str, str] | None = None,
        token: str | None = "",
    ) -> dict[str, Any]:
        """POST a GraphQL operation and return its ``data``, failing the test on any error."""
        answer = self.graphql_raw(query, variables, headers=headers, token=token)
        assert not answer.get("errors"), answer.get("errors")
        data: dict[str, Any] = answer["data"]
        return data

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A database session, committed on exit."""
        with Session(self.engine, expire_on_commit=False) as s:
            yield s
            s.commit()

    def demo(self, *, seed: int = 1, households: int = 20) -> DemoContext:
        """Load the demo world and the plugins' demo data."""
        with self.session() as s:
            return run_demo(s, self.registry, seed=seed, households=households)

    def close(self) -> None:
        """Release connections and drop a throwaway database."""
        self.engine.dispose()
        if self._cleanup:
            self._cleanup()


def make_test_app(
    tmp_path: Path,
    plugins: Sequence[ModuleType] | None = None,
    *,
    backend: str = "sqlite",
    today: date | None = None,
    **settings: Any,
) -> ThemaTestApp:
    """An app with ``plugins`` (None: the installed ones) on a fresh database of ``backend``."""
    cleanup = None
    base = postgres_url()
    if backend == "postgres" and base is None:
        pytest.skip(f"{POSTGRES_ENV} is not set")
    # Tests send bursts of requests: no rate limit unless a test asks for one.
    settings = {"environment": "test", "rate_limit_per_second": 0.0, **settings}
    probe = Settings(**settings)
    template = _template(backend, build_registry(probe, plugins), base)
    if backend == "postgres":
        assert base is not None
        url = create_database(base, template=template)
        cleanup = lambda: drop_database(url, base)  # noqa: E731
    else:
        path = tmp_path / f"thema-{uuid.uuid4().hex[:8]}.db"
        shutil.copyfile(template, path)
        url = f"sqlite:///{path}"
    config = Settings(database_url=url, fixed_today=today, **settings)
    try:
        return ThemaTestApp(config, plugins, cleanup)
    except BaseException:
        if cleanup:
            cleanup()
        raise


def backends() -> list[Any]:
    """SQLite always; PostgreSQL when configured (else the parameter is skipped)."""
    return [
        "sqlite",
        pytest.param(
            "postgres",
            marks=pytest.mark.skipif(postgres_url() is None, reason=f"{POSTGRES_ENV} not set"),
        ),
    ]


@pytest.fixture(params=backends())
def thema_backend(request: pytest.FixtureRequest) -> str:
    """The database backend of the test: ``sqlite`` or ``postgres``."""
    return str(request.param)


@pytest.fixture
def thema_app_factory(tmp_path: Path, thema_backend: str) -> Iterator[Callable[..., ThemaTestApp]]:
    """Build apps with chosen plugins on the test's backend; closed at the end of the test."""
    made: list[ThemaTestApp] = []

    def factory(plugins: Sequence[ModuleType] | None = None, **kwargs: Any) -> ThemaTestApp:
        kwargs.setdefault("backend", thema_backend)
        app = make_test_app(tmp_path, plugins, **kwargs)
        made.append(app)
        return app

    yield factory
    for app in made:
        app.close()


@pytest.fixture
def thema_app(thema_app_factory: Callable[..., ThemaTestApp]) -> ThemaTestApp:
    """An app with every installed plugin on a fresh database."""
    return thema_app_factory()


# The plugin authors' builders and conformance suite live beside this module; re-exported here.
from core.conformance import CHECKS as CONFORMANCE_CHECKS  # noqa: E402, F401
from core.conformance import ConformanceError, assert_conforms, check_plugin  # noqa: E402, F401
from core.testkit import Kit, World, born, criterion, failing, missing  # noqa: E402, F401


@pytest.fixture
def thema_kit(thema_app: ThemaTestApp) -> Kit:
    """Builders (organisations, sites, units, offers, households) on ``thema_app``, through the API."""
    return Kit(thema_app)
