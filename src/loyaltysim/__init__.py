"""loyaltysim: agent-based simulation of customer loyalty in e-commerce, built on Mesa.

The Python API mirrors the command line::

    import loyaltysim
    scenario = loyaltysim.load_scenario("scenarios/baseline.toml", overrides=["run.replications=3"])
    result = loyaltysim.run(scenario, out="results/baseline")
    result.summary  # pandas DataFrame: mean and 95% CI per variant, shop and figure
"""

from loyaltysim.engine.agents import Customer, Shop
from loyaltysim.engine.model import LoyaltyModel
from loyaltysim.experiment.results import RunResult
from loyaltysim.experiment.run import run
from loyaltysim.scenario import Scenario, load_scenario, validate, variant_of
from loyaltysim.scenario.problems import ScenarioError

__version__ = "0.1.0"

__all__ = [
    "Customer",
    "LoyaltyModel",
    "RunResult",
    "Scenario",
    "ScenarioError",
    "Shop",
    "__version__",
    "load_scenario",
    "run",
    "validate",
    "variant_of",
]
