"""The interactive app: a Mesa ``SolaraViz`` page with sliders for the main loyalty levers.

Launch it with ``loyaltysim app [FILE]`` (see :mod:`loyaltysim.cli.app`), which runs
``solara run`` on this module. The split follows Mesa's examples: the model lives in
:mod:`loyaltysim.engine.model`, the agents in :mod:`loyaltysim.engine.agents`, and this module
holds only
what the page needs:

* :class:`LoyaltyApp`, a thin :class:`~loyaltysim.engine.model.LoyaltyModel` whose keyword
  arguments are the levers, because ``SolaraViz`` rebuilds the model on *Reset* by calling
  its class with the slider values;
* components that draw the model as it runs (a network snapshot, market share,
  satisfaction, trust and a table of today's figures), reusing :mod:`loyaltysim.plots`;
* :func:`model_params`, the sliders, whose defaults are the scenario's own values, so the
  first picture is the scenario as written;
* the module-level ``page`` that ``solara run`` shows.

The levers act on one *focal* shop, chosen at launch (``--shop``; by default the first
shop that charges a shipping fee, so that free shipping has something to waive). One shop
per launch keeps every slider's default equal to that shop's real value; a shop picker in
the page would leave the sliders showing the previous shop's numbers.

The scenario file, the focal shop and ``--set`` overrides reach this module through
environment variables (:mod:`loyaltysim.app.settings`), because ``solara run`` imports the
module in its own process.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import solara
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from mesa.visualization import Slider, SolaraViz
from mesa.visualization.utils import update_counter

from loyaltysim import plots
from loyaltysim.app.settings import DEFAULT_SCENARIO, AppSettings, focal_shop
from loyaltysim.engine.agents import Shop
from loyaltysim.engine.figures import daily_figures, names
from loyaltysim.engine.model import LoyaltyModel
from loyaltysim.scenario import Scenario, validate
from loyaltysim.scenario.problems import UserError

#: Customers in the app unless the scenario has fewer: enough for stable shares, small
#: enough that a simulated week redraws in well under a second on a laptop.
APP_CUSTOMERS = 2000
#: Choices of the free-shipping lever. ``members`` needs a membership programme, so it
#: switches the programme on.
FREE_SHIPPING = ("none", "all", "threshold", "members")
#: Customers drawn in the network view (a spring layout of 300 takes about 0.3 s).
SNAPSHOT_SIZE = 300
#: Days of orders behind each market-share point (a daily share is too noisy to read).
SHARE_WINDOW = 30
#: Days simulated per click of *Step* and per redraw while playing: one week.
DAYS_PER_CLICK = 7
#: The variant name given to the app's single run in the tables the plots read.
VARIANT = "app"


# ---------------------------------------------------------------------------- levers
@dataclass(frozen=True)
class Levers:
    """The values the sliders set; ``None`` keeps the scenario's value.

    Attributes:
        customers: Initial customers (``market.customers``).
        price: The focal shop's price (``shops.<shop>.price``).
        on_time: Share of the focal shop's parcels on time (``courier.on_time``; regions
            with their own courier in ``courier_by_region`` keep theirs).
        resolution_rate: Share of answered complaints the focal shop resolves
            (``service.resolution_rate``).
        free_shipping: ``none``, or the eligibility of ``strategies.free_shipping``:
            ``all``, ``threshold`` (the scenario's threshold, else 99) or ``members``
            (switches membership on).
        membership: Whether the focal shop runs ``strategies.membership`` (the scenario's
            settings if it has them, else five tiers with the schema's defaults).
        tie_strength: Probability that a contact told about a shop takes it in
            (``network.tie_strength``).
        positive_propensity: Probability of praising a shop after a delightful order
            (``experience.positive_propensity``).
        warmup: Simulate the scenario's warm-up before day 0, so the app opens on a settled
            market; otherwise it opens on day 0 of a market where nobody has bought yet.
    """

    customers: int | None = None
    price: float | None = None
    on_time: float | None = None
    resolution_rate: float | None = None
    free_shipping: str | None = None
    membership: bool | None = None
    tie_strength: float | None = None
    positive_propensity: float | None = None
    warmup: bool = True


def lever_values(scenario: Scenario, shop: str) -> Levers:
    """Each lever as the scenario sets it (customers capped at :data:`APP_CUSTOMERS`)."""
    config = scenario.shops[shop]
    free = config.strategies.free_shipping
    return Levers(
        customers=min(scenario.market.customers, APP_CUSTOMERS),
        price=config.price,
        on_time=config.courier.on_time,
        resolution_rate=config.service.resolution_rate,
        free_shipping="none" if free is None else free.eligibility,
        membership=config.strategies.membership is not None,
        tie_strength=scenario.network.tie_strength,
        positive_propensity=scenario.experience.positive_propensity,
        warmup=True,
    )


def apply_levers(scenario: Scenario, shop: str, levers: Levers) -> Scenario:
    """The scenario with the levers set on ``shop``, validated like a scenario file.

    Strategies are switched on and off by editing the scenario's data, not with ``--set``
    strings, because switching one off means removing its table.
    """
    data = scenario.base().model_dump(mode="python")
    data["variants"] = {}
    market, network, experience = data["market"], data["network"], data["experience"]
    config = data["shops"][shop]
    if levers.customers is not None:
        market["customers"] = int(levers.customers)
    if levers.price is not None:
        config["price"] = float(levers.price)
    if levers.on_time is not None:
        config["courier"]["on_time"] = float(levers.on_time)
    if levers.resolution_rate is not None:
        config["service"]["resolution_rate"] = float(levers.resolution_rate)
    if levers.tie_strength is not None:
        network["tie_strength"] = float(levers.tie_strength)
    if levers.positive_propensity is not None:
        experience["positive_propensity"] = float(levers.positive_propensity)
    if not levers.warmup:
        data["run"]["warmup_days"] = 0
    strategies = config["strategies"]
    membership = levers.membership
    if levers.free_shipping is not None:
        if levers.free_shipping not in FREE_SHIPPING:
            raise UserError(
                f"free_shipping: expected one of {', '.join(FREE_SHIPPING)}, "
                f"given {levers.free_shipping!r}"
            )
        if levers.free_shipping == "none":
            strategies["free_shipping"] = None
        else:
            current = strategies.get("free_shipping") or {}
            strategies["free_shipping"] = {**current, "eligibility": levers.free_shipping}
        if levers.free_shipping == "members":
            membership = True
    if membership is not None:
        strategies["membership"] = (strategies.get("membership") or {}) if membership else None
    return validate(data, file=f"{scenario.name} (app levers)")


# ---------------------------------------------------------------------------- the model
def _seed(rng: int | str | None) -> int | None:
    """The seed from the seed box: a whole number, or empty for a fresh random seed."""
    if rng is None or isinstance(rng, int | np.integer):
        return None if rng is None else int(rng)
    text = str(rng).strip()
    if not text:
        return None
    if not text.isdigit():
        raise UserError(f"random seed: expected a whole number >= 0, given {rng!r}")
    return int(text)


class LoyaltyApp(LoyaltyModel):
    """A :class:`LoyaltyModel` built from slider values, for ``SolaraViz``.

    ``SolaraViz`` creates the model anew on *Reset* by calling this class with the values
    of its inputs as keyword arguments, so every lever is a keyword argument here. The
    model stops (``running`` false) after the scenario's recorded days, the horizon its
    arrays were sized for.

    Args:
        scenario_file: The scenario file.
        sets: ``--set`` overrides applied to the file first.
        shop: The focal shop the levers act on (default: :func:`default_shop`).
        customers: Initial customers; ``None``: the scenario's, at most
            :data:`APP_CUSTOMERS`. The other levers are documented in :class:`Levers`.
        price: See :class:`Levers`.
        on_time: See :class:`Levers`.
        resolution_rate: See :class:`Levers`.
        free_shipping: See :class:`Levers`.
        membership: See :class:`Levers`.
        tie_strength: See :class:`Levers`.
        positive_propensity: See :class:`Levers`.
        warmup: See :class:`Levers`.
        rng: Seed (a whole number, or its text from the seed box); ``None`` or empty
            text for a fresh random seed.

    """

    def __init__(
        self,
        *,
        scenario_file: str | Path = DEFAULT_SCENARIO,
        sets: tuple[str, ...] | list[str] = (),
        shop: str | None = None,
        customers: int | None = None,
        price: float | None = None,
        on_time: float | None = None,
        resolution_rate: float | None = None,
        free_shipping: str | None = None,
        membership: bool | None = None,
        tie_strength: float | None = None,
        positive_propensity: float | None = None,
        warmup: bool = True,
        rng: int | str | None = 42,
    ) -> None:
        base = AppSettings(Path(scenario_file), tuple(sets), shop).load()
        self.focal_shop = focal_shop(base, shop)
        if customers is None:
            customers = min(base.market.customers, APP_CUSTOMERS)
        self.levers = Levers(
            customers=customers,
            price=price,
            on_time=on_time,
            resolution_rate=resolution_rate,
            free_shipping=free_shipping,
            membership=membership,
            tie_strength=tie_strength,
            positive_propensity=positive_propensity,
            warmup=warmup,
        )
        scenario = apply_levers(base, self.focal_shop, self.levers)
        super().__init__(scenario, rng=_seed(rng))
        # The warm-up runs through the unwrapped step, so Mesa's step counter and clock
        # (shown as "Time" in the page) count displayed days only: time 0 is day 0.
        for _ in range(scenario.run.warmup_days):
            LoyaltyModel.step(self)

    def step(self) -> None:
        """Simulate one day; stop at the end of the scenario's recorded days."""
        super().step()
        self.running = self.day < self.config.run.days


# ---------------------------------------------------------------------------- sliders
def model_params(settings: AppSettings) -> dict[str, Any]:
    """The page's inputs: fixed settings plus one input per lever, at the scenario's values.

    Keys are :class:`LoyaltyApp`'s keyword arguments, as ``SolaraViz`` requires.
    """
    base = settings.load()
    shop = focal_shop(base, settings.shop)
    now = lever_values(base, shop)
    price = float(now.price or 0.0)
    on_time = float(now.on_time or 0.0)
    return {
        "scenario_file": str(settings.file),
        "sets": settings.sets,
        "shop": shop,
        "rng": {"type": "InputText", "value": 42, "label": "random seed"},
        "customers": Slider(
            "customers", now.customers, min(500, now.customers or 500), 10_000, 500
        ),
        "price": Slider(
            f"{shop}: price",
            price,
            max(1.0, float(round(0.5 * price))),  # a price must stay above zero
            max(2.0, float(round(1.5 * price))),
            1.0,
        ),
        "on_time": Slider(f"{shop}: courier on-time share", on_time, min(0.5, on_time), 1.0, 0.01),
        "resolution_rate": Slider(
            f"{shop}: complaints resolved", float(now.resolution_rate or 0.0), 0.0, 1.0, 0.05
        ),
        "free_shipping": {
            "type": "Select",
            "value": now.free_shipping,
            "values": list(FREE_SHIPPING),
            "label": f"{shop}: free shipping",
        },
        "membership": {
            "type": "Checkbox",
            "value": bool(now.membership),
            "label": f"{shop}: membership tiers",
        },
        "tie_strength": Slider(
            "word of mouth: tie strength", float(now.tie_strength or 0.0), 0.0, 1.0, 0.05
        ),
        "positive_propensity": Slider(
            "word of mouth: praise after a great order",
            float(now.positive_propensity or 0.0),
            0.0,
            0.5,
            0.01,
        ),
        "warmup": {
            "type": "Checkbox",
            "value": True,
            "label": "start from a settled market (run the warm-up)",
        },
    }


def initial_values(params: Mapping[str, Any]) -> dict[str, Any]:
    """Keyword arguments of the first model: the inputs' default values, fixed values as is.

    The first model must match the sliders, or *Step* before any *Reset* would show a
    different market from the one the sliders describe.
    """
    values: dict[str, Any] = {}
    for name, param in params.items():
        if isinstance(param, Slider):
            values[name] = param.value
        elif isinstance(param, dict) and "type" in param:
            values[name] = param.get("value")
        else:
            values[name] = param
    return values


# ---------------------------------------------------------------------------- figures
def model_timeseries(model: LoyaltyModel) -> pd.DataFrame:
    """The model's recorded days as a ``timeseries`` table (one variant, one replication).

    The table has the columns of a run's ``timeseries.csv``, so the plots of
    :mod:`loyaltysim.plots` draw a live model as they draw a finished run.
    """
    if model.day <= 0:
        # No recorded day yet. (Mesa 3.5 returns two rows of missing values for an empty collector.)
        columns = ["variant", "replication", "day", "shop", *names(daily_figures())]
        return pd.DataFrame(columns=columns)
    frame = model.datacollector.get_agenttype_vars_dataframe(Shop).reset_index(drop=True)
    return pd.DataFrame({"variant": VARIANT, "replication": 0, **frame}, index=frame.index)


def _waiting(ax: Axes, title: str) -> None:
    """An empty panel that says why it is empty (no recorded day yet)."""
    ax.text(0.5, 0.5, "Press Step: figures start on day 0", ha="center", va="center")
    ax.set(title=title, xticks=[], yticks=[])


def share_figure(model: LoyaltyModel) -> Figure:
    """Each shop's share of orders over a trailing month."""
    figure = Figure(figsize=(6.4, 3.8), layout="constrained")
    ax = figure.subplots()
    title = f"Market share of orders ({SHARE_WINDOW}-day window)"
    data = model_timeseries(model)
    if data.empty:
        _waiting(ax, title)
    else:
        plots.plot_market_share(data, VARIANT, window=SHARE_WINDOW, ax=ax)
        ax.set_title(title)
    return figure


def attitude_figure(model: LoyaltyModel, name: str) -> Figure:
    """Mean satisfaction or trust (``name``) of each shop's customers, day by day."""
    figure = Figure(figsize=(6.4, 3.8), layout="constrained")
    ax = figure.subplots()
    title = f"Mean {name.removeprefix('mean_')} of each shop's customers"
    data = model_timeseries(model)
    if data.empty:
        _waiting(ax, title)
    else:
        plots.plot_attitude(data, name, VARIANT, ax=ax)
        ax.set_title(title)
    return figure


def network_figure(model: LoyaltyModel) -> Figure:
    """A snapshot of :data:`SNAPSHOT_SIZE` customers and their ties.

    The sample and the layout use a fixed seed, so the same customers stay in the same
    places from one redraw to the next and only their colours and sizes change.
    """
    figure = Figure(figsize=(7.0, 5.6), layout="constrained")
    ax = figure.subplots()
    if model.adjacency is None:  # network.kind = "well_mixed": there are no ties to draw
        ax.text(
            0.5,
            0.5,
            "Well-mixed market: no social network.\nWord of mouth reaches customers at random.",
            ha="center",
            va="center",
        )
        ax.set_axis_off()
        return figure
    plots.plot_network_snapshot(model, size=SNAPSHOT_SIZE, seed=0, ax=ax)
    return figure


def figures_html(model: LoyaltyApp) -> str:
    """Today's figures per shop and the levers in force, as an HTML table.

    The share is over the last :data:`SHARE_WINDOW` days, as in the plot, and profit is
    summed over the recorded days so far. HTML rather than ``solara.Markdown``, because the
    Markdown component loads KaTeX from the CDN for formulas, which no local asset package
    ships, and the page must work offline.
    """
    run = model.config.run
    active = int(model.state.active.sum())
    day = f"<strong>Day {model.day} of {run.days}</strong>"
    parts = [f"<p>{day}, {active:,} customers in the market.</p>"]
    data = model_timeseries(model)
    if data.empty:
        parts.append("<p>Press <em>Step</em> to simulate a week; the table fills from day 0.</p>")
    else:
        recent = data[data["day"] > data["day"].max() - SHARE_WINDOW]
        orders = recent.groupby("shop", sort=False)["orders"].sum()
        total = orders.sum()
        profit = data.groupby("shop", sort=False)["profit"].sum()
        head = ("shop", "customers", "share of orders", "satisfaction", "trust", "rating", "profit")
        rows = ["<tr>" + "".join(f"<th>{h}</th>" for h in head) + "</tr>"]
        for shop in model.shops:
            f = shop.figures
            share = orders[shop.name] / total if total else 0.0
            marker = " (levers)" if shop.name == model.focal_shop else ""
            cells = (
                f"{escape(shop.name)}{marker}",
                f"{f['customers']:,.0f}",
                f"{share:.1%}",
                f"{f['mean_satisfaction']:.2f}",
                f"{f['mean_trust']:.2f}",
                f"{f['rating']:.2f}",
                f"{profit[shop.name]:,.0f}",
            )
            rows.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
        parts.append(f'<table class="loyaltysim-figures">{"".join(rows)}</table>')
    parts.append(f"<p>{lever_summary(model)}</p>")
    return "\n".join(parts)


def lever_summary(model: LoyaltyApp) -> str:
    """The levers as the running model has them, in one HTML sentence (what *Reset* applied)."""
    scenario, shop = model.config, model.focal_shop
    config = scenario.shops[shop]
    free = config.strategies.free_shipping
    free_text = "no free shipping" if free is None else f"free shipping: {free.eligibility}"
    tiers = config.strategies.membership
    tier_text = "no membership" if tiers is None else f"membership with {len(tiers.tiers)} tiers"
    return (
        f"Levers on <strong>{escape(shop)}</strong>: price {config.price:g}, "
        f"{config.courier.on_time:.0%} of parcels on time, "
        f"{config.service.resolution_rate:.0%} of complaints resolved, {free_text}, "
        f"{tier_text}. Word of mouth: tie strength {scenario.network.tie_strength:g}, "
        f"praise after a great order {scenario.experience.positive_propensity:g}."
    )


#: The table's look: solara's HTML component has no Markdown table styles.
TABLE_STYLE = (
    "<style>.loyaltysim-figures{border-collapse:collapse;margin:0.5em 0}"
    ".loyaltysim-figures th,.loyaltysim-figures td{padding:2px 10px;"
    "border-bottom:1px solid #ddd;text-align:right;white-space:nowrap}"
    ".loyaltysim-figures th:first-child,.loyaltysim-figures td:first-child{text-align:left}"
    "</style>"
)


# ---------------------------------------------------------------------------- components
def _live_figure(model: LoyaltyModel, draw: Callable[[LoyaltyModel], Figure]) -> None:
    """Show ``draw(model)``, redrawn only when the model steps or is replaced.

    Mesa's controller bumps ``update_counter`` after each step; reading it here subscribes
    the component to it. The memo keeps a layout or tab switch from redrawing.
    """
    tick = update_counter.get()
    figure = solara.use_memo(lambda: draw(model), dependencies=[model, tick])
    solara.FigureMatplotlib(
        figure, format="png", bbox_inches="tight", dependencies=[model, tick], dpi=90
    )


@solara.component
def NetworkView(model: LoyaltyModel) -> None:
    """Customers coloured by main shop and sized by satisfaction with it."""
    _live_figure(model, network_figure)


@solara.component
def MarketSharePlot(model: LoyaltyModel) -> None:
    """Market share of each shop over time."""
    _live_figure(model, share_figure)


@solara.component
def SatisfactionPlot(model: LoyaltyModel) -> None:
    """Mean satisfaction of each shop's customers over time."""
    _live_figure(model, lambda m: attitude_figure(m, "mean_satisfaction"))


@solara.component
def TrustPlot(model: LoyaltyModel) -> None:
    """Mean trust in each shop over time."""
    _live_figure(model, lambda m: attitude_figure(m, "mean_trust"))


@solara.component
def FiguresTable(model: LoyaltyApp) -> None:
    """Today's figures per shop, and the levers the running model uses."""
    update_counter.get()
    solara.HTML(unsafe_innerHTML=TABLE_STYLE + figures_html(model))


#: The page's components, all on the first tab (network, plots, table).
COMPONENTS = [
    (NetworkView, 0),
    (MarketSharePlot, 0),
    (SatisfactionPlot, 0),
    (TrustPlot, 0),
    (FiguresTable, 0),
]


@dataclass
class AppView:
    """The pieces of one page, kept together so tests can drive the same page users see.

    Attributes:
        model: The model, reactive so *Reset* can replace it and a test can see the new one.
        params: The inputs (:func:`model_params`).
        name: The page title.
    """

    model: solara.Reactive[LoyaltyApp]
    params: dict[str, Any]
    name: str = "loyaltysim"

    @classmethod
    def create(cls, settings: AppSettings) -> AppView:
        """A view of ``settings``: inputs at the scenario's values, the first model built."""
        params = model_params(settings)
        model = LoyaltyApp(**initial_values(params))
        name = f"loyaltysim: {model.config.name}, levers of {model.focal_shop}"
        return cls(solara.reactive(model), params, name)

    def element(self) -> solara.Element:
        """The ``SolaraViz`` element: controls, inputs and the components."""
        return SolaraViz(
            self.model,
            components=list(COMPONENTS),
            model_params=self.params,
            name=self.name,
            play_interval=150,
            render_interval=DAYS_PER_CLICK,
        )


@solara.component
def Page() -> solara.Element:
    """The app, with one model per browser session.

    ``solara run`` executes this module once and shares its globals between sessions; a
    model built at import would be stepped by every open browser tab at once. The memo
    builds one view per session instead.
    """
    view = solara.use_memo(lambda: AppView.create(AppSettings.from_environment()), [])
    return view.element()


#: What ``solara run loyaltysim.app.page`` shows.
page = Page()
