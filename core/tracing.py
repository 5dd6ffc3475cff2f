"""OpenTelemetry tracing, when configured and installed (``pip install 'thema[otel]'``); else nothing.

Configured by ``THEMA_OTEL_ENDPOINT`` (an OTLP/HTTP collector, e.g. ``http://collector:4318``) or
the standard ``OTEL_EXPORTER_OTLP_ENDPOINT``; ``OTEL_SERVICE_NAME`` names the service (``thema``
by default). Each request gets a server span (continuing a caller's ``traceparent``), each GraphQL
operation a child span carrying its name, type, outcome and error codes, never variables or data.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator, MutableMapping
from contextlib import contextmanager
from typing import Any

from core.settings import Settings

log = logging.getLogger("thema")


def endpoint(settings: Settings) -> str | None:
    """The configured OTLP endpoint, if any (thema's setting first, then the standard variable)."""
    return settings.otel_endpoint or os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT") or None


def exporter_for(settings: Settings) -> Any:
    """The OTLP/HTTP span exporter of the configuration (the standard variables apply too)."""
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

    if settings.otel_endpoint:
        base = settings.otel_endpoint.rstrip("/")
        return OTLPSpanExporter(endpoint=base if base.endswith("/v1/traces") else f"{base}/v1/traces")
    return OTLPSpanExporter()  # reads OTEL_EXPORTER_OTLP_ENDPOINT and the other OTEL_* variables


def tracer_provider(settings: Settings) -> Any | None:
    """A tracer provider exporting in batches, or None when tracing is not configured or not installed."""
    if endpoint(settings) is None:
        return None
    try:
        from opentelemetry.sdk.resources import Resource
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import BatchSpanProcessor

        exporter = exporter_for(settings)
    except ImportError:
        log.warning("tracing configured but OpenTelemetry is not installed: pip install 'thema[otel]'")
        return None
    attributes = {} if os.environ.get("OTEL_SERVICE_NAME") else {"service.name": "thema"}
    provider = TracerProvider(resource=Resource.create(attributes))
    provider.add_span_processor(BatchSpanProcessor(exporter))
    return provider


@contextmanager
def server_span(tracer: Any, scope: MutableMapping[str, Any], method: str, route: str) -> Iterator[Any]:
    """The span of one HTTP request (None without tracing), continuing the caller's trace context."""
    if tracer is None:
        yield None
        return
    from opentelemetry import propagate
    from opentelemetry.trace import SpanKind

    carrier = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
    attributes = {"http.request.method": method, "http.route": route, "url.path": route}
    with tracer.start_as_current_span(
        f"{method} {route}", context=propagate.extract(carrier), kind=SpanKind.SERVER, attributes=attributes
    ) as span:
        yield span


@contextmanager
def operation_span(scope: MutableMapping[str, Any]) -> Iterator[Any]:
    """The span of one GraphQL operation, child of the request's (None without tracing)."""
    app = scope.get("app")
    provider = getattr(getattr(app, "state", None), "tracer_provider", None)
    if provider is None:
        yield None
        return
    with provider.get_tracer("thema").start_as_current_span("graphql.operation") as span:
        yield span


def describe_operation(span: Any, name: str, op_type: str, outcome: str, codes: list[str]) -> None:
    """Name an operation's span after the operation and record how it ended."""
    if span is None:
        return
    from opentelemetry.trace import Status, StatusCode

    span.update_name(f"{op_type} {name}")
    span.set_attribute("graphql.operation.name", name)
    span.set_attribute("graphql.operation.type", op_type)
    span.set_attribute("thema.outcome", outcome)
    if codes:
        span.set_attribute("thema.error_codes", codes)
        span.set_status(Status(StatusCode.ERROR))


def describe_response(span: Any, status: int) -> None:
    """Record the HTTP status on a request's span (an error from 500 on)."""
    if span is None:
        return
    from opentelemetry.trace import Status, StatusCode

    span.set_attribute("http.response.status_code", status)
    if status >= 500:
        span.set_status(Status(StatusCode.ERROR))
