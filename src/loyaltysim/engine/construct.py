"""A model from a scenario file and keyword overrides, the way Mesa builds models.

Mesa's ``batch_run`` and SolaraViz's ``model_params`` build a model from keyword arguments
(``Model(n=..., width=...)``). :meth:`LoyaltyModel.from_file` takes the scenario file and
overrides as keywords, with ``__`` for the dots of a ``--set`` key
(``shops__thrift__price=55`` is ``--set shops.thrift.price=55``), and a mapping for several
keys under one (``shops__thrift={"price": 55, "quality": 0.6}``). The overrides then go
through :func:`loyaltysim.scenario.load_scenario`, so they are checked exactly like ``--set``:
a misspelt key or shop gets the same did-you-mean and the same
:class:`~loyaltysim.scenario.problems.ScenarioError` as on the command line.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import tomli_w

from loyaltysim.scenario import load_scenario
from loyaltysim.scenario.problems import Problem, ScenarioError
from loyaltysim.scenario.schema import Scenario

if TYPE_CHECKING:
    from loyaltysim.engine.model import LoyaltyModel

#: A scenario file's path.
ScenarioPath = str | os.PathLike[str]


def from_file(
    model_class: type[LoyaltyModel],
    path: ScenarioPath,
    rng: int | np.random.Generator | None,
    overrides: Mapping[str, Any],
) -> LoyaltyModel:
    """A ``model_class`` of the scenario file ``path`` with keyword ``overrides`` applied.

    Raises:
        ScenarioError: the file, or an override, is not a valid scenario (as with ``--set``).

    """
    return model_class(scenario_of(path, overrides), rng=rng)


def scenario_of(path: ScenarioPath, overrides: Mapping[str, Any]) -> Scenario:
    """The scenario file ``path`` with keyword ``overrides`` applied and validated."""
    return load_scenario(path, overrides=keyword_overrides(overrides, str(path)))


def keyword_overrides(keywords: Mapping[str, Any], file: str) -> dict[str, Any]:
    """Keyword overrides as ``--set`` overrides: ``{"shops.thrift.price": 55}``.

    ``__`` in a keyword is a dot; a mapping value sets each of its keys below the keyword.
    numpy numbers become Python numbers (``batch_run`` hands out the items of a numpy array).

    Raises:
        ScenarioError: a value that is not a TOML value (``None``, an object).

    """
    dotted: dict[str, Any] = {}
    for keyword, value in keywords.items():
        _flatten(keyword.replace("__", "."), value, dotted)
    problems = [
        Problem(file, None, key, _TOML_VALUE, repr(value), f"{key.replace('.', '__')}={value!r}")
        for key, value in dotted.items()
        if not _is_toml(value)
    ]
    if problems:
        raise ScenarioError(problems, file)
    return dotted


_TOML_VALUE = "a TOML value: a number, text, true or false, a date or a list of them"


def _flatten(key: str, value: Any, into: dict[str, Any]) -> None:
    if isinstance(value, Mapping):
        for part, inner in value.items():
            _flatten(f"{key}.{part}", inner, into)
    else:
        into[key] = value.tolist() if isinstance(value, np.ndarray | np.generic) else value


def _is_toml(value: Any) -> bool:
    try:
        tomli_w.dumps({"value": value})
    except TypeError:
        return False
    return True
