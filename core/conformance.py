"""The conformance suite a plugin runs against itself: what every scheme plugin must honour.

Each check takes the plugin's hooks module (and a scratch directory) and returns the problems
it finds, in English, one line each; an empty list means the plugin conforms. In a test::

    from core.testing import CONFORMANCE_CHECKS, assert_conforms
    from my_plugin import hooks

    @pytest.mark.parametrize("check", CONFORMANCE_CHECKS)
    def test_my_plugin_conforms(check: str, tmp_path: Path) -> None:
        assert_conforms(hooks, tmp_path, [check])

The checks: ``schemes`` (at least one scheme, well formed, with a rule and indicators, a declared
contract), ``tables`` (prefixed names, an indexed ``owner_id``, references to the core or the
plugin's own tables only, a migration branch), ``graphql`` (types and fields prefixed by the
code, everything described), ``sensitive_fields`` (declared on types and fields that exist and
that the plugin owns), ``verdicts`` (a verdict for arbitrary households lists every declared
criterion, through the API), ``indicators`` (definitions, and they run on an empty scope through
the API), ``migrations`` (up, the plugin's branch down and up again, down: the database always
equals the models) and ``imports`` (only the core's public API, never another plugin).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from types import ModuleType
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from graphql import GraphQLInputObjectType, GraphQLInterfaceType, GraphQLObjectType, GraphQLSchema
from sqlalchemy import MetaData, Table, create_engine, inspect
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

from core.contract import CONTRACT_VERSION, CriterionKind
from core.models import CORE_TABLES
from core.plugins import PluginError, Registry, build_registry, contract_compatible
from core.settings import Settings

__all__ = ["CHECKS", "PUBLIC_MODULES", "ConformanceError", "assert_conforms", "check_plugin"]

#: The modules of the core a plugin may import (its public API).
PUBLIC_MODULES = frozenset(
    {
        "core",
        "core.models",
        "core.facts",
        "core.graphql.api",
        "core.demo",
        "core.sql",
        "core.testing",
        "core.testkit",
        "core.conformance",
    }
)
#: The reference date of the checks that go through the API.
TODAY = date(2026, 1, 1)
CODE_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")
STATUSES = {"PRIORITY", "ELIGIBLE", "INELIGIBLE", "INCOMPLETE"}
OUTCOMES = {"SATISFIED", "NOT_SATISFIED", "UNKNOWN"}


class ConformanceError(AssertionError):
    """A plugin does not conform; the message lists every problem found."""


def pascal(code: str) -> str:
    """The type prefix of a scheme code: ``pension_famille`` → ``PensionFamille``."""
    return "".join(part[:1].upper() + part[1:] for part in code.split("_"))


def camel(code: str) -> str:
    """The field prefix of a scheme code: ``pension_famille`` → ``pensionFamille``."""
    name = pascal(code)
    return name[:1].lower() + name[1:]


def _registry(plugin: ModuleType) -> Registry:
    return build_registry(Settings(environment="test", load_entrypoint_plugins=False), plugins=[plugin])


def _codes(registry: Registry) -> list[str]:
    return sorted(registry.schemes)


# -- schemes ----------------------------------------------------------------------------------------
def check_schemes(plugin: ModuleType, tmp_path: Path) -> list[str]:
    """At least one scheme, well formed, with a rule and indicators; a declared contract and version."""
    problems: list[str] = []
    contract = getattr(plugin, "THEMA_CONTRACT", None)
    if contract is None:
        problems.append(f"the hooks module sets no THEMA_CONTRACT (this core provides {CONTRACT_VERSION})")
    elif not contract_compatible(str(contract)):
        problems.append(f"THEMA_CONTRACT = {contract!r} is not compatible with {CONTRACT_VERSION}")
    try:
        registry = _registry(plugin)
    except PluginError as exc:
        return [*problems, f"the plugin does not load: {exc}"]
    if registry.plugins and registry.plugins[0].version == "0.0.0":
        problems.append("no __version__ on the hooks module or its package")
    if not registry.schemes:
        problems.append("register_schemes declares no scheme")
    for code, scheme in registry.schemes.items():
        if not CODE_PATTERN.match(code):
            problems.append(f"scheme code {code!r} is not lower_snake_case")
        for attribute in ("name", "label", "version", "description"):
            if not str(getattr(scheme, attribute)).strip():
                problems.append(f"scheme {code!r} has an empty {attribute}")
        keys = [p.key for p in scheme.parameters]
        if len(keys) != len(set(keys)):
            problems.append(f"scheme {code!r} declares a parameter twice: {keys}")
        for parameter in scheme.parameters:
            if not parameter.label.strip():
                problems.append(f"parameter {code}.{parameter.key} has no label")
            try:
                parameter.coerce(parameter.default)
            except ValueError as exc:
                problems.append(f"default of {code}.{parameter.key} is not a {parameter.type.value}: {exc}")
        for version in scheme.parameter_versions:
            for key, value in version.values.items():
                declared = scheme.parameter(key)
                if declared is None:
                    problems.append(f"{code} parameters of {version.effective_from} change unknown {key!r}")
                    continue
                try:
                    declared.coerce(value)
                except ValueError as exc:
                    problems.append(f"{code}.{key} from {version.effective_from}: {exc}")
        rule = registry.rules.get(code)
        if rule is None:
            problems.append(f"scheme {code!r} has no eligibility rule (register_eligibility_rules)")
        else:
            criteria = [c.code for c in rule.criteria]
            if not criteria:
                problems.append(f"the {code} rule declares no criterion")
            if len(criteria) != len(set(criteria)):
                problems.append(f"the {code} rule declares a criterion twice: {criteria}")
            for c in rule.criteria:
                if not c.code.startswith(f"{code}."):
                    problems.append(f"criterion {c.code!r} is not prefixed by '{code}.'")
                if not c.label.strip():
                    problems.append(f"criterion {c.code!r} has no label")
            if not any(c.kind is CriterionKind.REQUIRED for c in rule.criteria):
                problems.append(f"the {code} rule has no required criterion: everyone would be eligible")
        if not registry.indicators_of(code):
            problems.append(f"scheme {code!r} declares no indicator (register_indicators)")
    for demo in registry.demo:
        if demo.scheme not in registry.schemes:
            problems.append(f"demo data declared for unknown scheme {demo.scheme!r}")
    for contribution in registry.graphql:
        if contribution.owner not in registry.schemes:
            problems.append(f"GraphQL contribution owned by unknown scheme {contribution.owner!r}")
    return problems


# -- tables -----------------------------------------------------------------------------------------
def check_tables(plugin: ModuleType, tmp_path: Path) -> list[str]:
    """Tables prefixed by a scheme code, with an indexed owner_id, referencing the core or themselves."""
    registry = _registry(plugin)
    codes = _codes(registry)
    core_names = {str(t.__tablename__) for t in CORE_TABLES}
    own = set(registry.tables)
    problems: list[str] = []
    if registry.tables and not registry.migrations:
        problems.append("the plugin has tables but no migration branch (register_migrations)")
    for branch in registry.migrations:
        if branch.label not in codes:
            problems.append(f"migration branch {branch.label!r} is not named after a scheme code {codes}")
        if not branch.path.is_dir():
            problems.append(f"migration branch {branch.label!r}: {branch.path} is not a directory")
    for name, (_, model) in sorted(registry.tables.items()):
        if not any(name == c or name.startswith(f"{c}_") for c in codes):
            problems.append(f"table {name!r} is not prefixed by a scheme code {codes}")
        table: Table = model.__table__  # type: ignore[attr-defined]
        owner = table.columns.get("owner_id")
        if owner is None:
            problems.append(f"table {name!r} has no owner_id column (the tenant key)")
        else:
            if not any(fk.target_fullname == "organisation.id" for fk in owner.foreign_keys):
                problems.append(f"{name}.owner_id does not reference organisation.id")
            indexed = owner.index or any(
                next(iter(index.columns)).name == "owner_id" for index in table.indexes
            )
            if not indexed:
                problems.append(f"{name}.owner_id is not indexed")
        for fk in table.foreign_keys:
            target = fk.target_fullname.split(".")[0]
            if target not in core_names and target not in own:
                problems.append(f"{name} references {fk.target_fullname}, not a core table nor its own")
    return problems


# -- GraphQL ----------------------------------------------------------------------------------------
def _schema(registry: Registry) -> GraphQLSchema:
    from core.graphql.schema import build_schema

    return build_schema(registry)._schema


def _additions(plugin: ModuleType) -> tuple[Registry, GraphQLSchema, set[str], set[tuple[str, str]]]:
    """The plugin's registry and schema, the types it adds, and the fields it adds to core types."""
    registry = _registry(plugin)
    bare = _schema(build_registry(Settings(environment="test", load_entrypoint_plugins=False), plugins=[]))
    schema = _schema(registry)
    types = {n for n in schema.type_map if n not in bare.type_map}
    fields: set[tuple[str, str]] = set()
    for name, core_type in bare.type_map.items():
        if isinstance(core_type, GraphQLObjectType | GraphQLInterfaceType | GraphQLInputObjectType):
            extended = schema.type_map[name]
            assert isinstance(extended, GraphQLObjectType | GraphQLInterfaceType | GraphQLInputObjectType)
            fields.update((name, f) for f in extended.fields if f not in core_type.fields)
    return registry, schema, types, fields


def check_graphql(plugin: ModuleType, tmp_path: Path) -> list[str]:
    """Types and fields the plugin adds are prefixed by its code and described, arguments too."""
    try:
        registry, schema, types, fields = _additions(plugin)
    except PluginError as exc:
        return [f"the schema does not build with the plugin: {exc}"]
    codes = _codes(registry)
    problems: list[str] = []
    for name in sorted(types):
        if not any(name.startswith(pascal(c)) for c in codes):
            problems.append(f"type {name} is not prefixed by {[pascal(c) for c in codes]}")
    for type_name, field in sorted(fields):
        if not any(field.startswith(camel(c)) for c in codes):
            problems.append(f"field {type_name}.{field} is not prefixed by {[camel(c) for c in codes]}")
    described: list[tuple[str, Any]] = [(n, schema.type_map[n]) for n in types]
    for name, t in described:
        if not t.description:
            problems.append(f"type {name} has no description")
        if isinstance(t, GraphQLObjectType | GraphQLInterfaceType | GraphQLInputObjectType):
            for fname, f in t.fields.items():
                if not f.description:
                    problems.append(f"field {name}.{fname} has no description")
                for aname, arg in getattr(f, "args", {}).items():
                    if not arg.description:
                        problems.append(f"argument {name}.{fname}({aname}) has no description")
    for type_name, fname in sorted(fields):
        t = schema.type_map[type_name]
        assert isinstance(t, GraphQLObjectType | GraphQLInterfaceType | GraphQLInputObjectType)
        f = t.fields[fname]
        if not f.description:
            problems.append(f"field {type_name}.{fname} has no description")
        for aname, arg in getattr(f, "args", {}).items():
            if not arg.description:
                problems.append(f"argument {type_name}.{fname}({aname}) has no description")
    return problems


def check_sensitive_fields(plugin: ModuleType, tmp_path: Path) -> list[str]:
    """Sensitive fields name a scheme of the plugin and a field it owns that exists in the schema."""
    try:
        registry, schema, types, fields = _additions(plugin)
    except PluginError as exc:
        return [f"the schema does not build with the plugin: {exc}"]
    problems: list[str] = []
    for item in registry.sensitive_fields:
        where = f"sensitive field {item.type_name}.{item.field_name}"
        if item.scheme not in registry.schemes:
            problems.append(f"{where} is declared for unknown scheme {item.scheme!r}")
        if not item.description.strip():
            problems.append(f"{where} has no description")
        t = schema.type_map.get(item.type_name)
        if not isinstance(t, GraphQLObjectType | GraphQLInterfaceType):
            problems.append(f"{where}: no object type {item.type_name} in the schema")
            continue
        graphql_name = next((n for n in (item.field_name, _camel(item.field_name)) if n in t.fields), None)
        if graphql_name is None:
            problems.append(f"{where}: {item.type_name} has no such field")
        elif item.type_name not in types and (item.type_name, graphql_name) not in fields:
            problems.append(f"{where}: the field belongs to the core, not to the plugin")
    return problems


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p[:1].upper() + p[1:] for p in rest)


# -- through the API --------------------------------------------------------------------------------
@contextmanager
def _app(plugin: ModuleType, tmp_path: Path) -> Iterator[Any]:
    from core.testing import make_test_app

    app = make_test_app(tmp_path, [plugin], today=TODAY)
    try:
        yield app
    finally:
        app.close()


def _worlds(kit: Any, registry: Registry) -> dict[str, Any]:
    return {
        code: kit.world(
            code,
            portfolio_wide=scheme.portfolio_wide,
            landlord=f"Bailleur {code}",
            association=f"Association {code}",
        )
        for code, scheme in registry.schemes.items()
    }


def check_verdicts(plugin: ModuleType, tmp_path: Path) -> list[str]:
    """Through the API, verdicts of arbitrary households list every declared criterion, in order."""
    try:
        return _verdicts(plugin, tmp_path)
    except PluginError as exc:
        return [f"no app starts with the plugin: {exc}"]


def _verdicts(plugin: ModuleType, tmp_path: Path) -> list[str]:
    from core.testkit import Kit, UserErrors

    registry = _registry(plugin)
    problems: list[str] = []
    with _app(plugin, tmp_path) as app:
        kit = Kit(app)
        for code, world in _worlds(kit, registry).items():
            rule = registry.rules.get(code)
            if rule is None:
                problems.append(f"scheme {code!r} has no eligibility rule")
                continue
            declared = [c.code for c in rule.criteria]
            kinds = {c.code: c.kind.name for c in rule.criteria}
            owner = world.association
            households = {
                "nothing known": kit.household(owner, [kit.member(None)], reference=f"{code}-1"),
                "adult of 40, employed, isolated": kit.household(
                    owner,
                    [kit.member(40, activity="EMPLOYED", resources=1100.0, isolated=True)],
                    reference=f"{code}-2",
                ),
                "couple with a child": kit.household(
                    owner,
                    [
                        kit.member(24, activity="TRAINING", resources=600.0, isolated=False),
                        kit.member(26, role="SPOUSE", activity="JOB_SEEKING", resources=0.0),
                        kit.member(3, role="CHILD"),
                    ],
                    reference=f"{code}-3",
                ),
                "tenant of 75, living alone": kit.household(
                    world.landlord,
                    [kit.member(75, activity="RETIRED", resources=850.0, isolated=True)],
                    reference=f"{code}-4",
                ),
            }
            tenant = households["tenant of 75, living alone"]
            kit.move_in(tenant, world.units[0], None if world.site is None else world.offer, "2020-03-01")
            kit.refer(households["adult of 40, employed, isolated"], world.offer, owner)
            for label, hid in households.items():
                for target in ({"scheme": code}, {"offer": world.offer}):
                    where = f"{code} verdict of a household ({label}) for {next(iter(target))}"
                    try:
                        verdict = kit.verdict(hid, **target)
                    except UserErrors as exc:
                        problems.append(f"{where}: {exc}")
                        continue
                    codes = [c["code"] for c in verdict["criteria"]]
                    if codes != declared:
                        problems.append(f"{where} lists {codes}, the rule declares {declared}")
                    if verdict["status"] not in STATUSES:
                        problems.append(f"{where}: status {verdict['status']!r}")
                    for c in verdict["criteria"]:
                        if not str(c["message"] or "").strip():
                            problems.append(f"{where}: criterion {c['code']} has no message")
                        if c["outcome"] not in OUTCOMES:
                            problems.append(f"{where}: criterion {c['code']} outcome {c['outcome']!r}")
                        if c["code"] in kinds and c["kind"] != kinds[c["code"]]:
                            problems.append(f"{where}: criterion {c['code']} kind {c['kind']}")
            answer = app.graphql_raw(
                "query($id: ID!) { offer(id: $id) { candidates(first: 100) { totalCount } } }",
                {"id": world.offer},
            )
            if answer.get("errors"):
                problems.append(f"{code} candidates of an offer fail: {answer['errors']}")
    return problems


def check_indicators(plugin: ModuleType, tmp_path: Path) -> list[str]:
    """Indicators have a label and a definition, and run through the API on empty scopes."""
    try:
        return _indicators(plugin, tmp_path)
    except PluginError as exc:
        return [f"no app starts with the plugin: {exc}"]


def _indicators(plugin: ModuleType, tmp_path: Path) -> list[str]:
    from core.testkit import Kit, UserErrors

    registry = _registry(plugin)
    problems: list[str] = []
    for code in registry.schemes:
        for indicator in registry.indicators_of(code):
            name = f"indicator {code}.{indicator.key}"
            if not CODE_PATTERN.match(indicator.key):
                problems.append(f"{name}: key is not lower_snake_case")
            if not indicator.label.strip():
                problems.append(f"{name} has no label")
            if len(indicator.definition.strip()) < 10:
                problems.append(f"{name} has no real definition ({indicator.definition!r})")
    with _app(plugin, tmp_path) as app:
        kit = Kit(app)
        lonely = kit.organisation("Organisation sans offre", "LANDLORD")
        worlds = _worlds(kit, registry)
        for code, world in worlds.items():
            expected = {i.key for i in registry.indicators_of(code)}
            scopes: list[tuple[str, dict[str, Any]]] = [
                ("an organisation without offers", {"organisation": lonely, "scheme": code}),
                ("an offer without residents", {"offer": world.offer}),
                ("its landlord", {"organisation": world.landlord, "scheme": code}),
            ]
            for label, scope in scopes:
                try:
                    values = kit.indicators(start="2025-01-01", end="2025-12-31", **scope)
                except UserErrors as exc:
                    problems.append(f"{code} indicators over {label} fail: {exc}")
                    continue
                if set(values) != expected:
                    problems.append(
                        f"{code} indicators over {label}: {sorted(values)}, not {sorted(expected)}"
                    )
                for key, value in values.items():
                    if not value["definition"]:
                        problems.append(f"{code}.{key} over {label} answers without its definition")
    return problems


# -- migrations -------------------------------------------------------------------------------------
def _metadata(registry: Registry) -> MetaData:
    """The metadata of the core's tables and this plugin's, nothing else imported in the process."""
    metadata = MetaData()
    names = {str(t.__tablename__) for t in CORE_TABLES} | set(registry.tables)
    for name in sorted(names):
        SQLModel.metadata.tables[name].to_metadata(metadata)
    return metadata


def _database_urls(tmp_path: Path) -> Iterator[tuple[str, Callable[[], None]]]:
    from core.testing import create_database, drop_database, postgres_url

    yield f"sqlite:///{tmp_path / 'conformance-migrations.db'}", lambda: None
    base = postgres_url()
    if base is not None:
        url = create_database(base)
        yield url, lambda: drop_database(url, base)


def _tables(engine: Engine) -> set[str]:
    with engine.connect() as conn:
        return set(inspect(conn).get_table_names()) - {"alembic_version"}


def _differences(engine: Engine, metadata: MetaData) -> list[Any]:
    with engine.connect() as conn:
        return list(compare_metadata(MigrationContext.configure(conn), metadata))


def _round_trip(url: str, registry: Registry) -> list[str]:
    """Up, the plugin's branches down and up again, then down, on the database at ``url``."""
    from core.migrate import downgrade, upgrade

    metadata = _metadata(registry)
    core_names = {str(t.__tablename__) for t in CORE_TABLES}
    backend = url.split(":", 1)[0]
    problems: list[str] = []
    engine = create_engine(url)
    try:
        upgrade(url, registry)
        if diff := _differences(engine, metadata):
            problems.append(f"{backend}, after upgrade: models and migrations differ: {diff}")
        for branch in registry.migrations:
            downgrade(url, registry, f"{branch.label}@base")
        if left := _tables(engine) & set(registry.tables):
            problems.append(f"{backend}: the plugin's branch down leaves its tables {sorted(left)}")
        if not core_names <= _tables(engine):
            problems.append(f"{backend}: the plugin's branch down removed core tables")
        upgrade(url, registry)
        if diff := _differences(engine, metadata):
            problems.append(f"{backend}, after down and up again: models and migrations differ: {diff}")
        downgrade(url, registry, "base")
        if left := _tables(engine):
            problems.append(f"{backend}: down to base leaves {sorted(left)}")
    except Exception as exc:  # a failing migration is a finding, reported with the others
        problems.append(f"{backend}: migrations fail: {type(exc).__name__}: {exc}")
    finally:
        engine.dispose()
    return problems


def check_migrations(plugin: ModuleType, tmp_path: Path) -> list[str]:
    """Up, the plugin's branches down and up again, then down: the database always equals the models.

    Runs on SQLite, and on PostgreSQL too when ``THEMA_TEST_POSTGRES_URL`` is set.
    """
    registry = _registry(plugin)
    problems: list[str] = []
    for url, cleanup in _database_urls(tmp_path):
        try:
            problems.extend(_round_trip(url, registry))
        finally:
            cleanup()
    return problems


# -- imports ----------------------------------------------------------------------------------------
def _sources(plugin: ModuleType) -> tuple[str, list[Path]]:
    """The plugin's package name and its Python files (tests left out)."""
    file = Path(str(getattr(plugin, "__file__", "") or ""))
    if not file.name:
        return plugin.__name__, []
    if file.name == "__init__.py" or "." not in plugin.__name__:
        package, root = plugin.__name__, file.parent if file.name == "__init__.py" else None
    else:
        package, root = plugin.__name__.rsplit(".", 1)[0], file.parent
    if root is None:
        return package, [file]
    return package, sorted(p for p in root.rglob("*.py") if "tests" not in p.relative_to(root).parts)


def check_imports(plugin: ModuleType, tmp_path: Path) -> list[str]:
    """The plugin imports only the core's public API, and never another built-in plugin."""
    package, files = _sources(plugin)
    top = package.split(".")[0]
    problems: list[str] = []
    for path in files:
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names, line = [a.name for a in node.names], node.lineno
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names, line = [node.module], node.lineno
            for name in names:
                if (name == "core" or name.startswith("core.")) and name not in PUBLIC_MODULES:
                    problems.append(f"{path.name}:{line} imports {name}, not the core's public API")
                if top == "plugins" and name.startswith("plugins.") and not name.startswith(package):
                    problems.append(f"{path.name}:{line} imports another plugin: {name}")
                elif top != "plugins" and (name == "plugins" or name.startswith("plugins.")):
                    problems.append(f"{path.name}:{line} imports a built-in plugin: {name}")
    return problems


#: Every check, by name, in the order they run.
CHECKS: dict[str, Callable[[ModuleType, Path], list[str]]] = {
    "schemes": check_schemes,
    "tables": check_tables,
    "graphql": check_graphql,
    "sensitive_fields": check_sensitive_fields,
    "verdicts": check_verdicts,
    "indicators": check_indicators,
    "migrations": check_migrations,
    "imports": check_imports,
}


def check_plugin(plugin: ModuleType, tmp_path: Path, checks: Sequence[str] | None = None) -> list[str]:
    """The problems the named checks (default: all) find in the plugin's hooks module."""
    problems: list[str] = []
    for name in checks or list(CHECKS):
        if name not in CHECKS:
            raise ValueError(f"unknown conformance check {name!r}: one of {', '.join(CHECKS)}")
        folder = tmp_path / f"conformance-{name}"
        folder.mkdir(parents=True, exist_ok=True)
        problems.extend(f"[{name}] {p}" for p in CHECKS[name](plugin, folder))
    return problems


def assert_conforms(plugin: ModuleType, tmp_path: Path, checks: Sequence[str] | None = None) -> None:
    """Raise ``ConformanceError`` listing every problem the checks find (default: all of them)."""
    problems = check_plugin(plugin, tmp_path, checks)
    if problems:
        raise ConformanceError(
            f"plugin {plugin.__name__} does not conform ({len(problems)} problems):\n- "
            + "\n- ".join(problems)
        )
