"""Portable SQL helpers for indicators: date arithmetic that runs on SQLite and PostgreSQL alike."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Date, Integer, case, func, literal, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement

from core.contract import IndicatorRequest, IndicatorResult
from core.models import Occupancy, Offer, OfferUnit, Unit

__all__ = [
    "date_value",
    "days_between",
    "earlier",
    "later",
    "occupancy_rate",
    "overlapping_occupancies",
    "years_between",
]


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


def overlapping_occupancies(req: IndicatorRequest) -> list[ColumnElement[bool]]:
    """Conditions selecting the occupancies of the request's offers that overlap its period."""
    return [
        Occupancy.offer_id.in_(req.offer_ids),  # type: ignore[union-attr]
        Occupancy.start_date <= req.period.end,  # type: ignore[list-item]
        or_(Occupancy.end_date.is_(None), Occupancy.end_date >= req.period.start),  # type: ignore[union-attr,operator]
    ]


def occupancy_rate(req: IndicatorRequest) -> IndicatorResult:
    """Occupied unit-days / offered unit-days (capacity, else non-common units, × days open)."""
    if not req.offer_ids:
        return IndicatorResult(None, 0, 0)
    start, end = req.period.start, req.period.end
    stay = days_between(earlier(Occupancy.end_date, end), later(Occupancy.start_date, start)) + 1
    occupied = req.session.execute(
        select(func.coalesce(func.sum(stay), 0)).where(*overlapping_occupancies(req))
    ).scalar_one()
    dwellings = (
        select(func.count(OfferUnit.id))
        .join(Unit, Unit.id == OfferUnit.unit_id)  # type: ignore[arg-type]
        .where(OfferUnit.offer_id == Offer.id, Unit.common.is_(False))  # type: ignore[attr-defined]
        .correlate(Offer)
        .scalar_subquery()
    )
    open_days = days_between(earlier(Offer.end_date, end), later(Offer.start_date, start)) + 1
    offered = req.session.execute(
        select(func.coalesce(func.sum(func.coalesce(Offer.capacity, dwellings) * open_days), 0)).where(
            Offer.id.in_(req.offer_ids)  # type: ignore[union-attr]
        )
    ).scalar_one()
    return IndicatorResult.ratio(float(occupied), float(offered))
