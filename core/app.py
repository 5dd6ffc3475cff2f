"""The ASGI application: ``create_app(settings)`` builds plugins, schema and routes, no import-time work."""

from __future__ import annotations

import contextlib
import gc
import json
import logging
import sys
from collections.abc import AsyncGenerator, AsyncIterator, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

import orjson
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session
from starlette.applications import Starlette
from starlette.datastructures import FormData, UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.types.graphql import OperationType

from core import explorer
from core.access import CURRENT
from core.audit import record_audit
from core.auth import DEVELOPER, AuthError, Caller, CallerCache, authenticate, load_authenticators
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


class GraphQLResponse(JSONResponse):
    """A JSON answer encoded by orjson (compact UTF-8, as Starlette's), json's encoder as a fallback."""

    def render(self, content: Any) -> bytes:
        """Encode ``content``; integers beyond 64 bits (a JSON scalar's) go through ``json``."""
        try:
            return orjson.dumps(content, option=orjson.OPT_NON_STR_KEYS)
        except orjson.JSONEncodeError:
            return super().render(content)


def _error(message: str, code: str, status: int) -> JSONResponse:
    return JSONResponse({"errors": [{"message": message, "extensions": {"code": code}}]}, status_code=status)


def _too_large(limit: int) -> JSONResponse:
    return _error(f"Requête trop volumineuse : au plus {limit} octets.", BODY_TOO_LARGE, 413)


#: Most files one multipart request may carry.
MAX_UPLOAD_FILES = 10


class _UploadTooLarge(Exception):
    """A multipart body went past THEMA_MAX_UPLOAD_BYTES while being read."""


def _place_files(operations: Any, mapping: Any, form: FormData) -> str | None:
    """Put each uploaded file where ``map`` says, in the operations' variables; a problem, or None."""
    if not isinstance(operations, dict | list) or not isinstance(mapping, dict):
        return "« operations » doit être un objet (ou une liste) et « map » un objet."
    for name, paths in mapping.items():
        upload = form.get(name)
        if not isinstance(upload, UploadFile):
            return f"Fichier « {name} » annoncé dans « map » mais absent de la requête."
        if not isinstance(paths, list):
            return f"« map » : la valeur de « {name} » doit être une liste de chemins."
        for path in paths:
            keys = str(path).split(".")
            target: Any = operations
            if isinstance(operations, list):
                if not keys[0].isdigit() or int(keys[0]) >= len(operations):
                    return f"Chemin « {path} » invalide pour un lot : il commence par le rang de l'opération."
                target, keys = operations[int(keys[0])], keys[1:]
            if len(keys) < 2 or keys[0] != "variables":
                return f"Chemin « {path} » invalide : un fichier ne peut aller que dans « variables »."
            for key in keys[:-1]:
                target = _child(target, key)
            last = keys[-1]
            if isinstance(target, dict) and last in target and target[last] is None:
                target[last] = upload
            elif (
                isinstance(target, list)
                and last.isdigit()
                and int(last) < len(target)
                and target[int(last)] is None
            ):
                target[int(last)] = upload
            else:
                return f"Chemin « {path} » : aucune variable nulle à cet endroit pour y placer le fichier."
    return None


def _child(target: Any, key: str) -> Any:
    if isinstance(target, dict):
        return target.get(key)
    if isinstance(target, list) and key.isdigit() and int(key) < len(target):
        return target[int(key)]
    return None


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
        self.callers = CallerCache(settings.token_cache_seconds)

    def authenticate(self, request: Request) -> Caller | Response:
        """The caller, or a 401 answer before anything of the request is read or parsed.

        The lookup is the request's first statement: a connection found dead (database
        restarted) has invalidated the pool, and the lookup is tried once more on a new one.
        """
        authorization = request.headers.get("authorization")
        cached = self.callers.get(authorization) if authorization else None
        if cached is not None:
            return cached
        try:
            caller = self._lookup(request)
        except DBAPIError as exc:
            if not exc.connection_invalidated:
                raise
            caller = self._lookup(request)
        if authorization and isinstance(caller, Caller):
            self.callers.put(authorization, caller)
        return caller

    def _lookup(self, request: Request) -> Caller | Response:
        # Outside any transaction (autocommit): a lookup costs one round trip, no BEGIN / ROLLBACK.
        with (
            self.engine.connect() as conn,
            Session(bind=conn.execution_options(isolation_level="AUTOCOMMIT")) as session,
        ):
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
        if request.headers.get("content-type", "").lower().startswith("multipart/form-data"):
            payload, form = await self.read_multipart(request)
            if isinstance(payload, Response):
                return payload
        else:
            form = None
            body = await self.read_body(request)
            if isinstance(body, Response):
                return body
            try:
                payload = json.loads(body or b"null")
            except (ValueError, RecursionError):  # RecursionError: JSON nested beyond the parser's stack
                return _error("Corps JSON invalide.", "BAD_JSON", 400)
        try:
            return await self.execute(request, payload)
        finally:
            if form is not None:
                await form.close()  # the uploads' temporary files

    async def execute(self, request: Request, payload: Any) -> Response:
        """Run one operation or a batch, answer in JSON."""
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
        return GraphQLResponse(results, headers={"X-Request-ID": request.state.request_id})

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
        refused = self._declared_too_large(request, limit)
        if refused is not None:
            return refused
        chunks: list[bytes] = []
        size = 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                return _too_large(limit)
            chunks.append(chunk)
        return b"".join(chunks)

    @staticmethod
    def _declared_too_large(request: Request, limit: int) -> Response | None:
        declared = request.headers.get("content-length")
        if declared is not None:
            try:
                if int(declared) > limit:
                    return _too_large(limit)
            except ValueError:
                return _error("En-tête Content-Length invalide.", "BAD_REQUEST", 400)
        return None

    async def read_multipart(self, request: Request) -> tuple[Any, FormData | None]:
        """A GraphQL multipart request (file uploads): its operations with the files in their variables.

        Spec: https://github.com/jaydenseric/graphql-multipart-request-spec. The body may reach
        ``THEMA_MAX_UPLOAD_BYTES``; its ``operations`` and ``map`` fields stay under the JSON body
        limit. Cross-site forms cannot send it: the API needs a bearer token in the Authorization
        header (checked before the body is read), which a browser never attaches by itself.
        """
        limit = self.settings.max_upload_bytes
        refused = self._declared_too_large(request, limit)
        if refused is not None:
            return refused, None

        async def stream() -> AsyncGenerator[bytes, None]:
            size = 0
            async for chunk in request.stream():
                size += len(chunk)
                if size > limit:
                    raise _UploadTooLarge
                yield chunk

        parser = MultiPartParser(
            request.headers,
            stream(),
            max_files=MAX_UPLOAD_FILES,
            max_fields=MAX_UPLOAD_FILES + 2,
            max_part_size=self.limits.max_body_bytes,
        )
        try:
            form = await parser.parse()
        except _UploadTooLarge:
            return _too_large(limit), None
        except MultiPartException as exc:
            return _error(f"Requête multipart invalide : {exc.message}", "BAD_REQUEST", 400), None
        try:
            operations = json.loads(str(form.get("operations") or "null"))
            mapping = json.loads(str(form.get("map") or "{}"))
        except (ValueError, RecursionError):
            await form.close()
            return _error("Champs « operations » ou « map » : JSON invalide.", "BAD_JSON", 400), None
        problem = _place_files(operations, mapping, form)
        if problem is not None:
            await form.close()
            return _error(problem, "BAD_REQUEST", 400), None
        return operations, form

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
        # The collector's settings are the process's: put back as they were when the app stops,
        # for whatever the process runs next (tests, the bench, an embedding program).
        threshold = gc.get_threshold()
        if settings.gc_freeze:
            # Hundreds of thousands of long-lived objects (schema, models, plugins) would be scanned
            # by every full collection a busy worker triggers; frozen, they are skipped.
            gc.collect()
            gc.freeze()
        if settings.gc_young_threshold:
            _young, older, oldest = threshold
            gc.set_threshold(settings.gc_young_threshold, older, oldest)
        try:
            yield
        finally:
            gc.set_threshold(*threshold)
            if settings.gc_freeze:
                gc.unfreeze()
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
