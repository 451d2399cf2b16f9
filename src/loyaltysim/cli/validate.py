"""``loyaltysim validate FILE``: check a scenario file without running it."""

from __future__ import annotations

import argparse

NAME = "validate"
HELP = "check a scenario file without running it"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``validate``."""
    from loyaltysim.cli.common import add_scenario_arguments

    add_scenario_arguments(parser)


def execute(args: argparse.Namespace, argv: list[str]) -> int:
    """Load and validate; print a description, the memory a run needs, the sweep's size."""
    from loyaltysim.experiment.checks import check_experiment_sections
    from loyaltysim.experiment.resources import available_memory, estimate_run, gb
    from loyaltysim.experiment.sweep.size import size_warning
    from loyaltysim.scenario import load_scenario, variant_names

    scenario = load_scenario(args.file, args.sets)
    design = check_experiment_sections(scenario, args.file)  # [sweep] and [calibration]
    print(
        f"{args.file}: valid — {len(scenario.shops)} shops, "
        f"{scenario.market.customers} customers, {scenario.run.days} days, "
        f"{scenario.run.replications} replications, variants: "
        f"{', '.join(variant_names(scenario))}"
    )
    estimate = estimate_run(scenario)
    available = available_memory()
    there = f" ({gb(available)} available here)" if available is not None else ""
    print(f"memory: about {gb(estimate.total(1))} for `loyaltysim run --workers 1`{there}")
    if design is not None and scenario.sweep is not None:
        replications = scenario.sweep.replications
        print(
            f"sweep: {design.method} design, {len(design):,} points x {replications} "
            f"replication(s) = {len(design) * replications:,} runs"
        )
        warning = size_warning(design, replications)
        if warning is not None:
            print(warning)
    return 0
