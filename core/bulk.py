"""Bulk loading: rows inserted in the session's transaction as fast as the backend allows.

``insert_rows(session, Model, rows)`` writes a list of dicts without the ORM unit of work, for the
demo, the benchmark and imports. How, by backend:

- PostgreSQL with psycopg 3: ``COPY … FROM STDIN`` on the session's own connection. PostgreSQL
  refuses ``COPY FROM`` into a table whose row-level security is active for the current role (the
  core tables force it, migration ``0003_rls``, for every role but superusers and ``BYPASSRLS``):
  there the rows are copied into a temporary table and moved by one ``INSERT … SELECT``, so the
  policies still check every row; a role that may not create temporary tables gets SQLAlchemy
  Core's ``executemany`` in batches.
- SQLite: the driver's ``executemany`` over one prepared statement.
- Anything else, or a missing column whose default only SQLAlchemy can compute: Core's
  ``executemany``.

Values go through the column types' own bind processors (enums as their value, JSON as text,
dates…) and missing columns get their scalar Python default, so a row means what it would mean to
``session.execute(insert(table), rows)``. Explicit ids advance the PostgreSQL sequence, so later
inserts do not collide. Nothing is committed: a rollback discards every row.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any, Literal, cast

from sqlalchemy import Table, exc, insert, text
from sqlalchemy.engine import Connection, Dialect
from sqlmodel import Session, SQLModel

from core.db import mark_written

log = logging.getLogger("thema.bulk")

#: How rows were written: ``copy`` (COPY into the table), ``staged_copy`` (COPY into a temporary
#: table, then INSERT … SELECT), ``executemany`` (the driver's, SQLite) or ``core`` (SQLAlchemy).
Method = Literal["copy", "staged_copy", "executemany", "core"]

#: Rows per statement on the Core path.
CORE_BATCH = 5000

_STAGE = "thema_bulk_stage"
_CACHE = "thema.bulk"


def insert_rows(session: Session, target: type[SQLModel] | Table, rows: Iterable[Mapping[str, Any]]) -> int:
    """Insert ``rows`` (mappings with the same keys) into ``target`` in the session's transaction.

    Pending ORM objects are flushed first (rows may reference them); the rows are visible to the
    session at once and committed or rolled back with it. Returns the number of rows.
    """
    batch: Sequence[Mapping[str, Any]] = rows if isinstance(rows, list) else list(rows)
    if not batch:
        return 0
    table = _table(target)
    keys = list(batch[0])
    unknown = sorted(k for k in keys if k not in table.c)
    if unknown:
        raise ValueError(f"{table.name}: unknown columns {', '.join(unknown)}")
    session.flush()
    conn = session.connection()
    mark_written(conn)  # the driver's COPY and executemany pass SQLAlchemy by
    plan = _plan(table, keys, conn.dialect)
    method = _method(conn, plan)
    if method == "core":
        _core(conn, table, batch)
    else:
        dbapi_error: type[Exception] = conn.dialect.loaded_dbapi.Error
        statements: list[str] = []  # the one running when an error comes, for its message
        try:
            if method == "executemany":
                _executemany(conn, plan, batch, statements)
            else:
                _copy(conn, plan, batch, statements, staged=method == "staged_copy")
        except dbapi_error as error:
            _scrub(error)
            raise exc.DBAPIError.instance(
                statements[-1] if statements else f"bulk insert into {table.name}",
                None,
                error,
                dbapi_error,
                hide_parameters=True,
                dialect=conn.dialect,
            ) from error
    if conn.dialect.name == "postgresql":
        _advance_sequence(conn, table, batch)
    log.debug("bulk insert into %s: %d rows by %s", table.name, len(batch), method)
    return len(batch)


@dataclass(frozen=True)
class _Plan:
    """What to write: quoted table and columns, and how to turn a row into a tuple of values."""

    table: str
    columns: tuple[str, ...]
    get: Callable[[Mapping[str, Any]], tuple[Any, ...]]
    keys: tuple[str, ...]
    processors: tuple[tuple[int, Callable[[Any], Any]], ...]
    #: Values of the columns the rows leave out that have a scalar Python default.
    defaults: tuple[Any, ...]
    #: False when a column left out has a default only SQLAlchemy can compute (callable, SQL).
    portable: bool


def _table(target: type[SQLModel] | Table) -> Table:
    if isinstance(target, Table):
        return target
    table = getattr(target, "__table__", None)
    if not isinstance(table, Table):
        raise TypeError(f"{target!r} is neither a table nor a table model")
    return table


def _plan(table: Table, keys: list[str], dialect: Dialect) -> _Plan:
    def processor(column: Any) -> Callable[[Any], Any] | None:
        result: Callable[[Any], Any] | None = column.type.dialect_impl(dialect).bind_processor(dialect)
        return result

    quote = dialect.identifier_preparer.quote
    names = [quote(table.c[k].name) for k in keys]
    processors = [(i, p) for i, k in enumerate(keys) if (p := processor(table.c[k])) is not None]
    defaults: list[Any] = []
    portable = True
    for column in table.columns:
        if column.key in keys or column.default is None:
            continue  # given, or left to the database (server default, sequence, NULL)
        default: Any = column.default
        if not default.is_scalar:
            portable = False
            continue
        names.append(quote(column.name))
        p = processor(column)
        defaults.append(default.arg if p is None else p(default.arg))
    # itemgetter answers a tuple in C, except for a single key.
    get: Callable[[Mapping[str, Any]], tuple[Any, ...]] = (
        cast(Callable[[Mapping[str, Any]], tuple[Any, ...]], itemgetter(*keys))
        if len(keys) > 1
        else lambda row: (row[keys[0]],)
    )
    return _Plan(
        table=dialect.identifier_preparer.format_table(table),
        columns=tuple(names),
        get=get,
        keys=tuple(keys),
        processors=tuple(processors),
        defaults=tuple(defaults),
        portable=portable,
    )


def _values(plan: _Plan, rows: Sequence[Mapping[str, Any]]) -> Iterator[Sequence[Any]]:
    """Each row as the driver's values, in ``plan.columns`` order."""
    get, processors, tail = plan.get, plan.processors, plan.defaults
    try:
        if not processors:
            for row in rows:
                yield get(row) + tail
        else:
            for row in rows:
                values = list(get(row))
                for i, process in processors:
                    values[i] = process(values[i])
                values.extend(tail)
                yield values
    except KeyError as error:
        if error.args and error.args[0] in plan.keys:
            raise ValueError(f"{plan.table}: every row needs the first row's columns ({error})") from None
        raise


def _cache(conn: Connection) -> dict[Any, Any]:
    """Facts about this database connection (role, privileges), kept as long as it lives."""
    found: dict[Any, Any] = conn.connection.info.setdefault(_CACHE, {})
    return found


def _method(conn: Connection, plan: _Plan) -> Method:
    dialect = conn.dialect
    if not plan.portable:
        return "core"
    if dialect.name == "sqlite" and dialect.driver == "pysqlite":
        return "executemany"
    if dialect.name != "postgresql" or dialect.driver != "psycopg":
        return "core"
    cache = _cache(conn)
    key = ("rls", plan.table)
    if key not in cache:
        rls, temp = conn.execute(
            text(
                "SELECT row_security_active(CAST(:t AS text)), "
                "has_database_privilege(current_database(), 'TEMP')"
            ),
            {"t": plan.table},
        ).one()
        cache[key] = (bool(rls), bool(temp))
    rls, temp = cache[key]
    if not rls:
        return "copy"
    return "staged_copy" if temp else "core"


def _core(conn: Connection, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    statement = insert(table)
    for i in range(0, len(rows), CORE_BATCH):
        try:
            conn.execute(statement, list(rows[i : i + CORE_BATCH]))
        except exc.DBAPIError as error:
            if error.orig is not None:
                _scrub(error.orig)
            raise


def _executemany(
    conn: Connection, plan: _Plan, rows: Sequence[Mapping[str, Any]], statements: list[str]
) -> None:
    marks = ", ".join("?" for _ in plan.columns)
    statement = f"INSERT INTO {plan.table} ({', '.join(plan.columns)}) VALUES ({marks})"
    statements.append(statement)
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.executemany(statement, _values(plan, rows))
    finally:
        cursor.close()


def _copy(
    conn: Connection,
    plan: _Plan,
    rows: Sequence[Mapping[str, Any]],
    statements: list[str],
    *,
    staged: bool,
) -> None:
    columns = ", ".join(plan.columns)
    into = f"pg_temp.{_STAGE}" if staged else plan.table
    with conn.connection.driver_connection.cursor() as cursor:  # type: ignore[union-attr]

        def run(statement: str) -> None:
            statements.append(statement)
            cursor.execute(statement)

        if staged:
            # Only the columns written, with their types and no constraints: the real table checks.
            # No ON COMMIT DROP: under AUTOCOMMIT the table would vanish before the COPY.
            run(f"DROP TABLE IF EXISTS {into}")
            run(f"CREATE TEMP TABLE {_STAGE} AS SELECT {columns} FROM {plan.table} LIMIT 0")
        statements.append(f"COPY {into} ({columns}) FROM STDIN")
        with cursor.copy(statements[-1]) as copy:
            for values in _values(plan, rows):
                copy.write_row(values)
        if staged:
            run(f"INSERT INTO {plan.table} ({columns}) SELECT {columns} FROM {into}")
            run(f"DROP TABLE {into}")


def _advance_sequence(conn: Connection, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """Move the id sequence past explicit ids (never back), so that later inserts do not collide."""
    column = table.autoincrement_column
    if column is None or column.key not in rows[0]:
        return
    top = max((row[column.key] for row in rows if row[column.key] is not None), default=None)
    if top is None:
        return
    cache = _cache(conn)
    key = ("sequence", table.fullname, column.name)
    if key not in cache:
        table_name = conn.dialect.identifier_preparer.format_table(table)
        cache[key] = conn.execute(
            text("SELECT pg_get_serial_sequence(:t, :c)"), {"t": table_name, "c": column.name}
        ).scalar_one()
    sequence = cache[key]
    if sequence is None:
        return
    # The name comes from the catalogue, already quoted; is_called false means last_value is next.
    conn.execute(
        text(
            f"SELECT setval(CAST(:s AS regclass), CAST(:m AS bigint)) FROM {sequence} "
            "WHERE CAST(:m AS bigint) > CASE WHEN is_called THEN last_value ELSE last_value - 1 END"
        ),
        {"s": sequence, "m": int(top)},
    )


def _scrub(error: BaseException) -> None:
    """Keep PostgreSQL's message and key, drop the row it quotes: personal data never reaches logs.

    A failing COPY or INSERT quotes the whole row (``Failing row contains (…)``, ``COPY t, line
    1: "…"``): names, birth dates. The diagnostic fields stay on the error for code that needs them.
    """
    diag = getattr(error, "diag", None)
    primary = getattr(diag, "message_primary", None)
    if not primary:
        return
    detail = diag.message_detail  # type: ignore[union-attr]
    message = str(primary)
    if detail and not str(detail).startswith("Failing row contains"):
        message += f"\nDETAIL:  {detail}"
    error.args = (message,)
