"""Where each key of a TOML document is: key path -> line, for problems users can find.

``tomllib`` parses but reports no positions, and no library gives the line of every key path
(tomlkit keeps formatting, not lines per path), so this module scans the text itself:
:func:`key_lines` maps every key path to its line, :func:`line_of` places a missing key at
its parent table, and :func:`format_path` writes a path the way a user would.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence

__all__ = ["KeyPath", "format_path", "key_lines", "line_of"]

KeyPath = tuple[str | int, ...]
"""A path into a TOML document: table keys (str) and list indices (int)."""

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_BASIC_STR = re.compile(r'"(?:[^"\\\n]|\\.)*"')
_LITERAL_STR = re.compile(r"'[^'\n]*'")
# Multi-line strings may end with up to two extra quotes that belong to the content.
_ML_BASIC_STR = re.compile(r'"""(?:[^\\]|\\.)*?"""(?:"{1,2})?', re.DOTALL)
_ML_LITERAL_STR = re.compile(r"'''.*?'''(?:'{1,2})?", re.DOTALL)
# Numbers, booleans, dates: nothing structural can occur inside them.
_SCALAR = re.compile(r"[^,\]}#\n]*")


def _decode_basic_key(raw: str) -> str:
    """Decode a double-quoted key, reusing tomllib so escapes match what pydantic sees."""
    try:
        return str(tomllib.loads(f"k = {raw}")["k"])
    except tomllib.TOMLDecodeError:  # only reachable for invalid TOML
        return raw[1:-1]


class _Scanner:
    """A small recursive scanner for *valid* TOML that records where each key appears.

    It never validates: tomllib has already done that. It only needs to skip strings,
    comments and values correctly so that no keys are "found" inside them, and to always
    make progress so that odd input cannot hang it.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.line = 1
        self.lines: dict[KeyPath, int] = {}
        self.aot_count: dict[KeyPath, int] = {}  # array-of-tables path -> elements so far

    # -- low-level movement ------------------------------------------------------------------

    def _peek(self) -> str:
        return self.text[self.pos : self.pos + 1]

    def _advance_to(self, new_pos: int) -> None:
        new_pos = min(new_pos, len(self.text))
        self.line += self.text.count("\n", self.pos, new_pos)
        self.pos = new_pos

    def _skip_ws(self) -> None:
        while self.text.startswith((" ", "\t", "\r"), self.pos):
            self.pos += 1

    def _skip_comment(self) -> None:
        if self._peek() == "#":
            end = self.text.find("\n", self.pos)
            self._advance_to(len(self.text) if end < 0 else end)

    def _skip_trivia(self) -> None:
        """Skip whitespace, newlines and comments (between statements or array elements)."""
        while self.pos < len(self.text):
            before = self.pos
            self._skip_ws()
            self._skip_comment()
            if self._peek() == "\n":
                self._advance_to(self.pos + 1)
            if self.pos == before:
                return

    def _skip_rest_of_line(self) -> None:
        self._skip_ws()
        self._skip_comment()
        if self._peek() not in ("\n", ""):  # junk: cannot happen in valid TOML
            end = self.text.find("\n", self.pos)
            self._advance_to(len(self.text) if end < 0 else end)

    def _match(self, pattern: re.Pattern[str]) -> str:
        m = pattern.match(self.text, self.pos)
        if m is None:  # unterminated string in invalid TOML: give up on the rest
            raw = self.text[self.pos :]
            self._advance_to(len(self.text))
            return raw
        self._advance_to(m.end())
        return m.group()

    # -- grammar -------------------------------------------------------------------------------

    def run(self) -> dict[KeyPath, int]:
        prefix: KeyPath = ()
        while True:
            self._skip_trivia()
            if self.pos >= len(self.text):
                return self.lines
            start = self.pos
            if self._peek() == "[":
                prefix = self._header()
            else:
                self._keyval(prefix)
            self._skip_rest_of_line()
            if self.pos == start:
                self._advance_to(start + 1)

    def _key(self) -> list[str]:
        """Read a (possibly dotted) key and return its decoded parts."""
        parts: list[str] = []
        while True:
            self._skip_ws()
            c = self._peek()
            if c == '"':
                parts.append(_decode_basic_key(self._match(_BASIC_STR)))
            elif c == "'":
                parts.append(self._match(_LITERAL_STR)[1:-1])
            elif c and _BARE_KEY.match(c):
                parts.append(self._match(_BARE_KEY))
            else:
                return parts
            self._skip_ws()
            if self._peek() != ".":
                return parts
            self.pos += 1

    def _header(self) -> KeyPath:
        """Read ``[table]`` or ``[[array]]`` and return the concrete path it opens."""
        line = self.line
        is_array = self.text.startswith("[[", self.pos)
        self.pos += 2 if is_array else 1
        parts = self._key()
        self._skip_ws()
        if self.text.startswith("]]" if is_array else "]", self.pos):
            self.pos += 2 if is_array else 1
        path: KeyPath = ()
        for i, part in enumerate(parts):
            path += (part,)
            if i < len(parts) - 1:
                # Implicit super-table: keep an explicit definition's line if there is one.
                self.lines.setdefault(path, line)
                if path in self.aot_count:  # [fruit.x] after [[fruit]] means the last fruit
                    path += (self.aot_count[path] - 1,)
            elif is_array:
                index = self.aot_count.get(path, 0)
                self.aot_count[path] = index + 1
                self.lines.setdefault(path, line)
                path += (index,)
                self.lines[path] = line
            else:
                self.lines[path] = line  # explicit header overrides an implicit mention
        return path

    def _keyval(self, prefix: KeyPath) -> None:
        line = self.line
        parts = self._key()
        self._skip_ws()
        if not parts or self._peek() != "=":
            return
        self.pos += 1
        path = prefix
        for part in parts[:-1]:
            path += (part,)
            self.lines.setdefault(path, line)
        path += (parts[-1],)
        self.lines[path] = line
        self._value(path)

    def _value(self, path: KeyPath) -> None:
        self._skip_ws()
        text, pos = self.text, self.pos
        if text.startswith('"""', pos):
            self._match(_ML_BASIC_STR)
        elif text.startswith("'''", pos):
            self._match(_ML_LITERAL_STR)
        elif text.startswith('"', pos):
            self._match(_BASIC_STR)
        elif text.startswith("'", pos):
            self._match(_LITERAL_STR)
        elif text.startswith("{", pos):
            self._inline_table(path)
        elif text.startswith("[", pos):
            self._array(path)
        else:
            self._match(_SCALAR)

    def _inline_table(self, path: KeyPath) -> None:
        self.pos += 1
        while self.pos < len(self.text):
            self._skip_trivia()  # lenient: TOML 1.1 allows newlines in inline tables
            if self._peek() == "}":
                self.pos += 1
                return
            before = self.pos
            self._keyval(path)
            self._skip_trivia()
            if self._peek() == ",":
                self.pos += 1
            if self.pos == before:
                self._advance_to(before + 1)

    def _array(self, path: KeyPath) -> None:
        self.pos += 1
        index = 0
        while self.pos < len(self.text):
            self._skip_trivia()
            if self._peek() == "]":
                self.pos += 1
                return
            before = self.pos
            element = (*path, index)
            self.lines[element] = self.line
            self._value(element)
            index += 1
            self._skip_trivia()
            if self._peek() == ",":
                self.pos += 1
            if self.pos == before:
                self._advance_to(before + 1)


def key_lines(text: str) -> dict[KeyPath, int]:
    """Map every key path in a TOML document to the 1-based line where it is defined.

    tomllib reports no positions, yet users need line numbers to find their mistakes.

    Tables map to their header line; ``[[array]]`` elements appear with their index, e.g.
    ``("events", 0, "day")``; intermediate tables of dotted keys and headers map to their
    first mention (an explicit ``[header]`` wins); keys inside inline tables map to their
    own line; array elements map to the line where the element starts. The result is only
    meaningful for valid TOML (parse with tomllib first).

    Args:
        text: The TOML source.

    Returns:
        A dict from key path to line number.

    """
    return _Scanner(text).run()


def line_of(lines: Mapping[KeyPath, int], path: Sequence[str | int]) -> int | None:
    """Return the line of the longest prefix of ``path`` found in ``lines``.

    A missing key has no line of its own, so it is reported at its parent table.

    Args:
        lines: Output of :func:`key_lines`.
        path: The key path to locate.

    Returns:
        A 1-based line number, or None if not even the first key is present (document root).

    """
    key = tuple(path)
    for n in range(len(key), 0, -1):
        line = lines.get(key[:n])
        if line is not None:
            return line
    return None


def format_path(path: Iterable[str | int]) -> str:
    """Render a key path the way a user would write it: ``events[0].day``, ``a."b.c"``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
            continue
        key = part if _BARE_KEY.fullmatch(part) else json.dumps(part, ensure_ascii=False)
        out += f".{key}" if out else key
    return out
