"""A plugin installed with pip from a package appears in `thema plugins` and in the schema."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).parent.parent / "fixtures" / "thema_hello"
BIN = Path(sys.executable).parent


def _pip(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "pip", "--disable-pip-version-check", "-q", *args], check=True)


@pytest.fixture(scope="module")
def installed_hello() -> Iterator[None]:
    """Install the fixture package with pip (no network), remove it afterwards."""
    _pip("install", "--no-deps", "--no-build-isolation", "--no-index", str(PACKAGE))
    try:
        yield
    finally:
        _pip("uninstall", "-y", "thema-hello")


def test_pip_installed_plugin_is_listed_by_thema_plugins(installed_hello: None, tmp_path: Path) -> None:
    env = {"THEMA_DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}", "COLUMNS": "200", "PATH": str(BIN)}
    out = subprocess.run(
        [str(BIN / "thema"), "plugins"], capture_output=True, text=True, env=env, check=True
    ).stdout
    assert "hello" in out and "0.2.0" in out and "entrypoint:thema-hello" in out


def test_pip_installed_plugin_extends_the_schema_over_http(installed_hello: None, tmp_path: Path) -> None:
    script = (
        "from pathlib import Path\n"
        "from core.testing import make_test_app\n"
        f"app = make_test_app(Path({str(tmp_path)!r}))\n"
        "print(app.graphql('{ helloPing schemes { code version } }'))\n"
        "print('helloReferenceLength' in app.app.state.schema.as_str())\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    assert "'helloPing': 'bonjour'" in out
    assert "{'code': 'hello', 'version': '0.2.0'}" in out
    assert out.strip().endswith("True")


def test_blocking_the_plugin_removes_it(installed_hello: None, tmp_path: Path) -> None:
    script = (
        "from core.plugins import build_registry\n"
        "from core.settings import Settings\n"
        "print(sorted(p.name for p in build_registry(Settings(plugins_block=['hello'])).plugins))\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    assert "hello" not in out
