"""Database engine and sessions: one engine per app, one session per request or command."""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DisconnectionError
from sqlmodel import Session, create_engine


def make_engine(url: str, *, echo: bool = False) -> Engine:
    """Create the engine for ``url``; SQLite gets foreign keys and WAL for concurrent readers."""
    # hide_parameters: SQL errors never carry the values (personal data) into logs or messages.
    kwargs: dict[str, Any] = {"echo": echo, "future": True, "hide_parameters": not echo}
    if url.startswith("sqlite"):
        kwargs["connect_args"] = {"check_same_thread": False}
    else:
        # Recently used connections first: under load they never sit idle long enough to be pinged.
        kwargs["pool_use_lifo"] = True
        kwargs["pool_recycle"] = 1800
    engine = create_engine(url, **kwargs)
    if not url.startswith("sqlite"):
        _ping_after_idle(engine)
        _note_writes(engine)
    if url.startswith("sqlite"):

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            if ":memory:" not in url:
                cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA busy_timeout=5000")
            cur.close()

    return engine


_WROTE = "thema_wrote"


def _note_writes(engine: Engine) -> None:
    """Record on each connection whether its transaction sent anything but a SELECT."""

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        conn.info[_WROTE] = False

    @event.listens_for(engine, "before_cursor_execute")
    def _note(conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if not statement.startswith("SELECT"):
            conn.info[_WROTE] = True


def read_rows(session: Session, stmt: Any, params: Any = None) -> Sequence[Any]:
    """Rows of a Core ``stmt`` in ``session``'s transaction, without the ORM's result layer.

    For rows that are only read (shown, turned into facts): plain rows cost a fraction of ORM
    objects, and they are fetched in one call (iterating a result fetches row by row). Pending
    changes are flushed first, as ``Session.execute`` does.
    """
    if session.autoflush and (session.new or session.deleted or session.dirty):
        session.flush()
    return session.connection().execute(stmt, params).all()


def mark_written(conn: Any) -> None:
    """Record that ``conn``'s transaction writes, for writes past SQLAlchemy (the driver's COPY)."""
    conn.info[_WROTE] = True


def end_reading(session: Session) -> None:
    """End ``session``'s transaction by a COMMIT when it only read, on PostgreSQL; else leave it.

    A transaction that only read commits or rolls back alike, but psycopg forgets its prepared
    statements on every ROLLBACK: a request's statements, the same every time, would be planned
    again by each request instead of once per connection. Anything but a SELECT sent in the
    transaction (a write, a temporary table), a pending change or a failed transaction leaves it
    to the rollback that closing the session does.
    """
    if not session.in_transaction() or session.new or session.dirty or session.deleted:
        return
    conn = session.connection()
    if conn.dialect.name != "postgresql" or conn.info.get(_WROTE) is not False:
        return
    dbapi = conn.connection.dbapi_connection
    status = getattr(getattr(dbapi, "info", None), "transaction_status", None)
    if status is None or status.name != "INTRANS":
        return
    session.commit()


#: A pooled connection idle longer than this is checked (one round trip) before it is used.
PING_AFTER_IDLE_SECONDS = 5.0


def _ping_after_idle(engine: Engine) -> None:
    """Check a pooled connection before use only when it has been idle for a while.

    ``pool_pre_ping`` would cost every request a round trip. A database restart or a network cut
    happens while connections sit idle; a busy worker's connections never do, and any disconnect
    that still gets through invalidates the whole pool (the next checkout reconnects), while the
    token lookup, first of every request, retries once (``core.app``).
    """

    @event.listens_for(engine, "checkin")
    def _idle_from(_dbapi: Any, record: Any) -> None:
        record.info["thema_idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping_if_idle(dbapi: Any, record: Any, _proxy: Any) -> None:
        since = record.info.get("thema_idle_since")
        if since is None or time.monotonic() - since < PING_AFTER_IDLE_SECONDS:
            return
        try:
            alive = engine.dialect.do_ping(dbapi)
        except Exception as exc:  # the pool retries with a new connection
            raise DisconnectionError("idle connection lost") from exc
        if not alive:
            raise DisconnectionError("idle connection lost")


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """Yield a session committed on success and rolled back on error (one transaction)."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
