"""What one GraphQL request may ask, measured on the parsed document before anything runs.

Limits, each a setting (``THEMA_MAX_…``, see the README's configuration table):

- **body** and **batch** sizes, checked by the HTTP endpoint before the JSON is decoded;
- **tokens**: graphql-core's parser stops past ``max_tokens`` lexical tokens (and as many
  comments), so a huge document is never built in memory;
- **fragment cycles**, **depth** (nested field levels, root fields at 1; fragments may not nest
  deeper either), **aliases** (per operation, a fragment counted each time it is spread),
  **duplicate fields** (how many fields answer one response path once fields of the same key are
  merged, fragments included: ``{ a { b } a { b } }`` has 2 at ``a`` and at ``a.b``; this is what
  makes graphql-core's overlapping-fields rule quadratic), **directives** (in the whole
  document), **page size** (``first`` between 0 and ``max_page_size``, literal or variable);
- **cost**: every field costs 1; a connection (a field with a ``first`` argument) costs 1 plus
  its other subfields plus its ``nodes`` / ``edges`` subfields multiplied by ``first`` (the
  default page size when absent); nested connections multiply. ``households(first: 100)
  { nodes { members { firstName } } }`` costs 1 + 100 × 3 = 301.

All of them run in one linear walk of the document (each fragment measured once), in the
validation step, before graphql-core's own rules: a refused document never reaches the
quadratic overlapping-fields rule, and no resolver runs. Strawberry's ``QueryDepthLimiter`` and
``MaxAliasesLimiter`` are not used: their messages are English without a code, the former skips
introspection fields, both walk a fragment again at each spread (exponential when fragments
spread each other several times), and as validation rules they run beside graphql-core's rules
instead of before them. graphql-core's parser limits and strawberry's parser and validation
caches are used as they are (``core.security.extensions``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    get_named_type,
)

from core.graphql.relay import page_size

if TYPE_CHECKING:
    from core.settings import Settings

#: Subfields of a connection that are repeated once per item of the page.
ITEM_FIELDS = frozenset({"nodes", "edges"})

QUERY_TOO_DEEP = "QUERY_TOO_DEEP"
TOO_MANY_ALIASES = "TOO_MANY_ALIASES"
TOO_MANY_DUPLICATE_FIELDS = "TOO_MANY_DUPLICATE_FIELDS"
TOO_MANY_DIRECTIVES = "TOO_MANY_DIRECTIVES"
TOO_MANY_TOKENS = "TOO_MANY_TOKENS"
FRAGMENT_CYCLE = "FRAGMENT_CYCLE"
QUERY_TOO_COSTLY = "QUERY_TOO_COSTLY"
BODY_TOO_LARGE = "BODY_TOO_LARGE"
BATCH_TOO_LARGE = "BATCH_TOO_LARGE"


@dataclass(frozen=True)
class QueryLimits:
    """The limits of one request; the defaults are the settings' defaults."""

    max_body_bytes: int = 256 * 1024
    max_batch_size: int = 10
    max_tokens: int = 5_000
    max_depth: int = 15
    max_aliases: int = 50
    max_duplicate_fields: int = 10
    max_directives: int = 50
    max_cost: int = 20_000
    default_page_size: int = 20
    max_page_size: int = 100

    @classmethod
    def from_settings(cls, settings: Settings) -> QueryLimits:
        """The limits configured for a deployment."""
        return cls(
            max_body_bytes=settings.max_body_bytes,
            max_batch_size=settings.max_batch_size,
            max_tokens=settings.max_query_tokens,
            max_depth=settings.max_query_depth,
            max_aliases=settings.max_query_aliases,
            max_duplicate_fields=settings.max_duplicate_fields,
            max_directives=settings.max_query_directives,
            max_cost=settings.max_query_cost,
            default_page_size=settings.default_page_size,
            max_page_size=settings.max_page_size,
        )


def refusal(message: str, code: str, **extensions: Any) -> GraphQLError:
    """A GraphQL error refusing a request, with a French message and a stable code."""
    return GraphQLError(message, extensions={"code": code, **extensions})


def too_deep(limit: int) -> GraphQLError:
    """The refusal of a document nested more than ``limit`` levels."""
    return refusal(f"Requête trop profonde : au plus {limit} niveaux imbriqués.", QUERY_TOO_DEEP, limit=limit)


class _Refused(Exception):
    """Stops the walk at once: the document cannot be measured any further."""

    def __init__(self, error: GraphQLError) -> None:
        super().__init__(error.message)
        self.error = error


@dataclass
class _Measure:
    """What a selection set (or a fragment) asks, relative to its own level."""

    depth: int = 0
    nesting: int = 0
    aliases: int = 0
    cost: int = 0
    item_cost: int = 0
    duplicates: int = 0
    keys: Counter[str] = field(default_factory=Counter)
    below: Counter[str] = field(default_factory=Counter)

    def add(self, other: _Measure) -> None:
        """Merge a fragment's measure into the selection set that spreads it."""
        self.depth = max(self.depth, other.depth)
        self.nesting = max(self.nesting, other.nesting + 1)
        self.aliases += other.aliases
        self.cost += other.cost
        self.item_cost += other.item_cost
        self.duplicates = max(self.duplicates, other.duplicates)
        self.keys.update(other.keys)
        self.below.update(other.below)


class _Walker:
    """Measures the operations of one document in a single pass, each fragment once."""

    def __init__(
        self,
        schema: GraphQLSchema,
        document: DocumentNode,
        limits: QueryLimits,
        variables: Mapping[str, Any],
    ) -> None:
        self.schema = schema
        self.limits = limits
        self.variables = variables
        self.fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        self.memo: dict[str, _Measure] = {}
        self.visiting: set[str] = set()
        self.page_errors: list[GraphQLError] = []

    def too_deep(self) -> _Refused:
        return _Refused(too_deep(self.limits.max_depth))

    def selection_set(
        self, node: SelectionSetNode | None, parent: GraphQLNamedType | None, level: int, nesting: int
    ) -> _Measure:
        """Measure the fields of ``node``, which sit at ``level`` (1 for root fields)."""
        out = _Measure()
        if node is None:
            return out
        for selection in node.selections:
            if isinstance(selection, FieldNode):
                self.field(selection, parent, level, nesting, out)
            elif isinstance(selection, InlineFragmentNode):
                if nesting + 1 > self.limits.max_depth:
                    raise self.too_deep()
                condition = selection.type_condition
                inner_parent = self.schema.get_type(condition.name.value) if condition else parent
                out.add(self.selection_set(selection.selection_set, inner_parent, level, nesting + 1))
            elif isinstance(selection, FragmentSpreadNode):
                spread = self.fragment(selection.name.value, level, nesting + 1)
                if spread is not None:
                    if level - 1 + spread.depth > self.limits.max_depth:
                        raise self.too_deep()
                    if nesting + 1 + spread.nesting > self.limits.max_depth:
                        raise self.too_deep()
                    out.add(spread)
        # Fields of one response key are merged: what they select adds up (an upper bound).
        out.duplicates = max(out.duplicates, *out.keys.values(), *out.below.values())
        return out

    def field(
        self, node: FieldNode, parent: GraphQLNamedType | None, level: int, nesting: int, out: _Measure
    ) -> None:
        """Add one field (and what it selects) to the measure of its selection set."""
        if level > self.limits.max_depth:
            raise self.too_deep()
        name = node.name.value
        definition = None
        if isinstance(parent, GraphQLObjectType | GraphQLInterfaceType):
            definition = parent.fields.get(name)
        if definition is None and name in ("__schema", "__type") and parent is self.schema.query_type:
            meta = {"__schema": "__Schema", "__type": "__Type"}[name]
            child_type: GraphQLNamedType | None = self.schema.get_type(meta)
        else:
            child_type = get_named_type(definition.type) if definition is not None else None
        sub = self.selection_set(node.selection_set, child_type, level + 1, nesting)
        cost = 1 + sub.cost
        if definition is not None and "first" in definition.args:
            items = self.page(node)
            cost = 1 + (sub.cost - sub.item_cost) + items * sub.item_cost
        out.depth = max(out.depth, 1 + sub.depth)
        out.nesting = max(out.nesting, sub.nesting)
        out.aliases += sub.aliases + (1 if node.alias else 0)
        out.cost += cost
        if name in ITEM_FIELDS:
            out.item_cost += cost
        key = node.alias.value if node.alias else name
        out.keys[key] += 1
        out.below[key] += sub.duplicates

    def page(self, node: FieldNode) -> int:
        """The page size a connection field asks for; a refused one is recorded, counted as the cap."""
        value: Any = None
        for argument in node.arguments or ():
            if argument.name.value != "first":
                continue
            if isinstance(argument.value, IntValueNode):
                value = int(argument.value.value)
            elif isinstance(argument.value, VariableNode):
                value = self.variables.get(argument.value.name.value)
        if not isinstance(value, int) or isinstance(value, bool):
            value = None  # absent or ill-typed: graphql-core's coercion reports the latter
        try:
            return page_size(value, self.limits.default_page_size, self.limits.max_page_size)
        except GraphQLError as error:
            if not self.page_errors:
                self.page_errors.append(error)
            return self.limits.max_page_size

    def fragment(self, name: str, level: int, nesting: int) -> _Measure | None:
        """The measure of a named fragment, computed once; None when it does not exist."""
        found = self.memo.get(name)
        if found is not None:
            return found
        definition = self.fragments.get(name)
        if definition is None:
            return None  # graphql-core's KnownFragmentNamesRule reports it
        if name in self.visiting:
            raise _Refused(
                refusal(f"Le fragment « {name} » s'inclut lui-même.", FRAGMENT_CYCLE, fragment=name)
            )
        self.visiting.add(name)
        parent = self.schema.get_type(definition.type_condition.name.value)
        # Measured from the level where it is first spread, so a too deep use stops the walk at once.
        measured = self.selection_set(definition.selection_set, parent, level, nesting)
        self.visiting.discard(name)
        self.memo[name] = measured
        return measured


def _variables(operation: OperationDefinitionNode, given: Mapping[str, Any] | None) -> dict[str, Any]:
    """The operation's variables: those given, else the literal integer defaults it declares."""
    values: dict[str, Any] = {}
    for definition in operation.variable_definitions or ():
        default = definition.default_value
        if isinstance(default, IntValueNode):
            values[definition.variable.name.value] = int(default.value)
    values.update(given or {})
    return values


def count_directives(document: DocumentNode) -> int:
    """Directives written anywhere in the document (iterative: never recurses)."""
    count = 0
    for node in document_nodes(document):
        count += len(getattr(node, "directives", None) or ())
    return count


def document_nodes(document: DocumentNode) -> Iterator[Any]:
    """Every definition, variable definition and selection of the document, without recursion."""
    stack: list[Any] = list(document.definitions)
    while stack:
        node = stack.pop()
        yield node
        stack.extend(getattr(node, "variable_definitions", None) or ())
        selection_set = getattr(node, "selection_set", None)
        if selection_set is not None:
            stack.extend(selection_set.selections)


def check_document(
    schema: GraphQLSchema,
    document: DocumentNode,
    limits: QueryLimits,
    variables: Mapping[str, Any] | None = None,
) -> list[GraphQLError]:
    """The limits ``document`` exceeds (one error per limit), empty when it may run."""
    directives = count_directives(document)
    if directives > limits.max_directives:
        return [
            refusal(
                f"Trop de directives : {directives}, au plus {limits.max_directives}.",
                TOO_MANY_DIRECTIVES,
                limit=limits.max_directives,
                found=directives,
            )
        ]
    errors: list[GraphQLError] = []
    for operation in document.definitions:
        if not isinstance(operation, OperationDefinitionNode):
            continue
        root = schema.get_root_type(operation.operation)
        walker = _Walker(schema, document, limits, _variables(operation, variables))
        try:
            measure = walker.selection_set(operation.selection_set, root, 1, 0)
        except _Refused as refused:
            return [refused.error]
        errors.extend(walker.page_errors)
        if measure.aliases > limits.max_aliases:
            errors.append(
                refusal(
                    f"Trop d'alias : {measure.aliases}, au plus {limits.max_aliases}.",
                    TOO_MANY_ALIASES,
                    limit=limits.max_aliases,
                    found=measure.aliases,
                )
            )
        if measure.duplicates > limits.max_duplicate_fields:
            errors.append(
                refusal(
                    f"Un même champ est demandé {measure.duplicates} fois au même endroit de la réponse "
                    f"(fragments compris), au plus {limits.max_duplicate_fields}.",
                    TOO_MANY_DUPLICATE_FIELDS,
                    limit=limits.max_duplicate_fields,
                    found=measure.duplicates,
                )
            )
        if measure.cost > limits.max_cost:
            errors.append(
                refusal(
                    f"Requête trop coûteuse : coût estimé {measure.cost}, au plus {limits.max_cost} "
                    "(chaque champ compte 1, multiplié par la taille des pages demandées).",
                    QUERY_TOO_COSTLY,
                    limit=limits.max_cost,
                    found=measure.cost,
                )
            )
        if errors:
            return errors
    return errors


def query_cost(
    schema: GraphQLSchema, document: DocumentNode, variables: Mapping[str, Any] | None = None
) -> int:
    """The estimated cost of the document's most costly operation (no limit applied but depth)."""
    limits = QueryLimits(max_depth=1_000, max_page_size=10**9, max_cost=10**18)
    worst = 0
    for operation in document.definitions:
        if isinstance(operation, OperationDefinitionNode):
            walker = _Walker(schema, document, limits, _variables(operation, variables))
            root = schema.get_root_type(operation.operation)
            worst = max(worst, walker.selection_set(operation.selection_set, root, 1, 0).cost)
    return worst
