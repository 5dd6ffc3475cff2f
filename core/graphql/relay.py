"""Relay conventions: global ids, the Node interface, cursors and SQL-backed connections."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import strawberry
from graphql import GraphQLError
from sqlalchemy import Select, func, select
from sqlmodel import Session

from core.db import read_rows

T = TypeVar("T")


def to_global_id(type_name: str, pk: int) -> str:
    """Encode ``Type:pk`` as an opaque global id."""
    return base64.urlsafe_b64encode(f"{type_name}:{pk}".encode()).decode().rstrip("=")


def from_global_id(gid: str) -> tuple[str, int] | None:
    """Decode a global id; None when it is not one of ours."""
    try:
        padded = gid + "=" * (-len(gid) % 4)
        type_name, pk = base64.urlsafe_b64decode(padded.encode()).decode().split(":", 1)
        return type_name, int(pk)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None


def encode_cursor(position: int) -> str:
    """An opaque cursor for an offset-free keyset position (the row's sort key)."""
    return base64.urlsafe_b64encode(f"c:{position}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    """Decode a cursor, or raise a GraphQL error with a French message."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        tag, value = base64.urlsafe_b64decode(padded.encode()).decode().split(":", 1)
        if tag != "c":
            raise ValueError(tag)
        return int(value)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise GraphQLError("Curseur invalide.", extensions={"code": "INVALID_CURSOR"}) from None


def page_size(first: int | None, default: int, maximum: int) -> int:
    """Validate ``first``: between 0 and the cap, else a GraphQL error (never silently capped)."""
    if first is None:
        return default
    if first < 0 or first > maximum:
        raise GraphQLError(
            f"« first » doit être compris entre 0 et {maximum}.",
            extensions={"code": "PAGE_SIZE", "maximum": maximum},
        )
    return first


@strawberry.interface(description="An object with a global id, refetchable with `node(id:)`.")
class Node:
    """Relay's Node interface."""

    id: strawberry.ID = strawberry.field(description="Global, opaque identifier of the object.")


@strawberry.type(description="Where a page of a connection stands.")
class PageInfo:
    """Relay page info."""

    has_next_page: bool = strawberry.field(description="Whether more items follow this page.")
    has_previous_page: bool = strawberry.field(description="Whether items precede this page.")
    start_cursor: str | None = strawberry.field(description="Cursor of the first item.")
    end_cursor: str | None = strawberry.field(description="Cursor of the last item; pass as `after`.")


@strawberry.type(description="An item of a connection with its cursor.")
class Edge(Generic[T]):
    """A Relay edge."""

    cursor: str = strawberry.field(description="Opaque cursor of this item.")
    node: T = strawberry.field(description="The item.")


@dataclass
class PageRows(Generic[T]):
    """A fetched page: items with their sort keys, and how to count the whole set on demand."""

    items: list[tuple[int, T]]
    has_next: bool
    has_previous: bool
    count: Callable[[], int]


@strawberry.type(description="A page of items, with cursors and the total count.")
class Connection(Generic[T]):
    """A Relay connection, fetched with keyset pagination (`first` ≤ 100)."""

    edges: list[Edge[T]] = strawberry.field(description="The items of the page with their cursors.")
    page_info: PageInfo = strawberry.field(description="Where this page stands.")
    _count: strawberry.Private[Callable[[], int]]

    @strawberry.field(description="The items of the page, without cursors.")
    def nodes(self) -> list[T]:
        """Nodes of the page."""
        return [e.node for e in self.edges]

    @strawberry.field(description="Number of items in the whole set (all pages).")
    def total_count(self) -> int:
        """Counted with one statement, only when asked."""
        return self._count()


def fetch_page(
    session: Session,
    stmt: Select[Any],
    key: Any,
    first: int,
    after: str | None,
    convert: Callable[[Any], T],
    *,
    plain: bool = False,
) -> PageRows[T]:
    """Run ``stmt`` ordered by ``key`` after the cursor, one extra row to know if more follow.

    ``plain``: ``stmt`` selects a table's columns, read as plain rows (``core.db.read_rows``),
    not ORM objects.
    """
    base = stmt
    if after is not None:
        stmt = stmt.where(key > decode_cursor(after))
    page = stmt.order_by(key).limit(first + 1)
    if not first:
        rows = []
    elif plain:
        rows = list(read_rows(session, page))
    else:
        rows = list(session.execute(page).scalars())
    has_next = len(rows) > first
    rows = rows[:first]

    def count() -> int:
        return int(
            session.execute(select(func.count()).select_from(base.order_by(None).subquery())).scalar_one()
        )

    key_name = key.key
    return PageRows([(getattr(r, key_name), convert(r)) for r in rows], has_next, after is not None, count)


def connection_of(page: PageRows[Any], conn_cls: Any, edge_cls: Any) -> Any:
    """Build a strawberry connection instance from fetched rows."""
    edges = [edge_cls(cursor=encode_cursor(k), node=n) for k, n in page.items]
    info = PageInfo(
        has_next_page=page.has_next,
        has_previous_page=page.has_previous,
        start_cursor=edges[0].cursor if edges else None,
        end_cursor=edges[-1].cursor if edges else None,
    )
    return conn_cls(edges=edges, page_info=info, _count=page.count)


def list_connection(items: Sequence[tuple[int, Any]], first: int, after: str | None) -> PageRows[Any]:
    """Page an already computed, key-sorted list (e.g. candidates ranked in memory)."""
    start = 0
    if after is not None:
        pos = decode_cursor(after)
        start = next((i for i, (k, _) in enumerate(items) if k > pos), len(items))
    chunk = list(items[start : start + first])
    total = len(items)
    return PageRows(chunk, start + first < total, start > 0, lambda: total)
