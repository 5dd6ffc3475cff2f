"""Architecture rules: the core knows no scheme, plugins know no other plugin."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from core.plugins import build_registry
from core.settings import Settings

ROOT = Path(__file__).resolve().parents[2]


def test_import_linter_contracts_hold() -> None:
    lint = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run([str(lint)], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "broken" not in result.stdout.lower() or "0 broken" in result.stdout.lower()


def test_core_names_no_scheme_of_any_installed_plugin() -> None:
    codes = set(build_registry(Settings()).schemes) | {"fjt", "chrs", "habited", "seniors_domicile", "asr"}
    offenders = []
    for path in (ROOT / "core").rglob("*"):
        if path.suffix not in {".py", ".graphql", ".js", ".html", ".mako"}:
            continue
        text = path.read_text(encoding="utf-8")
        for code in codes:
            if re.search(rf"\b{re.escape(code)}\b", text):
                offenders.append(f"{path.relative_to(ROOT)}: {code}")
    assert offenders == []


def test_core_never_imports_plugins() -> None:
    pattern = re.compile(r"^\s*(from|import)\s+plugins(\.|\s|$)", re.M)
    assert [p for p in (ROOT / "core").rglob("*.py") if pattern.search(p.read_text(encoding="utf-8"))] == []
