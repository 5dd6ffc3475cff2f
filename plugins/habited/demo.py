"""HabiTED demo data: the Roncq residence run by ISRAA in 3F Notre Logis's building.

Published figures reproduced: opened in January 2016, ten T1 at 498 € per tenant and one shared
T4 for activities and the association's office hours (the core creates the units). Synthetic:
ten tenants (one arrived in March 2025 after a departure in January), all supported by ISRAA,
and six pending applications whose verdicts show each criterion.
"""

from __future__ import annotations

import random
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
    OrganisationKind,
    Referral,
    ReferralDecision,
    SupportEpisode,
    Typology,
)
from plugins.habited.models import HabitedDayActivity as Day
from plugins.habited.models import HabitedDiagnosis as Dx
from plugins.habited.models import HabitedProfile
from plugins.habited.scheme import CODE

OFFER = "HabiTED Roncq"
OPENING = date(2016, 1, 1)

#: Tenants: age on the demo date, entry, end (None: still there), diagnosis, daytime activity.
TENANTS: tuple[tuple[int, date, date | None, Dx, Day], ...] = (
    (34, date(2016, 1, 4), None, Dx.AUTISM, Day.ORDINARY_EMPLOYMENT),
    (31, date(2016, 1, 4), None, Dx.AUTISM, Day.ESAT),
    (38, date(2016, 1, 11), None, Dx.PDD, Day.SHELTERED_WORKSHOP),
    (29, date(2016, 1, 18), None, Dx.AUTISM, Day.ESAT),
    (42, date(2016, 2, 1), None, Dx.AUTISM, Day.DAY_CENTRE),
    (36, date(2016, 2, 15), None, Dx.PDD, Day.ORDINARY_EMPLOYMENT),
    (30, date(2018, 9, 3), None, Dx.AUTISM, Day.ESAT),
    (27, date(2020, 10, 5), None, Dx.AUTISM, Day.SHELTERED_WORKSHOP),
    (33, date(2023, 4, 3), None, Dx.PDD, Day.DAY_CENTRE),
    (24, date(2025, 3, 3), None, Dx.AUTISM, Day.ORDINARY_EMPLOYMENT),
    # Left for an ordinary social dwelling; unit R010 was let again in March 2025.
    (35, date(2016, 1, 4), date(2025, 1, 31), Dx.AUTISM, Day.ESAT),
)

#: Applications (references HAB-CAND-00001…): age (None: unknown), diagnosis, verbal language,
#: transport autonomy, daytime activity, status on the demo date.
APPLICANTS: tuple[tuple[int | None, Dx | None, bool | None, bool | None, Day | None, str], ...] = (
    (26, Dx.AUTISM, True, True, Day.ESAT, "eligible"),
    (41, Dx.AUTISM, True, True, Day.ORDINARY_EMPLOYMENT, "ineligible"),
    (22, Dx.PDD, False, True, Day.DAY_CENTRE, "ineligible"),
    (30, Dx.AUTISM, True, None, Day.SHELTERED_WORKSHOP, "incomplete"),
    (35, Dx.AUTISM, True, True, Day.NONE, "ineligible"),
    (18, Dx.PDD, True, True, Day.DAY_CENTRE, "eligible"),
)

CORE_ACTIVITY = {
    Day.ORDINARY_EMPLOYMENT: Activity.EMPLOYED,
    Day.SHELTERED_WORKSHOP: Activity.EMPLOYED,
    Day.ESAT: Activity.EMPLOYED,
    Day.DAY_CENTRE: Activity.INACTIVE,
    Day.NONE: Activity.INACTIVE,
}


def load_demo(ctx: DemoContext) -> None:
    """Create the HabiTED offer, its tenants and support, and applications (once)."""
    if ctx.session.execute(select(col(Offer.id)).where(col(Offer.name) == OFFER)).first():
        return  # already loaded: the demo is idempotent
    # Our own generator: the figures must not depend on which other plugins ran before.
    rng = random.Random(2016)
    three_f = ctx.organisation("3F Notre Logis", OrganisationKind.LANDLORD, department="59")
    israa = ctx.organisation("ISRAA", OrganisationKind.ASSOCIATION, department="59")
    site = ctx.site(three_f, "Résidence HabiTED", "Roncq", postcode="59223", department="59")
    homes = ctx.units(site, {Typology.T1: 10}, prefix="R", monthly_rent=498.0, accessible=True)
    common = ctx.units(site, {Typology.T4: 1}, prefix="C", common=True)
    offer = ctx.offer(CODE, OFFER, three_f, israa, OPENING, site=site, units=[*homes, *common], capacity=10)
    assert israa.id is not None and offer.id is not None
    tenant_ids = ctx.households_with_members(
        israa,
        [[_person(rng, age, day)] for age, _, _, _, day in TENANTS],
        reference_prefix="HAB-LOC",
        created_on=OPENING,
    )
    # The departed tenant lived in the last unit, let again to the tenant who came in 2025.
    unit_of = [*homes, homes[-1]]
    ctx.occupancies(
        {
            "owner_id": israa.id,
            "household_id": hid,
            "unit_id": unit.id,
            "offer_id": offer.id,
            "start_date": start,
            "end_date": end,
            "exit_destination": ExitDestination.SOCIAL_RENTAL if end else None,
            "exit_reason": "Accès à un logement ordinaire" if end else None,
        }
        for hid, unit, (_, start, end, _, _) in zip(tenant_ids, unit_of, TENANTS, strict=True)
    )
    ctx.bulk(
        SupportEpisode,
        (
            {
                "owner_id": israa.id,
                "household_id": hid,
                "offer_id": offer.id,
                "organisation_id": israa.id,
                "start_date": start,
                "end_date": end,
                "end_reason": "Sortie du logement" if end else None,
                "version": 1,
            }
            for hid, (_, start, end, _, _) in zip(tenant_ids, TENANTS, strict=True)
        ),
    )
    applicant_ids = ctx.households_with_members(
        israa,
        [[_person(rng, age, day or Day.NONE)] for age, _, _, _, day, _ in APPLICANTS],
        reference_prefix="HAB-CAND",
        created_on=date(2025, 9, 1),
    )
    ctx.bulk(
        Referral,
        (
            {
                "owner_id": israa.id,
                "household_id": hid,
                "offer_id": offer.id,
                "proposer_id": israa.id,
                "proposed_on": date(2025, 9, 1) + timedelta(days=14 * n),
                "decision": ReferralDecision.PENDING,
                "version": 1,
            }
            for n, hid in enumerate(applicant_ids)
        ),
    )
    profiles: list[dict[str, Any]] = [
        _profile(israa.id, hid, dx, True, True, day)
        for hid, (_, _, _, dx, day) in zip(tenant_ids, TENANTS, strict=True)
    ]
    profiles += [
        _profile(israa.id, hid, dx, verbal, transport, day)
        for hid, (_, dx, verbal, transport, day, _) in zip(applicant_ids, APPLICANTS, strict=True)
    ]
    ctx.bulk(HabitedProfile, profiles)


def _person(rng: random.Random, age: int | None, day: Day) -> dict[str, Any]:
    """A single tenant; a birth date giving exactly ``age`` years on 2026-01-01."""
    birth = date(2025 - age, 1, 1) + timedelta(days=rng.randrange(1, 365)) if age is not None else None
    return {
        "birth_date": birth,
        "role": MemberRole.REFERENCE,
        "activity": CORE_ACTIVITY[day],
        "monthly_resources": float(rng.randrange(900, 1400)),
        "isolated": True,
    }


def _profile(
    owner_id: int,
    household_id: int,
    diagnosis: Dx | None,
    verbal: bool | None,
    transport: bool | None,
    day: Day | None,
) -> dict[str, Any]:
    return {
        "owner_id": owner_id,
        "household_id": household_id,
        "diagnosis": diagnosis,
        "verbal_language": verbal,
        "public_transport_autonomy": transport,
        "day_activity": day,
        "version": 1,
    }
