"""HabiTED indicators, aggregated by the database over the scheme's offers and a period.

A tenant is a household whose occupancy of an offer overlaps the period. Every figure is one
or two SQL statements; the drill-down of each is a SELECT of the household ids it counts.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, case, distinct, exists, func, or_, select
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col

from core import Indicator, IndicatorRequest, IndicatorResult, IndicatorUnit
from core.models import Occupancy, Offer, SupportEpisode
from core.sql import days_between, earlier, occupancy_rate, overlapping_occupancies
from plugins.habited.eligibility import DAY_ACTIVITY_LABELS
from plugins.habited.models import HabitedDayActivity, HabitedProfile
from plugins.habited.scheme import CODE, PUBLIC, STOCK


def tenants(req: IndicatorRequest) -> Select[Any]:
    """Households housed by the offers during the period."""
    return select(col(Occupancy.household_id)).where(*overlapping_occupancies(req)).distinct()


# -- computations --------------------------------------------------------------------------------


def average_tenure(req: IndicatorRequest) -> IndicatorResult:
    """Average days from entry to the end of the period (or the exit, if earlier)."""
    if not req.offer_ids:
        return IndicatorResult(None, 0, 0)
    total, n = req.session.execute(
        select(
            func.coalesce(
                func.sum(days_between(earlier(Occupancy.end_date, req.period.end), Occupancy.start_date)),
                0,
            ),
            func.count(col(Occupancy.id)),
        ).where(*overlapping_occupancies(req))
    ).one()
    return IndicatorResult.ratio(float(total), float(n), percent=False)


def _with_activity(kind: HabitedDayActivity) -> ColumnElement[bool]:
    return exists().where(
        col(HabitedProfile.household_id) == col(Occupancy.household_id),
        col(HabitedProfile.day_activity) == kind,
    )


def _tenant_share(req: IndicatorRequest, condition: ColumnElement[bool]) -> IndicatorResult:
    """Tenants meeting ``condition`` / tenants, each household counted once."""
    if not req.offer_ids:
        return IndicatorResult(None, 0, 0)
    counted, total = req.session.execute(
        select(
            func.count(distinct(case((condition, col(Occupancy.household_id))))),
            func.count(distinct(col(Occupancy.household_id))),
        ).where(*overlapping_occupancies(req))
    ).one()
    return IndicatorResult.ratio(float(counted), float(total))


def _supported(req: IndicatorRequest) -> ColumnElement[bool]:
    """A support episode overlapping the period, under the offer or by its managing association."""
    return exists().where(
        col(SupportEpisode.household_id) == col(Occupancy.household_id),
        col(SupportEpisode.start_date) <= req.period.end,
        or_(
            col(SupportEpisode.end_date).is_(None),
            col(SupportEpisode.end_date) >= req.period.start,
        ),
        or_(
            col(SupportEpisode.offer_id) == col(Occupancy.offer_id),
            col(SupportEpisode.organisation_id)
            == select(col(Offer.manager_id))
            .where(col(Offer.id) == col(Occupancy.offer_id))
            .correlate(Occupancy)  # the outer occupancy, two levels up
            .scalar_subquery(),
        ),
    )


def supported_share(req: IndicatorRequest) -> IndicatorResult:
    """Share of tenants supported by the association during the period."""
    return _tenant_share(req, _supported(req))


def supported_households(req: IndicatorRequest) -> Select[Any]:
    """Tenants supported during the period."""
    return tenants(req).where(_supported(req))


def _activity_indicator(kind: HabitedDayActivity) -> Indicator:
    label = DAY_ACTIVITY_LABELS[kind]

    def compute(req: IndicatorRequest) -> IndicatorResult:
        return _tenant_share(req, _with_activity(kind))

    def households(req: IndicatorRequest) -> Select[Any]:
        return tenants(req).where(_with_activity(kind))

    compute.__doc__ = f"Share of tenants whose daytime activity is {kind.value}."
    return Indicator(
        CODE,
        f"day_activity_{kind.value}",
        f"Part des locataires : {label}",
        IndicatorUnit.PERCENT,
        f"Locataires dont l'activité en journée enregistrée est « {label} » / locataires de la "
        "période (ménages dont l'occupation chevauche la période ; une activité non renseignée "
        "ne compte qu'au dénominateur).",
        compute=compute,
        households=households,
        source=PUBLIC,
    )


_ACTIVITIES: tuple[HabitedDayActivity, ...] = (
    HabitedDayActivity.ORDINARY_EMPLOYMENT,
    HabitedDayActivity.SHELTERED_WORKSHOP,
    HabitedDayActivity.ESAT,
    HabitedDayActivity.DAY_CENTRE,
)

INDICATORS = (
    Indicator(
        CODE,
        "occupancy_rate",
        "Taux d'occupation des logements",
        IndicatorUnit.PERCENT,
        "Journées d'occupation réalisées / journées offertes : somme, sur les occupations des "
        "offres, des jours passés dans la période, divisée par la capacité de chaque offre (à "
        "défaut, ses logements hors T4 commun) multipliée par ses jours d'ouverture dans la "
        "période.",
        compute=occupancy_rate,
        households=tenants,
        source=STOCK,
    ),
    Indicator(
        CODE,
        "average_tenure_days",
        "Ancienneté moyenne des locataires",
        IndicatorUnit.DAYS,
        "Somme, sur les occupations qui chevauchent la période, des jours écoulés de l'entrée à "
        "la fin de la période (ou à la sortie si elle est antérieure) / nombre de ces occupations.",
        compute=average_tenure,
        households=tenants,
    ),
    *(_activity_indicator(kind) for kind in _ACTIVITIES),
    Indicator(
        CODE,
        "supported_share",
        "Part des locataires accompagnés par l'association",
        IndicatorUnit.PERCENT,
        "Locataires ayant un accompagnement qui chevauche la période, au titre de l'offre ou par "
        "son association gestionnaire / locataires de la période.",
        compute=supported_share,
        households=supported_households,
        source="« Une gestion intermédiaire et personnalisée par l'association entre le locataire "
        "et le bailleur social. »",
    ),
)
