"""Scheme availability: installed (a plugin) and enabled (data, per organisation)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import or_, select
from sqlmodel import Session

from core.contract import Scheme
from core.models import Offer, SchemeEnablement
from core.plugins import Registry


class SchemeUnavailable(Exception):
    """A scheme operation was asked for a scheme that is not installed or not enabled."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def installed(registry: Registry, code: str) -> Scheme:
    """The installed scheme ``code`` or ``SchemeUnavailable(SCHEME_NOT_INSTALLED)``."""
    scheme = registry.scheme(code)
    if scheme is None:
        raise SchemeUnavailable(
            "SCHEME_NOT_INSTALLED",
            f"Le dispositif « {code} » n'est pas installé sur ce serveur.",
        )
    return scheme


def enabled_schemes(session: Session, organisation_ids: Iterable[int], on: date) -> dict[int, set[str]]:
    """Schemes enabled at ``on`` for each organisation, in one statement."""
    ids = list(set(organisation_ids))
    out: dict[int, set[str]] = {i: set() for i in ids}
    if not ids:
        return out
    rows = session.execute(
        select(SchemeEnablement.organisation_id, SchemeEnablement.scheme)
        .where(SchemeEnablement.organisation_id.in_(ids))  # type: ignore[attr-defined]
        .where(SchemeEnablement.enabled_on <= on)  # type: ignore[arg-type]
        .where(
            or_(SchemeEnablement.disabled_on.is_(None), SchemeEnablement.disabled_on > on)  # type: ignore[union-attr]
        )
    )
    for org_id, scheme in rows:
        out[org_id].add(scheme)
    return out


def runs_scheme(session: Session, code: str, organisation_id: int, on: date) -> bool:
    """Whether the organisation enabled the scheme, or manages an offer of it for a landlord who did."""
    if code in enabled_schemes(session, [organisation_id], on)[organisation_id]:
        return True
    managed = session.execute(
        select(Offer.landlord_id)
        .where(Offer.scheme == code, Offer.manager_id == organisation_id)
        .where(Offer.start_date <= on, or_(Offer.end_date.is_(None), Offer.end_date >= on))  # type: ignore[union-attr]
    ).scalars()
    landlords = set(managed)
    return any(code in schemes for schemes in enabled_schemes(session, landlords, on).values())


def ensure_enabled(
    session: Session, code: str, organisation_id: int, on: date, field: str, label: str | None = None
) -> None:
    """For writes: a SCHEME_NOT_ENABLED user error on ``field`` unless the organisation runs it.

    An organisation runs a scheme when it enabled it, or when it manages an offer of that scheme
    whose landlord enabled it (an association running a landlord's offer).
    """
    from core.services.write import fail

    if not runs_scheme(session, code, organisation_id, on):
        raise fail(
            field,
            "SCHEME_NOT_ENABLED",
            f"Le dispositif « {label or code} » n'est pas activé pour cette organisation à cette date.",
        )


def require_enabled(
    session: Session, registry: Registry, code: str, organisation_id: int, on: date
) -> Scheme:
    """The scheme, if installed and enabled for the organisation at ``on``; else SchemeUnavailable."""
    scheme = installed(registry, code)
    if code not in enabled_schemes(session, [organisation_id], on)[organisation_id]:
        raise SchemeUnavailable(
            "SCHEME_NOT_ENABLED",
            f"Le dispositif « {code} » n'est pas activé pour cette organisation.",
        )
    return scheme
