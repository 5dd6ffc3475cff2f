"""The executor's fast path (core.graphql.execution) answers exactly as graphql-core's own."""

from __future__ import annotations

import asyncio
from enum import Enum
from typing import Any

import pytest
import strawberry
from strawberry.extensions import SchemaExtension

from core.graphql.execution import ThemaExecutionContext, context_only


@strawberry.enum
class Colour(Enum):
    """A colour."""

    RED = "red"
    BLUE = "blue"


@strawberry.type
class Leaf:
    """Plain fields only: the fast path."""

    code: str
    colour: Colour
    note: str | None = None


@strawberry.type
class Branch:
    """Plain lists and objects, and a resolver."""

    name: str
    leaves: list[Leaf]
    maybe_leaves: list[Leaf | None]
    first: Leaf | None
    strict: Leaf
    broken_code: str  # set to None on purpose by some rows: a non-null violation

    @strawberry.field
    async def later(self) -> Leaf:
        """An async resolver inside a list of plain objects."""
        await asyncio.sleep(0)
        return self.leaves[0]

    @strawberry.field
    def pick(self, info: strawberry.Info, index: int, colour: Colour | None = None) -> Leaf | None:
        """A resolver with scalar and enum arguments: called directly, arguments converted once."""
        assert info.field_name == "pick" and info.path.key in ("pick", "p")
        leaf = self.leaves[index]  # IndexError: a located error
        return leaf if colour is None or leaf.colour is colour else None

    @strawberry.field
    def fails(self) -> str | None:
        """A resolver that raises."""
        raise ValueError("refusé")

    @strawberry.field
    @context_only
    def chosen(self, info: strawberry.Info, index: int) -> Leaf | None:
        """Context-only: called inside the compiled selection (IndexError: the general way)."""
        assert info.context["seen"] is not None
        info.context["seen"].append(self.name)
        return self.leaves[index]

    @strawberry.field
    @context_only
    def greeting(self, info: strawberry.Info, word: str = "bonjour") -> str:
        """Context-only, a leaf: the word and the context's suffix."""
        return f"{word} {self.name}{info.context['suffix']}"

    @strawberry.field
    @context_only
    def nosy(self, info: strawberry.Info) -> str:
        """Marked context-only but reads more of its info: answered the general way."""
        return f"{info.field_name}:{info.path.key}"

    @strawberry.field
    @context_only
    def soon(self) -> Leaf:
        """A synchronous resolver answering an awaitable: the general way awaits it."""
        return _soon(self.leaves[1])  # type: ignore[return-value]


async def _soon(leaf: Leaf) -> Leaf:
    await asyncio.sleep(0)
    return leaf


def _leaf(i: int) -> Leaf:
    return Leaf(code=f"c{i}", colour=Colour.RED if i % 2 else Colour.BLUE, note=None if i % 3 else f"n{i}")


def _branch(i: int, broken: bool = False) -> Branch:
    leaves = [_leaf(i * 10 + k) for k in range(3)]
    return Branch(
        name=f"b{i}",
        leaves=leaves,
        maybe_leaves=[leaves[0], None, leaves[1]],
        first=None if i % 2 else leaves[0],
        strict=leaves[2],
        broken_code=None if broken else f"ok{i}",  # type: ignore[arg-type]
    )


@strawberry.interface
class Named:
    """An interface: strawberry checks the type of its implementations' objects."""

    label: str


@strawberry.type
class Tag(Named):
    """An implementation."""

    weight: int


@strawberry.type
class Query:
    """Root."""

    @strawberry.field
    def tags(self) -> list[Tag]:
        """Objects of a type with ``is_type_of``."""
        return [Tag(label=f"t{i}", weight=i) for i in range(3)]

    @strawberry.field
    def wrong_tags(self) -> list[Tag] | None:
        """An object of another type among them: graphql-core's type error."""
        return [Tag(label="t", weight=1), _leaf(1)]  # type: ignore[list-item]

    @strawberry.field
    def odd_leaves(self) -> list[Leaf | None]:
        """A leaf whose enum value is not one, and one whose code is not a string."""
        bad = _leaf(2)
        bad.colour = "green"  # type: ignore[assignment]
        odd = _leaf(3)
        odd.code = 42  # type: ignore[assignment]
        return [_leaf(1), bad, odd]

    @strawberry.field
    def tuple_leaves(self) -> list[Leaf]:
        """A tuple is a list too; a generator of leaves is not compiled, still answered."""
        return (_leaf(1), _leaf(2))  # type: ignore[return-value]

    @strawberry.field
    def branches(self) -> list[Branch]:
        """Branches."""
        return [_branch(i) for i in range(4)]

    @strawberry.field
    def broken(self) -> list[Branch | None]:
        """A branch violating a non-null field, between two good ones."""
        return [_branch(0), _branch(1, broken=True), _branch(2)]

    @strawberry.field
    def bad_list(self) -> list[Leaf] | None:
        """A non-null item that is null: the whole list is an error."""
        return [_leaf(1), None]  # type: ignore[list-item]


def _schemas(extensions: list[Any] | None = None) -> tuple[strawberry.Schema, strawberry.Schema]:
    stock = strawberry.Schema(query=Query, extensions=extensions or [])
    fast = strawberry.Schema(
        query=Query, extensions=extensions or [], execution_context_class=ThemaExecutionContext
    )
    return stock, fast


QUERIES = [
    "{ branches { name leaves { code colour note } maybeLeaves { code } first { code } strict { colour } } }",
    "{ branches { ...B } } fragment B on Branch { n: name leaves { ... on Leaf { c: code } } }",
    "query($x: Boolean!) { branches { leaves { code note @include(if: $x) } first @skip(if: $x) { code } } }",
    "{ branches { later { code } leaves { code } fails } }",
    "{ broken { name brokenCode leaves { code } } }",
    "{ badList { code } }",
    "query($i: Int!) { branches { pick(index: $i) { code } p: pick(index: 1, colour: RED) { code } } }",
    "{ branches { pick(index: 7) { code } } }",
    "{ __typename branches { __typename leaves { __typename code } t: __typename } }",
    "{ tags { label weight __typename } wrongTags { label } }",
    "{ oddLeaves { code colour } }",
    "{ tupleLeaves { code } }",
    "{ branches { leaves { ...L } } } fragment L on Leaf { code colour }",
    'query($i: Int!) { branches { name chosen(index: $i) { code colour } greeting g: greeting(word: "salut") } }',
    "{ branches { name chosen(index: 5) { code } } }",
    "{ branches { name nosy n: nosy soon { code } } }",
]


def _context() -> dict[str, Any]:
    return {"seen": [], "suffix": " !"}


@pytest.mark.parametrize("query", QUERIES)
def test_fast_path_answers_as_graphql_core(query: str) -> None:
    stock, fast = _schemas()
    variables = {"x": True, "i": 2}
    expected = asyncio.run(stock.execute(query, variable_values=variables, context_value=_context()))
    got = asyncio.run(fast.execute(query, variable_values=variables, context_value=_context()))
    assert got.data == expected.data
    assert [(e.message, e.path) for e in got.errors or []] == [
        (e.message, e.path) for e in expected.errors or []
    ]


def test_non_null_violation_is_located_like_graphql_core() -> None:
    _, fast = _schemas()
    result = asyncio.run(fast.execute("{ broken { name brokenCode } }"))
    assert result.data == {
        "broken": [{"name": "b0", "brokenCode": "ok0"}, None, {"name": "b2", "brokenCode": "ok2"}]
    }
    assert result.errors and result.errors[0].path == ["broken", 1, "brokenCode"]


def test_an_extension_resolving_fields_sees_every_field() -> None:
    seen: list[str] = []

    class Watch(SchemaExtension):
        def resolve(self, _next: Any, root: Any, info: Any, *args: Any, **kwargs: Any) -> Any:
            seen.append(info.field_name)
            return _next(root, info, *args, **kwargs)

    _, fast = _schemas([Watch])
    result = asyncio.run(fast.execute("{ branches { name leaves { code } } }"))
    assert not result.errors
    assert seen.count("code") == 12 and seen.count("name") == 4


def test_plain_fields_skip_graphql_cores_field_execution() -> None:
    calls: list[str] = []

    class Counting(ThemaExecutionContext):
        def execute_field(self, parent_type: Any, source: Any, details: Any, *rest: Any) -> Any:
            calls.append(details[0].node.name.value)
            return super().execute_field(parent_type, source, details, *rest)

    schema = strawberry.Schema(query=Query, execution_context_class=Counting)
    for query in (QUERIES[0], QUERIES[6]):
        result = asyncio.run(schema.execute(query, variable_values={"i": 0}))
        assert not result.errors
    # The root resolver is called directly, and 4 branches × (3 + 3 + 1 + 1) plain objects and
    # their leaves are executed inline: nothing goes through graphql-core's field execution.
    assert calls == []


def test_compiled_selections_follow_the_variables_of_each_request() -> None:
    """A compiled selection is kept across requests, never across different selections."""
    stock, fast = _schemas()
    query = (
        "query($x: Boolean!) { branches { leaves { code ... @include(if: $x) { note colour } } "
        "first { ...F } } } fragment F on Leaf { code ... @skip(if: $x) { colour } }"
    )
    for x in (True, False, True, False):
        expected = asyncio.run(stock.execute(query, variable_values={"x": x}))
        got = asyncio.run(fast.execute(query, variable_values={"x": x}))
        assert not got.errors and got.data == expected.data


def _walking_schema() -> tuple[strawberry.Schema, list[str]]:
    """The fast schema, and the types whose selections it walks field by field (in order)."""
    walked: list[str] = []

    class Counting(ThemaExecutionContext):
        def execute_fields(self, parent_type: Any, *rest: Any) -> Any:
            walked.append(parent_type.name)
            return super().execute_fields(parent_type, *rest)

    return strawberry.Schema(query=Query, execution_context_class=Counting), walked


def test_plain_selections_are_compiled_not_walked() -> None:
    """Leaves of plain objects are completed by one compiled function per selection."""
    schema, walked = _walking_schema()
    result = asyncio.run(
        schema.execute("{ branches { name leaves { code colour } strict { code } } tags { label } }")
    )
    assert not result.errors
    assert result.data and len(result.data["branches"]) == 4 and len(result.data["tags"]) == 3
    assert walked == ["Query"]  # branches, their leaves and the tags: compiled


def test_context_only_resolvers_are_called_inside_compiled_selections() -> None:
    """Their arguments are the request's: a selection compiled once follows each request's."""
    schema, walked = _walking_schema()
    query = "query($i: Int!, $w: String!) { branches { name chosen(index: $i) { code } greeting(word: $w) } }"
    for i, word in ((0, "bonjour"), (2, "salut"), (0, "bonjour")):
        context = _context()
        result = asyncio.run(
            schema.execute(query, variable_values={"i": i, "w": word}, context_value=context)
        )
        assert not result.errors and result.data is not None
        assert [b["chosen"]["code"] for b in result.data["branches"]] == [f"c{n * 10 + i}" for n in range(4)]
        assert result.data["branches"][1]["greeting"] == f"{word} b1 !"
        assert context["seen"] == ["b0", "b1", "b2", "b3"]  # once each: nothing executed twice
    assert walked == ["Query"] * 3


def test_an_awaitable_met_by_a_compiled_call_is_not_left_unawaited() -> None:
    import gc
    import warnings

    _, fast = _schemas()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = asyncio.run(fast.execute("{ branches { soon { code } } }", context_value=_context()))
        gc.collect()
    assert not result.errors and result.data == {
        "branches": [{"soon": {"code": f"c{i * 10 + 1}"}} for i in range(4)]
    }
    assert not [w for w in caught if issubclass(w.category, RuntimeWarning)]
