"""The README's configuration table lists every setting, exactly, with its default."""

from __future__ import annotations

import re
from pathlib import Path

from core.settings import Settings

README = Path(__file__).resolve().parents[2] / "README.md"
#: Variables of the table that are not settings of a deployment.
NOT_SETTINGS = {"THEMA_TEST_POSTGRES_URL"}


def table_rows() -> dict[str, str]:
    """Each variable of the README's "Configuration" table and its documented default."""
    section = README.read_text(encoding="utf-8").split("## Configuration", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 3 and cells[0].startswith("`THEMA_"):
            for name in re.findall(r"`(THEMA_[A-Z0-9_]+)`", cells[0]):
                rows[name] = cells[1]
    return rows


def test_configuration_table_lists_every_setting() -> None:
    rows = table_rows()
    settings = {f"THEMA_{name.upper()}" for name in Settings.model_fields}
    assert not settings - set(rows), f"settings missing from the README table: {sorted(settings - set(rows))}"
    assert not set(rows) - settings - NOT_SETTINGS, f"README rows naming no setting: {set(rows) - settings}"


def test_configuration_table_defaults_match_the_code() -> None:
    rows = table_rows()
    for name, field in Settings.model_fields.items():
        default = field.get_default(call_default_factory=True)
        documented = rows[f"THEMA_{name.upper()}"]
        if default is None:
            assert documented.startswith("unset") or "README" in documented, (name, documented)
        elif isinstance(default, bool):
            assert documented == f"`{str(default).lower()}`", (name, documented)
        elif isinstance(default, int | float | str):
            value = documented.strip("`")
            assert value in {str(default), f"{default:g}" if isinstance(default, float) else ""}, (
                name,
                documented,
            )
        else:
            assert documented.replace(" ", "").strip("`") == str(default).replace("'", '"').replace(
                " ", ""
            ), (name, documented)
