"""Assembles the GraphQL schema at start-up from the core's types and the plugins' contributions."""

from __future__ import annotations

import functools
import importlib.util
import itertools
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import ParserCache, ValidationCache
from strawberry.schema.config import StrawberryConfig
from strawberry.types.base import get_object_definition

from core.graphql.execution import ThemaExecutionContext
from core.graphql.relay import Node
from core.plugins import PluginConflict, Registry
from core.security.extensions import DocumentCache, LimitedParser, LimitedValidation
from core.security.limits import QueryLimits

log = logging.getLogger("thema")
TEMPLATE = Path(__file__).with_name("types.py")
_builds = itertools.count(1)

#: Core types plugins may extend through ``GraphQLContribution.extend`` (plus the two roots).
EXTENSIBLE = ("Organisation", "Site", "Unit", "Offer", "Household", "Person", "Query", "Mutation")


def _fields(cls: type) -> list[str]:
    definition = get_object_definition(cls, strict=True)
    return [f.graphql_name or _camel(f.python_name) for f in definition.fields]


@functools.cache
def core_fields() -> dict[str, frozenset[str]]:
    """GraphQL field names of each extensible core type, from a build without plugins."""
    module = _load_template({})
    return {name: frozenset(_fields(getattr(module, name))) for name in EXTENSIBLE}


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p[:1].upper() + p[1:] for p in rest)


def _type_name(cls: type) -> str:
    definition = get_object_definition(cls, strict=False)
    return definition.name if definition else cls.__name__


def _extensions(registry: Registry) -> dict[str, list[tuple[str, type]]]:
    """Plugin mixins per core type, checked: unknown targets and duplicate names stop start-up."""
    out: dict[str, list[tuple[str, type]]] = {}
    for contrib in registry.graphql:
        targets = dict(contrib.extend)
        if contrib.query is not None:
            targets["Query"] = contrib.query
        if contrib.mutation is not None:
            targets["Mutation"] = contrib.mutation
        for target, mixin in targets.items():
            if target not in EXTENSIBLE:
                raise PluginConflict(
                    f"plugin {contrib.owner!r} extends {target!r}, which is not extensible "
                    f"(one of {', '.join(EXTENSIBLE)})"
                )
            out.setdefault(target, []).append((contrib.owner, mixin))
    return out


def _load_template(ext: dict[str, tuple[type, ...]]) -> ModuleType:
    """Execute the core types template afresh, with the plugin mixins of this build."""
    name = f"core.graphql._built_{next(_builds)}"
    spec = importlib.util.spec_from_file_location(name, TEMPLATE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    module._EXT = ext  # type: ignore[attr-defined]
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def _check_conflicts(
    module: ModuleType, extensions: dict[str, list[tuple[str, type]]], registry: Registry
) -> None:
    """Two contributions adding the same field or type name stop start-up, naming both."""
    for target, mixins in extensions.items():
        seen: dict[str, str] = {}
        for n in core_fields()[target]:
            seen[n] = "core"
        for owner, mixin in mixins:
            for n in _fields(mixin):
                if n in seen:
                    raise PluginConflict(
                        f"field {target}.{n} is added by plugin {owner!r} and by "
                        f"{'the core' if seen[n] == 'core' else 'plugin ' + repr(seen[n])}"
                    )
                seen[n] = owner
    core_names = {
        _type_name(v) for v in vars(module).values() if isinstance(v, type) and get_object_definition(v)
    }
    owners: dict[str, str] = {}
    for contrib in registry.graphql:
        for t in contrib.types:
            n = _type_name(t)
            if n in core_names:
                raise PluginConflict(f"type {n} of plugin {contrib.owner!r} clashes with a core type")
            if n in owners and owners[n] != contrib.owner:
                raise PluginConflict(
                    f"type {n} is declared by plugin {owners[n]!r} and by plugin {contrib.owner!r}"
                )
            owners[n] = contrib.owner


class ThemaSchema(strawberry.Schema):
    """Strawberry's schema, leaving error logging to the endpoint.

    Strawberry logs every error with its source excerpt: a refused 200 kB one-line query would
    write 200 kB to the log. The endpoint logs unexpected exceptions once, with the request id.
    """

    def process_errors(self, errors: list[GraphQLError], execution_context: Any = None) -> None:
        """Keep only a short debug line per error."""
        for error in errors:
            log.debug("GraphQL error: %.200s", error.message)


def _parsing(limits: QueryLimits | None, may_introspect: Callable[[Any], bool] | None) -> list[Any]:
    """Parse and validation extensions (factories: one instance per request), cached per query text."""
    if limits is None:
        return [lambda: ParserCache(maxsize=256), lambda: ValidationCache(maxsize=256)]
    checked, cache = limits, DocumentCache()
    return [lambda: LimitedParser(checked, cache), lambda: LimitedValidation(checked, cache, may_introspect)]


def build_schema(
    registry: Registry,
    *,
    extensions: list[Any] | None = None,
    limits: QueryLimits | None = None,
    may_introspect: Callable[[Any], bool] | None = None,
    suggestions: bool = True,
) -> strawberry.Schema:
    """The schema of the core plus the registry's plugins; raises PluginConflict on a clash.

    With ``limits``, documents are parsed and checked against them before graphql-core's
    validation, and introspection needs ``may_introspect(context)``; ``suggestions=False`` drops
    "Did you mean …" field hints.
    """
    found = _extensions(registry)
    ext = {k: tuple(mx for _, mx in v) for k, v in found.items()}
    module = _load_template(ext)
    _check_conflicts(module, found, registry)
    extra = [t for contrib in registry.graphql for t in contrib.types]
    node_types = [
        getattr(module, n)
        for n in (
            "Organisation",
            "Partnership",
            "Site",
            "Unit",
            "Offer",
            "Household",
            "Person",
            "Occupancy",
            "Referral",
            "SupportEpisode",
            "SupportContact",
        )
    ]
    schema = ThemaSchema(
        query=module.Query,
        mutation=module.Mutation,
        types=[Node, *node_types, *extra],
        extensions=[*_parsing(limits, may_introspect), *(extensions or [])],
        config=StrawberryConfig(auto_camel_case=True, disable_field_suggestions=not suggestions),
        execution_context_class=ThemaExecutionContext,
    )
    from core.sensitive import guard_sensitive_fields

    guard_sensitive_fields(schema, registry)
    return schema
