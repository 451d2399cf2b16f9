"""``loyaltysim calibrate FILE``: fit the ``[calibration]`` parameters to their targets."""

from __future__ import annotations

import argparse
from pathlib import Path

NAME = "calibrate"
HELP = "fit free parameters ([calibration] section) to target figures"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``calibrate``."""
    from loyaltysim.cli.common import add_scenario_arguments
    from loyaltysim.cli.run import add_workers_argument

    add_scenario_arguments(parser)
    parser.add_argument(
        "--out", type=Path, help="result folder (default: results/<name>_calibration)"
    )
    add_workers_argument(parser)
    parser.add_argument("--quiet", action="store_true", help="no progress display")


def execute(args: argparse.Namespace, argv: list[str]) -> int:
    """Calibrate, write the calibrated scenario and tables, print the report."""
    from loyaltysim.cli.run import workers_of
    from loyaltysim.experiment.calibration import calibrate, report, write_calibration
    from loyaltysim.experiment.folder import check_replaceable
    from loyaltysim.experiment.lock import FolderLock
    from loyaltysim.experiment.progress import Progress
    from loyaltysim.scenario import load_scenario
    from loyaltysim.scenario.problems import UserError

    scenario = load_scenario(args.file, args.sets)
    if scenario.calibration is None:
        raise UserError(
            f"{args.file}: has no [calibration] section; see docs/experiments.md for its format"
        )
    out = args.out if args.out is not None else Path("results") / f"{scenario.name}_calibration"
    check_replaceable(out)
    workers = workers_of(args)

    # The optimiser may stop before max_evaluations, so the count and the ETA are bounds.
    display = Progress(
        scenario.name,
        scenario.calibration.max_evaluations,
        unit="evaluations",
        at_most=True,
        enabled=not args.quiet,
    )
    with FolderLock(out, ["loyaltysim", *argv]), display:  # one writer, refused before the fit
        result = calibrate(
            scenario,
            file=args.file,
            workers=workers,
            # "  evaluation  12: <values>: loss 0.01" -> the values and the loss
            progress=lambda line: display.update(note=line.split(": ", 1)[-1]),
        )
        written = write_calibration(result, out, command=["loyaltysim", *argv])
    print(report(result, args.file))
    print(f"\nCalibrated scenario: {out / 'calibrated.toml'}")
    tables = ", ".join(p.name for p in written if p.suffix == ".csv" and p.parent == out)
    print(f"Tables: {out}/ ({tables})")
    return 0
