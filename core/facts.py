"""Core facts about households, loaded for a whole batch in a constant number of statements."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import ARRAY, Boolean, TypeDecorator, and_, bindparam, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql import coercions, roles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.visitors import InternalTraversal
from sqlmodel import Session

from core.db import read_rows
from core.models import (
    Activity,
    Household,
    MemberRole,
    Occupancy,
    Offer,
    Organisation,
    OrganisationKind,
    Person,
    Referral,
    ReferralDecision,
    Site,
    Typology,
    Unit,
)

#: Largest IN (...) list sent in one statement (SQLite's variable limit is far above).
CHUNK = 5000


class in_ids(ColumnElement[bool]):
    """``column IN (…)`` of a list of ids bound at execution as ``name`` (``{"ids": [...]}``).

    On PostgreSQL, ``column = ANY(:ids)``: one array parameter whatever the number of ids, so
    the statement's text never changes (psycopg prepares it once per connection) and nothing is
    rendered per id; elsewhere an expanding ``IN``. Added in contract 1.4.
    """

    inherit_cache = True
    type = Boolean()
    _is_implicitly_boolean = True  # a comparison: no ``= 1`` where booleans are not native
    _traverse_internals = [
        ("column", InternalTraversal.dp_clauseelement),
        ("name", InternalTraversal.dp_string),
    ]

    def __init__(self, column: Any, name: str = "ids") -> None:
        self.column = coercions.expect(roles.ExpressionElementRole, column)
        self.name = name


class _Ids(TypeDecorator[Any]):
    """An array of ids bound from any sequence (psycopg adapts lists, not tuples, to arrays)."""

    impl = ARRAY
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> Any:
        return None if value is None else list(value)


@compiles(in_ids)
def _in_ids(element: in_ids, compiler: SQLCompiler, **kw: Any) -> str:
    return compiler.process(element.column.in_(bindparam(element.name, expanding=True)), **kw)


@compiles(in_ids, "postgresql")
def _in_ids_postgresql(element: in_ids, compiler: SQLCompiler, **kw: Any) -> str:
    column = compiler.process(element.column, **kw)
    ids = compiler.process(bindparam(element.name, type_=_Ids(element.column.type)), **kw)
    return f"{column} = ANY ({ids})"


def chunks(ids: Sequence[int], size: int = CHUNK) -> Iterator[Sequence[int]]:
    """Split ``ids`` into slices of at most ``size``."""
    for i in range(0, len(ids), size):
        yield ids[i : i + size]


def age_at(birth_date: date | None, reference: date) -> int | None:
    """Age in completed years at ``reference`` (None when the birth date is unknown)."""
    if birth_date is None:
        return None
    years = reference.year - birth_date.year
    if (reference.month, reference.day) < (birth_date.month, birth_date.day):
        years -= 1
    return years


@dataclass(frozen=True)
class MemberFacts:
    """A household member as rules see them."""

    id: int
    role: MemberRole
    birth_date: date | None
    activity: Activity | None
    monthly_resources: float | None
    isolated: bool | None

    def age(self, reference: date) -> int | None:
        """Age in completed years at ``reference``."""
        return age_at(self.birth_date, reference)


@dataclass(frozen=True)
class OccupancyFacts:
    """The occupancy in force at the reference date, with its unit and site."""

    id: int
    unit_id: int
    offer_id: int | None
    start_date: date
    end_date: date | None
    typology: Typology
    site_id: int
    landlord_id: int
    in_priority_district: bool


@dataclass(frozen=True)
class ReferralFacts:
    """A referral of the household, with the kind of organisation that proposed it."""

    id: int
    offer_id: int
    proposer_id: int
    proposer_kind: OrganisationKind
    decision: ReferralDecision
    proposed_on: date
    #: Scheme of the offer referred to (so a rule can keep its own scheme's referrals).
    offer_scheme: str | None = None


class ReferralBatch:
    """The referrals of a batch of households, loaded in one statement on first use.

    Most rules never read referrals: the core does not load them until one does.
    """

    def __init__(self, session: Session, household_ids: Sequence[int], reference_date: date) -> None:
        self._session = session
        self._ids = household_ids
        self._reference = reference_date
        self._found: dict[int, tuple[ReferralFacts, ...]] | None = None

    def of(self, household_id: int) -> tuple[ReferralFacts, ...]:
        """Referrals of one household of the batch, proposed on or before the reference date."""
        if self._found is None:
            self._found = load_referral_facts(self._session, self._ids, self._reference)
        return self._found.get(household_id, ())


@dataclass(frozen=True)
class HouseholdFacts:
    """Everything the core knows about a household that eligibility rules may need."""

    id: int
    owner_id: int
    confidential: bool
    members: tuple[MemberFacts, ...]
    occupancy: OccupancyFacts | None
    _referrals: ReferralBatch | tuple[ReferralFacts, ...] = field(default=(), repr=False, compare=False)

    @property
    def referrals(self) -> tuple[ReferralFacts, ...]:
        """Referrals of the household proposed on or before the reference date (loaded on first use)."""
        source = self._referrals
        return source.of(self.id) if isinstance(source, ReferralBatch) else source

    def ages(self, reference: date) -> list[int | None]:
        """Ages of the members at ``reference`` (None for unknown birth dates)."""
        return [m.age(reference) for m in self.members]

    @property
    def reference_person(self) -> MemberFacts | None:
        """The reference person, or the first member when none is marked."""
        for m in self.members:
            if m.role is MemberRole.REFERENCE:
                return m
        return self.members[0] if self.members else None

    def monthly_resources(self) -> float | None:
        """Sum of the members' monthly resources; None if any member's is unknown."""
        values = [m.monthly_resources for m in self.members]
        if not values or any(v is None for v in values):
            return None
        return float(sum(v for v in values if v is not None))

    def referrals_to(self, offer_id: int | None) -> tuple[ReferralFacts, ...]:
        """Referrals of the household to ``offer_id``."""
        return tuple(r for r in self.referrals if r.offer_id == offer_id)


def member_facts(rows: Iterable[Any], reference_date: date) -> tuple[MemberFacts, ...]:
    """Members present at ``reference_date`` (not left on or before it), in id order."""
    return tuple(
        MemberFacts(r.id, r.role, r.birth_date, r.activity, r.monthly_resources, r.isolated)
        for r in sorted(rows, key=lambda r: r.id)
        if r.left_on is None or r.left_on > reference_date
    )


def occupancy_facts(
    rows: Iterable[Any], places: Mapping[int, Any], reference_date: date
) -> OccupancyFacts | None:
    """The occupancy in force at ``reference_date``: the latest started (then the latest created).

    ``rows`` are the household's occupancies (any dates); ``places`` gives, by unit id, its
    ``typology``, ``site_id``, ``owner_id`` and its site's ``in_priority_district``. The SQL
    equivalent is ``occupancy_in_force`` ordered by ``latest_occupancy_first``.
    """
    current = [
        r
        for r in rows
        if r.start_date <= reference_date and (r.end_date is None or r.end_date >= reference_date)
    ]
    if not current:
        return None
    r = max(current, key=lambda o: (o.start_date, o.id))
    place = places.get(r.unit_id)
    if place is None:
        return None
    return OccupancyFacts(
        r.id,
        r.unit_id,
        r.offer_id,
        r.start_date,
        r.end_date,
        place.typology,
        place.site_id,
        place.owner_id,
        bool(place.in_priority_district),
    )


#: The referrals of a chunk (``ids``) proposed on or before ``on``: built once, its compiled form
#: cached by SQLAlchemy, so a batch pays only for running it.
_REFERRALS = (
    select(
        Referral.household_id,
        Referral.id,
        Referral.offer_id,
        Referral.proposer_id,
        Organisation.kind,
        Referral.decision,
        Referral.proposed_on,
        Offer.scheme,
    )
    .join(Organisation, Organisation.id == Referral.proposer_id)  # type: ignore[arg-type]
    .join(Offer, Offer.id == Referral.offer_id)  # type: ignore[arg-type]
    .where(
        in_ids(Referral.household_id),
        Referral.proposed_on <= bindparam("on"),  # type: ignore[arg-type,operator]
    )
    .order_by(Referral.household_id, Referral.proposed_on)
)


def load_referral_facts(
    session: Session, household_ids: Iterable[int], reference_date: date
) -> dict[int, tuple[ReferralFacts, ...]]:
    """Referrals of ``household_ids`` proposed on or before ``reference_date``, one statement a chunk."""
    out: dict[int, list[ReferralFacts]] = defaultdict(list)
    for part in chunks(sorted(set(household_ids))):
        for r in read_rows(session, _REFERRALS, {"ids": part, "on": reference_date}):
            out[r.household_id].append(
                ReferralFacts(r.id, r.offer_id, r.proposer_id, r.kind, r.decision, r.proposed_on, r.scheme)
            )
    return {k: tuple(v) for k, v in out.items()}


def load_household_facts(
    session: Session, household_ids: Iterable[int], reference_date: date
) -> dict[int, HouseholdFacts]:
    """Load the core facts of ``household_ids`` at ``reference_date`` in three statements a chunk.

    Referrals are loaded on first use, for the whole batch (one more statement).
    """
    ids = sorted(set(household_ids))
    out: dict[int, HouseholdFacts] = {}
    referrals = ReferralBatch(session, ids, reference_date)
    for part in chunks(ids):
        heads = session.execute(
            select(Household.id, Household.owner_id, Household.confidential).where(
                Household.id.in_(part)  # type: ignore[union-attr]
            )
        ).all()
        members: dict[int, list[Any]] = defaultdict(list)
        for r in session.execute(
            select(
                Person.household_id,
                Person.id,
                Person.role,
                Person.birth_date,
                Person.activity,
                Person.monthly_resources,
                Person.isolated,
                Person.left_on,
            )
            .where(Person.household_id.in_(part))  # type: ignore[attr-defined]
            .where(or_(Person.left_on.is_(None), Person.left_on > reference_date))  # type: ignore[union-attr]
        ):
            members[r.household_id].append(r)
        occupancies: dict[int, list[Any]] = defaultdict(list)
        places: dict[int, Any] = {}
        for r in session.execute(
            select(
                Occupancy.household_id,
                Occupancy.id,
                Occupancy.unit_id,
                Occupancy.offer_id,
                Occupancy.start_date,
                Occupancy.end_date,
                Unit.typology,
                Unit.site_id,
                Unit.owner_id,
                Site.in_priority_district,
            )
            .join(Unit, Unit.id == Occupancy.unit_id)  # type: ignore[arg-type]
            .join(Site, Site.id == Unit.site_id)  # type: ignore[arg-type]
            .where(Occupancy.household_id.in_(part), occupancy_in_force(reference_date))  # type: ignore[attr-defined]
        ):
            occupancies[r.household_id].append(r)
            places[r.unit_id] = r
        for head in heads:
            out[head.id] = HouseholdFacts(
                head.id,
                head.owner_id,
                bool(head.confidential),
                member_facts(members.get(head.id, ()), reference_date),
                occupancy_facts(occupancies.get(head.id, ()), places, reference_date),
                referrals,
            )
    return out


# -- set-based helpers: the same facts as SQL, for rules evaluating a whole population ------------
def born_by(reference: date, age: int) -> date:
    """Latest birth date giving at least ``age`` completed years at ``reference`` (as ``age_at``)."""
    year = reference.year - age
    try:
        return date(year, reference.month, reference.day)
    except ValueError:  # 29 February in a common year: born on 28 February is already that old
        return date(year, 2, 28)


def current_member(reference: date) -> ColumnElement[bool]:
    """A person still in the household at ``reference`` (the members ``HouseholdFacts`` holds)."""
    return or_(Person.left_on.is_(None), Person.left_on > reference)  # type: ignore[union-attr,operator]


def occupancy_in_force(reference: date) -> ColumnElement[bool]:
    """An occupancy in force at ``reference``: started on or before it, not ended before it."""
    return and_(
        Occupancy.start_date <= reference,  # type: ignore[arg-type]
        or_(Occupancy.end_date.is_(None), Occupancy.end_date >= reference),  # type: ignore[union-attr,operator]
    )


def latest_occupancy_first() -> tuple[Any, Any]:
    """ORDER BY putting first the occupancy ``HouseholdFacts`` keeps: latest started, then created."""
    return (Occupancy.start_date.desc(), Occupancy.id.desc())  # type: ignore[attr-defined,union-attr]
