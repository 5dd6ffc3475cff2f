"""Operations over HTTP: health probes that tell the truth, Prometheus metrics, request ids, tracing."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text
from starlette.applications import Starlette

from core.app import create_app
from core.logs import JsonFormatter
from core.settings import Settings
from core.testing import ThemaTestApp
from tests.core import sample_plugin

METRICS_TOKEN = "m3tr1cs-t0ken-for-tests-only"


def get(app: Starlette, path: str, headers: dict[str, str] | None = None) -> httpx.Response:
    """One GET to an app in process."""

    async def send() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://thema.test") as client:
            return await client.get(path, headers=headers)

    return asyncio.run(send())


def bare_app(url: str) -> Starlette:
    """An app on ``url`` with only the sample plugin (no migration run)."""
    return create_app(Settings(database_url=url, environment="test"), [sample_plugin])


def test_readyz_ok_on_a_migrated_database(sample_app: ThemaTestApp) -> None:
    assert sample_app.request("GET", "/readyz", token=None).json() == {"status": "ok"}
    assert sample_app.request("GET", "/healthz", token=None).json() == {"status": "ok"}


def test_readyz_refuses_an_unmigrated_database(tmp_path: Path) -> None:
    app = bare_app(f"sqlite:///{tmp_path / 'empty.db'}")
    response = get(app, "/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable" and body["pendingMigrations"], body
    assert get(app, "/healthz").status_code == 200  # alive, just not ready


def test_readyz_refuses_an_unreachable_database() -> None:
    # Port 1 on localhost: connection refused at once.
    app = bare_app("postgresql+psycopg://nobody@127.0.0.1:1/thema?connect_timeout=2")
    response = get(app, "/readyz")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "unreachable"}


def test_readyz_reports_revisions_unknown_to_the_code(sample_app: ThemaTestApp) -> None:
    with sample_app.session() as s:
        s.execute(text("UPDATE alembic_version SET version_num = 'from_the_future'"))
    response = sample_app.request("GET", "/readyz", token=None)
    assert response.status_code == 503
    assert response.json()["unknownRevisions"] == ["from_the_future"]


def test_metrics_disabled_without_a_token(sample_app: ThemaTestApp) -> None:
    assert sample_app.request("GET", "/metrics", token=None).status_code == 404


@pytest.fixture
def metrics_app(thema_app_factory: Callable[..., ThemaTestApp]) -> ThemaTestApp:
    """The sample app with /metrics enabled."""
    return thema_app_factory([sample_plugin], metrics_token=METRICS_TOKEN)


def scrape(app: ThemaTestApp) -> str:
    """The metrics text, read with the metrics token."""
    response = app.request("GET", "/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return response.text


def test_metrics_need_their_token(metrics_app: ThemaTestApp) -> None:
    # The platform token of the API is not the metrics token.
    refused = metrics_app.request("GET", "/metrics")
    assert refused.status_code == 401
    assert refused.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


def test_metrics_count_operations_by_name_type_outcome_and_errors(metrics_app: ThemaTestApp) -> None:
    for _ in range(3):
        metrics_app.graphql("query Orgs { organisations(first: 1) { nodes { id } } }")
    metrics_app.graphql_raw("query Broken { organisations { nope } }")
    metrics_app.graphql_raw(
        'mutation Make { createOrganisation(input: {name: "x", kind: LANDLORD}) { userErrors { code } } }'
    )
    metrics_app.graphql_raw("{ __typename }")
    text = scrape(metrics_app)
    assert 'thema_graphql_operations_total{operation="Orgs",outcome="success",type="query"} 3.0' in text
    assert 'thema_graphql_operations_total{operation="Broken",outcome="rejected",type="query"} 1.0' in text
    assert 'thema_graphql_operations_total{operation="Make",outcome="success",type="mutation"} 1.0' in text
    assert 'thema_graphql_operations_total{operation="anonymous",outcome="success",type="query"} 1.0' in text
    assert (
        'thema_graphql_operation_duration_seconds_count{operation="Orgs",outcome="success",type="query"} 3.0'
        in text
    )
    assert 'thema_graphql_errors_total{code="INVALID",operation="Broken",type="query"} 1.0' in text
    assert 'thema_http_requests_total{method="POST",path="/graphql",status="200"} 6.0' in text


def test_metrics_count_refused_requests_and_limit_names(metrics_app: ThemaTestApp) -> None:
    metrics_app.request("POST", "/graphql", json={"query": "{ __typename }"}, token=None)
    metrics_app.request(
        "POST", "/graphql", json={"query": "query Q { __typename }", "operationName": "x" * 300}
    )
    text = scrape(metrics_app)
    assert 'thema_http_requests_total{method="POST",path="/graphql",status="401"} 1.0' in text
    assert "x" * 65 not in text  # an untame client-chosen name never becomes a label


def test_every_answer_carries_a_request_id(sample_app: ThemaTestApp) -> None:
    refused = sample_app.request("POST", "/graphql", json={"query": "{ __typename }"}, token=None)
    assert refused.status_code == 401 and len(refused.headers["x-request-id"]) == 32
    kept = sample_app.request("GET", "/healthz", headers={"X-Request-ID": "proxy-42"})
    assert kept.headers["x-request-id"] == "proxy-42"
    answered = sample_app.request(
        "POST", "/graphql", json={"query": "{ __typename }"}, headers={"X-Request-ID": "proxy-43"}
    )
    assert answered.headers["x-request-id"] == "proxy-43"


def access_lines(caplog: pytest.LogCaptureFixture) -> list[dict[str, object]]:
    """The access log records of the test, formatted as the JSON lines production writes."""
    fmt = JsonFormatter()
    return [json.loads(fmt.format(r)) for r in caplog.records if r.name == "thema.access"]


def test_access_log_has_one_json_line_per_request(
    sample_app: ThemaTestApp, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="thema.access")
    sample_app.graphql(
        "query Orgs { organisations(first: 1) { nodes { id } } }", headers={"X-Request-ID": "r-1"}
    )
    sample_app.request("GET", "/healthz", token=None)
    first, second = access_lines(caplog)
    assert first["request_id"] == "r-1"
    assert first["method"] == "POST" and first["path"] == "/graphql" and first["status"] == 200
    assert first["operation"] == "Orgs" and first["operation_type"] == "query"
    assert first["outcome"] == "success"
    assert str(first["subject"]).startswith("token:")
    assert isinstance(first["duration_ms"], float)
    assert {"time", "level", "message"} <= set(first)
    assert second["path"] == "/healthz" and "subject" not in second


def test_tracing_is_off_unless_configured(sample_app: ThemaTestApp) -> None:
    assert sample_app.app.state.tracer_provider is None


def test_tracing_exports_a_span_per_request_and_operation(
    thema_app_factory: Callable[..., ThemaTestApp], monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("opentelemetry.sdk")
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    from core import tracing

    exporter = InMemorySpanExporter()
    monkeypatch.setattr(tracing, "exporter_for", lambda _settings: exporter)
    app = thema_app_factory([sample_plugin], otel_endpoint="http://collector.invalid:4318")
    parent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
    app.graphql("query Orgs { organisations(first: 1) { nodes { id } } }", headers={"traceparent": parent})
    app.app.state.tracer_provider.force_flush()
    spans = {s.name: s for s in exporter.get_finished_spans()}
    server, operation = spans["POST /graphql"], spans["query Orgs"]
    assert operation.parent is not None and operation.parent.span_id == server.context.span_id
    assert format(server.context.trace_id, "032x") == "0af7651916cd43dd8448eb211c80319c"
    assert operation.attributes["graphql.operation.name"] == "Orgs"
    assert server.attributes["http.response.status_code"] == 200


def test_sigterm_lets_an_in_flight_import_finish(tmp_path: Path) -> None:
    """uvicorn's graceful shutdown: a long request under way when SIGTERM comes is answered in full."""
    import os
    import signal
    import socket
    import subprocess
    import sys
    import threading
    import time

    from sqlmodel import Session

    from core.auth import create_token
    from core.db import make_engine
    from core.graphql.relay import to_global_id
    from core.migrate import upgrade
    from core.models import Organisation, OrganisationKind, Role
    from core.plugins import build_registry

    url = f"sqlite:///{tmp_path / 'thema.db'}"
    upgrade(url, build_registry(Settings(database_url=url)))
    engine = make_engine(url)
    with Session(engine) as s:
        org = Organisation(name="Bailleur", kind=OrganisationKind.LANDLORD)
        s.add(org)
        s.flush()
        token, _ = create_token(s, organisation_id=org.id, role=Role.ADMIN)
        gid = to_global_id("Organisation", org.id)
        s.commit()
    engine.dispose()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    log = tmp_path / "worker.log"
    env = {**os.environ, "THEMA_DATABASE_URL": url, "THEMA_ENVIRONMENT": "production"}
    command = [sys.executable, "-m", "uvicorn", "--factory", "core.app:factory", "--port", str(port)]
    process = subprocess.Popen(
        [*command, "--timeout-graceful-shutdown", "60"],
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None and time.monotonic() < deadline, log.read_text()
            try:
                if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        lines = ["N° RNL;Résidence;Commune;Typologie"] + [
            f"RNL{i:08d};Les Acacias;Laon;T2" for i in range(60_000)
        ]
        query = "mutation($input: ImportFileInput!) { importFile(input: $input) { report { rows created } } }"
        operations = {
            "query": query,
            "variables": {"input": {"organisationId": gid, "file": None, "apply": True}},
        }
        answers: list[httpx.Response] = []

        def send() -> None:
            answers.append(
                httpx.post(
                    f"http://127.0.0.1:{port}/graphql",
                    headers={"Authorization": f"Bearer {token}"},
                    data={
                        "operations": json.dumps(operations),
                        "map": json.dumps({"0": ["variables.input.file"]}),
                    },
                    files={"0": ("parc.csv", "\n".join(lines).encode(), "text/csv")},
                    timeout=120,
                )
            )

        request = threading.Thread(target=send)
        request.start()
        time.sleep(1.0)  # the import is being checked and written
        assert not answers, "the request ended before the signal: make the file bigger"
        process.send_signal(signal.SIGTERM)
        request.join(timeout=120)
        code = process.wait(timeout=120)
    finally:
        if process.poll() is None:
            process.kill()
    assert answers and answers[0].status_code == 200, log.read_text()
    assert answers[0].json()["data"]["importFile"]["report"] == {"rows": 60_000, "created": 60_000}
    assert code in (0, -signal.SIGTERM), code
    assert "Application shutdown complete" in log.read_text()
    check = make_engine(url)
    with check.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM unit")).scalar_one() == 60_000
    check.dispose()
