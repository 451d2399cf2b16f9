"""The base of every scenario-file schema and its common number types, in a module of its own.

Sections defined outside :mod:`loyaltysim.scenario.schema` (strategies in
:mod:`loyaltysim.strategies`, the ``[sweep]`` and ``[calibration]`` sections in
:mod:`loyaltysim.scenario.experiment`) must share its strictness, and ``scenario.py`` imports
them; keeping the base here avoids an import cycle.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

#: The largest amount of money a field may hold (a price, fee, cost, budget, per order or
#: per day): beyond any real value, and far enough from floating-point overflow that
#: amounts times customers, days and regions' shipping factors stay finite.
MAX_MONEY = 1e9
#: The largest non-negative number (weights, multipliers, penalties): finite by a margin.
MAX_AMOUNT = 1e9

Share = Annotated[float, Field(ge=0.0, le=1.0)]
Rate = Annotated[float, Field(ge=0.0, le=1.0)]
NonNeg = Annotated[float, Field(ge=0.0, le=MAX_AMOUNT)]
Money = Annotated[float, Field(ge=0.0, le=MAX_MONEY)]
#: A log-normal sigma across customers: 5 already spans 10**-13 to 10**13 at six sigmas.
Spread = Annotated[float, Field(ge=0.0, le=5.0)]


class Strict(BaseModel):
    """Base for every section: unknown keys, silent coercion and NaN/inf are errors."""

    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False, frozen=True)
