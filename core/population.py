"""A population's shared facts, computed once in the database for every scheme evaluated on it.

Set-based rules (``EligibilityRule.outcomes``) read a whole population. What most of them need
— how many members, their birth dates, roles, activities, resources, the reference person, the
occupancy in force with its unit and site — is the same for every scheme: the core computes it
once per population and date into one indexed temporary table, ``PopulationFrame.facts``, and
every rule reads that table (joining its own tables) instead of aggregating the members again.
``thema eligibility run`` and the bench evaluate five schemes over 100,000 households this way.

``facts`` has one row per household of the population, keyed by ``household_id``:

Members present at the date (not left on or before it, as ``HouseholdFacts.members``)
    ``n`` (0 without members); ``births_known``, ``oldest_birth`` (earliest), ``youngest_birth``
    (latest); ``n_reference``, ``n_spouse``, ``n_child``, ``n_other``; for the members who are
    not children (the adults and young people a household brings): ``grown_n``,
    ``grown_births_known``, ``grown_oldest_birth``, ``grown_youngest_birth``,
    ``grown_activity_unknown`` and one count ``grown_<activity>`` per ``Activity`` value;
    ``isolated_yes``, ``isolated_no``; ``resources_known``, ``resources_sum`` (monthly, euros).
The reference person (``HouseholdFacts.reference_person``; nulls without members)
    ``person_id``, ``person_role``, ``person_birth_date``, ``person_activity``,
    ``person_isolated``, ``person_monthly_resources``.
The occupancy in force (``HouseholdFacts.occupancy``; nulls without one)
    ``occupancy_id``, ``unit_id``, ``offer_id``, ``occupancy_start``, ``occupancy_end``,
    ``typology``, ``site_id``, ``landlord_id``, ``in_priority_district``.

Counts are packed several to an aggregate while summing (a household has fewer than 1,000
members): the members are read once with half the aggregates. Tables are built on first use and
dropped by ``close`` (a frame is a context manager).
"""

from __future__ import annotations

import itertools
from datetime import date
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    Float,
    Integer,
    MetaData,
    Select,
    String,
    Table,
    case,
    func,
    literal,
    select,
)
from sqlmodel import Session, col

from core.facts import current_member, occupancies_in_force
from core.models import Activity, MemberRole, Occupancy, Person, Site, Unit

_names = itertools.count(1)

#: Counts packed in one sum: each takes three decimal digits (fewer than 1,000 members).
BASE = 1000
PACK = 5


def _packed(value: Any, categories: list[Any]) -> Any:
    """SUM of 1000^i for the row's category i: up to five counts in one aggregate."""
    return func.sum(case(*((value == c, BASE**i) for i, c in enumerate(categories)), else_=0))


def _unpack(packed: Any, i: int) -> Any:
    """Count i of a packed sum (0 when the household has no row)."""
    return func.coalesce((packed // BASE**i) % BASE, 0) if i else func.coalesce(packed % BASE, 0)


class PopulationFrame:
    """The shared facts of one population at one date, as one temporary table (see the module doc)."""

    def __init__(self, session: Session, population: Select[Any], reference_date: date) -> None:
        self.session = session
        self.population = population
        self.reference_date = reference_date
        self._suffix = f"{next(_names)}_{id(self) % 100000}"
        self._meta = MetaData()
        self._built: dict[str, Table] = {}

    # -- lifecycle -------------------------------------------------------------------------------
    def __enter__(self) -> PopulationFrame:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        """Drop the temporary tables built so far."""
        conn = self.session.connection()
        for table in reversed(list(self._built.values())):
            table.drop(conn, checkfirst=False)
        self._built.clear()

    def _table(self, kind: str, columns: list[Column[Any]], fill: Select[Any]) -> Table:
        """Create, fill, index (primary key) and analyse one temporary table."""
        found = self._built.get(kind)
        if found is not None:
            return found
        conn = self.session.connection()
        table = Table(f"thema_{kind}_{self._suffix}", self._meta, *columns, prefixes=["TEMPORARY"])
        table.create(conn)
        conn.execute(table.insert().from_select([c.name for c in columns], fill))
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql(f"ANALYZE {table.name}")  # temporary tables are never auto-analysed
        self._built[kind] = table
        return table

    # -- the facts table ---------------------------------------------------------------------------
    @property
    def facts(self) -> Table:
        """One row per household of the population with its shared facts (see the module doc)."""
        found = self._built.get("facts")
        if found is not None:
            return found
        ids, members, occupancy = self._ids(), self._members(), self._occupancy()
        roles = list(MemberRole)
        activities: list[Any] = [None, *Activity]
        m, o = members.c, occupancy.c
        person = Person.__table__  # type: ignore[attr-defined]
        out: list[tuple[str, Any, Any]] = [
            ("n", Integer, func.coalesce(m.n, 0)),
            ("births_known", Integer, func.coalesce(m.births_known, 0)),
            ("oldest_birth", Date, m.oldest_birth),
            ("youngest_birth", Date, m.youngest_birth),
        ]
        out += [(f"n_{r.value}", Integer, _unpack(m.roles, i)) for i, r in enumerate(roles)]
        out += [
            ("grown_n", Integer, func.coalesce(m.n, 0) - _unpack(m.roles, roles.index(MemberRole.CHILD))),
            ("grown_births_known", Integer, func.coalesce(m.grown_births_known, 0)),
            ("grown_oldest_birth", Date, m.grown_oldest_birth),
            ("grown_youngest_birth", Date, m.grown_youngest_birth),
        ]
        for i, a in enumerate(activities):
            name = "grown_activity_unknown" if a is None else f"grown_{a.value}"
            out.append((name, Integer, _unpack(m[f"activities_{i // PACK}"], i % PACK)))
        out += [
            ("isolated_yes", Integer, _unpack(m.isolated, 0)),
            ("isolated_no", Integer, _unpack(m.isolated, 1)),
            ("resources_known", Integer, func.coalesce(m.resources_known, 0)),
            ("resources_sum", Float, m.resources_sum),
            ("person_id", Integer, person.c.id),
            ("person_role", String(40), person.c.role),
            ("person_birth_date", Date, person.c.birth_date),
            ("person_activity", String(40), person.c.activity),
            ("person_isolated", Boolean, person.c.isolated),
            ("person_monthly_resources", Float, person.c.monthly_resources),
            ("occupancy_id", Integer, o.occupancy_id),
            ("unit_id", Integer, o.unit_id),
            ("offer_id", Integer, o.offer_id),
            ("occupancy_start", Date, o.start_date),
            ("occupancy_end", Date, o.end_date),
            ("typology", String(40), col(Unit.typology)),
            ("site_id", Integer, col(Unit.site_id)),
            ("landlord_id", Integer, col(Unit.owner_id)),
            ("in_priority_district", Boolean, col(Site.in_priority_district)),
        ]
        columns: list[Column[Any]] = [Column("household_id", Integer, primary_key=True, autoincrement=False)]
        columns += [Column(name, kind) for name, kind, _ in out]
        fill = (
            select(ids.c.id, *(e for _, _, e in out))
            .select_from(ids)
            .outerjoin(members, m.household_id == ids.c.id)
            .outerjoin(person, person.c.id == func.coalesce(m.reference_id, m.first_id))
            .outerjoin(occupancy, o.household_id == ids.c.id)
            .outerjoin(Unit, col(Unit.id) == o.unit_id)
            .outerjoin(Site, col(Site.id) == col(Unit.site_id))
        )
        return self._table("facts", columns, fill)

    # -- building blocks -----------------------------------------------------------------------
    def _ids(self) -> Table:
        """``id``: the population's distinct household ids."""
        sub = self.population.subquery()
        first = next(iter(sub.c))
        fill = select(first.label("id")).where(first.is_not(None)).distinct()
        return self._table("ids", [Column("id", Integer, primary_key=True, autoincrement=False)], fill)

    def _members(self) -> Table:
        """The members present at the date, aggregated per household (counts packed)."""
        ids = self._ids()
        role, birth, activity = col(Person.role), col(Person.birth_date), col(Person.activity)
        grown_birth = case((role != MemberRole.CHILD, birth))
        activities: list[Any] = [None, *Activity]
        grown_activity = case(
            (role == MemberRole.CHILD, literal("child")), else_=func.coalesce(activity, "none")
        )
        packs = [activities[i : i + PACK] for i in range(0, len(activities), PACK)]
        exprs: list[tuple[str, Any, Any]] = [
            ("n", Integer, func.count()),
            ("births_known", Integer, func.count(birth)),
            ("oldest_birth", Date, func.min(birth)),
            ("youngest_birth", Date, func.max(birth)),
            ("roles", BigInteger, _packed(role, list(MemberRole))),
            ("grown_births_known", Integer, func.count(grown_birth)),
            ("grown_oldest_birth", Date, func.min(grown_birth)),
            ("grown_youngest_birth", Date, func.max(grown_birth)),
        ]
        exprs += [
            (
                f"activities_{k}",
                BigInteger,
                _packed(grown_activity, ["none" if a is None else a.value for a in pack]),
            )
            for k, pack in enumerate(packs)
        ]
        exprs += [
            ("isolated", BigInteger, _packed(col(Person.isolated), [True, False])),
            ("resources_known", Integer, func.count(col(Person.monthly_resources))),
            ("resources_sum", Float, func.sum(col(Person.monthly_resources))),
            ("reference_id", Integer, func.min(case((role == MemberRole.REFERENCE, col(Person.id))))),
            ("first_id", Integer, func.min(col(Person.id))),
        ]
        columns: list[Column[Any]] = [Column("household_id", Integer, primary_key=True, autoincrement=False)]
        columns += [Column(name, kind) for name, kind, _ in exprs]
        fill = (
            select(col(Person.household_id), *(e.label(name) for name, _, e in exprs))
            .where(current_member(self.reference_date), col(Person.household_id).in_(select(ids.c.id)))
            .group_by(col(Person.household_id))
        )
        return self._table("members", columns, fill)

    def _occupancy(self) -> Table:
        """The occupancy in force at the date per household: the latest started, then latest created."""
        ids = self._ids()
        fill = occupancies_in_force(self.reference_date, col(Occupancy.household_id).in_(select(ids.c.id)))
        columns: list[Column[Any]] = [
            Column("household_id", Integer, primary_key=True, autoincrement=False),
            Column("occupancy_id", Integer),
            Column("unit_id", Integer),
            Column("offer_id", Integer),
            Column("start_date", Date),
            Column("end_date", Date),
        ]
        return self._table("occupancy", columns, fill)
