"""Who is calling: bearer tokens (stored hashed), the caller they stand for, pluggable authenticators.

An authenticator turns a request into a ``Caller`` (or refuses it). The default one checks
thema's own bearer tokens; an OIDC provider's JWTs plug in as another authenticator named in
``THEMA_AUTHENTICATORS`` (a class with an ``authenticate(request, session)`` method).
"""

from __future__ import annotations

import functools
import hashlib
import importlib
import secrets
import time
import weakref
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Generic, Protocol, TypeVar

from sqlalchemy import bindparam, select
from sqlmodel import Session

from core.models import ApiToken, Organisation, OrganisationKind, Role

K = TypeVar("K")
V = TypeVar("V")

TOKEN_PREFIX = "thema_"

#: Permissions a token may carry on top of its role.
DEVELOPER = "developer"  # introspection and the schema browser


class AuthError(Exception):
    """The request carries credentials that are not valid (unknown, revoked or expired)."""


@dataclass(frozen=True)
class Caller:
    """The authenticated party of a request: an organisation's user with a role, or an operator."""

    subject: str
    role: Role
    organisation_id: int | None
    organisation_kind: OrganisationKind | None = None
    permissions: frozenset[str] = field(default_factory=frozenset)
    #: When the credentials stop being valid, if known (a token's expiry).
    expires_at: datetime | None = None

    @property
    def platform(self) -> bool:
        """Operators of the deployment see every organisation (sensitive fields still need a grant)."""
        return self.role is Role.PLATFORM

    @property
    def can_write(self) -> bool:
        """Whether the caller may run mutations."""
        return self.role in (Role.ADMIN, Role.STAFF, Role.PLATFORM)

    def has(self, permission: str) -> bool:
        """Whether the caller holds ``permission`` (``*`` grants every one)."""
        return "*" in self.permissions or permission in self.permissions


class Authenticator(Protocol):
    """Turns a request into a caller; returns None when its kind of credentials is absent."""

    def authenticate(self, authorization: str, session: Session) -> Caller | None:
        """The caller for an ``Authorization`` header value, None if not ours, AuthError if invalid."""


def hash_secret(secret: str) -> str:
    """SHA-256 of a token: tokens are 256-bit random, so a fast hash is enough and safe."""
    return hashlib.sha256(secret.encode()).hexdigest()


class TokenAuthenticator:
    """thema's bearer tokens: ``Authorization: Bearer thema_<prefix>_<secret>``."""

    def authenticate(self, authorization: str, session: Session) -> Caller | None:
        """Look the token up by its hash; refuse unknown, revoked and expired ones."""
        scheme, _, credentials = authorization.partition(" ")
        if scheme.lower() != "bearer" or not credentials.startswith(TOKEN_PREFIX):
            return None
        row = (
            session.connection()
            .execute(_token_query(), {"token_hash": hash_secret(credentials.strip())})
            .first()
        )
        now = datetime.now(UTC)
        if row is None:
            raise AuthError("unknown token")
        if row.revoked_at is not None or (row.expires_at is not None and _aware(row.expires_at) <= now):
            raise AuthError("revoked or expired token")
        return Caller(
            subject=f"token:{row.id}",
            role=row.role,
            organisation_id=row.owner_id,
            organisation_kind=row.kind,
            permissions=frozenset(row.permissions or ()),
            expires_at=None if row.expires_at is None else _aware(row.expires_at),
        )


@functools.cache
def _token_query() -> Any:
    """The token lookup, built once (every request runs it): columns only, no ORM entity."""
    return (
        select(
            ApiToken.id,
            ApiToken.owner_id,
            ApiToken.role,
            ApiToken.permissions,
            ApiToken.revoked_at,
            ApiToken.expires_at,
            Organisation.kind,
        )
        .outerjoin(Organisation, Organisation.id == ApiToken.owner_id)  # type: ignore[arg-type]
        .where(ApiToken.token_hash == bindparam("token_hash"))
    )


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def load_authenticators(paths: Sequence[str]) -> list[Authenticator]:
    """Instantiate the authenticators named ``module:Class`` (in order)."""
    found: list[Authenticator] = []
    for path in paths:
        module, _, name = path.partition(":")
        found.append(getattr(importlib.import_module(module), name)())
    return found


def authenticate(
    authenticators: Sequence[Authenticator], authorization: str | None, session: Session
) -> Caller:
    """The caller of a request, or AuthError (missing or invalid credentials)."""
    if not authorization:
        raise AuthError("missing credentials")
    for authenticator in authenticators:
        caller = authenticator.authenticate(authorization, session)
        if caller is not None:
            return caller
    raise AuthError("unsupported credentials")


class Expiring(Generic[K, V]):
    """A dict whose entries expire: each kept until its own deadline, at most ``maxsize`` of them
    (the oldest goes first). What a worker trusts for a few seconds: callers, grants.
    """

    def __init__(self, maxsize: int = 10_000) -> None:
        self.maxsize = maxsize
        self._entries: dict[K, tuple[float, V]] = {}

    def get(self, key: K) -> V | None:
        """The value kept under ``key``, if still fresh."""
        found = self._entries.get(key)
        if found is None:
            return None
        if found[0] <= _clock():
            self._entries.pop(key, None)
            return None
        return found[1]

    def put(self, key: K, value: V, seconds: float) -> None:
        """Keep ``value`` for ``seconds`` (nothing when not positive)."""
        if seconds <= 0:
            return
        if len(self._entries) >= self.maxsize:
            self._entries.pop(next(iter(self._entries)))  # the oldest entry
        self._entries[key] = (_clock() + seconds, value)

    def clear(self) -> None:
        """Forget everything."""
        self._entries.clear()


class CallerCache:
    """The callers of recently authenticated credentials, kept ``seconds`` (``THEMA_TOKEN_CACHE_SECONDS``).

    Every request would otherwise cost a database round trip before anything else. An entry
    never outlives its token's expiry; ``revoke_token`` empties every cache of the process at once,
    so a revocation elsewhere (another worker, ``thema token revoke``) takes at most ``seconds``
    to reach this one. Keys are hashes of the ``Authorization`` header, never the secret itself.
    """

    def __init__(self, seconds: float, maxsize: int = 10_000) -> None:
        self.seconds = seconds
        self._entries: Expiring[str, Caller] = Expiring(maxsize)
        _CACHES.add(self)

    def get(self, authorization: str) -> Caller | None:
        """The cached caller of these credentials, if still fresh."""
        if self.seconds <= 0:
            return None
        return self._entries.get(hash_secret(authorization))

    def put(self, authorization: str, caller: Caller) -> None:
        """Remember a caller just authenticated."""
        if self.seconds <= 0:
            return
        ttl = self.seconds
        if caller.expires_at is not None:
            ttl = min(ttl, (caller.expires_at - datetime.now(UTC)).total_seconds())
        self._entries.put(hash_secret(authorization), caller, ttl)

    def clear(self) -> None:
        """Forget every caller."""
        self._entries.clear()


_CACHES: weakref.WeakSet[CallerCache] = weakref.WeakSet()
_clock = time.monotonic


def create_token(
    session: Session,
    *,
    organisation_id: int | None,
    role: Role,
    permissions: Sequence[str] = (),
    label: str = "",
    days: int | None = None,
) -> tuple[str, ApiToken]:
    """Create a token; return its secret (shown once, never stored) and its row."""
    if role is Role.PLATFORM and organisation_id is not None:
        raise ValueError("a platform token belongs to no organisation")
    if role is not Role.PLATFORM and organisation_id is None:
        raise ValueError("an organisation token needs an organisation")
    prefix = secrets.token_hex(4)
    secret = f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    now = datetime.now(UTC)
    row = ApiToken(
        owner_id=organisation_id,
        prefix=prefix,
        token_hash=hash_secret(secret),
        role=role,
        permissions=sorted(set(permissions)),
        label=label[:100],
        created_at=now,
        expires_at=now + timedelta(days=days) if days else None,
    )
    session.add(row)
    session.flush()
    return secret, row


def revoke_token(session: Session, token: str) -> int:
    """Revoke tokens by id, prefix or full secret; returns how many were revoked."""
    stmt = select(ApiToken).where(ApiToken.revoked_at.is_(None))  # type: ignore[union-attr]
    if token.isdigit():
        stmt = stmt.where(ApiToken.id == int(token))
    elif token.startswith(TOKEN_PREFIX):
        stmt = stmt.where(ApiToken.token_hash == hash_secret(token))
    else:
        stmt = stmt.where(ApiToken.prefix == token)
    rows = list(session.execute(stmt).scalars())
    for row in rows:
        row.revoked_at = datetime.now(UTC)
    for cache in list(_CACHES):  # this process's workers forget at once
        cache.clear()
    return len(rows)


def describe(row: Any) -> str:
    """A token's public description (never its secret)."""
    org = f"organisation {row.owner_id}" if row.owner_id else "plateforme"
    return f"#{row.id} {TOKEN_PREFIX}{row.prefix}_… {row.role.value} ({org}) {row.label}".strip()
