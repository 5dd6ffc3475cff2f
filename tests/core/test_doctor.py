"""``thema doctor`` tells the truth about a deployment: healthy, unmigrated, unreachable, unsafe."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from core.cli import app
from core.doctor import run_checks
from core.settings import Settings
from core.testing import make_test_app, postgres_url

runner = CliRunner()


def doctor(monkeypatch: pytest.MonkeyPatch, **env: str) -> tuple[int, str]:
    """Run ``thema doctor`` with ``THEMA_*`` variables; its exit code and output."""
    for name, value in env.items():
        monkeypatch.setenv(f"THEMA_{name.upper()}", value)
    monkeypatch.setenv("COLUMNS", "200")
    result = runner.invoke(app, ["doctor"])
    return result.exit_code, result.output


def test_doctor_passes_a_healthy_deployment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    migrated = make_test_app(tmp_path)  # every installed plugin, migrated
    try:
        code, out = doctor(monkeypatch, database_url=migrated.settings.database_url, environment="test")
    finally:
        migrated.close()
    assert code == 0, out
    assert "Migrations à jour" in out and "Déploiement en état de servir" in out
    assert "erreur" not in out


def test_doctor_fails_an_unmigrated_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    empty = tmp_path / "empty.db"
    empty.touch()
    code, out = doctor(monkeypatch, database_url=f"sqlite:///{empty}")
    assert code == 1
    assert "Migrations non appliquées" in out and "thema migrate" in out


def test_doctor_fails_an_unreachable_database(monkeypatch: pytest.MonkeyPatch) -> None:
    code, out = doctor(
        monkeypatch, database_url="postgresql+psycopg://thema:s3cret@127.0.0.1:1/thema?connect_timeout=2"
    )
    assert code == 1
    assert "Base inaccessible" in out and "THEMA_DATABASE_URL" in out
    assert "s3cret" not in out  # the password is never printed


def test_doctor_fails_a_missing_sqlite_file_without_creating_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = tmp_path / "nope.db"
    code, out = doctor(monkeypatch, database_url=f"sqlite:///{missing}")
    assert code == 1 and "Fichier SQLite absent" in out
    assert not missing.exists()


def test_doctor_flags_unsafe_production_settings(tmp_path: Path) -> None:
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'x.db'}",
        environment="production",
        sql_echo=True,
        introspection="always",
        rate_limit_per_second=0,
        metrics_token="short",
    )
    found = {(f.check, f.status) for f in run_checks(settings)}
    assert ("base de données", "error") in found  # SQLite in production
    assert ("journaux", "error") in found  # sql_echo
    assert ("introspection", "warning") in found
    assert ("limite de débit", "warning") in found
    assert ("métriques", "warning") in found


def test_doctor_names_plugins_that_do_not_load(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    code, out = doctor(
        monkeypatch, builtin_plugins_module="no_such_package", database_url=f"sqlite:///{tmp_path / 'x.db'}"
    )
    assert code == 1 and "Les plugins ne se chargent pas" in out


@pytest.mark.skipif(postgres_url() is None, reason="THEMA_TEST_POSTGRES_URL not set")
def test_doctor_flags_a_superuser_role_on_postgresql(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    migrated = make_test_app(tmp_path, backend="postgres")  # the test server's user is a superuser
    try:
        code, out = doctor(
            monkeypatch,
            database_url=migrated.settings.database_url,
            environment="production",
            log_format="json",
        )
    finally:
        migrated.close()
    assert code == 1
    assert "superutilisateur" in out and "sécurité par ligne" in out
