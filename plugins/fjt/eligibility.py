"""FJT eligibility: age, activity (collective quota), resources, composition; priority 16-25 ans.

The rule runs on a batch: it loads the batch's profiles, the offer's residents and the offer's
unit typologies in three statements whatever the batch size, then decides each household from
these and the core facts. An unknown fact gives UNKNOWN naming it, never a guess.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from typing import Any

from sqlalchemy import BigInteger, Select, case, func, literal, or_, select
from sqlmodel import Session, col

from core import (
    Criterion,
    CriterionKind,
    CriterionResult,
    EligibilityRequest,
    HouseholdFacts,
    MemberFacts,
    Outcome,
    PopulationRequest,
    chunks,
    in_ids,
)
from core.facts import age_at, born_by
from core.models import Activity, MemberRole, Occupancy, Offer, OfferUnit, Person, Typology, Unit
from plugins.fjt.models import FjtComposition, FjtProfile
from plugins.fjt.scheme import BAILLY_PUBLIC, VIVALDI_PUBLIC, VIVALDI_QUOTA, VIVALDI_T2

#: "en activité salariée, en formation, en alternance, en stage professionnel ou alors en
#: recherche d'emploi": the same list in both texts, so a constant rather than a parameter.
IN_ACTIVITY = frozenset(
    {
        Activity.EMPLOYED,
        Activity.TRAINING,
        Activity.APPRENTICESHIP,
        Activity.INTERNSHIP,
        Activity.JOB_SEEKING,
    }
)
#: A single young person lives in a room, a T1 or a T1 bis; "Les T2 sont destinés aux jeunes
#: couples et/ou familles monoparentales" (larger units, rare in an FJT, fit them too).
SINGLE_TYPOLOGIES = frozenset({Typology.ROOM, Typology.T1, Typology.T1_BIS})
FAMILY_TYPOLOGIES = frozenset({Typology.T2, Typology.T3, Typology.T4, Typology.T5_PLUS})

ACTIVITY_LABELS = {
    Activity.EMPLOYED: "en emploi",
    Activity.TRAINING: "en formation",
    Activity.APPRENTICESHIP: "en alternance",
    Activity.INTERNSHIP: "en stage",
    Activity.JOB_SEEKING: "en recherche d'emploi",
    Activity.STUDENT: "étudiant",
    Activity.RETIRED: "retraité",
    Activity.INACTIVE: "sans activité",
}
COMPOSITION_LABELS = {
    FjtComposition.SINGLE: "personne seule",
    FjtComposition.COUPLE: "couple",
    FjtComposition.SINGLE_PARENT: "famille monoparentale",
}
TYPOLOGY_LABELS = {
    Typology.ROOM: "chambre",
    Typology.T1: "T1",
    Typology.T1_BIS: "T1 bis",
    Typology.T2: "T2",
    Typology.T3: "T3",
    Typology.T4: "T4",
    Typology.T5_PLUS: "T5+",
}

AGE = "fjt.age"
ACTIVITY = "fjt.activity"
RESOURCES = "fjt.resources"
HOUSEHOLD = "fjt.household"
PRIORITY_AGE = "fjt.priority_age"

CRITERIA = (
    Criterion(AGE, "Chaque jeune du ménage a entre l'âge minimal et l'âge maximal", source=BAILLY_PUBLIC),
    Criterion(
        ACTIVITY,
        "En activité, ou quota de jeunes en activité respecté après l'admission",
        source=VIVALDI_QUOTA,
    ),
    Criterion(RESOURCES, "Ressources sous le plafond de l'offre, s'il est fixé", source=VIVALDI_PUBLIC),
    Criterion(HOUSEHOLD, "Composition du ménage adaptée aux logements de l'offre", source=VIVALDI_T2),
    Criterion(
        PRIORITY_AGE,
        "Public prioritaire : chaque jeune du ménage a au plus l'âge prioritaire",
        kind=CriterionKind.PRIORITY,
        source=BAILLY_PUBLIC,
    ),
)


@dataclass(frozen=True)
class Share:
    """Young people in activity among a group: known in activity, unknown situation, total."""

    active: int = 0
    unknown: int = 0
    total: int = 0

    def __add__(self, other: Share) -> Share:
        return Share(self.active + other.active, self.unknown + other.unknown, self.total + other.total)

    def __sub__(self, other: Share) -> Share:
        return Share(self.active - other.active, self.unknown - other.unknown, self.total - other.total)

    def low(self) -> Fraction | None:
        """The share counting unknown situations as out of activity (None for nobody)."""
        return Fraction(self.active, self.total) if self.total else None

    def high(self) -> Fraction | None:
        """The share counting unknown situations as in activity."""
        return Fraction(self.active + self.unknown, self.total) if self.total else None

    def label(self) -> str:
        """French rendering, e.g. ``61,0 % (25/41)``; unknown situations are said."""
        if not self.total:
            return "aucun résident"
        counts = f"{self.active}/{self.total}"
        if self.unknown:
            plural = "s" if self.unknown > 1 else ""
            counts += f", dont {self.unknown} situation{plural} inconnue{plural}"
        return f"{percent(Fraction(self.active, self.total))} ({counts})"

    @staticmethod
    def of(members: Sequence[MemberFacts]) -> Share:
        """The share of a list of young people."""
        return Share(
            sum(1 for m in members if m.activity in IN_ACTIVITY),
            sum(1 for m in members if m.activity is None),
            len(members),
        )


def percent(value: Fraction | float) -> str:
    """A share as a French percentage with one decimal: ``Fraction(5, 8)`` → ``62,5 %``."""
    return f"{float(value) * 100:.1f} %".replace(".", ",")


def young_people(facts: HouseholdFacts) -> list[MemberFacts]:
    """The young people a household brings: every member but its children."""
    return [m for m in facts.members if m.role is not MemberRole.CHILD]


def composition_of(facts: HouseholdFacts, recorded: FjtComposition | None) -> FjtComposition | None:
    """The recorded composition, else the one member roles give; None when they don't tell."""
    if recorded is not None:
        return recorded
    roles = [m.role for m in facts.members]
    if not roles or MemberRole.OTHER in roles or roles.count(MemberRole.SPOUSE) > 1:
        return None
    if MemberRole.SPOUSE in roles:
        return FjtComposition.COUPLE
    if MemberRole.CHILD in roles:
        return FjtComposition.SINGLE_PARENT
    return FjtComposition.SINGLE


def evaluate(req: EligibilityRequest) -> dict[int, list[CriterionResult]]:
    """Evaluate every criterion for every household of the batch.

    Results are immutable: households with the same facts share one result, built once a call.
    """
    values = req.parameters.values
    reference = req.reference_date
    compositions = load_compositions(req.session, req.household_ids)
    residents = load_resident_shares(req.session, req.offer, reference)
    typologies = load_offer_typologies(req.session, req.offer)
    by_ages: dict[tuple[int | None, ...], tuple[CriterionResult, CriterionResult]] = {}
    by_activities: dict[tuple[Any, ...], CriterionResult] = {}
    by_resources: dict[float | None, CriterionResult] = {}
    by_composition: dict[FjtComposition | None, CriterionResult] = {}
    out: dict[int, list[CriterionResult]] = {}
    for hid in req.household_ids:
        facts = req.facts[hid]
        young = young_people(facts)
        ages = tuple([age_at(m.birth_date, reference) for m in young])
        checked = by_ages.get(ages)
        if checked is None:
            checked = by_ages[ages] = (check_age(ages, values), check_priority(ages, values))
        situation = (
            tuple([m.activity for m in young]),
            None if residents is None else residents.get(hid),
        )
        activity = by_activities.get(situation)
        if activity is None:
            activity = by_activities[situation] = check_activity(young, residents, hid, values)
        resources = facts.monthly_resources()
        resources_result = by_resources.get(resources)
        if resources_result is None:
            resources_result = by_resources[resources] = check_resources(facts, values)
        composition = composition_of(facts, compositions.get(hid))
        household = by_composition.get(composition)
        if household is None:
            household = by_composition[composition] = check_household(composition, typologies)
        out[hid] = [checked[0], activity, resources_result, household, checked[1]]
    return out


#: Compositions recorded in the profiles of a chunk of households (``ids``): built once.
_COMPOSITIONS = select(col(FjtProfile.household_id), col(FjtProfile.composition)).where(
    in_ids(col(FjtProfile.household_id)),
    col(FjtProfile.composition).is_not(None),
)


def load_compositions(session: Session, household_ids: Sequence[int]) -> dict[int, FjtComposition]:
    """Compositions recorded in the profiles of the batch (one statement per chunk)."""
    out: dict[int, FjtComposition] = {}
    for part in chunks(household_ids):
        rows = session.execute(_COMPOSITIONS, {"ids": part})
        out.update({hid: comp for hid, comp in rows if comp is not None})
    return out


def resident_households(offer_id: int, on: date) -> Select[int]:
    """SELECT of the households living in the offer on ``on`` (occupancy in force that day)."""
    return select(col(Occupancy.household_id)).where(
        col(Occupancy.offer_id) == offer_id,
        col(Occupancy.start_date) <= on,
        or_(col(Occupancy.end_date).is_(None), col(Occupancy.end_date) >= on),
    )


def load_resident_shares(session: Session, offer: Offer | None, on: date) -> dict[int, Share] | None:
    """Per resident household of the offer on ``on``, its young people's activity (one statement).

    One row per resident household: an FJT houses tens of them, and keeping them apart lets
    the rule leave out the household being evaluated when it already lives there.
    """
    if offer is None or offer.id is None:
        return None
    activity = col(Person.activity)
    rows = session.execute(
        select(
            col(Person.household_id),
            func.sum(case((activity.in_(sorted(IN_ACTIVITY)), 1), else_=0)),
            func.sum(case((activity.is_(None), 1), else_=0)),
            func.count(col(Person.id)),
        )
        .where(
            col(Person.household_id).in_(resident_households(offer.id, on)),
            col(Person.role) != MemberRole.CHILD,
            or_(col(Person.left_on).is_(None), col(Person.left_on) > on),
        )
        .group_by(col(Person.household_id))
    )
    return {hid: Share(int(a or 0), int(u or 0), int(n)) for hid, a, u, n in rows}


def resident_shares_by_offer(session: Session, offer_ids: Sequence[int], on: date) -> dict[int, Share]:
    """Young residents in activity of each offer on ``on``, aggregated by the database."""
    stays = (
        select(col(Occupancy.offer_id), col(Occupancy.household_id))
        .where(
            col(Occupancy.offer_id).in_(offer_ids),
            col(Occupancy.start_date) <= on,
            or_(col(Occupancy.end_date).is_(None), col(Occupancy.end_date) >= on),
        )
        .distinct()
        .subquery()
    )
    activity = col(Person.activity)
    rows = session.execute(
        select(
            stays.c.offer_id,
            func.sum(case((activity.in_(sorted(IN_ACTIVITY)), 1), else_=0)),
            func.sum(case((activity.is_(None), 1), else_=0)),
            func.count(col(Person.id)),
        )
        .join(stays, stays.c.household_id == col(Person.household_id))
        .where(
            col(Person.role) != MemberRole.CHILD,
            or_(col(Person.left_on).is_(None), col(Person.left_on) > on),
        )
        .group_by(stays.c.offer_id)
    )
    return {oid: Share(int(a or 0), int(u or 0), int(n)) for oid, a, u, n in rows}


def load_offer_typologies(session: Session, offer: Offer | None) -> frozenset[Typology] | None:
    """Typologies of the offer's dwellings (common rooms left out); None without an offer."""
    if offer is None or offer.id is None:
        return None
    rows = session.execute(
        select(col(Unit.typology))
        .join(OfferUnit, col(OfferUnit.unit_id) == col(Unit.id))
        .where(col(OfferUnit.offer_id) == offer.id, col(Unit.common).is_(False))
        .distinct()
    )
    return frozenset(t for (t,) in rows)


def _ages_label(ages: Sequence[int | None]) -> str:
    return ", ".join("?" if a is None else str(a) for a in ages) + " ans"


def check_age(ages: Sequence[int | None], values: Mapping[str, Any]) -> CriterionResult:
    """Every young person of the household is within [min_age, max_age] (completed years)."""
    low, high = values["min_age"], values["max_age"]
    threshold = f"{low} à {high} ans"
    if not ages:
        return CriterionResult(
            AGE,
            Outcome.UNKNOWN,
            "Aucun jeune (hors enfants) n'est renseigné dans le ménage.",
            None,
            threshold,
        )
    if any(a is None for a in ages):
        return CriterionResult(
            AGE,
            Outcome.UNKNOWN,
            "Date de naissance inconnue : l'âge ne peut être vérifié.",
            _ages_label(ages),
            threshold,
        )
    out = [a for a in ages if a is not None and not low <= a <= high]
    if out:
        return CriterionResult(
            AGE,
            Outcome.NOT_SATISFIED,
            f"Âge hors de la tranche {threshold} ({_ages_label(out)}).",
            _ages_label(ages),
            threshold,
        )
    return CriterionResult(
        AGE, Outcome.SATISFIED, f"Âge dans la tranche {threshold}.", _ages_label(ages), threshold
    )


def check_activity(
    young: Sequence[MemberFacts],
    residents: Mapping[int, Share] | None,
    household_id: int,
    values: Mapping[str, Any],
) -> CriterionResult:
    """In activity, or the offer keeps its share of young people in activity after admission."""
    minimum = Fraction(str(values["activity_share_min"]))
    threshold = f"≥ {percent(minimum)} de jeunes en activité après admission"
    if not young:
        return CriterionResult(
            ACTIVITY,
            Outcome.UNKNOWN,
            "Aucun jeune (hors enfants) n'est renseigné dans le ménage.",
            None,
            threshold,
        )
    situations = ", ".join(ACTIVITY_LABELS[m.activity] if m.activity else "situation inconnue" for m in young)
    if any(m.activity is None for m in young):
        return CriterionResult(
            ACTIVITY,
            Outcome.UNKNOWN,
            "Situation d'activité inconnue : elle est nécessaire pour appliquer le quota.",
            situations,
            threshold,
        )
    all_active = all(m.activity in IN_ACTIVITY for m in young)
    if residents is None:
        if all_active:
            return CriterionResult(
                ACTIVITY,
                Outcome.SATISFIED,
                f"Jeune {situations} : dans le public visé.",
                situations,
                threshold,
            )
        return CriterionResult(
            ACTIVITY,
            Outcome.UNKNOWN,
            "Candidat hors activité : le quota ne peut être vérifié sans préciser l'offre.",
            situations,
            threshold,
        )
    everyone = sum(residents.values(), Share())
    before = everyone - residents.get(household_id, Share())
    after = before + Share.of(young)
    value = f"{situations} ; avant admission : {before.label()} ; après : {after.label()}"
    shares = f"la part de jeunes en activité passerait de {before.label()} à {after.label()}"
    if all_active:
        return CriterionResult(
            ACTIVITY,
            Outcome.SATISFIED,
            f"Jeune {situations} : admissible quel que soit le quota ({shares}).",
            value,
            threshold,
        )
    low, high = after.low(), after.high()
    assert low is not None and high is not None  # the applicant is counted
    if low >= minimum:
        return CriterionResult(
            ACTIVITY,
            Outcome.SATISFIED,
            f"Candidat hors activité ({situations}) : {shares}, au moins {percent(minimum)}.",
            value,
            threshold,
        )
    if high < minimum:
        return CriterionResult(
            ACTIVITY,
            Outcome.NOT_SATISFIED,
            f"Candidat hors activité ({situations}) : {shares}, sous le minimum de {percent(minimum)}.",
            value,
            threshold,
        )
    return CriterionResult(
        ACTIVITY,
        Outcome.UNKNOWN,
        f"Candidat hors activité ({situations}) : la situation d'activité de "
        f"{after.unknown} résident(s) est inconnue, le quota de {percent(minimum)} "
        "ne peut être vérifié.",
        value,
        threshold,
    )


def check_resources(facts: HouseholdFacts, values: Mapping[str, Any]) -> CriterionResult:
    """The household's monthly resources are at most the offer's ceiling, when one is set."""
    ceiling = values.get("max_monthly_resources")
    if ceiling is None:
        return CriterionResult(
            RESOURCES,
            Outcome.SATISFIED,
            "Aucun plafond de ressources n'est fixé pour cette offre.",
            None,
            None,
        )
    threshold = f"≤ {ceiling:.0f} €/mois"
    resources = facts.monthly_resources()
    if resources is None:
        return CriterionResult(
            RESOURCES,
            Outcome.UNKNOWN,
            "Ressources mensuelles inconnues pour au moins un membre du ménage.",
            None,
            threshold,
        )
    value = f"{resources:.0f} €/mois"
    if resources <= ceiling:
        return CriterionResult(RESOURCES, Outcome.SATISFIED, "Ressources sous le plafond.", value, threshold)
    return CriterionResult(
        RESOURCES, Outcome.NOT_SATISFIED, "Ressources au-dessus du plafond.", value, threshold
    )


def check_household(
    composition: FjtComposition | None, typologies: frozenset[Typology] | None
) -> CriterionResult:
    """A single person needs a room, T1 or T1 bis in the offer; a couple or single parent a T2."""
    if composition is None:
        return CriterionResult(
            HOUSEHOLD,
            Outcome.UNKNOWN,
            "Composition du ménage inconnue (lien entre les membres à préciser).",
            None,
            None,
        )
    fitting = SINGLE_TYPOLOGIES if composition is FjtComposition.SINGLE else FAMILY_TYPOLOGIES
    needed = ", ".join(TYPOLOGY_LABELS[t] for t in Typology if t in fitting)
    label = COMPOSITION_LABELS[composition]
    if not typologies:
        return CriterionResult(
            HOUSEHOLD,
            Outcome.SATISFIED,
            f"Ménage : {label} ; logement à prévoir parmi : {needed} "
            "(aucun logement rattaché à l'offre à vérifier).",
            label,
            needed,
        )
    if typologies & fitting:
        return CriterionResult(
            HOUSEHOLD,
            Outcome.SATISFIED,
            f"Ménage : {label} ; l'offre a des logements adaptés ({needed}).",
            label,
            needed,
        )
    return CriterionResult(
        HOUSEHOLD,
        Outcome.NOT_SATISFIED,
        f"Ménage : {label} ; l'offre n'a aucun logement adapté ({needed}). {VIVALDI_T2}",
        label,
        needed,
    )


def check_priority(ages: Sequence[int | None], values: Mapping[str, Any]) -> CriterionResult:
    """Priority public: every young person aged from min_age to priority_max_age."""
    low, high = values["min_age"], values["priority_max_age"]
    threshold = f"{low} à {high} ans"
    if not ages or any(a is None for a in ages):
        return CriterionResult(
            PRIORITY_AGE,
            Outcome.UNKNOWN,
            "Âge inconnu : la priorité ne peut être vérifiée.",
            None,
            threshold,
        )
    if all(a is not None and low <= a <= high for a in ages):
        return CriterionResult(
            PRIORITY_AGE,
            Outcome.SATISFIED,
            f"Public prioritaire ({threshold}).",
            _ages_label(ages),
            threshold,
        )
    return CriterionResult(
        PRIORITY_AGE,
        Outcome.NOT_SATISFIED,
        f"Hors du public prioritaire ({threshold}).",
        _ages_label(ages),
        threshold,
    )


SAT, NOT, UNK = Outcome.SATISFIED.code, Outcome.NOT_SATISFIED.code, Outcome.UNKNOWN.code


def outcomes(req: PopulationRequest) -> Select[Any]:
    """The same outcomes as ``evaluate`` for a whole population, decided by the database.

    The offer's residents are summed once (one statement); the quota is then integer arithmetic
    per household: a resident's young people are already in that sum, a newcomer's are added.
    """
    ref, values = req.reference_date, req.parameters.values
    low, high, top = int(values["min_age"]), int(values["max_age"]), int(values["priority_max_age"])
    minimum = Fraction(str(values["activity_share_min"]))
    # A share given as a float has a large exact fraction: 64-bit arithmetic in the database.
    num, den = literal(minimum.numerator, BigInteger), literal(minimum.denominator, BigInteger)
    frame = req.frame
    assert frame is not None, "the core always hands set-based rules a population frame"
    facts = frame.facts
    m = facts.c
    young_born_after = m.grown_youngest_birth  # the youngest young person's birth date
    young_born_before = m.grown_oldest_birth
    n, n_young = m.n, m.grown_n
    no_birth = m.grown_n - m.grown_births_known
    out = (young_born_after > born_by(ref, low)) | (young_born_before <= born_by(ref, high + 1))
    not_top = (young_born_after > born_by(ref, low)) | (young_born_before <= born_by(ref, top + 1))
    active_n: Any = sum((m[f"grown_{a.value}"] for a in sorted(IN_ACTIVITY)), start=literal(0))
    age = case((n_young == 0, UNK), (no_birth > 0, UNK), (out, NOT), else_=SAT)
    priority = case((n_young == 0, UNK), (no_birth > 0, UNK), (not_top, NOT), else_=SAT)
    all_active = active_n == m.grown_n
    if req.offer is None or req.offer.id is None:
        quota: Any = UNK
    else:
        everyone = resident_shares_by_offer(req.session, [req.offer.id], ref).get(req.offer.id, Share())
        resident = m.household_id.in_(resident_households(req.offer.id, ref))
        # A resident's young people are already counted; a newcomer's join them (all known here).
        added = case((resident, 0), else_=m.grown_n)
        total = everyone.total + added
        active = everyone.active + case((resident, 0), else_=active_n)
        quota = case(
            (active * den >= num * total, SAT),
            ((active + everyone.unknown) * den < num * total, NOT),
            else_=UNK,
        )
    activity_outcome = case(
        (n_young == 0, UNK), (m.grown_activity_unknown > 0, UNK), (all_active, SAT), else_=quota
    )
    ceiling = values.get("max_monthly_resources")
    if ceiling is None:
        resources: Any = literal(SAT)
    else:
        resources = case(
            (n == 0, UNK),
            (m.resources_known < n, UNK),
            (m.resources_sum <= float(ceiling), SAT),
            else_=NOT,
        )
    typologies = load_offer_typologies(req.session, req.offer)
    single_fits = SAT if not typologies or typologies & SINGLE_TYPOLOGIES else NOT
    family_fits = SAT if not typologies or typologies & FAMILY_TYPOLOGIES else NOT
    profiles = FjtProfile.__table__  # type: ignore[attr-defined]
    recorded = profiles.c.composition
    household = case(
        (recorded == FjtComposition.SINGLE, single_fits),
        (recorded.is_not(None), family_fits),
        (n == 0, UNK),
        (m.n_other > 0, UNK),
        (m.n_spouse > 1, UNK),
        ((m.n_spouse > 0) | (m.n_child > 0), family_fits),
        else_=single_fits,
    )
    return (
        select(m.household_id, age, activity_outcome, resources, household, priority)
        .select_from(facts)
        .outerjoin(profiles, profiles.c.household_id == m.household_id)
    )
