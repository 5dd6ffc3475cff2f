"""CHRS eligibility: an adult, a difficulty, a need for support, a SIAO referral; violence priority."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

from sqlalchemy import Select, case, literal, or_, select
from sqlmodel import col

from core import (
    Criterion,
    CriterionKind,
    CriterionResult,
    EligibilityRequest,
    HouseholdFacts,
    Outcome,
    PopulationRequest,
    ReferralFacts,
    chunks,
    in_ids,
)
from core.facts import age_at, born_by
from core.models import Offer, Organisation, OrganisationKind, Referral, ReferralDecision
from plugins.chrs.models import ChrsProfile
from plugins.chrs.scheme import CODE, SOURCE_PUBLIC, SOURCE_REFERRAL, SOURCE_VIOLENCE

ADULT = f"{CODE}.adult"
DIFFICULTY = f"{CODE}.difficulty"
NEEDS_SUPPORT = f"{CODE}.needs_support"
REFERRAL = f"{CODE}.referral"
VIOLENCE_PRIORITY = f"{CODE}.violence_victim"

CRITERIA = (
    Criterion(ADULT, "Au moins un adulte dans le ménage", source=SOURCE_PUBLIC),
    Criterion(
        DIFFICULTY,
        "Difficultés importantes (économiques, familiales, de santé ou d'insertion)",
        source=SOURCE_PUBLIC,
    ),
    Criterion(
        NEEDS_SUPPORT,
        "Besoin d'un accompagnement avant d'intégrer un logement de droit commun",
        source=SOURCE_PUBLIC,
    ),
    Criterion(REFERRAL, "Orientation par le SIAO", source=SOURCE_REFERRAL),
    Criterion(
        VIOLENCE_PRIORITY,
        "Victime de violences conjugales (public prioritaire)",
        kind=CriterionKind.PRIORITY,
        source=SOURCE_VIOLENCE,
    ),
)

#: The four kinds of difficulty of the source text, as (profile column, French label).
DIFFICULTIES = (
    ("economic_difficulty", "économiques"),
    ("family_difficulty", "familiales"),
    ("health_difficulty", "de santé"),
    ("insertion_difficulty", "d'insertion"),
)

#: Referrals that still stand: a refused or withdrawn orientation no longer counts.
_LIVE_DECISIONS = frozenset({ReferralDecision.PENDING, ReferralDecision.ADMITTED})


def evaluate(req: EligibilityRequest) -> dict[int, list[CriterionResult]]:
    """Evaluate every CHRS criterion for the households of the batch.

    Results are immutable: households with the same facts share one result, built once a call.
    """
    profiles = _profiles(req)
    min_age = int(req.parameters.values["min_adult_age"])
    requires_referral = bool(req.parameters.values["requires_referral"])
    reference = req.reference_date
    adults: dict[tuple[int | None, bool, bool], CriterionResult] = {}
    flags: dict[_Profile | None, tuple[CriterionResult, CriterionResult, CriterionResult]] = {}
    referral = None if requires_referral else _REFERRAL_NOT_REQUIRED
    out: dict[int, list[CriterionResult]] = {}
    for hid in req.household_ids:
        facts = req.facts[hid]
        profile = profiles.get(hid)
        members = facts.members
        ages = [age_at(m.birth_date, reference) for m in members]
        known = [a for a in ages if a is not None]
        key = (max(known) if known else None, not members, len(known) < len(ages))
        adult = adults.get(key)
        if adult is None:
            adult = adults[key] = _adult(facts, req, min_age)
        answers = flags.get(profile)
        if answers is None:
            answers = flags[profile] = (_difficulty(profile), _needs_support(profile), _violence(profile))
        out[hid] = [
            adult,
            answers[0],
            answers[1],
            referral if referral is not None else _referral(facts, req, True),
            answers[2],
        ]
    return out


class _Profile(NamedTuple):
    """A CHRS profile's answers, read by attribute as the rule's checks do."""

    economic_difficulty: bool | None
    family_difficulty: bool | None
    health_difficulty: bool | None
    insertion_difficulty: bool | None
    needs_support_before_housing: bool | None
    domestic_violence_victim: bool | None


#: The profile answers the rule reads, for a chunk of households (``ids``): built once.
_PROFILE_TABLE: Any = ChrsProfile.__table__  # type: ignore[attr-defined]
_PROFILES = select(
    _PROFILE_TABLE.c.household_id, *(_PROFILE_TABLE.c[name] for name in _Profile._fields)
).where(in_ids(_PROFILE_TABLE.c.household_id))


def _profiles(req: EligibilityRequest) -> dict[int, _Profile]:
    """The CHRS profiles' answers of the batch, one statement per chunk, by household.

    Profiles are tuples of their answers: equal answers, equal results (and one dict key).
    """
    found: dict[int, _Profile] = {}
    for part in chunks(list(req.household_ids)):
        for hid, *answers in req.session.execute(_PROFILES, {"ids": part}):
            found[hid] = _Profile(*answers)
    return found


def _adult(facts: HouseholdFacts, req: EligibilityRequest, min_age: int) -> CriterionResult:
    threshold = f"≥ {min_age} ans"
    if not facts.members:
        return CriterionResult(
            ADULT,
            Outcome.UNKNOWN,
            "Composition du ménage inconnue : aucun membre saisi.",
            None,
            threshold,
        )
    ages = facts.ages(req.reference_date)
    known = [a for a in ages if a is not None]
    oldest = max(known) if known else None
    if oldest is not None and oldest >= min_age:
        return CriterionResult(
            ADULT,
            Outcome.SATISFIED,
            f"Le ménage compte un adulte ({oldest} ans).",
            str(oldest),
            threshold,
        )
    if len(known) < len(ages):
        return CriterionResult(
            ADULT,
            Outcome.UNKNOWN,
            "Date de naissance inconnue : impossible de vérifier la présence d'un adulte.",
            str(oldest) if oldest is not None else None,
            threshold,
        )
    return CriterionResult(
        ADULT,
        Outcome.NOT_SATISFIED,
        f"Aucun membre n'a {min_age} ans ou plus (le plus âgé a {oldest} ans) : les mineurs "
        "non accompagnés relèvent d'autres services.",
        str(oldest),
        threshold,
    )


def _difficulty(profile: _Profile | None) -> CriterionResult:
    threshold = "au moins une difficulté : " + ", ".join(label for _, label in DIFFICULTIES)
    if profile is None:
        return CriterionResult(
            DIFFICULTY,
            Outcome.UNKNOWN,
            "Difficultés du ménage non évaluées (profil CHRS absent).",
            None,
            threshold,
        )
    values = [(label, getattr(profile, col)) for col, label in DIFFICULTIES]
    present = [label for label, v in values if v is True]
    if present:
        return CriterionResult(
            DIFFICULTY,
            Outcome.SATISFIED,
            f"{len(present)} difficulté(s) importante(s) relevée(s).",
            str(len(present)),
            threshold,
        )
    missing = [label for label, v in values if v is None]
    if missing:
        return CriterionResult(
            DIFFICULTY,
            Outcome.UNKNOWN,
            "Difficultés non évaluées : " + ", ".join(missing) + ".",
            None,
            threshold,
        )
    return CriterionResult(
        DIFFICULTY,
        Outcome.NOT_SATISFIED,
        "Aucune difficulté importante (économique, familiale, de santé ou d'insertion).",
        "0",
        threshold,
    )


def _needs_support(profile: _Profile | None) -> CriterionResult:
    threshold = "oui"
    value = None if profile is None else profile.needs_support_before_housing
    if value is None:
        return CriterionResult(
            NEEDS_SUPPORT,
            Outcome.UNKNOWN,
            "Besoin d'accompagnement avant un logement de droit commun non évalué.",
            None,
            threshold,
        )
    if value:
        return CriterionResult(
            NEEDS_SUPPORT,
            Outcome.SATISFIED,
            "Le ménage a besoin d'un accompagnement avant d'intégrer un logement de droit commun.",
            "oui",
            threshold,
        )
    return CriterionResult(
        NEEDS_SUPPORT,
        Outcome.NOT_SATISFIED,
        "Le ménage peut intégrer un logement de droit commun sans accompagnement préalable.",
        "non",
        threshold,
    )


_REFERRAL_NOT_REQUIRED = CriterionResult(
    REFERRAL,
    Outcome.SATISFIED,
    "Orientation par le SIAO non exigée pour cette offre.",
    None,
    "non requise",
)


def _referral(facts: HouseholdFacts, req: EligibilityRequest, required: bool) -> CriterionResult:
    threshold = "orientation SIAO (institution), en attente ou admise"
    if not required:
        return _REFERRAL_NOT_REQUIRED
    if req.offer is not None:
        referrals: Sequence[ReferralFacts] = facts.referrals_to(req.offer.id)
    else:
        referrals = [r for r in facts.referrals if r.offer_scheme == CODE]
    siao = [r for r in referrals if r.proposer_kind is OrganisationKind.INSTITUTION]
    live = [r for r in siao if r.decision in _LIVE_DECISIONS]
    if live:
        latest = max(live, key=lambda r: r.proposed_on)
        return CriterionResult(
            REFERRAL,
            Outcome.SATISFIED,
            f"Orienté par le SIAO le {latest.proposed_on.strftime('%d/%m/%Y')}.",
            latest.decision.value,
            threshold,
        )
    if siao:
        message = "Orientation SIAO refusée ou retirée : une nouvelle orientation est attendue."
    elif referrals:
        message = "Orientation reçue d'une structure qui n'est pas le SIAO : orientation SIAO attendue."
    else:
        message = "Aucune orientation par le SIAO : l'admission suit une orientation du SIAO."
    return CriterionResult(REFERRAL, Outcome.UNKNOWN, message, None, threshold)


def _violence(profile: _Profile | None) -> CriterionResult:
    threshold = "oui"
    value = None if profile is None else profile.domestic_violence_victim
    if value is None:
        return CriterionResult(
            VIOLENCE_PRIORITY,
            Outcome.UNKNOWN,
            "Situation de violences conjugales non renseignée.",
            None,
            threshold,
        )
    if value:
        return CriterionResult(
            VIOLENCE_PRIORITY,
            Outcome.SATISFIED,
            "Public prioritaire : victime de violences conjugales.",
            "oui",
            threshold,
        )
    return CriterionResult(
        VIOLENCE_PRIORITY,
        Outcome.NOT_SATISFIED,
        "Pas de priorité au titre des violences conjugales.",
        "non",
        threshold,
    )


SAT, NOT, UNK = Outcome.SATISFIED.code, Outcome.NOT_SATISFIED.code, Outcome.UNKNOWN.code


def _flag(column: Any) -> Any:
    """A yes/no/unknown profile answer as an outcome (no profile: unknown)."""
    return case((column.is_(True), SAT), (column.is_(False), NOT), else_=UNK)


def outcomes(req: PopulationRequest) -> Select[Any]:
    """The same outcomes as ``evaluate`` for a whole population, decided by the database."""
    frame = req.frame
    assert frame is not None, "the core always hands set-based rules a population frame"
    ref = req.reference_date
    min_age = int(req.parameters.values["min_adult_age"])
    facts = frame.facts
    f = facts.c
    n = f.n
    adult = case(
        (f.oldest_birth <= born_by(ref, min_age), SAT),
        (n == 0, UNK),
        (f.births_known < n, UNK),
        else_=NOT,
    )
    profiles = ChrsProfile.__table__  # type: ignore[attr-defined]
    flags = [profiles.c[name] for name, _ in DIFFICULTIES]
    difficulty = case(
        (profiles.c.household_id.is_(None), UNK),
        (or_(*(f.is_(True) for f in flags)), SAT),
        (or_(*(f.is_(None) for f in flags)), UNK),
        else_=NOT,
    )
    if not bool(req.parameters.values["requires_referral"]):
        referral: Any = literal(SAT)
    else:
        if req.offer is not None:
            to_offer: Any = col(Referral.offer_id) == req.offer.id
        else:
            to_offer = col(Referral.offer_id).in_(select(col(Offer.id)).where(col(Offer.scheme) == CODE))
        live = (
            select(col(Referral.household_id))
            .join(Organisation, col(Organisation.id) == col(Referral.proposer_id))
            .where(
                to_offer,
                col(Referral.proposed_on) <= ref,
                col(Organisation.kind) == OrganisationKind.INSTITUTION,
                col(Referral.decision).in_(sorted(_LIVE_DECISIONS)),
            )
        )
        referral = case((f.household_id.in_(live), SAT), else_=UNK)
    return (
        select(
            f.household_id,
            adult,
            difficulty,
            _flag(profiles.c.needs_support_before_housing),
            referral,
            _flag(profiles.c.domestic_violence_victim),
        )
        .select_from(facts)
        .outerjoin(profiles, profiles.c.household_id == f.household_id)
    )
