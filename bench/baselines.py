"""The naive ways, measured in the same run: ORM loops over objects and the ORM unit of work."""

from __future__ import annotations

import time
from datetime import date
from typing import Any

from sqlalchemy import or_, select
from sqlmodel import Session

from core.contract import Period
from core.models import Household, Occupancy, Offer, Person, Unit
from core.plugins import Registry
from core.services import eligibility as elig


def eligibility_orm_loop(
    session: Session, registry: Registry, scheme: str, household_ids: list[int], day: date
) -> float:
    """Seconds to evaluate ``household_ids`` one ORM household at a time (facts and profile per household)."""
    started = time.perf_counter()
    for hid in household_ids:
        household = session.get(Household, hid)
        assert household is not None and household.id is not None
        elig.evaluate(session, registry, scheme, [household.id], day)
    session.expunge_all()
    return time.perf_counter() - started


def indicators_orm_loop(
    session: Session, registry: Registry, landlord_id: int, period: Period
) -> dict[str, float]:
    """Per scheme, seconds to compute occupancy figures by looping over ORM occupancies and members.

    Site offers: their occupancies overlapping the period; portfolio-wide programmes: every
    tenancy of the landlord's units. For each, the household's members are loaded (the lazy
    access of an ORM loop) and counted in Python: occupied days, people, ages and activity.
    """
    out: dict[str, float] = {}
    offers = (
        session.execute(
            select(Offer).where(or_(Offer.landlord_id == landlord_id, Offer.manager_id == landlord_id))
        )
        .scalars()
        .all()
    )
    for code in sorted(registry.schemes):
        started = time.perf_counter()
        mine = [o for o in offers if o.scheme == code]
        if registry.schemes[code].portfolio_wide:
            stays = (
                session.execute(
                    select(Occupancy)
                    .join(Unit, Unit.id == Occupancy.unit_id)  # type: ignore[arg-type]
                    .where(Unit.owner_id == landlord_id, Occupancy.start_date <= period.end)  # type: ignore[arg-type]
                )
                .scalars()
                .all()
            )
        else:
            stays = (
                session.execute(
                    select(Occupancy).where(Occupancy.offer_id.in_([o.id for o in mine]))  # type: ignore[union-attr]
                )
                .scalars()
                .all()
            )
        figures: dict[str, Any] = {"days": 0, "people": 0, "seniors": 0, "active": 0}
        for stay in stays:
            if stay.end_date is not None and stay.end_date < period.start:
                continue
            end = min(stay.end_date or period.end, period.end)
            begin = max(stay.start_date, period.start)
            figures["days"] += (end - begin).days + 1
            members = session.execute(
                select(Person).where(Person.household_id == stay.household_id)
            ).scalars()
            for person in members:
                figures["people"] += 1
                if person.birth_date and (period.end.year - person.birth_date.year) >= 70:
                    figures["seniors"] += 1
                if person.activity is not None:
                    figures["active"] += 1
        session.expunge_all()
        out[code] = time.perf_counter() - started
    return out


def person_rows(household_id: int, owner_id: int, n: int, first_id: int) -> list[dict[str, Any]]:
    """``n`` person rows for the bulk-loading comparison."""
    return [
        {
            "id": first_id + i,
            "owner_id": owner_id,
            "household_id": household_id,
            "first_name": "Camille",
            "last_name": "Martin",
            "role": "other",
            "birth_date": date(1990, 1, 1),
            "activity": "employed",
            "monthly_resources": 1200.0,
            "isolated": False,
            "left_on": None,
            "version": 1,
        }
        for i in range(n)
    ]


def bulk_vs_orm(
    session: Session, household_id: int, owner_id: int, core_rows: int, orm_rows: int, repeat: int = 3
) -> dict[str, float]:
    """Rows/s inserting persons with ``core.bulk.insert_rows`` vs ORM objects flushed by the unit of work.

    Each way runs ``repeat`` times, rolled back after each run, alternately; the median is kept
    (one run of either moves by a third on a busy machine).
    """
    from statistics import median

    from sqlalchemy import func

    from core.bulk import insert_rows

    core_times, orm_times = [], []
    for _ in range(repeat):
        start_id = int(session.execute(select(func.max(Person.id))).scalar_one() or 0) + 1
        rows = person_rows(household_id, owner_id, core_rows, start_id)
        started = time.perf_counter()
        insert_rows(session, Person, rows)
        session.flush()
        core_times.append(time.perf_counter() - started)
        session.rollback()
        # The ORM rows take fresh ids from the sequence, which insert_rows moved past the rows above.
        objects = person_rows(household_id, owner_id, orm_rows, start_id)
        started = time.perf_counter()
        session.add_all([Person(**{k: v for k, v in r.items() if k != "id"}) for r in objects])
        session.flush()
        orm_times.append(time.perf_counter() - started)
        session.rollback()
    return {
        "core_rows": core_rows,
        "core_rows_per_s": round(core_rows / median(core_times)),
        "orm_rows": orm_rows,
        "orm_rows_per_s": round(orm_rows / median(orm_times)),
        "runs": repeat,
    }
