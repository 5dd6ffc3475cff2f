"""Baselines served over HTTP: bare strawberry (100 objects × 5 fields, schemes) and the page from memory.

Each is an ASGI factory for ``uvicorn --factory``; the in-memory page reads the JSON of the real
page (written by the bench) from ``THEMA_BENCH_PAGE`` and serves it through strawberry types of the
same shape, so only the database and our stack differ.
"""

from __future__ import annotations

import json
import os
from enum import Enum
from typing import Any

import strawberry
from strawberry.asgi import GraphQL
from strawberry.extensions import ParserCache, ValidationCache


@strawberry.type
class Item:
    """One of the 100 in-memory objects."""

    id: strawberry.ID
    name: str
    count: int
    ratio: float
    active: bool


ITEMS = [
    Item(id=strawberry.ID(str(i)), name=f"objet {i}", count=i, ratio=i / 7, active=i % 2 == 0)
    for i in range(100)
]

ITEMS_QUERY = "{ items { id name count ratio active } }"


@strawberry.type
class SchemeLite:
    """The same five fields our API serves for ``schemes``."""

    code: str
    label: str
    version: str
    name: str
    description: str


SCHEMES_QUERY = "{ schemes { code label version name description } }"


def _schemes() -> list[SchemeLite]:
    from core.plugins import build_registry
    from core.settings import Settings

    registry = build_registry(Settings(load_entrypoint_plugins=False))
    return [
        SchemeLite(code=s.code, label=s.label, version=s.version, name=s.name, description=s.description)
        for s in registry.schemes.values()
    ]


def bare(cached: bool = True) -> GraphQL[Any, Any]:
    """Bare strawberry: 100 objects × 5 fields, and the scheme list, no database."""
    schemes = _schemes()

    @strawberry.type
    class Query:
        @strawberry.field
        def items(self) -> list[Item]:
            return ITEMS

        @strawberry.field
        def schemes(self) -> list[SchemeLite]:
            return schemes

    extensions: list[Any] = [lambda: ParserCache(maxsize=256), lambda: ValidationCache(maxsize=256)]
    schema = strawberry.Schema(query=Query, extensions=extensions if cached else [])
    return GraphQL(schema, graphql_ide=None)


def bare_default() -> GraphQL[Any, Any]:
    """Bare strawberry with its default settings (no parser or validation cache)."""
    return bare(cached=False)


# -- the households page from memory ------------------------------------------------------------
Status = strawberry.enum(Enum("Status", {k: k for k in ("PRIORITY", "ELIGIBLE", "INELIGIBLE", "INCOMPLETE")}))
Outcome = strawberry.enum(Enum("Outcome", {k: k for k in ("SATISFIED", "NOT_SATISFIED", "UNKNOWN")}))


@strawberry.type
class MemCriterion:
    """A criterion's outcome."""

    code: str
    outcome: Outcome  # type: ignore[valid-type]


@strawberry.type
class MemVerdict:
    """A verdict."""

    status: Status  # type: ignore[valid-type]
    criteria: list[MemCriterion]


@strawberry.type
class MemPerson:
    """A member."""

    first_name: str
    role: str
    birth_date: str | None
    activity: str | None


@strawberry.type
class MemSite:
    """A site."""

    name: str


@strawberry.type
class MemUnit:
    """A unit."""

    label: str
    site: MemSite


@strawberry.type
class MemOccupancy:
    """An occupancy."""

    unit: MemUnit


@strawberry.type
class MemHousehold:
    """A household with its verdicts already computed."""

    id: strawberry.ID
    reference: str
    members: list[MemPerson]
    current_occupancy: MemOccupancy | None
    verdicts: strawberry.Private[dict[str, MemVerdict]]

    @strawberry.field
    def eligibility(self, scheme: str) -> MemVerdict:
        return self.verdicts[scheme]


@strawberry.type
class MemConnection:
    """A page."""

    nodes: list[MemHousehold]


def _household(node: dict[str, Any]) -> MemHousehold:
    occ = node.get("currentOccupancy")
    verdicts = {
        k: MemVerdict(
            status=Status[v["status"]],
            criteria=[MemCriterion(code=c["code"], outcome=Outcome[c["outcome"]]) for c in v["criteria"]],
        )
        for k, v in node.items()
        if isinstance(v, dict) and "status" in v
    }
    return MemHousehold(
        id=strawberry.ID(node["id"]),
        reference=node["reference"],
        members=[
            MemPerson(
                first_name=m["firstName"], role=m["role"], birth_date=m["birthDate"], activity=m["activity"]
            )
            for m in node["members"]
        ],
        current_occupancy=MemOccupancy(
            unit=MemUnit(label=occ["unit"]["label"], site=MemSite(name=occ["unit"]["site"]["name"]))
        )
        if occ
        else None,
        verdicts={_scheme_of(k): v for k, v in verdicts.items()},
    )


def _scheme_of(alias: str) -> str:
    return alias.removeprefix("v_")


def memory_page() -> GraphQL[Any, Any]:
    """The households page served from in-memory objects (same shape, same caches as ours)."""
    with open(os.environ["THEMA_BENCH_PAGE"], encoding="utf-8") as fh:
        data = json.load(fh)
    households = [_household(n) for n in data["households"]["nodes"]]

    @strawberry.type
    class Query:
        @strawberry.field
        def households(
            self, organisation_id: strawberry.ID | None = None, first: int | None = None
        ) -> MemConnection:
            return MemConnection(nodes=households[: first or 20])

    schema = strawberry.Schema(
        query=Query, extensions=[lambda: ParserCache(maxsize=256), lambda: ValidationCache(maxsize=256)]
    )
    return GraphQL(schema, graphql_ide=None)
