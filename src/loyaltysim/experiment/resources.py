"""Will it fit? The memory a run or sweep needs, estimated from the scenario before any work.

The schema accepts populations up to tens of millions of customers, which is right for a large
server and wrong for a laptop: without a check, such a run climbs for minutes and then dies in
a numpy allocation error or the kernel's OOM killer. :func:`check_fits` refuses it up front,
with the estimate, the memory available and what to change.

The estimate is a sum of parts, each proportional to what it holds. Its coefficients were
measured on this package (peak resident memory of a whole run in a fresh process, at 1,000 to
300,000 customers, 1 to 8 shops, 0 to 30 contacts; ``tests/test_resources.py`` measures two
sizes again and checks the estimate stays within :data:`ACCURACY` of the peak):

* ``python``: the interpreter with numpy, pandas, scipy, Mesa and numba imported and the
  keyed draws' compiled kernels loaded (about 310 MB, of which numba and LLVM about 115 MB);
  every worker process pays it again.
* ``model``, per simulated customer slot: the per-customer arrays and its Mesa agent
  (:data:`PER_SLOT`), the per customer x shop arrays (:data:`PER_SLOT_SHOP`), and the social
  network at its construction peak, when the edge list is sorted (:data:`PER_CONTACT`);
  plus the model's DataCollector, per shop and simulated day (:data:`PER_SHOP_DAY`).
* ``tables``: what the parent keeps of every replication until the run is written: the
  time series (:data:`PER_TIMESERIES_ROW` per day and shop) and the final customer tables of
  the replications ``output.customers`` keeps (:data:`PER_KEPT_SLOT`, :data:`PER_KEPT_SLOT_SHOP`).

A model runs in each worker at once, so the model part counts once per worker; a sweep keeps
no tables (each run's figures go to disk and are forgotten).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from loyaltysim.scenario import Scenario, variant_names
from loyaltysim.scenario.problems import UserError
from loyaltysim.scenario.sizes import capacity as slots_for

MB = 1024**2
#: The interpreter with the scientific stack and numba's kernels loaded (measured 308 MB at
#: 1,000 customers; 198 MB before the keyed draws brought numba).
PYTHON_BYTES = 310 * MB
#: Per customer slot: per-customer arrays, Mesa agent, daily temporaries (measured 301 B).
PER_SLOT = 300
#: Per customer slot and shop: attitude, order and money arrays (measured 79 B).
PER_SLOT_SHOP = 80
#: Per contact (slot x mean degree): the network's edge keys while they are sorted (14-37 B).
PER_CONTACT = 25
#: Per shop and simulated day: the Mesa DataCollector's records (measured 2.4 kB).
PER_SHOP_DAY = 2400
#: Per recorded day and shop of every replication: its time-series rows in the parent.
PER_TIMESERIES_ROW = 400
#: Per slot of each kept customer table, and per slot and shop (measured 91 B and 20 B).
PER_KEPT_SLOT = 90
PER_KEPT_SLOT_SHOP = 20
#: The estimate is within this factor of the measured peak (checked by the tests).
ACCURACY = 1.5
#: Share of the available memory a run may plan to use (the rest: the OS, other programs).
USABLE = 0.9


class ResourceError(UserError):
    """The run would need more memory than the machine has available."""


def capacity(scenario: Scenario) -> int:
    """Customer slots of the scenario's model (initial customers plus room for growth)."""
    market, run = scenario.market, scenario.run
    days = run.days + run.warmup_days
    return slots_for(market.customers, market.arrival_rate, market.departure_rate, days)


@dataclass(frozen=True)
class Estimate:
    """Estimated peak memory, in bytes, by part.

    Attributes:
        python: One interpreter with the package imported.
        model: One model while it runs (state, agents, network, DataCollector).
        tables: What the parent keeps of all replications until the result is written.
        customers: The initial customers (to say how many would fit).

    """

    python: int
    model: int
    tables: int
    customers: int

    def total(self, workers: int = 1) -> int:
        """Peak of the whole run: the parent with its tables, and the models in flight.

        With one worker the model runs in the parent; with more, each worker is a process
        of its own with its interpreter and its model.
        """
        return self.python + self.tables + self.in_flight(workers)

    def in_flight(self, workers: int = 1) -> int:
        """The part that grows with the customers: the models running at once."""
        return self.model if workers <= 1 else workers * (self.python + self.model)

    def describe(self, workers: int = 1) -> str:
        """The parts in words, for messages."""
        each = f"{gb(self.model)} per model"
        if workers > 1:
            each += f" x {workers} workers (+{gb(self.python)} Python each)"
        return f"{each}, {gb(self.tables)} of result tables, {gb(self.python)} Python"


def gb(size: float) -> str:
    """A size in GB (or MB below 1 GB), for messages."""
    return f"{size / 1024**3:.1f} GB" if size >= 1024**3 else f"{size / MB:.0f} MB"


def _model_bytes(scenario: Scenario) -> int:
    slots, shops = capacity(scenario), len(scenario.shops)
    network = scenario.network
    degree = 0.0 if network.kind == "well_mixed" else network.mean_degree
    days = scenario.run.days + scenario.run.warmup_days
    per_slot = PER_SLOT + PER_SLOT_SHOP * shops + PER_CONTACT * degree
    return int(slots * per_slot + PER_SHOP_DAY * shops * days)


def estimate_run(scenario: Scenario) -> Estimate:
    """The memory ``loyaltysim run`` needs for ``scenario`` (every variant and replication)."""
    slots, shops = capacity(scenario), len(scenario.shops)
    variants, replications = len(variant_names(scenario)), scenario.run.replications
    kept = {"all": replications, "first_replication": 1, "none": 0}[scenario.output.customers]
    tables = variants * replications * scenario.run.days * shops * PER_TIMESERIES_ROW
    tables += variants * kept * slots * (PER_KEPT_SLOT + PER_KEPT_SLOT_SHOP * shops)
    return Estimate(PYTHON_BYTES, _model_bytes(scenario), int(tables), scenario.market.customers)


def estimate_sweep_run(scenario: Scenario) -> Estimate:
    """The memory of one sweep run (no tables are kept: results stream to disk)."""
    return Estimate(PYTHON_BYTES, _model_bytes(scenario), 0, scenario.market.customers)


def available_memory() -> int | None:
    """Memory this process may still use: the smaller of the machine's and its cgroup's.

    ``MemAvailable`` from ``/proc/meminfo`` (what can be allocated without swapping) and,
    in a container or a batch job, the cgroup's limit less its usage. None when neither is
    known (not Linux): then nothing is refused.
    """
    found: list[int] = []
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                found.append(int(line.split()[1]) * 1024)
    except (OSError, ValueError, IndexError):
        pass
    cgroup = Path("/sys/fs/cgroup")
    try:
        limit = (cgroup / "memory.max").read_text().strip()
        if limit != "max":
            used = int((cgroup / "memory.current").read_text())
            found.append(int(limit) - used)
    except (OSError, ValueError):
        pass
    return min(found) if found else None


def check_fits(estimate: Estimate, workers: int = 1, what: str = "the run") -> None:
    """Refuse a run that cannot fit in the memory available, before it starts.

    Args:
        estimate: From :func:`estimate_run` or :func:`estimate_sweep_run`.
        workers: Local processes that each hold a model at once.
        what: Named in the message ("the run", "the sweep").

    Raises:
        ResourceError: the estimate exceeds :data:`USABLE` of the available memory; the
            message names the estimate, the memory available and what to change.

    """
    available = available_memory()
    if available is None:
        return
    budget = USABLE * available
    need = estimate.total(workers)
    if need <= budget:
        return
    advice = []
    # Everything but the interpreters grows in proportion to the customers.
    interpreters = estimate.python * (1 + (workers if workers > 1 else 0))
    if budget > interpreters:
        fit = int(estimate.customers * (budget - interpreters) / (need - interpreters))
        advice.append(f"fewer customers (market.customers = {estimate.customers:,}; about "
                      f"{fit:,} fit)")  # fmt: skip
    advice.append("fewer shops")
    if workers > 1:
        fitting = max((w for w in range(1, workers) if estimate.total(w) <= budget), default=None)
        advice.append(
            f"fewer --workers ({fitting} fit)" if fitting else "--workers 1 and fewer customers"
        )
    raise ResourceError(
        f"{what} needs about {gb(need)} of memory ({estimate.describe(workers)}), but "
        f"{gb(available)} is available here; use " + ", or ".join(advice)
    )
