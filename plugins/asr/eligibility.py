"""ASR eligibility: a tenant of the landlord, isolated, in great precarity or with suspected troubles."""

from __future__ import annotations

from typing import Any, NamedTuple

from sqlalchemy import Select, case, select

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
from plugins.asr.models import AsrProfile
from plugins.asr.scheme import CODE, SOURCE_PUBLIC

TENANT = f"{CODE}.tenant"
ISOLATED = f"{CODE}.isolated"
VULNERABILITY = f"{CODE}.vulnerability"

CRITERIA = (
    Criterion(TENANT, "Locataire du bailleur", source=SOURCE_PUBLIC),
    Criterion(ISOLATED, "Locataire isolé", source=SOURCE_PUBLIC),
    Criterion(
        VULNERABILITY,
        "Grande précarité dans le logement ou troubles psychiques suspectés",
        source=SOURCE_PUBLIC,
    ),
)


def evaluate(req: EligibilityRequest) -> dict[int, list[CriterionResult]]:
    """Evaluate every ASR criterion for the households of the batch.

    Results are immutable: households with the same facts share one result, built once a call.
    """
    profiles: dict[int, _Profile] = {}
    for part in chunks(list(req.household_ids)):
        for hid, *answers in req.session.execute(_PROFILES, {"ids": part}):
            profiles[hid] = _Profile(*answers)
    landlord_id = req.offer.landlord_id if req.offer is not None else None
    tenants: dict[tuple[bool, int | None], CriterionResult] = {}
    isolation: dict[tuple[bool, bool | None], CriterionResult] = {}
    vulnerabilities: dict[_Profile | None, CriterionResult] = {}
    out: dict[int, list[CriterionResult]] = {}
    for hid in req.household_ids:
        facts = req.facts[hid]
        occupancy = facts.occupancy
        key = (occupancy is None, None if occupancy is None else occupancy.landlord_id)
        tenant = tenants.get(key)
        if tenant is None:
            tenant = tenants[key] = _tenant(facts, landlord_id)
        person = facts.reference_person
        situation = (person is None, None if person is None else person.isolated)
        isolated = isolation.get(situation)
        if isolated is None:
            isolated = isolation[situation] = _isolated(facts)
        profile = profiles.get(hid)
        vulnerability = vulnerabilities.get(profile)
        if vulnerability is None:
            vulnerability = vulnerabilities[profile] = _vulnerability(profile)
        out[hid] = [tenant, isolated, vulnerability]
    return out


class _Profile(NamedTuple):
    """An ASR profile's answers the rule reads, by attribute as its checks do."""

    great_precarity: bool | None
    suspected_psychological_troubles: bool | None


_PROFILE_TABLE: Any = AsrProfile.__table__  # type: ignore[attr-defined]
#: The profile answers of a chunk of households (``ids``): built once.
_PROFILES = select(
    _PROFILE_TABLE.c.household_id, *(_PROFILE_TABLE.c[name] for name in _Profile._fields)
).where(in_ids(_PROFILE_TABLE.c.household_id))


def _tenant(facts: HouseholdFacts, landlord_id: int | None) -> CriterionResult:
    threshold = "occupation en cours d'un logement du bailleur de l'offre"
    occ = facts.occupancy
    if occ is None:
        return CriterionResult(
            TENANT,
            Outcome.NOT_SATISFIED,
            "Le ménage n'occupe aucun logement à la date de référence.",
            None,
            threshold,
        )
    if landlord_id is None:
        # Without an offer there is no landlord to compare with: any current tenancy counts.
        return CriterionResult(
            TENANT,
            Outcome.SATISFIED,
            "Le ménage est locataire (aucune offre : bailleur non comparé).",
            str(occ.landlord_id),
            "occupation en cours d'un logement",
        )
    if occ.landlord_id == landlord_id:
        return CriterionResult(
            TENANT,
            Outcome.SATISFIED,
            "Le ménage est locataire du bailleur de l'offre.",
            str(occ.landlord_id),
            str(landlord_id),
        )
    return CriterionResult(
        TENANT,
        Outcome.NOT_SATISFIED,
        "Le ménage occupe un logement d'un autre bailleur que celui de l'offre.",
        str(occ.landlord_id),
        str(landlord_id),
    )


def _isolated(facts: HouseholdFacts) -> CriterionResult:
    threshold = "personne de référence isolée"
    person = facts.reference_person
    if person is None:
        return CriterionResult(
            ISOLATED,
            Outcome.UNKNOWN,
            "Composition du ménage inconnue : aucun membre saisi.",
            None,
            threshold,
        )
    if person.isolated is None:
        return CriterionResult(
            ISOLATED,
            Outcome.UNKNOWN,
            "Isolement du locataire non renseigné.",
            None,
            threshold,
        )
    if person.isolated:
        return CriterionResult(
            ISOLATED,
            Outcome.SATISFIED,
            "Le locataire est isolé.",
            "oui",
            threshold,
        )
    return CriterionResult(
        ISOLATED,
        Outcome.NOT_SATISFIED,
        "Le locataire n'est pas isolé.",
        "non",
        threshold,
    )


def _vulnerability(profile: _Profile | None) -> CriterionResult:
    # Messages never say which of the two holds: suspected troubles are health data.
    threshold = "grande précarité ou troubles psychiques suspectés"
    if profile is None:
        return CriterionResult(
            VULNERABILITY,
            Outcome.UNKNOWN,
            "Situation non évaluée : aucun repérage ASR pour ce ménage.",
            None,
            threshold,
        )
    values = (profile.great_precarity, profile.suspected_psychological_troubles)
    if True in values:
        return CriterionResult(
            VULNERABILITY,
            Outcome.SATISFIED,
            "Situation de fragilité repérée (grande précarité ou troubles psychiques suspectés).",
            "oui",
            threshold,
        )
    if None in values:
        missing = []
        if profile.great_precarity is None:
            missing.append("grande précarité")
        if profile.suspected_psychological_troubles is None:
            missing.append("troubles psychiques suspectés")
        return CriterionResult(
            VULNERABILITY,
            Outcome.UNKNOWN,
            "Non renseigné : " + ", ".join(missing) + ".",
            None,
            threshold,
        )
    return CriterionResult(
        VULNERABILITY,
        Outcome.NOT_SATISFIED,
        "Ni grande précarité ni troubles psychiques suspectés.",
        "non",
        threshold,
    )


SAT, NOT, UNK = Outcome.SATISFIED.code, Outcome.NOT_SATISFIED.code, Outcome.UNKNOWN.code


def outcomes(req: PopulationRequest) -> Select[Any]:
    """The same outcomes as ``evaluate`` for a whole population, decided by the database."""
    frame = req.frame
    assert frame is not None, "the core always hands set-based rules a population frame"
    facts = frame.facts
    f = facts.c
    profiles = AsrProfile.__table__  # type: ignore[attr-defined]
    if req.offer is None:
        tenant = case((f.occupancy_id.is_(None), NOT), else_=SAT)
    else:
        tenant = case(
            (f.occupancy_id.is_(None), NOT),
            (f.landlord_id == req.offer.landlord_id, SAT),
            else_=NOT,
        )
    isolated = case(
        (f.person_id.is_(None), UNK),
        (f.person_isolated.is_(None), UNK),
        (f.person_isolated.is_(True), SAT),
        else_=NOT,
    )
    precarity, troubles = profiles.c.great_precarity, profiles.c.suspected_psychological_troubles
    vulnerability = case(
        (profiles.c.household_id.is_(None), UNK),
        (precarity.is_(True) | troubles.is_(True), SAT),
        (precarity.is_(None) | troubles.is_(None), UNK),
        else_=NOT,
    )
    return (
        select(f.household_id, tenant, isolated, vulnerability)
        .select_from(facts)
        .outerjoin(profiles, profiles.c.household_id == f.household_id)
    )
