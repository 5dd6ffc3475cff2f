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

from graphql import GraphQLError
from sqlalchemy import text
from sqlalchemy.engine import Engine
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from core import explorer
from core.context import RequestContext
from core.db import make_engine
from core.graphql.schema import build_schema
from core.plugins import Registry, build_registry, call_prepare_context
from core.settings import Settings

log = logging.getLogger("thema")

#: Largest request body accepted, in bytes.
MAX_BODY = 256 * 1024
#: Largest batch of operations in one request.
MAX_BATCH = 10


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


class GraphQLEndpoint:
    """POST /graphql: JSON in, JSON out; GET from a browser: the explorer."""

    def __init__(self, settings: Settings, registry: Registry, engine: Engine) -> None:
        self.settings = settings
        self.registry = registry
        self.engine = engine
        self.schema = build_schema(registry)

    async def handle(self, request: Request) -> Response:
        """Serve one request."""
        if request.method == "GET":
            if "text/html" in request.headers.get("accept", ""):
                return await explorer.explorer_page(request)
            return _error("Utilisez POST avec un corps JSON.", "METHOD_NOT_ALLOWED", 405)
        body = await request.body()
        if len(body) > MAX_BODY:
            return _error("Requête trop volumineuse.", "BODY_TOO_LARGE", 413)
        try:
            payload = json.loads(body or b"null")
        except ValueError:
            return _error("Corps JSON invalide.", "BAD_JSON", 400)
        if isinstance(payload, list):
            if not payload or len(payload) > MAX_BATCH:
                return _error(f"Un lot compte de 1 à {MAX_BATCH} opérations.", "BATCH_SIZE", 400)
            return JSONResponse([await self._one(request, op) for op in payload])
        result = await self._one(request, payload)
        return JSONResponse(result, status_code=200)

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
            today=self.settings.fixed_today,
        )
        call_prepare_context(self.registry, ctx)
        try:
            result = await self.schema.execute(
                payload["query"],
                variable_values=variables,
                context_value=ctx,
                operation_name=payload.get("operationName"),
            )
        finally:
            ctx.close()
        out: dict[str, Any] = {"data": result.data}
        if result.errors:
            out["errors"] = [self._format(e) for e in result.errors]
        return out

    def _format(self, error: GraphQLError) -> dict[str, Any]:
        formatted: dict[str, Any] = dict(error.formatted)
        if error.original_error is not None and not isinstance(error.original_error, GraphQLError):
            # An unexpected exception: logged with its stack, never sent to the client in production.
            log.error("unexpected error in %s", error.path, exc_info=error.original_error)
            if self.settings.environment == "production":
                return {
                    "message": "Erreur interne.",
                    "path": error.path,
                    "extensions": {"code": "INTERNAL"},
                }
        return formatted


def create_app(
    settings: Settings | None = None, plugins: Sequence[ModuleType | object] | None = None
) -> Starlette:
    """Build the application: plugins (checked), schema (assembled), database engine, routes."""
    settings = settings or Settings()
    registry = build_registry(settings, plugins)
    engine = make_engine(settings.database_url, echo=settings.sql_echo)
    endpoint = GraphQLEndpoint(settings, registry, engine)

    async def healthz(_: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def readyz(_: Request) -> Response:
        from core.migrate import pending

        try:
            with engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            missing = pending(settings.database_url, registry)
        except Exception:
            return JSONResponse({"status": "unavailable", "database": "unreachable"}, status_code=503)
        if missing:
            return JSONResponse({"status": "unavailable", "pendingMigrations": missing}, status_code=503)
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
    return app


def factory() -> Starlette:
    """Entry point for ``uvicorn --factory core.app:factory`` (settings from the environment)."""
    return create_app(Settings())
