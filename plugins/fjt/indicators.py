"""FJT indicators, aggregated by the database over the scheme's offers in a scope and a period.

Every figure is one or two SQL statements (COUNT / SUM with CASE); the drill-down of each is a
SELECT of the household ids it counts. A resident is a young person (a household member who is
not one of its children) of a household whose occupancy of the offer overlaps the period.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, case, distinct, func, or_, select
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col

from core import Indicator, IndicatorRequest, IndicatorResult, IndicatorUnit
from core.models import MemberRole, Occupancy, Person
from core.sql import days_between, later, occupancy_rate, overlapping_occupancies, years_between
from plugins.fjt.eligibility import IN_ACTIVITY
from plugins.fjt.scheme import BAILLY_PUBLIC, CODE, VIVALDI_QUOTA

# -- populations ---------------------------------------------------------------------------------


def _residents(req: IndicatorRequest) -> list[ColumnElement[bool]]:
    """Young people (not the household's children) present during an overlapping occupancy."""
    return [
        *overlapping_occupancies(req),
        col(Person.household_id) == col(Occupancy.household_id),
        col(Person.role) != MemberRole.CHILD,
        or_(
            col(Person.left_on).is_(None),
            col(Person.left_on) > later(Occupancy.start_date, req.period.start),
        ),
    ]


def _priority_ages(req: IndicatorRequest) -> tuple[int, int]:
    """The priority age band of the scheme's parameters in force at the end of the period."""
    values = req.scheme.parameters_at(req.period.end).values
    return int(values["min_age"]), int(values["priority_max_age"])


def _young_at_entry(req: IndicatorRequest) -> ColumnElement[bool]:
    low, high = _priority_ages(req)
    age = years_between(Person.birth_date, Occupancy.start_date)
    return col(Person.birth_date).is_not(None) & (age >= low) & (age <= high)


def _in_activity() -> ColumnElement[bool]:
    return col(Person.activity).in_(sorted(IN_ACTIVITY))


# -- computations --------------------------------------------------------------------------------


def occupied_households(req: IndicatorRequest) -> Select[Any]:
    """Households with an occupancy overlapping the period."""
    return select(col(Occupancy.household_id)).where(*overlapping_occupancies(req)).distinct()


def _share(req: IndicatorRequest, condition: ColumnElement[bool]) -> IndicatorResult:
    """Residents meeting ``condition`` / residents, each person counted once."""
    if not req.offer_ids:
        return IndicatorResult(None, 0, 0)
    counted, total = req.session.execute(
        select(
            func.count(distinct(case((condition, col(Person.id))))),
            func.count(distinct(col(Person.id))),
        ).where(*_residents(req))
    ).one()
    return IndicatorResult.ratio(float(counted), float(total))


def share_16_25(req: IndicatorRequest) -> IndicatorResult:
    """Share of residents aged 16-25 at their entry."""
    return _share(req, _young_at_entry(req))


def share_16_25_households(req: IndicatorRequest) -> Select[Any]:
    """Households of the residents aged 16-25 at entry."""
    return select(col(Person.household_id)).where(*_residents(req), _young_at_entry(req)).distinct()


def activity_share(req: IndicatorRequest) -> IndicatorResult:
    """Share of residents in activity (work, training, apprenticeship, internship, job seeking)."""
    return _share(req, _in_activity())


def activity_share_households(req: IndicatorRequest) -> Select[Any]:
    """Households of the residents in activity."""
    return select(col(Person.household_id)).where(*_residents(req), _in_activity()).distinct()


def _ended(req: IndicatorRequest) -> list[ColumnElement[bool]]:
    return [
        col(Occupancy.offer_id).in_(req.offer_ids),
        col(Occupancy.end_date).is_not(None),
        col(Occupancy.end_date) >= req.period.start,
        col(Occupancy.end_date) <= req.period.end,
    ]


def _started(req: IndicatorRequest) -> list[ColumnElement[bool]]:
    return [
        col(Occupancy.offer_id).in_(req.offer_ids),
        col(Occupancy.start_date) >= req.period.start,
        col(Occupancy.start_date) <= req.period.end,
    ]


def average_stay(req: IndicatorRequest) -> IndicatorResult:
    """Average length, in days, of the stays that ended in the period."""
    if not req.offer_ids:
        return IndicatorResult(None, 0, 0)
    total, stays = req.session.execute(
        select(
            func.coalesce(func.sum(days_between(Occupancy.end_date, Occupancy.start_date)), 0),
            func.count(col(Occupancy.id)),
        ).where(*_ended(req))
    ).one()
    return IndicatorResult.ratio(float(total), float(stays), percent=False)


def departed_households(req: IndicatorRequest) -> Select[Any]:
    """Households whose stay ended in the period."""
    return select(col(Occupancy.household_id)).where(*_ended(req)).distinct()


def arrivals(req: IndicatorRequest) -> IndicatorResult:
    """Occupancies that started in the period."""
    if not req.offer_ids:
        return IndicatorResult(0.0, 0, None)
    n = req.session.execute(select(func.count(col(Occupancy.id))).where(*_started(req))).scalar_one()
    return IndicatorResult(float(n), float(n), None)


def arrived_households(req: IndicatorRequest) -> Select[Any]:
    """Households whose stay started in the period."""
    return select(col(Occupancy.household_id)).where(*_started(req)).distinct()


def departures(req: IndicatorRequest) -> IndicatorResult:
    """Occupancies that ended in the period."""
    if not req.offer_ids:
        return IndicatorResult(0.0, 0, None)
    n = req.session.execute(select(func.count(col(Occupancy.id))).where(*_ended(req))).scalar_one()
    return IndicatorResult(float(n), float(n), None)


INDICATORS = (
    Indicator(
        CODE,
        "occupancy_rate",
        "Taux d'occupation",
        IndicatorUnit.PERCENT,
        "Journées d'occupation réalisées / journées offertes : somme, sur les occupations des "
        "offres, des jours passés dans la période, divisée par la capacité en places de chaque "
        "offre (à défaut, son nombre de logements) multipliée par ses jours d'ouverture dans la "
        "période. Un ménage occupe une place.",
        compute=occupancy_rate,
        households=occupied_households,
        source="Bailly : « Ce foyer, proposant 40 places »",
    ),
    Indicator(
        CODE,
        "share_16_25",
        "Part des résidents âgés de 16 à 25 ans",
        IndicatorUnit.PERCENT,
        "Résidents âgés de 16 à 25 ans à leur entrée / résidents de la période. Un résident est "
        "un membre (hors enfants) d'un ménage dont l'occupation chevauche la période ; chaque "
        "personne compte une fois ; une date de naissance inconnue ne compte pas au numérateur. "
        "Tranche : paramètres du dispositif en vigueur à la fin de la période.",
        compute=share_16_25,
        households=share_16_25_households,
        source=BAILLY_PUBLIC,
    ),
    Indicator(
        CODE,
        "activity_share",
        "Part des résidents en activité",
        IndicatorUnit.PERCENT,
        "Résidents en emploi, en formation, en alternance, en stage ou en recherche d'emploi / "
        "résidents de la période (membres hors enfants des ménages dont l'occupation chevauche "
        "la période ; situation d'activité enregistrée ; une situation inconnue ne compte pas "
        "au numérateur).",
        compute=activity_share,
        households=activity_share_households,
        target=60.0,
        target_label="Plus de 60 % des jeunes accueillis en activité",
        source=VIVALDI_QUOTA,
    ),
    Indicator(
        CODE,
        "average_stay_days",
        "Durée moyenne de séjour",
        IndicatorUnit.DAYS,
        "Somme des durées (de l'entrée à la sortie, en jours) des séjours terminés dans la "
        "période / nombre de ces séjours.",
        compute=average_stay,
        households=departed_households,
    ),
    Indicator(
        CODE,
        "arrivals",
        "Entrées",
        IndicatorUnit.COUNT,
        "Nombre d'occupations commencées dans la période.",
        compute=arrivals,
        households=arrived_households,
    ),
    Indicator(
        CODE,
        "departures",
        "Sorties",
        IndicatorUnit.COUNT,
        "Nombre d'occupations terminées dans la période.",
        compute=departures,
        households=departed_households,
    ),
)
