"""``thema plugin new``: a ready package outside the tree, which installs with pip and passes its tests."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.contract import CONTRACT_VERSION
from core.plugins import build_registry
from core.scaffold import ScaffoldError, render
from core.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
CODE = "essai_scaffold"


def thema(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run the ``thema`` command."""
    env = {**os.environ, "COLUMNS": "250"}
    return subprocess.run([str(BIN / "thema"), *args], capture_output=True, text=True, cwd=cwd, env=env)


def test_plugin_new_writes_the_package_in_the_current_directory(tmp_path: Path) -> None:
    result = thema("plugin", "new", CODE, cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    root = tmp_path / f"thema-{CODE}"
    files = {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}
    package = f"thema_{CODE}"
    assert {
        "pyproject.toml",
        "README.md",
        f"{package}/hooks.py",
        f"{package}/models.py",
        f"{package}/graphql.py",
        f"{package}/eligibility.py",
        f"{package}/indicators.py",
        f"{package}/demo.py",
        f"{package}/migrations/{CODE}_0001_tables.py",
        "tests/conftest.py",
        f"tests/test_{CODE}.py",
    } <= files
    pyproject = (root / "pyproject.toml").read_text(encoding="utf-8")
    assert f'[project.entry-points."thema.plugins"]\n{CODE} = "{package}.hooks"' in pyproject
    assert "<<" not in "".join(p.read_text(encoding="utf-8") for p in root.rglob("*") if p.is_file())


def test_plugin_new_refuses_a_taken_code_a_bad_code_the_tree_and_an_existing_directory(
    tmp_path: Path,
) -> None:
    taken = sorted(build_registry(Settings()).schemes)
    if taken:
        with pytest.raises(ScaffoldError, match="déjà pris"):
            render(taken[0], tmp_path / "a")
    for bad in ("Pension", "1abc", "a-b", "class", "x"):
        with pytest.raises(ScaffoldError, match="invalide"):
            render(bad, tmp_path / "b")
    with pytest.raises(ScaffoldError, match="arborescence de thema"):
        render(CODE, ROOT / "examples" / "nouveau")
    (tmp_path / "exists").mkdir()
    with pytest.raises(ScaffoldError, match="existe déjà"):
        render(CODE, tmp_path / "exists")
    result = thema("plugin", "new", CODE, "--dir", str(ROOT / "nouveau"), cwd=tmp_path)
    assert result.returncode == 2 and "arborescence" in result.stdout
    assert not (ROOT / "nouveau").exists()


def test_templates_name_no_scheme() -> None:
    codes = set(build_registry(Settings()).schemes) | {"fjt", "chrs", "habited", "seniors_domicile", "asr"}
    templates = ROOT / "core" / "scaffold" / "templates"
    text = "\n".join(p.read_text(encoding="utf-8") for p in templates.rglob("*") if p.is_file())
    assert [c for c in codes if c in text] == []


@pytest.fixture(scope="module")
def installed_scaffold(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A scaffolded package installed with pip (offline); uninstalled afterwards."""
    root = tmp_path_factory.mktemp("scaffold") / f"thema-{CODE}"
    render(CODE, root, "Dispositif d'essai")
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    subprocess.run(
        [*pip, "install", "--no-deps", "--no-build-isolation", "--no-index", str(root)], check=True
    )
    try:
        yield root
    finally:
        subprocess.run([*pip, "uninstall", "-y", f"thema-{CODE.replace('_', '-')}"], check=True)


def test_scaffolded_package_installs_is_listed_and_passes_its_own_tests(
    installed_scaffold: Path, tmp_path: Path
) -> None:
    listed = thema("plugins", cwd=tmp_path)
    assert listed.returncode == 0, listed.stdout + listed.stderr
    assert any(
        CODE in row and "entrypoint:" in row and CONTRACT_VERSION in row for row in listed.stdout.splitlines()
    )
    run = subprocess.run(
        [str(BIN / "pytest"), "-q", "-p", "no:cacheprovider", str(installed_scaffold / "tests")],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert " passed" in run.stdout and "failed" not in run.stdout
