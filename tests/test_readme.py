"""README.md: it parses as CommonMark with every code fence closed.

A fence whose closing line is not a closing fence (```` ``` text ````) swallows the rest of
the page into one code block on GitHub; the parser shows it as a fence that runs to the end.
"""

from __future__ import annotations

import re

from markdown_it import MarkdownIt

from conftest import REPO_ROOT

README = REPO_ROOT / "README.md"


def unclosed_fences(text: str) -> list[int]:
    """1-based lines of code fences that have no closing fence (CommonMark rules)."""
    lines = text.splitlines()
    found = []
    for token in MarkdownIt("commonmark").parse(text):
        if token.type != "fence" or token.map is None:
            continue
        start, end = token.map
        last = lines[end - 1].strip() if end - 1 > start else ""
        closing = re.fullmatch(rf"{re.escape(token.markup[0])}{{{len(token.markup)},}}", last)
        if closing is None:
            found.append(start + 1)
    return found


def test_every_fence_of_the_readme_is_closed():
    assert unclosed_fences(README.read_text(encoding="utf-8")) == []


def test_a_closing_fence_followed_by_text_is_found():
    text = "intro\n\n```toml\na = 1\n``` See the file\n\nmore text\n"
    assert unclosed_fences(text) == [3]


def test_a_fence_closed_properly_is_not_reported():
    assert unclosed_fences("```bash\nls\n```\n\n~~~~\nx\n~~~~~\n") == []
