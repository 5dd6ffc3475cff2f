"""``thema token``: create, list and revoke bearer tokens (secrets are shown once, stored hashed)."""

from __future__ import annotations

from datetime import date

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import or_, select
from sqlmodel import Session

from core.auth import DEVELOPER, create_token, describe, revoke_token
from core.db import make_engine
from core.models import ApiToken, Organisation, Role
from core.plugins import build_registry
from core.services.schemes import enabled_schemes
from core.settings import Settings

token_app = typer.Typer(help="Bearer tokens: create, list, revoke.", no_args_is_help=True)
console = Console()

#: Demo tokens printed by ``make run``: label, organisation name, role, permissions, and whether
#: the token also reads the sensitive fields of the schemes its organisation runs.
DEMO_TOKENS: tuple[tuple[str, str | None, Role, tuple[str, ...], bool], ...] = (
    ("opérateur plateforme (tout voir sauf les champs sensibles)", None, Role.PLATFORM, (DEVELOPER,), False),
    ("bailleur Clésence, administrateur", "Clésence", Role.ADMIN, (DEVELOPER,), False),
    (
        "association Accueil & Promotion, équipe (champs sensibles)",
        "Accueil & Promotion",
        Role.STAFF,
        (),
        True,
    ),
    ("SIAO de l'Aisne, orientations", "SIAO de l'Aisne", Role.STAFF, (), False),
    ("Clésence, auditeur", "Clésence", Role.AUDITOR, (), False),
)


def _organisation(session: Session, ref: str) -> Organisation:
    stmt = select(Organisation).where(
        or_(Organisation.name == ref, Organisation.id == (int(ref) if ref.isdigit() else -1))
    )
    org = session.execute(stmt).scalars().first()
    if org is None:
        console.print(f"[red]Organisation introuvable : {ref}[/red]")
        raise typer.Exit(1)
    return org  # type: ignore[no-any-return]


@token_app.command("create")
def create(
    org: str = typer.Option(None, "--org", help="Organisation (name or id); omit with --role platform."),
    role: Role = typer.Option(Role.STAFF, "--role", help="admin, staff, viewer, auditor or platform."),
    permission: list[str] = typer.Option(
        [],
        "--permission",
        "-p",
        help="Extra permission: <scheme>.<category> (sensitive fields), households.confidential, developer.",
    ),
    label: str = typer.Option("", help="A note to recognise the token."),
    days: int = typer.Option(None, help="Expire after this many days."),
) -> None:
    """Create a token and print its secret (shown once)."""
    settings = Settings()
    engine = make_engine(settings.database_url)
    with Session(engine) as session:
        org_id = _organisation(session, org).id if org else None
        try:
            secret, row = create_token(
                session, organisation_id=org_id, role=role, permissions=permission, label=label, days=days
            )
        except ValueError as exc:
            console.print(f"[red]{exc}[/red]")
            raise typer.Exit(2) from exc
        session.commit()
        console.print(describe(row))
        typer.echo(secret)
    engine.dispose()


@token_app.command("revoke")
def revoke(token: str = typer.Argument(..., help="Token id, prefix or secret.")) -> None:
    """Revoke a token: requests carrying it get 401 from now on."""
    settings = Settings()
    engine = make_engine(settings.database_url)
    with Session(engine) as session:
        count = revoke_token(session, token)
        session.commit()
    engine.dispose()
    if not count:
        console.print("[red]Aucun jeton actif ne correspond.[/red]")
        raise typer.Exit(1)
    console.print(f"{count} jeton(s) révoqué(s).")


@token_app.command("list")
def list_tokens() -> None:
    """List tokens (never their secrets)."""
    settings = Settings()
    engine = make_engine(settings.database_url)
    table = Table(title="Jetons")
    for col in ("id", "préfixe", "rôle", "organisation", "permissions", "libellé", "état"):
        table.add_column(col)
    with Session(engine) as session:
        rows = session.execute(
            select(ApiToken, Organisation.name).outerjoin(Organisation, Organisation.id == ApiToken.owner_id)
        ).all()
        for tok, name in rows:
            state = "révoqué" if tok.revoked_at else "actif"
            table.add_row(
                str(tok.id),
                tok.prefix,
                tok.role.value,
                name or "plateforme",
                ", ".join(tok.permissions),
                tok.label,
                state,
            )
    engine.dispose()
    console.print(table)


@token_app.command("demo")
def demo_tokens(port: int = typer.Option(None, help="Port shown in the explorer links.")) -> None:
    """Revoke the previous demo tokens and print fresh ones for a few roles (``make run``)."""
    settings = Settings()
    registry = build_registry(settings)
    engine = make_engine(settings.database_url)
    lines = []
    with Session(engine) as session:
        for old in session.execute(select(ApiToken).where(ApiToken.label.startswith("démo : "))).scalars():  # type: ignore[attr-defined]
            if old.revoked_at is None:
                revoke_token(session, str(old.id))
        for label, org_name, role, perms, sensitive in DEMO_TOKENS:
            org = session.execute(select(Organisation).where(Organisation.name == org_name)).scalars().first()
            if org_name is not None and org is None:
                continue
            if sensitive and org is not None and org.id is not None:
                runs = enabled_schemes(session, [org.id], date.today())[org.id]
                perms = perms + tuple(f.permission for f in registry.sensitive_fields if f.scheme in runs)
            secret, _ = create_token(
                session,
                organisation_id=org.id if org else None,
                role=role,
                permissions=perms,
                label=f"démo : {label}",
            )
            lines.append((label, secret))
        session.commit()
    engine.dispose()
    base = f"http://{settings.host}:{port or settings.port}/graphql"
    console.print("[bold]Jetons de démonstration[/bold] (en-tête « Authorization: Bearer … », ou le lien) :")
    for label, secret in lines:
        console.print(f"  {label}\n    {secret}\n    {base}#token={secret}", soft_wrap=True)
