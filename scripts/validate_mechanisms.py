"""Run every validation case in ``validation/`` with many replications; print the table.

``docs/validation.md`` quotes its output::

    python scripts/validate_mechanisms.py --replications 20

``--only NAME`` runs one module (``validation/NAME.py``). The exit status is 1 when a
check disagrees with its source, so the script can gate a release.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import validation  # noqa: E402
from validation.common import HEADER  # noqa: E402


def main() -> int:
    """Run the cases and print one markdown table row per check."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replications", type=int, default=20)
    parser.add_argument("--only", action="append", default=[], metavar="NAME")
    args = parser.parse_args()
    names = [m.name for m in pkgutil.iter_modules(validation.__path__) if m.name != "common"]
    unknown = sorted(set(args.only) - set(names))
    if unknown:
        parser.error(f"no validation module {', '.join(unknown)}; there are {', '.join(names)}")
    print(HEADER)
    ok = True
    for name in sorted(args.only or names):
        module = importlib.import_module(f"validation.{name}")
        for check in module.measure(args.replications):
            print(check.row(), flush=True)
            ok &= check.agrees
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
