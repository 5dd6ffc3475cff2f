"""Export of what a caller may read (households, members, units, sites, offers, an offer's residents,
candidates and indicators) to CSV or XLSX; sensitive columns only with their permission, reads audited."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

from graphql import GraphQLError
from sqlalchemy import func, or_, select
from sqlmodel import SQLModel

from core.access import scope_of
from core.audit import sensitive_read
from core.contract import Period, ScopeKind
from core.dataio.tabular import write_csv, write_xlsx
from core.graphql.relay import from_global_id
from core.models import Household, Occupancy, Offer, Person, Referral, Site, Unit
from core.plugins import Registry


class ExportKind(enum.StrEnum):
    """What an export lists."""

    HOUSEHOLDS = "households"
    MEMBERS = "members"
    UNITS = "units"
    SITES = "sites"
    OFFERS = "offers"
    RESIDENTS = "residents"
    CANDIDATES = "candidates"
    INDICATORS = "indicators"


@dataclass
class Table:
    """An export: a name, French headers, rows, and the sensitive columns left out."""

    name: str
    headers: list[str]
    rows: list[list[Any]] = field(default_factory=list)
    omitted: list[str] = field(default_factory=list)


def sensitive_columns(registry: Registry) -> dict[str, dict[str, str]]:
    """Plugin table name → {column: permission} for the fields plugins declare sensitive."""
    out: dict[str, dict[str, str]] = {}
    for declared in registry.sensitive_fields:
        plugin = registry.scheme_plugin.get(declared.scheme, declared.scheme)
        for name, (owner, model) in registry.tables.items():
            if owner == plugin and declared.field_name in model.__table__.columns:  # type: ignore[attr-defined]
                out.setdefault(name, {})[declared.field_name] = declared.permission
    return out


def household_tables(registry: Registry) -> list[tuple[str, str, type[SQLModel]]]:
    """Plugin tables with a household_id: (table name, plugin, model)."""
    return [
        (name, plugin, model)
        for name, (plugin, model) in sorted(registry.tables.items())
        if "household_id" in model.__table__.columns  # type: ignore[attr-defined]
    ]


def _offer(ctx: Any, offer_id: Any) -> Offer:
    decoded = from_global_id(str(offer_id)) if offer_id else None
    pk = decoded[1] if decoded and decoded[0] == "Offer" else None
    offer = None if pk is None else ctx.session.get(Offer, pk)
    if offer is None or pk is None or pk not in scope_of(ctx).visible(Offer, [pk]):
        raise GraphQLError(
            "Offre introuvable : précisez une offre que vous pouvez lire.", extensions={"code": "NOT_FOUND"}
        )
    return offer  # type: ignore[no-any-return]


def _profiles(ctx: Any, table: Table, scheme: str, households: list[int]) -> dict[int, list[Any]]:
    """Append the scheme's one-per-household plugin columns; sensitive ones only when permitted."""
    reg: Registry = ctx.registry
    plugin = reg.scheme_plugin.get(scheme, scheme)
    guarded = sensitive_columns(reg)
    caller = ctx.caller
    extra: dict[int, list[Any]] = {h: [] for h in households}
    for name, owner, model in household_tables(reg):
        t = model.__table__  # type: ignore[attr-defined]
        if owner != plugin or not t.c.household_id.unique:
            continue
        cols = [c for c in t.columns if c.name not in ("id", "owner_id", "household_id", "version")]
        allowed = []
        for c in cols:
            permission = guarded.get(name, {}).get(c.name)
            if permission and caller is not None and not caller.has(permission):
                table.omitted.append(f"{name}.{c.name}")
            else:
                allowed.append(c)
        table.headers.extend(f"{name}.{c.name}" for c in allowed)
        found = {}
        if households:
            for row in ctx.session.execute(
                select(t.c.household_id, *allowed).where(t.c.household_id.in_(households))
            ):
                found[row[0]] = list(row[1:])
        for h in households:
            values = found.get(h, [None] * len(allowed))
            extra[h].extend(values)
            for c, v in zip(allowed, values, strict=True):
                if v is not None and name in guarded and c.name in guarded[name] and caller is not None:
                    ctx.audit.append(
                        sensitive_read(
                            caller.subject, caller.organisation_id, None, h, f"export:{name}", c.name
                        )
                    )
    return extra


def export(ctx: Any, kind: ExportKind, *, offer_id: Any = None) -> Table:
    """The rows of ``kind`` the caller of ``ctx`` may read."""
    scope = scope_of(ctx)
    s = ctx.session
    if kind is ExportKind.HOUSEHOLDS:
        members = (
            select(Person.household_id, func.count().label("n")).group_by(Person.household_id).subquery()
        )
        stmt = scope.filter(
            select(
                Household.reference,
                Household.created_on,
                Household.closed_on,
                Household.confidential,
                func.coalesce(members.c.n, 0),
            )
            .outerjoin(members, members.c.household_id == Household.id)
            .order_by(Household.id),
            Household,
        )
        headers = ["Référence ménage", "Date de création", "Date de clôture", "Confidentiel", "Membres"]
        return Table("menages", headers, [list(r) for r in s.execute(stmt)])
    if kind is ExportKind.MEMBERS:
        stmt = scope.filter(
            select(
                Household.reference,
                Person.last_name,
                Person.first_name,
                Person.birth_date,
                Person.role,
                Person.activity,
                Person.monthly_resources,
                Person.left_on,
            )
            .join(Household, Household.id == Person.household_id)
            .order_by(Person.id),
            Person,
        )
        headers = [
            "Référence ménage",
            "Nom",
            "Prénom",
            "Date de naissance",
            "Lien",
            "Situation",
            "Ressources mensuelles",
            "Sorti le",
        ]
        return Table("membres", headers, [list(r) for r in s.execute(stmt)])
    if kind is ExportKind.UNITS:
        stmt = scope.filter(
            select(
                Unit.national_id,
                Site.name,
                Site.commune,
                Unit.label,
                Unit.typology,
                Unit.surface_m2,
                Unit.floor,
                Unit.furnished,
                Unit.accessible,
                Unit.monthly_rent,
            )
            .join(Site, Site.id == Unit.site_id)
            .order_by(Unit.id),
            Unit,
        )
        headers = [
            "N° RNL",
            "Résidence",
            "Commune",
            "Logement",
            "Typologie",
            "Surface",
            "Étage",
            "Meublé",
            "Accessible PMR",
            "Loyer",
        ]
        return Table("logements", headers, [list(r) for r in s.execute(stmt)])
    if kind is ExportKind.SITES:
        stmt = scope.filter(
            select(
                Site.name,
                Site.address,
                Site.postcode,
                Site.commune,
                Site.department,
                Site.in_priority_district,
            ).order_by(Site.id),
            Site,
        )
        headers = ["Résidence", "Adresse", "Code postal", "Commune", "Département", "QPV"]
        return Table("residences", headers, [list(r) for r in s.execute(stmt)])
    if kind is ExportKind.OFFERS:
        stmt = scope.filter(
            select(Offer.name, Offer.scheme, Offer.capacity, Offer.start_date, Offer.end_date).order_by(
                Offer.id
            ),
            Offer,
        )
        return Table(
            "offres", ["Offre", "Dispositif", "Capacité", "Début", "Fin"], [list(r) for r in s.execute(stmt)]
        )
    offer = _offer(ctx, offer_id)
    if kind is ExportKind.INDICATORS:
        from core.services import indicators as ind

        period: Period = ind.default_period(ctx.today)
        computed = ind.compute(
            s, ctx.registry, ScopeKind.OFFER, offer.id, period, None, None, scope.condition_filter(Offer)
        )
        rows = [
            [
                c.indicator.key,
                c.indicator.label,
                c.result.value,
                c.result.numerator,
                c.result.denominator,
                c.indicator.unit,
                c.indicator.target,
                period.start,
                period.end,
            ]
            for c in computed
        ]
        headers = [
            "Indicateur",
            "Libellé",
            "Valeur",
            "Numérateur",
            "Dénominateur",
            "Unité",
            "Cible",
            "Du",
            "Au",
        ]
        return Table(f"indicateurs-offre-{offer.id}", headers, rows)
    if kind is ExportKind.RESIDENTS:
        stmt = scope.filter(
            select(
                Occupancy.household_id,
                Household.reference,
                Unit.national_id,
                Unit.label,
                Occupancy.start_date,
            )
            .join(Household, Household.id == Occupancy.household_id)
            .join(Unit, Unit.id == Occupancy.unit_id)
            .where(
                Occupancy.offer_id == offer.id,
                Occupancy.start_date <= ctx.today,
                or_(Occupancy.end_date.is_(None), Occupancy.end_date >= ctx.today),
            )
            .order_by(Occupancy.id),
            Household,
        )
        table = Table(
            f"residents-offre-{offer.id}", ["Référence ménage", "N° RNL", "Logement", "Date d'entrée"]
        )
    else:
        stmt = scope.filter(
            select(
                Referral.household_id,
                Household.reference,
                Referral.proposed_on,
                Referral.decision,
                Referral.decided_on,
            )
            .join(Household, Household.id == Referral.household_id)
            .where(Referral.offer_id == offer.id)
            .order_by(Referral.id),
            Household,
        )
        table = Table(
            f"candidats-offre-{offer.id}",
            ["Référence ménage", "Date d'orientation", "Décision", "Date de décision"],
        )
    found = [list(r) for r in s.execute(stmt)]
    extra = _profiles(ctx, table, offer.scheme, sorted({r[0] for r in found}))
    table.rows = [r[1:] + extra[r[0]] for r in found]
    return table


def render(table: Table, fmt: str) -> tuple[bytes, str]:
    """The table's bytes in ``fmt`` (csv or xlsx) and the MIME type."""
    if fmt == "xlsx":
        return (
            write_xlsx(table.headers, table.rows, title=table.name),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    return write_csv(table.headers, table.rows), "text/csv; charset=utf-8"
