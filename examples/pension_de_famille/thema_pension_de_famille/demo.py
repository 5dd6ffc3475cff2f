"""Demo data: the Résidence du Bailly's pension de famille (Chauny), 25 places, and its residents.

What the press release says and the demo reproduces: a pension de famille « pouvant accueillir
jusqu'à 25 résidents » in the Résidence du Bailly, run by Accueil & Promotion for Clésence, the
residence inaugurated on 14 November 2019. The rest is synthetic: 22 residents living alone
(15 of them for a year or more on the demo date), each with the situations that brought them, and
three pending applications whose verdicts span the statuses.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlmodel import col

from core.demo import DemoContext
from core.models import MemberRole, Offer, OrganisationKind, Referral, ReferralDecision, Typology
from thema_pension_de_famille.eligibility import SITUATIONS
from thema_pension_de_famille.models import PensionDeFamilleProfile
from thema_pension_de_famille.scheme import CODE

OFFER = "Pension de famille de la Résidence du Bailly"
OPENING = date(2019, 11, 14)
PLACES = 25
RESIDENTS = 22
#: Residents who arrived in the year before the demo date (2026-01-01): the others stay longer.
RECENT = 7


def load_demo(ctx: DemoContext) -> None:
    """Create the offer, its 25 units, its residents and applicants (once: the demo is idempotent)."""
    if ctx.session.execute(select(col(Offer.id)).where(col(Offer.name) == OFFER)).first():
        return
    # Our own generator: the figures must not depend on which other plugins ran before.
    rng = random.Random(20191114)
    clesence = ctx.organisation("Clésence", OrganisationKind.LANDLORD, department="02")
    manager = ctx.organisation("Accueil & Promotion", OrganisationKind.ASSOCIATION, department="02")
    site = ctx.site(clesence, "Résidence du Bailly", "Chauny", postcode="02300", department="02")
    units = ctx.units(site, {Typology.T1: PLACES}, prefix="PF-", furnished=True)
    offer = ctx.offer(CODE, OFFER, clesence, manager, OPENING, site=site, units=units, capacity=PLACES)
    specs = [[_resident(ctx, rng)] for _ in range(RESIDENTS)]
    ids = ctx.households_with_members(manager, specs, reference_prefix="PF", created_on=OPENING)
    starts = [
        ctx.today - timedelta(days=rng.randrange(30, 360)) if n < RECENT else _long_ago(ctx, rng)
        for n in range(RESIDENTS)
    ]
    ctx.occupancies(
        {
            "owner_id": manager.id,
            "household_id": hid,
            "unit_id": unit.id,
            "offer_id": offer.id,
            "start_date": start,
        }
        for hid, unit, start in zip(ids, units, starts, strict=False)
    )
    ctx.bulk(PensionDeFamilleProfile, [_profile(manager.id, hid, rng) for hid in ids])
    _applicants(ctx, manager, offer)


def _long_ago(ctx: DemoContext, rng: random.Random) -> date:
    """An entry between the opening and a year before the demo date."""
    span = (ctx.today - timedelta(days=366) - OPENING).days
    return OPENING + timedelta(days=rng.randrange(0, span))


def _resident(ctx: DemoContext, rng: random.Random) -> dict[str, Any]:
    return {
        "age": rng.randrange(28, 72),
        "role": MemberRole.REFERENCE,
        "monthly_resources": float(rng.choice((0, 560, 607, 711, 980))),
        "isolated": True,
    }


def _profile(owner_id: int | None, household_id: int, rng: random.Random) -> dict[str, Any]:
    """Every resident is in at least one situation of the public; some in several."""
    chosen = set(rng.sample(SITUATIONS, rng.randrange(1, 3)))
    return {
        "owner_id": owner_id,
        "household_id": household_id,
        "version": 1,
        **{name: name in chosen for name in SITUATIONS},
    }


def _applicants(ctx: DemoContext, manager: Any, offer: Offer) -> None:
    """Three applications: one eligible, one not yet assessed, one couple (not a person alone)."""
    specs = [
        [{"age": 47, "role": MemberRole.REFERENCE, "monthly_resources": 607.0, "isolated": True}],
        [{"age": 58, "role": MemberRole.REFERENCE, "monthly_resources": 980.0, "isolated": True}],
        [
            {"age": 39, "role": MemberRole.REFERENCE, "monthly_resources": 711.0, "isolated": False},
            {"age": 41, "role": MemberRole.SPOUSE, "monthly_resources": 0.0, "isolated": False},
        ],
    ]
    ids = ctx.households_with_members(
        manager, specs, reference_prefix="PF-CAND", created_on=date(2025, 11, 3)
    )
    ctx.bulk(
        Referral,
        [
            {
                "owner_id": manager.id,
                "household_id": hid,
                "offer_id": offer.id,
                "proposer_id": manager.id,
                "proposed_on": date(2025, 11, 3) + timedelta(days=7 * n),
                "decision": ReferralDecision.PENDING,
                "version": 1,
            }
            for n, hid in enumerate(ids)
        ],
    )
    situations = {name: False for name in SITUATIONS}
    ctx.bulk(
        PensionDeFamilleProfile,
        [
            {"owner_id": manager.id, "household_id": ids[0], "version": 1, **situations, "precarity": True},
            {
                "owner_id": manager.id,
                "household_id": ids[2],
                "version": 1,
                **situations,
                "family_breakdown": True,
            },
        ],
    )
