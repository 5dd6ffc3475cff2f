"""Example GraphQL queries read from the README, for the in-browser explorer.

Convention (what a README author writes):

- every fenced block whose info string starts with ``graphql`` (```` ```graphql ````
  or ``~~~graphql``) is one example;
- its title is taken from an HTML comment ``<!-- example: Some title -->`` on the
  last non-blank line before the fence, when there is one; otherwise from the
  nearest preceding ATX heading (``#`` to ``######``, inline code backticks
  removed); otherwise ``Example N`` (N counts examples from 1);
- a ``json`` fenced block that follows the graphql block, with only blank lines
  between them, holds the example's variables and must be a JSON object;
- repeated titles get a `` (2)``, `` (3)``… suffix so that each one is unique;
- text inside any fenced block (headings included) is never read as markdown.

A missing README gives no example; a malformed variables block raises ValueError.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["Example", "load_examples", "parse_examples"]

_FENCE_OPEN = re.compile(r"^ {0,3}(?P<fence>`{3,}|~{3,})\s*(?P<info>[^`]*?)\s*$")
_HEADING = re.compile(r"^ {0,3}#{1,6}(?:\s+(?P<text>.*?))?\s*$")
_CLOSING_HASHES = re.compile(r"\s+#+$")
_TITLE_COMMENT = re.compile(r"^\s*<!--\s*example:\s*(?P<title>.*?)\s*-->\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Example:
    """One example query: a title, the GraphQL text and optional variables."""

    title: str
    query: str
    variables: dict[str, Any] | None = None

    def to_json(self) -> dict[str, Any]:
        """Return the JSON shape served at ``/graphql/examples``."""
        return {"title": self.title, "query": self.query, "variables": self.variables}


@dataclass(frozen=True)
class _Block:
    """A fenced code block with its language, body and context."""

    lang: str
    body: str
    line: int  # 1-based line number of the opening fence
    heading: str | None
    comment_title: str | None
    follows_previous: bool  # only blank lines since the previous block closed


def _heading_text(raw: str) -> str:
    """Strip closing hashes and inline-code backticks from a heading."""
    text = _CLOSING_HASHES.sub("", raw).strip()
    return text.replace("`", "").strip()


def _blocks(markdown: str) -> list[_Block]:
    """Split markdown into fenced blocks, remembering headings and title comments."""
    blocks: list[_Block] = []
    heading: str | None = None
    last_nonblank: str | None = None
    blank_since_block = False  # True while only blank lines follow the last block
    lines = markdown.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        opening = _FENCE_OPEN.match(line)
        if opening is None:
            if line.strip():
                last_nonblank = line
                blank_since_block = False
                match = _HEADING.match(line)
                if match is not None:
                    heading = _heading_text(match.group("text") or "") or None
            i += 1
            continue
        fence = opening.group("fence")
        info = opening.group("info").split()
        comment = _TITLE_COMMENT.match(last_nonblank) if last_nonblank else None
        body: list[str] = []
        j = i + 1
        while j < len(lines):
            closing = lines[j].strip()
            if closing.startswith(fence[0] * len(fence)) and set(closing) == {fence[0]}:
                break
            body.append(lines[j])
            j += 1
        blocks.append(
            _Block(
                lang=info[0].lower() if info else "",
                body="\n".join(body).strip("\n"),
                line=i + 1,
                heading=heading,
                comment_title=comment.group("title") if comment else None,
                follows_previous=blank_since_block,
            )
        )
        last_nonblank = None
        blank_since_block = True
        i = j + 1
    return blocks


def parse_examples(markdown: str, source: str = "README") -> list[Example]:
    """Parse the graphql examples (and their json variables) out of markdown text."""
    examples: list[Example] = []
    seen: dict[str, int] = {}
    blocks = _blocks(markdown)
    for index, block in enumerate(blocks):
        if block.lang != "graphql":
            continue
        variables: dict[str, Any] | None = None
        after = blocks[index + 1] if index + 1 < len(blocks) else None
        if after is not None and after.lang == "json" and after.follows_previous:
            try:
                loaded = json.loads(after.body)
            except json.JSONDecodeError as exc:
                raise ValueError(f"{source}:{after.line}: invalid JSON variables block: {exc.msg}") from exc
            if not isinstance(loaded, dict):
                raise ValueError(f"{source}:{after.line}: variables must be a JSON object")
            variables = loaded
        title = block.comment_title or block.heading or f"Example {len(examples) + 1}"
        seen[title] = seen.get(title, 0) + 1
        if seen[title] > 1:
            title = f"{title} ({seen[title]})"
        examples.append(Example(title=title, query=block.body, variables=variables))
    return examples


def load_examples(readme_path: Path | None) -> list[Example]:
    """Read the README's graphql examples; a missing file (or None) gives an empty list."""
    if readme_path is None:
        return []
    try:
        markdown = readme_path.read_text(encoding="utf-8")
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        return []
    return parse_examples(markdown, source=str(readme_path))
