"""The README's configuration table lists every setting, exactly, with its default."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from core.settings import Settings
from core.testing import ThemaTestApp

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


def test_the_collectors_settings_are_the_servers_while_it_runs_and_put_back_after(
    thema_app_factory: Callable[..., ThemaTestApp],
) -> None:
    """A young-generation threshold and frozen objects while serving; the process's own after."""
    import asyncio
    import gc

    app = thema_app_factory(gc_young_threshold=12_345, gc_freeze=True).app
    before = gc.get_threshold()
    seen: dict[str, object] = {}

    async def serve() -> None:
        async with app.router.lifespan_context(app):
            seen["threshold"] = gc.get_threshold()
            seen["frozen"] = gc.get_freeze_count()

    asyncio.run(serve())
    assert seen["threshold"] == (12_345, *before[1:])
    assert isinstance(seen["frozen"], int) and seen["frozen"] > 0
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0
