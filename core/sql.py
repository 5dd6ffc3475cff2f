"""Portable SQL helpers for indicators: date arithmetic that runs on SQLite and PostgreSQL alike."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Date, Integer, case, literal, or_
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement

__all__ = ["date_value", "days_between", "earlier", "later", "years_between"]


# Lower-case names: they read as the SQL functions they render, like ``func.count``.
class days_between(FunctionElement[int]):
    """``days_between(end, start)``: whole days from ``start`` to ``end`` (may be negative)."""

    type = Integer()
    inherit_cache = True


@compiles(days_between)
def _days_between(element: days_between, compiler: SQLCompiler, **kw: Any) -> str:
    end, start = (compiler.process(c, **kw) for c in element.clauses)
    return f"({end} - {start})"  # PostgreSQL: date - date is an integer number of days


@compiles(days_between, "sqlite")
def _days_between_sqlite(element: days_between, compiler: SQLCompiler, **kw: Any) -> str:
    end, start = (compiler.process(c, **kw) for c in element.clauses)
    return f"CAST(julianday({end}) - julianday({start}) AS INTEGER)"


class years_between(FunctionElement[int]):
    """``years_between(birth, at)``: age in completed years at ``at``."""

    type = Integer()
    inherit_cache = True


@compiles(years_between)
def _years_between(element: years_between, compiler: SQLCompiler, **kw: Any) -> str:
    birth, at = (compiler.process(c, **kw) for c in element.clauses)
    return f"CAST(EXTRACT(YEAR FROM age({at}, {birth})) AS INTEGER)"


@compiles(years_between, "sqlite")
def _years_between_sqlite(element: years_between, compiler: SQLCompiler, **kw: Any) -> str:
    birth, at = (compiler.process(c, **kw) for c in element.clauses)
    return (
        f"(CAST(strftime('%Y', {at}) AS INTEGER) - CAST(strftime('%Y', {birth}) AS INTEGER)"
        f" - (strftime('%m-%d', {at}) < strftime('%m-%d', {birth})))"
    )


def date_value(value: date) -> ColumnElement[date]:
    """A date literal typed as a date (so the database compares and subtracts it as one)."""
    return literal(value, Date)


def later(column: Any, bound: date) -> ColumnElement[date]:
    """The later of a date column and a date (e.g. clip a start to the period's start)."""
    return case((column > bound, column), else_=date_value(bound))


def earlier(column: Any, bound: date) -> ColumnElement[date]:
    """The earlier of a nullable end-date column (NULL: still running) and a date."""
    return case((or_(column.is_(None), column > bound), date_value(bound)), else_=column)
