"""Tests for loyaltysim.scenario.toml_lines: the key path -> line scanner (lines hand-checked)."""

from __future__ import annotations

import tomllib

from loyaltysim.scenario.toml_lines import format_path, key_lines, line_of

# Line numbers are hand-checked; keep the sample's first line directly after the quotes.
SAMPLE = """\
# Sample scenario (line 1)
title = "Demo # not a comment"   # a comment
"quoted key" = 1
'literal.key' = 2
"esc\\"aped\\u00e9" = 3
site.name = "shop"
site.url.host = 'x'
notes = \"\"\"
fake = 1
[fake.table]
\"\"\"
raw = '''
also = "fake" # '
'''
weights = [
  1,
  # comment = 5
  2, [3,
  4],
  {k = 1},
]
point = {x = 1, y = {z = 2}}

[shops.alpha]
price = 5.0
tags = ["a", "b#c", 'd"']

[a.b."c.d"]
e = 1979-05-27 07:32:00Z

[[events]]
day = 3
kind = "sale"

[[events]]
day = 7
sub.deep = true

[[events.effects]]
size = 0.5

[shops]
count = 2
quote_end = \"\"\"ends with two quotes\"\"\"\"\"
after = 1
"""

EXPECTED_LINES = {
    ("title",): 2,
    ("quoted key",): 3,
    ("literal.key",): 4,
    ('esc"aped\u00e9',): 5,
    ("site",): 6,
    ("site", "name"): 6,
    ("site", "url"): 7,
    ("site", "url", "host"): 7,
    ("notes",): 8,
    ("raw",): 12,
    ("weights",): 15,
    ("weights", 0): 16,
    ("weights", 1): 18,
    ("weights", 2): 18,
    ("weights", 2, 0): 18,
    ("weights", 2, 1): 19,
    ("weights", 3): 20,
    ("weights", 3, "k"): 20,
    ("point",): 22,
    ("point", "x"): 22,
    ("point", "y"): 22,
    ("point", "y", "z"): 22,
    ("shops",): 42,  # the explicit [shops] header wins over the implicit mention on line 24
    ("shops", "alpha"): 24,
    ("shops", "alpha", "price"): 25,
    ("shops", "alpha", "tags"): 26,
    ("shops", "alpha", "tags", 0): 26,
    ("shops", "alpha", "tags", 1): 26,
    ("shops", "alpha", "tags", 2): 26,
    ("a",): 28,
    ("a", "b"): 28,
    ("a", "b", "c.d"): 28,
    ("a", "b", "c.d", "e"): 29,
    ("events",): 31,
    ("events", 0): 31,
    ("events", 0, "day"): 32,
    ("events", 0, "kind"): 33,
    ("events", 1): 35,
    ("events", 1, "day"): 36,
    ("events", 1, "sub"): 37,
    ("events", 1, "sub", "deep"): 37,
    ("events", 1, "effects"): 39,
    ("events", 1, "effects", 0): 39,
    ("events", 1, "effects", 0, "size"): 40,
    ("shops", "count"): 43,
    ("shops", "quote_end"): 44,
    ("shops", "after"): 45,
}


def _all_paths(node: object, prefix: tuple = ()) -> set[tuple]:
    """Every key path (and list index path) present in parsed TOML data."""
    paths: set[tuple] = set()
    if isinstance(node, dict):
        for key, value in node.items():
            paths.add((*prefix, key))
            paths |= _all_paths(value, (*prefix, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            paths.add((*prefix, i))
            paths |= _all_paths(value, (*prefix, i))
    return paths


# --------------------------------------------------------------------------------------------
# key_lines / line_of / format_path
# --------------------------------------------------------------------------------------------


def test_key_lines_sample_hand_checked() -> None:
    tomllib.loads(SAMPLE)  # the sample must be valid TOML
    assert key_lines(SAMPLE) == EXPECTED_LINES


def test_key_lines_covers_exactly_the_parsed_paths() -> None:
    # Nothing inside strings or comments is taken for a key, and nothing real is missed.
    assert set(key_lines(SAMPLE)) == _all_paths(tomllib.loads(SAMPLE))


def test_key_lines_crlf_and_no_trailing_newline() -> None:
    text = "a = 1\r\n[t]\r\nb = '''x\r\ny'''\r\nc = 2"
    tomllib.loads(text)
    assert key_lines(text) == {("a",): 1, ("t",): 2, ("t", "b"): 3, ("t", "c"): 5}


def test_key_lines_nested_arrays_of_tables() -> None:
    text = """\
[[fruits]]
name = "apple"
[fruits.physical]
color = "red"
[[fruits.varieties]]
name = "red delicious"
[[fruits.varieties]]
name = "granny smith"
[[fruits]]
name = "banana"
[[fruits.varieties]]
name = "plantain"
"""
    tomllib.loads(text)
    lines = key_lines(text)
    assert lines[("fruits", 0, "physical", "color")] == 4
    assert lines[("fruits", 0, "varieties", 1, "name")] == 8
    assert lines[("fruits", 1)] == 9
    assert lines[("fruits", 1, "varieties", 0, "name")] == 12
    assert set(lines) == _all_paths(tomllib.loads(text))


def test_key_lines_does_not_hang_on_invalid_input() -> None:
    for text in ['a = "unterminated', "[[x", "= = =", "a = {b = ", 'x = """open', "\\\\\n["]:
        key_lines(text)  # must simply return


def test_line_of_uses_longest_present_prefix() -> None:
    lines = key_lines(SAMPLE)
    assert line_of(lines, ("shops", "alpha", "price")) == 25
    # A missing key is reported at its parent table's line.
    assert line_of(lines, ("shops", "alpha", "stock")) == 24
    assert line_of(lines, ("events", 1, "effects", 0, "missing")) == 39
    assert line_of(lines, ("nope",)) is None
    assert line_of(lines, ()) is None


def test_format_path() -> None:
    assert format_path(("events", 0, "day")) == "events[0].day"
    assert format_path(("a", "c.d", "e f")) == 'a."c.d"."e f"'
    assert format_path(()) == ""


def test_key_lines_inline_tables_and_dotted_keys() -> None:
    text = """\
a.b.c = 1
t = { x = 1, y.z = 2, w = { v = 3 } }
[tab]
d.e = 4
"""
    tomllib.loads(text)
    assert key_lines(text) == {
        ("a",): 1,
        ("a", "b"): 1,
        ("a", "b", "c"): 1,
        ("t",): 2,
        ("t", "x"): 2,
        ("t", "y"): 2,
        ("t", "y", "z"): 2,
        ("t", "w"): 2,
        ("t", "w", "v"): 2,
        ("tab",): 3,
        ("tab", "d"): 4,
        ("tab", "d", "e"): 4,
    }


def test_key_lines_multi_line_strings_and_arrays() -> None:
    text = """\
s = \"\"\"
[not.a.table]
k = 1
\"\"\"
arr = [
  { n = 1 },
  [2,
   3],
]
after = 'x'
"""
    tomllib.loads(text)
    assert key_lines(text) == {
        ("s",): 1,
        ("arr",): 5,
        ("arr", 0): 6,
        ("arr", 0, "n"): 6,
        ("arr", 1): 7,
        ("arr", 1, 0): 7,
        ("arr", 1, 1): 8,
        ("after",): 10,
    }


def test_key_lines_arrays_of_tables() -> None:
    text = "[[e]]\nday = 1\n\n[[e]]\nday = 2\n[e.sub]\nk = 3\n"
    tomllib.loads(text)
    assert key_lines(text) == {
        ("e",): 1,
        ("e", 0): 1,
        ("e", 0, "day"): 2,
        ("e", 1): 4,
        ("e", 1, "day"): 5,
        ("e", 1, "sub"): 6,
        ("e", 1, "sub", "k"): 7,
    }


def test_key_lines_syntax_error_at_end_of_file() -> None:
    # tomllib rejects it; the scanner still returns the keys before the error, and stops.
    text = 'a = 1\n[t]\nname = "abc'
    assert key_lines(text) == {("a",): 1, ("t",): 2, ("t", "name"): 3}
