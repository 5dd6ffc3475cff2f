"""Generic DataLoaders: every relation is fetched for a whole batch of parents in one statement."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
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
