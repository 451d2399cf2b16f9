"""Regenerate the README's example output and figures from a real run of the baseline.

Usage: .venv/bin/python scripts/readme_assets.py
Writes docs/images/*.png and docs/baseline_output.txt (the digest ``loyaltysim run`` prints).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    out = ROOT / "results" / "readme_baseline"
    done = subprocess.run(
        [sys.executable, "-m", "loyaltysim.cli", "run", "scenarios/baseline.toml", "--out",
         str(out), "--quiet"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    )
    images = ROOT / "docs" / "images"
    images.mkdir(parents=True, exist_ok=True)
    for png in (out / "figures").glob("*.png"):
        shutil.copy(png, images / f"baseline_{png.name}")
    digest = done.stdout.split("\nResults:")[0]
    (ROOT / "docs" / "baseline_output.txt").write_text(digest + "\n", encoding="utf-8")
    print(digest)


if __name__ == "__main__":
    main()
