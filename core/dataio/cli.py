"""``thema import``, ``thema export``, ``thema rights`` and ``thema retention``: data in and out."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy import select
from sqlmodel import Session

from core.settings import Settings

console = Console()
retention_app = typer.Typer(help="Retention periods: anonymise households whose term has ended.")
rights_app = typer.Typer(help="Data-subject rights: right of access and anonymisation of a household.")


def _setup() -> tuple[Settings, Any, Any]:
    from core.db import make_engine
    from core.plugins import build_registry

    settings = Settings()
    return settings, build_registry(settings), make_engine(settings.database_url)


def _household(session: Session, org: int, reference: str) -> int:
    from core.models import Household

    pk = session.execute(
        select(Household.id).where(Household.owner_id == org, Household.reference == reference)
    ).scalar_one_or_none()
    if pk is None:
        console.print(f"[red]Ménage « {reference} » introuvable dans l'organisation {org}.[/red]")
        raise typer.Exit(1)
    return int(pk)


def import_command(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="CSV or XLSX file."),
    org: int = typer.Option(..., "--org", help="Organisation (primary key) the rows belong to."),
    kind: str = typer.Option(
        None,
        "--kind",
        help="units, households, occupancies, referrals or support_episodes (default: guessed).",
    ),
    apply: bool = typer.Option(False, "--apply", help="Write the rows (all or nothing); default: dry run."),
    report: Path = typer.Option(None, "--report", help="Write the annotated XLSX (« Erreurs » column) here."),
    mapping: list[str] = typer.Option(
        [],
        "--map",
        help='A header the import does not recognise and its field: --map "Code bâtiment=site" '
        "(repeatable; an empty field ignores the column).",
    ),
) -> None:
    """Import a landlord's file: dry run by default, all or nothing with --apply."""
    from core.dataio.importer import ImportKind, parse_mapping, run_import

    try:
        columns = parse_mapping(mapping)
        chosen = ImportKind(kind) if kind else None
    except ValueError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    _settings, _registry, engine = _setup()
    with (
        Session(engine) as session,
        Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            TaskProgressColumn(),
            TimeElapsedColumn(),
            console=console,
        ) as progress,
    ):
        task = progress.add_task("import", total=1)
        stages: set[str] = set()

        def step(stage: str, done: int, total: int) -> None:
            progress.update(task, description=f"import : {stage}", completed=done, total=max(total, 1))
            if not console.is_terminal and stage not in stages:
                # Logs (cron, CI) get one line per stage: the live bar is drawn on terminals only.
                stages.add(stage)
                console.print(f"import : {stage}…")

        result = run_import(
            session,
            org,
            file.name,
            file.read_bytes(),
            kind=chosen,
            apply=apply,
            progress=step,
            columns=columns,
        )
        progress.update(task, completed=1, total=1)
    engine.dispose()
    if result.columns:
        read = ", ".join(f"« {c.header} » → {c.label}" for c in result.columns)
        console.print(f"[cyan]Colonnes lues : {read}[/cyan]")
    for notice in result.notices:
        console.print(f"[cyan]Note : {notice}[/cyan]")
    for e in result.errors[:200]:
        console.print(f"[red]{e.text()}[/red]")
    if len(result.errors) > 200:
        console.print(f"… et {len(result.errors) - 200} autres problèmes (voir --report).")
    console.print(result.summary())
    if report is not None and result.lines:
        report.write_bytes(result.annotated_xlsx())
        console.print(f"Rapport annoté : {report}")
    if result.errors:
        raise typer.Exit(1)


def export_command(
    kind: str = typer.Argument(
        ...,
        help="households, members, units, sites, offers, organisations, partnerships, occupancies, "
        "referrals, support_episodes, audit_events, residents, candidates, indicators; or query "
        "followed by a .graphql file (any connection).",
    ),
    query_file: Path = typer.Argument(
        None, exists=True, dir_okay=False, help="With `query`: the GraphQL query to export."
    ),
    org: int = typer.Option(
        ..., "--org", help="Export as a user of this organisation (its access rules apply)."
    ),
    offer: int = typer.Option(None, "--offer", help="The offer (residents, candidates, indicators)."),
    output: Path = typer.Option(..., "--output", "-o", help="File to write (.csv or .xlsx)."),
    permission: list[str] = typer.Option(
        [], "--permission", help="Sensitive permission granted (repeatable)."
    ),
    role: str = typer.Option("staff", "--role", help="Role of the user: staff, viewer, admin or auditor."),
    variables: str = typer.Option(None, "--variables", help="With `query`: its variables, as JSON."),
) -> None:
    """Export what a user of ORG may read; sensitive columns only with --permission (audited)."""
    import asyncio

    from core.audit import record_audit
    from core.auth import Caller
    from core.context import RequestContext
    from core.dataio.exporter import ExportKind, export, export_query, render
    from core.graphql.relay import to_global_id
    from core.graphql.schema import build_schema
    from core.models import Role
    from core.security import QueryLimits

    try:
        chosen = None if kind == "query" else ExportKind(kind)
        values = json.loads(variables) if variables else None
        caller_role = Role(role)
    except ValueError as exc:
        console.print(f"[red]Argument invalide : {exc}[/red]")
        raise typer.Exit(2) from exc
    if chosen is None and query_file is None:
        console.print("[red]thema export query FICHIER.graphql : précisez le fichier de la requête.[/red]")
        raise typer.Exit(2)
    settings, registry, engine = _setup()
    caller = Caller("cli", caller_role, org, permissions=frozenset(permission))
    ctx = RequestContext(
        settings=settings, registry=registry, engine=engine, caller=caller, today=settings.fixed_today
    )
    try:
        if chosen is None:
            schema = build_schema(registry, limits=QueryLimits.from_settings(settings))
            table = asyncio.run(export_query(ctx, schema, query_file.read_text(encoding="utf-8"), values))
        else:
            table = export(ctx, chosen, offer_id=to_global_id("Offer", offer) if offer else None)
    except Exception as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from exc
    finally:
        ctx.close()
    content, _ = render(table, "xlsx" if output.suffix.lower() == ".xlsx" else "csv")
    output.write_bytes(content)
    record_audit(engine, ctx.audit)
    engine.dispose()
    if table.omitted:
        console.print(f"Colonnes sensibles omises : {', '.join(table.omitted)}")
    console.print(f"{len(table.rows)} lignes écrites dans {output}.")


@rights_app.command("access")
def rights_access(
    reference: str = typer.Argument(..., help="The household's reference."),
    org: int = typer.Option(..., "--org", help="The household's organisation."),
    output: Path = typer.Option(
        None, "--output", "-o", help="JSON file to write (default: standard output)."
    ),
) -> None:
    """Right of access: everything held on one household, as JSON (sensitive fields included, audited)."""
    from core.audit import record_audit, sensitive_read
    from core.dataio.rights import household_export

    _settings, registry, engine = _setup()
    with Session(engine) as session:
        pk = _household(session, org, reference)
        data, _ = household_export(session, registry, pk, None)
    event = sensitive_read("cli", None, org, pk, "Household", "*")
    event["action"] = "access_export"
    record_audit(engine, [event])
    engine.dispose()
    text = json.dumps(
        {"household": reference, "exportedOn": date.today().isoformat(), "tables": data},
        ensure_ascii=False,
        indent=2,
    )
    if output:
        output.write_text(text, encoding="utf-8")
        console.print(f"Données du ménage écrites dans {output}.")
    else:
        print(text)


@rights_app.command("anonymise")
def rights_anonymise(
    reference: str = typer.Argument(..., help="The household's reference."),
    org: int = typer.Option(..., "--org", help="The household's organisation."),
    reason: str = typer.Option("request", help="Why (kept in the audit trail)."),
) -> None:
    """Anonymise one household on request (audited; the audit trail is kept)."""
    from core.dataio.rights import anonymise

    _settings, registry, engine = _setup()
    with Session(engine) as session:
        pk = _household(session, org, reference)
        counts = anonymise(session, registry, pk, actor="cli", actor_organisation_id=None, reason=reason)
        session.commit()
    engine.dispose()
    console.print(f"Ménage anonymisé : {counts}")


@retention_app.command("run")
def retention_run(
    apply: bool = typer.Option(False, "--apply", help="Anonymise them; default: dry run (report only)."),
) -> None:
    """List (or anonymise, with --apply) the households whose retention period has ended."""
    from core.dataio.rights import run_retention

    settings, registry, engine = _setup()
    today = settings.fixed_today or date.today()
    with Session(engine) as session:
        due = run_retention(session, registry, settings, today, apply)
    engine.dispose()
    table = Table("Ménage", "Référence", "Règle", "Depuis", title="Durées de conservation échues")
    for d in due:
        table.add_row(str(d.household_id), d.reference, d.rule, d.since.strftime("%d/%m/%Y"))
    console.print(table)
    verb = "anonymisés" if apply else "à anonymiser (essai à blanc : relancez avec --apply)"
    console.print(f"{len(due)} ménages {verb}.")


def register(app: typer.Typer) -> None:
    """Add the data commands to the ``thema`` application."""
    app.command("import")(import_command)
    app.command("export")(export_command)
    app.add_typer(rights_app, name="rights")
    app.add_typer(retention_app, name="retention")
