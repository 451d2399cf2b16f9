"""Fuzz the input layer: mutate the project's own scenario files and check it never falls over.

The input layer promises exit status 0 or 2, every problem with a line (or naming the
``--set`` argument it comes from), and that a file it accepts also runs. This script writes
mutated copies of ``scenarios/*.toml`` (lines deleted or duplicated, values changed to other
types or extreme numbers, keys misspelt, deep nesting, truncation, garbage), runs
``loyaltysim validate`` on each in-process, runs every accepted file for a few days at tiny
size, and prints the counts. ``tests/test_fuzz.py`` drives the same mutations with
hypothesis for a short run in CI; this is the long run::

    .venv/bin/python scripts/fuzz_scenarios.py --files 10000
"""

from __future__ import annotations

import argparse
import contextlib
import io
import random
import re
import sys
import tempfile
import traceback
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = sorted((ROOT / "scenarios").glob("*.toml"))

#: Values a mutation writes in place of a key's value: other types and extreme numbers.
ODD_VALUES = (
    "1e308", "-1e308", "-1", "0", "-0.0", "123456789012345678901234567890", "nan", "inf",
    "-inf", '""', "true", "false", '"text"', "[]", "[1, 2]", "{}", "{ a = 1 }", "1e26",
    "9999-12-31", "0001-01-01", "2026-02-30", "0.5", "1", "2", "365", "36500", "-36500",
)  # fmt: skip
#: Lines inserted as garbage.
GARBAGE = (
    "[", "[[", "]]", "= 1", "x =", 'x = "abc', "x = '''", '"""', "[a..b]", "\x00", "\u00e9 = 1",
    "[shops]", "[[events]]", "kind = \"data_breach\"\nshop = true\nday = 1", "shops = 1",
    "x = 1\nx = 2", "[run]\n[run]", "a.b = 1\na = 2", "{", "x = {", "x = [1,",
)  # fmt: skip
#: Settings that make a run of an accepted file take a moment.
TINY = ("market.customers=50", "run.days=3", "run.warmup_days=0", "run.replications=1")

_KEYVAL = re.compile(r"^(\s*)([A-Za-z0-9_.\"'-]+)(\s*=\s*)(.*)$")
_LOCATED = re.compile(r"^  \S.*?:\d+: ")
_FROM_SET = re.compile(r"^  \S.*? \(--set .*\): ")


def _typo(word: str, rng: random.Random) -> str:
    """Misspell ``word``: swap, drop, double or replace one character."""
    if len(word) < 2:
        return word + "x"
    i = rng.randrange(len(word) - 1)
    how = rng.randrange(4)
    if how == 0:
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if how == 1:
        return word[:i] + word[i + 1 :]
    if how == 2:
        return word[:i] + word[i] + word[i:]
    return word[:i] + rng.choice("abcdefghijklmnopqrstuvwxyz") + word[i + 1 :]


def _nest(rng: random.Random) -> str:
    depth = rng.choice((50, 500, 1000, 3000))
    if rng.random() < 0.5:
        return "deep = " + "[" * depth + "1" + "]" * depth
    return "deep = " + "{ a = " * depth + "1" + " }" * depth


def mutate(text: str, rng: random.Random) -> str:
    """Apply one to three random text-level mutations to a TOML document."""
    for _ in range(rng.choice((1, 1, 1, 1, 2, 3))):
        lines = text.split("\n")
        i = rng.randrange(len(lines))
        keyval = [j for j, line in enumerate(lines) if _KEYVAL.match(line)]
        how = rng.randrange(8)
        if how == 0:
            del lines[i]
        elif how == 1:
            lines.insert(i, lines[i])
        elif how in (2, 3) and keyval:
            j = rng.choice(keyval)
            m = _KEYVAL.match(lines[j])
            assert m is not None
            lines[j] = f"{m[1]}{m[2]}{m[3]}{rng.choice(ODD_VALUES)}"
        elif how == 4 and keyval:
            j = rng.choice(keyval)
            m = _KEYVAL.match(lines[j])
            assert m is not None
            lines[j] = f"{m[1]}{_typo(m[2], rng)}{m[3]}{m[4]}"
        elif how == 5:
            lines.insert(i, _nest(rng))
        elif how == 6:
            return "\n".join(lines)[: rng.randrange(len(text) + 1)]
        else:
            lines.insert(i, rng.choice(GARBAGE))
        text = "\n".join(lines)
    return text


@dataclass
class Outcome:
    """What happened to one mutated file."""

    status: int | None  # None: an exception escaped
    stderr: str
    unlocated: list[str] = field(default_factory=list)
    crash: str = ""  # traceback of an exception from validate or from the tiny run


def _validate(path: Path, sets: tuple[str, ...] = ()) -> tuple[int | None, str, str]:
    from loyaltysim.cli import main

    err = io.StringIO()
    argv = ["validate", str(path)] + [a for s in sets for a in ("--set", s)]
    try:
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            status = main(argv)
    except SystemExit as exc:  # argparse
        return int(exc.code or 0), err.getvalue(), ""
    except BaseException:  # anything escaping is what we hunt for
        return None, err.getvalue(), traceback.format_exc()
    return status, err.getvalue(), ""


def unlocated_problems(stderr: str) -> list[str]:
    """Problem lines that name neither a line of the file nor the ``--set`` argument."""
    lines = stderr.splitlines()
    problems = [line for line in lines if line.startswith("  ")]
    if not problems and lines:  # a one-line message: it must carry a line too
        problems = ["  " + line.removeprefix("loyaltysim: ") for line in lines]
    return [p for p in problems if not (_LOCATED.match(p) or _FROM_SET.match(p))]


def _run_tiny(path: Path) -> str:
    """Run every variant of an accepted file for a few days; return a traceback or ""."""
    import numpy as np

    from loyaltysim import LoyaltyModel
    from loyaltysim.scenario import UserError, load_scenario, variant_names, variant_of

    try:
        scenario = load_scenario(path, list(TINY))
    except UserError:
        return ""  # the tiny settings themselves clash with the file (e.g. a sweep's keys)
    try:
        for name in variant_names(scenario):
            model = LoyaltyModel(variant_of(scenario, name), rng=np.random.default_rng(0))
            for _ in range(3):
                model.step()
    except Exception:  # a crash of an accepted file is what we hunt for
        return traceback.format_exc()
    return ""


def check_file(path: Path) -> Outcome:
    """Validate one file in-process and, if accepted, run it at tiny size."""
    status, stderr, crash = _validate(path)
    outcome = Outcome(status, stderr, crash=crash)
    if status == 2:
        outcome.unlocated = unlocated_problems(stderr)
    elif status == 0:
        outcome.crash = _run_tiny(path)
    elif status is not None:
        outcome.crash = f"exit status {status}\n{stderr}"
    return outcome


def main(argv: list[str] | None = None) -> int:
    """Mutate ``--files`` scenario files and print the counts; exit 1 if anything broke."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--files", type=int, default=10_000, help="mutated files to try")
    parser.add_argument("--seed", type=int, default=0, help="seed of the mutations")
    parser.add_argument("--show", type=int, default=3, help="failures of each kind to print")
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    sources = {p: p.read_text(encoding="utf-8") for p in SCENARIOS}
    counts: Counter[str] = Counter()
    shown: Counter[str] = Counter()
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 1000))
    with tempfile.TemporaryDirectory() as tmp:
        for n in range(args.files):
            source = rng.choice(SCENARIOS)
            path = Path(tmp) / f"{source.stem}_{n}.toml"
            path.write_text(mutate(sources[source], rng), encoding="utf-8")
            outcome = check_file(path)
            counts["files"] += 1
            counts["accepted" if outcome.status == 0 else "rejected"] += 1
            if outcome.crash:
                counts["tracebacks"] += 1
                if shown["crash"] < args.show:
                    shown["crash"] += 1
                    print(f"--- traceback ({path.name}):\n{outcome.crash}", file=sys.stderr)
            counts["problems without a line"] += len(outcome.unlocated)
            if outcome.unlocated and shown["unlocated"] < args.show:
                shown["unlocated"] += 1
                print(f"--- no line ({path.name}): {outcome.unlocated[0]}", file=sys.stderr)
    for key in ("files", "accepted", "rejected", "tracebacks", "problems without a line"):
        print(f"{key}: {counts[key]}")
    return 1 if counts["tracebacks"] or counts["problems without a line"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
