"""The ASGI application: ``create_app(settings)`` builds plugins, schema and routes, no import-time work."""

from __future__ import annotations

import contextlib
import json
import logging
import sys
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.types.graphql import OperationType

from core import explorer
from core.access import CURRENT
from core.audit import record_audit
from core.auth import DEVELOPER, AuthError, Caller, authenticate, load_authenticators
from core.context import RequestContext
from core.db import make_engine
from core.doctor import database_state
from core.graphql.schema import build_schema
from core.logs import configure_logging
from core.observability import OperationObserver, instrument
from core.plugins import Registry, build_registry, call_prepare_context
from core.security import (
    BATCH_TOO_LARGE,
    BODY_TOO_LARGE,
    RATE_LIMITED,
    QueryLimits,
    RateLimiter,
    caller_key,
    format_error,
    introspection_allowed,
    request_id,
    retry_after,
)
from core.settings import Settings

log = logging.getLogger("thema")


def default_readme() -> Path | None:
    """The project's README, when running from a checkout (the explorer's examples)."""
    candidate = Path(__file__).resolve().parent.parent / "README.md"
    return candidate if candidate.exists() else None


def plugin_readmes(registry: Registry) -> list[Path]:
    """The README.md beside each loaded plugin's package, whose examples the explorer offers too."""
    found = []
    for plugin in registry.plugins:
        module = sys.modules.get(plugin.module)
        path = Path(module.__file__).parent / "README.md" if module and module.__file__ else None
        if path is not None and path.exists():
            found.append(path)
    return found


def _error(message: str, code: str, status: int) -> JSONResponse:
    return JSONResponse({"errors": [{"message": message, "extensions": {"code": code}}]}, status_code=status)


_ALL_OPERATIONS = frozenset({OperationType.QUERY, OperationType.MUTATION})
_READ_ONLY = frozenset({OperationType.QUERY})


class GraphQLEndpoint:
    """POST /graphql: JSON in, JSON out; GET from a browser: the explorer."""

    def __init__(self, settings: Settings, registry: Registry, engine: Engine) -> None:
        self.settings = settings
        self.registry = registry
        self.engine = engine
        self.limits = QueryLimits.from_settings(settings)
        self.rate_limiter = RateLimiter(settings.rate_limit_per_second, settings.rate_limit_burst)
        self.schema = build_schema(
            registry,
            limits=self.limits,
            may_introspect=self.may_introspect,
            suggestions=settings.environment == "development",
            extensions=[OperationObserver],
        )
        self.authenticators = load_authenticators(settings.authenticators)

    def authenticate(self, request: Request) -> Caller | Response:
        """The caller, or a 401 answer before anything of the request is read or parsed."""
        with Session(self.engine) as session:
            try:
                return authenticate(self.authenticators, request.headers.get("authorization"), session)
            except AuthError:
                response = _error(
                    "Authentification requise : jeton « Authorization: Bearer … » absent ou invalide.",
                    "UNAUTHENTICATED",
                    401,
                )
                response.headers["WWW-Authenticate"] = 'Bearer realm="thema"'
                return response

    async def handle(self, request: Request) -> Response:
        """Serve one request."""
        if request.method == "GET":
            if "text/html" in request.headers.get("accept", ""):
                return await explorer.explorer_page(request)
            return _error("Utilisez POST avec un corps JSON.", "METHOD_NOT_ALLOWED", 405)
        caller = self.authenticate(request)
        if isinstance(caller, Response):
            return caller
        request.state.caller = caller
        request.state.request_id = request_id(request.headers.get("x-request-id"))
        refused = self.throttle(request, 1)
        if refused is not None:
            return refused
        body = await self.read_body(request)
        if isinstance(body, Response):
            return body
        try:
            payload = json.loads(body or b"null")
        except (ValueError, RecursionError):  # RecursionError: JSON nested beyond the parser's stack
            return _error("Corps JSON invalide.", "BAD_JSON", 400)
        if isinstance(payload, list):
            if not payload:
                return _error("Un lot compte au moins une opération.", "BAD_REQUEST", 400)
            if len(payload) > self.limits.max_batch_size:
                return _error(
                    f"Lot trop grand : au plus {self.limits.max_batch_size} opérations par requête.",
                    BATCH_TOO_LARGE,
                    400,
                )
            refused = self.throttle(request, len(payload) - 1)
            if refused is not None:
                return refused
            results: Any = [await self._one(request, op) for op in payload]
        else:
            results = await self._one(request, payload)
        return JSONResponse(results, headers={"X-Request-ID": request.state.request_id})

    def may_introspect(self, context: Any) -> bool:
        """Whether the request's caller may introspect the schema (``THEMA_INTROSPECTION``)."""
        caller = getattr(context, "caller", None)
        developer = None if caller is None else caller.has(DEVELOPER)
        return introspection_allowed(self.settings.introspection, self.settings.environment, developer)

    def throttle(self, request: Request, count: int) -> Response | None:
        """A 429 answer when the caller (token, else address) spent its rate limit, else None."""
        client = request.client.host if request.client else None
        wait = self.rate_limiter.take(caller_key(request.headers.get("authorization"), client), count)
        if not wait:
            return None
        seconds = retry_after(wait)
        response = _error(f"Trop de requêtes : réessayez dans {seconds} s.", RATE_LIMITED, 429)
        response.headers["Retry-After"] = seconds
        return response

    async def read_body(self, request: Request) -> bytes | Response:
        """The body, or a 413 answer: refused unread past a declared length, or once it exceeds it."""
        limit = self.limits.max_body_bytes
        too_large = _error(f"Requête trop volumineuse : au plus {limit} octets.", BODY_TOO_LARGE, 413)
        declared = request.headers.get("content-length")
        if declared is not None:
            try:
                if int(declared) > limit:
                    return too_large
            except ValueError:
                return _error("En-tête Content-Length invalide.", "BAD_REQUEST", 400)
        chunks: list[bytes] = []
        size = 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                return too_large
            chunks.append(chunk)
        return b"".join(chunks)

    async def _one(self, request: Request, payload: Any) -> dict[str, Any]:
        if not isinstance(payload, dict) or not isinstance(payload.get("query"), str):
            return {
                "errors": [
                    {
                        "message": "Le champ « query » est requis.",
                        "extensions": {"code": "BAD_REQUEST"},
                    }
                ]
            }
        variables = payload.get("variables")
        if variables is not None and not isinstance(variables, dict):
            return {
                "errors": [
                    {
                        "message": "« variables » doit être un objet.",
                        "extensions": {"code": "BAD_REQUEST"},
                    }
                ]
            }
        ctx = RequestContext(
            settings=self.settings,
            registry=self.registry,
            engine=self.engine,
            request=request,
            caller=request.state.caller,
            today=self.settings.fixed_today,
        )
        call_prepare_context(self.registry, ctx)
        caller: Caller = request.state.caller
        # Read-only roles never reach a mutation resolver: strawberry refuses the operation type.
        allowed = _ALL_OPERATIONS if caller.can_write else _READ_ONLY
        current = CURRENT.set(ctx)
        try:
            result = await self.schema.execute(
                payload["query"],
                variable_values=variables,
                context_value=ctx,
                operation_name=payload.get("operationName"),
                allowed_operation_types=allowed,
            )
        except InvalidOperationTypeError:
            if not caller.can_write:
                message = "Votre rôle ne permet que la lecture : aucune modification n'est possible."
                return {"errors": [{"message": message, "extensions": {"code": "FORBIDDEN"}}]}
            message = "Opération introuvable : précisez « operationName » parmi celles du document."
            return {"errors": [{"message": message, "extensions": {"code": "BAD_REQUEST"}}]}
        except CannotGetOperationTypeError:
            message = "Opération introuvable : précisez « operationName » parmi celles du document."
            return {"errors": [{"message": message, "extensions": {"code": "BAD_REQUEST"}}]}
        finally:
            CURRENT.reset(current)
            ctx.close()
        record_audit(self.engine, ctx.audit)
        out: dict[str, Any] = {"data": result.data}
        if ctx.redactions:
            out["extensions"] = {"redacted": ctx.redactions}
        if result.errors:
            out["errors"] = [
                format_error(
                    e,
                    production=self.settings.environment == "production",
                    suggestions=self.settings.environment == "development",
                    request_id=request.state.request_id,
                )
                for e in result.errors
            ]
        return out


def create_app(
    settings: Settings | None = None, plugins: Sequence[ModuleType | object] | None = None
) -> Starlette:
    """Build the application: plugins (checked), schema (assembled), database engine, routes."""
    settings = settings or Settings()
    configure_logging(settings.log_format, settings.log_level)
    registry = build_registry(settings, plugins)
    engine = make_engine(settings.database_url, echo=settings.sql_echo)
    endpoint = GraphQLEndpoint(settings, registry, engine)

    async def healthz(_: Request) -> Response:
        return JSONResponse({"status": "ok"})

    def readyz(_: Request) -> Response:  # sync: Starlette runs it in a thread, off the event loop
        state = database_state(engine, registry)
        if not state.reachable:
            return JSONResponse({"status": "unavailable", "database": "unreachable"}, status_code=503)
        if not state.ready:
            body = {"status": "unavailable", "pendingMigrations": state.pending}
            if state.unknown:
                body["unknownRevisions"] = state.unknown
            return JSONResponse(body, status_code=503)
        return JSONResponse({"status": "ok"})

    readme = settings.readme_path or default_readme()
    routes = [
        *explorer.routes(readme, plugin_readmes(registry)),
        Route("/graphql", endpoint.handle, methods=["GET", "POST"]),
        Route("/healthz", healthz),
        Route("/readyz", readyz),
    ]

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        yield
        engine.dispose()  # graceful shutdown: close pooled connections

    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.settings = settings
    app.state.registry = registry
    app.state.engine = engine
    app.state.schema = endpoint.schema
    instrument(app, settings)
    return app


def factory() -> Starlette:
    """Entry point for ``uvicorn --factory core.app:factory`` (settings from the environment)."""
    return create_app(Settings())
