"""CHRS indicators, aggregated by the database: occupancy, stays, exits by destination, priority."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import timedelta
from typing import Any

from sqlalchemy import Select, case, distinct, false, func, or_, select
from sqlalchemy.sql.elements import ColumnElement

from core import Indicator, IndicatorRequest, IndicatorResult, IndicatorUnit
from core.models import ORDINARY_HOUSING, ExitDestination, Occupancy, Offer, Person
from core.sql import days_between, earlier, later
from plugins.chrs.models import ChrsProfile
from plugins.chrs.scheme import CODE, SOURCE_CAPACITY, SOURCE_FINALITY, SOURCE_VIOLENCE

# -- portable date arithmetic (SQLite stores dates as ISO text, PostgreSQL as dates) -------------


# -- populations --------------------------------------------------------------------------------


def _in_offers(req: IndicatorRequest) -> ColumnElement[bool]:
    if not req.offer_ids:
        return false()
    return Occupancy.offer_id.in_(req.offer_ids)  # type: ignore[union-attr,no-any-return]


def _hosted(req: IndicatorRequest) -> list[ColumnElement[bool]]:
    """Occupancies of the offers that cover at least one night of the period."""
    return [
        _in_offers(req),
        Occupancy.start_date <= req.period.end,  # type: ignore[list-item]
        or_(Occupancy.end_date.is_(None), Occupancy.end_date > req.period.start),  # type: ignore[union-attr,operator]
    ]


def _exits(req: IndicatorRequest) -> list[ColumnElement[bool]]:
    """Occupancies of the offers that ended (exit) during the period."""
    return [
        _in_offers(req),
        Occupancy.end_date.is_not(None),  # type: ignore[union-attr]
        Occupancy.end_date >= req.period.start,  # type: ignore[operator,list-item]
        Occupancy.end_date <= req.period.end,  # type: ignore[operator,list-item]
    ]


# -- occupancy rate ----------------------------------------------------------------------------


def occupancy_rate(req: IndicatorRequest) -> IndicatorResult:
    """Average places occupied over the period (persons × nights / days) over capacity."""
    if not req.offer_ids:
        return IndicatorResult(None, 0, 0)
    period = req.period
    # A household occupies as many places as it has members (families take several places).
    size = (
        select(Person.household_id, func.count().label("n"))
        .where(or_(Person.left_on.is_(None), Person.left_on > period.start))  # type: ignore[union-attr,operator]
        .where(Person.household_id.in_(select(Occupancy.household_id).where(*_hosted(req))))  # type: ignore[attr-defined]
        .group_by(Person.household_id)
        .subquery()
    )
    # Nights d of the period with start <= d < end (the exit day is not a night spent).
    first = later(Occupancy.start_date, period.start)
    stop = earlier(Occupancy.end_date, period.end + timedelta(days=1))
    nights = days_between(stop, first)
    place_nights = req.session.execute(
        select(func.coalesce(func.sum(nights * size.c.n), 0))
        .select_from(Occupancy)
        .join(size, size.c.household_id == Occupancy.household_id)
        .where(*_hosted(req))
    ).scalar_one()
    capacity = req.session.execute(
        select(func.coalesce(func.sum(Offer.capacity), 0)).where(Offer.id.in_(req.offer_ids))  # type: ignore[union-attr]
    ).scalar_one()
    if not capacity:
        return IndicatorResult(None, round(float(place_nights) / period.days, 2), 0)
    average = float(place_nights) / period.days
    # The value comes from the exact average; the numerator is rounded for display only.
    return IndicatorResult(round(average / float(capacity) * 100, 4), round(average, 2), capacity)


def hosted_households(req: IndicatorRequest) -> Select[Any]:
    """Households hosted at least one night of the period."""
    return select(Occupancy.household_id).distinct().where(*_hosted(req))


# -- length of stay ----------------------------------------------------------------------------


def average_length_of_stay(req: IndicatorRequest) -> IndicatorResult:
    """Mean length in days (entry to exit) of the stays that ended during the period."""
    length = days_between(Occupancy.end_date, Occupancy.start_date)
    total, count = req.session.execute(
        select(func.coalesce(func.sum(length), 0), func.count()).where(*_exits(req))
    ).one()
    if not count:
        return IndicatorResult(None, 0, 0)
    return IndicatorResult(round(float(total) / count, 1), float(total), float(count))


def exiting_households(req: IndicatorRequest) -> Select[Any]:
    """Households whose stay ended during the period."""
    return select(Occupancy.household_id).distinct().where(*_exits(req))


# -- exits by destination ----------------------------------------------------------------------

#: Destination groups, each published as its own indicator: (key suffix, label, destinations).
#: Ordinary housing (logement de droit commun) as the core defines it, in a stable order.
_ORDINARY = tuple(sorted(ORDINARY_HOUSING, key=lambda d: d.value))

#: ``None`` in a group stands for an exit whose destination was not recorded.
DESTINATION_GROUPS: tuple[tuple[str, str, tuple[ExitDestination | None, ...]], ...] = (
    (
        "ordinary_housing",
        "logement de droit commun (parc social, parc privé, accession)",
        _ORDINARY,
    ),
    (
        "supported_housing",
        "logement adapté ou accompagné (résidence sociale, pension de famille…)",
        (ExitDestination.SUPPORTED_HOUSING,),
    ),
    ("family_or_friends", "hébergement chez la famille ou des amis", (ExitDestination.FAMILY_OR_FRIENDS,)),
    ("shelter", "autre structure d'hébergement", (ExitDestination.SHELTER,)),
    ("street", "rue ou habitat de fortune", (ExitDestination.STREET,)),
    ("care_institution", "établissement de soins ou médico-social", (ExitDestination.CARE_INSTITUTION,)),
    (
        "other",
        "autre destination, décès ou destination inconnue",
        (ExitDestination.OTHER, ExitDestination.DECEASED, ExitDestination.UNKNOWN, None),
    ),
)


def _destination_in(destinations: Iterable[ExitDestination | None]) -> ColumnElement[bool]:
    known = [d for d in destinations if d is not None]
    col = Occupancy.exit_destination
    cond: ColumnElement[bool] = col.in_(known)  # type: ignore[union-attr]
    if None in destinations:
        cond = or_(cond, col.is_(None))  # type: ignore[union-attr]
    return cond


def _exit_counts(req: IndicatorRequest, destinations: tuple[ExitDestination | None, ...]) -> tuple[int, int]:
    """(exits to ``destinations``, all exits) in the period, one statement."""
    matched, total = req.session.execute(
        select(
            func.coalesce(func.sum(case((_destination_in(destinations), 1), else_=0)), 0),
            func.count(),
        ).where(*_exits(req))
    ).one()
    return int(matched), int(total)


def _exits_to(
    destinations: tuple[ExitDestination | None, ...],
) -> tuple[Callable[[IndicatorRequest], IndicatorResult], Callable[[IndicatorRequest], Select[Any]]]:
    def compute(req: IndicatorRequest) -> IndicatorResult:
        matched, total = _exit_counts(req, destinations)
        return IndicatorResult(float(matched), float(matched), float(total))

    def households(req: IndicatorRequest) -> Select[Any]:
        return select(Occupancy.household_id).distinct().where(*_exits(req), _destination_in(destinations))

    return compute, households


def exits(req: IndicatorRequest) -> IndicatorResult:
    """Number of stays that ended during the period."""
    _, total = _exit_counts(req, ())
    return IndicatorResult(float(total), float(total), None)


def ordinary_housing_exit_share(req: IndicatorRequest) -> IndicatorResult:
    """Exits to ordinary housing over all exits of the period, in percent."""
    matched, total = _exit_counts(req, DESTINATION_GROUPS[0][2])
    return IndicatorResult.ratio(matched, total)


# -- violence-victim priority ------------------------------------------------------------------


def violence_priority_share(req: IndicatorRequest) -> IndicatorResult:
    """Share of the households hosted in the period recorded as victims of domestic violence."""
    victim = case((ChrsProfile.domestic_violence_victim.is_(True), Occupancy.household_id))  # type: ignore[union-attr]
    hosted, victims = req.session.execute(
        select(func.count(distinct(Occupancy.household_id)), func.count(distinct(victim)))
        .select_from(Occupancy)
        .outerjoin(ChrsProfile, ChrsProfile.household_id == Occupancy.household_id)
        .where(*_hosted(req))
    ).one()
    return IndicatorResult.ratio(int(victims), int(hosted))


# -- catalogue ---------------------------------------------------------------------------------

_EXITS_DEFINITION = (
    "Sorties de la période : séjours des offres CHRS du périmètre dont la date de sortie est "
    "comprise dans la période (bornes incluses)."
)


def _destination_indicators() -> list[Indicator]:
    out = []
    for suffix, label, destinations in DESTINATION_GROUPS:
        compute, households = _exits_to(destinations)
        codes = ", ".join("non renseignée" if d is None else d.value for d in destinations)
        out.append(
            Indicator(
                CODE,
                f"exits_to_{suffix}",
                f"Sorties vers : {label}",
                IndicatorUnit.COUNT,
                f"Nombre de sorties de la période vers : {label} (destinations : {codes}). "
                "Le dénominateur est le nombre total de sorties de la période. " + _EXITS_DEFINITION,
                compute=compute,
                households=households,
                source=SOURCE_FINALITY,
            )
        )
    return out


INDICATORS: tuple[Indicator, ...] = (
    Indicator(
        CODE,
        "occupancy_rate",
        "Taux d'occupation",
        IndicatorUnit.PERCENT,
        "Places occupées en moyenne sur la période / capacité en places. Un ménage occupe autant "
        "de places qu'il compte de membres ; places occupées en moyenne = somme, sur les séjours, "
        "des nuitées de la période (du jour d'entrée inclus au jour de sortie exclu) × taille du "
        "ménage, divisée par le nombre de jours de la période. Capacité = somme des capacités des "
        "offres CHRS du périmètre.",
        compute=occupancy_rate,
        households=hosted_households,
        source=SOURCE_CAPACITY,
    ),
    Indicator(
        CODE,
        "average_length_of_stay",
        "Durée moyenne de séjour",
        IndicatorUnit.DAYS,
        "Moyenne, sur les séjours terminés pendant la période, du nombre de jours entre l'entrée "
        "et la sortie. Numérateur : total des jours ; dénominateur : nombre de séjours terminés.",
        compute=average_length_of_stay,
        households=exiting_households,
    ),
    Indicator(
        CODE,
        "exits",
        "Sorties",
        IndicatorUnit.COUNT,
        "Nombre de séjours terminés pendant la période, toutes destinations confondues ; la "
        "répartition par destination est donnée par les indicateurs exits_to_*.",
        compute=exits,
        households=exiting_households,
        source=SOURCE_FINALITY,
    ),
    *_destination_indicators(),
    Indicator(
        CODE,
        "ordinary_housing_exit_share",
        "Part des sorties vers un logement de droit commun",
        IndicatorUnit.PERCENT,
        "Sorties de la période vers un logement de droit commun (parc social, parc privé, "
        "accession à la propriété) / toutes les sorties de la période, destinations inconnues "
        "comprises.",
        compute=ordinary_housing_exit_share,
        households=_exits_to(DESTINATION_GROUPS[0][2])[1],
        source=SOURCE_FINALITY,
    ),
    Indicator(
        CODE,
        "violence_priority_share",
        "Part des ménages prioritaires au titre des violences conjugales",
        IndicatorUnit.PERCENT,
        "Ménages hébergés au moins une nuit de la période et déclarés victimes de violences "
        "conjugales / ménages hébergés au moins une nuit de la période. Indicateur agrégé "
        "uniquement : la liste des ménages n'est pas exposée (donnée confidentielle).",
        compute=violence_priority_share,
        households=None,
        source=SOURCE_VIOLENCE,
    ),
)
