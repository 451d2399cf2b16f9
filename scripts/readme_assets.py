"""Regenerate the README's example output, figures and report excerpt from a real run.

Usage: .venv/bin/python scripts/readme_assets.py [--skip-run]

Runs the baseline into results/baseline/, as ``make run`` does (``--skip-run`` reuses that
folder), then writes:

* docs/baseline_output.txt: the digest ``loyaltysim run`` prints, also quoted in README.md
  between the ``run-digest`` markers;
* docs/images/baseline_*.png: the figures the README shows, copied from the run's figures/,
  and a network snapshot of the base market after the recorded year;
* results/baseline/report.html: the HTML report (``loyaltysim report``);
* docs/report_excerpt.md: the report's bottom line and the start of its findings for the
  first variant, which is also put into README.md between the ``report-excerpt`` markers,
  so the README quotes what the code wrote, never a hand-edited copy.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "results" / "baseline"  # where `make run` writes, so the README shows its output
IMAGES = ROOT / "docs" / "images"
#: Figures of the run shown in the README (file names in the run's figures/ folder).
SHOWN = ("market_share.png", "satisfaction_trust.png", "retention.png", "variant_comparison.png")


def run_baseline() -> str:
    """Run the baseline as ``make run`` does and return what it prints."""
    done = subprocess.run(
        [sys.executable, "-m", "loyaltysim.cli", "run", "scenarios/baseline.toml", "--out",
         str(OUT.relative_to(ROOT)), "--quiet"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    )  # fmt: skip
    return done.stdout.strip()


def network_snapshot(path: Path) -> None:
    """Draw 300 customers of the base market at the end of one replication."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from loyaltysim import LoyaltyModel, load_scenario, variant_of
    from loyaltysim.experiment.store import write_atomic
    from loyaltysim.plots import plot_network_snapshot, png_bytes

    scenario = variant_of(load_scenario(ROOT / "scenarios" / "baseline.toml"), "base")
    model = LoyaltyModel(scenario, rng=scenario.run.seed)
    for _ in range(scenario.run.warmup_days + scenario.run.days):
        model.step()
    fig, ax = plt.subplots(figsize=(9, 7))
    plot_network_snapshot(model, size=300, seed=1, ax=ax)
    fig.tight_layout()
    write_atomic(path, png_bytes(fig))
    plt.close(fig)


def excerpt(shops: int = 2) -> str:
    """The bottom line, then the first variant's findings for ``shops`` shops, as Markdown."""
    from loyaltysim.analysis.findings import variant_findings
    from loyaltysim.experiment.folder import load_run
    from loyaltysim.report.html import bottom_line_of

    run = load_run(OUT)
    found = variant_findings(run.summary, run.days)
    if not found:
        raise SystemExit("the baseline has no variant: nothing to quote")
    lines = ["> **Bottom line**", ">"]
    lines += [f"> {sentence}" for sentence in bottom_line_of(run)]
    variant, findings = next(iter(found.items()))
    lines += [">", f"> **{variant} vs base**", ">"]
    lines += [f"> - {f.text}" for f in findings[:shops]]
    if len(findings) > shops:
        rest = ", ".join(f.shop for f in findings[shops:])
        lines.append(f">\n> *(The report goes on with {rest}.)*")
    return "\n".join(lines)


def quote_in_readme(text: str, marker: str) -> None:
    """Put ``text`` between the ``marker`` start and end comments of README.md."""
    start, end = f"<!-- {marker}:start -->", f"<!-- {marker}:end -->"
    readme = ROOT / "README.md"
    content = readme.read_text(encoding="utf-8")
    if start not in content or end not in content:
        raise SystemExit(f"README.md has no {start} ... {end} markers; add them where it quotes")
    head, rest = content.split(start, 1)
    _, tail = rest.split(end, 1)
    readme.write_text(f"{head}{start}\n{text}\n{end}{tail}", encoding="utf-8")


def main() -> None:
    """Regenerate every README asset."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-run", action="store_true", help="reuse results/baseline")
    args = parser.parse_args()
    if not args.skip_run:
        printed = run_baseline()
        (ROOT / "docs" / "baseline_output.txt").write_text(printed + "\n", encoding="utf-8")
        quote_in_readme(f"```text\n{printed}\n```", "run-digest")
        print(printed)
    IMAGES.mkdir(parents=True, exist_ok=True)
    for name in SHOWN:
        shutil.copy(OUT / "figures" / name, IMAGES / f"baseline_{name}")
    network_snapshot(IMAGES / "baseline_network.png")
    from loyaltysim.report.html import write_report

    print(f"report: {write_report(OUT)}")
    text = excerpt()
    (ROOT / "docs" / "report_excerpt.md").write_text(text + "\n", encoding="utf-8")
    quote_in_readme(text, "report-excerpt")
    print(text)


if __name__ == "__main__":
    main()
