"""Indicators of « Seniors à domicile », aggregated by the database over the offers in scope.

The target population (targeted households, core target) is the state at the end of the
period, with each offer's parameters at that date; the programme's activity (contacts, visits,
kits, interventions, alerts) counts the events dated within the period.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    Subquery,
    and_,
    case,
    false,
    func,
    literal,
    or_,
    select,
    union_all,
)
from sqlmodel import Session, col

from core import Indicator, IndicatorRequest, IndicatorResult, IndicatorUnit
from core.models import Household, Occupancy, Offer, Person, Unit

from .models import REACHED, ContactOutcome, SeniorsDomicileVisit
from .scheme import CODE, CORE_TARGET_SOURCE, REACH_SOURCE, REFUSAL_SOURCE, VISIT_SOURCE

V = SeniorsDomicileVisit


def birth_cutoff(reference: date, age: int) -> date:
    """Latest birth date giving at least ``age`` completed years at ``reference``."""
    try:
        return reference.replace(year=reference.year - age)
    except ValueError:  # 29 February in a common year: the birthday is not reached before 1 March
        return date(reference.year - age, 2, 28)


def _offers(session: Session, offer_ids: tuple[int, ...]) -> list[Offer]:
    return list(session.execute(select(Offer).where(col(Offer.id).in_(offer_ids))).scalars())


def _current_member(reference: date) -> ColumnElement[bool]:
    return or_(col(Person.left_on).is_(None), col(Person.left_on) > reference)


def _targeted_of(offer: Offer, req: IndicatorRequest) -> Select[Any]:
    """Households an offer targets at the period's end, with ``core`` (1 in its core target, else 0).

    The members are read once, grouped by household: a household is targeted when its eldest
    current member has the minimal age, and in the core target when, besides, one of them is
    isolated or their resources are all known and sum to at most the fragility threshold.
    A household may come twice (two occupancies in force); counts are of distinct ids.
    """
    ref = req.period.end
    values = req.scheme.parameters_at(ref, offer.parameters).values
    cutoff = birth_cutoff(ref, int(values["min_age"]))
    household_id = col(Household.id)
    owners = (offer.landlord_id, offer.manager_id)
    resources = col(Person.monthly_resources)
    # Members of the offer's landlord's and manager's files only: a person's owner is its household's.
    members = (
        select(
            col(Person.household_id).label("household_id"),
            func.min(col(Person.birth_date)).label("oldest"),
            func.max(case((col(Person.isolated).is_(True), 1), else_=0)).label("isolated"),
            func.count().label("n"),
            func.count(resources).label("known"),
            func.sum(resources).label("resources"),
        )
        .where(col(Person.owner_id).in_(owners), _current_member(ref))
        .group_by(col(Person.household_id))
        .subquery("members")
    )
    m = members.c
    fragile = and_(m.n == m.known, m.resources <= float(values["fragile_max_monthly_resources"]))
    core = case((or_(m.isolated == 1, fragile), 1), else_=0)
    return (
        select(household_id.label("id"), core.label("core"))
        .join(Occupancy, col(Occupancy.household_id) == household_id)
        .join(Unit, col(Unit.id) == col(Occupancy.unit_id))
        .join(members, m.household_id == household_id)
        .where(
            col(Household.owner_id).in_(owners),
            or_(col(Household.closed_on).is_(None), col(Household.closed_on) > ref),
            col(Unit.owner_id) == offer.landlord_id,
            col(Occupancy.start_date) <= ref,
            or_(col(Occupancy.end_date).is_(None), col(Occupancy.end_date) >= ref),
            m.oldest <= cutoff,
        )
    )


def _targets(req: IndicatorRequest) -> Subquery:
    """``(id, core)`` of the households targeted by the offers in scope (see ``_targeted_of``)."""
    parts = [_targeted_of(o, req) for o in _offers(req.session, req.offer_ids)]
    if not parts:
        return select(col(Household.id).label("id"), literal(0).label("core")).where(false()).subquery()
    return (parts[0] if len(parts) == 1 else union_all(*parts)).subquery("targets")


def _population(req: IndicatorRequest, core_only: bool, diagnosed_only: bool = False) -> Select[Any]:
    """Ids of the households targeted by any offer in scope (distinct), as one SELECT.

    ``core_only``: of the core target; ``diagnosed_only``: diagnosed during the period.
    """
    targets = _targets(req)
    stmt = select(targets.c.id).distinct()
    if core_only:
        stmt = stmt.where(targets.c.core == 1)
    return stmt.where(targets.c.id.in_(diagnosed(req))) if diagnosed_only else stmt


def _population_counts(req: IndicatorRequest) -> tuple[int, int, int]:
    """Targeted households, core target, core target diagnosed in the period: one statement.

    Three indicators read these counts; the first to need them counts them, the others find
    them in ``req.shared``.
    """
    found = req.shared.get("population_counts")
    if found is None:
        targets = _targets(req)
        target, core = targets.c.id, targets.c.core == 1
        found = req.shared["population_counts"] = tuple(
            int(n)
            for n in req.session.execute(
                select(
                    func.count(func.distinct(target)),
                    func.count(func.distinct(case((core, target)))),
                    func.count(func.distinct(case((and_(core, target.in_(diagnosed(req))), target)))),
                )
            ).one()
        )
    return found


def _count(req: IndicatorRequest, stmt: Select[Any]) -> int:
    sub = stmt.subquery()
    return int(req.session.execute(select(func.count(func.distinct(sub.c[0])))).scalar_one())


def _in_period(column: Any, req: IndicatorRequest) -> ColumnElement[bool]:
    return and_(column >= req.period.start, column <= req.period.end)


def _visits(req: IndicatorRequest, *conditions: Any) -> Select[Any]:
    return select(col(V.household_id)).where(col(V.offer_id).in_(req.offer_ids), *conditions)


def _contacted(req: IndicatorRequest) -> tuple[Any, ...]:
    return (_in_period(V.contacted_on, req), col(V.contact_outcome).in_(REACHED))


def _refused(req: IndicatorRequest) -> tuple[Any, ...]:
    return (_in_period(V.contacted_on, req), col(V.contact_outcome) == ContactOutcome.REFUSED)


def _count_indicator(
    population: Callable[[IndicatorRequest], Select[Any]],
) -> Callable[[IndicatorRequest], IndicatorResult]:
    def compute(req: IndicatorRequest) -> IndicatorResult:
        if not req.offer_ids:
            return IndicatorResult(0.0, 0.0, None)
        n = float(_count(req, population(req)))
        return IndicatorResult(n, n, None)

    return compute


def targeted(req: IndicatorRequest) -> Select[Any]:
    """Households targeted at the end of the period."""
    return _population(req, core_only=False)


def core_target(req: IndicatorRequest) -> Select[Any]:
    """Core-target households at the end of the period."""
    return _population(req, core_only=True)


def contacted(req: IndicatorRequest) -> Select[Any]:
    """Households reached by the contact (accepted or refused) during the period."""
    return _visits(req, *_contacted(req))


def refused(req: IndicatorRequest) -> Select[Any]:
    """Households reached during the period that refused the visit."""
    return _visits(req, *_refused(req))


def diagnosed(req: IndicatorRequest) -> Select[Any]:
    """Households whose diagnostic visit took place during the period."""
    return _visits(req, _in_period(V.visit_on, req))


def kits(req: IndicatorRequest) -> Select[Any]:
    """Households whose eco kit was installed during the period."""
    return _visits(req, _in_period(V.kit_installed_on, req))


def urgent(req: IndicatorRequest) -> Select[Any]:
    """Households with an urgent technical intervention during the period."""
    return _visits(req, _in_period(V.urgent_intervention_on, req))


def alerts(req: IndicatorRequest) -> Select[Any]:
    """Households reported to the social services during the period."""
    return _visits(req, _in_period(V.social_services_alert_on, req))


def core_reached(req: IndicatorRequest) -> Select[Any]:
    """Core-target households (at the period's end) diagnosed during the period."""
    return _population(req, core_only=True, diagnosed_only=True)


def refusal_rate(req: IndicatorRequest) -> IndicatorResult:
    """Refusals / households reached, contacts dated within the period (one statement)."""
    if not req.offer_ids:
        return IndicatorResult(None, 0.0, 0.0)
    is_refusal = case((col(V.contact_outcome) == ContactOutcome.REFUSED, 1), else_=0)
    reached, refusals = req.session.execute(
        select(func.count(), func.coalesce(func.sum(is_refusal), 0)).where(
            col(V.offer_id).in_(req.offer_ids),
            *_contacted(req),
        )
    ).one()
    return IndicatorResult.ratio(float(refusals), float(reached))


def core_target_reached(req: IndicatorRequest) -> IndicatorResult:
    """Core-target households diagnosed in the period / core-target households."""
    if not req.offer_ids:
        return IndicatorResult(None, 0.0, 0.0)
    _, denominator, numerator = _population_counts(req)
    return IndicatorResult.ratio(float(numerator), float(denominator))


def _population_count(index: int) -> Callable[[IndicatorRequest], IndicatorResult]:
    """The targeted households (0) or the core target (1), from ``_population_counts``."""

    def compute(req: IndicatorRequest) -> IndicatorResult:
        if not req.offer_ids:
            return IndicatorResult(0.0, 0.0, None)
        n = float(_population_counts(req)[index])
        return IndicatorResult(n, n, None)

    return compute


def _indicator(
    key: str,
    label: str,
    unit: IndicatorUnit,
    definition: str,
    compute: Callable[[IndicatorRequest], IndicatorResult],
    households: Callable[[IndicatorRequest], Select[Any]],
    source: str,
    target: float | None = None,
    target_label: str | None = None,
) -> Indicator:
    return Indicator(
        CODE,
        key,
        label,
        unit,
        definition,
        compute,
        households,
        target=target,
        target_label=target_label,
        source=source,
    )


def _count_of_population(
    key: str,
    label: str,
    definition: str,
    population: Callable[[IndicatorRequest], Select[Any]],
    source: str,
) -> Indicator:
    return _indicator(
        key, label, IndicatorUnit.COUNT, definition, _count_indicator(population), population, source
    )


INDICATORS: tuple[Indicator, ...] = (
    _indicator(
        "targeted_households",
        "Ménages ciblés",
        IndicatorUnit.COUNT,
        "Ménages locataires du bailleur à la fin de la période dont un membre a au moins l'âge "
        "minimal (70 ans par défaut) à cette date.",
        _population_count(0),
        targeted,
        "Les ménages sont ciblés sur le critère de l'âge (70 ans et plus) soit 1630 seniors.",
    ),
    _indicator(
        "core_target_households",
        "Ménages du cœur de cible",
        IndicatorUnit.COUNT,
        "Ménages ciblés à la fin de la période qui sont isolés socialement (un membre isolé) ou "
        "fragiles économiquement (ressources mensuelles du ménage, toutes connues, au plus le "
        "seuil de fragilité en vigueur).",
        _population_count(1),
        core_target,
        CORE_TARGET_SOURCE,
    ),
    _count_of_population(
        "contacted",
        "Ménages contactés",
        "Ménages joints lors de la prise de contact (téléphonique) datée de la période, qu'ils "
        "aient accepté ou refusé la visite ; les appels sans réponse ne comptent pas.",
        contacted,
        "Dans un premier temps c'est Tandem Immobilier qui assure la prise de contact "
        "téléphonique avec le locataire.",
    ),
    _count_of_population(
        "diagnostics_done",
        "Visites-diagnostics réalisées",
        "Ménages dont la visite-diagnostic à domicile (sécurité domestique, prévention des "
        "chutes, confort et autonomie) a eu lieu pendant la période.",
        diagnosed,
        VISIT_SOURCE,
    ),
    _indicator(
        "refusal_rate",
        "Taux de refus",
        IndicatorUnit.PERCENT,
        "Ménages ayant refusé la démarche / ménages joints (acceptation ou refus), pour les "
        "prises de contact datées de la période.",
        refusal_rate,
        refused,
        REFUSAL_SOURCE,
    ),
    _count_of_population(
        "kits_installed",
        "Kits éco installés",
        "Ménages chez qui le kit éco (5 ampoules LED, mousseurs, réducteurs de pression) a été "
        "installé pendant la période.",
        kits,
        "Sensibiliser tous les séniors détectés aux éco-gestes à l'occasion de la distribution/ "
        "installation d'un « kit-éco » composé de 5 ampoules led et de mousseurs.",
    ),
    _count_of_population(
        "urgent_interventions",
        "Interventions techniques d'urgence",
        "Ménages pour lesquels le bailleur a mené une intervention technique d'urgence pendant "
        "la période, à la suite du diagnostic.",
        urgent,
        "Sur la base des informations recueillies, Oise Habitat peut être amené à agir en "
        "urgence technique et/ou effectuer un signalement aux services sociaux concernés.",
    ),
    _count_of_population(
        "social_services_alerts",
        "Signalements aux services sociaux",
        "Ménages signalés aux services sociaux pendant la période, à la suite du diagnostic.",
        alerts,
        "Sur la base des informations recueillies, Oise Habitat peut être amené à agir en "
        "urgence technique et/ou effectuer un signalement aux services sociaux concernés.",
    ),
    _indicator(
        "core_target_reached",
        "Part du cœur de cible rencontrée",
        IndicatorUnit.PERCENT,
        "Ménages du cœur de cible (à la fin de la période) ayant eu leur visite-diagnostic "
        "pendant la période / ménages du cœur de cible.",
        core_target_reached,
        core_reached,
        REACH_SOURCE,
        target=100.0,
        target_label="Rencontrer personnellement chacun de nos locataires concernés",
    ),
)
