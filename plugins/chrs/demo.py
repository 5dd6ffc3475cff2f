"""Demo data: the CHRS of the Résidence du Bailly (Chauny), 26 places run by Accueil & Promotion."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from sqlalchemy import bindparam, select, update

from core.demo import DemoContext
from core.models import (
    ExitDestination,
    Household,
    MemberRole,
    Offer,
    OrganisationKind,
    Referral,
    ReferralDecision,
    Typology,
)
from plugins.chrs.models import ChrsProfile
from plugins.chrs.scheme import CODE

OFFER_NAME = "CHRS de la Résidence du Bailly"
CAPACITY = 26
#: 10 T1 for one person, 4 T2 for two, 2 T3 for four: 26 places.
UNITS = {Typology.T1: 10, Typology.T2: 4, Typology.T3: 2}
PLACES = {Typology.T1: 1, Typology.T2: 2, Typology.T3: 4}
#: Destinations of past stays, cycled (about half to ordinary housing, the scheme's finality).
DESTINATIONS = (
    ExitDestination.SOCIAL_RENTAL,
    ExitDestination.SUPPORTED_HOUSING,
    ExitDestination.SOCIAL_RENTAL,
    ExitDestination.PRIVATE_RENTAL,
    ExitDestination.FAMILY_OR_FRIENDS,
    ExitDestination.SOCIAL_RENTAL,
    ExitDestination.SHELTER,
    ExitDestination.SOCIAL_RENTAL,
    ExitDestination.CARE_INSTITUTION,
    ExitDestination.UNKNOWN,
)


def load_demo(ctx: DemoContext) -> None:
    """Units, offer, residents past and present with SIAO referrals, and pending candidates."""
    if ctx.session.execute(select(Offer.id).where(Offer.name == OFFER_NAME)).first():
        return  # already loaded
    # A local generator: the figures do not depend on which other plugins ran before.
    rng = random.Random(26)
    clesence = ctx.organisation("Clésence", OrganisationKind.LANDLORD)
    manager = ctx.organisation("Accueil & Promotion", OrganisationKind.ASSOCIATION)
    siao = ctx.organisation("SIAO de l'Aisne", OrganisationKind.INSTITUTION, department="02")
    bailly = ctx.site(clesence, "Résidence du Bailly", "Chauny", postcode="02300", department="02")
    units = ctx.units(bailly, UNITS, prefix="CHRS-", furnished=True)
    offer = ctx.offer(
        CODE,
        OFFER_NAME,
        clesence,
        manager,
        date(2019, 11, 14),
        site=bailly,
        units=units,
        capacity=CAPACITY,
    )
    ctx.enable(siao, CODE, date(2019, 11, 14))

    # Stays: per unit, a past stay then the current one (one T1 is vacant at the demo date).
    stays: list[dict[str, Any]] = []
    for n, unit in enumerate(units):
        current_start = ctx.today - timedelta(days=rng.randrange(20, 600))
        past_end = current_start - timedelta(days=rng.randrange(5, 40))
        past_start = past_end - timedelta(days=rng.randrange(120, 540))
        stays.append(
            {
                "unit": unit,
                "start": past_start,
                "end": past_end,
                "destination": DESTINATIONS[n % len(DESTINATIONS)],
            }
        )
        if n != 0:
            stays.append({"unit": unit, "start": current_start, "end": None, "destination": None})

    specs = [_members(ctx, rng, s["unit"].typology, s["start"]) for s in stays]
    victims = [rng.random() < 0.2 for _ in stays]
    ids = ctx.households_with_members(
        manager,
        specs,
        reference_prefix="CHRS",
        created_on=date(2019, 11, 14),
        confidential=victims,
    )
    ctx.occupancies(
        {
            "owner_id": manager.id,
            "household_id": hid,
            "unit_id": s["unit"].id,
            "offer_id": offer.id,
            "start_date": s["start"],
            "end_date": s["end"],
            "exit_destination": s["destination"],
            "exit_reason": "Fin de prise en charge" if s["end"] else None,
        }
        for hid, s in zip(ids, stays, strict=True)
    )
    referrals = [
        {
            "owner_id": manager.id,
            "household_id": hid,
            "offer_id": offer.id,
            "proposer_id": siao.id,
            "proposed_on": s["start"] - timedelta(days=21),
            "decision": ReferralDecision.ADMITTED,
            "decided_on": s["start"] - timedelta(days=7),
            "version": 1,
        }
        for hid, s in zip(ids, stays, strict=True)
    ]
    profiles = [
        _profile(manager.id, hid, rng, victim, s["start"] - timedelta(days=7))
        for hid, s, victim in zip(ids, stays, victims, strict=True)
    ]
    # The association closes a resident's file at exit: no longer a candidate of the offer.
    table = Household.__table__  # type: ignore[attr-defined]
    ctx.session.execute(
        update(table).where(table.c.id == bindparam("hid")).values(closed_on=bindparam("on")),
        [{"hid": hid, "on": s["end"]} for hid, s in zip(ids, stays, strict=True) if s["end"]],
    )
    _candidates(ctx, manager, siao, clesence, offer, referrals, profiles)
    ctx.bulk(Referral, referrals)
    ctx.bulk(ChrsProfile, profiles)


def _members(ctx: DemoContext, rng: random.Random, typology: Typology, at: date) -> list[dict[str, Any]]:
    """A household sized for the unit: a single adult, a parent with a child, or a family of four."""
    head = {
        "age": rng.randrange(19, 62),
        "role": MemberRole.REFERENCE,
        "monthly_resources": float(rng.randrange(0, 900)),
        "isolated": True,
    }
    children = PLACES[typology] - 1
    return [head] + [
        {"age": rng.randrange(1, 15), "role": MemberRole.CHILD, "monthly_resources": 0.0, "isolated": False}
        for _ in range(children)
    ]


def _profile(owner_id: Any, hid: int, rng: random.Random, victim: bool, on: date) -> dict[str, Any]:
    return {
        "owner_id": owner_id,
        "household_id": hid,
        "economic_difficulty": True,
        "family_difficulty": victim or rng.random() < 0.4,
        "health_difficulty": rng.random() < 0.3,
        "insertion_difficulty": rng.random() < 0.7,
        "needs_support_before_housing": True,
        "domestic_violence_victim": victim,
        "assessed_on": on,
        "version": 1,
    }


def _candidates(
    ctx: DemoContext,
    manager: Any,
    siao: Any,
    clesence: Any,
    offer: Offer,
    referrals: list[dict[str, Any]],
    profiles: list[dict[str, Any]],
) -> None:
    """Households waiting for a place, one per verdict the rule can give."""
    proposed = ctx.today - timedelta(days=10)
    cases: list[tuple[list[dict[str, Any]], dict[str, Any] | None, Any, bool]] = [
        # (members, profile values, proposer, confidential)
        (
            [{"age": 27}, {"age": 4, "role": MemberRole.CHILD}],
            {"family_difficulty": True, "domestic_violence_victim": True},
            siao,
            True,
        ),  # PRIORITY
        (
            [{"age": 45}],
            {"economic_difficulty": True, "domestic_violence_victim": False},
            siao,
            False,
        ),  # ELIGIBLE
        (
            [{"age": 33}],
            {
                "economic_difficulty": False,
                "family_difficulty": False,
                "health_difficulty": False,
                "insertion_difficulty": False,
                "domestic_violence_victim": False,
            },
            siao,
            False,
        ),  # INELIGIBLE: no difficulty
        ([{"age": 16}], {"insertion_difficulty": True}, siao, False),  # INELIGIBLE: no adult
        ([{"age": 52}], None, siao, False),  # INCOMPLETE: not assessed yet
        (
            [{"age": 38}],
            {"economic_difficulty": True, "domestic_violence_victim": False},
            clesence,
            False,
        ),  # INCOMPLETE: referred by the landlord, not by the SIAO
    ]
    ids = ctx.households_with_members(
        manager,
        [[{"role": MemberRole.REFERENCE, "isolated": True, **m[0]}, *m[1:]] for m, *_ in cases],
        reference_prefix="CHRS-CAND",
        created_on=proposed,
        confidential=[c[3] for c in cases],
    )
    for hid, (_, values, proposer, _) in zip(ids, cases, strict=True):
        referrals.append(
            {
                "owner_id": manager.id,
                "household_id": hid,
                "offer_id": offer.id,
                "proposer_id": proposer.id,
                "proposed_on": proposed,
                "decision": ReferralDecision.PENDING,
                "decided_on": None,
                "version": 1,
            }
        )
        if values is not None:
            profiles.append(
                {
                    "owner_id": manager.id,
                    "household_id": hid,
                    "economic_difficulty": None,
                    "family_difficulty": None,
                    "health_difficulty": None,
                    "insertion_difficulty": None,
                    "domestic_violence_victim": None,
                    "needs_support_before_housing": True,
                    "assessed_on": proposed,
                    "version": 1,
                    **values,
                }
            )
