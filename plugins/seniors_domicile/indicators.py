"""Indicators of « Seniors à domicile », aggregated by the database over the offers in scope.

The target population (targeted households, core target) is the state at the end of the
period, with each offer's parameters at that date; the programme's activity (contacts, visits,
kits, interventions, alerts) counts the events dated within the period.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, func, or_, select, union
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


def _targeted_of(offer: Offer, req: IndicatorRequest, core_only: bool) -> Select[Any]:
    """Households an offer targets at the period's end (its core target if ``core_only``)."""
    ref = req.period.end
    values = req.scheme.parameters_at(ref, offer.parameters).values
    cutoff = birth_cutoff(ref, int(values["min_age"]))
    household_id = col(Household.id)
    # Members of the offer's landlord's and manager's files only: a person's owner is its household's.
    owners = col(Person.owner_id).in_((offer.landlord_id, offer.manager_id))
    seniors = select(col(Person.household_id)).where(
        owners, _current_member(ref), col(Person.birth_date) <= cutoff
    )
    stmt = (
        select(household_id)
        .join(Occupancy, col(Occupancy.household_id) == household_id)
        .join(Unit, col(Unit.id) == col(Occupancy.unit_id))
        .where(
            col(Household.owner_id).in_((offer.landlord_id, offer.manager_id)),
            or_(col(Household.closed_on).is_(None), col(Household.closed_on) > ref),
            col(Unit.owner_id) == offer.landlord_id,
            col(Occupancy.start_date) <= ref,
            or_(col(Occupancy.end_date).is_(None), col(Occupancy.end_date) >= ref),
            household_id.in_(seniors),
        )
    )
    if core_only:
        isolated = select(col(Person.household_id)).where(
            owners, _current_member(ref), col(Person.isolated).is_(True)
        )
        # Fragile: every current member's resources known, and their sum under the threshold.
        resources = col(Person.monthly_resources)
        fragile = (
            select(col(Person.household_id))
            .where(owners, _current_member(ref))
            .group_by(col(Person.household_id))
            .having(
                and_(
                    func.count() == func.count(resources),
                    func.sum(resources) <= float(values["fragile_max_monthly_resources"]),
                )
            )
        )
        stmt = stmt.where(or_(household_id.in_(isolated), household_id.in_(fragile)))
    return stmt


def _population(req: IndicatorRequest, core_only: bool) -> Select[Any]:
    """Ids of the households targeted by any offer in scope (distinct), as one SELECT."""
    parts = [_targeted_of(o, req, core_only) for o in _offers(req.session, req.offer_ids)]
    household_id = col(Household.id)
    if not parts:
        return select(household_id).where(household_id.is_(None))
    if len(parts) == 1:
        return parts[0]
    return select(household_id).where(household_id.in_(union(*parts)))


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
    return core_target(req).where(col(Household.id).in_(diagnosed(req)))


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
    # The core target once, then counted whole and among the households diagnosed.
    target = core_target(req).cte("core_target")
    first = next(iter(target.c))
    seen = case((first.in_(diagnosed(req)), first))
    numerator, denominator = req.session.execute(
        select(func.count(func.distinct(seen)), func.count(func.distinct(first)))
    ).one()
    return IndicatorResult.ratio(float(numerator), float(denominator))


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
    _count_of_population(
        "targeted_households",
        "Ménages ciblés",
        "Ménages locataires du bailleur à la fin de la période dont un membre a au moins l'âge "
        "minimal (70 ans par défaut) à cette date.",
        targeted,
        "Les ménages sont ciblés sur le critère de l'âge (70 ans et plus) soit 1630 seniors.",
    ),
    _count_of_population(
        "core_target_households",
        "Ménages du cœur de cible",
        "Ménages ciblés à la fin de la période qui sont isolés socialement (un membre isolé) ou "
        "fragiles économiquement (ressources mensuelles du ménage, toutes connues, au plus le "
        "seuil de fragilité en vigueur).",
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
