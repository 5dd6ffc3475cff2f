"""The set-based eligibility path gives, on random data, the verdicts of the per-household rules."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import Integer, Select, case, func, literal, select, union_all
from sqlalchemy.engine import Engine
from sqlmodel import Session

from core import EligibilityRule, Outcome, PopulationRequest
from core.db import make_engine
from core.demo import DemoContext, run_demo
from core.migrate import upgrade
from core.models import (
    Activity,
    Household,
    MemberRole,
    Offer,
    Organisation,
    OrganisationKind,
    Person,
    Referral,
    ReferralDecision,
    Unit,
)
from core.plugins import Registry, build_registry
from core.services import eligibility as elig
from core.settings import Settings
from core.testing import create_database, drop_database, postgres_url
from plugins.fjt.eligibility import resident_shares_by_offer

DAY = date(2026, 1, 1)


def _maybe(rng: random.Random) -> bool | None:
    return rng.choice((True, False, None))


@pytest.fixture
def world(tmp_path: Any, thema_backend: str) -> Any:
    """Every built-in plugin on a fresh migrated database (SQLite, and PostgreSQL when set) with the demo."""
    base = postgres_url()
    if thema_backend == "postgres":
        assert base is not None
        url = create_database(base)
    else:
        url = f"sqlite:///{tmp_path / 'set_based.db'}"
    registry = build_registry(Settings(database_url=url, load_entrypoint_plugins=False))
    upgrade(url, registry)
    engine = make_engine(url)
    with Session(engine) as s:
        run_demo(s, registry, households=20)
        s.commit()
    yield registry, engine
    engine.dispose()
    if thema_backend == "postgres" and base is not None:
        drop_database(url, base)


def _random_world(registry: Registry, engine: Engine, seed: int, n: int) -> None:
    """Households whose facts sit on every threshold: ages around 16, 18, 25, 30, 40, 70; unknowns."""
    rng = random.Random(seed)
    with Session(engine) as s:
        ctx = DemoContext(s, registry, seed, 0)
        landlords = list(
            s.execute(select(Organisation).where(Organisation.kind == OrganisationKind.LANDLORD)).scalars()
        )
        institution = (
            s.execute(select(Organisation).where(Organisation.kind == OrganisationKind.INSTITUTION))
            .scalars()
            .first()
        )
        units = list(s.execute(select(Unit.id)).scalars())
        offers = list(s.execute(select(Offer)).scalars())
        owner = landlords[0]
        specs: list[list[dict[str, Any]]] = []
        for _ in range(n):
            members = []
            for i in range(rng.choice((0, 1, 1, 2, 3, 4))):
                age = rng.choice((15, 16, 17, 18, 24, 25, 26, 29, 30, 31, 40, 41, 55, 69, 70, 71, 85))
                birth = (
                    None
                    if rng.random() < 0.1
                    else DAY - timedelta(days=int(age * 365.25) + rng.randrange(-3, 4))
                )
                members.append(
                    {
                        "birth_date": birth,
                        "role": rng.choice(list(MemberRole))
                        if i
                        else rng.choice((MemberRole.REFERENCE, MemberRole.OTHER)),
                        "activity": rng.choice([*Activity, None]),
                        "monthly_resources": rng.choice((None, 0.0, 500.0, 1034.28, 1034.29, 1500.0)),
                        "isolated": _maybe(rng),
                    }
                )
            specs.append(members)
        ids = ctx.households_with_members(owner, specs, reference_prefix="RND")
        persons = list(s.execute(select(Person).where(Person.household_id.in_(ids))).scalars())  # type: ignore[attr-defined]
        for p in persons:
            if rng.random() < 0.1:
                p.left_on = DAY + timedelta(days=rng.choice((-10, 0, 10)))
        stays = []
        for hid in ids:
            for _ in range(rng.choice((0, 1, 1, 2))):
                start = DAY - timedelta(days=rng.choice((0, 1, 300, 3000)))
                offer = rng.choice([None, *offers])
                stays.append(
                    {
                        "owner_id": owner.id,
                        "household_id": hid,
                        "unit_id": rng.choice(units),
                        "offer_id": offer.id if offer else None,
                        "start_date": start,
                        "end_date": rng.choice((None, None, DAY, DAY - timedelta(days=1))),
                    }
                )
        ctx.occupancies(stays)
        ctx.bulk(
            Referral,
            [
                {
                    "owner_id": owner.id,
                    "household_id": hid,
                    "offer_id": rng.choice(offers).id,
                    "proposer_id": rng.choice([institution, *landlords]).id,  # type: ignore[union-attr]
                    "proposed_on": DAY + timedelta(days=rng.choice((-30, 0, 5))),
                    "decision": rng.choice(list(ReferralDecision)),
                    "version": 1,
                }
                for hid in ids
                if rng.random() < 0.4
            ],
        )
        for name, (_, model) in registry.tables.items():
            if "household_id" not in model.__table__.c or name.endswith("visit"):  # type: ignore[attr-defined]
                continue
            rows = []
            for hid in ids:
                if rng.random() < 0.5:
                    continue
                row: dict[str, Any] = {"owner_id": owner.id, "household_id": hid, "version": 1}
                for column in model.__table__.c:  # type: ignore[attr-defined]
                    if column.name in row or column.primary_key or column.foreign_keys:
                        continue
                    enum_class = getattr(column.type, "enum_class", None)
                    if enum_class is not None:
                        row[column.name] = rng.choice([*enum_class, None])
                    elif column.type.python_type is bool:
                        row[column.name] = _maybe(rng)
                rows.append(row)
            ctx.bulk(model, rows)
        s.commit()


def _compare(s: Session, registry: Registry, code: str, offer: Offer | None) -> dict[int, elig.Decision]:
    """Decide the whole population both ways and assert identical statuses and criterion outcomes."""
    population = select(Household.id)
    ids = list(s.execute(population).scalars())
    decided = {d.household_id: d for d in elig.decide(s, registry, code, population, DAY, offer)}
    verdicts = elig.evaluate(s, registry, code, ids, DAY, offer)
    assert set(decided) == set(verdicts), code
    for hid, verdict in verdicts.items():
        expected = (verdict.status, tuple(c.outcome for c in verdict.criteria))
        got = (decided[hid].status, decided[hid].outcomes)
        assert got == expected, (code, offer.name if offer else None, offer and offer.parameters, hid, got)
    return decided


def test_set_based_eligibility_matches_per_household_rules(world: tuple[Registry, Engine]) -> None:
    registry, engine = world
    _random_world(registry, engine, seed=5, n=400)
    # Every built-in rule has its SQL path: otherwise ``decide`` falls back to ``evaluate``.
    assert all(rule.outcomes is not None for rule in registry.rules.values())
    with Session(engine) as s:
        offers = list(s.execute(select(Offer)).scalars())
        for code in sorted(registry.rules):
            for offer in [None, *(o for o in offers if o.scheme == code)]:
                _compare(s, registry, code, offer)


#: Offer overrides that move the thresholds the defaults leave untested (a resources ceiling on
#: the random values, quotas on either side of the residents' share, no SIAO referral required).
OVERRIDES: dict[str, tuple[dict[str, Any], ...]] = {
    "fjt": (
        {"max_monthly_resources": 1034.28, "activity_share_min": 0.75},
        {"activity_share_min": 0.0},
        {"activity_share_min": 1.0, "min_age": 18, "priority_max_age": 18, "max_age": 25},
        {"activity_share_min": 0.55},
        {"activity_share_min": "residents"},
    ),
    "chrs": ({"requires_referral": False}, {"min_adult_age": 30}),
}


def _on_the_quota(s: Session, offer: Offer, overrides: dict[str, Any]) -> dict[str, float]:
    """A quota exactly at the FJT offer's residents' share: a resident applicant sits on the edge."""
    if overrides.get("activity_share_min") != "residents":
        return {}
    share = resident_shares_by_offer(s, [offer.id], DAY).get(offer.id)  # type: ignore[list-item]
    assert share is not None and share.total, "the random world puts young people in every FJT"
    return {"activity_share_min": share.active / share.total}


@pytest.mark.parametrize("code", sorted(OVERRIDES))
def test_set_based_eligibility_matches_with_offer_overrides(
    world: tuple[Registry, Engine], code: str
) -> None:
    registry, engine = world
    _random_world(registry, engine, seed=7, n=300)
    seen: set[tuple[str, ...]] = set()
    with Session(engine) as s:
        offers = [o for o in s.execute(select(Offer)).scalars() if o.scheme == code]
        assert offers
        defaults = {o.id: dict(o.parameters or {}) for o in offers}
        for overrides in OVERRIDES[code]:
            for offer in offers:
                offer.parameters = {**defaults[offer.id], **overrides, **_on_the_quota(s, offer, overrides)}
                decided = _compare(s, registry, code, offer)
                seen |= {tuple(d.outcomes) for d in decided.values()}
    # Every criterion took several outcomes (the SIAO referral is never refused, only awaited), and
    # most took all three: the comparison went through the branches, not one constant.
    taken = [{row[i] for row in seen} for i in range(len(registry.rules[code].criteria))]
    assert all(len(outcomes) >= 2 for outcomes in taken), (code, taken)
    assert sum(outcomes == set(Outcome) for outcomes in taken) >= len(taken) - 1, (code, taken)


def test_set_based_eligibility_counts_every_status(world: tuple[Registry, Engine]) -> None:
    registry, engine = world
    _random_world(registry, engine, seed=11, n=300)
    with Session(engine) as s:
        for code in sorted(registry.rules):
            statuses = {d.status for d in elig.decide(s, registry, code, select(Household.id), DAY)}
            assert len(statuses) >= 2, (code, statuses)


def _rewritten(rule: EligibilityRule, columns: Any) -> EligibilityRule:
    """``rule`` with its outcomes SELECT rewritten: household id, then ``columns(its outcomes)``."""
    outcomes = rule.outcomes
    assert outcomes is not None

    def rewritten(req: PopulationRequest) -> Select[Any]:
        household_id, *found = outcomes(req).subquery().c
        return select(household_id, *columns(found))

    return replace(rule, outcomes=rewritten)


def test_set_based_eligibility_reads_outcome_values_and_refuses_bad_outcomes(
    world: tuple[Registry, Engine], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Outcomes as ``Outcome`` values (contract 1.2) decide the same; a null or missing one is an error."""
    registry, engine = world
    _random_world(registry, engine, seed=3, n=100)
    population = select(Household.id)
    rule = registry.rules["chrs"]
    as_values = _rewritten(
        rule, lambda found: [case(*((c == o.code, o.value) for o in Outcome)) for c in found]
    )
    null_last = _rewritten(rule, lambda found: [*found[:-1], literal(None, Integer)])
    one_missing = _rewritten(rule, lambda found: found[:-1])
    with Session(engine) as s:
        expected = elig.decide(s, registry, "chrs", population, DAY)
        monkeypatch.setitem(registry.rules, "chrs", as_values)
        assert elig.decide(s, registry, "chrs", population, DAY) == expected
        for wrong in (null_last, one_missing):
            monkeypatch.setitem(registry.rules, "chrs", wrong)
            with pytest.raises(elig.RuleContractError):
                elig.decide(s, registry, "chrs", population, DAY)


def test_population_frame_holds_the_core_facts(world: tuple[Registry, Engine]) -> None:
    """Every documented column of ``PopulationFrame.facts`` agrees with ``HouseholdFacts``.

    The population is part of the households, some listed twice: one row each, no other.
    """
    from core.facts import load_household_facts
    from core.population import PopulationFrame

    registry, engine = world
    _random_world(registry, engine, seed=11, n=300)
    with Session(engine) as s:
        population: Any = union_all(
            select(Household.id).where(Household.id % 2 == 0),
            select(Household.id).where(Household.id % 3 == 0),
        )
        ids = set(s.execute(population).scalars())
        assert 0 < len(ids) < s.execute(select(func.count(Household.id))).scalar_one()
        facts = load_household_facts(s, ids, DAY)
        with PopulationFrame(s, population, DAY) as frame:
            table = frame.facts
            rows = {r.household_id: r for r in s.execute(select(table))}
            assert set(rows) == set(ids)
            for hid, f in facts.items():
                row, members = rows[hid], f.members
                grown = [m for m in members if m.role is not MemberRole.CHILD]
                births = [m.birth_date for m in members if m.birth_date is not None]
                grown_births = [m.birth_date for m in grown if m.birth_date is not None]
                assert row.n == len(members), hid
                assert row.births_known == len(births)
                assert row.oldest_birth == (min(births) if births else None)
                assert row.youngest_birth == (max(births) if births else None)
                for role in MemberRole:
                    assert getattr(row, f"n_{role.value}") == sum(m.role is role for m in members)
                assert row.grown_n == len(grown)
                assert row.grown_births_known == len(grown_births)
                assert row.grown_oldest_birth == (min(grown_births) if grown_births else None)
                assert row.grown_youngest_birth == (max(grown_births) if grown_births else None)
                assert row.grown_activity_unknown == sum(m.activity is None for m in grown)
                for activity in Activity:
                    assert getattr(row, f"grown_{activity.value}") == sum(
                        m.activity is activity for m in grown
                    )
                assert row.isolated_yes == sum(m.isolated is True for m in members)
                assert row.isolated_no == sum(m.isolated is False for m in members)
                known = [m.monthly_resources for m in members if m.monthly_resources is not None]
                assert row.resources_known == len(known)
                assert (row.resources_sum or 0.0) == pytest.approx(sum(known))
                ref = f.reference_person
                assert row.person_id == (ref.id if ref else None)
                assert row.person_birth_date == (ref.birth_date if ref else None)
                assert row.person_isolated == (ref.isolated if ref else None)
                occ = f.occupancy
                assert row.occupancy_id == (occ.id if occ else None), hid
                if occ is not None:
                    assert (row.unit_id, row.offer_id, row.site_id, row.landlord_id) == (
                        occ.unit_id,
                        occ.offer_id,
                        occ.site_id,
                        occ.landlord_id,
                    )
                    assert bool(row.in_priority_district) == occ.in_priority_district
