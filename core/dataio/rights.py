"""Data-subject rights and retention: right of access (JSON), anonymisation on request or at term."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Enum as SAEnum
from sqlalchemy import String, and_, exists, func, insert, not_, select, update
from sqlmodel import Session

from core.access import scope_of
from core.audit import sensitive_read
from core.dataio.exporter import household_tables, sensitive_columns
from core.graphql.relay import from_global_id
from core.models import (
    AuditEvent,
    Household,
    Occupancy,
    Person,
    Referral,
    SupportContact,
    SupportEpisode,
)
from core.plugins import Registry
from core.services.write import fail, require_acts_for
from core.settings import Settings

ANONYMOUS = "Anonyme"
ANON_PREFIX = "ANON-"


def _plain(value: Any) -> Any:
    if isinstance(value, date | datetime):
        return value.isoformat()
    if hasattr(value, "value"):
        return value.value
    return value


def _rows(session: Session, model: Any, where: Any) -> list[dict[str, Any]]:
    t = model.__table__
    return [
        {k: _plain(v) for k, v in row._mapping.items()}
        for row in session.execute(select(t).where(where).order_by(t.c.id))
    ]


def household_export(
    session: Session, registry: Registry, pk: int, caller: Any
) -> tuple[dict[str, Any], list[str]]:
    """Everything held on household ``pk``: core rows and plugin tables; omitted sensitive columns."""
    episodes = select(SupportEpisode.id).where(SupportEpisode.household_id == pk)
    data: dict[str, Any] = {
        "household": _rows(session, Household, Household.id == pk),
        "person": _rows(session, Person, Person.household_id == pk),
        "occupancy": _rows(session, Occupancy, Occupancy.household_id == pk),
        "referral": _rows(session, Referral, Referral.household_id == pk),
        "support_episode": _rows(session, SupportEpisode, SupportEpisode.household_id == pk),
        "support_contact": _rows(session, SupportContact, SupportContact.episode_id.in_(episodes)),
    }
    guarded = sensitive_columns(registry)
    omitted: list[str] = []
    for name, _plugin, model in household_tables(registry):
        rows = _rows(session, model, model.__table__.c.household_id == pk)  # type: ignore[attr-defined]
        for column, permission in guarded.get(name, {}).items():
            if caller is not None and not caller.has(permission):
                omitted.append(f"{name}.{column}")
                for r in rows:
                    r.pop(column, None)
        data[name] = rows
    return data, omitted


def access_request(ctx: Any, gid: str) -> dict[str, Any] | None:
    """Right of access over the API: the household's data, or None when missing or hidden."""
    decoded = from_global_id(gid)
    if decoded is None or decoded[0] != "Household":
        return None
    pk = decoded[1]
    if ctx.session.get(Household, pk) is None or pk not in scope_of(ctx).visible(Household, [pk]):
        return None
    data, omitted = household_export(ctx.session, ctx.registry, pk, ctx.caller)
    caller = ctx.caller
    if caller is not None:
        event = sensitive_read(caller.subject, caller.organisation_id, None, pk, "Household", "*")
        event["action"] = "access_export"
        event["details"] = {"omitted": omitted}
        ctx.audit.append(event)
    return {
        "householdId": gid,
        "exportedOn": ctx.today.isoformat(),
        "omittedColumns": omitted,
        "tables": data,
    }


def _free_text(column: Any) -> bool:
    return isinstance(column.type, String) and not isinstance(column.type, SAEnum) and column.nullable


def anonymise(
    session: Session,
    registry: Registry,
    pk: int,
    *,
    actor: str,
    actor_organisation_id: int | None,
    reason: str,
) -> dict[str, int]:
    """Clear household ``pk``'s identifying data (no commit): names, birth dates (year kept), free
    texts, plugin tables' sensitive fields and free texts; records an ``anonymise`` audit event."""
    household = session.get(Household, pk)
    if household is None:
        raise fail("householdId", "NOT_FOUND", "Ménage introuvable.")
    counts: dict[str, int] = {}
    session.execute(update(Household).where(Household.id == pk).values(reference=f"{ANON_PREFIX}{pk}"))
    counts["household"] = 1
    people = session.execute(select(Person.id, Person.birth_date).where(Person.household_id == pk)).all()
    for person_id, born in people:
        session.execute(
            update(Person)
            .where(Person.id == person_id)
            .values(
                first_name=ANONYMOUS,
                last_name=ANONYMOUS,
                birth_date=None if born is None else date(born.year, 1, 1),
                monthly_resources=None,
            )
        )
    counts["person"] = len(people)
    for model, column in ((Occupancy, "exit_reason"), (Referral, "reason"), (SupportEpisode, "end_reason")):
        t = model.__table__  # type: ignore[attr-defined]
        result = session.execute(update(t).where(t.c.household_id == pk).values({column: None}))
        counts[str(t.name)] = int(result.rowcount or 0)  # type: ignore[attr-defined]
    guarded = sensitive_columns(registry)
    for name, _plugin, table_model in household_tables(registry):
        t = table_model.__table__  # type: ignore[attr-defined]
        cleared = {c.name for c in t.columns if _free_text(c)} | set(guarded.get(name, {}))
        cleared = {c for c in cleared if t.c[c].nullable}
        if cleared:
            result = session.execute(update(t).where(t.c.household_id == pk).values(dict.fromkeys(cleared)))
            counts[name] = int(result.rowcount or 0)  # type: ignore[attr-defined]
    session.execute(
        insert(AuditEvent),
        [
            {
                "owner_id": household.owner_id,
                "at": datetime.now(UTC),
                "actor": actor,
                "actor_organisation_id": actor_organisation_id,
                "action": "anonymise",
                "object_type": "Household",
                "object_id": pk,
                "household_id": pk,
                "field": None,
                "details": {"reason": reason, "rows": counts},
            }
        ],
    )
    return counts


def anonymise_request(ctx: Any, pk: int, reason: str) -> dict[str, int]:
    """Anonymisation over the API: the household must be readable and owned by the caller's organisation."""
    household = ctx.session.get(Household, pk)
    if household is None or pk not in scope_of(ctx).visible(Household, [pk]):
        raise fail("householdId", "NOT_FOUND", "Ménage introuvable.")
    require_acts_for(household.owner_id, "householdId")
    caller = ctx.caller
    counts = anonymise(
        ctx.session,
        ctx.registry,
        pk,
        actor=caller.subject if caller else "system",
        actor_organisation_id=caller.organisation_id if caller else None,
        reason=reason,
    )
    ctx.session.commit()
    return counts


@dataclass(frozen=True)
class Due:
    """A household whose retention period has ended, and why."""

    household_id: int
    reference: str
    rule: str
    since: date


def due_for_retention(session: Session, settings: Settings, today: date) -> list[Due]:
    """Households to anonymise under the retention settings (already anonymised ones excluded)."""
    fresh = not_(Household.reference.startswith(ANON_PREFIX))
    out: dict[int, Due] = {}
    if settings.retention_closed_household_days:
        limit = today - timedelta(days=settings.retention_closed_household_days)
        stmt = select(Household.id, Household.reference, Household.closed_on).where(
            fresh, Household.closed_on.is_not(None), Household.closed_on < limit
        )
        for pk, ref, on in session.execute(stmt):
            out[pk] = Due(pk, ref, "closed_household", on)
    if settings.retention_departed_household_days:
        limit = today - timedelta(days=settings.retention_departed_household_days)
        still = exists().where(
            Occupancy.household_id == Household.id,
            (Occupancy.end_date.is_(None)) | (Occupancy.end_date >= limit),
        )
        last = (
            select(Occupancy.household_id, func.max(Occupancy.end_date).label("ended"))
            .group_by(Occupancy.household_id)
            .subquery()
        )
        stmt = (
            select(Household.id, Household.reference, last.c.ended)
            .join(last, last.c.household_id == Household.id)
            .where(and_(fresh, not_(still)))
        )
        for pk, ref, on in session.execute(stmt):
            out.setdefault(pk, Due(pk, ref, "departed_household", on))
    return sorted(out.values(), key=lambda d: d.household_id)


def run_retention(
    session: Session, registry: Registry, settings: Settings, today: date, apply: bool
) -> list[Due]:
    """Anonymise the households due (with ``apply``, in one transaction); returns them."""
    due = due_for_retention(session, settings, today)
    if apply and due:
        for d in due:
            anonymise(
                session,
                registry,
                d.household_id,
                actor="retention",
                actor_organisation_id=None,
                reason=f"retention:{d.rule}",
            )
        session.commit()
    return due
