"""``thema eligibility run``: verdicts for a whole population, set-based, counted by status."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import Select, select
from sqlmodel import Session, col

from core.contract import CriterionKind, Outcome, Status
from core.models import Household, Offer, Organisation
from core.settings import Settings

app = typer.Typer(help="Éligibilité d'une population entière (calcul ensembliste).", no_args_is_help=True)
console = Console()


def _organisation(session: Session, value: str) -> Organisation | None:
    """An organisation by id or by exact name."""
    if value.isdigit():
        found = session.get(Organisation, int(value))
        if found is not None:
            return found
    return session.execute(select(Organisation).where(col(Organisation.name) == value)).scalars().first()


def population(organisation: Organisation, offer: Offer | None) -> Select[Any]:
    """The households considered: an offer's candidates, else the organisation's open files."""
    if offer is not None:
        from core.services.eligibility import candidate_population

        return candidate_population(offer)  # type: ignore[return-value]
    return select(col(Household.id)).where(
        col(Household.owner_id) == organisation.id,
        col(Household.closed_on).is_(None),
    )


@app.command("run")
def run(
    scheme: str = typer.Option(..., "--scheme", help="Code du dispositif (voir « thema plugins »)."),
    org: str = typer.Option(..., "--org", help="Organisation : identifiant ou nom exact."),
    offer_id: int | None = typer.Option(
        None, "--offer", help="Offre (identifiant) : ses candidats et paramètres."
    ),
    on: str | None = typer.Option(
        None, "--date", help="Date de référence (AAAA-MM-JJ ; défaut : aujourd'hui)."
    ),
    status: list[str] = typer.Option([], "--status", help="Ne garder que ces statuts (répétable)."),
    csv_path: Path | None = typer.Option(
        None, "--csv", help="Écrire un CSV (référence du ménage, statut, critères non satisfaits)."
    ),
) -> None:
    """Evaluate a whole population for a scheme and print the count of each status."""
    from core.cli import _registry
    from core.db import make_engine
    from core.services.eligibility import decide
    from core.services.schemes import SchemeUnavailable

    settings = Settings()
    registry = _registry(settings)
    try:
        day = date.fromisoformat(on) if on else (settings.fixed_today or date.today())
    except ValueError:
        console.print(f"[red]Date invalide : « {on} » (attendu AAAA-MM-JJ).[/red]")
        raise typer.Exit(2) from None
    wanted = set()
    for value in status:
        try:
            wanted.add(Status(value.lower()))
        except ValueError:
            console.print(f"[red]Statut inconnu : « {value} » ({', '.join(s.value for s in Status)}).[/red]")
            raise typer.Exit(2) from None
    engine = make_engine(settings.database_url)
    with Session(engine) as session:
        organisation = _organisation(session, org)
        if organisation is None:
            console.print(f"[red]Organisation introuvable : « {org} ».[/red]")
            raise typer.Exit(1)
        offer = session.get(Offer, offer_id) if offer_id is not None else None
        if offer_id is not None and (
            offer is None or organisation.id not in (offer.landlord_id, offer.manager_id)
        ):
            console.print(f"[red]Offre introuvable pour {organisation.name} : {offer_id}.[/red]")
            raise typer.Exit(1)
        try:
            decisions = decide(session, registry, scheme, population(organisation, offer), day, offer)
        except SchemeUnavailable as exc:
            console.print(f"[red]{exc.message}[/red]")
            raise typer.Exit(1) from None
        if wanted:
            decisions = [d for d in decisions if d.status in wanted]
        references: dict[int, str] = {}
        if csv_path is not None:
            references = _references(session, [d.household_id for d in decisions])
    engine.dispose()
    rule = registry.rules[scheme]
    counts = {s: 0 for s in Status}
    for d in decisions:
        counts[d.status] += 1
    table = Table(title=f"Éligibilité « {scheme} » — {organisation.name} — {day.isoformat()}")
    table.add_column("statut")
    table.add_column("ménages", justify="right")
    for s in Status:
        if not wanted or s in wanted:
            table.add_row(s.value, str(counts[s]))
    table.add_row("total", str(len(decisions)))
    console.print(table)
    if csv_path is not None:
        codes = [c.code for c in rule.criteria]
        required = [c.kind is CriterionKind.REQUIRED for c in rule.criteria]
        with csv_path.open("w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(["reference", "status", "failing", "unknown"])
            for d in decisions:
                failing = [
                    c
                    for c, o, r in zip(codes, d.outcomes, required, strict=True)
                    if r and o is Outcome.NOT_SATISFIED
                ]
                unknown = [
                    c
                    for c, o, r in zip(codes, d.outcomes, required, strict=True)
                    if r and o is Outcome.UNKNOWN
                ]
                writer.writerow(
                    [references.get(d.household_id, ""), d.status.value, " ".join(failing), " ".join(unknown)]
                )
        console.print(f"CSV écrit : {csv_path} ({len(decisions)} ménages).")


def _references(session: Session, ids: list[int]) -> dict[int, str]:
    """File references of the households (never names or other personal data)."""
    from core.facts import chunks

    out: dict[int, str] = {}
    for part in chunks(sorted(ids)):
        rows = session.execute(
            select(col(Household.id), col(Household.reference)).where(col(Household.id).in_(part))
        )
        out.update({hid: ref for hid, ref in rows})
    return out
