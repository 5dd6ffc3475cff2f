"""Alembic, driven from code: one branch for the core and one per plugin, all upgraded together."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine

from core.plugins import Registry

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(database_url: str, registry: Registry) -> Config:
    """An Alembic config whose version locations are the core's and every plugin's branch."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    locations = [str(MIGRATIONS / "versions")] + [str(b.path) for b in registry.migrations]
    cfg.set_main_option("version_locations", " ".join(locations))
    cfg.set_main_option("path_separator", "space")
    cfg.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    cfg.attributes["registry"] = registry
    return cfg


def upgrade(database_url: str, registry: Registry, target: str = "heads") -> None:
    """Apply migrations up to ``target`` (all branch heads by default)."""
    command.upgrade(alembic_config(database_url, registry), target)


def downgrade(database_url: str, registry: Registry, target: str = "base") -> None:
    """Revert migrations down to ``target``."""
    command.downgrade(alembic_config(database_url, registry), target)


def pending(database_url: str, registry: Registry) -> list[str]:
    """Heads not yet applied to the database (empty when it is current)."""
    cfg = alembic_config(database_url, registry)
    script = ScriptDirectory.from_config(cfg)
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            current = set(MigrationContext.configure(conn).get_current_heads())
    finally:
        engine.dispose()
    heads = set(script.get_heads())
    applied: set[str] = set()
    for rev in current:
        applied.update(r.revision for r in script.iterate_revisions(rev, "base"))
    return sorted(h for h in heads if h not in applied)
