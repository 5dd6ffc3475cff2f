"""HabiTED eligibility: age, diagnosis, verbal language, transport autonomy, daytime activity.

Every criterion is required ("Jeunes adultes (18 à 40 ans) présentant des troubles de l'autisme
ou des Ted …, ayant acquis le verbal. Aptitude à se déplacer dans les transports en commun,
personnes ayant une activité en journée"). The batch's profiles are read in one statement;
an unknown fact gives UNKNOWN naming it. The diagnosis is health data: verdicts never echo it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

from sqlalchemy import Select, case
from sqlalchemy import select as sa_select
from sqlmodel import Session

from core import (
    Criterion,
    CriterionResult,
    EligibilityRequest,
    HouseholdFacts,
    Outcome,
    PopulationRequest,
    chunks,
    in_ids,
)
from core.facts import age_at, born_by
from plugins.habited.models import HabitedDayActivity, HabitedDiagnosis, HabitedProfile
from plugins.habited.scheme import PUBLIC

AGE = "habited.age"
DIAGNOSIS = "habited.diagnosis"
VERBAL = "habited.verbal_language"
TRANSPORT = "habited.transport_autonomy"
DAY_ACTIVITY = "habited.day_activity"

CRITERIA = (
    Criterion(AGE, "Locataire âgé de 18 à 40 ans", source=PUBLIC),
    Criterion(DIAGNOSIS, "Troubles de l'autisme ou TED diagnostiqués", source=PUBLIC),
    Criterion(VERBAL, "Langage verbal acquis", source=PUBLIC),
    Criterion(TRANSPORT, "Autonome dans les transports en commun", source=PUBLIC),
    Criterion(
        DAY_ACTIVITY,
        "Activité en journée : milieu ordinaire, atelier protégé, ESAT ou accueil de jour",
        source=PUBLIC,
    ),
)

DAY_ACTIVITY_LABELS = {
    HabitedDayActivity.ORDINARY_EMPLOYMENT: "activité salariée en milieu ordinaire",
    HabitedDayActivity.SHELTERED_WORKSHOP: "atelier protégé",
    HabitedDayActivity.ESAT: "ESAT",
    HabitedDayActivity.DAY_CENTRE: "accueil de jour",
    HabitedDayActivity.NONE: "aucune activité en journée",
}
ACCEPTED_ACTIVITIES = "milieu ordinaire, atelier protégé, ESAT, accueil de jour"


def evaluate(req: EligibilityRequest) -> dict[int, list[CriterionResult]]:
    """Evaluate every criterion for every household of the batch.

    Results are immutable: households with the same facts share one result, built once a call.
    """
    values = req.parameters.values
    profiles = load_profiles(req.session, req.household_ids)
    by_age: dict[tuple[bool, int | None], CriterionResult] = {}
    by_profile: dict[_Profile | None, list[CriterionResult]] = {}
    out: dict[int, list[CriterionResult]] = {}
    for hid in req.household_ids:
        facts = req.facts[hid]
        person = facts.reference_person
        key = (person is None, None if person is None else age_at(person.birth_date, req.reference_date))
        age = by_age.get(key)
        if age is None:
            age = by_age[key] = check_age(facts, req, values)
        profile = profiles.get(hid)
        answers = by_profile.get(profile)
        if answers is None:
            answers = by_profile[profile] = _check_profile(profile)
        out[hid] = [age, *answers]
    return out


def _check_profile(profile: _Profile | None) -> list[CriterionResult]:
    """The criteria a profile decides, in catalogue order (after the age)."""
    return [
        check_diagnosis(profile),
        check_flag(
            VERBAL,
            profile.verbal_language if profile else None,
            "Langage verbal acquis.",
            "Langage verbal non acquis.",
            "Acquisition du langage verbal non renseignée.",
        ),
        check_flag(
            TRANSPORT,
            profile.public_transport_autonomy if profile else None,
            "Se déplace seul dans les transports en commun.",
            "Ne se déplace pas seul dans les transports en commun.",
            "Autonomie dans les transports en commun non renseignée.",
        ),
        check_day_activity(profile),
    ]


class _Profile(NamedTuple):
    """A HabiTED profile's answers the rule reads, by attribute as its checks do."""

    diagnosis: HabitedDiagnosis | None
    verbal_language: bool | None
    public_transport_autonomy: bool | None
    day_activity: HabitedDayActivity | None


_PROFILE_TABLE: Any = HabitedProfile.__table__  # type: ignore[attr-defined]
#: The profile answers of a chunk of households (``ids``): built once.
_PROFILES = sa_select(
    _PROFILE_TABLE.c.household_id, *(_PROFILE_TABLE.c[name] for name in _Profile._fields)
).where(in_ids(_PROFILE_TABLE.c.household_id))


def load_profiles(session: Session, household_ids: Sequence[int]) -> dict[int, _Profile]:
    """Profiles' answers of the batch, by household id (one statement per chunk)."""
    out: dict[int, _Profile] = {}
    for part in chunks(household_ids):
        # One profile per household (``uq_habited_profile_household``), as ``outcomes`` joins it.
        out.update((hid, _Profile(*answers)) for hid, *answers in session.execute(_PROFILES, {"ids": part}))
    return out


def check_age(facts: HouseholdFacts, req: EligibilityRequest, values: Mapping[str, Any]) -> CriterionResult:
    """The tenant (reference person) is aged from min_age to max_age, in completed years."""
    low, high = values["min_age"], values["max_age"]
    threshold = f"{low} à {high} ans"
    person = facts.reference_person
    if person is None:
        return CriterionResult(
            AGE, Outcome.UNKNOWN, "Aucun membre n'est renseigné dans le ménage.", None, threshold
        )
    age = person.age(req.reference_date)
    if age is None:
        return CriterionResult(
            AGE,
            Outcome.UNKNOWN,
            "Date de naissance inconnue : l'âge ne peut être vérifié.",
            None,
            threshold,
        )
    if low <= age <= high:
        return CriterionResult(
            AGE, Outcome.SATISFIED, f"Âge dans la tranche {threshold}.", f"{age} ans", threshold
        )
    return CriterionResult(
        AGE, Outcome.NOT_SATISFIED, f"Âge hors de la tranche {threshold}.", f"{age} ans", threshold
    )


def check_diagnosis(profile: _Profile | None) -> CriterionResult:
    """Autism or TED on file; the value says only whether it is attested (health data)."""
    threshold = "troubles de l'autisme ou TED"
    diagnosis = profile.diagnosis if profile else None
    if diagnosis is None:
        return CriterionResult(DIAGNOSIS, Outcome.UNKNOWN, "Diagnostic non renseigné.", None, threshold)
    if diagnosis is HabitedDiagnosis.NONE:
        return CriterionResult(
            DIAGNOSIS,
            Outcome.NOT_SATISFIED,
            "Aucun diagnostic de troubles de l'autisme ou de TED.",
            "non attesté",
            threshold,
        )
    return CriterionResult(
        DIAGNOSIS,
        Outcome.SATISFIED,
        "Diagnostic attesté (donnée de santé, non affichée).",
        "attesté",
        threshold,
    )


def check_flag(code: str, value: bool | None, yes: str, no: str, unknown: str) -> CriterionResult:
    """A yes / no fact of the profile that must be yes."""
    if value is None:
        return CriterionResult(code, Outcome.UNKNOWN, unknown, None, "oui")
    if value:
        return CriterionResult(code, Outcome.SATISFIED, yes, "oui", "oui")
    return CriterionResult(code, Outcome.NOT_SATISFIED, no, "non", "oui")


def check_day_activity(profile: _Profile | None) -> CriterionResult:
    """A daytime activity among ordinary employment, sheltered workshop, ESAT, day centre."""
    activity = profile.day_activity if profile else None
    if activity is None:
        return CriterionResult(
            DAY_ACTIVITY,
            Outcome.UNKNOWN,
            "Activité en journée non renseignée.",
            None,
            ACCEPTED_ACTIVITIES,
        )
    label = DAY_ACTIVITY_LABELS[activity]
    if activity is HabitedDayActivity.NONE:
        return CriterionResult(
            DAY_ACTIVITY,
            Outcome.NOT_SATISFIED,
            "Aucune activité en journée parmi celles attendues.",
            label,
            ACCEPTED_ACTIVITIES,
        )
    return CriterionResult(
        DAY_ACTIVITY, Outcome.SATISFIED, f"Activité en journée : {label}.", label, ACCEPTED_ACTIVITIES
    )


SAT, NOT, UNK = Outcome.SATISFIED.code, Outcome.NOT_SATISFIED.code, Outcome.UNKNOWN.code


def _flag(column: Any) -> Any:
    return case((column.is_(None), UNK), (column.is_(True), SAT), else_=NOT)


def outcomes(req: PopulationRequest) -> Select[Any]:
    """The same outcomes as ``evaluate`` for a whole population, decided by the database."""
    frame = req.frame
    assert frame is not None, "the core always hands set-based rules a population frame"
    ref = req.reference_date
    low, high = int(req.parameters.values["min_age"]), int(req.parameters.values["max_age"])
    facts = frame.facts
    f = facts.c
    profiles = HabitedProfile.__table__  # type: ignore[attr-defined]
    birth = f.person_birth_date
    age = case(
        (f.person_id.is_(None), UNK),
        (birth.is_(None), UNK),
        ((birth <= born_by(ref, low)) & (birth > born_by(ref, high + 1)), SAT),
        else_=NOT,
    )
    diagnosis = case(
        (profiles.c.diagnosis.is_(None), UNK),
        (profiles.c.diagnosis == HabitedDiagnosis.NONE.value, NOT),
        else_=SAT,
    )
    activity = case(
        (profiles.c.day_activity.is_(None), UNK),
        (profiles.c.day_activity == HabitedDayActivity.NONE.value, NOT),
        else_=SAT,
    )
    return (
        sa_select(
            f.household_id,
            age,
            diagnosis,
            _flag(profiles.c.verbal_language),
            _flag(profiles.c.public_transport_autonomy),
            activity,
        )
        .select_from(facts)
        .outerjoin(profiles, profiles.c.household_id == f.household_id)
    )
