"""The ``thema`` command line: serve, migrate, demo, export-schema, plugins."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy import func, select
from sqlmodel import Session

from core.scaffold import app as plugin_app
from core.settings import Settings
from core.tokens_cli import token_app

app = typer.Typer(help="thema: GraphQL backend for thematic housing offers.", no_args_is_help=True)
app.add_typer(plugin_app, name="plugin")
app.add_typer(token_app, name="token")
console = Console()
SCHEMA_DIR = Path("schema")
SNAPSHOTS = SCHEMA_DIR / "snapshots"


def _registry(settings: Settings):  # type: ignore[no-untyped-def]
    from core.plugins import PluginError, build_registry

    try:
        return build_registry(settings)
    except PluginError as exc:
        console.print(f"[red]Plugins: {exc}[/red]")
        raise typer.Exit(2) from exc


@app.command()
def serve(
    host: str = typer.Option(None, help="Address to listen on (THEMA_HOST, default 127.0.0.1)."),
    port: int = typer.Option(None, help="Port (THEMA_PORT, default 8000)."),
    workers: int = typer.Option(None, help="Worker processes (THEMA_WORKERS, default 1)."),
    reload: bool = typer.Option(False, help="Reload on code changes (development)."),
    timeout_graceful_shutdown: int = typer.Option(
        30, help="Seconds in-flight requests may take to finish after SIGTERM before being cut."
    ),
) -> None:
    """Serve the API and the explorer with uvicorn."""
    import uvicorn

    from core.logs import configure_logging

    settings = Settings()
    configure_logging(settings.log_format, settings.log_level)
    _registry(settings)  # fail fast, with a clear message, before forking workers
    h, p = host or settings.host, port or settings.port
    console.print(f"thema sert l'API sur http://{h}:{p}/graphql (explorateur dans le navigateur)")
    uvicorn.run(
        "core.app:factory",
        factory=True,
        host=h,
        port=p,
        workers=workers or settings.workers,
        reload=reload,
        log_config=None,  # core/logs.py configures logging, in each worker too (create_app)
        access_log=False,  # thema writes its own access line, with the operation and request id
        proxy_headers=True,
        timeout_graceful_shutdown=timeout_graceful_shutdown,
    )


@app.command()
def migrate(
    revision: str = typer.Argument("heads", help="Target revision (default: every branch head)."),
    down: bool = typer.Option(False, "--down", help="Downgrade to the revision instead."),
) -> None:
    """Apply (or revert) the migrations of the core and every installed plugin."""
    from core.migrate import downgrade, upgrade

    settings = Settings()
    reg = _registry(settings)
    if down:
        downgrade(settings.database_url, reg, revision if revision != "heads" else "base")
    else:
        upgrade(settings.database_url, reg, revision)
    console.print("Migrations appliquées.")


@app.command()
def demo(
    seed: int = typer.Option(42, help="Random seed: same seed, same data."),
    households: int = typer.Option(2000, help="Synthetic tenant households of the portfolios."),
    if_empty: bool = typer.Option(False, "--if-empty", help="Do nothing if the database has data."),
) -> None:
    """Load the demo dataset (source texts' residences and programmes, synthetic households)."""
    from core.db import make_engine
    from core.demo import run_demo
    from core.models import Organisation

    settings = Settings()
    reg = _registry(settings)
    engine = make_engine(settings.database_url)
    with Session(engine) as session:
        if session.execute(select(func.count()).select_from(Organisation)).scalar_one():
            if if_empty:
                console.print("Données déjà présentes : démo non rechargée.")
                return
            console.print("[red]La base contient déjà des données : utilisez une base vide.[/red]")
            raise typer.Exit(1)
        steps = 1 + len(reg.demo)
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            TextColumn("{task.completed}/{task.total}"),
            TimeElapsedColumn(),
            console=console,
        ) as progress:
            task = progress.add_task("démo", total=steps)

            done = iter(range(steps + 1))

            def step(name: str) -> None:
                progress.update(task, description=f"démo : {name}", completed=next(done))

            run_demo(session, reg, seed=seed, households=households, progress=step)
            progress.update(task, completed=steps, description="démo : terminé")
        session.commit()
    engine.dispose()
    console.print("Données de démonstration chargées.")


def render_schemas(settings: Settings) -> dict[Path, str]:
    """The SDL files: core with built-in plugins, core alone, and core with each built-in plugin alone."""
    from core.graphql.schema import build_schema
    from core.plugins import build_registry

    builtin = settings.model_copy(
        update={
            "load_entrypoint_plugins": False,
            "load_builtin_plugins": True,
            "plugins_allow": None,
            "plugins_block": [],
        }
    )
    registry = build_registry(builtin)
    full = build_schema(registry).as_str() + "\n"
    core_only = build_schema(build_registry(builtin, plugins=[])).as_str() + "\n"
    files = {SCHEMA_DIR / "schema.graphql": full, SCHEMA_DIR / "core.graphql": core_only}
    # One snapshot per built-in plugin alone: with core.graphql (core alone) and schema.graphql (all
    # of them), a diff shows when a plugin changes, or when one changes another's types.
    for info in registry.plugins:
        alone = build_registry(builtin.model_copy(update={"plugins_allow": [info.name]}))
        files[SNAPSHOTS / f"{info.name}.graphql"] = build_schema(alone).as_str() + "\n"
    return files


@app.command("export-schema")
def export_schema(
    check: bool = typer.Option(False, "--check", help="Fail if the committed files differ from the code."),
    directory: Path = typer.Option(SCHEMA_DIR, help="Where the SDL files live."),
) -> None:
    """Write the SDL of core + built-in plugins, of the core alone, and of each built-in plugin alone."""
    stale = []
    rendered = render_schemas(Settings())
    for path, sdl in rendered.items():
        target = directory / path.relative_to(SCHEMA_DIR)
        if check:
            if not target.exists() or target.read_text(encoding="utf-8") != sdl:
                stale.append(str(target))
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(sdl, encoding="utf-8")
            console.print(f"écrit {target}")
    expected = {directory / p.relative_to(SCHEMA_DIR) for p in rendered}
    for extra in sorted((directory / SNAPSHOTS.relative_to(SCHEMA_DIR)).glob("*.graphql")):
        if extra not in expected:  # the snapshot of a plugin no longer built in
            if check:
                stale.append(str(extra))
            else:
                extra.unlink()
                console.print(f"supprimé {extra}")
    if stale:
        console.print(f"[red]Schéma périmé : {', '.join(stale)}. Lancez « thema export-schema ».[/red]")
        raise typer.Exit(1)
    if check:
        console.print("Schéma à jour.")


@app.command()
def plugins() -> None:
    """List installed plugins: schemes, version, contract, source, where enabled."""
    from core.contract import CONTRACT_VERSION
    from core.db import make_engine
    from core.models import Organisation, SchemeEnablement

    settings = Settings()
    reg = _registry(settings)
    enabled: dict[str, list[str]] = {}
    try:
        engine = make_engine(settings.database_url)
        with Session(engine) as s:
            rows = s.execute(
                select(SchemeEnablement.scheme, Organisation.name)
                .join(Organisation, Organisation.id == SchemeEnablement.organisation_id)
                .where(SchemeEnablement.disabled_on.is_(None))
            )  # type: ignore[union-attr]
            for scheme, name in rows:
                enabled.setdefault(scheme, []).append(name)
        engine.dispose()
    except Exception:
        console.print("[yellow]Base de données inaccessible ou non migrée : activations inconnues.[/yellow]")
    table = Table(title=f"Plugins installés (contrat {CONTRACT_VERSION})")
    for col in ("plugin", "dispositifs", "version", "contrat", "source", "activé pour"):
        table.add_column(col)
    for p in reg.plugins:
        codes = [c for c, owner in reg.scheme_plugin.items() if owner == p.name]
        where = sorted({n for c in codes for n in enabled.get(c, [])})
        table.add_row(p.name, ", ".join(codes), p.version, p.contract, p.source, ", ".join(where) or "—")
    console.print(table)


def _add_batch() -> None:
    from core.batch import app as eligibility_app

    app.add_typer(eligibility_app, name="eligibility")


_add_batch()


def _add_doctor() -> None:
    from core.doctor import doctor

    app.command()(doctor)


_add_doctor()


def _add_dataio() -> None:
    from core.dataio.cli import register

    register(app)


_add_dataio()


def main() -> None:
    """Console entry point."""
    app()


if __name__ == "__main__":
    main()
