"""Per-request state: database session, DataLoaders, caller, settings; built once per request."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from sqlalchemy.engine import Engine
from sqlmodel import Session

from core.db import end_reading

if TYPE_CHECKING:
    from starlette.requests import Request

    from core.plugins import Registry
    from core.settings import Settings


class RequestContext:
    """What every resolver reaches as ``info.context``; plugins add loaders in ``prepare_context``."""

    def __init__(
        self,
        *,
        settings: Settings,
        registry: Registry,
        engine: Engine,
        request: Request | None = None,
        caller: Any = None,
        today: date | None = None,
    ) -> None:
        self.settings = settings
        self.registry = registry
        self.engine = engine
        self.request = request
        self.response: Any = None
        self.caller = caller
        self.today = today or date.today()
        self.loaders: dict[Any, Any] = {}  # by name (plugins: prefixed with the scheme code)
        #: Audit events of the request (sensitive reads), written after it in one statement.
        self.audit: list[dict[str, Any]] = []
        #: Fields hidden from the caller, with the reason, reported in the response's extensions.
        self.redactions: list[dict[str, Any]] = []
        self._session: Session | None = None

    @property
    def session(self) -> Session:
        """The request's database session, opened on first use."""
        if self._session is None:
            self._session = Session(self.engine, expire_on_commit=False)
            caller = self.caller
            if caller is not None:
                from core.access import restrict_rows
                from core.audit import watch_mutations

                watch_mutations(self._session, caller.subject, caller.organisation_id)
                restrict_rows(self._session, self)
        return self._session

    def close(self) -> None:
        """Release the session (rolling back anything uncommitted) and what the loaders hold.

        Loaders close over the context that holds them: without this, everything a request
        loaded (rows, facts, verdicts: tens of thousands of objects for a page) would be a
        reference cycle, freed only by the garbage collector's full collections, long pauses
        under load. Emptied here, it is freed by reference counting as the request ends.
        """
        if self._session is not None:
            end_reading(self._session)  # PostgreSQL keeps the request's prepared statements
            self._session.close()
            self._session = None
        loaders, self.loaders = self.loaders, {}
        for found in loaders.values():
            clear = getattr(found, "clear_all", None) if not isinstance(found, type) else None
            if callable(clear):
                clear()
            elif isinstance(found, dict | list | set):
                found.clear()

    def loader(self, key: Any, factory: Any) -> Any:
        """The loader stored under ``key``, created with ``factory()`` on first use."""
        found = self.loaders.get(key)
        if found is None:
            found = self.loaders[key] = factory()
        return found
