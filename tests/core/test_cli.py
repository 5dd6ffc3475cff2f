"""The thema CLI from a shell: migrate, demo (deterministic, scalable), plugins."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from sqlalchemy import create_engine, func, select
from sqlmodel import Session

from core.models import Household, Person, Unit

BIN = Path(sys.executable).parent


def thema(*args: str, db: Path) -> subprocess.CompletedProcess[str]:
    env = {"THEMA_DATABASE_URL": f"sqlite:///{db}", "PATH": str(BIN), "COLUMNS": "200"}
    return subprocess.run([str(BIN / "thema"), *args], capture_output=True, text=True, env=env)


def _counts(db: Path) -> tuple[int, int, int, list[str]]:
    engine = create_engine(f"sqlite:///{db}")
    with Session(engine) as s:
        out = (
            s.execute(select(func.count()).select_from(Household)).scalar_one(),
            s.execute(select(func.count()).select_from(Person)).scalar_one(),
            s.execute(select(func.count()).select_from(Unit)).scalar_one(),
            list(s.execute(select(Person.first_name).order_by(Person.id).limit(20)).scalars()),
        )
    engine.dispose()
    return out


def test_migrate_then_demo_is_deterministic_for_a_seed(tmp_path: Path) -> None:
    a, b = tmp_path / "a.db", tmp_path / "b.db"
    for db in (a, b):
        assert thema("migrate", db=db).returncode == 0
        result = thema("demo", "--seed", "3", "--households", "30", db=db)
        assert result.returncode == 0, result.stdout + result.stderr
    assert _counts(a) == _counts(b)


def test_demo_scales_with_households(tmp_path: Path) -> None:
    small, big = tmp_path / "s.db", tmp_path / "b.db"
    for db, n in ((small, "20"), (big, "200")):
        thema("migrate", db=db)
        assert thema("demo", "--households", n, db=db).returncode == 0
    assert _counts(big)[0] - _counts(small)[0] == 180


def test_demo_refuses_a_non_empty_database_unless_if_empty(tmp_path: Path) -> None:
    db = tmp_path / "d.db"
    thema("migrate", db=db)
    thema("demo", "--households", "10", db=db)
    again = thema("demo", db=db)
    assert again.returncode == 1
    assert thema("demo", "--if-empty", db=db).returncode == 0


def test_plugins_command_lists_installed_plugins(tmp_path: Path) -> None:
    db = tmp_path / "p.db"
    thema("migrate", db=db)
    out = thema("plugins", db=db)
    assert out.returncode == 0 and "Plugins installés" in out.stdout


def test_misconfigured_plugins_stop_with_a_clear_message(tmp_path: Path) -> None:
    env_db = tmp_path / "x.db"
    env = {
        "THEMA_DATABASE_URL": f"sqlite:///{env_db}",
        "PATH": str(BIN),
        "THEMA_BUILTIN_PLUGINS_MODULE": "tests.fixtures.nope",
    }
    result = subprocess.run([str(BIN / "thema"), "plugins"], capture_output=True, text=True, env=env)
    assert result.returncode == 2
    assert "tests.fixtures.nope" in result.stdout
