"""Generic DataLoaders: every relation is fetched for a whole batch of parents in one statement.

The database work is synchronous, so every loader here is a ``BatchLoader``: a strawberry
``DataLoader`` over a synchronous ``fetch(keys)`` that also keeps what it loaded. A resolver
takes an already loaded value without awaiting (``get``), and a connection loads its page's
relations ahead, in one batch each, before its nodes are resolved (``load_now``, see
``core.graphql.lookahead``): a page then completes without a single future.
"""

from __future__ import annotations

from collections import defaultdict, namedtuple
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, func, select
from strawberry.dataloader import DataLoader

from core.context import RequestContext
from core.db import read_rows
from core.facts import chunks, in_ids

M = TypeVar("M")
K = TypeVar("K")
V = TypeVar("V")

_MISSING: Any = object()
_BY_ID_KEYS: dict[type, str] = {}


class BatchLoader(DataLoader[K, V], Generic[K, V]):
    """A DataLoader over a synchronous batch function, whose loaded values can be read at once.

    ``fetch(keys)`` returns one value per key, in order. Values loaded by either path (awaited
    ``load`` or ``load_now``) and primed ones are kept in ``values`` for the request.
    """

    def __init__(self, fetch: Callable[[list[K]], Sequence[V]]) -> None:
        self.fetch = fetch
        self.values: dict[K, V] = {}

        async def load_fn(keys: list[K]) -> list[V]:
            found = list(fetch(keys))
            self.values.update(zip(keys, found, strict=True))
            return found

        super().__init__(load_fn)

    def load(self, key: K) -> Awaitable[V]:
        """The value of ``key``, as an awaitable (strawberry's ``DataLoader.load``)."""
        if key in self.values:
            future = self.loop.create_future()
            future.set_result(self.values[key])
            return future
        return super().load(key)

    def get(self, key: K, conv: Callable[[V], Any] | None = None) -> Any:
        """``conv(value)`` of ``key`` if loaded already, else an awaitable of it (batched)."""
        value = self.values.get(key, _MISSING)
        if value is _MISSING:
            return self._later(key, conv)
        return value if conv is None else conv(value)

    async def _later(self, key: K, conv: Callable[[V], Any] | None) -> Any:
        value = await super().load(key)
        return value if conv is None else conv(value)

    def load_now(self, keys: Iterable[K]) -> list[V]:
        """Values of ``keys``, the ones not loaded yet fetched now in one batch."""
        keys = list(keys)
        missing = [k for k in dict.fromkeys(keys) if k not in self.values]
        if missing:
            self.prime_many(dict(zip(missing, self.fetch(missing), strict=True)))
        return [self.values[k] for k in keys]

    def prime_many(self, data: Mapping[K, V], force: bool = False) -> None:
        """Keep ``data`` (unless already loaded, without ``force``) and settle pending loads of it."""
        for key, value in data.items():
            if force or key not in self.values:
                self.values[key] = value
        if self.batch is not None and not self.batch.dispatched:
            super().prime_many(data, force)

    def clear(self, key: K) -> None:
        """Forget ``key``."""
        self.values.pop(key, None)
        if self.cache_map.get(key) is not None:
            super().clear(key)

    def clear_many(self, keys: Iterable[K]) -> None:
        """Forget ``keys``."""
        for key in keys:
            self.clear(key)

    def clear_all(self) -> None:
        """Forget everything."""
        self.values.clear()
        super().clear_all()


def _table(model: type) -> Any:
    """The table of a model: loaders read its rows as they are (read-only), not as ORM objects.

    A relation's rows are only read (converted to GraphQL objects, turned into facts), never
    changed or refreshed: rows cost a fraction of ORM objects, which a page builds hundreds of.
    Their attributes are the model's (column names).
    """
    return model.__table__  # type: ignore[attr-defined]


#: Read-only rows of a table read in parts of a wider statement, by table.
_ROW_TYPES: dict[Any, Any] = {}


def _row_type(table: Any) -> Any:
    """A named tuple of ``table``'s columns: what a row of it, read within a join, becomes."""
    found = _ROW_TYPES.get(table)
    if found is None:
        found = _ROW_TYPES[table] = namedtuple(table.name, [c.name for c in table.c])  # type: ignore[misc]
    return found


#: The parameter binding the parent ids of a loader's batch (``in_ids``).
_IDS = "parent_ids"


def _rows(ctx: RequestContext, stmt: Any, ids: Sequence[Any]) -> Any:
    """Rows of a Core ``stmt`` for a batch of ``ids`` (``read_rows``)."""
    return read_rows(ctx.session, stmt, {_IDS: ids})


def _scoped(ctx: RequestContext, model: type, stmt: Select[Any]) -> Select[Any]:
    """Restrict ``stmt`` to the rows of ``model`` the caller may read (see core.access)."""
    from core.access import scope_of

    return scope_of(ctx).filter(stmt, model)


def _of_shown_households(ctx: RequestContext, model: type, fk: str, parents: Sequence[int]) -> bool:
    """Whether rows of ``model`` under ``parents`` (by ``fk``) are readable without a condition.

    True when they are rows of households (``ScopeFilter.follows_household``) and every parent is
    a file this request already read through the caller's scope (``by_id(Household)``, primed by
    the page): the access condition would be a correlated lookup per row proving it again, which
    PostgreSQL turns into whole scans of the offers' households.
    """
    from core.access import scope_of
    from core.models import Household

    if fk != "household_id" or not scope_of(ctx).follows_household(model):
        return False
    shown = by_id(ctx, Household).values
    return all(shown.get(p) is not None for p in parents)


def by_id(ctx: RequestContext, model: type[M]) -> BatchLoader[int, M | None]:
    """Rows of ``model`` by primary key."""
    key = _BY_ID_KEYS.get(model)
    if key is None:
        key = _BY_ID_KEYS[model] = f"core.byid.{model.__name__}"
    found = ctx.loaders.get(key)  # the usual case: asked again in the same request
    if found is not None:
        return found  # type: ignore[no-any-return]

    def fetch(keys: list[int]) -> list[M | None]:
        found: dict[int, M] = {}
        for part in chunks(sorted(set(keys))):
            stmt = _scoped(ctx, model, select(model).where(in_ids(model.id, _IDS)))  # type: ignore[attr-defined]
            for row in ctx.session.execute(stmt, {_IDS: part}).scalars():
                found[row.id] = row  # type: ignore[attr-defined]
        return [found.get(k) for k in keys]

    return ctx.loader(key, lambda: BatchLoader(fetch))  # type: ignore[no-any-return]


def children(
    ctx: RequestContext,
    model: type[M],
    fk: str,
    *,
    where: Callable[[Select[Any]], Select[Any]] | None = None,
    name: str = "",
    order: str = "id",
) -> BatchLoader[int, list[M]]:
    """Rows of ``model`` grouped by the parent id in column ``fk``."""

    def fetch(keys: list[int]) -> list[list[M]]:
        grouped: dict[int, list[M]] = defaultdict(list)
        col = getattr(model, fk)
        for part in chunks(sorted(set(keys))):
            stmt = select(_table(model)).where(in_ids(col, _IDS))
            if not _of_shown_households(ctx, model, fk, part):
                stmt = _scoped(ctx, model, stmt)
            if where is not None:
                stmt = where(stmt)
            stmt = stmt.order_by(col, getattr(model, order), model.id)  # type: ignore[attr-defined]
            for row in _rows(ctx, stmt, part):
                grouped[getattr(row, fk)].append(row)
        return [grouped.get(k, []) for k in keys]

    key = f"core.children.{model.__name__}.{fk}.{name}"
    return ctx.loader(key, lambda: BatchLoader(fetch))  # type: ignore[no-any-return]


def child_pages(
    ctx: RequestContext,
    model: type[M],
    fk: str,
    first: int,
    after: int | None,
    *,
    where: Callable[[Select[Any]], Select[Any]] | None = None,
    name: str = "",
) -> BatchLoader[int, tuple[list[M], bool]]:
    """A page (``first`` rows after id ``after``) of children per parent, with one window query."""

    def fetch(keys: list[int]) -> list[tuple[list[M], bool]]:
        grouped: dict[int, list[M]] = defaultdict(list)
        col = getattr(model, fk)
        pk = model.id  # type: ignore[attr-defined]
        for part in chunks(sorted(set(keys))):
            inner = select(model, func.row_number().over(partition_by=col, order_by=pk).label("rn"))
            inner = inner.where(in_ids(col, _IDS))
            if after is not None:
                inner = inner.where(pk > after)
            if where is not None:
                inner = where(inner)
            inner = _scoped(ctx, model, inner)
            sub = inner.subquery()
            alias = sub.c
            stmt = select(model).from_statement(
                select(*[alias[c.name] for c in model.__table__.columns])  # type: ignore[attr-defined]
                .where(alias.rn <= first + 1)
                .order_by(alias[fk], alias.id)
            )
            for row in ctx.session.execute(stmt, {_IDS: part}).scalars():
                grouped[getattr(row, fk)].append(row)
        out = []
        for k in keys:
            rows = grouped.get(k, [])
            out.append((rows[:first], len(rows) > first))
        return out

    key = f"core.pages.{model.__name__}.{fk}.{name}.{first}.{after}"
    return ctx.loader(key, lambda: BatchLoader(fetch))  # type: ignore[no-any-return]


def child_counts(
    ctx: RequestContext,
    model: type[M],
    fk: str,
    *,
    where: Callable[[Select[Any]], Select[Any]] | None = None,
    name: str = "",
) -> BatchLoader[int, int]:
    """Number of children per parent, with one GROUP BY."""

    def fetch(keys: list[int]) -> list[int]:
        counts: dict[int, int] = {}
        col = getattr(model, fk)
        for part in chunks(sorted(set(keys))):
            stmt = _scoped(ctx, model, select(col, func.count()).where(in_ids(col, _IDS)))
            if where is not None:
                stmt = where(stmt)
            for parent, n in ctx.session.execute(stmt.group_by(col), {_IDS: part}):
                counts[parent] = int(n)
        return [counts.get(k, 0) for k in keys]

    key = f"core.counts.{model.__name__}.{fk}.{name}"
    return ctx.loader(key, lambda: BatchLoader(fetch))  # type: ignore[no-any-return]


@dataclass(frozen=True)
class Place:
    """What eligibility needs of an occupancy's unit and site, whoever the caller (core facts)."""

    typology: Any
    site_id: int
    owner_id: int
    in_priority_district: bool


def household_occupancies(ctx: RequestContext) -> BatchLoader[int, list[Any]]:
    """Occupancies per household (oldest first) with their unit and site, in one statement.

    The units and sites the caller may read prime their ``by_id`` loaders (a page showing the
    current unit and its site costs nothing more); what eligibility needs of every unit, readable
    or not, is kept in ``places`` so that a verdict never depends on who asks.
    """
    found = ctx.loaders.get("core.household_occupancies")  # the usual case: asked again
    if found is not None:
        return found  # type: ignore[no-any-return]
    from core.access import scope_of
    from core.models import Occupancy, Site, Unit

    places: dict[int, Place] = ctx.loaders.setdefault("core.places", {})

    def fetch(keys: list[int]) -> list[list[Any]]:
        scope = scope_of(ctx)
        grouped: dict[int, list[Any]] = defaultdict(list)
        units, sites = by_id(ctx, Unit), by_id(ctx, Site)
        occupancy, unit, site = _table(Occupancy), _table(Unit), _table(Site)
        occupancy_row, unit_row, site_row = _row_type(occupancy), _row_type(unit), _row_type(site)
        n_occupancy, n_unit, n_site = len(occupancy.c), len(unit.c), len(site.c)
        at_unit, at_site = n_occupancy, n_occupancy + n_unit
        at_seen = at_site + n_site
        columns = [
            *occupancy.c,
            *(c.label(f"unit_{c.name}") for c in unit.c),
            *(c.label(f"site_{c.name}") for c in site.c),
            scope.condition(Unit).label("unit_seen"),
            scope.condition(Site).label("site_seen"),
        ]
        for part in chunks(sorted(set(keys))):
            stmt: Any = (
                select(*columns)
                .select_from(
                    occupancy.join(unit, unit.c.id == occupancy.c.unit_id).join(
                        site, site.c.id == unit.c.site_id
                    )
                )
                .where(in_ids(occupancy.c.household_id, _IDS))
                .order_by(occupancy.c.household_id, occupancy.c.start_date, occupancy.c.id)
            )
            if not _of_shown_households(ctx, Occupancy, "household_id", part):
                stmt = scope.filter(stmt, Occupancy)
            for row in _rows(ctx, stmt, part):
                occ = occupancy_row._make(row[:at_unit])
                u = unit_row._make(row[at_unit:at_site])
                si = site_row._make(row[at_site:at_seen])
                grouped[occ.household_id].append(occ)
                places[u.id] = Place(u.typology, u.site_id, u.owner_id, si.in_priority_district)
                units.prime(u.id, u if row[at_seen] else None)
                sites.prime(si.id, si if row[at_seen + 1] else None)
        return [grouped.get(k, []) for k in keys]

    return ctx.loader("core.household_occupancies", lambda: BatchLoader(fetch))  # type: ignore[no-any-return]
