"""Operations: one access log line, Prometheus metrics and an OpenTelemetry span per request.

``instrument(app, settings)`` wraps the app in ``ObservabilityMiddleware`` and adds ``/metrics``;
``OperationObserver`` (a strawberry extension) records each GraphQL operation's name, type,
outcome and error codes on the request, for the middleware to log and count. Nothing here reads
variables, bodies or results' data: only names, codes, statuses and durations.
"""

from __future__ import annotations

import os
import re
import secrets
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from graphql import GraphQLError
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from strawberry.extensions import SchemaExtension

from core import tracing
from core.logs import access_log
from core.security import request_id as new_request_id
from core.settings import Settings

#: Operation names are chosen by clients: only tame ones become label values, and at most this many.
MAX_OPERATION_NAMES = 200
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")
#: Paths counted under their own label; any other path is counted as ``other``.
_KNOWN_PATHS = frozenset({"/graphql", "/healthz", "/readyz", "/metrics", "/"})
_DURATION_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
_STATE = "thema_observation"


@dataclass
class OperationRecord:
    """One GraphQL operation of a request: what it was and how it ended."""

    name: str
    type: str
    outcome: str
    duration: float
    error_codes: list[str] = field(default_factory=list)


@dataclass
class Observation:
    """What the middleware learns about one request while it runs."""

    operations: list[OperationRecord] = field(default_factory=list)


class Metrics:
    """The Prometheus metrics of one app (its own registry, so that apps in one process never mix)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        labels = ("operation", "type", "outcome")
        self.operations = Counter(
            "thema_graphql_operations", "GraphQL operations run.", labels, registry=self.registry
        )
        self.duration = Histogram(
            "thema_graphql_operation_duration_seconds",
            "Duration of GraphQL operations, in seconds.",
            labels,
            buckets=_DURATION_BUCKETS,
            registry=self.registry,
        )
        self.errors = Counter(
            "thema_graphql_errors",
            "Errors in GraphQL answers, by code.",
            ("operation", "type", "code"),
            registry=self.registry,
        )
        self.requests = Counter(
            "thema_http_requests",
            "HTTP requests answered, by path and status.",
            ("method", "path", "status"),
            registry=self.registry,
        )
        self.request_duration = Histogram(
            "thema_http_request_duration_seconds",
            "Duration of HTTP requests, in seconds.",
            ("method", "path"),
            buckets=_DURATION_BUCKETS,
            registry=self.registry,
        )
        self._names: set[str] = set()
        self._lock = threading.Lock()

    def operation_label(self, name: str | None) -> str:
        """The label of an operation name: ``anonymous``, ``other`` (untame or too many), or the name."""
        if not name:
            return "anonymous"
        if not _NAME.fullmatch(name):
            return "other"
        with self._lock:
            if name in self._names:
                return name
            if len(self._names) >= MAX_OPERATION_NAMES:
                return "other"
            self._names.add(name)
        return name

    def observe(self, op: OperationRecord) -> None:
        """Count one operation, its duration and its errors."""
        self.operations.labels(op.name, op.type, op.outcome).inc()
        self.duration.labels(op.name, op.type, op.outcome).observe(op.duration)
        for code in op.error_codes:
            self.errors.labels(op.name, op.type, code).inc()

    def exposition(self) -> bytes:
        """The metrics in Prometheus' text format (all workers' when ``PROMETHEUS_MULTIPROC_DIR`` is set)."""
        if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            from prometheus_client import multiprocess

            registry = CollectorRegistry()
            multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
            return generate_latest(registry)
        return generate_latest(self.registry)


def error_code(error: GraphQLError) -> str:
    """The code of an error: its ``extensions.code``, ``INTERNAL`` for a bug, else ``INVALID``."""
    code = (error.extensions or {}).get("code")
    if isinstance(code, str):
        return code
    original = error.original_error
    if original is not None and not isinstance(original, GraphQLError):
        return "INTERNAL"
    return "INVALID"  # syntax or validation error of the document


def observation(scope: Scope) -> Observation | None:
    """The observation of a request (None outside the middleware)."""
    state = scope.get("state")
    found = state.get(_STATE) if isinstance(state, dict) else None
    return found if isinstance(found, Observation) else None


class OperationObserver(SchemaExtension):
    """Records each operation's name, type, outcome and error codes, inside its tracing span."""

    def on_operation(self) -> Iterator[None]:
        """Time the operation; afterwards record it on the request's observation."""
        context = self.execution_context
        request = getattr(context.context, "request", None)
        scope = getattr(request, "scope", None) or {}
        app = scope.get("app")
        metrics: Metrics | None = getattr(getattr(app, "state", None), "metrics", None)
        started = time.perf_counter()
        with tracing.operation_span(scope) as span:
            yield
            try:
                op_type = context.operation_type.value
            except Exception:  # no document (a syntax error) or no such operation
                op_type = "unknown"
            name = metrics.operation_label(context.operation_name) if metrics else "anonymous"
            result = context.result
            errors = list(getattr(result, "errors", None) or [])
            if not errors:
                outcome = "success"
            elif getattr(result, "data", None) is None:
                outcome = "rejected"  # refused before running: limits, validation, policy
            else:
                outcome = "error"
            record = OperationRecord(
                name, op_type, outcome, time.perf_counter() - started, [error_code(e) for e in errors]
            )
            tracing.describe_operation(span, record.name, record.type, record.outcome, record.error_codes)
        found = observation(scope)
        if found is not None:
            found.operations.append(record)
        if metrics is not None:
            metrics.observe(record)


class ObservabilityMiddleware:
    """ASGI middleware: request id on every answer, access log line, HTTP metrics, server span."""

    def __init__(self, app: ASGIApp, metrics: Metrics, tracer: Any = None) -> None:
        self.app = app
        self.metrics = metrics
        self.tracer = tracer

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve one request and observe it."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state = scope.setdefault("state", {})
        seen = Observation()
        state[_STATE] = seen
        started = time.perf_counter()
        status = 500
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        fallback_id = new_request_id(headers.get("x-request-id"))

        async def send_observed(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                names = {k.lower() for k, _ in message.get("headers", [])}
                if b"x-request-id" not in names:
                    rid = str(state.get("request_id") or fallback_id)
                    message["headers"] = [*message.get("headers", []), (b"x-request-id", rid.encode())]
            await send(message)

        path = scope.get("path", "")
        label = path if path in _KNOWN_PATHS else "other"
        method = scope.get("method", "")
        with tracing.server_span(self.tracer, scope, method, label) as span:
            try:
                await self.app(scope, receive, send_observed)
            finally:
                duration = time.perf_counter() - started
                tracing.describe_response(span, status)
                self.metrics.requests.labels(method, label, str(status)).inc()
                self.metrics.request_duration.labels(method, label).observe(duration)
                self.log(state, seen, method, path, status, duration, fallback_id)

    def log(
        self,
        state: dict[str, Any],
        seen: Observation,
        method: str,
        path: str,
        status: int,
        duration: float,
        fallback_id: str,
    ) -> None:
        """Write the request's access line: identifiers, names, codes and timings only."""
        caller = state.get("caller")
        ops = seen.operations
        codes = sorted({c for op in ops for c in op.error_codes})
        outcomes = {op.outcome for op in ops}
        outcome = next((o for o in ("rejected", "error", "success") if o in outcomes), None)
        access_log.info(
            "request",
            extra={
                "request_id": str(state.get("request_id") or fallback_id),
                "method": method,
                "path": path if path in _KNOWN_PATHS else "other",
                "status": status,
                "duration_ms": round(duration * 1000, 2),
                "operation": ",".join(op.name for op in ops) or None,
                "operation_type": ",".join(op.type for op in ops) or None,
                "outcome": outcome,
                "error_codes": codes or None,
                "subject": getattr(caller, "subject", None),
            },
        )


def _error(message: str, code: str, status: int) -> JSONResponse:
    return JSONResponse({"errors": [{"message": message, "extensions": {"code": code}}]}, status_code=status)


def metrics_endpoint(settings: Settings, metrics: Metrics) -> Route:
    """``GET /metrics``: 404 unless ``THEMA_METRICS_TOKEN`` is set, then only with that bearer token."""

    async def serve(request: Request) -> Response:
        expected = settings.metrics_token
        if not expected:
            return JSONResponse(
                {"errors": [{"message": "Introuvable.", "extensions": {"code": "NOT_FOUND"}}]}, 404
            )
        scheme, _, given = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not secrets.compare_digest(
            given.strip().encode(), expected.encode()
        ):
            response = JSONResponse(
                {
                    "errors": [
                        {"message": "Jeton de métriques requis.", "extensions": {"code": "UNAUTHENTICATED"}}
                    ]
                },
                401,
            )
            response.headers["WWW-Authenticate"] = 'Bearer realm="thema-metrics"'
            return response
        return Response(metrics.exposition(), media_type=CONTENT_TYPE_LATEST)

    return Route("/metrics", serve, methods=["GET"])


def instrument(app: Starlette, settings: Settings) -> None:
    """Add ``/metrics``, the access log, the metrics and (when configured) tracing to ``app``."""
    metrics = Metrics()
    provider = tracing.tracer_provider(settings)
    tracer = provider.get_tracer("thema") if provider is not None else None
    app.router.routes.append(metrics_endpoint(settings, metrics))
    app.add_middleware(ObservabilityMiddleware, metrics=metrics, tracer=tracer)
    app.state.metrics = metrics
    app.state.tracer_provider = provider
