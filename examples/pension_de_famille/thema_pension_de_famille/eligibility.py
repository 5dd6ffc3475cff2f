"""Pension de famille eligibility: an adult, living alone and isolated, in one of the text's situations.

The rule runs on a batch of households: it loads the batch's profiles in one statement per chunk,
then decides each household from them and the core facts. An unknown fact gives UNKNOWN naming
it, never a guess; verdict messages never repeat a sensitive situation (violence, psychological
isolation): they say "une situation du public visé".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from core import (
    Criterion,
    CriterionResult,
    EligibilityRequest,
    HouseholdFacts,
    Outcome,
    chunks,
)
from core.models import MemberRole
from thema_pension_de_famille.models import PensionDeFamilleProfile
from thema_pension_de_famille.scheme import PUBLIC

AGE = "pension_de_famille.age"
ISOLATED = "pension_de_famille.isolated"
SITUATION = "pension_de_famille.situation"
RESOURCES = "pension_de_famille.resources"

CRITERIA = (
    Criterion(AGE, "Adulte ayant au moins l'âge minimal", source=PUBLIC),
    Criterion(ISOLATED, "Personne seule et isolée", source=PUBLIC),
    Criterion(
        SITUATION,
        "Au moins une situation du public visé : précarité, isolement social et psychologique, "
        "hébergement provisoire répété, violences conjugales, rupture familiale",
        source=PUBLIC,
    ),
    Criterion(RESOURCES, "Ressources sous le plafond de l'offre, s'il est fixé", source=PUBLIC),
)

#: The profile columns that each describe one situation of the public.
SITUATIONS = (
    "precarity",
    "social_isolation",
    "temporary_shelter_history",
    "domestic_violence_victim",
    "family_breakdown",
)


def evaluate(req: EligibilityRequest) -> dict[int, list[CriterionResult]]:
    """Evaluate every declared criterion for every household of the batch."""
    values = req.parameters.values
    situations = load_situations(req.session, req.household_ids)
    out: dict[int, list[CriterionResult]] = {}
    for hid in req.household_ids:
        facts = req.facts[hid]
        out[hid] = [
            check_age(facts, req.reference_date, values),
            check_isolated(facts),
            check_situation(situations.get(hid)),
            check_resources(facts, values),
        ]
    return out


def load_situations(session: Session, household_ids: Sequence[int]) -> dict[int, tuple[bool | None, ...]]:
    """The recorded situations of the batch's households (absent: no profile), one statement a chunk."""
    columns = [getattr(PensionDeFamilleProfile, name) for name in SITUATIONS]
    out: dict[int, tuple[bool | None, ...]] = {}
    for part in chunks(household_ids):
        rows = session.execute(
            select(PensionDeFamilleProfile.household_id, *columns).where(
                PensionDeFamilleProfile.household_id.in_(part)  # type: ignore[attr-defined]
            )
        )
        out.update({row[0]: tuple(row[1:]) for row in rows})
    return out


def check_age(facts: HouseholdFacts, on: date, values: Mapping[str, Any]) -> CriterionResult:
    """The household's adults are at least ``min_age``."""
    minimum = int(values["min_age"])
    threshold = f"≥ {minimum} ans"
    adults = [m for m in facts.members if m.role is not MemberRole.CHILD]
    if not adults:
        return CriterionResult(
            AGE, Outcome.UNKNOWN, "Aucun adulte n'est renseigné dans le ménage.", None, threshold
        )
    ages = [m.age(on) for m in adults]
    shown = ", ".join("?" if a is None else str(a) for a in ages) + " ans"
    if any(a is not None and a < minimum for a in ages):
        return CriterionResult(AGE, Outcome.NOT_SATISFIED, f"Moins de {minimum} ans.", shown, threshold)
    if any(a is None for a in ages):
        return CriterionResult(
            AGE, Outcome.UNKNOWN, "Date de naissance inconnue : l'âge ne peut être vérifié.", shown, threshold
        )
    return CriterionResult(AGE, Outcome.SATISFIED, f"Adulte d'au moins {minimum} ans.", shown, threshold)


def check_isolated(facts: HouseholdFacts) -> CriterionResult:
    """« personnes isolées »: one person living alone, recorded as socially isolated."""
    size = f"{len(facts.members)} personne(s)"
    if len(facts.members) > 1:
        return CriterionResult(
            ISOLATED,
            Outcome.NOT_SATISFIED,
            "Ménage de plusieurs personnes : la pension accueille des personnes seules.",
            size,
            "personne seule",
        )
    person = facts.reference_person
    isolated = person.isolated if person else None
    if isolated is None:
        return CriterionResult(ISOLATED, Outcome.UNKNOWN, "Isolement non renseigné.", size, "personne isolée")
    if not isolated:
        return CriterionResult(
            ISOLATED, Outcome.NOT_SATISFIED, "Personne seule mais non isolée.", size, "personne isolée"
        )
    return CriterionResult(ISOLATED, Outcome.SATISFIED, "Personne seule et isolée.", size, "personne isolée")


def check_situation(situations: tuple[bool | None, ...] | None) -> CriterionResult:
    """At least one situation of the text; the message does not say which (some are sensitive)."""
    if situations is None:
        return CriterionResult(
            SITUATION, Outcome.UNKNOWN, "Situation non évaluée : aucun dossier de pension."
        )
    if any(s is True for s in situations):
        return CriterionResult(SITUATION, Outcome.SATISFIED, "Au moins une situation du public visé.")
    if any(s is None for s in situations):
        return CriterionResult(SITUATION, Outcome.UNKNOWN, "Situation partiellement évaluée.")
    return CriterionResult(SITUATION, Outcome.NOT_SATISFIED, "Aucune situation du public visé.")


def check_resources(facts: HouseholdFacts, values: Mapping[str, Any]) -> CriterionResult:
    """« personnes aux faibles ressources »: at most the offer's ceiling, when one is set."""
    ceiling = values["max_monthly_resources"]
    if ceiling is None:
        return CriterionResult(
            RESOURCES, Outcome.SATISFIED, "Aucun plafond de ressources fixé pour cette offre."
        )
    threshold = f"≤ {ceiling:.0f} €/mois"
    resources = facts.monthly_resources()
    if resources is None:
        return CriterionResult(RESOURCES, Outcome.UNKNOWN, "Ressources inconnues.", None, threshold)
    shown = f"{resources:.0f} €/mois"
    if resources > ceiling:
        return CriterionResult(
            RESOURCES, Outcome.NOT_SATISFIED, f"Ressources au-dessus du plafond ({shown}).", shown, threshold
        )
    return CriterionResult(
        RESOURCES, Outcome.SATISFIED, f"Ressources sous le plafond ({shown}).", shown, threshold
    )
