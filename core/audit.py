"""The audit trail: every mutation (what changed) and every read of a sensitive field, append-only.

Mutations are captured from the request's session (objects created, changed or deleted, with the
names of the columns that changed — never their values) and written in the same transaction as
the change; sensitive reads are gathered during the request and written right after it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import event, insert, inspect, select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from core.models import ApiToken, AuditEvent, Household, IdempotencyRecord

#: Tables whose writes are not themselves audited (the log itself, bookkeeping).
_SILENT = (AuditEvent, IdempotencyRecord, ApiToken)
_PENDING = "thema.audit.pending"


def _row(obj: Any, action: str, actor: str, actor_org: int | None, fields: list[str]) -> dict[str, Any]:
    household = obj.id if isinstance(obj, Household) else getattr(obj, "household_id", None)
    return {
        "owner_id": getattr(obj, "owner_id", None),
        "at": datetime.now(UTC),
        "actor": actor,
        "actor_organisation_id": actor_org,
        "action": action,
        "object_type": type(obj).__name__,
        "object_id": getattr(obj, "id", None),
        "household_id": household,
        "field": None,
        "details": {"fields": sorted(fields)},
    }


def watch_mutations(session: Session, actor: str, actor_org: int | None) -> None:
    """Audit every write of ``session``: one event per object created, changed or deleted."""

    @event.listens_for(session, "after_flush")
    def collect(sess: Session, _ctx: Any) -> None:
        pending = sess.info.setdefault(_PENDING, [])
        for obj in sess.new:
            if not isinstance(obj, _SILENT):
                cols = [a.key for a in inspect(obj).mapper.column_attrs if getattr(obj, a.key) is not None]
                pending.append(_row(obj, "create", actor, actor_org, cols))
        for obj in sess.dirty:
            if isinstance(obj, _SILENT):
                continue
            state = inspect(obj)
            changed = [a.key for a in state.mapper.column_attrs if state.attrs[a.key].history.has_changes()]
            if changed:
                pending.append(_row(obj, "update", actor, actor_org, changed))
        for obj in sess.deleted:
            if not isinstance(obj, _SILENT):
                pending.append(_row(obj, "delete", actor, actor_org, []))

    @event.listens_for(session, "before_commit")
    def write(sess: Session) -> None:
        pending = sess.info.pop(_PENDING, [])
        if pending:
            sess.execute(insert(AuditEvent), pending)

    @event.listens_for(session, "after_rollback")
    def forget(sess: Session) -> None:
        sess.info.pop(_PENDING, None)


def sensitive_read(
    actor: str,
    actor_org: int | None,
    owner_id: int | None,
    household_id: int | None,
    type_name: str,
    field: str,
) -> dict[str, Any]:
    """An audit event for one read of a sensitive field."""
    return {
        "owner_id": owner_id,
        "at": datetime.now(UTC),
        "actor": actor,
        "actor_organisation_id": actor_org,
        "action": "read_sensitive",
        "object_type": type_name,
        "object_id": None,
        "household_id": household_id,
        "field": field,
        "details": {},
    }


def record_audit(engine: Engine, events: Iterable[Mapping[str, Any]]) -> None:
    """Write audit events in one statement and one transaction (owners filled in from households)."""
    rows = [dict(e) for e in events]
    if not rows:
        return
    with Session(engine) as session:
        missing = {r["household_id"] for r in rows if r["owner_id"] is None and r["household_id"]}
        if missing:
            owners: dict[int, int] = dict(
                session.execute(
                    select(Household.id, Household.owner_id).where(Household.id.in_(missing))  # type: ignore[union-attr]
                ).all()
            )
            for r in rows:
                if r["owner_id"] is None:
                    r["owner_id"] = owners.get(r["household_id"])
        session.execute(insert(AuditEvent), rows)
        session.commit()
