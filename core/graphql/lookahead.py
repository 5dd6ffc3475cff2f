"""Lookahead: a connection loads what its nodes' selected fields need before they are resolved.

DataLoaders already batch every relation into one statement per page. They do it lazily: each
node's resolver asks, a future waits, the batch runs once the event loop turns, and every
resolver resumes. For a page of 50 households with members, unit and five verdicts, that is
hundreds of futures and tasks for three statements. A connection resolver knows its page and
its selection, so it can run the same batches at once (``BatchLoader.load_now``); the nodes'
resolvers then find their values loaded and return them synchronously (``BatchLoader.get``).

A prefetcher is registered per model and GraphQL field name; it receives the request context,
the page's primary keys and the selected field (with its arguments, variables substituted).
What no prefetcher covers — a field inside a fragment on another type, an argument it cannot
read — is simply loaded lazily as before: lookahead changes when a batch runs, never what it
returns, and the number of statements stays the same.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import date
from typing import Any

from strawberry.types.nodes import FragmentSpread, InlineFragment, SelectedField

#: ``prefetch(context, primary keys, selected field)``.
Prefetcher = Callable[[Any, Sequence[int], SelectedField], None]

_PREFETCHERS: dict[type, dict[str, Prefetcher]] = {}

#: The connection fields that hold nodes: ``nodes { … }`` and ``edges { node { … } }``.
_NODE_PATHS = (("nodes",), ("edges", "node"))


def register(model: type, field: str, prefetch: Prefetcher) -> None:
    """Declare how to load ``field`` (GraphQL name) of a page of ``model`` rows ahead."""
    _PREFETCHERS.setdefault(model, {})[field] = prefetch


def _fields(selections: Sequence[Any]) -> Iterator[SelectedField]:
    """The fields of a selection set, fragments flattened."""
    for s in selections:
        if isinstance(s, SelectedField):
            yield s
        elif isinstance(s, FragmentSpread | InlineFragment):
            yield from _fields(s.selections)


def node_fields(info: Any) -> list[SelectedField]:
    """The fields selected on the nodes of the connection ``info`` resolves."""
    out: list[SelectedField] = []
    for field in info.selected_fields:
        for path in _NODE_PATHS:
            level = [field]
            for name in path:
                level = [f for parent in level for f in _fields(parent.selections) if f.name == name]
            out.extend(f for parent in level for f in _fields(parent.selections))
    return out


def prefetch(info: Any, model: type, pks: Sequence[int]) -> None:
    """Run the prefetchers of the fields selected on a page of ``model`` rows (``pks``)."""
    known = _PREFETCHERS.get(model)
    if not known or not pks:
        return
    for field in node_fields(info):
        found = known.get(field.name)
        if found is not None:
            found(info.context, pks, field)


def date_argument(field: SelectedField, name: str, default: date) -> date | None:
    """A date argument of a selected field (literal or variable); None when it cannot be read."""
    value = field.arguments.get(name)
    if value is None:
        return default
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return None  # the resolver will report it
