"""Schema snapshots per plugin combination: a plugin cannot change another's types unnoticed.

``schema/core.graphql`` is the core alone, ``schema/snapshots/<plugin>.graphql`` the core with one
built-in plugin, ``schema/schema.graphql`` all of them. Committed, regenerated here and compared;
and the whole schema must be exactly the core plus what each plugin adds when alone.
"""

from __future__ import annotations

from pathlib import Path

from graphql import GraphQLObjectType, build_schema, print_type

from core.cli import SNAPSHOTS, render_schemas
from core.plugins import build_registry
from core.settings import Settings

ROOT = Path(__file__).resolve().parents[2]


def _types(sdl: str) -> dict[str, str]:
    schema = build_schema(sdl)
    return {n: print_type(t) for n, t in schema.type_map.items() if not n.startswith("__")}


def _fields(sdl: str) -> dict[tuple[str, str], str]:
    schema = build_schema(sdl)
    out = {}
    for name, t in schema.type_map.items():
        if isinstance(t, GraphQLObjectType) and not name.startswith("__"):
            out.update(
                {(name, f): str(field.type) + str(sorted(field.args)) for f, field in t.fields.items()}
            )
    return out


def test_every_builtin_plugin_has_a_committed_snapshot_equal_to_the_code() -> None:
    rendered = render_schemas(Settings())
    plugins = [p.name for p in build_registry(Settings(load_entrypoint_plugins=False)).plugins]
    assert sorted(p.stem for p in rendered if p.parent == SNAPSHOTS) == sorted(plugins)
    for path, sdl in rendered.items():
        assert (ROOT / path).read_text(encoding="utf-8") == sdl, f"{path} is stale: run `thema export-schema`"
    committed = {p.name for p in (ROOT / SNAPSHOTS).glob("*.graphql")}
    assert committed == {f"{name}.graphql" for name in plugins}, "a snapshot of a plugin no longer built in"


def test_all_plugins_together_are_the_core_plus_each_plugin_alone() -> None:
    rendered = render_schemas(Settings())
    core = _types(rendered[Path("schema/core.graphql")])
    together = _types(rendered[Path("schema/schema.graphql")])
    core_fields = _fields(rendered[Path("schema/core.graphql")])
    together_fields = _fields(rendered[Path("schema/schema.graphql")])
    expected_types = set(core)
    expected_fields = dict(core_fields)
    for path, sdl in rendered.items():
        if path.parent != SNAPSHOTS:
            continue
        alone = _types(sdl)
        for name, printed in alone.items():
            if name not in core:
                # A type the plugin adds reads the same whatever other plugins are installed.
                assert together.get(name) == printed, f"{path.stem}'s type {name} differs with all plugins"
                expected_types.add(name)
        for key, signature in _fields(sdl).items():
            if key not in core_fields:
                assert together_fields.get(key) == signature, f"{path.stem}'s field {key} differs"
                expected_fields[key] = signature
    assert set(together) == expected_types, "types appear only when plugins are combined"
    assert together_fields == expected_fields, "fields appear or change only when plugins are combined"
