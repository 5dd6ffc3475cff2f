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

One statement fills it, reading each member once: per household, the members are aggregated
(the eighteen counts packed six to a sum, since a household has fewer than 1,000 members), then
the reference person, the occupancy in force, its unit and site are joined. Tables are built on
first use and dropped by ``close`` (a frame is a context manager).
"""

from __future__ import annotations

import functools
import itertools
import operator
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    ColumnElement,
    Date,
    Float,
    FromClause,
    Integer,
    MetaData,
    Select,
    String,
    Subquery,
    Table,
    and_,
    case,
    cast,
    func,
    literal,
    select,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import TypeCompiler
from sqlmodel import Session, col

from core.facts import current_member, latest_occupancy_first, occupancy_in_force
from core.models import Activity, MemberRole, Occupancy, Person, Site, Unit

_names = itertools.count(1)

#: Counts packed in one sum: each takes three decimal digits (fewer than 1,000 members), six to
#: a 64-bit integer.
BASE = 1000
PACK = 6

#: Added to the id of a member who is not a reference person: the smallest key is the reference
#: person ``HouseholdFacts`` holds (person ids are below it).
_NOT_REFERENCE = 2**32


class _Day(Date):
    """A date column of ``facts``: ``DATE``, but declared ``TEXT`` on SQLite.

    SQLite gives a declared ``DATE`` numeric affinity: each ISO date stored, and each compared
    with a date parameter, is first tried as a number. Declared ``TEXT``, it is stored and
    compared as the text it is (same order, same results).
    """


@compiles(_Day, "sqlite")
def _day_sqlite(type_: _Day, compiler: TypeCompiler, **kw: Any) -> str:
    return "TEXT"


@dataclass(frozen=True)
class _Counts:
    """Counts of members by category: the first ``when`` a member matches names its counts.

    A ``when`` is a condition, or a value of ``value`` when set (one CASE reading it once).
    ``scope``, when set, must hold for a member to count at all; ``otherwise`` names the counts
    of a member in scope that matches no ``when``.
    """

    when: tuple[tuple[Any, tuple[str, ...]], ...]
    otherwise: tuple[str, ...] = ()
    scope: ColumnElement[bool] | None = None
    value: Any = None  # a column (typed ``Mapped`` by SQLModel)

    @property
    def names(self) -> tuple[str, ...]:
        """Every count of the family, ``otherwise`` first."""
        return tuple(dict.fromkeys([*self.otherwise, *(n for _, names in self.when for n in names)]))

    def share(self, digits: dict[str, int]) -> ColumnElement[int]:
        """A member's share of one packed sum: ``BASE**digit`` for each of its counts in it."""

        def part(names: tuple[str, ...]) -> int:
            return sum(BASE ** digits[n] for n in names if n in digits)

        default = part(self.otherwise)
        whens = [(w, part(names)) for w, names in self.when]
        if self.value is None:
            expr = case(*whens, else_=default)
        else:
            # Values are distinct: one adding nothing may fall through to a default adding nothing.
            expr = case({w: v for w, v in whens if v or default}, value=self.value, else_=default)
        return expr if self.scope is None else case((self.scope, expr), else_=0)


def _families() -> list[_Counts]:
    """The member counts of ``facts`` by family, in packing order (a family spans few sums)."""
    role, birth, activity = col(Person.role), col(Person.birth_date), col(Person.activity)
    isolated, resources = col(Person.isolated), col(Person.monthly_resources)
    return [
        _Counts(tuple((r.value, (f"n_{r.value}",)) for r in MemberRole), value=role),
        _Counts(
            ((role == MemberRole.CHILD, ("births_known",)),),
            ("births_known", "grown_births_known"),
            scope=birth.is_not(None),
        ),
        _Counts(
            tuple((a.value, (f"grown_{a.value}",)) for a in Activity),
            ("grown_activity_unknown",),
            scope=role != MemberRole.CHILD,  # null for a household without members: not counted
            value=activity,
        ),
        _Counts(((isolated.is_(True), ("isolated_yes",)), (isolated.is_(False), ("isolated_no",)))),
        _Counts(((resources.is_not(None), ("resources_known",)),)),
    ]


def _earliest(a: ColumnElement[Any], b: ColumnElement[Any]) -> ColumnElement[Any]:
    """The earlier of two dates, either of them null when unknown."""
    return case((b.is_(None) | (a <= b), a), else_=b)


def _latest(a: ColumnElement[Any], b: ColumnElement[Any]) -> ColumnElement[Any]:
    """The later of two dates, either of them null when unknown."""
    return case((b.is_(None) | (a >= b), a), else_=b)


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

    @property
    def _sqlite(self) -> bool:
        return self.session.connection().dialect.name == "sqlite"

    def _table(self, kind: str, columns: list[tuple[str, Any]], fill: Select[Any]) -> Table:
        """Create and fill one temporary table keyed by its first column.

        SQLite keys it by its rowid from the start (the rows come in key order); PostgreSQL
        indexes it once filled (one sort rather than a B-tree insertion per row). Neither is
        analysed: the key's unique index is what the planner needs for joins on households.
        """
        found = self._built.get(kind)
        if found is not None:
            return found
        conn = self.session.connection()
        (key, key_type), *rest = columns
        table = Table(
            f"thema_{kind}_{self._suffix}",
            self._meta,
            Column(key, key_type, primary_key=self._sqlite, autoincrement=False),
            *(Column(name, kind) for name, kind in rest),
            prefixes=["TEMPORARY"],
        )
        table.create(conn)
        self._built[kind] = table
        conn.execute(table.insert().from_select([name for name, _ in columns], fill))
        if not self._sqlite:
            conn.exec_driver_sql(f"ALTER TABLE {table.name} ADD PRIMARY KEY ({key})")
        return table

    # -- the facts table ---------------------------------------------------------------------------
    @property
    def facts(self) -> Table:
        """One row per household of the population with its shared facts (see the module doc)."""
        found = self._built.get("facts")
        if found is not None:
            return found
        members, m = self._members()
        occupancy, joined, o = self._occupancy(members.c.household_id)
        person = Person.__table__.alias("reference_person")  # type: ignore[attr-defined]
        out: list[tuple[str, Any, Any]] = [
            ("household_id", Integer, members.c.household_id),
            ("n", Integer, m["n"]),
            ("births_known", Integer, m["births_known"]),
            ("oldest_birth", _Day, m["oldest_birth"]),
            ("youngest_birth", _Day, m["youngest_birth"]),
            *((f"n_{r.value}", Integer, m[f"n_{r.value}"]) for r in MemberRole),
            ("grown_n", Integer, m["n"] - m["n_child"]),
            ("grown_births_known", Integer, m["grown_births_known"]),
            ("grown_oldest_birth", _Day, m["grown_oldest_birth"]),
            ("grown_youngest_birth", _Day, m["grown_youngest_birth"]),
            ("grown_activity_unknown", Integer, m["grown_activity_unknown"]),
            *((f"grown_{a.value}", Integer, m[f"grown_{a.value}"]) for a in Activity),
            ("isolated_yes", Integer, m["isolated_yes"]),
            ("isolated_no", Integer, m["isolated_no"]),
            ("resources_known", Integer, m["resources_known"]),
            ("resources_sum", Float, m["resources_sum"]),
            ("person_id", Integer, person.c.id),
            ("person_role", String(40), person.c.role),
            ("person_birth_date", _Day, person.c.birth_date),
            ("person_activity", String(40), person.c.activity),
            ("person_isolated", Boolean, person.c.isolated),
            ("person_monthly_resources", Float, person.c.monthly_resources),
            ("occupancy_id", Integer, o["occupancy_id"]),
            ("unit_id", Integer, o["unit_id"]),
            ("offer_id", Integer, o["offer_id"]),
            ("occupancy_start", _Day, o["start_date"]),
            ("occupancy_end", _Day, o["end_date"]),
            ("typology", String(40), col(Unit.typology)),
            ("site_id", Integer, col(Unit.site_id)),
            ("landlord_id", Integer, col(Unit.owner_id)),
            ("in_priority_district", Boolean, col(Site.in_priority_district)),
        ]
        fill = (
            select(*(e for _, _, e in out))
            .select_from(members)
            .outerjoin(person, person.c.id == members.c.reference_id)
            .outerjoin(occupancy, joined)
            .outerjoin(Unit, col(Unit.id) == o["unit_id"])
            .outerjoin(Site, col(Site.id) == col(Unit.site_id))
        )
        return self._table("facts", [(name, kind) for name, kind, _ in out], fill)

    # -- building blocks -----------------------------------------------------------------------
    def _ids(self) -> Table:
        """``id``: the population's distinct household ids."""
        sub = self.population.subquery()
        first = next(iter(sub.c))
        fill = select(first.label("id")).where(first.is_not(None)).distinct()
        return self._table("ids", [("id", Integer)], fill)

    def _members(self) -> tuple[Subquery, dict[str, ColumnElement[Any]]]:
        """Per household of the population, its members present at the date, aggregated.

        Returns the aggregate, with ``household_id`` and ``reference_id`` (the first member by
        (not a reference person, id)), and its member columns by ``facts`` name: the counts are
        summed packed ``PACK`` to a sum and unpacked per household.
        """
        ids = self._ids()
        role, birth, person_id = col(Person.role), col(Person.birth_date), col(Person.id)
        families = _families()
        names = [n for f in families for n in f.names]
        digits = [{n: d for d, n in enumerate(names[i : i + PACK])} for i in range(0, len(names), PACK)]
        packs = [
            cast(
                func.sum(
                    functools.reduce(operator.add, (f.share(d) for f in families if d.keys() & {*f.names}))
                ),
                BigInteger,
            )
            for d in digits
        ]
        # The earliest and latest births of the grown members and of the children apart: each
        # member updates two of the four; the household's follow, once per household.
        grown_birth = case((role != MemberRole.CHILD, birth))
        child_birth = case((role == MemberRole.CHILD, birth))
        not_reference = literal(_NOT_REFERENCE, BigInteger)
        key = case((role == MemberRole.REFERENCE, person_id), else_=person_id + not_reference)
        present = and_(col(Person.household_id) == ids.c.id, current_member(self.reference_date))
        aggregate = (
            select(
                ids.c.id.label("household_id"),
                func.count(person_id).label("n"),
                func.min(grown_birth).label("grown_oldest_birth"),
                func.max(grown_birth).label("grown_youngest_birth"),
                func.min(child_birth).label("child_oldest_birth"),
                func.max(child_birth).label("child_youngest_birth"),
                func.sum(col(Person.monthly_resources)).label("resources_sum"),
                (func.min(key) % not_reference).label("reference_id"),
                *(pack.label(f"pack_{p}") for p, pack in enumerate(packs)),
            )
            .select_from(ids)
            .outerjoin(Person, present)
            .group_by(ids.c.id)
            .subquery("members")
        )
        a = aggregate.c
        columns: dict[str, ColumnElement[Any]] = {
            "n": a.n,
            "oldest_birth": _earliest(a.grown_oldest_birth, a.child_oldest_birth),
            "youngest_birth": _latest(a.grown_youngest_birth, a.child_youngest_birth),
            "grown_oldest_birth": a.grown_oldest_birth,
            "grown_youngest_birth": a.grown_youngest_birth,
            "resources_sum": a.resources_sum,
        }
        for p, d in enumerate(digits):
            pack = a[f"pack_{p}"]
            columns |= {name: (pack // BASE**i) % BASE if i else pack % BASE for name, i in d.items()}
        return aggregate, columns

    def _occupancy(
        self, household_id: ColumnElement[int]
    ) -> tuple[FromClause, ColumnElement[bool], dict[str, ColumnElement[Any]]]:
        """The occupancy in force per household: (a FROM to outer-join, its ON clause, its columns).

        Columns ``occupancy_id``, ``unit_id``, ``offer_id``, ``start_date``, ``end_date``; the
        order is ``latest_occupancy_first``. SQLite looks each household's up in the
        ``(household_id, start_date)`` index; PostgreSQL sorts the population's in one pass.
        """
        if self._sqlite:
            latest = (
                select(col(Occupancy.id))
                .where(col(Occupancy.household_id) == household_id, occupancy_in_force(self.reference_date))
                .order_by(*latest_occupancy_first())
                .limit(1)
                .scalar_subquery()
            )
            table = Occupancy.__table__.alias("occupancy_in_force")  # type: ignore[attr-defined]
            c = table.c
            named = {"occupancy_id": c.id, "unit_id": c.unit_id, "offer_id": c.offer_id}
            return table, c.id == latest, named | {"start_date": c.start_date, "end_date": c.end_date}
        household = col(Occupancy.household_id)
        current = (
            select(
                household,
                col(Occupancy.id).label("occupancy_id"),
                col(Occupancy.unit_id),
                col(Occupancy.offer_id),
                col(Occupancy.start_date),
                col(Occupancy.end_date),
            )
            .where(household.in_(select(self._ids().c.id)), occupancy_in_force(self.reference_date))
            .order_by(household, *latest_occupancy_first())
            # ``Select.distinct(column)`` is deprecated by SQLAlchemy 2.1, its successor not in 2.0.
            .prefix_with("DISTINCT ON (occupancy.household_id)", dialect="postgresql")
            .subquery("occupancy_in_force")
        )
        return current, current.c.household_id == household_id, dict(current.c)
