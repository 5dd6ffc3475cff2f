"""ASR indicators, aggregated by the database: households, months of support, QPV, weekly visits."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sqlalchemy import (
    Select,
    and_,
    case,
    distinct,
    exists,
    false,
    func,
    or_,
    select,
    union,
)
from sqlalchemy.sql.elements import ColumnElement

from core import Indicator, IndicatorRequest, IndicatorResult, IndicatorUnit
from core.models import (
    ContactKind,
    Occupancy,
    Offer,
    Site,
    SupportContact,
    SupportEpisode,
    Unit,
)
from core.sql import days_between, earlier, later
from plugins.asr.scheme import CODE, SOURCE_FIGURES, SOURCE_VISITS

#: Days in an average month (365.25 / 12): the "équivalence" in months of the published figure.
DAYS_PER_MONTH = 365.25 / 12

# -- portable date arithmetic (SQLite stores dates as ISO text, PostgreSQL as dates) -------------


# -- populations --------------------------------------------------------------------------------


def _supported(req: IndicatorRequest) -> list[ColumnElement[bool]]:
    """Support episodes of the offers that overlap the period (both ends inclusive)."""
    if not req.offer_ids:
        return [false()]
    return [
        SupportEpisode.offer_id.in_(req.offer_ids),  # type: ignore[union-attr]
        SupportEpisode.start_date <= req.period.end,  # type: ignore[list-item]
        or_(SupportEpisode.end_date.is_(None), SupportEpisode.end_date >= req.period.start),  # type: ignore[union-attr,operator]
    ]


def _window(req: IndicatorRequest) -> tuple[ColumnElement[Any], ColumnElement[Any]]:
    """First and last day of each episode inside the period."""
    first = later(SupportEpisode.start_date, req.period.start)
    last = earlier(SupportEpisode.end_date, req.period.end)
    return first, last


def supported_households(req: IndicatorRequest) -> Select[Any]:
    """Households with a support episode of the offers during the period."""
    return select(SupportEpisode.household_id).distinct().where(*_supported(req))


def households_supported(req: IndicatorRequest) -> IndicatorResult:
    """Number of distinct households supported at least one day of the period."""
    n = req.session.execute(
        select(func.count(distinct(SupportEpisode.household_id))).where(*_supported(req))
    ).scalar_one()
    return IndicatorResult(float(n), float(n), None)


def support_months(req: IndicatorRequest) -> IndicatorResult:
    """Days of support inside the period, summed over episodes, divided by 365.25 / 12."""
    first, last = _window(req)
    days = req.session.execute(
        select(func.coalesce(func.sum(days_between(last, first) + 1), 0)).where(*_supported(req))
    ).scalar_one()
    return IndicatorResult(round(float(days) / DAYS_PER_MONTH, 1), float(days), DAYS_PER_MONTH)


def _in_priority_district(req: IndicatorRequest) -> ColumnElement[bool]:
    """The household lived in a QPV site during the period (an occupancy overlapping it)."""
    return exists(
        select(Occupancy.id)
        .join(Unit, Unit.id == Occupancy.unit_id)  # type: ignore[arg-type]
        .join(Site, Site.id == Unit.site_id)  # type: ignore[arg-type]
        .where(
            Occupancy.household_id == SupportEpisode.household_id,
            Site.in_priority_district.is_(True),  # type: ignore[attr-defined]
            Occupancy.start_date <= req.period.end,  # type: ignore[arg-type]
            or_(Occupancy.end_date.is_(None), Occupancy.end_date >= req.period.start),  # type: ignore[union-attr,operator]
        )
    )


def priority_district_share(req: IndicatorRequest) -> IndicatorResult:
    """Supported households living in a priority district (QPV) over supported households."""
    qpv = case((_in_priority_district(req), SupportEpisode.household_id))
    total, in_qpv = req.session.execute(
        select(func.count(distinct(SupportEpisode.household_id)), func.count(distinct(qpv))).where(
            *_supported(req)
        )
    ).one()
    return IndicatorResult.ratio(int(in_qpv), int(total))


def priority_district_households(req: IndicatorRequest) -> Select[Any]:
    """Supported households living in a QPV during the period."""
    return select(SupportEpisode.household_id).distinct().where(*_supported(req), _in_priority_district(req))


# -- weekly visits ------------------------------------------------------------------------------


def _week_bounds(req: IndicatorRequest) -> tuple[ColumnElement[Any], ColumnElement[Any]]:
    """Indexes k of the first and last complete weeks of each episode inside the period.

    Week k of an episode runs from ``start + 7k`` to ``start + 7k + 6``; it counts when it lies
    entirely within both the episode and the period. With A = first day - start and B = last day
    - start (both ≥ 0), k runs from ceil(A / 7) to floor((B - 6) / 7) = floor((B + 1) / 7) - 1;
    numerators stay non-negative so integer division is a floor on every database.
    """
    first, last = _window(req)
    a = days_between(first, SupportEpisode.start_date)
    b = days_between(last, SupportEpisode.start_date)
    return (a + 6) // 7, (b + 1) // 7 - 1


def _rules(req: IndicatorRequest) -> list[tuple[IndicatorRequest, int, list[ContactKind]]]:
    """The offers of the scope grouped by their visit rules (offers may override the parameters).

    One statement; the result is one narrowed request per distinct (minimum, kinds) pair, so the
    computation stays in SQL whatever the number of episodes.
    """
    groups: dict[tuple[int, tuple[str, ...]], list[int]] = {}
    rows = req.session.execute(
        select(Offer.id, Offer.parameters).where(Offer.id.in_(req.offer_ids))  # type: ignore[union-attr]
    )
    for offer_id, overrides in rows:
        values = req.scheme.parameters_at(req.period.end, overrides or {}).values
        key = (int(values["min_visits_per_week"]), tuple(sorted(values["visit_kinds"] or ())))
        groups.setdefault(key, []).append(offer_id)
    return [
        (
            replace(req, offer_ids=tuple(ids)),
            minimum,
            [k for k in ContactKind if k.value in kinds],
        )
        for (minimum, kinds), ids in sorted(groups.items())
    ]


def _weeks_ok(req: IndicatorRequest, minimum: int, kinds: list[ContactKind]) -> Select[Any]:
    """(household, episode, week) of the period with at least ``minimum`` visits."""
    k_min, k_max = _week_bounds(req)
    week = days_between(SupportContact.contact_on, SupportEpisode.start_date) // 7
    stmt = (
        select(SupportEpisode.household_id, SupportContact.episode_id, week.label("week"))
        .join(SupportEpisode, SupportEpisode.id == SupportContact.episode_id)  # type: ignore[arg-type]
        .where(
            *_supported(req),
            SupportContact.kind.in_(kinds),  # type: ignore[attr-defined]
            SupportContact.contact_on >= SupportEpisode.start_date,  # type: ignore[operator]
            week >= k_min,
            week <= k_max,
        )
        .group_by(SupportEpisode.household_id, SupportContact.episode_id, week)
    )
    return stmt.having(func.count() >= minimum)


def _complete_weeks(req: IndicatorRequest) -> int:
    """Complete weeks of the episodes inside the period, one statement."""
    k_min, k_max = _week_bounds(req)
    count = k_max - k_min + 1
    return int(
        req.session.execute(
            select(func.coalesce(func.sum(case((count > 0, count), else_=0)), 0)).where(*_supported(req))
        ).scalar_one()
    )


def weekly_visit_share(req: IndicatorRequest) -> IndicatorResult:
    """Complete weeks of support with at least the minimum visits, over all complete weeks."""
    weeks = ok = 0
    for narrowed, minimum, kinds in _rules(req):
        total = _complete_weeks(narrowed)
        weeks += total
        if minimum <= 0:
            ok += total  # every week meets a zero minimum
            continue
        sub = _weeks_ok(narrowed, minimum, kinds).subquery()
        ok += int(req.session.execute(select(func.count()).select_from(sub)).scalar_one())
    return IndicatorResult.ratio(ok, weeks)


def weekly_visit_households(req: IndicatorRequest) -> Select[Any]:
    """Households with at least one week of the period meeting the minimum number of visits."""
    parts = [_weeks_ok(r, max(m, 0), k).subquery() for r, m, k in _rules(req)]
    if not parts:
        return select(SupportEpisode.household_id).where(false())
    if len(parts) == 1:
        return select(parts[0].c.household_id).distinct()
    merged = union(*(select(p.c.household_id) for p in parts)).subquery()
    return select(merged.c.household_id).distinct()


# -- episode length -----------------------------------------------------------------------------


def _ended(req: IndicatorRequest) -> list[ColumnElement[bool]]:
    if not req.offer_ids:
        return [false()]
    return [
        SupportEpisode.offer_id.in_(req.offer_ids),  # type: ignore[union-attr]
        and_(
            SupportEpisode.end_date.is_not(None),  # type: ignore[union-attr]
            SupportEpisode.end_date >= req.period.start,  # type: ignore[operator]
            SupportEpisode.end_date <= req.period.end,  # type: ignore[operator]
        ),
    ]


def average_episode_length(req: IndicatorRequest) -> IndicatorResult:
    """Mean length in days (first to last day, inclusive) of the episodes ended in the period."""
    length = days_between(SupportEpisode.end_date, SupportEpisode.start_date) + 1
    total, n = req.session.execute(
        select(func.coalesce(func.sum(length), 0), func.count()).where(*_ended(req))
    ).one()
    if not n:
        return IndicatorResult(None, 0, 0)
    return IndicatorResult(round(float(total) / n, 1), float(total), float(n))


def ended_households(req: IndicatorRequest) -> Select[Any]:
    """Households whose support episode ended during the period."""
    return select(SupportEpisode.household_id).distinct().where(*_ended(req))


# -- catalogue ----------------------------------------------------------------------------------

_SCOPE = (
    " Accompagnements pris en compte : épisodes d'accompagnement (support episodes) rattachés "
    "aux offres ASR du périmètre."
)

INDICATORS: tuple[Indicator, ...] = (
    Indicator(
        CODE,
        "households_supported",
        "Ménages accompagnés",
        IndicatorUnit.COUNT,
        "Nombre de ménages distincts accompagnés au moins un jour de la période (épisode commencé "
        "au plus tard le dernier jour et non terminé avant le premier jour)." + _SCOPE,
        compute=households_supported,
        households=supported_households,
        source=SOURCE_FIGURES,
    ),
    Indicator(
        CODE,
        "support_months",
        "Mois d'accompagnement (équivalence)",
        IndicatorUnit.MONTHS,
        "Somme, sur les épisodes, des jours d'accompagnement compris dans la période (du premier "
        "au dernier jour de l'épisode, bornes incluses, limités à la période), divisée par la "
        "durée moyenne d'un mois, 365,25 / 12 = 30,4375 jours ; valeur arrondie au dixième. "
        "Numérateur : jours ; dénominateur : 30,4375." + _SCOPE,
        compute=support_months,
        households=supported_households,
        source=SOURCE_FIGURES,
    ),
    Indicator(
        CODE,
        "priority_district_share",
        "Part des ménages accompagnés résidant en QPV",
        IndicatorUnit.PERCENT,
        "Ménages accompagnés pendant la période dont un logement occupé pendant la période est "
        "situé dans une résidence en quartier prioritaire de la politique de la ville (QPV) / "
        "ménages accompagnés pendant la période." + _SCOPE,
        compute=priority_district_share,
        households=priority_district_households,
        source=SOURCE_FIGURES,
    ),
    Indicator(
        CODE,
        "weekly_visit_share",
        "Part des semaines avec le minimum de visites",
        IndicatorUnit.PERCENT,
        "Semaines complètes d'accompagnement comptant au moins min_visits_per_week visites / "
        "semaines complètes d'accompagnement. Les semaines d'un épisode sont des blocs de 7 jours "
        "comptés depuis son premier jour ; seules comptent celles entièrement comprises dans "
        "l'épisode et dans la période. Une visite est un contact d'un type listé dans visit_kinds "
        "(par défaut : visite à domicile). La liste des ménages donne ceux dont au moins une "
        "semaine atteint le minimum." + _SCOPE,
        compute=weekly_visit_share,
        households=weekly_visit_households,
        target=100.0,
        target_label="au moins une visite par semaine",
        source=SOURCE_VISITS,
    ),
    Indicator(
        CODE,
        "average_episode_length",
        "Durée moyenne d'un accompagnement",
        IndicatorUnit.DAYS,
        "Moyenne, sur les épisodes terminés pendant la période, du nombre de jours du premier au "
        "dernier jour d'accompagnement (bornes incluses). Numérateur : total des jours ; "
        "dénominateur : nombre d'épisodes terminés." + _SCOPE,
        compute=average_episode_length,
        households=ended_households,
    ),
)
