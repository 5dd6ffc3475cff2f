"""Demo data: Oise Habitat's « Seniors à domicile » programme (2019-2021), with the published figures.

13,000 dwellings; 1,630 tenant households with a member aged 70 or more, of which 842 isolated or
economically fragile (the core target); every targeted household called, 1,500 reached and 195
refusals (13 %, in 2019 as in 2020), then diagnostic visits, eco kits, urgent interventions and
social-services alerts. The figures hold for any reference date from the programme's start
(1 August 2019) to well after the demo date.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlmodel import col

from core.demo import DemoContext
from core.models import (
    Activity,
    ContactKind,
    MemberRole,
    Offer,
    OrganisationKind,
    Partnership,
    PartnershipRole,
    PartnershipScope,
    Typology,
    Unit,
)

from .models import ContactOutcome, SeniorsDomicileVisit
from .scheme import CODE

OFFER_NAME = "Seniors à domicile — Oise Habitat"
PROGRAMME_START = date(2019, 8, 1)
#: "d'août 2019 à fin 2020 pour le périmètre d'intervention sur l'autonomie, avec une
#: prolongation à fin 2021 sur la sensibilisation aux éco-gestes".
PROGRAMME_END = date(2021, 12, 31)

#: "1630 locataires de 70 ans et plus concernés (13 000 logements)".
DWELLINGS = 13_000
TARGETED = 1_630
CORE_TARGET = 842
#: Only a sample of the other tenants is created, to keep the demo fast; 12 of them have no
#: birth date on file (their verdict is INCOMPLETE, naming the age criterion).
OTHER_TENANTS = 1_370
UNKNOWN_BIRTH_DATES = 12
#: Youngest birth date of a non-senior member: under 60 at the demo date, so nobody of this
#: demo outside the target turns 70 before 2036 and the figures hold at any later query date.
YOUNGEST_NON_SENIOR_BIRTH = date(1966, 1, 2)

#: Phone contacts: households reached, and refusals among them, per calendar year (13 % each).
REACHED_BY_YEAR = {2019: (600, 78), 2020: (900, 117)}
NO_ANSWER_CORE, NO_ANSWER_OTHER = 20, 110
VISITS_NOT_DONE = 25
CONTACT_WINDOWS = {
    2019: (date(2019, 9, 2), date(2019, 12, 20)),
    2020: (date(2020, 1, 6), date(2020, 11, 6)),
}
#: No home visit during the first lockdown: visits are postponed to after 11 May 2020.
LOCKDOWN = (date(2020, 3, 17), date(2020, 5, 10))

#: (commune, postcode, priority district, share of the dwellings).
SITES: tuple[tuple[str, str, bool, float], ...] = (
    ("Beauvais", "60000", True, 0.16),
    ("Beauvais", "60000", False, 0.10),
    ("Creil", "60100", True, 0.14),
    ("Nogent-sur-Oise", "60180", True, 0.08),
    ("Compiègne", "60200", True, 0.10),
    ("Compiègne", "60200", False, 0.08),
    ("Noyon", "60400", False, 0.08),
    ("Clermont", "60600", False, 0.08),
    ("Méru", "60110", False, 0.08),
    ("Senlis", "60300", False, 0.05),
    ("Crépy-en-Valois", "60800", False, 0.05),
)
TYPOLOGY_MIX = ((Typology.T1, 0.08), (Typology.T2, 0.22), (Typology.T3, 0.38), (Typology.T4, 0.24))
REFUSAL_REASONS = (
    "Ne souhaite pas de visite à domicile.",
    "S'estime autonome, ne voit pas l'utilité de la démarche.",
    "La famille s'occupe déjà du logement.",
    None,
)


def load_demo(ctx: DemoContext) -> None:
    """Oise Habitat's portfolio, its seniors, the programme offer and its contacts and visits."""
    if ctx.session.execute(select(col(Offer.id)).where(col(Offer.name) == OFFER_NAME)).first():
        return  # already loaded
    oise = ctx.organisation("Oise Habitat", OrganisationKind.LANDLORD, department="60")
    carsat = ctx.organisation("Carsat Hauts-de-France", OrganisationKind.INSTITUTION)
    tandem = ctx.organisation("Tandem Immobilier", OrganisationKind.ASSOCIATION, department="60")
    assert oise.id is not None

    units = _portfolio(ctx, oise)
    seniors, core_flags = _senior_specs(ctx)
    others = _other_specs(ctx)
    chosen = ctx.rng.sample(units, len(seniors) + len(others))
    senior_ids = ctx.households_with_members(
        oise, seniors, reference_prefix="OH-SEN", created_on=date(2019, 6, 1)
    )
    other_ids = ctx.households_with_members(
        oise, others, reference_prefix="OH-LOC", created_on=date(2019, 6, 1)
    )
    ctx.occupancies(
        {
            "owner_id": oise.id,
            "household_id": hid,
            "unit_id": unit.id,
            "start_date": _tenancy_start(ctx, senior=n < len(senior_ids)),
        }
        for n, (hid, unit) in enumerate(zip(senior_ids + other_ids, chosen, strict=True))
    )

    offer = ctx.offer(
        CODE,
        OFFER_NAME,
        oise,
        tandem,
        PROGRAMME_START,
        end_date=PROGRAMME_END,
        parameters={},
    )
    assert offer.id is not None and carsat.id is not None and tandem.id is not None
    ctx.bulk(
        Partnership,
        [
            {
                "owner_id": oise.id,
                "partner_id": partner,
                "role": role,
                "scope": PartnershipScope.OFFERS,
                "site_ids": [],
                "offer_ids": [offer.id],
                "grants_resident_files": files,
                "start_date": PROGRAMME_START,
                "end_date": PROGRAMME_END,
                "version": 1,
            }
            for partner, role, files in (
                (carsat.id, PartnershipRole.FUNDS, False),
                (tandem.id, PartnershipRole.PROVIDES_SUPPORT, True),
            )
        ],
    )
    ctx.bulk(SeniorsDomicileVisit, _visits(ctx, oise.id, offer.id, senior_ids, core_flags))


def _portfolio(ctx: DemoContext, oise: Any) -> list[Unit]:
    """Oise Habitat's estates: with the core's « Patrimoine Beauvais », 13,000 dwellings."""
    existing = int(
        ctx.session.execute(
            select(func.count()).select_from(Unit).where(Unit.owner_id == oise.id)
        ).scalar_one()
    )
    needed = TARGETED + OTHER_TENANTS
    total = max(DWELLINGS - existing, needed)
    units: list[Unit] = []
    remaining = total
    for n, (commune, postcode, qpv, share) in enumerate(SITES):
        count = remaining if n == len(SITES) - 1 else round(total * share)
        remaining -= count
        name = f"Parc {commune} ({'quartiers prioritaires' if qpv else 'hors QPV'})"
        site = ctx.site(
            oise,
            name,
            commune,
            postcode=postcode,
            department="60",
            in_priority_district=qpv,
        )
        mix = {t: round(count * s) for t, s in TYPOLOGY_MIX}
        mix[Typology.T5_PLUS] = count - sum(mix.values())
        units += ctx.units(site, mix, prefix=f"OH{n + 1:02d}-")
    return units


def _born(ctx: DemoContext, age: int, at: date) -> date:
    """A birth date in the year giving ``age`` or ``age + 1`` at ``at``."""
    return date(at.year - age - 1, 1, 1) + timedelta(days=ctx.rng.randrange(1, 365))


def _senior_age(ctx: DemoContext) -> int:
    band = ctx.rng.random()
    if band < 0.60:
        return ctx.rng.randrange(70, 80)
    if band < 0.92:
        return ctx.rng.randrange(80, 90)
    return ctx.rng.randrange(90, 97)


def _euros(ctx: DemoContext, low: int, high: int) -> float:
    return round(ctx.rng.uniform(low, high), 2)


def _senior(
    ctx: DemoContext, resources: float | None, isolated: bool, role: MemberRole = MemberRole.REFERENCE
) -> dict[str, Any]:
    return {
        "birth_date": _born(ctx, _senior_age(ctx), PROGRAMME_START),
        "role": role,
        "activity": Activity.RETIRED,
        "monthly_resources": resources,
        "isolated": isolated,
    }


def _senior_specs(ctx: DemoContext) -> tuple[list[list[dict[str, Any]]], list[bool]]:
    """The 1,630 households with a member aged 70+, and whether each is in the core target."""
    specs: list[tuple[list[dict[str, Any]], bool]] = []
    # Core target (842): isolated, or with resources under the ASPA in force at any date.
    for _ in range(420):  # living alone and isolated, whatever their resources
        specs.append(([_senior(ctx, _euros(ctx, 700, 1600), True)], True))
    for _ in range(250):  # living alone, not isolated, under the minimum old-age income
        specs.append(([_senior(ctx, _euros(ctx, 560, 850), False)], True))
    for _ in range(120):  # couples of pensioners with at most 850 € a month together
        total = _euros(ctx, 700, 850)
        head = round(total * ctx.rng.uniform(0.5, 0.7), 2)
        specs.append(
            (
                [
                    _senior(ctx, head, False),
                    _senior(ctx, round(total - head, 2), False, MemberRole.SPOUSE),
                ],
                True,
            )
        )
    for _ in range(52):  # isolated, resources not on file: isolation is enough
        specs.append(([_senior(ctx, None, True)], True))
    # Targeted outside the core target (788).
    for _ in range(380):  # couples with 1,150 to 2,600 € a month
        total = _euros(ctx, 1150, 2600)
        head = round(total * ctx.rng.uniform(0.5, 0.7), 2)
        spouse_age = ctx.rng.randrange(64, 90)
        spouse = _senior(ctx, round(total - head, 2), False, MemberRole.SPOUSE)
        spouse["birth_date"] = _born(ctx, spouse_age, PROGRAMME_START)
        specs.append(([_senior(ctx, head, False), spouse], False))
    for _ in range(300):  # living alone, not isolated, above the threshold
        specs.append(([_senior(ctx, _euros(ctx, 1100, 2200), False)], False))
    for _ in range(60):  # resources not on file and not isolated: ELIGIBLE, priority unknown
        specs.append(([_senior(ctx, None, False)], False))
    for _ in range(48):  # a senior living with an adult child
        child = {
            "birth_date": _born(ctx, ctx.rng.randrange(40, 60), ctx.today),
            "role": MemberRole.CHILD,
            "activity": ctx.rng.choice((Activity.EMPLOYED, Activity.JOB_SEEKING)),
            "monthly_resources": _euros(ctx, 600, 1800),
            "isolated": False,
        }
        specs.append(([_senior(ctx, _euros(ctx, 900, 1500), False), child], False))
    assert len(specs) == TARGETED and sum(core for _, core in specs) == CORE_TARGET
    ctx.rng.shuffle(specs)
    return [s for s, _ in specs], [core for _, core in specs]


def _other_specs(ctx: DemoContext) -> list[list[dict[str, Any]]]:
    """Tenants under 60 at the demo date (a sample of the rest of the portfolio)."""
    specs: list[list[dict[str, Any]]] = []
    for n in range(OTHER_TENANTS):
        head_age = ctx.rng.randrange(20, 60)
        head: dict[str, Any] = {
            "birth_date": None if n < UNKNOWN_BIRTH_DATES else _young(ctx, head_age),
            "role": MemberRole.REFERENCE,
            "activity": ctx.rng.choice(
                (Activity.EMPLOYED, Activity.EMPLOYED, Activity.JOB_SEEKING, Activity.INACTIVE)
            ),
            "monthly_resources": _euros(ctx, 500, 2600),
            "isolated": False,
        }
        members = [head]
        size = ctx.rng.choice((1, 1, 2, 2, 3, 4))
        for i in range(1, size):
            adult = i == 1
            age = min(59, max(18, head_age + ctx.rng.randrange(-5, 6))) if adult else None
            members.append(
                {
                    "birth_date": _young(ctx, age if age is not None else ctx.rng.randrange(0, 18)),
                    "role": MemberRole.SPOUSE if adult else MemberRole.CHILD,
                    "monthly_resources": _euros(ctx, 0, 1800) if adult else 0.0,
                    "isolated": False,
                }
            )
        specs.append(members)
    return specs


def _young(ctx: DemoContext, age: int) -> date:
    return max(_born(ctx, age, ctx.today), YOUNGEST_NON_SENIOR_BIRTH)


def _tenancy_start(ctx: DemoContext, *, senior: bool) -> date:
    if senior:  # long tenancies, all started before the programme
        return date(1975, 1, 1) + timedelta(days=ctx.rng.randrange(0, 16_000))
    return date(1995, 1, 1) + timedelta(days=ctx.rng.randrange(0, 11_000))


def _weekday(day: date) -> date:
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def _day_between(ctx: DemoContext, start: date, end: date) -> date:
    day = start + timedelta(days=ctx.rng.randrange(0, (end - start).days + 1))
    return min(_weekday(day), end)


def _visits(
    ctx: DemoContext, owner_id: int, offer_id: int, ids: Sequence[int], core: Sequence[bool]
) -> list[dict[str, Any]]:
    """Every targeted household is called; the reached ones accept or refuse, then are visited."""
    rng = ctx.rng
    core_ids = [h for h, c in zip(ids, core, strict=True) if c]
    other_ids = [h for h, c in zip(ids, core, strict=True) if not c]
    no_answer = set(rng.sample(core_ids, NO_ANSWER_CORE) + rng.sample(other_ids, NO_ANSWER_OTHER))
    core_set = set(core_ids)
    reached = [h for h in ids if h not in no_answer]
    rng.shuffle(reached)
    rows: list[dict[str, Any]] = []
    first, last = CONTACT_WINDOWS[2019][0], CONTACT_WINDOWS[2020][1]
    for hid in sorted(no_answer):
        rows.append(_row(owner_id, offer_id, hid, _day_between(ctx, first, last)))
    accepted: list[dict[str, Any]] = []
    start = 0
    for year, (count, refusals) in REACHED_BY_YEAR.items():
        group = reached[start : start + count]
        start += count
        refusing = set(rng.sample(group, refusals))
        for hid in group:
            row = _row(owner_id, offer_id, hid, _day_between(ctx, *CONTACT_WINDOWS[year]))
            if hid in refusing:
                row["contact_outcome"] = ContactOutcome.REFUSED
                row["refusal_reason"] = rng.choice(REFUSAL_REASONS)
            else:
                row["contact_outcome"] = ContactOutcome.ACCEPTED
                accepted.append(row)
            rows.append(row)
    assert start == len(reached)
    not_visited = {id(r) for r in rng.sample(accepted, VISITS_NOT_DONE)}
    for row in accepted:
        if id(row) not in not_visited:
            _visit(ctx, row, row["household_id"] in core_set)
    return rows


def _row(owner_id: int, offer_id: int, hid: int, contacted_on: date) -> dict[str, Any]:
    return {
        "owner_id": owner_id,
        "offer_id": offer_id,
        "household_id": hid,
        "contacted_on": contacted_on,
        "contact_channel": ContactKind.PHONE,
        "contact_outcome": ContactOutcome.NO_ANSWER,
        "refusal_reason": None,
        "visit_on": None,
        "duration_minutes": None,
        "risk_domestic_safety": False,
        "risk_falls": False,
        "risk_comfort_autonomy": False,
        "kit_installed_on": None,
        "kit_led_bulbs": 0,
        "kit_aerators": 0,
        "kit_pressure_reducers": 0,
        "carsat_offers_relayed": False,
        "urgent_intervention_on": None,
        "social_services_alert_on": None,
        "notes": None,
        "version": 1,
    }


def _visit(ctx: DemoContext, row: dict[str, Any], core: bool) -> None:
    """A diagnostic visit of about 90 minutes, its kit, and the landlord's follow-up."""
    rng = ctx.rng
    day = _weekday(row["contacted_on"] + timedelta(days=rng.randrange(7, 36)))
    if LOCKDOWN[0] <= day <= LOCKDOWN[1]:
        day = _weekday(LOCKDOWN[1] + timedelta(days=1 + rng.randrange(0, 45)))
    row["visit_on"] = day
    row["duration_minutes"] = rng.choice((60, 75, 90, 90, 90, 90, 105, 120))
    row["risk_domestic_safety"] = rng.random() < 0.45
    row["risk_falls"] = rng.random() < 0.60
    row["risk_comfort_autonomy"] = rng.random() < 0.35
    if rng.random() < 0.96:  # a few decline the kit or are already equipped
        row["kit_installed_on"] = day
        row["kit_led_bulbs"] = 5
        row["kit_aerators"] = rng.randrange(1, 4)
        row["kit_pressure_reducers"] = rng.randrange(0, 2)
    row["carsat_offers_relayed"] = rng.random() < 0.75
    if rng.random() < 0.04:
        row["urgent_intervention_on"] = _weekday(day + timedelta(days=rng.randrange(1, 15)))
    if rng.random() < (0.05 if core else 0.01):
        row["social_services_alert_on"] = _weekday(day + timedelta(days=rng.randrange(0, 11)))
