"""The committed SDL matches the code, and every type, field and argument is described."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from graphql import GraphQLEnumType, GraphQLInputObjectType, GraphQLInterfaceType, GraphQLObjectType

from core.cli import render_schemas
from core.graphql.schema import build_schema
from core.plugins import build_registry
from core.settings import Settings

ROOT = Path(__file__).resolve().parents[2]


def test_export_schema_check_passes_on_the_committed_files() -> None:
    thema = Path(sys.executable).parent / "thema"
    result = subprocess.run(
        [str(thema), "export-schema", "--check"], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_committed_sdl_equals_the_rendered_schema() -> None:
    for path, sdl in render_schemas(Settings()).items():
        assert (ROOT / path).read_text(encoding="utf-8") == sdl, f"{path} is stale: run `make schema`"


def test_every_type_field_and_argument_has_a_description() -> None:
    schema = build_schema(build_registry(Settings(load_entrypoint_plugins=False)))._schema
    missing = []
    for name, t in schema.type_map.items():
        if name.startswith("__") or name in {"String", "Int", "Float", "Boolean", "ID"}:
            continue
        if not t.description:
            missing.append(name)
        if isinstance(t, GraphQLObjectType | GraphQLInterfaceType | GraphQLInputObjectType):
            for fname, field in t.fields.items():
                if not field.description:
                    missing.append(f"{name}.{fname}")
                for aname, arg in getattr(field, "args", {}).items():
                    if not arg.description:
                        missing.append(f"{name}.{fname}({aname})")
        if isinstance(t, GraphQLEnumType):
            continue
    assert missing == []
