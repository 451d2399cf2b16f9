"""The base of every scenario-file schema and its common number types, in a module of its own.

Sections defined outside :mod:`loyaltysim.scenario.schema` (strategies in
:mod:`loyaltysim.strategies`, the ``[sweep]`` and ``[calibration]`` sections in
:mod:`loyaltysim.scenario.experiment`) must share its strictness, and ``scenario.py`` imports
them; keeping the base here avoids an import cycle.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

Share = Annotated[float, Field(ge=0.0, le=1.0)]
Rate = Annotated[float, Field(ge=0.0, le=1.0)]
NonNeg = Annotated[float, Field(ge=0.0)]


class Strict(BaseModel):
    """Base for every section: unknown keys, silent coercion and NaN/inf are errors."""

    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False, frozen=True)
