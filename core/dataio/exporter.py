"""Export of what a caller may read, to CSV or XLSX; sensitive columns only with their permission.

Two paths: fixed tables (households, members, units, sites, offers, organisations, partnerships,
occupancies, referrals, support episodes, the audit log for auditors, and an offer's residents,
candidates and indicators), each one SQL statement under the caller's scope; and any GraphQL
query (``export_query``), run page after page with the caller's context, so that the very access
rules and sensitive-field guard of the API apply, its first connection flattened into columns.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from graphql import (
    GraphQLError,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    OperationType,
    parse,
    print_ast,
)
from graphql.language import ast as gast
from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import aliased
from sqlmodel import SQLModel
from strawberry.types.graphql import OperationType as ExecutedOperation

from core.access import Scope, scope_of
from core.audit import sensitive_read
from core.contract import Period, ScopeKind
from core.dataio.tabular import french, write_csv, write_xlsx
from core.graphql.relay import from_global_id, to_global_id
from core.models import (
    AuditEvent,
    Household,
    Occupancy,
    Offer,
    Organisation,
    Partnership,
    Person,
    Referral,
    Role,
    Site,
    SupportContact,
    SupportEpisode,
    Unit,
)
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
    ORGANISATIONS = "organisations"
    PARTNERSHIPS = "partnerships"
    OCCUPANCIES = "occupancies"
    REFERRALS = "referrals"
    SUPPORT_EPISODES = "support_episodes"
    AUDIT_EVENTS = "audit_events"


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
        return _listed(
            ctx,
            "menages",
            Household,
            [
                ("Référence ménage", Household.reference),
                ("Date de création", Household.created_on),
                ("Date de clôture", Household.closed_on),
                ("Confidentiel", Household.confidential),
                ("Membres", func.coalesce(members.c.n, 0)),
            ],
            lambda q: q.outerjoin(members, members.c.household_id == Household.id),
        )
    if kind is ExportKind.MEMBERS:
        return _listed(
            ctx,
            "membres",
            Person,
            [
                ("Référence ménage", Household.reference),
                ("Nom", Person.last_name),
                ("Prénom", Person.first_name),
                ("Date de naissance", Person.birth_date),
                ("Lien", Person.role),
                ("Situation", Person.activity),
                ("Ressources mensuelles", Person.monthly_resources),
                ("Sorti le", Person.left_on),
            ],
            lambda q: q.join(Household, Household.id == Person.household_id),
        )
    if kind is ExportKind.UNITS:
        return _listed(
            ctx,
            "logements",
            Unit,
            [
                ("N° RNL", Unit.national_id),
                ("Résidence", Site.name),
                ("Commune", Site.commune),
                ("Logement", Unit.label),
                ("Typologie", Unit.typology),
                ("Surface", Unit.surface_m2),
                ("Étage", Unit.floor),
                ("Meublé", Unit.furnished),
                ("Accessible PMR", Unit.accessible),
                ("Loyer", Unit.monthly_rent),
            ],
            lambda q: q.join(Site, Site.id == Unit.site_id),
        )
    if kind is ExportKind.SITES:
        return _listed(
            ctx,
            "residences",
            Site,
            [
                ("Résidence", Site.name),
                ("Adresse", Site.address),
                ("Code postal", Site.postcode),
                ("Commune", Site.commune),
                ("Département", Site.department),
                ("QPV", Site.in_priority_district),
            ],
        )
    if kind is ExportKind.OFFERS:
        return _listed(
            ctx,
            "offres",
            Offer,
            [
                ("Offre", Offer.name),
                ("Dispositif", Offer.scheme),
                ("Capacité", Offer.capacity),
                ("Début", Offer.start_date),
                ("Fin", Offer.end_date),
            ],
        )
    if kind in _CORE_TABLES:
        return _CORE_TABLES[kind](ctx, scope)
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


def _name_of(scope: Scope, model: Any, column: Any, pk: Any) -> Any:
    """``column`` of the ``model`` row ``pk`` points to, null when the caller may not read that row."""
    return select(column).where(model.id == pk, scope.condition(model)).scalar_subquery()


def _listed(
    ctx: Any,
    name: str,
    model: Any,
    columns: Sequence[tuple[str, Any]],
    shape: Callable[[Select[Any]], Select[Any]] = lambda q: q,
) -> Table:
    """The rows of ``model`` the caller may read, in id order: one column per (header, expression).

    ``shape`` adds the joins the expressions need.
    """
    stmt = scope_of(ctx).filter(shape(select(*(c for _, c in columns))).order_by(model.id), model)
    return Table(name, [h for h, _ in columns], [list(r) for r in ctx.session.execute(stmt)])


def _organisations(ctx: Any, scope: Scope) -> Table:
    return _listed(
        ctx,
        "organisations",
        Organisation,
        [
            ("Organisation", Organisation.name),
            ("Type", Organisation.kind),
            ("SIREN", Organisation.siren),
            ("Département", Organisation.department),
            ("Fermée le", Organisation.closed_on),
        ],
    )


def _partnerships(ctx: Any, scope: Scope) -> Table:
    partner = aliased(Organisation)
    return _listed(
        ctx,
        "partenariats",
        Partnership,
        [
            ("Organisation", _name_of(scope, Organisation, Organisation.name, Partnership.owner_id)),
            ("Partenaire", partner.name),
            ("Rôle", Partnership.role),
            ("Périmètre", Partnership.scope),
            ("Début", Partnership.start_date),
            ("Fin", Partnership.end_date),
            ("Dossiers des résidents", Partnership.grants_resident_files),
        ],
        lambda q: q.join(partner, partner.id == Partnership.partner_id),
    )


def _occupancies(ctx: Any, scope: Scope) -> Table:
    return _listed(
        ctx,
        "occupations",
        Occupancy,
        [
            ("Référence ménage", Household.reference),
            ("N° RNL", _name_of(scope, Unit, Unit.national_id, Occupancy.unit_id)),
            ("Logement", _name_of(scope, Unit, Unit.label, Occupancy.unit_id)),
            ("Offre", _name_of(scope, Offer, Offer.name, Occupancy.offer_id)),
            ("Date d'entrée", Occupancy.start_date),
            ("Date de sortie", Occupancy.end_date),
            ("Motif de sortie", Occupancy.exit_reason),
            ("Destination", Occupancy.exit_destination),
        ],
        lambda q: q.join(Household, Household.id == Occupancy.household_id),
    )


def _referrals(ctx: Any, scope: Scope) -> Table:
    # An institution sees the referrals it made, not necessarily the household's file.
    return _listed(
        ctx,
        "orientations",
        Referral,
        [
            ("Référence ménage", _name_of(scope, Household, Household.reference, Referral.household_id)),
            ("Offre", _name_of(scope, Offer, Offer.name, Referral.offer_id)),
            ("Orienté par", _name_of(scope, Organisation, Organisation.name, Referral.proposer_id)),
            ("Date d'orientation", Referral.proposed_on),
            ("Décision", Referral.decision),
            ("Date de décision", Referral.decided_on),
            ("Motif", Referral.reason),
        ],
    )


def _support_episodes(ctx: Any, scope: Scope) -> Table:
    contacts = (
        select(func.count())
        .where(SupportContact.episode_id == SupportEpisode.id)
        .correlate(SupportEpisode)
        .scalar_subquery()
    )
    return _listed(
        ctx,
        "accompagnements",
        SupportEpisode,
        [
            ("Référence ménage", Household.reference),
            (
                "Organisme accompagnant",
                _name_of(scope, Organisation, Organisation.name, SupportEpisode.organisation_id),
            ),
            ("Offre", _name_of(scope, Offer, Offer.name, SupportEpisode.offer_id)),
            ("Début de l'accompagnement", SupportEpisode.start_date),
            ("Fin de l'accompagnement", SupportEpisode.end_date),
            ("Motif de fin", SupportEpisode.end_reason),
            ("Contacts", contacts),
        ],
        lambda q: q.join(Household, Household.id == SupportEpisode.household_id),
    )


def _audit_events(ctx: Any, scope: Scope) -> Table:
    caller = ctx.caller
    if caller is not None and caller.role not in (Role.AUDITOR, Role.PLATFORM):
        raise GraphQLError("Le journal d'audit est réservé aux auditeurs.", extensions={"code": "FORBIDDEN"})
    stmt = select(
        AuditEvent.at,
        AuditEvent.actor,
        AuditEvent.actor_organisation_id,
        AuditEvent.action,
        AuditEvent.object_type,
        AuditEvent.object_id,
        AuditEvent.household_id,
        AuditEvent.field,
        AuditEvent.details,
    ).order_by(AuditEvent.id)
    if caller is not None and not caller.platform:
        stmt = stmt.where(AuditEvent.owner_id == caller.organisation_id)
    rows = [
        [
            at,
            actor,
            to_global_id("Organisation", org) if org else None,
            action,
            object_type,
            object_id,
            to_global_id("Household", household) if household else None,
            name,
            ", ".join(details.get("fields", [])) if isinstance(details, dict) else "",
        ]
        for at, actor, org, action, object_type, object_id, household, name, details in ctx.session.execute(
            stmt
        )
    ]
    headers = [
        "Date",
        "Acteur",
        "Organisation de l'acteur",
        "Action",
        "Objet",
        "Identifiant",
        "Ménage",
        "Champ",
        "Colonnes",
    ]
    return Table("journal-audit", headers, rows)


_CORE_TABLES: dict[ExportKind, Callable[[Any, Scope], Table]] = {
    ExportKind.ORGANISATIONS: _organisations,
    ExportKind.PARTNERSHIPS: _partnerships,
    ExportKind.OCCUPANCIES: _occupancies,
    ExportKind.REFERRALS: _referrals,
    ExportKind.SUPPORT_EPISODES: _support_episodes,
    ExportKind.AUDIT_EVENTS: _audit_events,
}


def render(table: Table, fmt: str) -> tuple[bytes, str]:
    """The table's bytes in ``fmt`` (csv or xlsx) and the MIME type."""
    if fmt == "xlsx":
        return (
            write_xlsx(table.headers, table.rows, title=table.name),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    return write_csv(table.headers, table.rows), "text/csv; charset=utf-8"


# -- any connection: a GraphQL query run page after page -------------------------------------------
#: Variable and alias the exporter adds to the query to page through its connection.
AFTER_VARIABLE = "themaExportAfter"
PAGE_ALIAS = "themaExportPage"
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class ExportError(GraphQLError):
    """An export refused, with a French message and a stable code."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message, extensions={"code": code})


def _unwrap(gtype: Any) -> tuple[Any, bool]:
    listed = False
    while isinstance(gtype, GraphQLNonNull | GraphQLList):
        listed = listed or isinstance(gtype, GraphQLList)
        gtype = gtype.of_type
    return gtype, listed


def _is_connection(gtype: Any) -> bool:
    return isinstance(gtype, GraphQLObjectType) and {"nodes", "edges", "pageInfo"} <= set(gtype.fields)


def _name(value: str) -> gast.NameNode:
    return gast.NameNode(value=value)


def _paged(node: gast.FieldNode, page_size: int) -> tuple[gast.FieldNode, str, bool]:
    """The connection field with ``after`` (a variable), ``first`` and its page info selected."""
    args = list(node.arguments or ())
    named = {a.name.value: a for a in args}
    added = False
    if "after" in named:
        value = named["after"].value
        if not isinstance(value, gast.VariableNode):
            raise ExportError(
                "L'argument « after » de la connexion exportée doit être une variable (ou absent).",
                "EXPORT_QUERY",
            )
        variable = value.name.value
    else:
        variable, added = AFTER_VARIABLE, True
        value_node = gast.VariableNode(name=_name(variable))
        args.append(gast.ArgumentNode(name=_name("after"), value=value_node))
    if "first" not in named:
        args.append(gast.ArgumentNode(name=_name("first"), value=gast.IntValueNode(value=str(page_size))))
    info = gast.FieldNode(
        alias=_name(PAGE_ALIAS),
        name=_name("pageInfo"),
        arguments=(),
        directives=(),
        selection_set=gast.SelectionSetNode(
            selections=(
                gast.FieldNode(name=_name("hasNextPage"), arguments=(), directives=()),
                gast.FieldNode(name=_name("endCursor"), arguments=(), directives=()),
            )
        ),
    )
    selections = (*(node.selection_set.selections if node.selection_set else ()), info)
    return (
        replace(node, arguments=tuple(args), selection_set=gast.SelectionSetNode(selections=selections)),
        variable,
        added,
    )


def _rewrite(
    selection_set: gast.SelectionSetNode,
    parent: Any,
    path: list[str],
    under_list: bool,
    schema: Any,
    size: int,
) -> tuple[gast.SelectionSetNode, list[str] | None, str, bool]:
    """Find the first connection (not inside a list) in document order and make it pageable."""
    selections = list(selection_set.selections)
    for i, sel in enumerate(selections):
        if isinstance(sel, gast.FieldNode):
            fields = getattr(parent, "fields", {})
            definition = fields.get(sel.name.value)
            if definition is None:
                continue
            gtype, listed = _unwrap(definition.type)
            key = sel.alias.value if sel.alias else sel.name.value
            if _is_connection(gtype) and not under_list and not listed:
                selections[i], variable, added = _paged(sel, size)
                return replace(selection_set, selections=tuple(selections)), [*path, key], variable, added
            if sel.selection_set is not None:
                sub, found, variable, added = _rewrite(
                    sel.selection_set, gtype, [*path, key], under_list or listed, schema, size
                )
                if found is not None:
                    selections[i] = replace(sel, selection_set=sub)
                    return replace(selection_set, selections=tuple(selections)), found, variable, added
        elif isinstance(sel, gast.InlineFragmentNode):
            gtype = schema.get_type(sel.type_condition.name.value) if sel.type_condition else parent
            sub, found, variable, added = _rewrite(sel.selection_set, gtype, path, under_list, schema, size)
            if found is not None:
                selections[i] = replace(sel, selection_set=sub)
                return replace(selection_set, selections=tuple(selections)), found, variable, added
    return selection_set, None, "", False


def prepare_query(query: str, schema: Any, page_size: int) -> tuple[str, list[str], str]:
    """The query made pageable on its first connection: (text, path of the connection, cursor variable)."""
    try:
        document = parse(query)
    except GraphQLError as exc:
        raise ExportError(f"Requête d'export illisible : {exc.message}", "EXPORT_QUERY") from None
    operations = [d for d in document.definitions if isinstance(d, gast.OperationDefinitionNode)]
    if len(operations) != 1:
        raise ExportError("La requête d'export doit contenir exactement une opération.", "EXPORT_QUERY")
    operation = operations[0]
    if operation.operation is not OperationType.QUERY:
        raise ExportError("Seule une requête de lecture (query) peut être exportée.", "EXPORT_QUERY")
    names = {n.name.value for n in _fields(document)}
    if "exportQuery" in names:
        raise ExportError("Une requête d'export ne peut pas appeler exportQuery.", "EXPORT_QUERY")
    selection, path, variable, added = _rewrite(
        operation.selection_set, schema.query_type, [], False, schema, page_size
    )
    if path is None:
        raise ExportError(
            "Aucune connexion à exporter : la requête doit lire une liste paginée (par exemple "
            "« households { nodes { reference } } »), hors d'une liste.",
            "EXPORT_QUERY",
        )
    definitions = list(operation.variable_definitions or ())
    if added:
        definitions.append(
            gast.VariableDefinitionNode(
                variable=gast.VariableNode(name=_name(variable)),
                type=gast.NamedTypeNode(name=_name("String")),
                directives=(),
            )
        )
    new_operation = replace(operation, selection_set=selection, variable_definitions=tuple(definitions))
    document = replace(
        document, definitions=tuple(new_operation if d is operation else d for d in document.definitions)
    )
    return print_ast(document), path, variable


def _fields(node: Any) -> Iterator[gast.FieldNode]:
    if isinstance(node, gast.FieldNode):
        yield node
    for attr in ("definitions", "selection_set", "selections"):
        child = getattr(node, attr, None)
        if child is None:
            continue
        for item in child if isinstance(child, tuple | list) else [child]:
            yield from _fields(item)


def _value(value: Any) -> Any:
    if isinstance(value, str) and _ISO_DATE.match(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return value
    return value


def flatten(value: Any, prefix: str, out: dict[str, Any]) -> None:
    """Columns of a node: nested objects as ``a.b``, lists joined with ``, ``."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key != PAGE_ALIAS:
                flatten(item, f"{prefix}.{key}" if prefix else key, out)
    elif isinstance(value, list):
        parts: dict[str, list[str]] = {}
        for item in value:
            sub: dict[str, Any] = {}
            flatten(item, prefix, sub)
            for key, v in sub.items():
                parts.setdefault(key, []).append(french(v))
        for key, values in parts.items():
            out[key] = ", ".join(v for v in values if v)
    else:
        out[prefix] = _value(value)


def _column_of(redacted: Sequence[Any], path: Sequence[str]) -> str | None:
    """The export column of a redacted field's response path, if it lies in the exported nodes."""
    if list(redacted[: len(path)]) != list(path):
        return None
    rest = list(redacted[len(path) :])
    if rest[:1] == ["nodes"]:
        rest = rest[2:]
    elif rest[:1] == ["edges"]:
        rest = rest[3:]
    else:
        return None
    words = [str(p) for p in rest if not isinstance(p, int)]
    return ".".join(words) or None


async def export_query(
    ctx: Any,
    schema: Any,
    query: str,
    variables: dict[str, Any] | None = None,
) -> Table:
    """Rows of the first connection of ``query``, run as the caller of ``ctx``, every page.

    Each page is executed by ``schema`` with a fresh context of the same caller: the API's scope,
    limits and sensitive-field guard apply unchanged. Fields the guard redacted are left out (named
    in ``omitted``); sensitive fields read are audited in ``ctx.audit``.
    """
    from core.access import CURRENT
    from core.context import RequestContext
    from core.plugins import call_prepare_context

    settings = ctx.settings
    text, path, variable = prepare_query(query, schema._schema, settings.max_page_size)
    sub = RequestContext(
        settings=settings, registry=ctx.registry, engine=ctx.engine, caller=ctx.caller, today=ctx.today
    )
    call_prepare_context(ctx.registry, sub)
    values = dict(variables or {})
    columns: dict[str, None] = {}
    nodes: list[dict[str, Any]] = []
    cursor: str | None = values.get(variable)
    token = CURRENT.set(sub)
    try:
        while True:
            values[variable] = cursor
            result = await schema.execute(
                text,
                variable_values=values,
                context_value=sub,
                allowed_operation_types={ExecutedOperation.QUERY},
            )
            if result.errors:
                error = result.errors[0]
                original = getattr(error, "original_error", None)
                if original is not None and not isinstance(original, GraphQLError):
                    raise original  # unexpected: the API's error formatting masks it
                code = (error.extensions or {}).get("code", "INVALID")
                raise ExportError(f"Requête d'export refusée : {error.message}", str(code))
            connection: Any = result.data
            for key in path:
                connection = connection.get(key) if isinstance(connection, dict) else None
            if not isinstance(connection, dict):
                break
            page = connection.get("nodes")
            if page is None:
                page = [e.get("node") for e in connection.get("edges") or [] if isinstance(e, dict)]
            for node in page:
                if isinstance(node, dict):
                    row: dict[str, Any] = {}
                    flatten(node, "", row)
                    columns.update(dict.fromkeys(row))
                    nodes.append(row)
            if len(nodes) > settings.max_export_rows:
                raise ExportError(
                    f"Export trop volumineux : plus de {settings.max_export_rows} lignes "
                    "(THEMA_MAX_EXPORT_ROWS). Filtrez la requête.",
                    "EXPORT_TOO_LARGE",
                )
            info = connection.get(PAGE_ALIAS) or {}
            if not info.get("hasNextPage") or not info.get("endCursor"):
                break
            cursor = info["endCursor"]
    finally:
        CURRENT.reset(token)
        sub.close()
    ctx.audit.extend(sub.audit)
    omitted = sorted({c for r in sub.redactions if (c := _column_of(r.get("path", []), path)) is not None})
    hidden = set(omitted)
    kept = [c for c in columns if c not in hidden and not any(c.startswith(h + ".") for h in hidden)]
    table = Table(f"export-{path[-1]}", kept, [[row.get(c) for c in kept] for row in nodes])
    table.omitted = omitted
    return table
