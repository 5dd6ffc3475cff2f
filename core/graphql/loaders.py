"""Generic DataLoaders: every relation is fetched for a whole batch of parents in one statement."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import Select, func, select
from strawberry.dataloader import DataLoader

from core.context import RequestContext
from core.facts import chunks

M = TypeVar("M")


def _in(col: Any, ids: Sequence[Any]) -> Any:
    return col.in_(ids)


def _scoped(ctx: RequestContext, model: type, stmt: Select[Any]) -> Select[Any]:
    """Restrict ``stmt`` to the rows of ``model`` the caller may read (see core.access)."""
    from core.access import scope_of

    return scope_of(ctx).filter(stmt, model)


def by_id(ctx: RequestContext, model: type[M]) -> DataLoader[int, M | None]:
    """Rows of ``model`` by primary key."""

    async def load(keys: list[int]) -> list[M | None]:
        found: dict[int, M] = {}
        for part in chunks(sorted(set(keys))):
            stmt = _scoped(ctx, model, select(model).where(_in(model.id, part)))  # type: ignore[attr-defined]
            for row in ctx.session.execute(stmt).scalars():
                found[row.id] = row  # type: ignore[attr-defined]
        return [found.get(k) for k in keys]

    return ctx.loader(f"core.byid.{model.__name__}", lambda: DataLoader(load))  # type: ignore[no-any-return]


def children(
    ctx: RequestContext,
    model: type[M],
    fk: str,
    *,
    where: Callable[[Select[Any]], Select[Any]] | None = None,
    name: str = "",
    order: str = "id",
) -> DataLoader[int, list[M]]:
    """Rows of ``model`` grouped by the parent id in column ``fk``."""

    async def load(keys: list[int]) -> list[list[M]]:
        grouped: dict[int, list[M]] = defaultdict(list)
        col = getattr(model, fk)
        for part in chunks(sorted(set(keys))):
            stmt = _scoped(ctx, model, select(model).where(_in(col, part)))
            if where is not None:
                stmt = where(stmt)
            stmt = stmt.order_by(col, getattr(model, order), model.id)  # type: ignore[attr-defined]
            for row in ctx.session.execute(stmt).scalars():
                grouped[getattr(row, fk)].append(row)
        return [grouped.get(k, []) for k in keys]

    key = f"core.children.{model.__name__}.{fk}.{name}"
    return ctx.loader(key, lambda: DataLoader(load))  # type: ignore[no-any-return]


def child_pages(
    ctx: RequestContext,
    model: type[M],
    fk: str,
    first: int,
    after: int | None,
    *,
    where: Callable[[Select[Any]], Select[Any]] | None = None,
    name: str = "",
) -> DataLoader[int, tuple[list[M], bool]]:
    """A page (``first`` rows after id ``after``) of children per parent, with one window query."""

    async def load(keys: list[int]) -> list[tuple[list[M], bool]]:
        grouped: dict[int, list[M]] = defaultdict(list)
        col = getattr(model, fk)
        pk = model.id  # type: ignore[attr-defined]
        for part in chunks(sorted(set(keys))):
            inner = select(model, func.row_number().over(partition_by=col, order_by=pk).label("rn"))
            inner = inner.where(_in(col, part))
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
            for row in ctx.session.execute(stmt).scalars():
                grouped[getattr(row, fk)].append(row)
        out = []
        for k in keys:
            rows = grouped.get(k, [])
            out.append((rows[:first], len(rows) > first))
        return out

    key = f"core.pages.{model.__name__}.{fk}.{name}.{first}.{after}"
    return ctx.loader(key, lambda: DataLoader(load))  # type: ignore[no-any-return]


def child_counts(
    ctx: RequestContext,
    model: type[M],
    fk: str,
    *,
    where: Callable[[Select[Any]], Select[Any]] | None = None,
    name: str = "",
) -> DataLoader[int, int]:
    """Number of children per parent, with one GROUP BY."""

    async def load(keys: list[int]) -> list[int]:
        counts: dict[int, int] = {}
        col = getattr(model, fk)
        for part in chunks(sorted(set(keys))):
            stmt = _scoped(ctx, model, select(col, func.count()).where(_in(col, part)))
            if where is not None:
                stmt = where(stmt)
            for parent, n in ctx.session.execute(stmt.group_by(col)):
                counts[parent] = int(n)
        return [counts.get(k, 0) for k in keys]

    key = f"core.counts.{model.__name__}.{fk}.{name}"
    return ctx.loader(key, lambda: DataLoader(load))  # type: ignore[no-any-return]


@dataclass(frozen=True)
class Place:
    """What eligibility needs of an occupancy's unit and site, whoever the caller (core facts)."""

    typology: Any
    site_id: int
    owner_id: int
    in_priority_district: bool


def household_occupancies(ctx: RequestContext) -> DataLoader[int, list[Any]]:
    """Occupancies per household (oldest first) with their unit and site, in one statement.

    The units and sites the caller may read prime their ``by_id`` loaders (a page showing the
    current unit and its site costs nothing more); what eligibility needs of every unit, readable
    or not, is kept in ``places`` so that a verdict never depends on who asks.
    """
    from core.access import scope_of
    from core.models import Occupancy, Site, Unit

    places: dict[int, Place] = ctx.loaders.setdefault("core.places", {})

    async def load(keys: list[int]) -> list[list[Any]]:
        scope = scope_of(ctx)
        grouped: dict[int, list[Any]] = defaultdict(list)
        units, sites = by_id(ctx, Unit), by_id(ctx, Site)
        unit_seen = scope.condition(Unit).label("unit_seen")
        site_seen = scope.condition(Site).label("site_seen")
        for part in chunks(sorted(set(keys))):
            stmt = (
                select(Occupancy, Unit, Site, unit_seen, site_seen)
                .join(Unit, Unit.id == Occupancy.unit_id)  # type: ignore[arg-type]
                .join(Site, Site.id == Unit.site_id)  # type: ignore[arg-type]
                .where(_in(Occupancy.household_id, part))
                .order_by(Occupancy.household_id, Occupancy.start_date, Occupancy.id)  # type: ignore[arg-type]
            )
            for occ, unit, site, u_seen, s_seen in ctx.session.execute(scope.filter(stmt, Occupancy)):
                grouped[occ.household_id].append(occ)
                places[unit.id] = Place(unit.typology, unit.site_id, unit.owner_id, site.in_priority_district)
                units.prime(unit.id, unit if u_seen else None)
                sites.prime(site.id, site if s_seen else None)
        return [grouped.get(k, []) for k in keys]

    return ctx.loader("core.household_occupancies", lambda: DataLoader(load))  # type: ignore[no-any-return]
