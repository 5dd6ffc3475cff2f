"""FJT demo data: the Vivaldi and Bailly FJT offers, their residents, 2025 flows, applicants.

Figures the texts publish and the demo reproduces: Résidence Vivaldi's 43 units (38 T1,
2 T1 bis, 2 T2, 1 T3 for the caretaker; the core creates them), the FJT offer over its 42
young people's units with ``max_age=29`` ("moins de 30 ans") and more than 60 % of residents
in activity; the Résidence du Bailly FJT with 40 places. The rest is synthetic: 40 Vivaldi
households (41 young people, 25 in activity: 61.0 % on 2026-01-01, so one more inactive
resident would break the quota), 34 Bailly residents, twelve arrivals and twelve departures at
Vivaldi in 2025, and thirteen pending applications whose verdicts span every status.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlmodel import col

from core.demo import DemoContext
from core.models import (
    Activity,
    ExitDestination,
    MemberRole,
    Offer,
    Organisation,
    OrganisationKind,
    Referral,
    ReferralDecision,
    Typology,
    Unit,
)
from plugins.fjt.models import FjtProfile
from plugins.fjt.scheme import CODE

VIVALDI_OFFER = "FJT Résidence Vivaldi"
BAILLY_OFFER = "FJT Résidence du Bailly"
#: The brochure dates the Vivaldi project 2020 without an opening day; Bailly was inaugurated
#: on 14 November 2019.
VIVALDI_OPENING = date(2020, 9, 1)
BAILLY_OPENING = date(2019, 11, 14)
YEAR = (date(2025, 1, 1), date(2025, 12, 31))

#: Applications, in the order their households are created (references FJT-CAND-00001…):
#: offer, members (age None: birth date unknown), activity detail, status on the demo date.
APPLICANTS: tuple[tuple[str, tuple[Mapping[str, Any], ...], str, str], ...] = (
    ("bailly", ({"age": 22, "activity": Activity.APPRENTICESHIP},), "Apprenti CAP cuisine", "priority"),
    ("bailly", ({"age": 28, "activity": Activity.EMPLOYED},), "CDD agent logistique", "eligible"),
    ("bailly", ({"age": 27, "activity": Activity.STUDENT},), "Étudiant en BTS", "eligible"),
    ("bailly", ({"age": 31, "activity": Activity.EMPLOYED},), "CDI cariste", "ineligible"),
    ("bailly", ({"age": 15, "activity": Activity.TRAINING},), "Classe de 3e prépa-métiers", "ineligible"),
    (
        "bailly",
        (
            {"age": 23, "activity": Activity.EMPLOYED, "role": MemberRole.REFERENCE},
            {"age": 24, "activity": Activity.EMPLOYED, "role": MemberRole.SPOUSE},
        ),
        "Couple, deux CDI en usine",
        "ineligible",
    ),
    ("bailly", ({"age": None, "activity": Activity.EMPLOYED},), "Intérim, pièces à fournir", "incomplete"),
    ("bailly", ({"age": 19, "activity": None},), "Situation à préciser", "incomplete"),
    ("vivaldi", ({"age": 19, "activity": Activity.JOB_SEEKING},), "Inscrit à France Travail", "priority"),
    ("vivaldi", ({"age": 29, "activity": Activity.EMPLOYED},), "CDI aide-soignante", "eligible"),
    ("vivaldi", ({"age": 30, "activity": Activity.EMPLOYED},), "CDI technicien", "ineligible"),
    ("vivaldi", ({"age": 24, "activity": Activity.INACTIVE},), "Sans activité", "ineligible"),
    (
        "vivaldi",
        (
            {"age": 21, "activity": Activity.TRAINING, "role": MemberRole.REFERENCE},
            {"age": 2, "role": MemberRole.CHILD},
        ),
        "Formation d'auxiliaire de vie, un enfant",
        "priority",
    ),
)

DESTINATIONS = (
    (ExitDestination.SOCIAL_RENTAL, "Accès à un logement social"),
    (ExitDestination.PRIVATE_RENTAL, "Accès à un logement privé"),
    (ExitDestination.SOCIAL_RENTAL, "Accès à un logement social"),
    (ExitDestination.FAMILY_OR_FRIENDS, "Retour en famille"),
    (ExitDestination.PRIVATE_RENTAL, "Mutation professionnelle"),
    (ExitDestination.OTHER, "Fin de contrat"),
)


@dataclass
class Stay:
    """A synthetic household and its occupancy of one unit of an offer."""

    unit: Unit
    members: list[dict[str, Any]]
    start: date
    end: date | None = None


def load_demo(ctx: DemoContext) -> None:
    """Create both FJT offers with their residents, flows and applicants (once)."""
    if ctx.session.execute(select(col(Offer.id)).where(col(Offer.name) == VIVALDI_OFFER)).first():
        return  # already loaded: the demo is idempotent
    # Our own generator: the figures must not depend on which other plugins ran before.
    rng = random.Random(20200901)
    clesence = ctx.organisation("Clésence", OrganisationKind.LANDLORD, department="02")
    manager = ctx.organisation("Accueil & Promotion", OrganisationKind.ASSOCIATION, department="02")
    siao = ctx.organisation("SIAO de l'Aisne", OrganisationKind.INSTITUTION, department="02")
    vivaldi, vivaldi_stays = _vivaldi(ctx, rng, clesence, manager)
    bailly, bailly_stays = _bailly(ctx, rng, clesence, manager)
    # Applicants first: they head the offers' candidate lists (in household id order).
    _applicants(ctx, rng, manager, siao, {"vivaldi": vivaldi, "bailly": bailly})
    for offer, groups in ((vivaldi, vivaldi_stays), (bailly, bailly_stays)):
        for prefix, stays in groups:
            _house(ctx, manager, offer, stays, prefix)


def _vivaldi(
    ctx: DemoContext, rng: random.Random, clesence: Organisation, manager: Organisation
) -> tuple[Offer, list[tuple[str, list[Stay]]]]:
    """The Vivaldi offer, and its residents and former residents to house."""
    site = ctx.site(clesence, "Résidence Vivaldi", "Soissons", postcode="02200", department="02")
    units = ctx.units(
        site,
        {Typology.T1: 38, Typology.T1_BIS: 2, Typology.T2: 2, Typology.T3: 1},
        prefix="V",
        furnished=True,
        accessible=True,
    )
    # "1 T3 pour le gardien": the caretaker's home is not part of the young people's offer.
    homes = sorted((u for u in units if u.typology is not Typology.T3), key=lambda u: u.label)
    offer = ctx.offer(
        CODE,
        VIVALDI_OFFER,
        clesence,
        manager,
        VIVALDI_OPENING,
        site=site,
        units=homes,
        capacity=len(homes),
        parameters={"max_age": 29},  # "Résidence dédiée aux moins de 30 ans"
    )
    t1 = [u for u in homes if u.typology is Typology.T1]
    t1_bis = [u for u in homes if u.typology is Typology.T1_BIS]
    t2 = [u for u in homes if u.typology is Typology.T2]
    # 38 single young people, then a couple and a single-parent family in the two T2:
    # 41 young people, 25 of them in activity (61.0 %).
    active = (
        [Activity.EMPLOYED] * 9
        + [Activity.APPRENTICESHIP] * 6
        + [Activity.TRAINING] * 2
        + [Activity.INTERNSHIP] * 2
        + [Activity.JOB_SEEKING] * 3
    )
    singles = active + [Activity.STUDENT] * 12 + [Activity.INACTIVE] * 4
    rng.shuffle(singles)
    occupied = t1[:36] + t1_bis  # two T1 stand vacant on the demo date
    members: list[list[dict[str, Any]]] = [
        [_young(rng, rng.randrange(18, 30), activity)] for activity in singles
    ]
    members.append(
        [
            _young(rng, 26, Activity.EMPLOYED),
            _young(rng, 25, Activity.EMPLOYED, MemberRole.SPOUSE),
        ]
    )
    members.append([_young(rng, 23, Activity.TRAINING), _child(rng, 3)])
    homes_of = occupied + t2
    # Twelve current residents arrived in 2025; ten of them after a departure from the unit.
    arrived = set(rng.sample(range(len(homes_of)), 12))
    replaced = sorted(arrived)[:10]
    stays: list[Stay] = []
    for n, (unit, people) in enumerate(zip(homes_of, members, strict=True)):
        if n in arrived:
            start = YEAR[0] + timedelta(days=rng.randrange(45, 340))
        else:
            start = _entry(rng, people, VIVALDI_OPENING, YEAR[0] - timedelta(days=1))
        stays.append(Stay(unit, people, start))
    departed = [
        Stay(stays[n].unit, [_young(rng, rng.randrange(21, 31), Activity.EMPLOYED)], date(2021, 1, 1))
        for n in replaced
    ] + [
        Stay(unit, [_young(rng, rng.randrange(21, 31), Activity.JOB_SEEKING)], date(2021, 1, 1))
        for unit in t1[36:]
    ]
    for k, stay in enumerate(departed):
        following = stays[replaced[k]].start if k < len(replaced) else date(2025, 12, 1)
        stay.end = max(YEAR[0] + timedelta(days=1), following - timedelta(days=rng.randrange(7, 40)))
        stay.start = _entry(rng, stay.members, VIVALDI_OPENING, date(2024, 6, 30))
    return offer, [("FJT-VIV", stays), ("FJT-VIV-ANC", departed)]


def _bailly(
    ctx: DemoContext, rng: random.Random, clesence: Organisation, manager: Organisation
) -> tuple[Offer, list[tuple[str, list[Stay]]]]:
    """The Bailly offer, and its residents to house."""
    site = ctx.site(clesence, "Résidence du Bailly", "Chauny", postcode="02300", department="02")
    # The press release gives 40 places and no typologies: the demo models 40 furnished T1.
    units = ctx.units(site, {Typology.T1: 40}, prefix="FJT-", furnished=True)
    offer = ctx.offer(
        CODE, BAILLY_OFFER, clesence, manager, BAILLY_OPENING, site=site, units=units, capacity=40
    )
    activities: list[Activity | None] = (
        [Activity.EMPLOYED] * 10
        + [Activity.APPRENTICESHIP] * 6
        + [Activity.TRAINING] * 4
        + [Activity.INTERNSHIP] * 2
        + [Activity.JOB_SEEKING] * 4
        + [Activity.STUDENT] * 4
        + [Activity.INACTIVE] * 3
        + [None]  # one resident whose situation was never recorded
    )
    rng.shuffle(activities)
    stays = []
    for unit, activity in zip(units[:34], activities, strict=True):
        people = [_young(rng, rng.randrange(18, 31), activity)]
        stays.append(Stay(unit, people, _entry(rng, people, date(2020, 1, 6), date(2025, 11, 30))))
    return offer, [("FJT-BAI", stays)]


def _applicants(
    ctx: DemoContext,
    rng: random.Random,
    manager: Organisation,
    siao: Organisation,
    offers: Mapping[str, Offer],
) -> None:
    specs = []
    for _, people, _, _ in APPLICANTS:
        specs.append(
            [
                _young(rng, p["age"], p.get("activity"), p.get("role", MemberRole.REFERENCE))
                if p.get("role") is not MemberRole.CHILD
                else _child(rng, p["age"])
                for p in people
            ]
        )
    ids = ctx.households_with_members(
        manager, specs, reference_prefix="FJT-CAND", created_on=date(2025, 10, 1)
    )
    referrals, profiles = [], []
    for n, (hid, (where, _, detail, _)) in enumerate(zip(ids, APPLICANTS, strict=True)):
        proposed = date(2025, 10, 1) + timedelta(days=7 * n)
        referrals.append(
            {
                "owner_id": manager.id,
                "household_id": hid,
                "offer_id": offers[where].id,
                # Direct applications to the association, some through the SIAO.
                "proposer_id": (siao if n % 3 == 2 else manager).id,
                "proposed_on": proposed,
                "decision": ReferralDecision.PENDING,
                "version": 1,
            }
        )
        profiles.append(
            {
                "owner_id": manager.id,
                "household_id": hid,
                "applied_on": proposed,
                "activity_detail": detail,
                "version": 1,
            }
        )
    ctx.bulk(Referral, referrals)
    ctx.bulk(FjtProfile, profiles)


def _house(ctx: DemoContext, manager: Organisation, offer: Offer, stays: Sequence[Stay], prefix: str) -> None:
    """Bulk-create the households of ``stays`` and their occupancies of ``offer``."""
    ids = ctx.households_with_members(
        manager,
        [s.members for s in stays],
        reference_prefix=prefix,
        created_on=min(s.start for s in stays),
    )
    rows = []
    for n, (hid, stay) in enumerate(zip(ids, stays, strict=True)):
        destination, reason = DESTINATIONS[n % len(DESTINATIONS)] if stay.end else (None, None)
        rows.append(
            {
                "owner_id": manager.id,
                "household_id": hid,
                "unit_id": stay.unit.id,
                "offer_id": offer.id,
                "start_date": stay.start,
                "end_date": stay.end,
                "exit_destination": destination,
                "exit_reason": reason,
            }
        )
    ctx.occupancies(rows)


def _born(rng: random.Random, age: int) -> date:
    """A birth date giving exactly ``age`` completed years on the demo date (2026-01-01)."""
    return date(2025 - age, 1, 1) + timedelta(days=rng.randrange(1, 365))


def _young(
    rng: random.Random,
    age: int | None,
    activity: Activity | None,
    role: MemberRole = MemberRole.REFERENCE,
) -> dict[str, Any]:
    working = activity in {Activity.EMPLOYED, Activity.APPRENTICESHIP, Activity.INTERNSHIP}
    return {
        "birth_date": _born(rng, age) if age is not None else None,
        "role": role,
        "activity": activity,
        "monthly_resources": float(rng.randrange(700, 1500) if working else rng.randrange(0, 650)),
        "isolated": role is MemberRole.REFERENCE,
    }


def _child(rng: random.Random, age: int) -> dict[str, Any]:
    return {"birth_date": _born(rng, age), "role": MemberRole.CHILD, "monthly_resources": 0.0}


def _entry(rng: random.Random, people: Sequence[Mapping[str, Any]], earliest: date, latest: date) -> date:
    """An entry date in [earliest, latest] at which the household's reference was at least 17."""
    birth = people[0]["birth_date"]
    seventeen = date(birth.year + 17, birth.month, 28 if birth.day > 28 else birth.day)
    low = max(earliest, seventeen)
    span = max(0, (latest - low).days)
    return low + timedelta(days=rng.randrange(0, span + 1))
