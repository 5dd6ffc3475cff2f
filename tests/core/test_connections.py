"""PostgreSQL connections: no ping per request, and a database restart costs no request."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import create_engine, event, text

from core import db
from core.testing import ThemaTestApp

QUERY = "{ schemes { code } }"


@pytest.fixture
def thema_app(thema_app_factory: Callable[..., ThemaTestApp]) -> ThemaTestApp:
    """The app without its token cache: every request reaches the database."""
    return thema_app_factory(token_cache_seconds=0)


def _postgres(app: ThemaTestApp) -> None:
    if app.engine.dialect.name != "postgresql":
        pytest.skip("connections to a server only")


def _kill_connections(app: ThemaTestApp) -> int:
    """Terminate the app's server connections, as a database restart would."""
    other = create_engine(app.engine.url, isolation_level="AUTOCOMMIT")
    with other.connect() as conn:
        killed = conn.execute(
            text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        ).scalar_one()
    other.dispose()
    return int(killed)


def test_a_busy_connection_is_not_pinged(thema_app: ThemaTestApp, monkeypatch: pytest.MonkeyPatch) -> None:
    _postgres(thema_app)
    thema_app.graphql(QUERY)
    dialect = thema_app.engine.dialect
    pings: list[int] = []
    ping = dialect.do_ping
    monkeypatch.setattr(dialect, "do_ping", lambda conn: pings.append(1) or ping(conn))
    sent: list[str] = []
    event.listen(thema_app.engine, "before_cursor_execute", lambda *a: sent.append(a[2]))
    thema_app.graphql(QUERY)
    assert pings == []  # no round trip to check the connection
    assert len(sent) == 1 and "token" in sent[0].lower()  # only the token lookup


def test_connections_killed_under_a_busy_worker_cost_no_request(thema_app: ThemaTestApp) -> None:
    _postgres(thema_app)
    thema_app.graphql(QUERY)
    assert _kill_connections(thema_app) >= 1
    # Not idle long enough to be pinged: the token lookup meets the dead connection and retries.
    assert thema_app.graphql(QUERY)["schemes"]


def test_an_idle_connection_is_checked_before_use(
    thema_app: ThemaTestApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    _postgres(thema_app)
    thema_app.graphql(QUERY)
    monkeypatch.setattr(db, "PING_AFTER_IDLE_SECONDS", 0.0)
    assert _kill_connections(thema_app) >= 1
    pings: list[int] = []
    event.listen(thema_app.engine.pool, "connect", lambda *_: pings.append(1))
    assert thema_app.graphql(QUERY)["schemes"]
    assert pings  # the dead idle connection was found by its check and replaced


def test_a_checked_token_is_trusted_for_a_few_seconds_only(
    thema_app_factory: Callable[..., ThemaTestApp], monkeypatch: pytest.MonkeyPatch
) -> None:
    import time

    from sqlmodel import select

    from core import auth
    from core.models import ApiToken

    app = thema_app_factory(token_cache_seconds=2)
    app.graphql(QUERY)
    sent: list[str] = []
    event.listen(app.engine, "before_cursor_execute", lambda *a: sent.append(a[2]))
    app.graphql(QUERY)
    assert sent == []  # the caller was remembered: no round trip
    with app.session() as s:  # revoked behind the server's back (another process)
        for row in s.exec(select(ApiToken)).all():
            row.revoked_at = row.created_at
    assert app.graphql(QUERY)["schemes"]  # still trusted, within the two seconds
    later = time.monotonic() + 2.5
    monkeypatch.setattr(auth, "_clock", lambda: later)
    assert app.request("POST", "/graphql", json={"query": QUERY}).status_code == 401


def test_a_revocation_in_the_process_is_immediate(thema_app_factory: Callable[..., ThemaTestApp]) -> None:
    from core.auth import revoke_token

    app = thema_app_factory(token_cache_seconds=60)
    app.graphql(QUERY)
    with app.session() as s:
        assert revoke_token(s, app.token) == 1
    assert app.request("POST", "/graphql", json={"query": QUERY}).status_code == 401
