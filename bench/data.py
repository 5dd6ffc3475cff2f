"""A landlord at real scale: 35,000 units and ~72,000 people, plus a second one up to 100,000 households.

Everything is inserted through SQLAlchemy Core (``DemoContext.bulk``) after the demo world, with a
seeded generator: same seed, same data. The big landlord runs one offer of each scheme, so every
rule and indicator has rows to read.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from core.bulk import insert_rows
from core.demo import DEMO_DATE, DemoContext, run_demo
from core.models import (
    Activity,
    ContactKind,
    ExitDestination,
    Household,
    MemberRole,
    Occupancy,
    Organisation,
    OrganisationKind,
    Person,
    Referral,
    ReferralDecision,
    Site,
    SupportContact,
    SupportEpisode,
    Typology,
    Unit,
)
from core.plugins import Registry

BIG_UNITS = 35_000
OTHER_UNITS = 65_000
UNITS_PER_SITE = 100
#: Household sizes and their weights: 2.06 members on average, so 35,000 households ≈ 72,000 people.
SIZES = ((1, 41), (2, 30), (3, 15), (4, 10), (5, 4))
TYPOLOGY_BY_SIZE = {1: Typology.T1, 2: Typology.T2, 3: Typology.T3, 4: Typology.T4, 5: Typology.T5_PLUS}


@dataclass
class World:
    """What the benchmark needs to know about the generated data."""

    landlord_id: int
    other_landlord_id: int
    association_id: int
    offers: dict[str, int] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    bulk_seconds: float = 0.0

    @property
    def bulk_rows(self) -> int:
        """Rows inserted by the timed bulk load."""
        return sum(self.counts.values())


def _plugin_tables(registry: Registry) -> dict[str, Any]:
    """Plugin tables by name (the bench fills them without importing the plugins)."""
    return {name: model for name, (_, model) in registry.tables.items()}


class Generator:
    """Builds the scaled world into one session with a seeded generator."""

    def __init__(self, session: Session, registry: Registry, seed: int = 7) -> None:
        self.session = session
        self.registry = registry
        self.rng = random.Random(seed)
        self.ctx = DemoContext(session, registry, seed, 0)
        self.today = DEMO_DATE
        self.tables = _plugin_tables(registry)
        self.counts: dict[str, int] = {}

    def bulk(self, model: Any, rows: list[dict[str, Any]]) -> None:
        """Insert with ``core.bulk.insert_rows`` (COPY on PostgreSQL) and count."""
        name = str(model.__tablename__)
        self.counts[name] = self.counts.get(name, 0) + insert_rows(self.session, model, rows)

    def born(self, age: int) -> date:
        """A birth date giving ``age`` at the reference date."""
        return self.ctx.birth_date(age, self.today)

    def portfolio(self, owner: Organisation, units: int, tag: str) -> list[tuple[int, int, Typology]]:
        """Sites of 100 units each: returns (unit id, site id, typology)."""
        n_sites = units // UNITS_PER_SITE
        site_ids = self.ctx.reserve_ids(Site, n_sites)
        self.bulk(
            Site,
            [
                {
                    "id": sid,
                    "owner_id": owner.id,
                    "name": f"Résidence {tag}-{n:04d}",
                    "commune": f"Commune {n % 97}",
                    "department": "02",
                    "in_priority_district": n % 5 == 0,
                    "version": 1,
                }
                for n, sid in enumerate(site_ids)
            ],
        )
        unit_ids = self.ctx.reserve_ids(Unit, units)
        out, rows = [], []
        for n, uid in enumerate(unit_ids):
            sid = site_ids[n // UNITS_PER_SITE]
            typology = self.rng.choice(list(Typology))
            out.append((uid, sid, typology))
            rows.append(
                {
                    "id": uid,
                    "owner_id": owner.id,
                    "site_id": sid,
                    "label": f"{tag}{n:06d}",
                    "national_id": f"{tag}-{uid}",
                    "typology": typology,
                    "surface_m2": 20.0 + 15 * (n % 5),
                    "floor": n % 8,
                    "furnished": n % 7 == 0,
                    "accessible": n % 3 == 0,
                    "common": False,
                    "monthly_rent": 300.0 + n % 400,
                    "version": 1,
                }
            )
        self.bulk(Unit, rows)
        return out

    def member(self, hid: int, pid: int, owner: int, role: MemberRole, age: int | None) -> dict[str, Any]:
        """One person with plausible facts; a few unknowns on purpose."""
        rng = self.rng
        first, last = self.ctx.name()
        if role is MemberRole.CHILD:
            activity: Activity | None = Activity.STUDENT if (age or 0) >= 16 else None
        elif age is not None and age >= 65:
            activity = Activity.RETIRED
        else:
            activity = None if rng.random() < 0.03 else rng.choice(list(Activity)[:7])
        return {
            "id": pid,
            "owner_id": owner,
            "household_id": hid,
            "first_name": first,
            "last_name": last,
            "role": role,
            "birth_date": None if age is None else self.born(age),
            "activity": activity,
            "monthly_resources": None if rng.random() < 0.02 else float(rng.randrange(0, 2400)),
            "isolated": None if rng.random() < 0.1 else rng.random() < 0.25,
            "left_on": self.today - timedelta(days=400) if rng.random() < 0.01 else None,
            "version": 1,
        }

    def tenants(self, owner: Organisation, units: list[tuple[int, int, Typology]], tag: str) -> list[int]:
        """One household per unit (sizes 1-5), its members and an open occupancy; returns ids."""
        rng = self.rng
        assert owner.id is not None
        sizes = rng.choices([s for s, _ in SIZES], weights=[w for _, w in SIZES], k=len(units))
        hids = self.ctx.reserve_ids(Household, len(units))
        pids = iter(self.ctx.reserve_ids(Person, sum(sizes)))
        households, people, stays = [], [], []
        for n, (hid, size, (uid, _, _)) in enumerate(zip(hids, sizes, units, strict=True)):
            households.append(
                {
                    "id": hid,
                    "owner_id": owner.id,
                    "reference": f"{tag}-{n + 1:06d}",
                    "confidential": rng.random() < 0.01,
                    "created_on": date(2015, 1, 1),
                    "version": 1,
                }
            )
            # Heads from 17 to 94: young people for the FJT, 12 % over 70 for seniors at home.
            r = rng.random()
            head = (
                rng.randrange(17, 31)
                if r < 0.15
                else rng.randrange(70, 95)
                if r > 0.88
                else rng.randrange(31, 70)
            )
            ages: list[tuple[MemberRole, int | None]] = [(MemberRole.REFERENCE, head)]
            if size >= 2:
                ages.append((MemberRole.SPOUSE, max(17, head + rng.randrange(-6, 6))))
            for _ in range(size - 2):
                ages.append((MemberRole.CHILD, rng.randrange(0, 20)))
            for role, age in ages:
                people.append(
                    self.member(hid, next(pids), owner.id, role, None if rng.random() < 0.01 else age)
                )
            start = self.today - timedelta(days=rng.randrange(30, 9000))
            stays.append(
                {
                    "owner_id": owner.id,
                    "household_id": hid,
                    "unit_id": uid,
                    "start_date": start,
                    "end_date": None,
                    "exit_destination": None,
                    "version": 1,
                }
            )
            if rng.random() < 0.1:  # a past tenancy in another unit of the landlord
                other = units[rng.randrange(len(units))][0]
                end = start - timedelta(days=rng.randrange(1, 200))
                stays.append(
                    {
                        "owner_id": owner.id,
                        "household_id": hid,
                        "unit_id": other,
                        "start_date": end - timedelta(days=rng.randrange(100, 3000)),
                        "end_date": end,
                        "exit_destination": rng.choice(list(ExitDestination)),
                        "version": 1,
                    }
                )
        self.bulk(Household, households)
        self.bulk(Person, people)
        self.bulk(Occupancy, stays)
        return hids


def generate(session: Session, registry: Registry) -> World:
    """The demo world, then the scaled landlords, offers and plugin rows; committed."""
    run_demo(session, registry, households=200)
    session.commit()
    g = Generator(session, registry)
    ctx = g.ctx
    big = ctx.organisation("Bailleur Bench (35 000 logements)", OrganisationKind.LANDLORD, department="02")
    other = ctx.organisation(
        "Bailleur Bench 2 (65 000 logements)", OrganisationKind.LANDLORD, department="59"
    )
    assoc = ctx.organisation("Association Bench", OrganisationKind.ASSOCIATION, department="02")
    siao = (
        session.execute(select(Organisation).where(Organisation.kind == OrganisationKind.INSTITUTION))
        .scalars()
        .first()
    )
    assert big.id is not None and other.id is not None and assoc.id is not None and siao is not None
    session.commit()

    started = time.perf_counter()
    big_units = g.portfolio(big, BIG_UNITS, "B")
    big_households = g.tenants(big, big_units, "BB")
    other_units = g.portfolio(other, OTHER_UNITS, "O")
    g.tenants(other, other_units, "BO")
    session.commit()
    bulk_seconds = time.perf_counter() - started
    bulk_counts = dict(g.counts)

    world = World(big.id, other.id, assoc.id, bulk_seconds=bulk_seconds)
    _offers(g, big, assoc, siao, big_units, big_households, world)
    ctx.finish()
    session.commit()
    world.counts = bulk_counts
    return world


def _offers(
    g: Generator,
    big: Organisation,
    assoc: Organisation,
    siao: Organisation,
    units: list[tuple[int, int, Typology]],
    households: list[int],
    world: World,
) -> None:
    """One offer of each installed scheme on the big landlord, with residents and plugin rows."""
    session, rng, ctx = g.session, g.rng, g.ctx
    assert big.id is not None and assoc.id is not None and siao.id is not None
    start = date(2018, 1, 1)
    by_site: dict[int, list[int]] = {}
    for uid, sid, _ in units:
        by_site.setdefault(sid, []).append(uid)
    sites = sorted(by_site)
    site_rows = {s.id: s for s in session.execute(select(Site).where(Site.id.in_(sites[:3]))).scalars()}  # type: ignore[union-attr]
    unit_rows = {u.id: u for u in session.execute(select(Unit).where(Unit.site_id.in_(sites[:3]))).scalars()}  # type: ignore[attr-defined]
    codes = sorted(g.registry.schemes)
    site_schemes = [c for c in codes if not g.registry.schemes[c].portfolio_wide]
    for n, code in enumerate(codes):
        portfolio = g.registry.schemes[code].portfolio_wide
        site = None if portfolio else site_rows[sites[site_schemes.index(code)]]
        attached = [unit_rows[u] for u in by_site[site.id]] if site else []  # type: ignore[union-attr]
        offer = ctx.offer(
            code,
            f"Offre bench {code}",
            big,
            assoc if n % 2 else big,
            start,
            site=site,
            units=attached,
            capacity=len(attached) or None,
        )
        assert offer.id is not None
        world.offers[code] = offer.id
        if site is not None:
            # The households living in the offer's site become its residents.
            session.execute(
                Occupancy.__table__.update()  # type: ignore[attr-defined]
                .where(Occupancy.unit_id.in_(by_site[site.id]), Occupancy.end_date.is_(None))  # type: ignore[attr-defined,union-attr]
                .values(offer_id=offer.id)
            )
    chrs = world.offers.get("chrs")
    if chrs is not None:
        referred = rng.sample(households, 2000)
        g.bulk(
            Referral,
            [
                {
                    "owner_id": big.id,
                    "household_id": hid,
                    "offer_id": chrs,
                    "proposer_id": siao.id if rng.random() < 0.8 else assoc.id,
                    "proposed_on": date(2025, 1, 1) + timedelta(days=rng.randrange(0, 300)),
                    "decision": rng.choice(list(ReferralDecision)),
                    "version": 1,
                }
                for hid in referred
            ],
        )
    _plugin_rows(g, big, households, world)


def _maybe(rng: random.Random, p_none: float = 0.1) -> bool | None:
    return None if rng.random() < p_none else rng.random() < 0.5


def _plugin_rows(g: Generator, big: Organisation, households: list[int], world: World) -> None:
    """Profiles, visits and support episodes for samples of the big landlord's households."""
    rng, t = g.rng, g.tables
    owner = big.id

    def sample(k: int) -> list[int]:
        return sorted(rng.sample(households, k))

    if "fjt_profile" in t:
        g.bulk(
            t["fjt_profile"],
            [
                {
                    "owner_id": owner,
                    "household_id": hid,
                    "applied_on": date(2025, 3, 1),
                    "composition": None,
                    "version": 1,
                }
                for hid in sample(3000)
            ],
        )
    if "chrs_profile" in t:
        g.bulk(
            t["chrs_profile"],
            [
                {
                    "owner_id": owner,
                    "household_id": hid,
                    "economic_difficulty": _maybe(rng),
                    "family_difficulty": _maybe(rng),
                    "health_difficulty": _maybe(rng),
                    "insertion_difficulty": _maybe(rng),
                    "needs_support_before_housing": _maybe(rng),
                    "domestic_violence_victim": _maybe(rng),
                    "version": 1,
                }
                for hid in sample(4000)
            ],
        )
    if "habited_profile" in t:
        model = t["habited_profile"]
        diagnoses = list(model.__table__.c.diagnosis.type.enum_class)
        activities = list(model.__table__.c.day_activity.type.enum_class)
        g.bulk(
            model,
            [
                {
                    "owner_id": owner,
                    "household_id": hid,
                    "diagnosis": rng.choice([*diagnoses, None]),
                    "verbal_language": _maybe(rng),
                    "public_transport_autonomy": _maybe(rng),
                    "day_activity": rng.choice([*activities, None]),
                    "version": 1,
                }
                for hid in sample(500)
            ],
        )
    if "asr_profile" in t:
        g.bulk(
            t["asr_profile"],
            [
                {
                    "owner_id": owner,
                    "household_id": hid,
                    "great_precarity": _maybe(rng),
                    "suspected_psychological_troubles": _maybe(rng),
                    "version": 1,
                }
                for hid in sample(2000)
            ],
        )
    asr = world.offers.get("asr")
    if asr is not None:
        ids = g.ctx.reserve_ids(SupportEpisode, 800)
        chosen = sample(800)
        episodes, contacts = [], []
        for eid, hid in zip(ids, chosen, strict=True):
            start = date(2024, 1, 1) + timedelta(days=rng.randrange(0, 600))
            end = start + timedelta(days=rng.randrange(60, 400))
            episodes.append(
                {
                    "id": eid,
                    "owner_id": owner,
                    "household_id": hid,
                    "offer_id": asr,
                    "organisation_id": world.association_id,
                    "start_date": start,
                    "end_date": end if end < g.today else None,
                    "version": 1,
                }
            )
            for k in range(rng.randrange(2, 30)):
                contacts.append(
                    {
                        "owner_id": owner,
                        "episode_id": eid,
                        "contact_on": start + timedelta(days=7 * k + rng.randrange(0, 3)),
                        "kind": rng.choice(list(ContactKind)),
                        "duration_minutes": 45,
                        "version": 1,
                    }
                )
        g.bulk(SupportEpisode, episodes)
        g.bulk(SupportContact, contacts)
    seniors = world.offers.get("seniors_domicile")
    if seniors is not None and "seniors_domicile_visit" in t:
        model = t["seniors_domicile_visit"]
        outcomes = list(model.__table__.c.contact_outcome.type.enum_class)
        g.bulk(
            model,
            [
                {
                    "owner_id": owner,
                    "offer_id": seniors,
                    "household_id": hid,
                    "contacted_on": date(2025, 1, 1) + timedelta(days=rng.randrange(0, 360)),
                    "contact_channel": ContactKind.PHONE,
                    "contact_outcome": rng.choice(outcomes),
                    "visit_on": date(2025, 6, 1) if rng.random() < 0.5 else None,
                    "risk_falls": rng.random() < 0.2,
                    "kit_led_bulbs": 5,
                    "version": 1,
                }
                for hid in sample(3000)
            ],
        )
