"""Pension de famille indicators, computed by the database over the offers in a scope and a period.

The text's promise is « un habitat durable »: besides the occupancy of the places, the share of
residents who have lived there at least a year says whether the housing is durable.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, case, distinct, func, or_, select
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col

from core import Indicator, IndicatorRequest, IndicatorResult, IndicatorUnit
from core.models import Occupancy, Offer
from core.sql import date_value, days_between, earlier, later
from thema_pension_de_famille.scheme import CODE, PURPOSE


def _overlapping(req: IndicatorRequest) -> list[ColumnElement[bool]]:
    """Occupancies of the scope's offers that overlap the period."""
    return [
        col(Occupancy.offer_id).in_(req.offer_ids),
        col(Occupancy.start_date) <= req.period.end,
        or_(col(Occupancy.end_date).is_(None), col(Occupancy.end_date) >= req.period.start),
    ]


def households_housed(req: IndicatorRequest) -> IndicatorResult:
    """Households with an occupancy of the offers overlapping the period (one COUNT)."""
    if not req.offer_ids:
        return IndicatorResult(0.0, 0.0)
    count = req.session.execute(
        select(func.count(distinct(col(Occupancy.household_id)))).where(*_overlapping(req))
    ).scalar_one()
    return IndicatorResult(float(count), float(count))


def housed_households(req: IndicatorRequest) -> Select[Any]:
    """Drill-down: the ids of the households counted."""
    return select(col(Occupancy.household_id)).where(*_overlapping(req)).distinct()


def occupancy_rate(req: IndicatorRequest) -> IndicatorResult:
    """Occupied place-days / (capacity × days each offer runs in the period)."""
    if not req.offer_ids:
        return IndicatorResult(None, 0.0, 0.0)
    start, end = req.period.start, req.period.end
    occupied = req.session.execute(
        select(
            func.coalesce(
                func.sum(
                    days_between(earlier(Occupancy.end_date, end), later(Occupancy.start_date, start)) + 1
                ),
                0,
            )
        ).where(*_overlapping(req))
    ).scalar_one()
    offered = req.session.execute(
        select(
            func.coalesce(
                func.sum(
                    func.coalesce(col(Offer.capacity), 0)
                    * (days_between(earlier(Offer.end_date, end), later(Offer.start_date, start)) + 1)
                ),
                0,
            )
        ).where(col(Offer.id).in_(req.offer_ids), col(Offer.start_date) <= end)
    ).scalar_one()
    return IndicatorResult.ratio(float(occupied), float(offered))


def _present_at_end(req: IndicatorRequest) -> list[ColumnElement[bool]]:
    """Occupancies of the offers in force on the last day of the period."""
    end = req.period.end
    return [
        col(Occupancy.offer_id).in_(req.offer_ids),
        col(Occupancy.start_date) <= end,
        or_(col(Occupancy.end_date).is_(None), col(Occupancy.end_date) >= end),
    ]


def long_stay_share(req: IndicatorRequest) -> IndicatorResult:
    """Residents on the last day of the period who had lived there a year or more / residents."""
    if not req.offer_ids:
        return IndicatorResult(None, 0.0, 0.0)
    lasted = days_between(date_value(req.period.end), col(Occupancy.start_date)) >= 365
    durable, total = req.session.execute(
        select(
            func.count(distinct(case((lasted, col(Occupancy.household_id))))),
            func.count(distinct(col(Occupancy.household_id))),
        ).where(*_present_at_end(req))
    ).one()
    return IndicatorResult.ratio(float(durable), float(total))


def long_stay_households(req: IndicatorRequest) -> Select[Any]:
    """Drill-down: the residents on the last day who had lived there a year or more."""
    lasted = days_between(date_value(req.period.end), col(Occupancy.start_date)) >= 365
    return select(col(Occupancy.household_id)).where(*_present_at_end(req), lasted).distinct()


INDICATORS = (
    Indicator(
        CODE,
        "households_housed",
        "Ménages logés",
        IndicatorUnit.COUNT,
        "Nombre de ménages dont une occupation d'un logement de l'offre chevauche la période.",
        compute=households_housed,
        households=housed_households,
    ),
    Indicator(
        CODE,
        "occupancy_rate",
        "Taux d'occupation",
        IndicatorUnit.PERCENT,
        "Journées-places occupées dans la période / (capacité de l'offre × jours d'ouverture dans la "
        "période).",
        compute=occupancy_rate,
        households=housed_households,
        source=PURPOSE,
    ),
    Indicator(
        CODE,
        "long_stay_share",
        "Part des résidents logés depuis au moins un an",
        IndicatorUnit.PERCENT,
        "Résidents présents le dernier jour de la période et entrés au moins 365 jours avant / "
        "résidents présents ce jour-là (« un habitat durable »).",
        compute=long_stay_share,
        households=long_stay_households,
        source=PURPOSE,
    ),
)
