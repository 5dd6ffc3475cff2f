"""Serving in production: two uvicorn workers on one PostgreSQL see each other's writes, stop cleanly."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlmodel import Session

from core.auth import create_token
from core.db import make_engine
from core.migrate import upgrade
from core.models import Role
from core.plugins import build_registry
from core.settings import Settings
from core.testing import create_database, drop_database, postgres_url

pytestmark = pytest.mark.skipif(postgres_url() is None, reason="THEMA_TEST_POSTGRES_URL not set")


def free_port() -> int:
    """A TCP port nobody listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def database() -> Iterator[str]:
    """A fresh, migrated PostgreSQL database (every installed plugin), dropped afterwards."""
    base = postgres_url()
    assert base is not None
    url = create_database(base)
    upgrade(url, build_registry(Settings(database_url=url)))
    yield url
    drop_database(url, base)


def start_worker(url: str, port: int, log: Path) -> subprocess.Popen[bytes]:
    """``uvicorn --factory core.app:factory`` on ``port``, configured by the environment only."""
    env = {
        **os.environ,
        "THEMA_DATABASE_URL": url,
        "THEMA_ENVIRONMENT": "production",
        "THEMA_LOG_FORMAT": "json",
    }
    command = [sys.executable, "-m", "uvicorn", "--factory", "core.app:factory", "--port", str(port)]
    command += ["--timeout-graceful-shutdown", "10"]
    return subprocess.Popen(command, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT)


def wait_ready(port: int, process: subprocess.Popen[bytes]) -> None:
    """Wait until the worker answers /readyz (it checks the database and its migrations)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, "the worker exited"
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"worker on port {port} never became ready")


def test_two_workers_on_one_postgresql_read_each_others_writes(database: str, tmp_path: Path) -> None:
    engine = make_engine(database)
    with Session(engine) as s:
        token, _ = create_token(s, organisation_id=None, role=Role.PLATFORM, permissions=["*"])
        s.commit()
    engine.dispose()
    ports = [free_port(), free_port()]
    workers = [start_worker(database, p, tmp_path / f"worker-{p}.log") for p in ports]
    try:
        for port, process in zip(ports, workers, strict=True):
            wait_ready(port, process)
        headers = {"Authorization": f"Bearer {token}"}
        first, second = (f"http://127.0.0.1:{p}/graphql" for p in ports)
        created = httpx.post(
            first,
            headers=headers,
            json={
                "query": "mutation($i: CreateOrganisationInput!) { createOrganisation(input: $i) "
                "{ organisation { id name } userErrors { code } } }",
                "variables": {"i": {"name": "Bailleur de l'Aisne", "kind": "LANDLORD"}},
            },
            timeout=30,
        ).json()["data"]["createOrganisation"]
        assert created["userErrors"] == []
        org = created["organisation"]["id"]
        read = httpx.post(
            second,
            headers=headers,
            json={
                "query": "query($id: ID!) { node(id: $id) { ... on Organisation { name } } }",
                "variables": {"id": org},
            },
            timeout=30,
        ).json()
        assert read == {"data": {"node": {"name": "Bailleur de l'Aisne"}}}
    finally:
        for process in workers:
            process.send_signal(signal.SIGTERM)  # graceful: finish in-flight requests, dispose the engine
        codes = [process.wait(timeout=30) for process in workers]
    # uvicorn re-raises the signal once shut down: -SIGTERM is its clean exit, after the lifespan ran.
    assert set(codes) <= {0, -signal.SIGTERM}, codes
    logs = (tmp_path / f"worker-{ports[0]}.log").read_text()
    assert '"path": "/graphql"' in logs and "Bailleur de l'Aisne" not in logs
    assert "Application shutdown complete" in logs
