"""Who sees what: one authorization layer, derived from the organisation graph and the owner key.

A caller acts for one organisation (or is a platform operator). It sees what its organisation
owns; across owners, only what an active partnership grants it; an association sees the
households of the offers it runs; a landlord sees the offers in its buildings, their occupancy
and indicators, but residents' files only when the managing association granted them. Every
read path (root fields, ``node``, connections, nested fields, counts, indicators, drill-downs)
asks this module, so that a hidden object looks exactly like a missing one.
"""

from __future__ import annotations

import weakref
from collections import OrderedDict
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    String,
    and_,
    cast,
    event,
    exists,
    false,
    func,
    or_,
    select,
    text,
    true,
    union,
)
from sqlalchemy.orm import aliased
from sqlmodel import Session

from core.auth import Caller, Expiring
from core.models import (
    Household,
    Occupancy,
    Offer,
    Organisation,
    Partnership,
    PartnershipScope,
    Referral,
    Role,
    Site,
    SupportContact,
    SupportEpisode,
    Unit,
)

#: Permission to see confidential households (victims of violence) through a partnership grant.
CONFIDENTIAL = "households.confidential"


def _ids(compound: Any) -> Select[Any]:
    """A UNION usable inside ``IN (…)`` on every database (SQLite refuses a bare compound)."""
    sub = compound.subquery()
    return select(sub.c[0])


#: Conditions already built, by (model, organisation, grants, confidential permission); bounded.
_CONDITIONS: OrderedDict[tuple[Any, ...], ColumnElement[bool]] = OrderedDict()
_CONDITIONS_KEPT = 4096
#: Largest IN (...) list of ``visible``.
_CHUNK = 5000


def _in_offers(offers: Any) -> Select[Any]:
    """Households occupying, referred to or supported in ``offers`` (a SELECT of offer ids)."""
    return _ids(
        union(
            select(Occupancy.household_id).where(Occupancy.offer_id.in_(offers)),  # type: ignore[union-attr]
            select(Referral.household_id).where(Referral.offer_id.in_(offers)),  # type: ignore[attr-defined]
            select(SupportEpisode.household_id).where(SupportEpisode.offer_id.in_(offers)),  # type: ignore[union-attr]
        )
    )


@dataclass(frozen=True)
class Grants:
    """What a caller's organisation receives from the active partnerships granted to it."""

    owners: frozenset[int] = frozenset()  # scope ALL: everything of these organisations
    sites: frozenset[int] = frozenset()
    offers: frozenset[int] = frozenset()
    file_owners: frozenset[int] = frozenset()  # residents' files of these owners (scope ALL)
    file_sites: frozenset[int] = frozenset()
    file_offers: frozenset[int] = frozenset()


class KnownGrants:
    """The grants (and, on PostgreSQL, the row-level-security organisations) recently read, by
    organisation and date, kept ``seconds`` (``THEMA_TOKEN_CACHE_SECONDS``, as credentials are).

    Every request of an organisation's caller would otherwise read its partnerships before
    anything else. A write of this process to a partnership, an offer or an organisation empties
    the cache of its database as it commits (``_forget_on_commit``); a change made elsewhere
    (another worker, a command) takes at most ``seconds`` to reach it, like a token revocation.
    """

    def __init__(self, seconds: float, maxsize: int = 10_000) -> None:
        self.seconds = seconds
        self._entries: Expiring[tuple[int, date, str], Any] = Expiring(maxsize)

    def get(self, organisation: int, day: date, kind: str) -> Any:
        """What was kept of ``kind`` (``grants``, ``orgs``) for the organisation and day, if fresh."""
        return self._entries.get((organisation, day, kind))

    def put(self, organisation: int, day: date, kind: str, value: Any) -> None:
        """Keep ``value``."""
        self._entries.put((organisation, day, kind), value, self.seconds)

    def clear(self) -> None:
        """Forget everything."""
        self._entries.clear()


#: The cache of each database (engine), made by ``known_grants``.
_KNOWN: weakref.WeakKeyDictionary[Any, KnownGrants] = weakref.WeakKeyDictionary()
#: What a change to these rows may change in some caller's grants or organisations.
_GRANTING = (Partnership, Offer, Organisation)


def known_grants(engine: Any, seconds: float) -> KnownGrants:
    """The grants cache of ``engine``'s database in this process."""
    found = _KNOWN.get(engine)
    if found is None:
        found = _KNOWN[engine] = KnownGrants(seconds)
    return found


@event.listens_for(Session, "after_flush")
def _note_granting_writes(session: Session, _ctx: Any) -> None:
    if not session.info.get("thema.grants_changed") and any(
        isinstance(obj, _GRANTING) for obj in (*session.new, *session.dirty, *session.deleted)
    ):
        session.info["thema.grants_changed"] = True


@event.listens_for(Session, "after_commit")
def _forget_on_commit(session: Session) -> None:
    if session.info.pop("thema.grants_changed", False):
        for found in list(_KNOWN.values()):  # the session's database's, and any other (rare writes)
            found.clear()


@event.listens_for(Session, "after_rollback")
def _nothing_changed(session: Session) -> None:
    session.info.pop("thema.grants_changed", None)


@dataclass
class Scope:
    """The visibility of one caller at one date, as SQL conditions; built once per request."""

    session: Session
    caller: Caller | None
    today: date
    #: The request's loaders, where the grants are kept once read (``restrict_rows`` reads them
    #: as the request's transaction begins on PostgreSQL); None: read by this scope alone.
    shared: dict[Any, Any] | None = None
    #: Grants read by recent requests of this process (None: read by every request).
    known: KnownGrants | None = None
    _cache: dict[str, Any] = field(default_factory=dict)

    @property
    def unrestricted(self) -> bool:
        """Platform operators (and internal calls without a caller) see every row."""
        return self.caller is None or self.caller.platform

    @property
    def org(self) -> int:
        """The caller's organisation (never called for unrestricted scopes)."""
        assert self.caller is not None and self.caller.organisation_id is not None
        return self.caller.organisation_id

    @cached_property
    def grants(self) -> Grants:
        """Active partnerships granted to the caller's organisation, in one statement per request."""
        if self.unrestricted:
            return Grants()
        if self.shared is None:
            return self._read_grants()
        found = self.known.get(self.org, self.today, "grants") if self.known is not None else None
        if found is None:
            self.session.connection()  # the transaction begins: on PostgreSQL, ``restrict_rows`` reads them
            found = self.shared.get("core.grants")
        if found is None:
            found = self._read_grants()
            if self.known is not None:
                self.known.put(self.org, self.today, "grants", found)
        self.shared["core.grants"] = found
        return found  # type: ignore[no-any-return]

    def _read_grants(self) -> Grants:
        rows = self.session.execute(
            select(Partnership).where(
                Partnership.partner_id == self.org,
                Partnership.start_date <= self.today,
                or_(Partnership.end_date.is_(None), Partnership.end_date >= self.today),  # type: ignore[union-attr]
            )
        ).scalars()
        owners, sites, offers, f_owners, f_sites, f_offers = set(), set(), set(), set(), set(), set()
        for p in rows:
            if p.scope == PartnershipScope.ALL:
                owners.add(p.owner_id)
                if p.grants_resident_files:
                    f_owners.add(p.owner_id)
            elif p.scope == PartnershipScope.SITES:
                sites.update(p.site_ids)
                if p.grants_resident_files:
                    f_sites.update(p.site_ids)
            else:
                offers.update(p.offer_ids)
                if p.grants_resident_files:
                    f_offers.update(p.offer_ids)
        return Grants(*(frozenset(s) for s in (owners, sites, offers, f_owners, f_sites, f_offers)))

    # -- visible sets, as SELECTs of ids -----------------------------------------------------
    def offer_ids(self) -> Any:
        """Offers the caller sees: its own (landlord or manager) and those partnerships grant."""
        g = self.grants
        return select(Offer.id).where(
            or_(
                Offer.landlord_id == self.org,
                Offer.manager_id == self.org,
                Offer.landlord_id.in_(g.owners),  # type: ignore[attr-defined]
                Offer.manager_id.in_(g.owners),  # type: ignore[attr-defined]
                Offer.site_id.in_(g.sites),  # type: ignore[union-attr]
                Offer.id.in_(g.offers),  # type: ignore[union-attr]
            )
        )

    def site_ids(self) -> Any:
        """Sites the caller sees: owned, granted, or hosting an offer it sees."""
        g = self.grants
        return select(Site.id).where(
            or_(
                Site.owner_id == self.org,
                Site.owner_id.in_(g.owners),  # type: ignore[attr-defined]
                Site.id.in_(g.sites),  # type: ignore[union-attr]
                Site.id.in_(select(Offer.site_id).where(Offer.id.in_(self.offer_ids()))),  # type: ignore[union-attr]
            )
        )

    def household_ids(self) -> Any:
        """Households whose file the caller may read, as a SELECT of ids (see ``household_condition``)."""
        return select(Household.id).where(self.household_condition(Household))

    def household_condition(self, household: Any) -> ColumnElement[bool]:
        """The condition on ``household`` (the table or an alias) selecting the files the caller may read.

        Its organisation's own files; those of the households in the offers it manages (it is
        their data controller); and, through a partnership granting residents' files, those of
        the granted offers, sites or owners — except confidential households (victims of
        violence), which need the ``households.confidential`` permission on top. Cheap tests come
        first and empty grants add nothing, so that a landlord's page costs an index lookup.
        """
        g = self.grants
        managed = select(Offer.id).where(Offer.manager_id == self.org)
        parts: list[ColumnElement[bool]] = [
            household.owner_id == self.org,
            household.id.in_(_in_offers(managed)),
            household.id.in_(
                select(SupportEpisode.household_id).where(SupportEpisode.organisation_id == self.org)  # type: ignore[arg-type]
            ),
        ]
        granted_offers: list[ColumnElement[bool]] = []
        if g.file_offers:
            granted_offers.append(Offer.id.in_(g.file_offers))  # type: ignore[union-attr]
        if g.file_sites:
            granted_offers.append(Offer.site_id.in_(g.file_sites))  # type: ignore[union-attr]
        if g.file_owners:
            granted_offers.append(Offer.manager_id.in_(g.file_owners))  # type: ignore[attr-defined]
        via: list[ColumnElement[bool]] = []
        if g.file_owners:
            via.append(household.owner_id.in_(g.file_owners))
        if granted_offers:
            via.append(household.id.in_(_in_offers(select(Offer.id).where(or_(*granted_offers)))))
        if via:
            grant = or_(*via)
            if self.caller is None or not self.caller.has(CONFIDENTIAL):
                grant = and_(grant, household.confidential.is_(False))
            parts.append(grant)
        return or_(*parts)

    def household_of(self, column: Any) -> ColumnElement[bool]:
        """Rows whose ``column`` (a household id) points to a file the caller may read.

        A correlated EXISTS: one primary-key lookup per row, not the whole readable set built per
        statement (a landlord reads tens of thousands of files, a page shows fifty).
        """
        h = aliased(Household)
        return exists().where(h.id == column, self.household_condition(h))

    def organisation_ids(self) -> Any:
        """Organisations the caller sees: its own, its partners either way, those of its offers."""
        offers = self.offer_ids().subquery()
        return union(
            select(Organisation.id).where(Organisation.id == self.org),
            select(Partnership.owner_id).where(Partnership.partner_id == self.org),
            select(Partnership.partner_id).where(Partnership.owner_id == self.org),
            select(Offer.landlord_id).where(Offer.id.in_(select(offers.c.id))),  # type: ignore[union-attr]
            select(Offer.manager_id).where(Offer.id.in_(select(offers.c.id))),  # type: ignore[union-attr]
        )

    # -- conditions per table ----------------------------------------------------------------
    def condition(self, model: type) -> ColumnElement[bool]:
        """The SQL condition selecting the rows of ``model`` the caller may read."""
        if self.unrestricted:
            return true()
        if self.caller is not None and self.caller.role is Role.AUDITOR:
            return false()  # auditors read the audit log, not the files
        key = model.__name__
        cached = self._cache.get(key)
        if cached is not None:
            return cached  # type: ignore[no-any-return]
        # The condition depends only on these: built once per process, not once per request.
        shared_key = (model, self.org, self.grants, self.caller is not None and self.caller.has(CONFIDENTIAL))
        cached = _CONDITIONS.get(shared_key)
        if cached is not None:
            _CONDITIONS.move_to_end(shared_key)
            self._cache[key] = cached
            return cached
        cond: ColumnElement[bool]
        if model is Organisation:
            cond = Organisation.id.in_(_ids(self.organisation_ids()))  # type: ignore[union-attr]
        elif model is Site:
            # Its own rows first: a landlord's page of them never builds the visible set.
            cond = or_(Site.owner_id == self.org, Site.id.in_(self.site_ids()))  # type: ignore[union-attr]
        elif model is Unit:
            cond = or_(Unit.owner_id == self.org, Unit.site_id.in_(self.site_ids()))  # type: ignore[attr-defined]
        elif model is Offer:
            cond = Offer.id.in_(self.offer_ids())  # type: ignore[union-attr]
        elif model is Household:
            cond = self.household_condition(Household)
        elif model is Referral:
            cond = or_(self.household_of(Referral.household_id), Referral.proposer_id == self.org)
        elif model is SupportContact:
            episodes = select(SupportEpisode.id).where(self.household_of(SupportEpisode.household_id))
            cond = SupportContact.episode_id.in_(episodes)  # type: ignore[attr-defined]
        elif model is Partnership:
            cond = or_(Partnership.owner_id == self.org, Partnership.partner_id == self.org)
        elif hasattr(model, "household_id"):
            cond = self.household_of(model.household_id)  # type: ignore[attr-defined]
        else:
            cond = model.owner_id == self.org  # type: ignore[attr-defined]
        self._cache[key] = _CONDITIONS[shared_key] = cond
        if len(_CONDITIONS) > _CONDITIONS_KEPT:
            _CONDITIONS.popitem(last=False)
        return cond

    def reads_all_of(self, model: type, owner: int) -> bool:
        """Whether the caller may read every row of ``model`` that ``owner`` owns.

        True of an organisation's own households for its users (the first part of
        ``household_condition``): a page of them needs no access condition. Auditors read none.
        """
        if self.unrestricted:
            return True
        if self.caller is not None and self.caller.role is Role.AUDITOR:
            return False
        return model is Household and owner == self.org

    def follows_household(self, model: type) -> bool:
        """Whether a row of ``model`` is readable whenever its household's file is (see ``condition``).

        True of the rows a household owns (members, occupancies, support episodes, plugins'
        profiles: ``household_of``) and of referrals (``household_of`` or the proposer's): their
        loaders may skip the condition for the children of files the caller was just shown.
        """
        return (
            hasattr(model, "household_id")
            and model is not SupportContact
            and model not in (Organisation, Site, Unit, Offer, Household, Partnership)
        )

    def visible(self, model: type, ids: list[int]) -> set[int]:
        """Which of ``ids`` the caller may read, in one statement."""
        if self.unrestricted:
            return set(ids)
        if not ids:
            return set()
        pk = model.id  # type: ignore[attr-defined]
        cond = self.condition(model)
        found: set[int] = set()
        for i in range(0, len(ids), _CHUNK):  # a landlord's candidates run to tens of thousands
            part = ids[i : i + _CHUNK]
            found.update(self.session.execute(select(pk).where(pk.in_(part), cond)).scalars())
        return found

    def condition_filter(self, model: type) -> Any:
        """A function restricting a statement to the readable rows of ``model``."""
        return lambda stmt: self.filter(stmt, model)

    def filter(self, stmt: Select[Any], model: type) -> Select[Any]:
        """``stmt`` restricted to the rows of ``model`` the caller may read."""
        return stmt if self.unrestricted else stmt.where(self.condition(model))


def restrict_rows(session: Session, ctx: Any) -> None:
    """On PostgreSQL, confine every transaction of ``session`` to the caller's organisations (RLS).

    The row-level-security policies (migration 0003) let a transaction read and write only rows
    owned by the organisations listed in ``thema.orgs``: the caller's own and those it is related
    to. The application's own checks stay the first line; this is the second.
    """
    if session.get_bind().dialect.name != "postgresql":
        return
    caller = ctx.caller
    if caller is None or caller.platform or caller.organisation_id is None:
        return

    known = _known_of(ctx)
    org = caller.organisation_id

    @event.listens_for(session, "after_begin")
    def confine(_session: Session, _transaction: Any, connection: Any) -> None:
        orgs = ctx.loaders.get("core.rls.orgs")
        if orgs is None and known is not None:
            orgs = known.get(org, ctx.today, "orgs")
            if orgs is not None:
                ctx.loaders["core.rls.orgs"] = orgs
        if orgs is not None:  # a later transaction of the request, or a recent request
            connection.execute(_SET_ORGS, {"orgs": orgs})
            return
        # A throwaway session on this very connection: the request's session is still beginning.
        # Its grants are the request's (``scope_of`` takes them), and the organisations are
        # listed and set by one statement, which answers the list it set.
        with Session(bind=connection) as probe:
            scope = Scope(probe, caller, ctx.today)
            grants = known.get(org, ctx.today, "grants") if known is not None else None
            if grants is None:
                grants = scope.grants
                if known is not None:
                    known.put(org, ctx.today, "grants", grants)
            ctx.loaders["core.grants"] = scope.__dict__["grants"] = grants
            own = select(Organisation.id).where(Organisation.id == scope.org)
            listed = _ids(union(scope.organisation_ids(), own)).subquery()
            ids = select(func.string_agg(cast(listed.c[0], String), ","))
            found = probe.execute(
                select(func.set_config("thema.orgs", func.coalesce(ids.scalar_subquery(), "0"), true()))
            ).scalar_one()
        ctx.loaders["core.rls.orgs"] = found
        if known is not None:
            known.put(org, ctx.today, "orgs", found)


def _known_of(ctx: Any) -> KnownGrants | None:
    """The grants cache of the request's database, when its settings keep credentials a while."""
    settings = getattr(ctx, "settings", None)
    seconds = getattr(settings, "token_cache_seconds", 0)
    engine = getattr(ctx, "engine", None)
    return known_grants(engine, seconds) if seconds and seconds > 0 and engine is not None else None


_SET_ORGS = text("SELECT set_config('thema.orgs', :orgs, true)")


#: The request being served (set by the endpoint), so that writes check references against it.
CURRENT: ContextVar[Any] = ContextVar("thema_request", default=None)


def current_scope() -> Scope | None:
    """The scope of the request being served, if any (None in scripts and the demo loader)."""
    ctx = CURRENT.get()
    return None if ctx is None else scope_of(ctx)


def acts_for(organisation_id: int | None) -> bool:
    """Whether the current caller may write on behalf of ``organisation_id``."""
    scope = current_scope()
    return scope is None or scope.unrestricted or organisation_id == scope.org


def scope_of(ctx: Any) -> Scope:
    """The request's scope (built on first use)."""
    found = ctx.loaders.get("core.scope")
    if found is None:
        found = ctx.loaders["core.scope"] = Scope(
            ctx.session, ctx.caller, ctx.today, ctx.loaders, _known_of(ctx)
        )
    return found  # type: ignore[no-any-return]
