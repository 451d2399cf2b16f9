"""README.md: it parses as CommonMark with every code fence closed, and its commands run.

A fence whose closing line is not a closing fence (```` ``` text ````) swallows the rest of
the page into one code block on GitHub; the parser shows it as a fence that runs to the end.
Every command of the ``bash`` blocks runs as a subprocess, in order (the report reads what
``make run`` wrote), at a small size, and then every ``python`` block.
"""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys

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


# --------------------------------------------------------------------------------------------
# Every command of the README's bash blocks runs, at a small size
# --------------------------------------------------------------------------------------------

#: Appended to each command so that the whole tour runs in about a minute; the output the
#: README shows comes from the full-size run of scripts/readme_assets.py.
SMALL_MARKET = ["--set", "market.customers=300", "--set", "run.days=30"]
SMALL_MARKET += ["--set", "run.warmup_days=5", "--set", "run.replications=2", "--workers", "1"]
SMALL = {
    "run": SMALL_MARKET,
    "sweep": [*SMALL_MARKET, "--set", "sweep.samples=2"],
    "calibrate": [
        *SMALL_MARKET,
        *("--set", "calibration.max_evaluations=3", "--set", "calibration.replications=1"),
        *("--set", "calibration.check_replications=1"),
    ],
}
#: The same for the README's Python blocks: text to replace, and by what (it must be there).
SMALL_PYTHON = {
    'overrides=["run.replications=3"]': 'overrides=["run.replications=2", "market.customers=300",'
    ' "run.days=30", "run.warmup_days=5"]',
}
#: Commands of the README that this test does not run, with the reason.
NOT_HERE = {
    ("make", "test"): "it is this test suite",
    ("loyaltysim", "app"): "a server: tests/test_app_browser.py drives it in a browser",
}


def make_run() -> list[str]:
    """``make run``'s recipe from the Makefile, as loyaltysim arguments."""
    text = (REPO_ROOT / "Makefile").read_text(encoding="utf-8")
    values = dict(re.findall(r"^(\w+) \?= (\S+)$", text, flags=re.M))
    recipe = re.search(r"^run:.*\n\t(.+)$", text, flags=re.M)
    assert recipe is not None, "no `run:` recipe in the Makefile"
    words = shlex.split(re.sub(r"\$\((\w+)\)", lambda m: values.get(m[1], m[0]), recipe[1]))
    assert words[0] == "$(BIN)/loyaltysim", words
    return words[1:]


def python_blocks(text: str) -> list[str]:
    """The ``python`` blocks of the README, made small by :data:`SMALL_PYTHON`."""
    blocks = []
    for token in MarkdownIt("commonmark").parse(text):
        if token.type == "fence" and token.info.strip() == "python":
            code = token.content
            for shown, small in SMALL_PYTHON.items():
                code = code.replace(shown, small)
            blocks.append(code)
    joined = "".join(blocks)
    assert not [s for s in SMALL_PYTHON if s in joined], "a SMALL_PYTHON text is gone"
    assert all(small in joined for small in SMALL_PYTHON.values()), "README changed: see SMALL"
    return blocks


def readme_commands(text: str) -> list[list[str]]:
    """The commands of the ``bash`` blocks, in order (continuations joined, comments cut)."""
    commands = []
    for token in MarkdownIt("commonmark").parse(text):
        if token.type != "fence" or token.info.strip() != "bash":
            continue
        for line in token.content.replace("\\\n", " ").splitlines():
            words = shlex.split(line, comments=True)
            if words:
                commands.append(words)
    return commands


def tour() -> list[tuple[str, list[str] | None]]:
    """(the README's command, the loyaltysim arguments to run, or None when not run here)."""
    steps: list[tuple[str, list[str] | None]] = []
    for words in readme_commands(README.read_text(encoding="utf-8")):
        shown = " ".join(words)
        program = words[0].rsplit("/", 1)[-1]
        if (program, words[1]) in NOT_HERE:
            steps.append((shown, None))
        elif words[:2] == ["make", "run"]:
            steps.append((shown, [*make_run(), *SMALL["run"]]))
        else:
            assert program == "loyaltysim", f"README command not understood: {shown}"
            steps.append((shown, [*words[1:], *SMALL.get(words[1], [])]))
    return steps


def test_the_tour_is_read_from_the_readme():
    steps = dict(tour())
    assert steps["make run"] == [
        "run", "scenarios/baseline.toml", "--out", "results/baseline", *SMALL["run"]
    ]  # fmt: skip
    assert steps["make test"] is None
    assert any(s.startswith(".venv/bin/loyaltysim sweep ") for s in steps)


def test_every_readme_command_runs(tmp_path, cli):
    shutil.copytree(REPO_ROOT / "scenarios", tmp_path / "scenarios")
    for shown, args in tour():
        if args is None:
            continue
        done = cli.run(*args, cwd=tmp_path)
        assert done.returncode == 0, f"{shown}\n{done.stderr}"
        assert "Traceback" not in done.stderr, shown
    # Then the Python blocks (the first reads the folder `make run` wrote).
    for code in python_blocks(README.read_text(encoding="utf-8")):
        done = subprocess.run(
            [sys.executable, "-c", code], cwd=tmp_path, env=cli.env, capture_output=True, text=True
        )
        assert done.returncode == 0, f"{code}\n{done.stderr}"
