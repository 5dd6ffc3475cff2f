"""``thema doctor``: checks a deployment (database, migrations, plugins, settings) and says what to fix.

``database_state`` is also what ``/readyz`` answers from, so the probe and the doctor agree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import typer
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from rich.console import Console
from rich.table import Table
from sqlalchemy import text
from sqlalchemy.engine import Engine, make_url

from core.settings import Settings

Status = Literal["ok", "warning", "error"]


@dataclass(frozen=True)
class Finding:
    """One check's verdict: what was found (French) and, when it is not ok, what to do."""

    check: str
    status: Status
    message: str
    fix: str = ""


@dataclass
class DatabaseState:
    """Whether the database answers, and which migration heads it lacks or does not know."""

    reachable: bool
    error: str = ""
    pending: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)

    @property
    def ready(self) -> bool:
        """Reachable, every head applied, no revision the code does not know."""
        return self.reachable and not self.pending and not self.unknown


def database_state(engine: Engine, registry: object) -> DatabaseState:
    """Connect with ``engine`` and compare the applied revisions with the code's migration heads."""
    from core.migrate import alembic_config

    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
            current = set(MigrationContext.configure(conn).get_current_heads())
    except Exception as exc:  # any driver error means the same thing to an operator: unreachable
        return DatabaseState(reachable=False, error=type(exc).__name__)
    url = engine.url.render_as_string(hide_password=False)
    script = ScriptDirectory.from_config(alembic_config(url, registry))  # type: ignore[arg-type]
    applied: set[str] = set()
    unknown: list[str] = []
    for rev in current:
        try:
            applied.update(r.revision for r in script.iterate_revisions(rev, "base") if r is not None)
        except Exception:  # a revision of newer code (or of a plugin no longer installed)
            unknown.append(rev)
    pending = sorted(h for h in script.get_heads() if h not in applied)
    return DatabaseState(reachable=True, pending=pending, unknown=sorted(unknown))


def _database_findings(settings: Settings, registry: object) -> list[Finding]:
    from core.db import make_engine

    url = make_url(settings.database_url)
    file = url.database if url.get_backend_name() == "sqlite" else None
    if file not in (None, "", ":memory:") and not Path(str(file)).exists():  # connecting would create it
        return [
            Finding(
                "base de données",
                "error",
                f"Fichier SQLite absent : {url.database}.",
                "Vérifiez THEMA_DATABASE_URL, ou créez la base avec « thema migrate ».",
            )
        ]
    engine = make_engine(settings.database_url)
    try:
        state = database_state(engine, registry)
        found: list[Finding] = []
        if not state.reachable:
            return [
                Finding(
                    "base de données",
                    "error",
                    f"Base inaccessible ({state.error}) : {_safe_url(settings.database_url)}.",
                    "Vérifiez THEMA_DATABASE_URL (hôte, port, nom, identifiants) et que le serveur tourne.",
                )
            ]
        found.append(
            Finding("base de données", "ok", f"Base joignable : {_safe_url(settings.database_url)}.")
        )
        if state.pending:
            found.append(
                Finding(
                    "migrations",
                    "error",
                    f"Migrations non appliquées : {', '.join(state.pending)}.",
                    "Lancez « thema migrate » avec la même configuration.",
                )
            )
        elif state.unknown:
            found.append(
                Finding(
                    "migrations",
                    "error",
                    f"La base porte des révisions inconnues de ce code : {', '.join(state.unknown)}.",
                    "Déployez la version du code (et des plugins) qui a migré cette base.",
                )
            )
        else:
            found.append(Finding("migrations", "ok", "Migrations à jour."))
        if engine.dialect.name == "postgresql":
            found.append(_role_finding(engine, settings))
        return found
    finally:
        engine.dispose()


def _role_finding(engine: Engine, settings: Settings) -> Finding:
    with engine.connect() as conn:
        row = conn.execute(
            text("SELECT current_user, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user")
        ).one()
    user, superuser, bypass = row
    if not (superuser or bypass):
        return Finding("rôle PostgreSQL", "ok", f"Le rôle « {user} » est soumis à la sécurité par ligne.")
    what = "superutilisateur" if superuser else "BYPASSRLS"
    return Finding(
        "rôle PostgreSQL",
        "error" if settings.environment == "production" else "warning",
        f"Le rôle « {user} » est {what} : la sécurité par ligne (migration 0003) ne le filtre pas.",
        "Connectez l'application avec un rôle ordinaire propriétaire des tables (NOSUPERUSER NOBYPASSRLS).",
    )


def _safe_url(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "(URL illisible)"


def _settings_findings(settings: Settings) -> list[Finding]:
    prod = settings.environment == "production"
    found: list[Finding] = []

    def check(bad: bool, name: str, status: Status, message: str, fix: str) -> None:
        if bad:
            found.append(Finding(name, status, message, fix))

    sqlite = settings.database_url.startswith("sqlite")
    check(
        prod and sqlite,
        "base de données",
        "error",
        "SQLite en production : un seul écrivain, un seul serveur.",
        "Utilisez PostgreSQL : THEMA_DATABASE_URL=postgresql+psycopg://…",
    )
    check(
        prod and settings.sql_echo,
        "journaux",
        "error",
        "THEMA_SQL_ECHO en production : les requêtes SQL et leurs valeurs (données personnelles) "
        "sont journalisées.",
        "Retirez THEMA_SQL_ECHO.",
    )
    check(
        prod and settings.fixed_today is not None,
        "date",
        "error",
        f"THEMA_FIXED_TODAY fige la date au {settings.fixed_today} en production.",
        "Retirez THEMA_FIXED_TODAY.",
    )
    check(
        prod and settings.introspection == "always",
        "introspection",
        "warning",
        "Introspection ouverte à tous en production : tout appelant authentifié lit le schéma complet.",
        "THEMA_INTROSPECTION=developers (jetons avec la permission developer) ou never.",
    )
    check(
        prod and settings.rate_limit_per_second == 0,
        "limite de débit",
        "warning",
        "Limite de débit désactivée (THEMA_RATE_LIMIT_PER_SECOND=0).",
        "Donnez une limite (10 par défaut), ou assurez-la au proxy inverse.",
    )
    check(
        prod and settings.log_format != "json",
        "journaux",
        "warning",
        "Journaux en texte en production : difficiles à indexer.",
        "THEMA_LOG_FORMAT=json",
    )
    check(
        settings.metrics_token is not None and len(settings.metrics_token) < 16,
        "métriques",
        "warning",
        "THEMA_METRICS_TOKEN est trop court (moins de 16 caractères).",
        "Utilisez un secret aléatoire : python -c 'import secrets; print(secrets.token_urlsafe(32))'",
    )
    check(
        not sqlite and settings.workers > 1 and settings.rate_limit_per_second > 0,
        "limite de débit",
        "ok",
        f"Limite de débit par processus : {settings.workers} workers laissent passer "
        f"{settings.workers}× THEMA_RATE_LIMIT_PER_SECOND.",
        "",
    )
    from core import tracing

    if tracing.endpoint(settings) is not None:
        try:
            import opentelemetry.exporter.otlp.proto.http
            import opentelemetry.sdk  # noqa: F401
        except ImportError:
            found.append(
                Finding(
                    "traces",
                    "warning",
                    "Traces configurées mais OpenTelemetry n'est pas installé : aucune trace n'est envoyée.",
                    "pip install 'thema[otel]'",
                )
            )
        else:
            found.append(Finding("traces", "ok", f"Traces envoyées à {tracing.endpoint(settings)}."))
    try:
        from core.auth import load_authenticators

        load_authenticators(settings.authenticators)
    except Exception as exc:
        found.append(
            Finding(
                "authentification",
                "error",
                f"Authentificateur introuvable dans THEMA_AUTHENTICATORS ({type(exc).__name__}: {exc}).",
                "Corrigez les chemins module:Classe, ou installez le paquet qui les fournit.",
            )
        )
    return found


def run_checks(settings: Settings) -> list[Finding]:
    """Every check of a deployment, in the order an operator fixes them."""
    from core.contract import CONTRACT_VERSION
    from core.plugins import PluginError, build_registry

    found = _settings_findings(settings)
    try:
        registry = build_registry(settings)
    except PluginError as exc:
        found.append(
            Finding(
                "plugins",
                "error",
                f"Les plugins ne se chargent pas : {exc}",
                "Installez une version compatible, ou écartez le plugin (THEMA_PLUGINS_BLOCK).",
            )
        )
        return found
    listed = ", ".join(f"{p.name} {p.version} (contrat {p.contract})" for p in registry.plugins) or "aucun"
    found.append(Finding("plugins", "ok", f"Contrat {CONTRACT_VERSION} ; plugins chargés : {listed}."))
    found.extend(_database_findings(settings, registry))
    return found


_STYLE = {"ok": "[green]ok[/green]", "warning": "[yellow]attention[/yellow]", "error": "[red]erreur[/red]"}


def doctor() -> None:
    """Check the deployment configured by the environment; exit 1 if anything must be fixed."""
    console = Console()
    settings = Settings()
    findings = run_checks(settings)
    table = Table(title=f"thema doctor — environnement {settings.environment}")
    for column in ("vérification", "état", "constat", "à faire"):
        table.add_column(column, overflow="fold")
    for f in findings:
        table.add_row(f.check, _STYLE[f.status], f.message, f.fix)
    console.print(table)
    errors = sum(f.status == "error" for f in findings)
    warnings = sum(f.status == "warning" for f in findings)
    if errors:
        console.print(f"[red]{errors} erreur(s) à corriger[/red], {warnings} avertissement(s).")
        raise typer.Exit(1)
    console.print(f"[green]Déploiement en état de servir[/green] ; {warnings} avertissement(s).")
