"""The targeting rule: a tenant household of the landlord with a member aged 70 or more.

The core target (PRIORITY) is a household socially isolated or economically fragile. The rule
needs only core facts (occupancy, birth dates, isolation, resources): the programme's own
records (contact, refusal, visit) do not change who is targeted.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Select, case, select

from core import (
    Criterion,
    CriterionKind,
    CriterionResult,
    EligibilityRequest,
    EligibilityRule,
    HouseholdFacts,
    Outcome,
    PopulationRequest,
)
from core.facts import age_at, born_by
from core.graphql.api import to_global_id

from .scheme import AGE_SOURCE, CODE, CORE_TARGET_SOURCE

TENANT = f"{CODE}.tenant"
AGE = f"{CODE}.age"
CORE_TARGET = f"{CODE}.core_target"

CRITERIA = (
    Criterion(
        TENANT,
        "Locataire du bailleur (occupation en cours d'un logement de son patrimoine)",
        source="1630 locataires de 70 ans et plus concernés (13 000 logements)",
    ),
    Criterion(AGE, "Un membre du ménage a au moins l'âge minimal (70 ans)", source=AGE_SOURCE),
    Criterion(
        CORE_TARGET,
        "Cœur de cible : ménage isolé socialement ou fragile économiquement",
        kind=CriterionKind.PRIORITY,
        source=CORE_TARGET_SOURCE,
    ),
)


def _euros(amount: float) -> str:
    return f"{amount:.2f} €/mois"


def _tenant(facts: HouseholdFacts, req: EligibilityRequest) -> CriterionResult:
    occ = facts.occupancy
    landlord = req.offer.landlord_id if req.offer is not None else None
    threshold = to_global_id("Organisation", landlord) if landlord is not None else "un bailleur"
    day = req.reference_date.strftime("%d/%m/%Y")
    if occ is None:
        return CriterionResult(
            TENANT,
            Outcome.NOT_SATISFIED,
            f"Aucune occupation de logement en cours au {day} : le ménage n'est pas locataire.",
            "aucune occupation",
            threshold,
        )
    value = to_global_id("Organisation", occ.landlord_id)
    if landlord is not None and occ.landlord_id != landlord:
        return CriterionResult(
            TENANT,
            Outcome.NOT_SATISFIED,
            f"Le logement occupé au {day} n'appartient pas au bailleur du programme.",
            value,
            threshold,
        )
    return CriterionResult(
        TENANT,
        Outcome.SATISFIED,
        f"Locataire d'un logement du bailleur au {day}.",
        value,
        threshold,
    )


def _age(facts: HouseholdFacts, req: EligibilityRequest, min_age: int) -> CriterionResult:
    ages = facts.ages(req.reference_date)
    known = [a for a in ages if a is not None]
    unknown = len(ages) - len(known)
    threshold = f"≥ {min_age} ans"
    oldest = max(known) if known else None
    value = f"{oldest} ans" if oldest is not None else None
    if oldest is not None and oldest >= min_age:
        return CriterionResult(
            AGE, Outcome.SATISFIED, f"Le membre le plus âgé a {oldest} ans.", value, threshold
        )
    if not ages:
        return CriterionResult(
            AGE, Outcome.UNKNOWN, "Composition du ménage inconnue : aucun membre.", None, threshold
        )
    if unknown:
        return CriterionResult(
            AGE,
            Outcome.UNKNOWN,
            f"Date de naissance inconnue pour {unknown} membre(s) : l'âge ne peut être vérifié.",
            value,
            threshold,
        )
    return CriterionResult(
        AGE,
        Outcome.NOT_SATISFIED,
        f"Aucun membre n'a {min_age} ans ou plus (le plus âgé a {oldest} ans).",
        value,
        threshold,
    )


def _core_target(facts: HouseholdFacts, max_resources: float) -> CriterionResult:
    flags = [m.isolated for m in facts.members]
    isolated: bool | None
    if any(f is True for f in flags):
        isolated = True
    elif flags and all(f is False for f in flags):
        isolated = False
    else:
        isolated = None
    resources = facts.monthly_resources()
    fragile = None if resources is None else resources <= max_resources
    value = "isolement : {} ; ressources : {}".format(
        {True: "oui", False: "non", None: "inconnu"}[isolated],
        _euros(resources) if resources is not None else "inconnues",
    )
    threshold = f"isolement, ou ressources ≤ {_euros(max_resources)}"
    if isolated:
        return CriterionResult(
            CORE_TARGET,
            Outcome.SATISFIED,
            "Ménage isolé socialement : cœur de cible.",
            value,
            threshold,
        )
    if fragile:
        return CriterionResult(
            CORE_TARGET,
            Outcome.SATISFIED,
            f"Ménage fragile économiquement (ressources ≤ {_euros(max_resources)}) : cœur de cible.",
            value,
            threshold,
        )
    if isolated is False and fragile is False:
        return CriterionResult(
            CORE_TARGET,
            Outcome.NOT_SATISFIED,
            "Ménage ni isolé ni fragile économiquement : hors cœur de cible.",
            value,
            threshold,
        )
    missing = []
    if isolated is None:
        missing.append("isolement inconnu")
    if fragile is None:
        missing.append("ressources mensuelles inconnues")
    return CriterionResult(
        CORE_TARGET,
        Outcome.UNKNOWN,
        "Cœur de cible indéterminé : " + " ; ".join(missing) + ".",
        value,
        threshold,
    )


def evaluate(req: EligibilityRequest) -> Mapping[int, Sequence[CriterionResult]]:
    """Every criterion for every household of the batch (core facts only, no SQL).

    Results are immutable: households with the same facts share one result, built once a call.
    """
    min_age = int(req.parameters.values["min_age"])
    max_resources = float(req.parameters.values["fragile_max_monthly_resources"])
    reference = req.reference_date
    tenants: dict[tuple[bool, int | None], CriterionResult] = {}
    by_ages: dict[tuple[bool, int | None, int], CriterionResult] = {}
    targets: dict[tuple[tuple[bool | None, ...], float | None], CriterionResult] = {}
    out: dict[int, list[CriterionResult]] = {}
    for hid in req.household_ids:
        facts = req.facts[hid]
        occupancy = facts.occupancy
        landlord = (occupancy is None, None if occupancy is None else occupancy.landlord_id)
        tenant = tenants.get(landlord)
        if tenant is None:
            tenant = tenants[landlord] = _tenant(facts, req)
        members = facts.members
        ages = [age_at(m.birth_date, reference) for m in members]
        known = [a for a in ages if a is not None]
        key = (not ages, max(known) if known else None, len(ages) - len(known))
        age = by_ages.get(key)
        if age is None:
            age = by_ages[key] = _age(facts, req, min_age)
        situation = (tuple([m.isolated for m in members]), facts.monthly_resources())
        target = targets.get(situation)
        if target is None:
            target = targets[situation] = _core_target(facts, max_resources)
        out[hid] = [tenant, age, target]
    return out


SAT, NOT, UNK = Outcome.SATISFIED.code, Outcome.NOT_SATISFIED.code, Outcome.UNKNOWN.code


def outcomes(req: PopulationRequest) -> Select[Any]:
    """The same outcomes as ``evaluate`` for a whole population, decided by the database.

    Reads the population's shared facts (members summary, current occupancy): no aggregation here.
    """
    frame = req.frame
    assert frame is not None, "the core always hands set-based rules a population frame"
    ref = req.reference_date
    min_age = int(req.parameters.values["min_age"])
    max_resources = float(req.parameters.values["fragile_max_monthly_resources"])
    facts = frame.facts
    m = facts.c
    n = m.n
    if req.offer is None:
        tenant = case((m.occupancy_id.is_(None), NOT), else_=SAT)
    else:
        tenant = case(
            (m.occupancy_id.is_(None), NOT),
            (m.landlord_id != req.offer.landlord_id, NOT),
            else_=SAT,
        )
    age = case(
        (m.oldest_birth <= born_by(ref, min_age), SAT),
        (n == 0, UNK),
        (m.births_known < n, UNK),
        else_=NOT,
    )
    isolated_true = m.isolated_yes > 0
    isolated_false = (n > 0) & (m.isolated_no == n)
    resources_known = (n > 0) & (m.resources_known == n)
    fragile_true = resources_known & (m.resources_sum <= max_resources)
    fragile_false = resources_known & (m.resources_sum > max_resources)
    core_target = case(
        (isolated_true, SAT),
        (fragile_true, SAT),
        (isolated_false & fragile_false, NOT),
        else_=UNK,
    )
    return select(m.household_id, tenant, age, core_target).select_from(facts)


RULE = EligibilityRule(CODE, criteria=CRITERIA, evaluate=evaluate, outcomes=outcomes)
