"""The interactive app, tested without a browser the way Mesa tests SolaraViz.

The page is rendered with ``solara.render`` inside an ``AppLayout`` (as ``solara run``
does; SolaraViz puts its controls in the layout's sidebar), and its widgets are found and
driven through ipyvuetify: *Step* is clicked, inputs are set, *Reset* is clicked. The
small scenario of ``conftest.py`` (500 customers, 5 warm-up days, 40 days) keeps each
render under a second or two.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import ipyvuetify as v
import ipywidgets as widgets
import pytest
import solara
from mesa.visualization.solara_viz import _check_model_params
from solara.widgets.widgets import GridLayout

from loyaltysim.app import assets
from loyaltysim.app import page as app
from loyaltysim.app.settings import ENV_SCENARIO, ENV_SETS, ENV_SHOP, AppSettings
from loyaltysim.cli import main
from loyaltysim.scenario.problems import UserError
from loyaltysim.strategies.free_shipping import FreeShipping
from loyaltysim.strategies.membership import Membership

USAGE_ERROR = 2


@pytest.fixture
def settings(small_scenario_file: Path) -> AppSettings:
    return AppSettings(file=small_scenario_file)


@pytest.fixture
def view(settings: AppSettings) -> app.AppView:
    return app.AppView.create(settings)


def render(view: app.AppView):
    """Render the page as ``solara run`` shows it; return the render context."""
    _, rc = solara.render(solara.AppLayout(children=[view.element()]), handle_error=False)
    return rc


def button(rc, label: str):
    return rc.find(v.Btn, children=[label]).widget


def labelled(rc, kind: type, label: str):
    return rc.find(kind, label=label).widget


def images(rc) -> list[bytes]:
    return [bytes(w.value) for w in rc.find(widgets.Image).widgets]


def page_text(rc) -> str:
    """The HTML of the components that show text (they sit in the grid's items, not children)."""
    texts = []
    for item in rc.find(GridLayout).widget.items:
        html = getattr(item, "unsafe_innerHTML", None)
        if html is not None:
            texts.append(html)
    return "\n".join(texts)


def strategies_of(model: app.LoyaltyApp) -> dict[str, object]:
    shop = list(model.config.shops).index(model.focal_shop)
    return {s.key: s for s in model.strategies if s.shop == shop}


def test_page_steps_the_model_and_redraws(view: app.AppView) -> None:
    rc = render(view)
    model = view.model.value
    assert (model.steps, model.day) == (0, 0)  # the warm-up does not count as shown days
    before = images(rc)
    assert len(before) == 4  # network, market share, satisfaction, trust
    assert "Day 0 of 40" in page_text(rc) and "Press <em>Step</em>" in page_text(rc)

    button(rc, "Step").click()

    assert view.model.value is model
    assert model.steps == app.DAYS_PER_CLICK
    assert model.day == app.DAYS_PER_CLICK
    assert all(shop.figures for shop in model.shops)
    after = images(rc)
    assert all(a != b for a, b in zip(before, after, strict=True))  # every figure redrawn
    assert f"Day {app.DAYS_PER_CLICK} of 40" in page_text(rc)


def test_inputs_rebuild_the_model_on_reset(view: app.AppView) -> None:
    rc = render(view)
    old = view.model.value
    shop = old.focal_shop
    assert "membership" not in strategies_of(old)
    assert "free_shipping" not in strategies_of(old)

    labelled(rc, v.Checkbox, f"{shop}: membership tiers").v_model = True
    labelled(rc, v.Select, f"{shop}: free shipping").v_model = "all"
    labelled(rc, v.Slider, f"{shop}: price").v_model = 50.0
    labelled(rc, v.Slider, f"{shop}: courier on-time share").v_model = 0.95
    labelled(rc, v.Slider, "customers").v_model = 1000
    button(rc, "Reset").click()

    new = view.model.value
    assert new is not old
    chosen = strategies_of(new)
    assert isinstance(chosen["membership"], Membership)
    assert isinstance(chosen["free_shipping"], FreeShipping)
    assert chosen["free_shipping"].config.eligibility == "all"
    config = new.config.shops[shop]
    assert config.price == 50.0
    assert config.courier.on_time == 0.95
    assert new.config.market.customers == 1000
    assert int(new.state.active.sum()) == pytest.approx(1000, abs=10)
    button(rc, "Step").click()
    assert new.day == app.DAYS_PER_CLICK


def test_inputs_start_at_the_scenarios_values(settings: AppSettings) -> None:
    params = app.model_params(settings)
    _check_model_params(app.LoyaltyApp.__init__, params)  # Mesa's own check of the names
    scenario = settings.load()
    shop = params["shop"]
    assert shop == "cheap"  # no shop charges a fee, so the first shop
    values = app.initial_values(params)
    assert values["price"] == scenario.shops[shop].price
    assert values["on_time"] == scenario.shops[shop].courier.on_time
    assert values["resolution_rate"] == scenario.shops[shop].service.resolution_rate
    assert values["tie_strength"] == scenario.network.tie_strength
    assert values["positive_propensity"] == scenario.experience.positive_propensity
    assert values["customers"] == 500  # the scenario has fewer than APP_CUSTOMERS
    assert (values["free_shipping"], values["membership"], values["warmup"]) == (
        "none",
        False,
        True,
    )


def test_default_shop_is_the_first_that_charges_shipping() -> None:
    baseline = AppSettings(file=Path(__file__).resolve().parents[1] / "scenarios/baseline.toml")
    assert app.model_params(baseline)["shop"] == "middle"


def test_levers_map_to_the_scenario(small_scenario_file: Path) -> None:
    file = str(small_scenario_file)
    sets = ("shops.cheap.shipping_fee=8", "shops.cheap.strategies.free_shipping.threshold=70")
    model = app.LoyaltyApp(
        scenario_file=file,
        sets=sets,
        free_shipping="threshold",
        resolution_rate=0.9,
        tie_strength=0.6,
        positive_propensity=0.25,
        rng="7",
    )
    free = strategies_of(model)["free_shipping"]
    assert (free.config.eligibility, free.config.threshold) == ("threshold", 70.0)
    assert model.config.shops["cheap"].service.resolution_rate == 0.9
    assert model.config.network.tie_strength == 0.6
    assert model.config.experience.positive_propensity == 0.25
    assert model.config.variants == {}

    # "none" removes a free-shipping offer the scenario itself makes
    model = app.LoyaltyApp(
        scenario_file=file, sets=(*sets, 'shops.cheap.strategies.free_shipping.eligibility="all"')
    )
    assert "free_shipping" in strategies_of(model)
    model = app.LoyaltyApp(scenario_file=file, sets=sets, free_shipping="none")
    assert "free_shipping" not in strategies_of(model)

    # free shipping for members only exists with a membership programme
    model = app.LoyaltyApp(scenario_file=file, free_shipping="members", membership=False)
    assert set(strategies_of(model)) == {"free_shipping", "membership"}

    # the lever on one shop leaves the others alone
    model = app.LoyaltyApp(scenario_file=file, shop="dear", price=100.0, membership=True)
    assert model.config.shops["dear"].price == 100.0
    assert model.config.shops["cheap"].price == 60.0
    assert set(strategies_of(model)) == {"membership"}


def test_seed_and_warmup(small_scenario_file: Path) -> None:
    file = str(small_scenario_file)
    typed, given = (
        app.LoyaltyApp(scenario_file=file, rng="3"),
        app.LoyaltyApp(scenario_file=file, rng=3),
    )
    assert (typed.state.trust == given.state.trust).all()
    assert typed.state.experiences.sum() > 0  # the warm-up ran: customers have bought
    fresh = app.LoyaltyApp(scenario_file=file, warmup=False)
    assert fresh.day == 0 and fresh.state.experiences.sum() == 0
    with pytest.raises(app.UserError, match="random seed"):
        app.LoyaltyApp(scenario_file=file, rng="forty-two")
    with pytest.raises(app.UserError, match="free_shipping"):
        app.LoyaltyApp(scenario_file=file, free_shipping="sometimes")


def test_well_mixed_market_has_no_network_to_draw(small_scenario_file: Path) -> None:
    model = app.LoyaltyApp(
        scenario_file=str(small_scenario_file), sets=('network.kind="well_mixed"',)
    )
    assert model.adjacency is None
    texts = [t.get_text() for t in app.network_figure(model).axes[0].texts]
    assert any("Well-mixed" in t for t in texts)


def test_model_stops_at_the_scenarios_horizon(small_scenario_file: Path) -> None:
    model = app.LoyaltyApp(scenario_file=str(small_scenario_file), customers=200)
    while model.running:
        model.step()
    assert model.day == model.config.run.days == 40


def test_page_reads_its_settings_from_the_environment(
    settings: AppSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in AppSettings(settings.file, ("run.days=30",), "dear").environment().items():
        monkeypatch.setenv(name, value)
    assert AppSettings.from_environment() == AppSettings(settings.file, ("run.days=30",), "dear")
    _, rc = solara.render(solara.AppLayout(children=[app.Page()]), handle_error=False)
    assert "Levers on <strong>dear</strong>" in page_text(rc)
    button(rc, "Step").click()
    assert "Day 7 of 30" in page_text(rc)
    assert isinstance(app.page, solara.Element)


def test_command_rejects_bad_input(
    small_scenario_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["app", str(small_scenario_file.with_name("missing.toml"))]) == USAGE_ERROR
    assert "missing.toml" in capsys.readouterr().err
    assert main(["app", str(small_scenario_file), "--shop", "nope"]) == USAGE_ERROR
    assert "cheap, dear" in capsys.readouterr().err
    assert main(["app", str(small_scenario_file), "--set", "shops.cheap.price=-1"]) == USAGE_ERROR
    assert "shops.cheap.price" in capsys.readouterr().err


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_command_serves_the_app(small_scenario_file: Path) -> None:
    """``loyaltysim app`` starts solara on 127.0.0.1 and prints the URL; SIGTERM stops it."""
    port = _free_port()
    env = {**os.environ, "PYTHONNOUSERSITE": "1"}
    for name in (ENV_SCENARIO, ENV_SETS, ENV_SHOP):
        env.pop(name, None)
    command = [sys.executable, "-m", "loyaltysim.cli", "app", str(small_scenario_file)]
    process = subprocess.Popen(
        [*command, "--port", str(port), "--no-open"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        assert f"http://127.0.0.1:{port}/" in first and "sliders act on cheap" in first
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as reply:
                    assert reply.status == 200
                    break
            except OSError:
                assert process.poll() is None, "the server exited early"
                assert time.monotonic() < deadline, "the server did not answer within 60 s"
                time.sleep(0.3)
    finally:
        process.terminate()
        process.wait(timeout=20)
    with pytest.raises(OSError):
        urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2)


def test_page_assets_are_installed() -> None:
    """The `app` extra's pins: the Vue 2 front end, which solara-assets ships, is all there."""
    paths = assets.page_assets()
    assert assets.vue_major() == 2
    assert any(p.startswith("@widgetti/solara-vuetify-app@") for p in paths)
    assert not any("solara-vuetify3-app" in p for p in paths)
    assert "requirejs@2.3.6/require.js" in paths
    assert any(p.startswith("@widgetti/vue-grid-layout@") for p in paths)  # SolaraViz's grid
    assert assets.missing_assets() == []


def test_missing_assets_are_named(tmp_path: Path) -> None:
    paths = assets.page_assets()
    (tmp_path / paths[0]).parent.mkdir(parents=True)
    (tmp_path / paths[0]).write_text("")
    assert assets.missing_assets(tmp_path) == paths[1:]
    with pytest.raises(UserError) as error:
        assets.check_assets(tmp_path)
    message = str(error.value)
    assert str(tmp_path) in message and "solara-assets" in message and ".[app]" in message
    assert paths[0] not in message and all(p in message for p in paths[1:])


def test_command_refuses_to_start_without_assets(
    small_scenario_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    monkeypatch.setattr(assets, "cache_dir", lambda: tmp_path)
    assert main(["app", str(small_scenario_file), "--no-open"]) == USAGE_ERROR
    err = capsys.readouterr().err
    assert "browser files are missing" in err and "requirejs@2.3.6/require.js" in err
    assert "Traceback" not in err


def test_ipyvue_3_would_need_a_front_end_no_release_ships(monkeypatch: pytest.MonkeyPatch) -> None:
    """The blank page of issue 12: with ipyvue 3, solara asks for a Vue 3 bundle (5.2.0)."""
    real = assets.metadata.version
    monkeypatch.setattr(
        assets.metadata, "version", lambda name: "3.1.1" if name == "ipyvue" else real(name)
    )
    absent = assets.missing_assets()
    assert "@widgetti/solara-vuetify3-app@5.2.0/dist/solara-vuetify-app8.min.js" in absent
    assert not any(p.startswith("@widgetti/solara-vuetify-app@") for p in assets.page_assets())
    with pytest.raises(UserError, match="Vue 3 front end, which no solara-assets release"):
        assets.check_assets()
