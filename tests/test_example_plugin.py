"""The example external plugin (examples/pension_de_famille), installed with pip, works through the API.

Nothing of it lives in ``core/`` or ``plugins/``: thema finds it through its ``thema.plugins`` entry
point, lists it, adds its types to the schema, and answers its eligibility and indicators.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "pension_de_famille"
BIN = Path(sys.executable).parent


def _pip(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "pip", "--disable-pip-version-check", "-q", *args], check=True)


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The example installed with pip from a copy (no network, no build files in the tree); removed after."""
    copy = tmp_path_factory.mktemp("example") / "pension_de_famille"
    shutil.copytree(EXAMPLE, copy, ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__"))
    _pip("install", "--no-deps", "--no-build-isolation", "--no-index", str(copy))
    try:
        yield copy
    finally:
        _pip("uninstall", "-y", "thema-pension-de-famille")


def _env(tmp_path: Path) -> dict[str, str]:
    return {**os.environ, "THEMA_DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}", "COLUMNS": "250"}


def test_example_is_kept_outside_the_core_and_the_builtin_plugins() -> None:
    assert (EXAMPLE / "pyproject.toml").read_text(encoding="utf-8").count(
        '[project.entry-points."thema.plugins"]'
    ) == 1
    builtin = (ROOT / "plugins" / "__init__.py").read_text(encoding="utf-8")
    assert "pension" not in builtin
    assert not any(
        "pension_de_famille" in p.read_text(encoding="utf-8") for p in (ROOT / "core").rglob("*.py")
    )


def test_thema_plugins_lists_the_installed_example(installed: Path, tmp_path: Path) -> None:
    out = subprocess.run(
        [str(BIN / "thema"), "plugins"], capture_output=True, text=True, env=_env(tmp_path), check=True
    ).stdout
    line = next(row for row in out.splitlines() if "pension_de_famille" in row)
    assert "1.0.0" in line and "1.1" in line and "entrypoint:thema-pension-de-famille" in line


SCRIPT = """
import json, sys
from pathlib import Path
from core.testing import Kit, make_test_app

app = make_test_app(Path(sys.argv[1]), today=__import__("datetime").date(2026, 1, 1))
kit = Kit(app)
sdl = app.app.state.schema.as_str()
world = kit.world("pension_de_famille")
hid = kit.household(world.association, [kit.member(52, isolated=True, resources=607.0)])
kit.mutate("pensionDeFamilleSetProfile", {"householdId": hid, "precarity": True}, "profile { precarity }")
unit = world.units[0]
kit.move_in(hid, unit, world.offer, start="2024-01-01")
verdict = kit.verdict(hid, offer=world.offer)
values = kit.indicators(offer=world.offer, start="2025-01-01", end="2025-12-31")
print(json.dumps({
    "types": [t for t in ("PensionDeFamilleProfile", "pensionDeFamilleSetProfile", "pensionDeFamille:") if t in sdl],
    "plugins": sorted(p.name for p in app.registry.plugins),
    "status": verdict["status"],
    "criteria": [c["code"] for c in verdict["criteria"]],
    "housed": values["households_housed"]["value"],
    "long_stays": values["long_stay_share"]["value"],
}))
app.close()
"""


def test_installed_example_answers_eligibility_and_indicators_over_http(
    installed: Path, tmp_path: Path
) -> None:
    import json

    run = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(tmp_path)], capture_output=True, text=True, env=_env(tmp_path)
    )
    assert run.returncode == 0, run.stderr[-3000:]
    answer = json.loads(run.stdout.strip().splitlines()[-1])
    assert answer["types"] == ["PensionDeFamilleProfile", "pensionDeFamilleSetProfile", "pensionDeFamille:"]
    assert "pension_de_famille" in answer["plugins"]
    assert answer["status"] == "ELIGIBLE"
    assert answer["criteria"] == [
        "pension_de_famille.age",
        "pension_de_famille.isolated",
        "pension_de_famille.situation",
        "pension_de_famille.resources",
    ]
    assert answer["housed"] == 1 and answer["long_stays"] == 100.0


def test_installed_example_passes_its_own_tests(installed: Path) -> None:
    run = subprocess.run(
        [str(BIN / "pytest"), "-q", "-p", "no:cacheprovider", str(installed / "tests")],
        capture_output=True,
        text=True,
        cwd=installed,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert " passed" in run.stdout and "failed" not in run.stdout
