"""Demo data: Sia Habitat's ASR, May-December 2019, reproducing the published figures.

"Sur la période de mai 2019 à décembre 2019, 28 ménages ont été accompagnés, soit une équivalence
de 82 mois d'accompagnement ; 30% des ménages accompagnés résident en QPV." The 28 episodes are
generated, then their end dates adjusted so that the days of support inside the period add up to
2,496 (2,496 / 30.4375 = 82.0 months). 8 of the 28 households live in a QPV: 28.6 %, the closest
share to the published 30 % (9 would give 32.1 %).
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select

from core.demo import DemoContext
from core.models import (
    ContactKind,
    MemberRole,
    Offer,
    Organisation,
    OrganisationKind,
    Partnership,
    PartnershipRole,
    PartnershipScope,
    SupportContact,
    SupportEpisode,
    Typology,
)
from plugins.asr.models import AsrIdentificationSource, AsrProfile
from plugins.asr.scheme import CODE

OFFER_NAME = "Accompagnement Social Renforcé — Sia Habitat"
ASSOCIATIONS = (
    "La Pose",
    "AJAR",
    "La Vie Active",
    "ADIS",
    "Les Compagnons de l'Espoir",
    "APSA Logement",
)
PERIOD_START = date(2019, 5, 1)
PERIOD_END = date(2019, 12, 31)
SUPPORTED = 28
#: Days of support inside May-December 2019: 2,496 / (365.25 / 12) = 82.0 months.
TARGET_DAYS = 2496
#: Indexes of the supported households living in the QPV site: 8 of 28.
IN_QPV = frozenset({1, 4, 8, 11, 15, 18, 22, 25})
RECOVERY_TEAM = "Équipe recouvrement — agence de Douai"


def load_demo(ctx: DemoContext) -> None:
    """Sites and tenants, the offer and its partners, identifications, episodes and weekly visits."""
    if ctx.session.execute(select(Offer.id).where(Offer.name == OFFER_NAME)).first():
        return  # already loaded
    # A local generator: the figures do not depend on which other plugins ran before.
    rng = random.Random(2019)
    sia = ctx.organisation("Sia Habitat", OrganisationKind.LANDLORD, department="59")
    partners = [ctx.organisation(n, OrganisationKind.ASSOCIATION) for n in ASSOCIATIONS]
    offer = ctx.offer(CODE, OFFER_NAME, sia, sia, PERIOD_START)
    for partner in partners:
        ctx.enable(partner, CODE, PERIOD_START)
    _partnerships(ctx, sia, partners, offer)

    # Tenants: the 2019 cohort, three households supported in 2020, four on the targeting list.
    later, waiting = 3, 4
    qpv_site = ctx.site(sia, "Résidence du Frais-Marais", "Douai", department="59", in_priority_district=True)
    estate = ctx.site(sia, "Patrimoine Douai", "Douai", department="59")
    qpv_units = ctx.units(qpv_site, {Typology.T2: len(IN_QPV) + 1}, prefix="ASR-")
    other_units = ctx.units(
        estate, {Typology.T2: SUPPORTED - len(IN_QPV) + later + waiting - 1}, prefix="ASR-"
    )
    qpv_iter, other_iter = iter(qpv_units), iter(other_units)
    units = [next(qpv_iter) if i in IN_QPV else next(other_iter) for i in range(SUPPORTED)]
    units += [next(other_iter) for _ in range(later)]
    units += [next(qpv_iter)] + [next(other_iter) for _ in range(waiting - 1)]

    episodes = _cohort_2019(rng)
    episodes += [(date(2020, 2, 3) + timedelta(days=14 * i), date(2020, 7, 31)) for i in range(later)]

    specs: list[list[dict[str, Any]]] = [[_tenant(rng, isolated=True)] for _ in range(SUPPORTED + later)]
    # Targeting list: eligible, eligible, not isolated (ineligible), facts missing (incomplete).
    specs += [
        [_tenant(rng, isolated=True)],
        [_tenant(rng, isolated=True)],
        [_tenant(rng, isolated=False), {"age": 40, "role": MemberRole.SPOUSE, "isolated": False}],
        [_tenant(rng, isolated=True)],
    ]
    ids = ctx.households_with_members(sia, specs, reference_prefix="ASR", created_on=date(2005, 1, 1))
    ctx.occupancies(
        {
            "owner_id": sia.id,
            "household_id": hid,
            "unit_id": unit.id,
            "start_date": date(2004 + rng.randrange(0, 15), rng.randrange(1, 13), 1),
        }
        for hid, unit in zip(ids, units, strict=True)
    )

    profiles = [
        _identification(rng, sia, hid, start - timedelta(days=rng.randrange(7, 35)))
        for hid, (start, _) in zip(ids, episodes, strict=False)
    ]
    identified = ctx.today - timedelta(days=20)
    profiles += [
        _identification(rng, sia, ids[-4], identified, precarity=True, troubles=False),
        _identification(rng, sia, ids[-3], identified, precarity=False, troubles=True),
        _identification(rng, sia, ids[-2], identified, precarity=True, troubles=None),
        _identification(rng, sia, ids[-1], identified, precarity=False, troubles=None),
    ]
    ctx.bulk(AsrProfile, profiles)
    _episodes(ctx, rng, offer, partners, ids, episodes)


def _partnerships(ctx: DemoContext, sia: Organisation, partners: list[Organisation], offer: Offer) -> None:
    """Each association provides support under the offer and reads the files of its households."""
    ctx.bulk(
        Partnership,
        [
            {
                "owner_id": sia.id,
                "partner_id": p.id,
                "role": PartnershipRole.PROVIDES_SUPPORT,
                "scope": PartnershipScope.OFFERS,
                "site_ids": [],
                "offer_ids": [offer.id],
                "grants_resident_files": True,
                "start_date": PERIOD_START,
                "end_date": None,
                "version": 1,
            }
            for p in partners
        ],
    )


def _cohort_2019(rng: random.Random) -> list[tuple[date, date]]:
    """28 episodes from May 2019 whose days inside the period add up to ``TARGET_DAYS``."""
    episodes = []
    for i in range(SUPPORTED):
        start = PERIOD_START + timedelta(days=1 + i * 6 + rng.randrange(0, 4))
        end = start + timedelta(days=rng.randrange(45, 150) - 1)
        episodes.append([start, end])

    def inside(ep: list[date]) -> int:
        return (min(ep[1], PERIOD_END) - ep[0]).days + 1

    # Move the end of the episodes that close within the period, one day at a time, round-robin.
    diff = TARGET_DAYS - sum(inside(ep) for ep in episodes)
    adjustable = [ep for ep in episodes if ep[1] < PERIOD_END]
    step = 1 if diff > 0 else -1
    n = 0
    while diff:
        ep = adjustable[n % len(adjustable)]
        moved = ep[1] + timedelta(days=step)
        if ep[0] + timedelta(days=29) <= moved < PERIOD_END:
            ep[1] = moved
            diff -= step
        n += 1
    assert sum(inside(ep) for ep in episodes) == TARGET_DAYS
    return [(s, e) for s, e in episodes]


def _tenant(rng: random.Random, *, isolated: bool) -> dict[str, Any]:
    return {
        "age": rng.randrange(28, 78),
        "role": MemberRole.REFERENCE,
        "monthly_resources": float(rng.randrange(450, 1100)),
        "isolated": isolated,
    }


def _identification(
    rng: random.Random,
    sia: Organisation,
    hid: int,
    on: date,
    *,
    precarity: bool | None = None,
    troubles: bool | str | None = "random",
) -> dict[str, Any]:
    """The rent-recovery team's identification record."""
    if precarity is None and troubles == "random":
        precarity = rng.random() < 0.75
        troubles = rng.random() < 0.55 or not precarity
    return {
        "owner_id": sia.id,
        "household_id": hid,
        "great_precarity": precarity,
        "rent_arrears_amount": float(rng.randrange(200, 3500)) if precarity else None,
        "suspected_psychological_troubles": troubles,
        "identified_on": on,
        "identified_by": RECOVERY_TEAM,
        "identification_source": AsrIdentificationSource.RENT_RECOVERY,
        "identifying_organisation_id": sia.id,
        "version": 1,
    }


def _episodes(
    ctx: DemoContext,
    rng: random.Random,
    offer: Offer,
    partners: list[Organisation],
    ids: list[int],
    episodes: list[tuple[date, date]],
) -> None:
    """Support episodes (the association owns its support file) and their weekly home visits."""
    episode_ids = ctx.reserve_ids(SupportEpisode, len(episodes))
    rows, contacts = [], []
    for n, (eid, hid, (start, end)) in enumerate(zip(episode_ids, ids, episodes, strict=False)):
        partner = partners[n % len(partners)]
        rows.append(
            {
                "id": eid,
                "owner_id": partner.id,
                "household_id": hid,
                "offer_id": offer.id,
                "organisation_id": partner.id,
                "start_date": start,
                "end_date": end,
                "end_reason": "Relais vers le droit commun",
                "version": 1,
            }
        )
        week = start
        while week <= end:
            # Mostly one or two home visits a week; about one week in twelve is missed.
            visits = rng.choices((0, 1, 2), weights=(8, 70, 22))[0]
            for day in sorted(rng.sample(range(7), visits)):
                on = week + timedelta(days=day)
                if on <= end:
                    contacts.append(_contact(partner, eid, on, ContactKind.HOME_VISIT, rng))
            if rng.random() < 0.3:
                on = week + timedelta(days=rng.randrange(7))
                if on <= end:
                    contacts.append(_contact(partner, eid, on, ContactKind.PHONE, rng))
            week += timedelta(days=7)
    ctx.bulk(SupportEpisode, rows)
    ctx.bulk(SupportContact, contacts)


def _contact(
    partner: Organisation, eid: int, on: date, kind: ContactKind, rng: random.Random
) -> dict[str, Any]:
    minutes = rng.randrange(45, 120) if kind is ContactKind.HOME_VISIT else rng.randrange(5, 30)
    return {
        "owner_id": partner.id,
        "episode_id": eid,
        "contact_on": on,
        "kind": kind,
        "duration_minutes": minutes,
        "version": 1,
    }
