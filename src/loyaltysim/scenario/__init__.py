"""The input layer: scenario files, their schema, --set and variants, problems with lines.

It imports no engine code: a scenario is read, checked and resolved here, then handed on.

The public names below are imported on first use (PEP 562): the strategies' schemas import
:mod:`loyaltysim.scenario.base`, which runs this file first, and the schema imports the
strategies, so importing the schema here eagerly would be an import cycle.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from loyaltysim.scenario.load import (
        load_scenario,
        to_toml,
        validate,
        variant_names,
        variant_of,
    )
    from loyaltysim.scenario.problems import ScenarioError, UserError
    from loyaltysim.scenario.schema import Scenario

#: Public name -> the module that defines it.
_HOME = {
    "Scenario": "schema",
    "ScenarioError": "problems",
    "UserError": "problems",
    "load_scenario": "load",
    "to_toml": "load",
    "validate": "load",
    "variant_names": "load",
    "variant_of": "load",
}

__all__ = [
    "Scenario",
    "ScenarioError",
    "UserError",
    "load_scenario",
    "to_toml",
    "validate",
    "variant_names",
    "variant_of",
]


def __getattr__(name: str) -> Any:
    """Import a public name from its module the first time it is asked for."""
    if name not in _HOME:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{_HOME[name]}"), name)
    globals()[name] = value
    return value
