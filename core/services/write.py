"""Writing safely: validation errors as typed user errors, one transaction per mutation."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

from sqlalchemy import update
from sqlalchemy.orm import object_session
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, SQLModel

from core.graphql.relay import from_global_id

M = TypeVar("M", bound=SQLModel)
R = TypeVar("R")


@dataclass(frozen=True)
class Problem:
    """One problem with an input: field path (camelCase), stable code, French message."""

    field: str | None
    code: str
    message: str


class InvalidInput(Exception):
    """Raised by a write to abort its transaction and answer with user errors."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("; ".join(f"{p.field}: {p.code}" for p in self.problems))


def fail(field: str | None, code: str, message: str) -> InvalidInput:
    """Build an ``InvalidInput`` with one problem (``raise fail(...)``)."""
    return InvalidInput([Problem(field, code, message)])


class Checker:
    """Collects problems so one answer names every bad field, then raises once."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, field: str | None, code: str, message: str) -> None:
        """Record a problem."""
        self.problems.append(Problem(field, code, message))

    def require(self, ok: bool, field: str | None, code: str, message: str) -> None:
        """Record a problem unless ``ok``."""
        if not ok:
            self.add(field, code, message)

    def dates(self, start: date | None, end: date | None, field: str = "endDate") -> None:
        """The end date must not precede the start date."""
        if start is not None and end is not None and end < start:
            self.add(field, "DATE_ORDER", "La date de fin précède la date de début.")

    def text(self, value: str | None, field: str, *, max_length: int = 200) -> None:
        """A required text: not blank, not too long."""
        if value is None:
            return
        if not value.strip():
            self.add(field, "REQUIRED", "Ce champ est obligatoire.")
        elif len(value) > max_length:
            self.add(field, "TOO_LONG", f"Au plus {max_length} caractères.")

    def non_negative(self, value: float | None, field: str) -> None:
        """A number that cannot be negative."""
        if value is not None and value < 0:
            self.add(field, "NEGATIVE", "La valeur ne peut pas être négative.")

    def done(self) -> None:
        """Raise ``InvalidInput`` if any problem was recorded."""
        if self.problems:
            raise InvalidInput(self.problems)


def decode_id(gid: str | None, expected_type: str, field: str) -> int:
    """The primary key in a global id of ``expected_type``, else an INVALID_ID problem."""
    decoded = from_global_id(str(gid)) if gid else None
    if decoded is None or decoded[0] != expected_type:
        raise fail(
            field,
            "INVALID_ID",
            f"Identifiant invalide (un identifiant {expected_type} est attendu).",
        )
    return decoded[1]


def get_ref(session: Session, model: type[M], gid: str | None, field: str, type_name: str) -> M:
    """The row a global id refers to, else NOT_FOUND: the same answer for hidden and missing."""
    from core.access import current_scope

    pk = decode_id(gid, type_name, field)
    row = session.get(model, pk)
    scope = current_scope()
    if row is None or (scope is not None and pk not in scope.visible(model, [pk])):
        raise fail(field, "NOT_FOUND", f"{_LABELS.get(type_name, type_name)} introuvable.")
    return row


def require_acts_for(organisation_id: int | None, field: str) -> None:
    """Refuse a write on behalf of another organisation than the caller's (FORBIDDEN)."""
    from core.access import acts_for

    if not acts_for(organisation_id):
        raise fail(field, "FORBIDDEN", "Vous ne pouvez pas agir pour une autre organisation que la vôtre.")


_LABELS = {
    "Organisation": "Organisation",
    "Site": "Résidence",
    "Unit": "Logement",
    "Offer": "Offre",
    "Household": "Ménage",
    "Person": "Personne",
    "Occupancy": "Occupation",
    "Referral": "Orientation",
    "SupportEpisode": "Accompagnement",
    "Partnership": "Partenariat",
}


def check_version(row: Any, expected: int | None) -> None:
    """Refuse a stale update (optimistic locking), then bump the row's version in the database.

    The bump is a conditional UPDATE (``… WHERE version = <read>``): of concurrent writers that
    read the same version, exactly one succeeds and the others get STALE_VERSION.
    """
    stale = fail(
        "version",
        "STALE_VERSION",
        "L'objet a été modifié entre-temps : rechargez-le avant de l'enregistrer.",
    )
    current = row.version
    if expected is not None and expected != current:
        raise stale
    session = object_session(row)
    if session is None:
        row.version = current + 1
        return
    table = type(row).__table__
    result = session.execute(
        update(table).where(table.c.id == row.id, table.c.version == current).values(version=current + 1)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise stale
    set_committed_value(row, "version", current + 1)


def patch(row: Any, values: dict[str, Any]) -> None:
    """Copy the given values onto the row (only keys present in ``values``)."""
    for key, value in values.items():
        setattr(row, key, value)


def transaction(session: Session, work: Callable[[], R]) -> tuple[R | None, list[Problem]]:
    """Run ``work`` in one transaction: commit on success, roll back everything on a problem."""
    try:
        result = work()
        session.flush()
        session.commit()
        return result, []
    except InvalidInput as exc:
        session.rollback()
        return None, exc.problems
    except BaseException:
        session.rollback()
        raise
