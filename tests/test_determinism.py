"""Same scenario and seed -> identical results, however many workers or replications."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from loyaltysim import run
from loyaltysim.experiment.replication import simulate
from loyaltysim.experiment.seeds import replication_seed
from loyaltysim.scenario import load_scenario

TABLES = ("timeseries", "replications", "summary", "retention", "customers")


def assert_same_tables(a, b, tables=TABLES):
    for name in tables:
        left, right = getattr(a, name), getattr(b, name)
        if left is None or right is None:
            assert left is None and right is None, name
            continue
        assert_frame_equal(left, right, check_exact=True, obj=name)


def test_same_seed_gives_identical_results(small_scenario, small_result):
    again = run(small_scenario)
    assert_same_tables(again, small_result)


def test_different_seed_gives_different_results(small_scenario_file, small_result):
    other = run(load_scenario(small_scenario_file, ["run.seed=8"]))
    assert other.timeseries.shape == small_result.timeseries.shape
    assert not other.timeseries.equals(small_result.timeseries)
    assert not other.timeseries["orders"].equals(small_result.timeseries["orders"])
    assert not other.summary["mean"].equals(small_result.summary["mean"])


def test_replications_differ_from_each_other(small_result):
    ts = small_result.timeseries
    first = ts[(ts["variant"] == "base") & (ts["replication"] == 0)]["orders"].to_numpy()
    second = ts[(ts["variant"] == "base") & (ts["replication"] == 1)]["orders"].to_numpy()
    assert (first != second).any()


def test_two_workers_give_the_same_tables_as_one(small_scenario, small_result):
    parallel = run(small_scenario, workers=2)
    assert_same_tables(parallel, small_result)


def test_replication_k_does_not_depend_on_the_number_of_replications(
    small_scenario_file, small_result
):
    """Replication k is seeded with child k of the root seed, whatever the count."""
    four = run(load_scenario(small_scenario_file, ["run.replications=4"]))
    ts = four.timeseries
    assert sorted(ts["replication"].unique()) == [0, 1, 2, 3]
    first_two = ts[ts["replication"] < 2].reset_index(drop=True)
    # Same rows in the same order: variant-major, then replication, day, shop.
    assert_frame_equal(first_two, small_result.timeseries, check_exact=True)
    reps = four.replications
    assert_frame_equal(
        reps[reps["replication"] < 2].reset_index(drop=True),
        small_result.replications,
        check_exact=True,
    )
    ret = four.retention
    assert_frame_equal(
        ret[ret["replication"] < 2].reset_index(drop=True),
        small_result.retention,
        check_exact=True,
    )
    # Customers are kept for the first replication only, in both runs.
    assert_frame_equal(four.customers, small_result.customers, check_exact=True)


def test_simulate_is_a_pure_function_of_scenario_variant_and_k(small_scenario, small_result):
    """One replication run on its own equals its slice of the whole run (any order)."""
    alone = simulate(small_scenario, "tracking", 1, False)
    ts = small_result.timeseries
    expected = ts[(ts["variant"] == "tracking") & (ts["replication"] == 1)].reset_index(drop=True)
    assert_frame_equal(alone.timeseries, expected, check_exact=True)


def test_variants_share_seeds(small_scenario):
    """Common random numbers: replication k of every variant starts from the same seed."""
    seed = small_scenario.run.seed
    assert replication_seed(seed, 3).spawn_key == (3,)
    assert replication_seed(seed, 3).entropy == seed
    a = replication_seed(seed, 1).generate_state(4)
    b = replication_seed(seed, 1).generate_state(4)
    c = replication_seed(seed, 2).generate_state(4)
    assert (a == b).all()
    assert not (a == c).all()


@pytest.mark.parametrize("name", TABLES)
def test_tables_are_tidy_and_tagged(small_result, name):
    table: pd.DataFrame | None = getattr(small_result, name)
    assert table is not None
    assert not table.empty
    assert "variant" in table.columns
    assert set(table["variant"].unique()) == {"base", "tracking"}


#: A small baseline run in a child process; prints the digest of its time series and
#: customer tables. Put after the child's own set-up lines.
CHILD_RUN = (
    "import hashlib, loyaltysim\n"
    "s = loyaltysim.load_scenario('scenarios/baseline.toml',"
    " ['market.customers=400', 'run.days=60', 'run.warmup_days=20', 'run.replications=2'])\n"
    "r = loyaltysim.run(s)\n"
    "text = r.timeseries.to_csv() + r.customers.to_csv()\n"
    "print(hashlib.sha256(text.encode()).hexdigest())\n"
)


def child_digests(setup: str, environments: list[dict[str, str]]) -> set[str]:
    """The digests of :data:`CHILD_RUN` after ``setup``, one child per environment."""
    digests = set()
    for env in environments:
        done = subprocess.run(
            [sys.executable, "-c", setup + CHILD_RUN],
            env=env,
            capture_output=True,
            text=True,
            check=True,
            cwd=Path(__file__).resolve().parents[1],
        )
        digests.add(done.stdout.strip())
    return digests


def test_results_do_not_depend_on_the_blas_kernel():
    """Money figures are sums in a fixed order, not left to the CPU's BLAS kernel."""
    plain = {k: v for k, v in os.environ.items() if not k.startswith("OPENBLAS")}
    kernels = [{**plain, "OPENBLAS_CORETYPE": kernel} for kernel in ("Haswell", "Prescott")]
    assert len(child_digests("", [*kernels, plain])) == 1


def test_results_do_not_depend_on_the_thread_count():
    """The keyed numbers' kernel over 1 or 2 threads (forced on for every stream): same digits."""
    setup = "import loyaltysim.engine.draws as draws\ndraws.PARALLEL_FROM = 1\n"
    threads = [{**os.environ, "NUMBA_NUM_THREADS": n} for n in ("1", "2")]
    assert len(child_digests(setup, threads)) == 1


def test_a_variant_keeps_the_customers_numbers(small_scenario_file, monkeypatch):
    """Common random numbers per decision: a better courier at one shop leaves who needs to
    buy on which day as it was (needs do not depend on couriers), though what the customers
    experience differs."""
    import importlib

    from loyaltysim.engine.model import LoyaltyModel

    shopping = importlib.import_module("loyaltysim.engine.phases.shopping")  # not the phase

    needers = {}
    real = shopping._needers

    def record(model):
        who = real(model)
        needers.setdefault(id(model), []).append(model.state.uid[who].tolist())
        return who

    monkeypatch.setattr(shopping, "_needers", record)
    base = LoyaltyModel(load_scenario(small_scenario_file), rng=5, create_agents=False)
    better = load_scenario(small_scenario_file, ["shops.cheap.courier.on_time=0.99"])
    variant = LoyaltyModel(better, rng=5, create_agents=False)
    for _ in range(60):
        base.step()
        variant.step()
    a, b = needers[id(base)], needers[id(variant)]
    assert a == b and sum(map(len, a)) > 100
    # and the runs did differ: the courier changed what the customers experienced
    assert not (base.state.satisfaction == variant.state.satisfaction).all()
