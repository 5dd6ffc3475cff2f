"""Configuration of a thema deployment, read from environment variables prefixed ``THEMA_``."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Every setting of a deployment; each field is documented in the README's configuration table."""

    model_config = SettingsConfigDict(env_prefix="THEMA_", env_file=".env", extra="ignore")

    database_url: str = Field(
        default="sqlite:///thema.db",
        description="SQLAlchemy URL of the database (SQLite file by default, PostgreSQL in production).",
    )
    environment: Literal["development", "production", "test"] = Field(
        default="development", description="Production masks errors and disables introspection."
    )
    builtin_plugins_module: str = Field(
        default="plugins",
        description="Package whose BUILTIN_PLUGINS tuple lists the built-in plugin hook modules.",
    )
    load_builtin_plugins: bool = Field(
        default=True, description="Load the built-in plugins listed by builtin_plugins_module."
    )
    load_entrypoint_plugins: bool = Field(
        default=True, description="Load third-party plugins from the 'thema.plugins' entry points."
    )
    plugins_allow: list[str] | None = Field(
        default=None,
        description="If set, only these plugin names are loaded (comma-separated list in JSON).",
    )
    plugins_block: list[str] = Field(
        default_factory=list, description="Plugin names never loaded, even if installed."
    )
    host: str = Field(default="127.0.0.1", description="Address the server listens on.")
    port: int = Field(default=8000, description="Port the server listens on.")
    workers: int = Field(default=1, description="Number of uvicorn worker processes.")
    readme_path: Path | None = Field(
        default=None,
        description="README whose GraphQL examples the explorer offers (default: the project's).",
    )
    max_page_size: int = Field(default=100, description="Largest `first` a connection accepts.")
    default_page_size: int = Field(default=20, description="Page size when `first` is omitted.")
    fixed_today: date | None = Field(
        default=None, description="Freeze 'today' (tests and demos); unset in production."
    )
    sql_echo: bool = Field(default=False, description="Log SQL statements (never in production).")
