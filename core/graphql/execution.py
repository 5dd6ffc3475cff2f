"""graphql-core's executor with a fast path for plain fields.

A page of 50 households with their members and five verdicts is about 3,700 fields, most of them
plain attributes (``code``, ``outcome``, ``firstName``…) of objects already in memory, or lists of
such objects (a verdict's ``criteria``). For each, graphql-core builds a resolve-info object,
calls strawberry's default resolver, then completes the value through several layers (non-null,
list, object, leaf, coercion). ``ThemaExecutionContext`` does the same work in one step for the
fields where it is provably the same:

- the field has strawberry's default resolver: no resolver of ours, no field extension, no
  sensitive-field guard (those wrap the resolver), and no argument or directive;
- its type is a scalar or an enum, or an object type (or a list of one) without ``is_type_of``;
- no extension resolves fields (``SchemeExtension.resolve``) in the request.

Resolvers of ours whose arguments are all scalars or enums (``Household.eligibility(scheme:)``,
called once per household of a page) are called directly too: their arguments depend only on the
document and the variables, so they are coerced and converted once per request instead of once
per object, and strawberry's per-call wrapping (info object, argument conversion, extension
chain) is skipped when it has nothing to do — no field extension or permission class, no
exception handler, a synchronous resolver. The value is completed by graphql-core as usual.

Anything else goes through graphql-core's own ``execute_field``. A value graphql-core would turn
into an error (null on a non-null field, a value the scalar refuses, a list that is not one)
does too, before anything of it was executed, so errors, paths and nullability are exactly
graphql-core's. The plan of a selection set (how each of its fields is executed) is computed
once per request: graphql-core reuses the same grouped field set for every object of a list.

A selection set made only of plain fields (leaves, ``__typename``, plain objects and lists whose
own selections are plain, recursively) is compiled once per request into one Python function
building the result dictionary (``_Compiler``): a verdict's ``status`` and ``criteria { code
outcome }``, a member's ``firstName role birthDate``. The function gives up (``_Bail``) on the
first value that is not plainly valid (a null where none may be, a value the scalar refuses, a
list that is not one, an error reading an attribute), and the object is then executed again the
general way, which reads the same attributes and reports the error where graphql-core would.

Resolvers marked ``@context_only`` (pure, reading nothing of their ``info`` but its context:
``Household.members``, ``currentOccupancy``, ``eligibility``, the references of one row to
another) are plain too when their arguments are scalars: the compiled function calls them with
the request's arguments, converted once, and a stand-in info holding the context, then
completes what they answer with the function compiled for its selection. A households page
(members, current unit and site, five verdicts) is then one compiled function per household
instead of some ten resolver calls through graphql-core's completion. An awaitable answer (a
relation not loaded ahead), an error, or a read of anything else of the info gives up the same
way, and the general way calls the resolver again.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from operator import attrgetter
from typing import Any, NamedTuple

import orjson
from graphql import (
    GraphQLEnumType,
    GraphQLID,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLString,
    is_leaf_type,
)
from graphql.execution.collect_fields import GroupedFieldSet
from graphql.execution.executor import to_nodes
from graphql.execution.values import get_argument_values
from graphql.pyutils import Path, Undefined, gather_with_cancel, is_awaitable
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.arguments import convert_arguments


class _Leaf(NamedTuple):
    """A plain scalar or enum field."""

    resolve: Any  # source -> value
    coerce: Any
    non_null: bool


class _Object(NamedTuple):
    """A plain field of an object type, or of a list of one."""

    resolve: Any  # source -> value
    type: GraphQLObjectType
    non_null: bool
    is_list: bool
    item_non_null: bool
    return_type: Any
    item_type: Any
    origin: Any  # the strawberry class of the type's objects, or None
    is_type_of: Any  # strawberry's check that an object is of the type (no info read), or None


class _Direct(NamedTuple):
    """A synchronous resolver of ours with scalar or enum arguments, called directly."""

    field: Any  # graphql-core's field
    strawberry_field: Any
    call: Any
    self_parameter: bool
    info_parameter: str | None
    shape: _Object | None  # when it returns an object type (or a list of one): how to complete it


#: The ``is_type_of`` strawberry gives types with interfaces: an ``isinstance`` check, no info read.
_STRAWBERRY_CHECK = "_get_is_type_of.<locals>.is_type_of"


def _shape(field: Any, get: Any) -> _Object | None:
    """A field's type as an object (list) type whose objects need no check beyond strawberry's own."""
    non_null, inner = _unwrap(field.type)
    is_list = isinstance(inner, GraphQLList)
    item_non_null, item = _unwrap(inner.of_type) if is_list else (False, inner)
    if not isinstance(item, GraphQLObjectType):
        return None
    check = item.is_type_of
    definition = item.extensions.get(GraphQLCoreConverter.DEFINITION_BACKREF)
    if check is not None and not getattr(check, "__qualname__", "").endswith(
        "_get_is_type_of.<locals>.is_type_of"
    ):
        return None  # an ``is_type_of`` of someone else's: it may read the resolve info
    origin = getattr(definition, "origin", None)
    item_type = inner.of_type if is_list else None
    return _Object(get, item, non_null, is_list, item_non_null, field.type, item_type, origin, check)


_Plan = list[tuple[str, Any, _Leaf | _Object | _Direct | None]]


def _coercer(leaf: Any) -> Any:
    """The leaf type's output coercion; an enum's remembered per value (a page repeats a handful)."""
    coerce = leaf.coerce_output_value
    if not isinstance(leaf, GraphQLEnumType):
        return coerce
    known: dict[Any, Any] = {}

    def remembered(value: Any) -> Any:
        try:
            return known[value]
        except KeyError:
            out = known[value] = coerce(value)
            return out
        except TypeError:  # unhashable: not an enum value; coercion reports it
            return coerce(value)

    return remembered


def _unwrap(kind: Any) -> tuple[bool, Any]:
    """(non-null, inner type)."""
    return (True, kind.of_type) if isinstance(kind, GraphQLNonNull) else (False, kind)


class _Bail(Exception):
    """A compiled selection met a value it does not complete plainly: execute it the general way.

    Raised afresh each time: a kept instance would hold the traceback of its last raise, and with
    it the frames and objects of a request that has ended.
    """


#: A compiled selection: ``(source, context info) -> result dictionary``; raises on anything not
#: plain. The context info is what compiled resolver calls get as ``info`` (``_ContextInfo``).
_Run = Callable[[Any, Any], dict[str, Any]]


def context_only(resolver: Any) -> Any:
    """Mark a resolver as reading nothing of its ``info`` but ``info.context``, and as pure.

    A compiled selection (module doc) may then call it for each object with a stand-in info
    holding only the context; anything else it reads of it, an awaitable or an error sends the
    object the general way, which calls it again. So it must have no effect of its own (no
    audit, no write): it reads loaders and builds objects.
    """
    resolver._thema_context_only = True
    return resolver


class _ContextInfo:
    """The ``info`` of compiled resolver calls: the request's context and nothing else."""

    __slots__ = ("context",)

    def __init__(self, context: Any) -> None:
        self.context = context


def _give_up(value: Any) -> Any:
    """Close an awaitable a compiled call got (never awaited, it did nothing) and give up."""
    close = getattr(value, "close", None)
    if close is not None:
        close()
    raise _Bail


def _bail() -> Any:
    raise _Bail


def _sequence(value: Any) -> Any:
    """``value`` when it is a list or a tuple (what compiled lists accept), else give up."""
    if value.__class__ is list or value.__class__ is tuple:
        return value
    raise _Bail


class _Compiler:
    """Writes the Python function completing a selection set of plain fields (module doc).

    Each field becomes a few lines reading the attribute, checking for null, coercing the value
    (strings and IDs that are already ``str`` as they are); nested plain objects and lists call
    the function compiled for their own selection set.
    """

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.names: dict[str, Any] = {
            "_bail": _bail,
            "_sequence": _sequence,
            "Undefined": Undefined,
            "_give_up": _give_up,
            "_awaitable": is_awaitable,
        }

    def constant(self, value: Any) -> str:
        name = f"k{len(self.names)}"
        self.names[name] = value
        return name

    def leaf(self, i: int, kind: _Leaf, as_is: bool) -> None:
        get, coerce = self.constant(kind.resolve), self.constant(kind.coerce)
        null = "_bail()" if kind.non_null else "None"
        convert = f"v if v.__class__ is str else {coerce}(v)" if as_is else f"{coerce}(v)"
        self.lines += [
            f"    v = {get}(s)",
            "    if v is None:",
            f"        r{i} = {null}",
            "    else:",
            f"        r{i} = {convert}",
            f"        if r{i} is None or r{i} is Undefined:",
            "            _bail()",
        ]

    def object(self, i: int, kind: _Object, run: _Run) -> None:
        get, sub = self.constant(kind.resolve), self.constant(run)
        null = "_bail()" if kind.non_null else "None"
        value = f"[{sub}(x, c) for x in _sequence(v)]" if kind.is_list else f"{sub}(v, c)"
        self.lines += [f"    v = {get}(s)", f"    r{i} = {null} if v is None else {value}"]

    def direct(self, i: int, kind: _Direct, kwargs: dict[str, Any], sub: _Run | None, leaf: Any) -> None:
        """A context-only resolver called on the object, its value completed like a plain field's."""
        call, named = self.constant(kind.call), self.constant(kwargs)
        source = "s, " if kind.self_parameter else ""
        info = f", {kind.info_parameter}=c" if kind.info_parameter else ""
        self.lines += [
            f"    v = {call}({source}**{named}{info})",
            "    if _awaitable(v):",
            "        _give_up(v)",
        ]
        if sub is None:
            non_null, coerce = leaf
            self.lines += [
                "    if v is None:",
                f"        r{i} = {'_bail()' if non_null else 'None'}",
                "    else:",
                f"        r{i} = {self.constant(coerce)}(v)",
                f"        if r{i} is None or r{i} is Undefined:",
                "            _bail()",
            ]
            return
        shape = kind.shape
        assert shape is not None
        run = self.constant(sub)
        value = f"[{run}(x, c) for x in _sequence(v)]" if shape.is_list else f"{run}(v, c)"
        self.lines.append(f"    r{i} = {'_bail()' if shape.non_null else 'None'} if v is None else {value}")

    def typename(self, i: int, name: str) -> None:
        self.lines.append(f"    r{i} = {name!r}")

    def build(self, keys: list[str]) -> _Run:
        body = ", ".join(f"{k!r}: r{i}" for i, k in enumerate(keys))
        source = "\n".join(["def run(s, c):", *self.lines, f"    return {{{body}}}"])
        exec(compile(source, "<thema compiled selection>", "exec"), self.names)
        return self.names["run"]  # type: ignore[no-any-return]


#: Compiled selections by description, across requests (``ThemaExecutionContext._compile``).
_COMPILED: dict[Any, tuple[_Run, Any]] = {}
_COMPILED_MAX = 2048
#: Compiled selections (or None: not plain) by field nodes and variables, across requests.
_SELECTIONS: dict[Any, tuple[_Run | None, Any, Any, Any]] = {}
_UNSET: Any = object()


class ThemaExecutionContext(StrawberryGraphQLCoreExecutionContext):
    """graphql-core's execution context with plain fields executed in one step (module doc)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._plans: dict[int, tuple[GroupedFieldSet, _Plan]] = {}
        self._converted: dict[int, tuple[Any, dict[str, Any], list[Any]]] = {}
        self._compiled: dict[int, tuple[Any, _Run | None, Any]] = {}
        self._variables_key: Any = _UNSET
        strawberry_schema = getattr(self.schema, "_strawberry_schema", None)
        self._info_class: Any = strawberry_schema.config.info_class if strawberry_schema is not None else None
        # An extension resolving fields (``SchemaExtension.resolve``) must see every field.
        manager = self.middleware_manager
        self._fast = manager is None or not manager.middlewares
        self._light = _ContextInfo(self.context_value)

    def _kind(self, parent_type: GraphQLObjectType, details: Any) -> _Leaf | _Object | _Direct | None:
        """How a field is executed: plain leaf, plain object (list), direct call, or graphql-core's way."""
        if not self._fast or any(d.node.directives for d in details):
            return None
        field = self.schema.get_field(parent_type, details[0].node.name.value)
        if field is None:
            return None
        resolve = field.resolve
        if getattr(resolve, "_is_default", None) is False:  # strawberry's own resolver, not wrapped
            return self._direct(field)
        if field.args or details[0].node.arguments or not getattr(resolve, "_is_default", False):
            return None
        get = self._getter(field)
        non_null, inner = _unwrap(field.type)
        if is_leaf_type(inner):
            return _Leaf(get, _coercer(inner), non_null)
        return _shape(field, get)

    def _getter(self, field: Any) -> Any:
        """``source -> value`` of a field with strawberry's default resolver: the attribute itself."""
        strawberry_schema = getattr(self.schema, "_strawberry_schema", None)
        sf = field.extensions.get(GraphQLCoreConverter.DEFINITION_BACKREF)
        if (
            strawberry_schema is not None
            and sf is not None
            and strawberry_schema.config.default_resolver is getattr
        ):
            return attrgetter(sf.python_name)
        resolve = field.resolve
        return lambda source: resolve(source, None)

    def _direct(self, field: Any) -> _Direct | None:
        """A resolver strawberry would only wrap, with scalar or enum arguments: called directly."""
        strawberry_schema = getattr(self.schema, "_strawberry_schema", None)
        sf = field.extensions.get(GraphQLCoreConverter.DEFINITION_BACKREF)
        resolver = getattr(sf, "base_resolver", None)
        if (
            strawberry_schema is None
            or resolver is None
            or sf.is_async
            or sf.extensions
            or strawberry_schema.schema_converter.exception_handlers
            or resolver.parent_parameter is not None
            or resolver.root_parameter is not None
            or not all(is_leaf_type(_unwrap(a.type)[1]) for a in field.args.values())
        ):
            return None
        info = resolver.info_parameter
        self_parameter = resolver.self_parameter is not None
        # The function itself: ``StrawberryResolver.__call__`` only checks it is callable.
        call = resolver.wrapped_func if callable(resolver.wrapped_func) else resolver
        return _Direct(field, sf, call, self_parameter, info.name if info else None, _shape(field, None))

    def _arguments(self, direct: _Direct, details: Any) -> tuple[dict[str, Any], list[Any]]:
        """The resolver's keyword arguments for a field node, and its nodes, once per request."""
        key = id(details)
        found = self._converted.get(key)
        if found is not None and found[0] is details:
            return found[1], found[2]
        strawberry_schema = self.schema._strawberry_schema  # type: ignore[attr-defined]
        raw = get_argument_values(
            direct.field,
            details[0].node,
            self.variable_values,
            details[0].fragment_variable_values,
            self.hide_suggestions,
        )
        converted = convert_arguments(
            raw,
            direct.strawberry_field.arguments,
            scalar_registry=strawberry_schema.schema_converter.scalar_registry,
            config=strawberry_schema.config,
            info=None,  # scalar and enum arguments do not read it
        )
        nodes = to_nodes(details)
        self._converted[key] = (details, converted, nodes)
        return converted, nodes

    def _call(
        self,
        direct: _Direct,
        parent_type: GraphQLObjectType,
        source: Any,
        details: Any,
        path: Path | None,
        name: str,
        position_context: Any,
    ) -> Any:
        """Call a direct resolver, then complete its value as graphql-core's ``execute_field`` does."""
        try:
            kwargs, nodes = self._arguments(direct, details)
        except Exception:
            return self._field(parent_type, source, details, path, name, position_context)
        here = Path(path, name, parent_type.name)
        field = direct.field
        info = self.build_resolve_info(field, nodes, parent_type, here)
        try:
            if direct.info_parameter is not None:
                kwargs = {
                    **kwargs,
                    direct.info_parameter: self._info_class(_raw_info=info, _field=direct.strawberry_field),
                }
            result = direct.call(source, **kwargs) if direct.self_parameter else direct.call(**kwargs)
            if self.is_awaitable(result):
                return self.complete_awaitable_value(
                    field.type, details, info, here, result, position_context
                )
            shape = direct.shape
            if shape is not None and result is not None:
                run = self._selection(shape, details)
                if run is not None:
                    try:
                        c = self._light
                        return [run(x, c) for x in _sequence(result)] if shape.is_list else run(result, c)
                    except Exception:  # not plain: completed the general way, below
                        pass
            completed = self.complete_value(field.type, details, info, here, result, position_context)
        except Exception as error:
            self.handle_field_error(error, field.type, details, here)  # raises when non-null
            return None
        return self._settled(completed, field.type, details, here)

    def _plan(self, parent_type: GraphQLObjectType, grouped: GroupedFieldSet) -> _Plan:
        found = self._plans.get(id(grouped))
        if found is not None and found[0] is grouped:
            return found[1]
        plan: _Plan = [(name, details, self._kind(parent_type, details)) for name, details in grouped.items()]
        self._plans[id(grouped)] = (grouped, plan)
        return plan

    def execute_fields(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Path | None,
        grouped_field_set: GroupedFieldSet,
        position_context: Any,
    ) -> Any:
        """graphql-core's ``execute_fields``, plain fields executed inline (see the module doc)."""
        plan = self._plan(parent_type, grouped_field_set)
        results: dict[str, Any] = {}
        is_awaitable = self.is_awaitable
        awaitable: list[str] = []
        try:
            for name, details, kind in plan:
                if kind.__class__ is _Leaf:
                    resolve, coerce, non_null = kind
                    try:
                        value = resolve(source_value)
                        if value is None:
                            if not non_null:
                                results[name] = None
                                continue
                        else:
                            coerced = coerce(value)
                            if coerced is not None and coerced is not Undefined:
                                results[name] = coerced
                                continue
                    except Exception:
                        pass
                    result = self._field(parent_type, source_value, details, path, name, position_context)
                elif kind.__class__ is _Direct:
                    result = self._call(
                        kind, parent_type, source_value, details, path, name, position_context
                    )
                elif kind.__class__ is _Object:
                    result = self._object(
                        kind, parent_type, source_value, details, path, name, position_context
                    )
                else:
                    result = self._field(parent_type, source_value, details, path, name, position_context)
                if result is not Undefined:
                    results[name] = result
                    if is_awaitable(result):
                        awaitable.append(name)
        except Exception:
            if awaitable:
                self.settle_in_background([results[n] for n in awaitable])
            raise
        if not awaitable:
            return results
        return self._gathered(results, awaitable)

    def _field(
        self,
        parent_type: GraphQLObjectType,
        source: Any,
        details: Any,
        path: Path | None,
        name: str,
        position_context: Any,
    ) -> Any:
        return self.execute_field(
            parent_type, source, details, Path(path, name, parent_type.name), position_context
        )

    def _object(
        self,
        kind: _Object,
        parent_type: GraphQLObjectType,
        source: Any,
        details: Any,
        path: Path | None,
        name: str,
        position_context: Any,
    ) -> Any:
        """A plain object field (or list of objects), its sub-selection executed directly."""
        try:
            value = kind.resolve(source)
        except Exception:
            return self._field(parent_type, source, details, path, name, position_context)
        if value is None:
            if kind.non_null:
                return self._field(parent_type, source, details, path, name, position_context)
            return None
        run = self._selection(kind, details)
        if run is not None:
            try:
                light = self._light
                return [run(x, light) for x in _sequence(value)] if kind.is_list else run(value, light)
            except Exception:  # not plain: executed the general way, below
                pass
        grouped, defer_usages, _ = self.collect_subfields(kind.type, details)
        not_a_list = kind.is_list and (
            not isinstance(value, Sequence)
            or isinstance(value, str)
            or (kind.item_non_null and any(v is None for v in value))
        )
        if defer_usages or not_a_list or (kind.is_type_of is not None and not self._all_of_type(kind, value)):
            return self._field(parent_type, source, details, path, name, position_context)
        here = Path(path, name, parent_type.name)
        if not kind.is_list:
            try:
                return self._settled(
                    self.execute_fields(kind.type, value, here, grouped, None),
                    kind.return_type,
                    details,
                    here,
                )
            except Exception as error:
                self.handle_field_error(error, kind.return_type, details, here)  # raises when non-null
                return None
        items: list[Any] = []
        pending: list[int] = []
        for index, item in enumerate(value):
            if item is None:
                items.append(None)
                continue
            at = Path(here, index, None)
            try:
                done = self._settled(
                    self.execute_fields(kind.type, item, at, grouped, None), kind.item_type, details, at
                )
            except Exception as error:
                self.handle_field_error(error, kind.item_type, details, at)  # raises when non-null
                done = None
            if self.is_awaitable(done):
                pending.append(index)
            items.append(done)
        return self._gathered_list(items, pending) if pending else items

    @staticmethod
    def _all_of_type(kind: _Object, value: Any) -> bool:
        """Every object of the value is of the field's type (graphql-core's ``is_type_of`` check)."""
        check, origin = kind.is_type_of, kind.origin
        items = value if kind.is_list else (value,)
        return all(v is None or v.__class__ is origin or check(v, None) is True for v in items)

    def _selection(self, kind: _Object, details: Any) -> _Run | None:
        """The compiled function completing a field's objects, or None when not all plain."""
        return self._described(kind, details)[0]

    def _described(self, kind: _Object, details: Any) -> tuple[_Run | None, Any]:
        """(compiled function, its description) for a field's objects, once per request and field."""
        key = id(details)
        found = self._compiled.get(key)
        if found is not None and found[0] is details:
            return found[1], found[2]
        # The same field nodes of the same (cached) document with the same variables select the
        # same fields: what was compiled for them in an earlier request holds.
        shared = self._shared_key(kind, details)
        known = _SELECTIONS.get(shared) if shared is not None else None
        if known is not None:
            run, description = known[0], known[1]
        else:
            run, description = None, None
            grouped, defer_usages, _ = self.collect_subfields(kind.type, details)
            if not defer_usages:
                run, description = self._compile(kind.type, grouped)
                if run is not None and kind.is_type_of is not None:
                    run = self._checked(run, kind)
            if shared is not None:
                if len(_SELECTIONS) >= _COMPILED_MAX:
                    _SELECTIONS.clear()
                _SELECTIONS[shared] = (run, description, kind.type, details)  # ids pinned
        self._compiled[key] = (details, run, description)
        return run, description

    def _shared_key(self, kind: _Object, details: Any) -> Any:
        """A key naming a field's selection across requests, or None when it cannot be named."""
        if self._variables_key is _UNSET:
            try:
                self._variables_key = orjson.dumps(self.variable_values, option=orjson.OPT_SORT_KEYS)
            except TypeError:  # not plain JSON (an upload): compiled for this request only
                self._variables_key = None
        if (
            not self._fast
            or self._variables_key is None
            or any(d.fragment_variable_values is not None for d in details)
        ):
            return None
        return (id(kind.type), tuple(id(d.node) for d in details), self._variables_key)

    @staticmethod
    def _checked(run: _Run, kind: _Object) -> _Run:
        """``run`` for objects whose type strawberry checks: gives up on an object of another type."""
        check, origin = kind.is_type_of, kind.origin

        def checked(source: Any, light: Any) -> dict[str, Any]:
            if source.__class__ is not origin and check(source, None) is not True:
                raise _Bail
            return run(source, light)

        return checked

    def _compile(self, object_type: GraphQLObjectType, grouped: GroupedFieldSet) -> tuple[_Run | None, Any]:
        """One function completing ``grouped`` on an object, when every field of it is plain.

        Functions are kept across requests (``_COMPILED``), by a description of what they do:
        the type, then each response key with the schema field it reads and the description of
        its own selection. The schema objects named are kept with them, so that their ids stay
        theirs.
        """
        parts: list[Any] = []
        steps: list[Any] = []
        for key, details in grouped.items():
            node = details[0].node
            if node.name.value == "__typename" and not any(d.node.directives for d in details):
                parts.append((key,))
                steps.append(("typename",))
                continue
            kind = self._kind(object_type, details)
            field = self.schema.get_field(object_type, node.name.value)
            if kind.__class__ is _Leaf:
                inner = _unwrap(field.type)[1]  # type: ignore[union-attr]
                parts.append((key, id(field)))
                steps.append(("leaf", kind, inner is GraphQLString or inner is GraphQLID))
            elif kind.__class__ is _Object:
                sub, sub_description = self._described(kind, details)
                if sub is None:
                    return None, None
                parts.append((key, id(field), sub_description))
                steps.append(("object", kind, sub))
            elif kind.__class__ is _Direct and getattr(kind.call, "_thema_context_only", False):
                step = self._compiled_call(kind, details)
                if step is None:
                    return None, None
                parts.append((key, id(field), step[0]))
                steps.append(("direct", kind, *step[1:]))
            else:
                return None, None
        description = (id(object_type), tuple(parts))
        found = _COMPILED.get(description)
        if found is not None:
            return found[0], description
        compiler = _Compiler()
        for i, (what, *args) in enumerate(steps):
            if what == "typename":
                compiler.typename(i, object_type.name)
            elif what == "leaf":
                compiler.leaf(i, *args)
            elif what == "direct":
                compiler.direct(i, *args)
            else:
                compiler.object(i, *args)
        run = compiler.build(list(grouped))
        if len(_COMPILED) >= _COMPILED_MAX:
            _COMPILED.clear()
        _COMPILED[description] = (
            run,
            (
                object_type,
                [self.schema.get_field(object_type, d[0].node.name.value) for d in grouped.values()],
            ),
        )
        return run, description

    def _compiled_call(self, kind: _Direct, details: Any) -> tuple[Any, ...] | None:
        """(description, arguments, compiled selection, leaf) of a direct call in a compiled one.

        The arguments are baked into the function, so they are part of its description: they
        must be hashable (scalars, enums, dates).
        """
        try:
            kwargs, _ = self._arguments(kind, details)
            named = tuple(sorted(kwargs.items()))
            hash(named)
        except Exception:
            return None
        shape = kind.shape
        if shape is not None:
            sub, sub_description = self._described(shape, details)
            if sub is None:
                return None
            return ("direct", named, sub_description), kwargs, sub, None
        non_null, inner = _unwrap(kind.field.type)
        if not is_leaf_type(inner):
            return None
        return ("direct", named), kwargs, None, (non_null, _coercer(inner))

    def _settled(self, result: Any, return_type: Any, details: Any, path: Path) -> Any:
        """``result``, or when it is awaitable an awaitable of it whose error graphql-core handles."""
        if not self.is_awaitable(result):
            return result

        async def settle() -> Any:
            try:
                return await result
            except Exception as error:
                self.handle_field_error(error, return_type, details, path)  # raises when non-null
                return None

        return settle()

    @staticmethod
    async def _gathered(results: dict[str, Any], awaitable: list[str]) -> dict[str, Any]:
        """``results`` with its awaitable values awaited (as graphql-core's ``execute_fields``)."""
        if len(awaitable) == 1:
            results[awaitable[0]] = await results[awaitable[0]]
            return results
        values = await gather_with_cancel(*(results[n] for n in awaitable))
        results.update(zip(awaitable, values, strict=True))
        return results

    @staticmethod
    async def _gathered_list(items: list[Any], pending: list[int]) -> list[Any]:
        """``items`` with its awaitable values awaited."""
        values = await gather_with_cancel(*(items[i] for i in pending))
        for i, v in zip(pending, values, strict=True):
            items[i] = v
        return items
