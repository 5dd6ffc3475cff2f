"""The plugin author's guide (docs/plugins.md) documents every hook of the contract."""

from __future__ import annotations

import re
from pathlib import Path

from core.contract import CONTRACT_VERSION
from core.plugins import hook_names

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "plugins.md"


def _sections(text: str) -> dict[str, str]:
    """The guide's hook reference sections, by hook name (``### `name` ``)."""
    parts = re.split(r"^### `([a-z_]+)`\s*$", text, flags=re.M)
    return {parts[i]: parts[i + 1] for i in range(1, len(parts) - 1, 2)}


def test_every_hook_has_a_section_with_when_arguments_returns_example_and_since() -> None:
    sections = _sections(GUIDE.read_text(encoding="utf-8"))
    missing = [name for name in hook_names() if name not in sections]
    assert missing == [], f"hooks missing from docs/plugins.md: {missing}"
    for name in hook_names():
        body = sections[name].split("\n## ", 1)[0]
        for item in ("**When**", "**Arguments**", "**Returns**", "**Example**", "**Since**"):
            assert item in body, f"{name}: no {item} in its section"
        assert re.search(r"\*\*Since\*\*: contract \d+\.\d+", body), name


def test_guide_names_no_hook_that_does_not_exist() -> None:
    documented = set(_sections(GUIDE.read_text(encoding="utf-8")))
    assert documented <= set(hook_names()), documented - set(hook_names())


def test_guide_states_the_current_contract_version() -> None:
    assert f'THEMA_CONTRACT = "{CONTRACT_VERSION}"' in GUIDE.read_text(encoding="utf-8")
