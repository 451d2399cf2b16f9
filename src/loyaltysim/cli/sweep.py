"""``loyaltysim sweep FILE``: run the scenario's ``[sweep]`` and gather its results.

Exit status: 0 when every run finished, 1 when some runs failed (their errors are in
``failures.csv``; every other result is written and ``--resume`` retries the failed ones),
2 for bad input (an invalid scenario or sweep section, a folder that is not this sweep's).
"""

from __future__ import annotations

import argparse
import signal
from pathlib import Path

NAME = "sweep"
HELP = "run a parameter sweep ([sweep] section) on local processes or a Dask cluster"
SOME_RUNS_FAILED = 1


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``sweep``."""
    from loyaltysim.cli.common import add_scenario_arguments
    from loyaltysim.cli.run import add_workers_argument

    add_scenario_arguments(parser)
    parser.add_argument("--out", type=Path, help="sweep folder (default: results/<name>_sweep)")
    add_workers_argument(parser)
    parser.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="run on Dask: a scheduler address (tcp://host:8786), a scheduler file, or "
        "'local' for a LocalCluster with --workers processes",
    )
    parser.add_argument(
        "--resume",
        action="store_true",
        help="continue the sweep in --out: run only what is missing (and retry failures)",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bar")


def execute(args: argparse.Namespace, argv: list[str]) -> int:
    """Run the sweep, print the summary; exit 1 if any run failed."""
    from loyaltysim.cli.run import workers_of
    from loyaltysim.experiment.sweep.run import run_sweep
    from loyaltysim.scenario import load_scenario
    from loyaltysim.scenario.problems import UserError

    # A batch system ending the job (SLURM sends SIGTERM before SIGKILL) stops the sweep like
    # Ctrl-C: finished runs are on disk, meta.json says "interrupted", --resume continues.
    signal.signal(signal.SIGTERM, _interrupt)
    scenario = load_scenario(args.file, args.sets)
    if scenario.sweep is None:
        raise UserError(
            f"{args.file}: has no [sweep] section; see docs/experiments.md for its format"
        )
    out = args.out if args.out is not None else Path("results") / f"{scenario.name}_sweep"
    workers = workers_of(args)
    result = run_sweep(
        scenario,
        out,
        file=args.file,
        workers=workers,
        scheduler=args.scheduler,
        resume=args.resume,
        progress=not args.quiet,
        command=["loyaltysim", *argv],
    )
    print(result.summary())
    return SOME_RUNS_FAILED if result.failed else 0


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt
