"""Golden digests: sha256 of every output table of every scenario, to prove a refactoring.

A refactoring must not change a single number. This script runs every scenario in
``scenarios/`` at a small size (and the baseline at its full size), through the public API
only (``loyaltysim.load_scenario`` and ``loyaltysim.run``), and hashes each table of the
result at full float precision. ``tests/test_golden.py`` recomputes the digests and compares
them with ``tests/data/golden_digests.json``.

A change that alters the model's behaviour on purpose rewrites the file, once, and says why
in its commit::

    python scripts/golden_digests.py --write
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

import loyaltysim

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"
GOLDEN = ROOT / "tests" / "data" / "golden_digests.json"

#: The small size at which every scenario is hashed (all variants are kept).
SMALL = {
    "market.customers": 400,
    "run.days": 60,
    "run.warmup_days": 20,
    "run.replications": 2,
}
#: The baseline at its full market size and horizon, with fewer replications.
FULL = {"run.replications": 2}
TABLES = ("timeseries", "replications", "summary", "retention", "customers")


def table_digest(frame) -> dict[str, str]:
    """sha256 of each column of a table (dtype and values, floats at full repr precision).

    One digest per column, so a change that only adds a column shows as that column alone
    and every existing column is still checked bit for bit.
    """
    if frame is None:
        return {}
    return {
        str(column): hashlib.sha256(
            f"{dtype}\n{frame[column].to_csv(index=False, lineterminator=chr(10))}".encode()
        ).hexdigest()
        for column, dtype in frame.dtypes.items()
    }


def differences(golden: dict[str, dict[str, str]], current: dict[str, dict[str, str]]) -> list[str]:
    """What differs between two cases' digests, table by table and column by column."""
    out = []
    for table in sorted(set(golden) | set(current)):
        old, new = golden.get(table, {}), current.get(table, {})
        for column in sorted(set(old) | set(new)):
            if column not in old:
                out.append(f"{table}.{column}: new column")
            elif column not in new:
                out.append(f"{table}.{column}: column gone")
            elif old[column] != new[column]:
                out.append(f"{table}.{column}: values changed")
    return out


def digests_of(path: Path, overrides: dict[str, object]) -> dict[str, dict[str, str]]:
    """Run one scenario (no result folder) and hash every table of its result."""
    scenario = loyaltysim.load_scenario(path, overrides=[f"{k}={v}" for k, v in overrides.items()])
    result = loyaltysim.run(scenario)
    return {name: table_digest(getattr(result, name)) for name in TABLES}


def cases() -> dict[str, tuple[Path, dict[str, object]]]:
    """Every golden case: each scenario small, and the baseline at full size."""
    out = {f"{p.stem}@small": (p, SMALL) for p in sorted(SCENARIOS.glob("*.toml"))}
    out["baseline@full"] = (SCENARIOS / "baseline.toml", FULL)
    return out


def compute(names: list[str] | None = None) -> dict[str, dict[str, dict[str, str]]]:
    """The digests of the named cases (all of them by default)."""
    chosen = cases()
    if names is not None:
        chosen = {n: chosen[n] for n in names}
    return {name: digests_of(path, over) for name, (path, over) in chosen.items()}


def main(argv: list[str] | None = None) -> int:
    """Write the golden file (``--write``) or compare against it."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="rewrite the golden file")
    args = parser.parse_args(argv)
    current = compute()
    if args.write:
        GOLDEN.write_text(json.dumps(current, indent=2, sort_keys=True) + "\n")
        print(f"wrote {len(current)} cases to {GOLDEN.relative_to(ROOT)}")
        return 0
    golden = json.loads(GOLDEN.read_text())
    changed = [n for n in current if golden.get(n) != current[n]]
    for name in changed:
        for line in differences(golden.get(name, {}), current[name]):
            print(f"changed: {name}: {line}")
    print(f"{len(current) - len(changed)}/{len(current)} cases unchanged")
    return 1 if changed else 0


if __name__ == "__main__":
    sys.exit(main())
