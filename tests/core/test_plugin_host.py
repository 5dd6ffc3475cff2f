"""The plugin host: discovery, allow/block lists, loud conflicts, pending hooks, contract versions."""

from __future__ import annotations

import types
from datetime import date

import pytest
import strawberry

from core import GraphQLContribution, Scheme, hookimpl
from core.app import create_app
from core.graphql.schema import build_schema
from core.plugins import PluginConflict, PluginError, build_registry, contract_compatible, hook_names
from core.settings import Settings
from tests.core import sample_plugin


def plugin(name: str, **hooks: object) -> types.ModuleType:
    """A throwaway plugin module with the given hook implementations."""
    module = types.ModuleType(name)
    for hook, fn in hooks.items():
        setattr(module, hook, hookimpl(fn))  # type: ignore[arg-type]
    return module


def scheme(code: str) -> Scheme:
    return Scheme(
        code=code, name=code, label=code, version="1", description="", effective_from=date(2020, 1, 1)
    )


def test_registry_collects_a_plugin_declarations() -> None:
    reg = build_registry(Settings(), plugins=[sample_plugin])
    assert list(reg.schemes) == ["sample"]
    assert reg.scheme_plugin == {"sample": "sample_plugin"}
    assert [i.key for i in reg.indicators_of("sample")] == ["occupied"]
    assert reg.plugins[0].version == "0.9.0" and reg.plugins[0].contract == "1.0"


def test_two_plugins_with_one_scheme_code_stop_startup_naming_both() -> None:
    a = plugin("plugins.alpha.hooks", register_schemes=lambda: [scheme("same")])
    b = plugin("plugins.beta.hooks", register_schemes=lambda: [scheme("same")])
    with pytest.raises(PluginConflict, match=r"'alpha'.*'beta'"):
        build_registry(Settings(), plugins=[a, b])


def test_two_plugins_with_one_table_stop_startup() -> None:
    class FakeTable:
        __tablename__ = "shared_table"

    a = plugin("plugins.alpha.hooks", register_tables=lambda: [FakeTable])
    b = plugin("plugins.beta.hooks", register_tables=lambda: [FakeTable])
    with pytest.raises(PluginConflict, match=r"shared_table.*'alpha'.*'beta'"):
        build_registry(Settings(), plugins=[a, b])


def test_plugin_cannot_redeclare_a_core_table() -> None:
    class Household:
        __tablename__ = "household"

    with pytest.raises(PluginConflict, match=r"core table 'household'"):
        build_registry(
            Settings(), plugins=[plugin("plugins.alpha.hooks", register_tables=lambda: [Household])]
        )


def test_misspelled_hook_fails_at_startup() -> None:
    bad = plugin("plugins.typo.hooks", register_shemes=lambda: [])
    with pytest.raises(PluginError, match=r"register_shemes"):
        build_registry(Settings(), plugins=[bad])


def test_incompatible_contract_version_is_refused() -> None:
    future = plugin("plugins.future.hooks", register_schemes=lambda: [scheme("future")])
    future.THEMA_CONTRACT = "2.0"  # type: ignore[attr-defined]
    with pytest.raises(PluginError, match=r"needs plugin contract 2.0"):
        build_registry(Settings(), plugins=[future])
    assert contract_compatible("1.0") and not contract_compatible("1.9") and not contract_compatible("0.9")


def test_graphql_field_added_twice_stops_startup_naming_both() -> None:
    @strawberry.type
    class A:
        @strawberry.field(description="x")
        def twin(self) -> int:
            return 1

    @strawberry.type
    class B:
        @strawberry.field(description="x")
        def twin(self) -> int:
            return 2

    a = plugin(
        "plugins.alpha.hooks",
        register_graphql=lambda: [GraphQLContribution(owner="alpha", extend={"Household": A})],
    )
    b = plugin(
        "plugins.beta.hooks",
        register_graphql=lambda: [GraphQLContribution(owner="beta", extend={"Household": B})],
    )
    with pytest.raises(PluginConflict, match=r"Household.twin.*'beta'.*'alpha'"):
        build_schema(build_registry(Settings(), plugins=[a, b]))


def test_plugin_cannot_shadow_a_core_field() -> None:
    @strawberry.type
    class Shadow:
        @strawberry.field(description="x")
        def reference(self) -> str:
            return "shadow"

    p = plugin(
        "plugins.alpha.hooks",
        register_graphql=lambda: [GraphQLContribution(owner="alpha", extend={"Household": Shadow})],
    )
    with pytest.raises(PluginConflict, match=r"Household.reference.*the core"):
        build_schema(build_registry(Settings(), plugins=[p]))


def test_extending_a_non_extensible_type_is_refused() -> None:
    @strawberry.type
    class X:
        @strawberry.field(description="x")
        def extra(self) -> int:
            return 1

    p = plugin(
        "plugins.alpha.hooks",
        register_graphql=lambda: [GraphQLContribution(owner="alpha", extend={"Verdict": X})],
    )
    with pytest.raises(PluginConflict, match=r"not extensible"):
        build_schema(build_registry(Settings(), plugins=[p]))


def test_blocked_and_allowed_plugins_follow_settings() -> None:
    settings = Settings(load_entrypoint_plugins=False)
    every = {p.name for p in build_registry(settings).plugins}
    if not every:
        pytest.skip("no built-in plugin installed")
    blocked = sorted(every)[0]
    reg = build_registry(settings.model_copy(update={"plugins_block": [blocked]}))
    assert blocked not in {p.name for p in reg.plugins}
    reg = build_registry(settings.model_copy(update={"plugins_allow": [blocked]}))
    assert {p.name for p in reg.plugins} == {blocked}


def test_sample_plugin_fields_appear_in_the_schema_only_when_loaded() -> None:
    with_plugin = build_schema(build_registry(Settings(), plugins=[sample_plugin])).as_str()
    without = build_schema(build_registry(Settings(), plugins=[])).as_str()
    assert "sampleGreeting" in with_plugin and "samplePing" in with_plugin
    assert "sampleGreeting" not in without


def test_create_app_does_no_work_at_import() -> None:
    import importlib

    import core.app

    importlib.reload(core.app)  # importing builds nothing: no registry, no engine
    app = create_app(Settings(database_url="sqlite://"), plugins=[sample_plugin])
    assert app.state.registry.schemes.keys() == {"sample"}


def test_every_hook_is_documented_with_example_and_version() -> None:
    from core import hookspecs

    for name in hook_names():
        doc = getattr(hookspecs, name).__doc__ or ""
        assert "Example" in doc and "Added in" in doc, name
