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
    max_body_bytes: int = Field(default=256 * 1024, ge=1, description="Largest request body, in bytes.")
    max_upload_bytes: int = Field(
        default=50 * 1024 * 1024,
        ge=1,
        description="Largest multipart request body (GraphQL file uploads, e.g. importFile), in bytes.",
    )
    max_export_rows: int = Field(
        default=100_000, ge=1, description="Most rows one export (exportQuery, thema export query) may hold."
    )
    max_batch_size: int = Field(default=10, ge=1, description="Most operations in one batched request.")
    max_query_tokens: int = Field(
        default=5_000, ge=1, description="Most lexical tokens (and comments) in a GraphQL document."
    )
    max_query_depth: int = Field(
        default=15, ge=1, le=100, description="Deepest nesting of fields (and of fragments) in a query."
    )
    max_query_aliases: int = Field(default=50, ge=0, description="Most aliases in one operation.")
    max_duplicate_fields: int = Field(
        default=10, ge=1, description="Most times one field may be repeated in one selection."
    )
    max_query_directives: int = Field(default=50, ge=0, description="Most directives in one document.")
    max_query_cost: int = Field(
        default=20_000, ge=1, description="Highest estimated cost of a query (fields × page sizes)."
    )
    rate_limit_per_second: float = Field(
        default=10.0, ge=0, description="Requests per second per token or address, per worker; 0: off."
    )
    rate_limit_burst: int = Field(default=100, ge=1, description="Requests a caller may send at once.")
    introspection: Literal["always", "developers", "never"] = Field(
        default="developers",
        description="Who may introspect: everyone, callers with the developer permission, or no one.",
    )
    fixed_today: date | None = Field(
        default=None, description="Freeze 'today' (tests and demos); unset in production."
    )
    authenticators: list[str] = Field(
        default_factory=lambda: ["core.auth:TokenAuthenticator"],
        description="Authenticators tried in order (module:Class), e.g. an OIDC JWT one before tokens.",
    )
    sql_echo: bool = Field(default=False, description="Log SQL statements (never in production).")
    token_cache_seconds: float = Field(
        default=2.0,
        ge=0,
        description="Seconds a worker trusts credentials it has just checked, and the grants of the "
        "organisations it has just served, sparing database round trips per request; a revocation or "
        "a partnership change elsewhere takes at most this long to reach it. 0: off.",
    )
    gc_freeze: bool = Field(
        default=True,
        description="At start-up, put what the server built (schema, plugins, caches) out of the "
        "garbage collector's reach: its full collections then scan only what requests leave behind.",
    )
    gc_young_threshold: int = Field(
        default=10_000,
        ge=0,
        description="Allocations between two collections of the garbage collector's youngest "
        "generation (Python's default: 700). A page allocates tens of thousands of objects that live "
        "until it is answered, which every collection scans in vain. 0: Python's default.",
    )
    log_format: Literal["json", "text"] = Field(
        default="text", description="Log lines as JSON objects (production) or readable text."
    )
    log_level: str = Field(default="INFO", description="Level of thema's and uvicorn's logs.")
    metrics_token: str | None = Field(
        default=None, description="Bearer token of GET /metrics (Prometheus); unset: /metrics is off."
    )
    otel_endpoint: str | None = Field(
        default=None,
        description="OTLP/HTTP collector traces are sent to; unset: OTEL_EXPORTER_OTLP_ENDPOINT.",
    )
    retention_closed_household_days: int = Field(
        default=5 * 365,
        ge=0,
        description="Days after a household's closing date before `thema retention run` anonymises it "
        "(0: never).",
    )
    retention_departed_household_days: int = Field(
        default=5 * 365,
        ge=0,
        description="Days after a household's last occupancy ended (none open) before it is anonymised "
        "(0: never).",
    )
