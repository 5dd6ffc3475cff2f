"""Core object types, Query and Mutation: a template executed once per schema build.

``core.graphql.schema.build_schema`` runs this module afresh for every schema, with ``_EXT``
mapping a type name to the plugin mixins that extend it, so each schema gets its own classes
(tests build apps with different plugin sets in one process). Core object types expose
``pk`` (the row's primary key) and ``row`` (the SQLModel row) to the plugin mixins' resolvers.
"""

from __future__ import annotations

import asyncio
from datetime import date, datetime
from typing import Annotated, Any

import strawberry
from graphql import GraphQLError
from sqlalchemy import func, or_, select
from strawberry.scalars import JSON
from strawberry.types import Info

from core import models as m
from core.access import scope_of
from core.contract import Period, ScopeKind
from core.graphql import common as c
from core.graphql import inputs as i
from core.graphql import lookahead
from core.graphql.batches import members_of, scheme_error, verdict_of, verdicts_at
from core.graphql.dataio import DataIOMutation, DataIOQuery
from core.graphql.execution import context_only
from core.graphql.loaders import (
    by_id,
    child_counts,
    child_pages,
    children,
    household_occupancies,
)
from core.graphql.relay import (
    Connection,
    Edge,
    Node,
    PageRows,
    connection_of,
    decode_cursor,
    fetch_page,
    from_global_id,
    list_connection,
    page_size,
    to_global_id,
)
from core.services import eligibility as elig
from core.services import graph as w
from core.services import indicators as ind
from core.services.schemes import SchemeUnavailable, enabled_schemes, require_enabled
from core.services.write import transaction

_EXT: dict[str, tuple[type, ...]] = globals().get("_EXT", {})


def ext(name: str) -> tuple[type, ...]:
    """The plugin mixins extending core type ``name`` in this build."""
    return tuple(_EXT.get(name, ()))


NameFilter = Annotated[
    str | None, strawberry.argument(description="Only those whose name contains this text (any case).")
]
First = Annotated[int | None, strawberry.argument(description="Page size (at most 100).")]
After = Annotated[str | None, strawberry.argument(description="Cursor to start after.")]
OnDate = Annotated[
    date | None, strawberry.argument(name="date", description="Reference date (default: today).")
]
From = Annotated[
    date | None,
    strawberry.argument(name="from", description="Start of the period (default: 1 January of this year)."),
]
To = Annotated[
    date | None,
    strawberry.argument(name="to", description="End of the period, included (default: today)."),
]


def ctx_of(info: Info) -> Any:
    """The request context."""
    return info.context


def _first(info: Info, first: int | None) -> int:
    s = info.context.settings
    return page_size(first, s.default_page_size, s.max_page_size)


def _period(info: Info, start: date | None, end: date | None) -> Period:
    default = ind.default_period(info.context.today)
    return Period(start or default.start, end or default.end)


def _pk(gid: strawberry.ID, type_name: str) -> int | None:
    decoded = from_global_id(str(gid))
    if decoded is None or decoded[0] != type_name:
        return None
    return decoded[1]


def _ref(info: Info, model: type, pk: int | None, conv: Any, *, required: bool = False) -> Any:
    """The object a row references, or None when missing or hidden from the caller.

    At once when the row is loaded already (a page's lookahead, another relation), else an
    awaitable of it from the request's batched loader.
    """

    def converted(row: Any) -> Any:
        if row is None and required:
            raise GraphQLError("Objet introuvable.", extensions={"code": "NOT_FOUND"})
        return None if row is None else conv(row)

    return converted(None) if pk is None else by_id(info.context, model).get(pk, converted)


async def _get(info: Info, model: type, gid: strawberry.ID, type_name: str) -> Any:
    pk = _pk(gid, type_name)
    return None if pk is None else await by_id(info.context, model).load(pk)


def _page(
    info: Info,
    stmt: Any,
    key: Any,
    first: int | None,
    after: str | None,
    conv: Any,
    conn: Any,
    owner: int | None = None,
    plain: bool = False,
) -> Any:
    """A page of ``stmt``'s rows the caller may read; ``owner``: the statement keeps only its rows.

    ``plain``: the rows are read as plain rows of the model's table (``fetch_page``), for pages
    of objects only shown: the GraphQL objects read their attributes alike.
    """
    scope = scope_of(info.context)
    if owner is None or not scope.reads_all_of(key.class_, owner):
        stmt = scope.filter(stmt, key.class_)  # only rows the caller may read
    if plain:
        stmt = stmt.with_only_columns(*key.class_.__table__.c)
    rows = fetch_page(info.context.session, stmt, key, _first(info, first), after, conv, plain=plain)
    # The page's rows, for whoever needs them by id next.
    by_id(info.context, key.class_).prime_many(
        {pk: node.row for pk, node in rows.items if getattr(node, "row", None) is not None}
    )
    lookahead.prefetch(info, key.class_, [pk for pk, _ in rows.items])
    return connection_of(rows, conn, Edge)


async def _child_page(
    info: Info,
    model: type,
    fk: str,
    parent: int,
    first: int | None,
    after: str | None,
    conv: Any,
    conn: Any,
    where: Any = None,
    name: str = "",
) -> Any:
    n = _first(info, first)
    after_pk = decode_cursor(after) if after else None
    rows, more = await child_pages(info.context, model, fk, n, after_pk, where=where, name=name).load(parent)
    counter = child_counts(info.context, model, fk, where=where, name=name)
    total = await counter.load(parent)
    page = PageRows([(r.id, conv(r)) for r in rows], more, after is not None, lambda: total)
    lookahead.prefetch(info, model, [r.id for r in rows])
    return connection_of(page, conn, Edge)


@strawberry.type(description="A scheme enabled for an organisation, from a date.")
class SchemeEnablement:
    """An enablement row."""

    scheme: str = strawberry.field(description="Code of the scheme.")
    enabled_on: date = strawberry.field(description="Enabled from this date.")
    disabled_on: date | None = strawberry.field(description="Disabled from this date, if so.")
    version: int = strawberry.field(description="Version, for optimistic locking.")

    @staticmethod
    def of(r: m.SchemeEnablement) -> SchemeEnablement:
        """Convert a row."""
        return SchemeEnablement(
            scheme=r.scheme, enabled_on=r.enabled_on, disabled_on=r.disabled_on, version=r.version
        )


@strawberry.type(description="A landlord, a managing association or an institution.")
class Organisation(*ext("Organisation"), Node):  # type: ignore[misc]
    """An organisation of the graph."""

    pk: strawberry.Private[int]
    row: strawberry.Private[m.Organisation]
    name: str = strawberry.field(description="Name.")
    kind: c.OrganisationKind = strawberry.field(description="Landlord, association or institution.")
    siren: str | None = strawberry.field(description="SIREN number.")
    department: str | None = strawberry.field(description="Department code.")
    closed_on: date | None = strawberry.field(description="Closing date, if closed.")
    version: int = strawberry.field(description="Version, for optimistic locking.")

    @staticmethod
    def of(r: m.Organisation) -> Organisation:
        """Convert a row."""
        return Organisation(
            id=strawberry.ID(to_global_id("Organisation", r.id)),
            pk=r.id,
            row=r,
            name=r.name,
            kind=r.kind,
            siren=r.siren,
            department=r.department,
            closed_on=r.closed_on,
            version=r.version,
        )  # type: ignore[arg-type]

    @strawberry.field(description="Schemes this organisation runs (enablements, current and past).")
    async def schemes(self, info: Info) -> list[SchemeEnablement]:
        """Enablements."""
        rows = await children(info.context, m.SchemeEnablement, "organisation_id").load(self.pk)
        return [SchemeEnablement.of(r) for r in rows]

    @strawberry.field(description="Codes of the schemes enabled at the date.")
    def enabled_schemes(self, info: Info, on: OnDate = None) -> list[str]:
        """Enabled scheme codes."""
        return sorted(enabled_schemes(info.context.session, [self.pk], on or info.context.today)[self.pk])

    @strawberry.field(description="Sites owned by the organisation.")
    async def sites(self, info: Info, first: First = None, after: After = None) -> Connection[Site]:
        """Sites, paged."""
        return await _child_page(info, m.Site, "owner_id", self.pk, first, after, Site.of, Connection[Site])

    @strawberry.field(description="Offers the organisation owns as landlord or runs as manager.")
    def offers(
        self,
        info: Info,
        name: NameFilter = None,
        scheme: Annotated[str | None, strawberry.argument(description="Only offers of this scheme.")] = None,
        first: First = None,
        after: After = None,
    ) -> Connection[Offer]:
        """Offers, paged."""
        stmt = select(m.Offer).where(or_(m.Offer.landlord_id == self.pk, m.Offer.manager_id == self.pk))
        if name:
            stmt = stmt.where(func.lower(m.Offer.name).contains(name.lower()))
        if scheme:
            stmt = stmt.where(m.Offer.scheme == scheme)
        return _page(info, stmt, m.Offer.id, first, after, Offer.of, Connection[Offer])

    @strawberry.field(description="Households whose file the organisation owns.")
    async def households(self, info: Info, first: First = None, after: After = None) -> Connection[Household]:
        """Households, paged."""
        return await _child_page(
            info,
            m.Household,
            "owner_id",
            self.pk,
            first,
            after,
            Household.of,
            Connection[Household],
        )

    @strawberry.field(description="Partnerships the organisation grants or receives.")
    def partnerships(self, info: Info) -> list[Partnership]:
        """Partnerships."""
        stmt = (
            select(m.Partnership)
            .where(or_(m.Partnership.owner_id == self.pk, m.Partnership.partner_id == self.pk))
            .order_by(m.Partnership.id)
        )
        stmt = scope_of(info.context).filter(stmt, m.Partnership)
        return [Partnership.of(r) for r in info.context.session.execute(stmt).scalars()]

    @strawberry.field(
        description="Indicators of the schemes the organisation owns or runs offers of, over a period."
    )
    def indicators(
        self,
        info: Info,
        scheme: Annotated[str | None, strawberry.argument(description="Only this scheme.")] = None,
        start: From = None,
        end: To = None,
        keys: Annotated[
            list[str] | None, strawberry.argument(description="Only these indicator keys.")
        ] = None,
    ) -> list[IndicatorValue]:
        """Indicators over the organisation."""
        return _indicators(info, ScopeKind.ORGANISATION, self.pk, scheme, start, end, keys)


@strawberry.type(
    description="A partnership: an organisation grants a partner a role over a scope, for dates."
)
class Partnership(Node):
    """A partnership."""

    pk: strawberry.Private[int]
    row: strawberry.Private[m.Partnership]
    role: c.PartnershipRole = strawberry.field(description="What the partner does.")
    scope: c.PartnershipScope = strawberry.field(description="What the partnership covers.")
    grants_resident_files: bool = strawberry.field(
        description="Whether the partner may read residents' files."
    )
    start_date: date = strawberry.field(description="Start.")
    end_date: date | None = strawberry.field(description="End, if any.")
    version: int = strawberry.field(description="Version, for optimistic locking.")

    @staticmethod
    def of(r: m.Partnership) -> Partnership:
        """Convert a row."""
        return Partnership(
            id=strawberry.ID(to_global_id("Partnership", r.id)),
            pk=r.id,
            row=r,
            role=r.role,
            scope=r.scope,
            grants_resident_files=r.grants_resident_files,
            start_date=r.start_date,
            end_date=r.end_date,
            version=r.version,
        )  # type: ignore[arg-type]

    @strawberry.field(description="The granting organisation.")
    @context_only
    def organisation(self, info: Info) -> Organisation | None:
        """Owner."""
        return _ref(info, m.Organisation, self.row.owner_id, Organisation.of)

    @strawberry.field(description="The partner organisation.")
    @context_only
    def partner(self, info: Info) -> Organisation | None:
        """Partner."""
        return _ref(info, m.Organisation, self.row.partner_id, Organisation.of)

    @strawberry.field(description="Global ids of the sites covered (scope SITES).")
    def site_ids(self) -> list[strawberry.ID]:
        """Sites covered."""
        return [strawberry.ID(to_global_id("Site", s)) for s in self.row.site_ids]

    @strawberry.field(description="Global ids of the offers covered (scope OFFERS).")
    def offer_ids(self) -> list[strawberry.ID]:
        """Offers covered."""
        return [strawberry.ID(to_global_id("Offer", o)) for o in self.row.offer_ids]


@strawberry.type(description="Number of units of one typology.")
class TypologyCount:
    """A count by typology."""

    typology: c.Typology = strawberry.field(description="Typology.")
    count: int = strawberry.field(description="Number of units.")


@strawberry.type(description="A residence or building owned by a landlord.")
class Site(*ext("Site"), Node):  # type: ignore[misc]
    """A site."""

    pk: strawberry.Private[int]
    row: strawberry.Private[m.Site]
    name: str = strawberry.field(description="Name.")
    address: str | None = strawberry.field(description="Street address.")
    postcode: str | None = strawberry.field(description="Postcode.")
    commune: str = strawberry.field(description="Commune.")
    department: str | None = strawberry.field(description="Department code.")
    in_priority_district: bool = strawberry.field(
        description="In a QPV (quartier prioritaire de la politique de la ville)."
    )
    opened_on: date | None = strawberry.field(description="Opening date.")
    closed_on: date | None = strawberry.field(description="Closing date.")
    version: int = strawberry.field(description="Version, for optimistic locking.")

    @staticmethod
    def of(r: m.Site) -> Site:
        """Convert a row."""
        return Site(
            id=strawberry.ID(to_global_id("Site", r.id)),
            pk=r.id,
            row=r,
            name=r.name,
            address=r.address,
            postcode=r.postcode,
            commune=r.commune,
            department=r.department,
            in_priority_district=r.in_priority_district,
            opened_on=r.opened_on,
            closed_on=r.closed_on,
            version=r.version,
        )  # type: ignore[arg-type]

    @strawberry.field(description="The landlord owning the site.")
    @context_only
    def owner(self, info: Info) -> Organisation | None:
        """Owner."""
        return _ref(info, m.Organisation, self.row.owner_id, Organisation.of)

    @strawberry.field(description="Units of the site.")
    async def units(
        self,
        info: Info,
        typology: Annotated[
            c.Typology | None, strawberry.argument(description="Only units of this typology.")
        ] = None,
        first: First = None,
        after: After = None,
    ) -> Connection[Unit]:
        """Units, paged."""
        where = (lambda s: s.where(m.Unit.typology == typology)) if typology else None
        return await _child_page(
            info,
            m.Unit,
            "site_id",
            self.pk,
            first,
            after,
            Unit.of,
            Connection[Unit],
            where=where,
            name=str(typology),
        )

    @strawberry.field(description="Number of units by typology (open units only).")
    def unit_summary(self, info: Info) -> list[TypologyCount]:
        """Counts by typology."""
        stmt = (
            select(m.Unit.typology, func.count())
            .where(m.Unit.site_id == self.pk, m.Unit.closed_on.is_(None))
            .group_by(m.Unit.typology)
        )
        counts = dict(info.context.session.execute(stmt).all())
        return [TypologyCount(typology=t, count=counts[t]) for t in m.Typology if t in counts]

    @strawberry.field(description="Offers run in the site.")
    async def offers(self, info: Info) -> list[Offer]:
        """Offers."""
        return [Offer.of(r) for r in await children(info.context, m.Offer, "site_id").load(self.pk)]

    @strawberry.field(description="Indicators of the offers run in the site, over a period.")
    def indicators(
        self,
        info: Info,
        scheme: Annotated[str | None, strawberry.argument(description="Only this scheme.")] = None,
        start: From = None,
        end: To = None,
        keys: Annotated[
            list[str] | None, strawberry.argument(description="Only these indicator keys.")
        ] = None,
    ) -> list[IndicatorValue]:
        """Indicators over the site."""
        return _indicators(info, ScopeKind.SITE, self.pk, scheme, start, end, keys)


@strawberry.type(description="A dwelling (logement) or a shared room of a site.")
class Unit(*ext("Unit"), Node):  # type: ignore[misc]
    """A unit."""

    pk: strawberry.Private[int]
    row: strawberry.Private[m.Unit]
    national_id: str | None = strawberry.field(description="National dwelling identifier (RNL).")
    label: str = strawberry.field(description="Label (door number).")
    typology: c.Typology = strawberry.field(description="Typology.")
    surface_m2: float | None = strawberry.field(description="Surface in m².")
    floor: int | None = strawberry.field(description="Floor (0 = ground floor).")
    furnished: bool = strawberry.field(description="Furnished.")
    accessible: bool = strawberry.field(description="Accessible to people with reduced mobility.")
    common: bool = strawberry.field(description="Shared or common space, not a dwelling.")
    monthly_rent: float | None = strawberry.field(description="Monthly rent in euros.")
    closed_on: date | None = strawberry.field(description="Closing date.")
    version: int = strawberry.field(description="Version, for optimistic locking.")

    @staticmethod
    def of(r: m.Unit) -> Unit:
        """Convert a row."""
        return Unit(
            id=strawberry.ID(to_global_id("Unit", r.id)),
            pk=r.id,
            row=r,
            national_id=r.national_id,
            label=r.label,
            typology=r.typology,
            surface_m2=r.surface_m2,
            floor=r.floor,
            furnished=r.furnished,
            accessible=r.accessible,
            common=r.common,
            monthly_rent=r.monthly_rent,
            closed_on=r.closed_on,
            version=r.version,
        )  # type: ignore[arg-type]

    @strawberry.field(description="The site of the unit.")
    @context_only
    def site(self, info: Info) -> Site:
        """Site."""
        return _ref(info, m.Site, self.row.site_id, Site.of, required=True)


@strawberry.type(description="How full an offer is at a date.")
class OfferOccupancy:
    """Occupancy of an offer at a date."""

    on: date = strawberry.field(name="date", description="Reference date.")
    capacity: int | None = strawberry.field(description="Capacity in places.")
    occupied: int = strawberry.field(description="Households in the offer at that date.")
    rate: float | None = strawberry.field(description="Occupied / capacity, in percent.")


@strawberry.type(description="A household considered for an offer, with its verdict.")
class Candidate:
    """A candidate."""

    household: Household = strawberry.field(description="The household.")
    verdict: c.Verdict = strawberry.field(description="Its eligibility for the offer.")


@strawberry.type(description="One scheme run somewhere: in a site, or over a landlord's portfolio.")
class Offer(*ext("Offer"), Node):  # type: ignore[misc]
    """An offer."""

    pk: strawberry.Private[int]
    row: strawberry.Private[m.Offer]
    scheme: str = strawberry.field(description="Code of the scheme.")
    name: str = strawberry.field(description="Name.")
    capacity: int | None = strawberry.field(description="Capacity in places.")
    start_date: date = strawberry.field(description="Start date.")
    end_date: date | None = strawberry.field(description="End date.")
    parameters: JSON = strawberry.field(description="Overrides of the scheme's parameters, by key.")
    portfolio_wide: bool = strawberry.field(
        description="True for a programme over a landlord's portfolio (no site)."
    )
    version: int = strawberry.field(description="Version, for optimistic locking.")

    @staticmethod
    def of(r: m.Offer) -> Offer:
        """Convert a row."""
        return Offer(
            id=strawberry.ID(to_global_id("Offer", r.id)),
            pk=r.id,
            row=r,
            scheme=r.scheme,
            name=r.name,
            capacity=r.capacity,
            start_date=r.start_date,
            end_date=r.end_date,
            parameters=dict(r.parameters or {}),
            portfolio_wide=r.site_id is None,
            version=r.version,
        )  # type: ignore[arg-type]

    @strawberry.field(description="The landlord.")
    @context_only
    def landlord(self, info: Info) -> Organisation:
        """Landlord."""
        return _ref(info, m.Organisation, self.row.landlord_id, Organisation.of, required=True)

    @strawberry.field(description="The managing organisation.")
    @context_only
    def manager(self, info: Info) -> Organisation:
        """Manager."""
        return _ref(info, m.Organisation, self.row.manager_id, Organisation.of, required=True)

    @strawberry.field(description="The site, or null for a portfolio-wide programme.")
    @context_only
    def site(self, info: Info) -> Site | None:
        """Site."""
        return _ref(info, m.Site, self.row.site_id, Site.of)

    @strawberry.field(description="The parameters in force at the date, with their version.")
    def effective_parameters(self, info: Info, on: OnDate = None) -> c.ParameterSnapshot:
        """Resolved parameters."""
        scheme = info.context.registry.scheme(self.scheme)
        if scheme is None:
            raise GraphQLError(
                f"Le dispositif « {self.scheme} » n'est pas installé sur ce serveur.",
                extensions={"code": "SCHEME_NOT_INSTALLED"},
            )
        return c.ParameterSnapshot.of(scheme.parameters_at(on or info.context.today, self.row.parameters))

    @strawberry.field(description="Units attached to the offer.")
    def units(self, info: Info, first: First = None, after: After = None) -> Connection[Unit]:
        """Units, paged."""
        stmt = (
            select(m.Unit)
            .join(m.OfferUnit, m.OfferUnit.unit_id == m.Unit.id)
            .where(m.OfferUnit.offer_id == self.pk)
        )
        return _page(info, stmt, m.Unit.id, first, after, Unit.of, Connection[Unit])

    @strawberry.field(description="Occupancies in force at the date (the residents).")
    async def residents(
        self, info: Info, on: OnDate = None, first: First = None, after: After = None
    ) -> Connection[Occupancy]:
        """Current occupancies, paged."""
        day = on or info.context.today

        def where(s: Any) -> Any:
            return s.where(
                m.Occupancy.start_date <= day,
                or_(m.Occupancy.end_date.is_(None), m.Occupancy.end_date >= day),
            )

        return await _child_page(
            info,
            m.Occupancy,
            "offer_id",
            self.pk,
            first,
            after,
            Occupancy.of,
            Connection[Occupancy],
            where=where,
            name=f"at{day}",
        )

    @strawberry.field(description="Places occupied at the date against capacity.")
    def occupancy(self, info: Info, on: OnDate = None) -> OfferOccupancy:
        """Occupancy at a date."""
        day = on or info.context.today
        n = info.context.session.execute(
            select(func.count(func.distinct(m.Occupancy.household_id))).where(
                m.Occupancy.offer_id == self.pk,
                m.Occupancy.start_date <= day,
                or_(m.Occupancy.end_date.is_(None), m.Occupancy.end_date >= day),
            )
        ).scalar_one()
        rate = round(100.0 * n / self.capacity, 2) if self.capacity else None
        return OfferOccupancy(on=day, capacity=self.capacity, occupied=n, rate=rate)

    @strawberry.field(description="Referrals (applications) to the offer.")
    async def referrals(self, info: Info, first: First = None, after: After = None) -> Connection[Referral]:
        """Referrals, paged."""
        return await _child_page(
            info, m.Referral, "offer_id", self.pk, first, after, Referral.of, Connection[Referral]
        )

    @strawberry.field(
        description="The landlord's and manager's households and those referred, with their verdict; for programmes, the targeting list."
    )
    def candidates(
        self,
        info: Info,
        status: Annotated[
            list[c.Status] | None, strawberry.argument(description="Only these statuses.")
        ] = None,
        on: OnDate = None,
        referred_only: Annotated[
            bool, strawberry.argument(description="Only households referred to this offer (applicants).")
        ] = False,
        first: First = None,
        after: After = None,
    ) -> Connection[Candidate]:
        """Candidates by status, paged in household order."""
        ctx = info.context
        day = on or ctx.today
        try:
            require_enabled(ctx.session, ctx.registry, self.scheme, self.row.landlord_id, day)
            # Statuses of the whole population set-based, in the database; full verdicts (messages,
            # values) only for the page shown.
            population = elig.candidate_population(self.row, referred_only)
            decisions = elig.decide(ctx.session, ctx.registry, self.scheme, population, day, self.row)  # type: ignore[arg-type]
            wanted = set(status) if status else None
            ids = [d.household_id for d in decisions if wanted is None or d.status in wanted]
            visible = scope_of(ctx).visible(m.Household, ids)
            rows = list_connection([(h, h) for h in ids if h in visible], _first(info, first), after)
            page = [k for k, _ in rows.items]
            verdicts = elig.evaluate(ctx.session, ctx.registry, self.scheme, page, day, self.row)
        except SchemeUnavailable as exc:
            raise scheme_error(exc) from None
        heads = {
            h.id: h
            for h in ctx.session.execute(select(m.Household).where(m.Household.id.in_(page))).scalars()
        }
        items = [
            (k, Candidate(household=Household.of(heads[k]), verdict=c.Verdict.of(verdicts[k]))) for k in page
        ]
        return connection_of(
            PageRows(items, rows.has_next, rows.has_previous, rows.count),
            Connection[Candidate],
            Edge,
        )

    @strawberry.field(description="Indicators of the offer over a period.")
    def indicators(
        self,
        info: Info,
        start: From = None,
        end: To = None,
        keys: Annotated[
            list[str] | None, strawberry.argument(description="Only these indicator keys.")
        ] = None,
    ) -> list[IndicatorValue]:
        """Indicators over the offer."""
        return _indicators(info, ScopeKind.OFFER, self.pk, self.scheme, start, end, keys)


@strawberry.type(description="A household (ménage): the unit of eligibility, occupancy and support.")
class Household(*ext("Household"), Node):  # type: ignore[misc]
    """A household."""

    pk: strawberry.Private[int]
    row: strawberry.Private[m.Household]
    reference: str = strawberry.field(description="File reference.")
    confidential: bool = strawberry.field(
        description="Address and presence hidden (e.g. victims of violence)."
    )
    created_on: date = strawberry.field(description="Date the file was opened.")
    closed_on: date | None = strawberry.field(description="Date the file was closed.")
    version: int = strawberry.field(description="Version, for optimistic locking.")

    @staticmethod
    def of(r: m.Household) -> Household:
        """Convert a row."""
        return Household(
            id=strawberry.ID(to_global_id("Household", r.id)),
            pk=r.id,
            row=r,
            reference=r.reference,
            confidential=r.confidential,
            created_on=r.created_on,
            closed_on=r.closed_on,
            version=r.version,
        )  # type: ignore[arg-type]

    @strawberry.field(description="Organisation owning the file.")
    @context_only
    def owner(self, info: Info) -> Organisation | None:
        """Owner."""
        return _ref(info, m.Organisation, self.row.owner_id, Organisation.of)

    @strawberry.field(description="Members (present and past).")
    @context_only
    def members(self, info: Info) -> list[Person]:
        """Members."""
        return members_of(info.context).get(self.pk, lambda rows: [Person.of(r) for r in rows])

    @strawberry.field(description="Occupancies, oldest first.")
    @context_only
    def occupancies(self, info: Info) -> list[Occupancy]:
        """Occupancies."""
        return household_occupancies(info.context).get(self.pk, lambda rows: [Occupancy.of(r) for r in rows])

    @strawberry.field(description="The occupancy in force at the date, if any.")
    @context_only
    def current_occupancy(self, info: Info, on: OnDate = None) -> Occupancy | None:
        """Current occupancy."""
        day = on or info.context.today

        def current(rows: list[m.Occupancy]) -> Occupancy | None:
            found = [r for r in rows if r.start_date <= day and (r.end_date is None or r.end_date >= day)]
            return Occupancy.of(found[-1]) if found else None

        return household_occupancies(info.context).get(self.pk, current)

    @strawberry.field(description="Referrals (applications) of the household.")
    async def referrals(self, info: Info) -> list[Referral]:
        """Referrals."""
        return [
            Referral.of(r) for r in await children(info.context, m.Referral, "household_id").load(self.pk)
        ]

    @strawberry.field(description="Support episodes of the household.")
    async def support_episodes(self, info: Info) -> list[SupportEpisode]:
        """Support episodes."""
        return [
            SupportEpisode.of(r)
            for r in await children(info.context, m.SupportEpisode, "household_id").load(self.pk)
        ]

    @strawberry.field(
        description="Eligibility for an offer (its scheme, parameters and overrides) or for a scheme, at a date."
    )
    @context_only
    def eligibility(
        self,
        info: Info,
        offer_id: Annotated[
            strawberry.ID | None, strawberry.argument(description="Offer to check against.")
        ] = None,
        scheme: Annotated[
            str | None,
            strawberry.argument(description="Scheme to check against, when no offer is given."),
        ] = None,
        on: OnDate = None,
    ) -> c.Verdict:
        """A verdict: at once when the page loaded it ahead, else batched with the page's others."""
        ctx = info.context
        day = on or ctx.today
        if offer_id is None:
            if not scheme:
                raise GraphQLError("Indiquez une offre ou un dispositif.", extensions={"code": "REQUIRED"})
            return verdicts_at(ctx, scheme, None, day).get(self.pk, verdict_of)
        return self._offer_verdict(info, offer_id, day)

    async def _offer_verdict(self, info: Info, offer_id: strawberry.ID, day: date) -> c.Verdict:
        offer = await _get(info, m.Offer, offer_id, "Offer")
        if offer is None:
            raise GraphQLError("Offre introuvable.", extensions={"code": "NOT_FOUND"})
        found = verdicts_at(info.context, offer.scheme, offer, day).get(self.pk, verdict_of)
        return await found if asyncio.iscoroutine(found) else found  # type: ignore[no-any-return]


@strawberry.type(description="A member of a household.")
class Person(*ext("Person"), Node):  # type: ignore[misc]
    """A person."""

    pk: strawberry.Private[int]
    row: strawberry.Private[m.Person]
    first_name: str = strawberry.field(description="First name.")
    last_name: str = strawberry.field(description="Last name.")
    role: c.MemberRole = strawberry.field(description="Place in the household.")
    birth_date: date | None = strawberry.field(description="Birth date.")
    activity: c.Activity | None = strawberry.field(description="Activity situation.")
    monthly_resources: float | None = strawberry.field(description="Monthly resources in euros.")
    isolated: bool | None = strawberry.field(description="Socially isolated (null: unknown).")
    left_on: date | None = strawberry.field(description="Date the person left the household.")
    version: int = strawberry.field(description="Version, for optimistic locking.")

    @staticmethod
    def of(r: m.Person) -> Person:
        """Convert a row."""
        return Person(
            id=strawberry.ID(to_global_id("Person", r.id)),
            pk=r.id,
            row=r,
            first_name=r.first_name,
            last_name=r.last_name,
            role=r.role,
            birth_date=r.birth_date,
            activity=r.activity,
            monthly_resources=r.monthly_resources,
            isolated=r.isolated,
            left_on=r.left_on,
            version=r.version,
        )  # type: ignore[arg-type]

    @strawberry.field(description="Age in completed years at the date (null if the birth date is unknown).")
    @context_only
    def age(self, info: Info, on: OnDate = None) -> int | None:
        """Age."""
        from core.facts import age_at

        return age_at(self.birth_date, on or info.context.today)

    @strawberry.field(description="The household.")
    @context_only
    def household(self, info: Info) -> Household:
        """Household."""
        return _ref(info, m.Household, self.row.household_id, Household.of, required=True)


@strawberry.type(
    description="A household living in a unit, under an offer or as a tenant, between two dates."
)
class Occupancy(Node):
    """An occupancy."""

    pk: strawberry.Private[int]
    row: strawberry.Private[m.Occupancy]
    start_date: date = strawberry.field(description="Move-in date.")
    end_date: date | None = strawberry.field(description="Move-out date.")
    exit_reason: str | None = strawberry.field(description="Why the household left.")
    exit_destination: c.ExitDestination | None = strawberry.field(description="Where it went.")
    version: int = strawberry.field(description="Version, for optimistic locking.")

    @staticmethod
    def of(r: m.Occupancy) -> Occupancy:
        """Convert a row."""
        return Occupancy(
            id=strawberry.ID(to_global_id("Occupancy", r.id)),
            pk=r.id,
            row=r,
            start_date=r.start_date,
            end_date=r.end_date,
            exit_reason=r.exit_reason,
            exit_destination=r.exit_destination,
            version=r.version,
        )  # type: ignore[arg-type]

    @strawberry.field(description="The household.")
    @context_only
    def household(self, info: Info) -> Household:
        """Household."""
        return _ref(info, m.Household, self.row.household_id, Household.of, required=True)

    @strawberry.field(description="The unit.")
    @context_only
    def unit(self, info: Info) -> Unit | None:
        """Unit."""
        return _ref(info, m.Unit, self.row.unit_id, Unit.of)

    @strawberry.field(description="The offer, or null for an ordinary tenancy.")
    @context_only
    def offer(self, info: Info) -> Offer | None:
        """Offer."""
        return _ref(info, m.Offer, self.row.offer_id, Offer.of)

    @strawberry.field(description="Length of stay in days up to the end date or the given date.")
    def length_of_stay_days(self, info: Info, on: OnDate = None) -> int:
        """Days."""
        end = self.end_date or on or info.context.today
        return max(0, (end - self.start_date).days)


@strawberry.type(description="A household proposed to an offer by an organisation, and the decision taken.")
class Referral(Node):
    """A referral."""

    pk: strawberry.Private[int]
    row: strawberry.Private[m.Referral]
    proposed_on: date = strawberry.field(description="Date of the proposal.")
    decision: c.ReferralDecision = strawberry.field(description="Decision.")
    decided_on: date | None = strawberry.field(description="Date of the decision.")
    reason: str | None = strawberry.field(description="Reason given.")
    version: int = strawberry.field(description="Version, for optimistic locking.")

    @staticmethod
    def of(r: m.Referral) -> Referral:
        """Convert a row."""
        return Referral(
            id=strawberry.ID(to_global_id("Referral", r.id)),
            pk=r.id,
            row=r,
            proposed_on=r.proposed_on,
            decision=r.decision,
            decided_on=r.decided_on,
            reason=r.reason,
            version=r.version,
        )  # type: ignore[arg-type]

    @strawberry.field(description="The household proposed.")
    @context_only
    def household(self, info: Info) -> Household | None:
        """Household."""
        return _ref(info, m.Household, self.row.household_id, Household.of)

    @strawberry.field(description="The offer.")
    @context_only
    def offer(self, info: Info) -> Offer | None:
        """Offer."""
        return _ref(info, m.Offer, self.row.offer_id, Offer.of)

    @strawberry.field(description="The proposing organisation.")
    @context_only
    def proposer(self, info: Info) -> Organisation | None:
        """Proposer."""
        return _ref(info, m.Organisation, self.row.proposer_id, Organisation.of)


@strawberry.type(description="A contact (visit, call) within a support episode.")
class SupportContact(Node):
    """A contact."""

    pk: strawberry.Private[int]
    contact_on: date = strawberry.field(description="Date.")
    kind: c.ContactKind = strawberry.field(description="Kind.")
    duration_minutes: int | None = strawberry.field(description="Duration in minutes.")

    @staticmethod
    def of(r: m.SupportContact) -> SupportContact:
        """Convert a row."""
        return SupportContact(
            id=strawberry.ID(to_global_id("SupportContact", r.id)),
            pk=r.id,
            contact_on=r.contact_on,
            kind=r.kind,
            duration_minutes=r.duration_minutes,
        )  # type: ignore[arg-type]


@strawberry.type(description="A household supported by an organisation, under an offer or not.")
class SupportEpisode(Node):
    """A support episode."""

    pk: strawberry.Private[int]
    row: strawberry.Private[m.SupportEpisode]
    start_date: date = strawberry.field(description="Start.")
    end_date: date | None = strawberry.field(description="End.")
    end_reason: str | None = strawberry.field(description="Why it ended.")
    version: int = strawberry.field(description="Version, for optimistic locking.")

    @staticmethod
    def of(r: m.SupportEpisode) -> SupportEpisode:
        """Convert a row."""
        return SupportEpisode(
            id=strawberry.ID(to_global_id("SupportEpisode", r.id)),
            pk=r.id,
            row=r,
            start_date=r.start_date,
            end_date=r.end_date,
            end_reason=r.end_reason,
            version=r.version,
        )  # type: ignore[arg-type]

    @strawberry.field(description="The household supported.")
    @context_only
    def household(self, info: Info) -> Household:
        """Household."""
        return _ref(info, m.Household, self.row.household_id, Household.of, required=True)

    @strawberry.field(description="The supporting organisation.")
    @context_only
    def organisation(self, info: Info) -> Organisation | None:
        """Organisation."""
        return _ref(info, m.Organisation, self.row.organisation_id, Organisation.of)

    @strawberry.field(description="The offer, if any.")
    @context_only
    def offer(self, info: Info) -> Offer | None:
        """Offer."""
        return _ref(info, m.Offer, self.row.offer_id, Offer.of)

    @strawberry.field(description="Contacts, oldest first.")
    async def contacts(self, info: Info) -> list[SupportContact]:
        """Contacts."""
        rows = await children(info.context, m.SupportContact, "episode_id", order="contact_on").load(self.pk)
        return [SupportContact.of(r) for r in rows]


@strawberry.type(description="A closed date interval.")
class DatePeriod:
    """A period."""

    start: date = strawberry.field(description="First day.")
    end: date = strawberry.field(description="Last day, included.")


@strawberry.type(description="An indicator computed over a scope and a period, with its definition.")
class IndicatorValue:
    """An indicator value."""

    scheme: str = strawberry.field(description="Code of the scheme.")
    key: str = strawberry.field(description="Key of the indicator.")
    label: str = strawberry.field(description="French label.")
    unit: c.IndicatorUnit = strawberry.field(description="Unit of the value.")
    value: float | None = strawberry.field(description="The value (null when the denominator is zero).")
    numerator: float | None = strawberry.field(description="Numerator (or the count).")
    denominator: float | None = strawberry.field(description="Denominator, for shares and averages.")
    target: float | None = strawberry.field(description="Target value, when the texts give one.")
    target_label: str | None = strawberry.field(description="Target as written in the source.")
    definition: str = strawberry.field(description="How it is computed, in French.")
    period: DatePeriod = strawberry.field(description="Period covered.")
    scope: c.ScopeKind = strawberry.field(description="What it is computed over.")
    offer_ids: list[strawberry.ID] = strawberry.field(description="Offers of the scheme within the scope.")
    _computed: strawberry.Private[Any]

    @strawberry.field(description="The households counted (drill-down); empty when not meaningful.")
    def households(self, info: Info, first: First = None, after: After = None) -> Connection[Household]:
        """Households counted, paged."""
        ci = self._computed
        if ci.indicator.households is None:
            return connection_of(PageRows([], False, False, lambda: 0), Connection[Household], Edge)
        ids = ci.indicator.households(ci.request).subquery()
        stmt = select(m.Household).where(m.Household.id.in_(select(ids.c[0])))
        return _page(info, stmt, m.Household.id, first, after, Household.of, Connection[Household])


def _indicators(
    info: Info,
    scope: ScopeKind,
    pk: int,
    scheme: str | None,
    start: date | None,
    end: date | None,
    keys: list[str] | None,
) -> list[IndicatorValue]:
    ctx = info.context
    period = _period(info, start, end)
    try:
        computed = ind.compute(
            ctx.session,
            ctx.registry,
            scope,
            pk,
            period,
            scheme,
            keys,
            scope_of(ctx).condition_filter(m.Offer),
        )
    except SchemeUnavailable as exc:
        raise scheme_error(exc) from None
    out = []
    for ci in computed:
        d, r = ci.indicator, ci.result
        out.append(
            IndicatorValue(
                scheme=d.scheme,
                key=d.key,
                label=d.label,
                unit=d.unit,
                value=r.value,
                numerator=r.numerator,
                denominator=r.denominator,
                target=d.target,
                target_label=d.target_label,
                definition=d.definition,
                period=DatePeriod(start=period.start, end=period.end),
                scope=scope,
                offer_ids=[strawberry.ID(to_global_id("Offer", o)) for o in ci.request.offer_ids],
                _computed=ci,
            )
        )
    return out


@strawberry.type(description="An installed scheme: what its plugin declares, and where it is enabled.")
class Scheme:
    """A scheme of the catalogue."""

    code: str = strawberry.field(description="Code of the scheme (prefix of its types and fields).")
    name: str = strawberry.field(description="English name.")
    label: str = strawberry.field(description="French label.")
    version: str = strawberry.field(description="Version of the scheme's rules.")
    description: str = strawberry.field(description="What the scheme is, and for whom.")
    plugin: str = strawberry.field(description="Name of the plugin implementing it.")
    plugin_version: str = strawberry.field(description="Version of that plugin.")
    portfolio_wide: bool = strawberry.field(description="Whether offers are programmes over a portfolio.")
    effective_from: date = strawberry.field(description="Date from which the default parameters apply.")
    parameters: list[c.SchemeParameter] = strawberry.field(description="Parameters with their defaults.")
    parameter_versions: list[c.SchemeParameterVersion] = strawberry.field(
        description="Later dated changes of the parameters."
    )
    criteria: list[c.SchemeCriterion] = strawberry.field(description="Criteria its eligibility rule checks.")
    indicators: list[c.IndicatorDefinition] = strawberry.field(description="Indicator catalogue.")
    sensitive_fields: list[c.SensitiveFieldInfo] = strawberry.field(description="Fields declared sensitive.")
    sources: list[str] = strawberry.field(description="Source texts of the rules.")

    @strawberry.field(description="Organisations that enabled the scheme (at any date).")
    def enabled_for(self, info: Info) -> list[Organisation]:
        """Organisations."""
        stmt = (
            select(m.Organisation)
            .join(m.SchemeEnablement, m.SchemeEnablement.organisation_id == m.Organisation.id)
            .where(m.SchemeEnablement.scheme == self.code)
            .order_by(m.Organisation.id)
        )
        stmt = scope_of(info.context).filter(stmt, m.Organisation)
        return [Organisation.of(r) for r in info.context.session.execute(stmt).scalars()]


#: Scheme descriptions by (registry, code): a registry never changes once built, and this module
#: is executed once per schema, so the cached objects are of this schema's types.
_SCHEMES: dict[tuple[int, str], tuple[Any, Scheme]] = {}


def _scheme_info(registry: Any, code: str) -> Scheme:
    found = _SCHEMES.get((id(registry), code))
    if found is not None and found[0] is registry:
        return found[1]
    info = _build_scheme_info(registry, code)
    _SCHEMES[(id(registry), code)] = (registry, info)
    return info


def _build_scheme_info(registry: Any, code: str) -> Scheme:
    s = registry.schemes[code]
    plugin = registry.scheme_plugin[code]
    pinfo = next((p for p in registry.plugins if p.name == plugin), None)
    rule = registry.rules.get(code)
    return Scheme(
        code=s.code,
        name=s.name,
        label=s.label,
        version=s.version,
        description=s.description,
        plugin=plugin,
        plugin_version=pinfo.version if pinfo else "?",
        portfolio_wide=s.portfolio_wide,
        effective_from=s.effective_from,
        parameters=[c.parameter_info(p) for p in s.parameters],
        parameter_versions=[
            c.SchemeParameterVersion(
                effective_from=v.effective_from, values=c.jsonable(dict(v.values)), note=v.note
            )
            for v in s.parameter_versions
        ],
        criteria=[
            c.SchemeCriterion(code=k.code, label=k.label, kind=k.kind, source=k.source)
            for k in (rule.criteria if rule else ())
        ],
        indicators=[
            c.IndicatorDefinition(
                key=x.key,
                label=x.label,
                unit=x.unit,
                definition=x.definition,
                target=x.target,
                target_label=x.target_label,
                has_drill_down=x.households is not None,
            )
            for x in registry.indicators_of(code)
        ],
        sensitive_fields=[
            c.SensitiveFieldInfo(
                type_name=f.type_name,
                field_name=f.field_name,
                category=f.category,
                description=f.description,
                permission=f.permission,
            )
            for f in registry.sensitive_fields
            if f.scheme == code
        ],
        sources=list(s.sources),
    )


@strawberry.type(description="An entry of the append-only audit log: a mutation, or a sensitive read.")
class AuditEvent:
    """An audit event."""

    at: datetime = strawberry.field(description="When it happened (UTC).")
    actor: str = strawberry.field(description="Who: the token or identity that acted (`token:12`).")
    actor_organisation_id: strawberry.ID | None = strawberry.field(description="The actor's organisation.")
    action: str = strawberry.field(description="`create`, `update`, `delete` or `read_sensitive`.")
    object_type: str | None = strawberry.field(description="Kind of object touched (table model).")
    object_id: int | None = strawberry.field(description="Primary key of the object touched.")
    household_id: strawberry.ID | None = strawberry.field(description="Household concerned, if any.")
    field: str | None = strawberry.field(description="Sensitive field read, for `read_sensitive`.")
    fields: list[str] = strawberry.field(description="Names of the columns written (never their values).")

    @staticmethod
    def of(r: m.AuditEvent) -> AuditEvent:
        """Convert a row."""
        gid = lambda t, pk: strawberry.ID(to_global_id(t, pk)) if pk else None  # noqa: E731
        return AuditEvent(
            at=r.at,
            actor=r.actor,
            actor_organisation_id=gid("Organisation", r.actor_organisation_id),
            action=r.action,
            object_type=r.object_type,
            object_id=r.object_id,
            household_id=gid("Household", r.household_id),
            field=r.field,
            fields=list((r.details or {}).get("fields", [])),
        )


_NODE_TYPES: dict[str, tuple[type, Any]] = {
    "Organisation": (m.Organisation, lambda r: Organisation.of(r)),
    "Partnership": (m.Partnership, lambda r: Partnership.of(r)),
    "Site": (m.Site, lambda r: Site.of(r)),
    "Unit": (m.Unit, lambda r: Unit.of(r)),
    "Offer": (m.Offer, lambda r: Offer.of(r)),
    "Household": (m.Household, lambda r: Household.of(r)),
    "Person": (m.Person, lambda r: Person.of(r)),
    "Occupancy": (m.Occupancy, lambda r: Occupancy.of(r)),
    "Referral": (m.Referral, lambda r: Referral.of(r)),
    "SupportEpisode": (m.SupportEpisode, lambda r: SupportEpisode.of(r)),
    "SupportContact": (m.SupportContact, lambda r: SupportContact.of(r)),
}

IdArg = Annotated[strawberry.ID, strawberry.argument(description="Global id.")]


async def _node(info: Info, gid: strawberry.ID) -> Any:
    """The object a global id names, or None (unknown type, malformed or missing)."""
    decoded = from_global_id(str(gid))
    if decoded is None or decoded[0] not in _NODE_TYPES:
        return None
    model, conv = _NODE_TYPES[decoded[0]]
    row = await by_id(info.context, model).load(decoded[1])
    return None if row is None else conv(row)


@strawberry.type(description="Entry points for reading the graph.")
class Query(*ext("Query"), DataIOQuery):  # type: ignore[misc]
    """Root query."""

    @strawberry.field(description="Any object by its global id (null when not found).")
    async def node(self, info: Info, id: IdArg) -> Node | None:
        """Refetch an object."""
        return await _node(info, id)

    @strawberry.field(description="Several objects by their global ids, in order (null for those not found).")
    async def nodes(
        self,
        info: Info,
        ids: Annotated[list[strawberry.ID], strawberry.argument(description="Global ids (at most 100).")],
    ) -> list[Node | None]:
        """Refetch objects."""
        if len(ids) > info.context.settings.max_page_size:
            raise GraphQLError("Au plus 100 identifiants.", extensions={"code": "PAGE_SIZE"})
        return list(await asyncio.gather(*(_node(info, i) for i in ids)))

    @strawberry.field(description="Organisations, optionally of one kind.")
    def organisations(
        self,
        info: Info,
        name: NameFilter = None,
        kind: Annotated[c.OrganisationKind | None, strawberry.argument(description="Only this kind.")] = None,
        first: First = None,
        after: After = None,
    ) -> Connection[Organisation]:
        """Organisations, paged."""
        stmt = select(m.Organisation)
        if name:
            stmt = stmt.where(func.lower(m.Organisation.name).contains(name.lower()))
        if kind:
            stmt = stmt.where(m.Organisation.kind == kind)
        return _page(info, stmt, m.Organisation.id, first, after, Organisation.of, Connection[Organisation])

    @strawberry.field(description="An organisation by global id.")
    async def organisation(self, info: Info, id: IdArg) -> Organisation | None:
        """One organisation."""
        row = await _get(info, m.Organisation, id, "Organisation")
        return Organisation.of(row) if row else None

    @strawberry.field(description="Sites, optionally of one landlord.")
    def sites(
        self,
        info: Info,
        name: NameFilter = None,
        organisation_id: Annotated[
            strawberry.ID | None, strawberry.argument(description="Only this landlord's sites.")
        ] = None,
        first: First = None,
        after: After = None,
    ) -> Connection[Site]:
        """Sites, paged."""
        stmt = select(m.Site)
        if name:
            stmt = stmt.where(func.lower(m.Site.name).contains(name.lower()))
        if organisation_id is not None:
            stmt = stmt.where(m.Site.owner_id == (_pk(organisation_id, "Organisation") or 0))
        return _page(info, stmt, m.Site.id, first, after, Site.of, Connection[Site])

    @strawberry.field(description="A site by global id.")
    async def site(self, info: Info, id: IdArg) -> Site | None:
        """One site."""
        row = await _get(info, m.Site, id, "Site")
        return Site.of(row) if row else None

    @strawberry.field(description="Offers, optionally of one scheme or organisation (landlord or manager).")
    def offers(
        self,
        info: Info,
        name: NameFilter = None,
        scheme: Annotated[str | None, strawberry.argument(description="Only this scheme.")] = None,
        organisation_id: Annotated[
            strawberry.ID | None,
            strawberry.argument(description="Only offers this organisation owns or runs."),
        ] = None,
        first: First = None,
        after: After = None,
    ) -> Connection[Offer]:
        """Offers, paged."""
        stmt = select(m.Offer)
        if name:
            stmt = stmt.where(func.lower(m.Offer.name).contains(name.lower()))
        if scheme:
            stmt = stmt.where(m.Offer.scheme == scheme)
        if organisation_id is not None:
            org = _pk(organisation_id, "Organisation") or 0
            stmt = stmt.where(or_(m.Offer.landlord_id == org, m.Offer.manager_id == org))
        return _page(info, stmt, m.Offer.id, first, after, Offer.of, Connection[Offer])

    @strawberry.field(description="An offer by global id.")
    async def offer(self, info: Info, id: IdArg) -> Offer | None:
        """One offer."""
        row = await _get(info, m.Offer, id, "Offer")
        return Offer.of(row) if row else None

    @strawberry.field(description="Households, optionally of one organisation.")
    def households(
        self,
        info: Info,
        organisation_id: Annotated[
            strawberry.ID | None,
            strawberry.argument(description="Only files this organisation owns."),
        ] = None,
        first: First = None,
        after: After = None,
    ) -> Connection[Household]:
        """Households, paged."""
        stmt = select(m.Household)
        owner = None
        if organisation_id is not None:
            owner = _pk(organisation_id, "Organisation") or 0
            stmt = stmt.where(m.Household.owner_id == owner)
        return _page(
            info, stmt, m.Household.id, first, after, Household.of, Connection[Household], owner, plain=True
        )

    @strawberry.field(description="A household by global id.")
    async def household(self, info: Info, id: IdArg) -> Household | None:
        """One household."""
        row = await _get(info, m.Household, id, "Household")
        return Household.of(row) if row else None

    @strawberry.field(
        description="The audit log of the caller's organisation (auditors) or of the deployment (operators)."
    )
    def audit_events(
        self,
        info: Info,
        household_id: Annotated[
            strawberry.ID | None, strawberry.argument(description="Only events about this household.")
        ] = None,
        first: First = None,
        after: After = None,
    ) -> Connection[AuditEvent]:
        """Audit events, oldest first."""
        caller = info.context.caller
        if caller is None or caller.role not in (m.Role.AUDITOR, m.Role.PLATFORM):
            raise GraphQLError(
                "Le journal d'audit est réservé aux auditeurs.", extensions={"code": "FORBIDDEN"}
            )
        stmt = select(m.AuditEvent)
        if not caller.platform:
            stmt = stmt.where(m.AuditEvent.owner_id == caller.organisation_id)
        if household_id is not None:
            stmt = stmt.where(m.AuditEvent.household_id == (_pk(household_id, "Household") or 0))
        rows = fetch_page(
            info.context.session, stmt, m.AuditEvent.id, _first(info, first), after, AuditEvent.of
        )
        return connection_of(rows, Connection[AuditEvent], Edge)

    @strawberry.field(
        description="The installed schemes (plugins): parameters, criteria, indicators, where enabled."
    )
    def schemes(self, info: Info) -> list[Scheme]:
        """Scheme catalogue."""
        reg = info.context.registry
        return [_scheme_info(reg, code) for code in reg.schemes]

    @strawberry.field(description="One installed scheme by code (null if not installed).")
    def scheme(
        self, info: Info, code: Annotated[str, strawberry.argument(description="Scheme code.")]
    ) -> Scheme | None:
        """One scheme."""
        reg = info.context.registry
        return _scheme_info(reg, code) if code in reg.schemes else None


# -- mutations -------------------------------------------------------------------------------
def _payload(name: str, attr: str, node: type, description: str) -> type:
    """A payload type ``<Name>Payload { <attr>: <node>, userErrors }``."""
    ns: dict[str, Any] = {
        "__annotations__": {attr: node | None, "user_errors": list[c.UserError]},
        attr: strawberry.field(description=f"The {attr} (null when the input was refused)."),
        "user_errors": strawberry.field(description="Problems with the input; empty on success."),
        "__doc__": description,
    }
    return strawberry.type(type(f"{name}Payload", (), ns), description=description)


OrganisationPayload = _payload(
    "Organisation", "organisation", Organisation, "Result of a mutation on an organisation."
)
SchemeEnablementPayload = _payload(
    "SchemeEnablement", "enablement", SchemeEnablement, "Result of enabling or disabling a scheme."
)
PartnershipPayload = _payload(
    "Partnership", "partnership", Partnership, "Result of a mutation on a partnership."
)
SitePayload = _payload("Site", "site", Site, "Result of a mutation on a site.")
UnitPayload = _payload("Unit", "unit", Unit, "Result of a mutation on a unit.")
OfferPayload = _payload("Offer", "offer", Offer, "Result of a mutation on an offer.")
HouseholdPayload = _payload("Household", "household", Household, "Result of a mutation on a household.")
PersonPayload = _payload("Person", "person", Person, "Result of a mutation on a person.")
OccupancyPayload = _payload("Occupancy", "occupancy", Occupancy, "Result of a mutation on an occupancy.")
ReferralPayload = _payload("Referral", "referral", Referral, "Result of a mutation on a referral.")
SupportEpisodePayload = _payload(
    "SupportEpisode", "episode", SupportEpisode, "Result of a mutation on a support episode."
)
SupportContactPayload = _payload(
    "SupportContact", "contact", SupportContact, "Result of adding a support contact."
)


def _run(info: Info, payload: type, attr: str, conv: Any, work: Any) -> Any:
    """One mutation, one transaction: the object, or user errors and nothing written."""
    ctx = info.context
    row, problems = transaction(ctx.session, lambda: work(ctx))
    errors = [c.UserError(field=p.field, code=p.code, message=p.message) for p in problems]
    return payload(**{attr: conv(row) if row is not None else None, "user_errors": errors})


def _m(description: str) -> Any:
    return strawberry.mutation(description=description)


_IN = strawberry.argument(description="The mutation's input.")


@strawberry.type(description="Changes to the graph: one input object, a payload with userErrors.")
class Mutation(*ext("Mutation"), DataIOMutation):  # type: ignore[misc]
    """Root mutation."""

    @_m("Create an organisation.")
    def create_organisation(
        self, info: Info, input: Annotated[i.CreateOrganisationInput, _IN]
    ) -> OrganisationPayload:
        return _run(
            info,
            OrganisationPayload,
            "organisation",
            Organisation.of,
            lambda x: w.create_organisation(x.session, input),
        )

    @_m("Update an organisation.")
    def update_organisation(
        self, info: Info, input: Annotated[i.UpdateOrganisationInput, _IN]
    ) -> OrganisationPayload:
        return _run(
            info,
            OrganisationPayload,
            "organisation",
            Organisation.of,
            lambda x: w.update_organisation(x.session, input),
        )

    @_m("Close an organisation at a date.")
    def close_organisation(self, info: Info, input: Annotated[i.CloseInput, _IN]) -> OrganisationPayload:
        return _run(
            info,
            OrganisationPayload,
            "organisation",
            Organisation.of,
            lambda x: w.close(x.session, m.Organisation, "Organisation", input, None),
        )

    @_m("Enable an installed scheme for an organisation.")
    def enable_scheme(
        self, info: Info, input: Annotated[i.EnableSchemeInput, _IN]
    ) -> SchemeEnablementPayload:
        return _run(
            info,
            SchemeEnablementPayload,
            "enablement",
            SchemeEnablement.of,
            lambda x: w.enable_scheme(x.session, x.registry, input),
        )

    @_m("Disable a scheme for an organisation.")
    def disable_scheme(
        self, info: Info, input: Annotated[i.DisableSchemeInput, _IN]
    ) -> SchemeEnablementPayload:
        return _run(
            info,
            SchemeEnablementPayload,
            "enablement",
            SchemeEnablement.of,
            lambda x: w.disable_scheme(x.session, input),
        )

    @_m("Create a partnership.")
    def create_partnership(
        self, info: Info, input: Annotated[i.CreatePartnershipInput, _IN]
    ) -> PartnershipPayload:
        return _run(
            info,
            PartnershipPayload,
            "partnership",
            Partnership.of,
            lambda x: w.create_partnership(x.session, input),
        )

    @_m("Update a partnership.")
    def update_partnership(
        self, info: Info, input: Annotated[i.UpdatePartnershipInput, _IN]
    ) -> PartnershipPayload:
        return _run(
            info,
            PartnershipPayload,
            "partnership",
            Partnership.of,
            lambda x: w.update_partnership(x.session, input),
        )

    @_m("End a partnership.")
    def end_partnership(self, info: Info, input: Annotated[i.EndPartnershipInput, _IN]) -> PartnershipPayload:
        return _run(
            info,
            PartnershipPayload,
            "partnership",
            Partnership.of,
            lambda x: w.end_partnership(x.session, input),
        )

    @_m("Create a site.")
    def create_site(self, info: Info, input: Annotated[i.CreateSiteInput, _IN]) -> SitePayload:
        return _run(info, SitePayload, "site", Site.of, lambda x: w.create_site(x.session, input))

    @_m("Update a site.")
    def update_site(self, info: Info, input: Annotated[i.UpdateSiteInput, _IN]) -> SitePayload:
        return _run(info, SitePayload, "site", Site.of, lambda x: w.update_site(x.session, input))

    @_m("Close a site at a date.")
    def close_site(self, info: Info, input: Annotated[i.CloseInput, _IN]) -> SitePayload:
        return _run(
            info,
            SitePayload,
            "site",
            Site.of,
            lambda x: w.close(x.session, m.Site, "Site", input, "opened_on"),
        )

    @_m("Create a unit.")
    def create_unit(self, info: Info, input: Annotated[i.CreateUnitInput, _IN]) -> UnitPayload:
        return _run(info, UnitPayload, "unit", Unit.of, lambda x: w.create_unit(x.session, input))

    @_m("Update a unit.")
    def update_unit(self, info: Info, input: Annotated[i.UpdateUnitInput, _IN]) -> UnitPayload:
        return _run(info, UnitPayload, "unit", Unit.of, lambda x: w.update_unit(x.session, input))

    @_m("Close a unit at a date.")
    def close_unit(self, info: Info, input: Annotated[i.CloseInput, _IN]) -> UnitPayload:
        return _run(
            info,
            UnitPayload,
            "unit",
            Unit.of,
            lambda x: w.close(x.session, m.Unit, "Unit", input, None),
        )

    @_m("Create an offer of an installed scheme enabled for the landlord.")
    def create_offer(self, info: Info, input: Annotated[i.CreateOfferInput, _IN]) -> OfferPayload:
        return _run(
            info,
            OfferPayload,
            "offer",
            Offer.of,
            lambda x: w.create_offer(x.session, x.registry, input, x.today),
        )

    @_m("Update an offer.")
    def update_offer(self, info: Info, input: Annotated[i.UpdateOfferInput, _IN]) -> OfferPayload:
        return _run(
            info,
            OfferPayload,
            "offer",
            Offer.of,
            lambda x: w.update_offer(x.session, x.registry, input),
        )

    @_m("Close an offer at a date.")
    def close_offer(self, info: Info, input: Annotated[i.CloseInput, _IN]) -> OfferPayload:
        return _run(
            info,
            OfferPayload,
            "offer",
            Offer.of,
            lambda x: w.close(x.session, m.Offer, "Offer", input, "start_date"),
        )

    @_m("Attach units to an offer.")
    def attach_units(self, info: Info, input: Annotated[i.OfferUnitsInput, _IN]) -> OfferPayload:
        return _run(info, OfferPayload, "offer", Offer.of, lambda x: w.attach_units(x.session, input, True))

    @_m("Detach units from an offer.")
    def detach_units(self, info: Info, input: Annotated[i.OfferUnitsInput, _IN]) -> OfferPayload:
        return _run(info, OfferPayload, "offer", Offer.of, lambda x: w.attach_units(x.session, input, False))

    @_m("Create a household and its members.")
    def create_household(self, info: Info, input: Annotated[i.CreateHouseholdInput, _IN]) -> HouseholdPayload:
        return _run(
            info,
            HouseholdPayload,
            "household",
            Household.of,
            lambda x: w.create_household(x.session, input, x.today),
        )

    @_m("Update a household.")
    def update_household(self, info: Info, input: Annotated[i.UpdateHouseholdInput, _IN]) -> HouseholdPayload:
        return _run(
            info,
            HouseholdPayload,
            "household",
            Household.of,
            lambda x: w.update_household(x.session, input),
        )

    @_m("Close a household's file at a date.")
    def close_household(self, info: Info, input: Annotated[i.CloseInput, _IN]) -> HouseholdPayload:
        return _run(
            info,
            HouseholdPayload,
            "household",
            Household.of,
            lambda x: w.close(x.session, m.Household, "Household", input, "created_on"),
        )

    @_m("Add a member to a household.")
    def add_person(self, info: Info, input: Annotated[i.AddPersonInput, _IN]) -> PersonPayload:
        return _run(
            info,
            PersonPayload,
            "person",
            Person.of,
            lambda x: w.add_person(x.session, input, x.today),
        )

    @_m("Update a person.")
    def update_person(self, info: Info, input: Annotated[i.UpdatePersonInput, _IN]) -> PersonPayload:
        return _run(
            info,
            PersonPayload,
            "person",
            Person.of,
            lambda x: w.update_person(x.session, input, x.today),
        )

    @_m("Record that a person left the household.")
    def remove_person(self, info: Info, input: Annotated[i.RemovePersonInput, _IN]) -> PersonPayload:
        return _run(info, PersonPayload, "person", Person.of, lambda x: w.remove_person(x.session, input))

    @_m("A household moves into a unit.")
    def start_occupancy(self, info: Info, input: Annotated[i.StartOccupancyInput, _IN]) -> OccupancyPayload:
        return _run(
            info,
            OccupancyPayload,
            "occupancy",
            Occupancy.of,
            lambda x: w.start_occupancy(x.session, input),
        )

    @_m("Correct an occupancy.")
    def update_occupancy(self, info: Info, input: Annotated[i.UpdateOccupancyInput, _IN]) -> OccupancyPayload:
        return _run(
            info, OccupancyPayload, "occupancy", Occupancy.of, lambda x: w.update_occupancy(x.session, input)
        )

    @_m("A household leaves its unit.")
    def end_occupancy(self, info: Info, input: Annotated[i.EndOccupancyInput, _IN]) -> OccupancyPayload:
        return _run(
            info,
            OccupancyPayload,
            "occupancy",
            Occupancy.of,
            lambda x: w.end_occupancy(x.session, input),
        )

    @_m("Propose a household to an offer.")
    def create_referral(self, info: Info, input: Annotated[i.CreateReferralInput, _IN]) -> ReferralPayload:
        return _run(
            info,
            ReferralPayload,
            "referral",
            Referral.of,
            lambda x: w.create_referral(x.session, input),
        )

    @_m("Record the decision on a referral.")
    def decide_referral(self, info: Info, input: Annotated[i.DecideReferralInput, _IN]) -> ReferralPayload:
        return _run(
            info,
            ReferralPayload,
            "referral",
            Referral.of,
            lambda x: w.decide_referral(x.session, input),
        )

    @_m("Start supporting a household.")
    def start_support_episode(
        self, info: Info, input: Annotated[i.StartSupportEpisodeInput, _IN]
    ) -> SupportEpisodePayload:
        return _run(
            info,
            SupportEpisodePayload,
            "episode",
            SupportEpisode.of,
            lambda x: w.start_support_episode(x.session, input),
        )

    @_m("End a support episode.")
    def end_support_episode(
        self, info: Info, input: Annotated[i.EndSupportEpisodeInput, _IN]
    ) -> SupportEpisodePayload:
        return _run(
            info,
            SupportEpisodePayload,
            "episode",
            SupportEpisode.of,
            lambda x: w.end_support_episode(x.session, input),
        )

    @_m("Record a contact in a support episode.")
    def add_support_contact(
        self, info: Info, input: Annotated[i.AddSupportContactInput, _IN]
    ) -> SupportContactPayload:
        return _run(
            info,
            SupportContactPayload,
            "contact",
            SupportContact.of,
            lambda x: w.add_support_contact(x.session, input),
        )
