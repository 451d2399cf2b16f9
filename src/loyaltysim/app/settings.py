"""What the interactive app shows, as the launcher hands it to the page.

``loyaltysim app`` checks the scenario and starts ``solara run loyaltysim.app.page`` in a new
process, so the scenario file, its ``--set`` overrides and the focal shop travel as
environment variables. This module holds that hand-over and the choice of focal shop. It
imports neither solara nor Mesa's visualisation, so the launcher can check its input and
fail fast without paying for those imports.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from loyaltysim.scenario import Scenario, load_scenario
from loyaltysim.scenario.problems import UserError

#: Environment variable naming the scenario file.
ENV_SCENARIO = "LOYALTYSIM_APP_SCENARIO"
#: Environment variable naming the focal shop (optional).
ENV_SHOP = "LOYALTYSIM_APP_SHOP"
#: Environment variable holding the ``--set`` overrides as a JSON list of strings.
ENV_SETS = "LOYALTYSIM_APP_SETS"
#: The scenario shown when no file is given.
DEFAULT_SCENARIO = Path("scenarios/baseline.toml")


@dataclass(frozen=True)
class AppSettings:
    """A scenario file, its ``--set`` overrides and the focal shop the levers act on.

    Attributes:
        file: The scenario file.
        sets: ``--set`` overrides, applied before the levers.
        shop: The focal shop (``None``: :func:`default_shop` of the scenario).
    """

    file: Path = DEFAULT_SCENARIO
    sets: tuple[str, ...] = ()
    shop: str | None = None

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> AppSettings:
        """Settings from the variables ``loyaltysim app`` sets (defaults when unset)."""
        environ = os.environ if environ is None else environ
        sets = json.loads(environ.get(ENV_SETS) or "[]")
        return cls(
            file=Path(environ.get(ENV_SCENARIO) or DEFAULT_SCENARIO),
            sets=tuple(str(s) for s in sets),
            shop=environ.get(ENV_SHOP) or None,
        )

    def environment(self) -> dict[str, str]:
        """The environment variables that carry these settings to the page's process."""
        env = {ENV_SCENARIO: str(self.file), ENV_SETS: json.dumps(list(self.sets))}
        if self.shop is not None:
            env[ENV_SHOP] = self.shop
        return env

    def load(self) -> Scenario:
        """The scenario's base, with the overrides (variants dropped: one market at a time)."""
        return load_scenario(self.file, list(self.sets)).base()


def default_shop(scenario: Scenario) -> str:
    """The first shop that charges a shipping fee, else the first shop.

    Free shipping only changes anything where there is a fee to waive, so this choice gives
    every lever something to act on (in the baseline it is ``middle``).
    """
    for name, shop in scenario.shops.items():
        if shop.shipping_fee > 0:
            return name
    return next(iter(scenario.shops))


def focal_shop(scenario: Scenario, shop: str | None) -> str:
    """``shop`` if the scenario has it, else :func:`default_shop`; a clear error otherwise."""
    if shop is None:
        return default_shop(scenario)
    if shop not in scenario.shops:
        known = ", ".join(scenario.shops)
        raise UserError(f"--shop: expected one of the scenario's shops ({known}), given {shop!r}")
    return shop
