"""The plugin host: finds plugins, checks them, and collects what they declare into a registry."""

from __future__ import annotations

import importlib
import importlib.metadata
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

import pluggy
from sqlmodel import SQLModel

from core import hookspecs
from core.contract import (
    CONTRACT_VERSION,
    DemoData,
    EligibilityRule,
    GraphQLContribution,
    Indicator,
    MigrationBranch,
    PluginInfo,
    Scheme,
    SensitiveField,
)
from core.models import CORE_TABLES
from core.settings import Settings


class PluginError(RuntimeError):
    """A plugin cannot be loaded: start-up stops with this message."""


class PluginConflict(PluginError):
    """Two plugins declare the same thing; the message names both."""


def contract_compatible(required: str, provided: str = CONTRACT_VERSION) -> bool:
    """Whether a plugin written for contract ``required`` runs on ``provided`` (same major, minor ≤)."""
    try:
        r_major, r_minor = (int(x) for x in required.split(".")[:2])
        p_major, p_minor = (int(x) for x in provided.split(".")[:2])
    except ValueError:
        return False
    return r_major == p_major and r_minor <= p_minor


@dataclass
class Registry:
    """Everything the installed plugins declared, collected once at start-up and checked."""

    plugins: list[PluginInfo] = field(default_factory=list)
    schemes: dict[str, Scheme] = field(default_factory=dict)
    scheme_plugin: dict[str, str] = field(default_factory=dict)
    tables: dict[str, tuple[str, type[SQLModel]]] = field(default_factory=dict)
    migrations: list[MigrationBranch] = field(default_factory=list)
    graphql: list[GraphQLContribution] = field(default_factory=list)
    rules: dict[str, EligibilityRule] = field(default_factory=dict)
    indicators: dict[str, dict[str, Indicator]] = field(default_factory=dict)
    sensitive_fields: list[SensitiveField] = field(default_factory=list)
    demo: list[DemoData] = field(default_factory=list)
    manager: pluggy.PluginManager | None = None

    def scheme(self, code: str) -> Scheme | None:
        """The installed scheme ``code``, if any."""
        return self.schemes.get(code)

    def indicators_of(self, code: str) -> list[Indicator]:
        """The indicators of scheme ``code`` in declaration order."""
        return list(self.indicators.get(code, {}).values())


def _plugin_name(module_name: str) -> str:
    parts = module_name.split(".")
    return parts[-2] if len(parts) >= 2 and parts[-1] == "hooks" else parts[-1]


def _module_version(module: ModuleType) -> str:
    version = getattr(module, "__version__", None)
    if version is None and "." in module.__name__:
        package = sys.modules.get(module.__name__.rsplit(".", 1)[0])
        version = getattr(package, "__version__", None)
    return str(version or "0.0.0")


def _import(dotted: str, what: str) -> ModuleType:
    try:
        return importlib.import_module(dotted)
    except ImportError as exc:
        raise PluginError(f"{what} {dotted!r} cannot be imported: {exc}") from exc


def discover(settings: Settings) -> list[tuple[str, ModuleType, str]]:
    """Find the plugins to load: (name, module, source), built-in first, filtered by settings."""
    found: list[tuple[str, ModuleType, str]] = []
    if settings.load_builtin_plugins:
        package = _import(settings.builtin_plugins_module, "built-in plugins package")
        for dotted in getattr(package, "BUILTIN_PLUGINS", ()):
            found.append((_plugin_name(dotted), _import(dotted, "built-in plugin"), "builtin"))
    if settings.load_entrypoint_plugins:
        for ep in importlib.metadata.entry_points(group=hookspecs.ENTRY_POINT_GROUP):
            try:
                module = ep.load()
            except ImportError as exc:
                raise PluginError(f"plugin {ep.name!r} ({ep.value}) cannot be imported: {exc}") from exc
            if not isinstance(module, ModuleType):
                raise PluginError(f"entry point {ep.name!r} must name a module, got {module!r}")
            dist = ep.dist.name if ep.dist else "?"
            found.append((ep.name, module, f"entrypoint:{dist}"))
    seen: dict[str, str] = {}
    for name, module, _ in found:
        if name in seen and seen[name] != module.__name__:
            raise PluginConflict(f"two plugins are named {name!r}: {seen[name]} and {module.__name__}")
        seen[name] = module.__name__
    unique = {name: (name, module, source) for name, module, source in found}
    allowed = settings.plugins_allow
    return [
        item
        for name, item in unique.items()
        if name not in settings.plugins_block and (allowed is None or name in allowed)
    ]


def _per_plugin(pm: pluggy.PluginManager, hook_name: str, **kwargs: Any) -> list[tuple[str, list[Any]]]:
    """Call ``hook_name`` on each plugin separately, so conflicts can name the plugins involved."""
    caller = getattr(pm.hook, hook_name)
    out = []
    for impl in caller.get_hookimpls():
        result = impl.function(**{k: kwargs[k] for k in impl.argnames})
        out.append((impl.plugin_name, list(result or ())))
    return out


def _collect(pm: pluggy.PluginManager, reg: Registry) -> None:
    for plugin, schemes in _per_plugin(pm, "register_schemes"):
        for s in schemes:
            if s.code in reg.schemes:
                raise PluginConflict(
                    f"scheme {s.code!r} is declared by plugin {reg.scheme_plugin[s.code]!r} "
                    f"and by plugin {plugin!r}"
                )
            reg.schemes[s.code] = s
            reg.scheme_plugin[s.code] = plugin
    core_tables = {str(t.__tablename__) for t in CORE_TABLES}
    for plugin, tables in _per_plugin(pm, "register_tables"):
        for t in tables:
            name = str(getattr(t, "__tablename__", t.__name__))
            if name in reg.tables:
                raise PluginConflict(
                    f"table {name!r} is declared by plugin {reg.tables[name][0]!r} and by plugin {plugin!r}"
                )
            if name in core_tables:
                raise PluginConflict(f"plugin {plugin!r} redeclares the core table {name!r}")
            reg.tables[name] = (plugin, t)
    for _plugin, branches in _per_plugin(pm, "register_migrations"):
        reg.migrations.extend(branches)
    for _plugin, contributions in _per_plugin(pm, "register_graphql"):
        reg.graphql.extend(contributions)
    for plugin, rules in _per_plugin(pm, "register_eligibility_rules"):
        for r in rules:
            if r.scheme not in reg.schemes:
                raise PluginError(f"plugin {plugin!r} declares a rule for unknown scheme {r.scheme!r}")
            if r.scheme in reg.rules:
                raise PluginConflict(
                    f"two eligibility rules for scheme {r.scheme!r} (the second from {plugin!r})"
                )
            reg.rules[r.scheme] = r
    for plugin, indicators in _per_plugin(pm, "register_indicators"):
        for ind in indicators:
            if ind.scheme not in reg.schemes:
                raise PluginError(
                    f"plugin {plugin!r} declares indicator {ind.key!r} for unknown scheme {ind.scheme!r}"
                )
            bucket = reg.indicators.setdefault(ind.scheme, {})
            if ind.key in bucket:
                raise PluginConflict(f"indicator {ind.scheme}.{ind.key} declared twice (again by {plugin!r})")
            bucket[ind.key] = ind
    for _plugin, fields in _per_plugin(pm, "register_sensitive_fields"):
        reg.sensitive_fields.extend(fields)
    for _plugin, demo in _per_plugin(pm, "register_demo_data"):
        reg.demo.extend(demo)


def build_registry(settings: Settings, plugins: Sequence[ModuleType | object] | None = None) -> Registry:
    """Load and check the plugins (the given ones, or those ``settings`` select) into a registry.

    Raises ``PluginError`` (or ``PluginConflict``) with a message naming the plugins involved:
    start-up never logs and continues.
    """
    pm = pluggy.PluginManager(hookspecs.PROJECT)
    pm.add_hookspecs(hookspecs)
    reg = Registry(manager=pm)
    items: list[tuple[str, Any, str]]
    if plugins is None:
        items = list(discover(settings))
    else:
        items = [(_plugin_name(getattr(p, "__name__", type(p).__name__)), p, "explicit") for p in plugins]
    for name, module, source in items:
        required = str(getattr(module, "THEMA_CONTRACT", CONTRACT_VERSION))
        if not contract_compatible(required):
            raise PluginError(
                f"plugin {name!r} needs plugin contract {required}, but this thema provides "
                f"{CONTRACT_VERSION}: upgrade thema or install a version of the plugin for "
                f"{CONTRACT_VERSION}"
            )
        if pm.is_registered(module):
            continue
        pm.register(module, name=name)
        version = _module_version(module) if isinstance(module, ModuleType) else "0.0.0"
        reg.plugins.append(PluginInfo(name, getattr(module, "__name__", name), version, required, source))
    try:
        pm.check_pending()
    except pluggy.PluginValidationError as exc:
        raise PluginError(f"{exc} (is a @hookimpl misspelled?)") from exc
    _collect(pm, reg)
    return reg


def hook_names() -> list[str]:
    """Names of every hook of the contract (for documentation checks)."""
    return sorted(
        name for name, obj in vars(hookspecs).items() if callable(obj) and hasattr(obj, "thema_spec")
    )


def call_prepare_context(reg: Registry, context: Any) -> None:
    """Run the per-request ``prepare_context`` hook of every plugin."""
    if reg.manager is not None:
        reg.manager.hook.prepare_context(context=context)
