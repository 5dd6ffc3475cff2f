"""Indicators: the core resolves the scope to a scheme's offers and runs the plugin's computation."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select, or_, select
from sqlmodel import Session

from core.contract import Indicator, IndicatorRequest, IndicatorResult, Period, ScopeKind
from core.models import Offer
from core.plugins import Registry
from core.services.schemes import SchemeUnavailable, installed


@dataclass(frozen=True)
class ComputedIndicator:
    """An indicator's definition, the request it ran for, and its figures."""

    indicator: Indicator
    request: IndicatorRequest
    result: IndicatorResult


def offers_in_scope(
    session: Session,
    scope: ScopeKind,
    scope_id: int,
    period: Period,
    restrict: Callable[[Select[Any]], Select[Any]] | None = None,
) -> dict[str, dict[int, dict[str, Any]]]:
    """The offers (id → parameter overrides) of each scheme in the scope during the period."""
    stmt = select(Offer.scheme, Offer.id, Offer.parameters).where(
        Offer.start_date <= period.end,  # type: ignore[arg-type]
        or_(Offer.end_date.is_(None), Offer.end_date >= period.start),  # type: ignore[union-attr]
    )
    if scope is ScopeKind.ORGANISATION:
        stmt = stmt.where(or_(Offer.landlord_id == scope_id, Offer.manager_id == scope_id))
    elif scope is ScopeKind.SITE:
        stmt = stmt.where(Offer.site_id == scope_id)
    else:
        stmt = stmt.where(Offer.id == scope_id)
    if restrict is not None:
        stmt = restrict(stmt)  # only the offers the caller may see: aggregates leak nothing else
    out: dict[str, dict[int, dict[str, Any]]] = {}
    for scheme, offer_id, overrides in session.execute(stmt.order_by(Offer.id)):
        out.setdefault(scheme, {})[offer_id] = dict(overrides or {})
    return out


def compute(
    session: Session,
    registry: Registry,
    scope: ScopeKind,
    scope_id: int,
    period: Period,
    scheme: str | None = None,
    keys: Sequence[str] | None = None,
    restrict: Callable[[Select[Any]], Select[Any]] | None = None,
) -> list[ComputedIndicator]:
    """Every indicator of the schemes present in the scope (or of ``scheme``), over ``period``."""
    if period.end < period.start:
        raise SchemeUnavailable("DATE_ORDER", "La fin de la période précède son début.")
    by_scheme = offers_in_scope(session, scope, scope_id, period, restrict)
    codes = [scheme] if scheme else sorted(c for c in by_scheme if registry.scheme(c))
    out: list[ComputedIndicator] = []
    for code in codes:
        definition = installed(registry, code)
        offers = by_scheme.get(code, {})
        request = IndicatorRequest(
            session,
            definition,
            scope,
            scope_id,
            tuple(offers),
            period,
            {oid: definition.parameters_at(period.end, overrides) for oid, overrides in offers.items()},
        )
        for ind in registry.indicators_of(code):
            if keys and ind.key not in keys:
                continue
            out.append(ComputedIndicator(ind, request, ind.compute(request)))
    return out


def default_period(today: date) -> Period:
    """The current calendar year up to today, when a query gives no period."""
    return Period(date(today.year, 1, 1), today)
