"""Strawberry extensions that parse and check every document against the limits before it runs."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import orjson
from graphql import DocumentNode, GraphQLError, parse
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import validate_document

from core.security.introspection import introspection_refusal, is_introspection
from core.security.limits import TOO_MANY_TOKENS, QueryLimits, check_document, refusal, too_deep

#: Sets of variables remembered within the limits, per document.
MAX_PASSED_VARIABLES = 32


@dataclass
class _Entry:
    document: DocumentNode
    errors: list[GraphQLError] | None = None
    passed: set[bytes] = field(default_factory=set)  # variables (JSON) within the limits


def _variables_key(variables: Mapping[str, Any] | None) -> bytes | None:
    """The variables as canonical JSON, or None when they are not plain JSON (uploads)."""
    try:
        return orjson.dumps(variables or {}, option=orjson.OPT_SORT_KEYS)
    except TypeError:
        return None


class DocumentCache:
    """Parsed documents and their validation errors by query text, bounded in number and in size.

    Strawberry's ParserCache and ValidationCache keep 256 documents whatever their size, and a
    5,000-token document holds about 3 MB (its tokens stay linked to its nodes): they could pin
    hundreds of MB per worker. Here long texts are never kept and the kept texts are bounded in
    total (about 100 bytes of memory per character: 256 KiB of text is about 25 MB).
    """

    def __init__(
        self, max_entries: int = 256, max_chars: int = 256 * 1024, max_entry_chars: int = 8 * 1024
    ) -> None:
        self.max_entries = max_entries
        self.max_chars = max_chars
        self.max_entry_chars = max_entry_chars
        self._entries: OrderedDict[str, _Entry] = OrderedDict()
        self._chars = 0
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def chars(self) -> int:
        """Characters of query text kept."""
        return self._chars

    def _get(self, query: str) -> _Entry | None:
        with self._lock:
            entry = self._entries.get(query)
            if entry is not None:
                self._entries.move_to_end(query)
            return entry

    def parsed(self, query: str, parse_query: Callable[[str], DocumentNode]) -> DocumentNode:
        """The document of ``query``, parsed once while it stays in the cache."""
        entry = self._get(query)
        if entry is not None:
            return entry.document
        document = parse_query(query)
        if len(query) <= self.max_entry_chars:
            with self._lock:
                if query not in self._entries:
                    self._entries[query] = _Entry(document)
                    self._chars += len(query)
                while len(self._entries) > self.max_entries or self._chars > self.max_chars:
                    evicted, _ = self._entries.popitem(last=False)
                    self._chars -= len(evicted)
        return document

    def within_limits(
        self,
        query: str,
        document: DocumentNode,
        variables: Mapping[str, Any] | None,
        check: Callable[[], list[GraphQLError]],
    ) -> list[GraphQLError]:
        """The limits a document parsed by ``parsed`` exceeds with ``variables`` (``check()``).

        A document found within the limits with the same variables is not measured again
        (page sizes come from variables); refusals are measured each time.
        """
        entry = self._get(query)
        key = _variables_key(variables) if entry is not None and entry.document is document else None
        if entry is not None and key is not None and key in entry.passed:
            return []
        errors = check()
        if not errors and entry is not None and key is not None:
            with self._lock:
                if len(entry.passed) >= MAX_PASSED_VARIABLES:
                    entry.passed.clear()
                entry.passed.add(key)
        return errors

    def validated(
        self, query: str, document: DocumentNode, validate: Callable[[DocumentNode], list[GraphQLError]]
    ) -> list[GraphQLError]:
        """The validation errors of a document parsed by ``parsed``, computed once while it is kept."""
        entry = self._get(query)
        if entry is not None and entry.document is document and entry.errors is not None:
            return entry.errors
        errors = validate(document)
        if entry is not None and entry.document is document:
            entry.errors = errors
        return errors


class LimitedParser(SchemaExtension):
    """Parses with graphql-core's token limits, through the document cache; French refusals."""

    def __init__(self, limits: QueryLimits, cache: DocumentCache) -> None:
        self.limits = limits
        self.cache = cache

    def parse(self, query: str) -> DocumentNode:
        """Parse, stopping at the token limit before building a large document."""
        limit = self.limits.max_tokens
        try:
            return parse(query, max_lexical_tokens=limit, max_comments=limit)
        except GraphQLError as error:
            if "Parsing aborted" not in error.message:
                raise
            if "nested too deeply" in error.message:
                raise too_deep(self.limits.max_depth) from None
            raise refusal(
                f"Requête trop longue : au plus {limit} éléments (jetons).", TOO_MANY_TOKENS, limit=limit
            ) from None

    def on_parse(self) -> Iterator[None]:
        """Parse the request's document (or reuse it); a refusal stops the request here."""
        context = self.execution_context
        if context.query is not None:
            context.graphql_document = self.cache.parsed(context.query, self.parse)
        yield


class LimitedValidation(SchemaExtension):
    """Checks the limits and the introspection policy first; only then graphql-core's validation."""

    def __init__(
        self, limits: QueryLimits, cache: DocumentCache, may_introspect: Callable[[Any], bool] | None = None
    ) -> None:
        self.limits = limits
        self.cache = cache
        self.may_introspect = may_introspect

    def on_validate(self) -> Iterator[None]:
        """Refuse before graphql-core's rules run when a limit is exceeded, else validate (cached)."""
        context = self.execution_context
        document = context.graphql_document
        assert document is not None and context.query is not None
        schema = context.schema._schema
        errors = self.cache.within_limits(
            context.query,
            document,
            context.variables,
            lambda: check_document(schema, document, self.limits, context.variables),
        )
        policy = self.may_introspect
        if not errors and policy is not None and is_introspection(document) and not policy(context.context):
            errors = [introspection_refusal()]
        if not errors:
            rules = context.validation_rules
            errors = self.cache.validated(
                context.query, document, lambda d: validate_document(schema, d, rules)
            )
        context.pre_execution_errors = errors
        yield
