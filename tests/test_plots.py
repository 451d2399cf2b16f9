"""Every plot function draws on the Axes it is given, returns it, and draws what it says."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import LineCollection, PathCollection, PolyCollection
from matplotlib.container import BarContainer

from loyaltysim import plots
from loyaltysim.analysis.customer_base import acquired, cohort_matrix, gini
from loyaltysim.plots.snapshot import snowball_sample
from viz_helpers import sensitivity_table

#: The tiny run: 400 customers, 90 recorded days (three whole months), 2 replications.
TINY = ["market.customers=400", "run.days=90"]
SHOPS = ["cheap", "dear"]


@pytest.fixture(scope="module")
def tiny(tmp_path_factory, write_scenario):
    from loyaltysim import load_scenario, run

    file = write_scenario(tmp_path_factory.mktemp("tiny") / "small.toml")
    return run(load_scenario(file, TINY))


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def new_ax():
    return plt.subplots()[1]


def bar_groups(ax):
    """The BarContainers of an Axes (error bars add ErrorbarContainers beside them)."""
    return [c for c in ax.containers if isinstance(c, BarContainer)]


def shop_lines(ax):
    return [line for line in ax.get_lines() if str(line.get_label()) in SHOPS]


# --------------------------------------------------------------------------- over time
def test_market_share_has_a_line_and_band_per_shop(tiny):
    ax = new_ax()
    assert plots.plot_market_share(tiny.timeseries, "tracking", ax=ax) is ax
    lines = shop_lines(ax)
    assert [line.get_label() for line in lines] == SHOPS
    assert len(ax.collections) == 2  # the 95% bands
    total = sum(line.get_ydata() for line in lines)
    np.testing.assert_allclose(total, 100, atol=1e-9)  # shares in % add up to 100
    assert "%" in ax.get_ylabel() and "tracking" in ax.get_title()


@pytest.mark.parametrize("figure", ["mean_satisfaction", "mean_trust"])
def test_attitude_over_time(tiny, figure):
    ax = new_ax()
    assert plots.plot_attitude(tiny.timeseries, figure, ax=ax) is ax
    lines = shop_lines(ax)
    assert len(lines) == 2
    assert all(((line.get_ydata() >= 0) & (line.get_ydata() <= 1)).all() for line in lines)


def test_kaplan_meier_retention(tiny):
    ax = new_ax()
    assert plots.plot_retention(tiny.retention, ax=ax) is ax
    lines = shop_lines(ax)
    assert len(lines) == 2
    assert all(line.get_ydata()[0] == pytest.approx(100) for line in lines)
    assert not ax.texts  # no lapse given: no mark


def test_retention_marks_the_lapse_that_counts_a_customer_lost(tiny):
    ax = plots.plot_retention(tiny.retention, lapse_days=30, ax=new_ax())
    marks = [line for line in ax.get_lines() if line.get_linestyle() == ":"]
    assert [list(m.get_xdata()) for m in marks] == [[30, 30]]
    assert [t.get_text() for t in ax.texts] == ["30 days without\nan order = lost"]
    # a lapse beyond the recorded days cannot show a step: no mark
    assert not plots.plot_retention(tiny.retention, lapse_days=500, ax=new_ax()).texts


def test_variant_panels_share_their_y_axes(tiny):
    """Base and variant panels of a page: the same height means the same value."""
    from loyaltysim.plots.pages import run_pages

    pages = run_pages(tiny.timeseries, tiny.retention, tiny.summary, tiny.customers, 90, 30)
    try:
        for page in pages:
            if page.name in ("variant_comparison.png", "cohort_retention.png"):
                continue  # one panel per figure, and a shared colour scale instead
            fig = page.figure
            rows = {}
            for ax in fig.axes:
                if ax.get_subplotspec() is not None:
                    rows.setdefault(ax.get_subplotspec().rowspan.start, []).append(ax)
            for row in rows.values():
                assert len(row) == 2, page.name  # base and tracking
                assert row[0].get_ylim() == row[1].get_ylim(), page.name
            if page.name == "retention.png":
                assert "after 30 days without an order" in page.caption
    finally:
        plt.close("all")


def test_panels_take_the_union_of_their_ranges():
    from loyaltysim.plots.pages import share_rows

    _, grid = plt.subplots(1, 2, squeeze=False)
    grid[0, 0].set_ylim(15, 50)
    grid[0, 1].set_ylim(25, 45)
    share_rows(grid)
    assert grid[0, 0].get_ylim() == grid[0, 1].get_ylim() == (15, 50)


def test_word_of_mouth_mirrors_negative_messages(tiny):
    ax = new_ax()
    assert plots.plot_word_of_mouth(tiny.timeseries, ax=ax) is ax
    labels = {str(line.get_label()): line for line in ax.get_lines()}
    for shop in SHOPS:
        assert (labels[f"{shop} positive"].get_ydata() >= 0).all()
        assert (labels[f"{shop} negative"].get_ydata() <= 0).all()
    assert len(ax.collections) == 4  # a band per shop and sign
    # Day 0's value is that day's mean over replications (a 30-day window holds one day).
    data = tiny.timeseries.query("variant == 'base' and day == 0 and shop == 'cheap'")
    assert labels["cheap negative"].get_ydata()[0] == pytest.approx(-data["wom_negative"].mean())


def test_unknown_variant_is_a_clear_error(tiny):
    with pytest.raises(ValueError, match=r"variant 'nope'.*base, tracking"):
        plots.plot_market_share(tiny.timeseries, "nope", ax=new_ax())


# --------------------------------------------------------------------------- customer base
@pytest.mark.parametrize("figure", ["satisfaction", "trust"])
def test_attitude_distribution_has_a_violin_per_shop(tiny, figure):
    ax = new_ax()
    assert plots.plot_attitude_distribution(tiny.customers, figure, ax=ax) is ax
    violins = [c for c in ax.collections if isinstance(c, PolyCollection)]
    assert len(violins) == 2
    ticks = [t.get_text() for t in ax.get_xticklabels()]
    assert [t.split("\n")[0] for t in ticks] == SHOPS
    means = next(c for c in ax.collections if isinstance(c, PathCollection)).get_offsets()
    rows = tiny.customers.query("variant == 'base' and shop == 'cheap' and experiences > 0")
    rows = rows[rows["left"].isna()]
    assert means[0][1] == pytest.approx(rows[figure].mean())


def test_attitude_distribution_rejects_other_figures(tiny):
    with pytest.raises(ValueError, match="satisfaction"):
        plots.plot_attitude_distribution(tiny.customers, "spend", ax=new_ax())


def test_lorenz_runs_from_origin_to_one_and_names_gini(tiny):
    ax = new_ax()
    assert plots.plot_lorenz(tiny.customers, ax=ax) is ax
    curves = [line for line in ax.get_lines() if "Gini" in str(line.get_label())]
    assert len(curves) == 2
    for line in curves:
        x, y = line.get_xdata(), line.get_ydata()
        assert (x[0], y[0]) == (0, 0) and (x[-1], y[-1]) == (100, 100)
        assert (np.diff(y) >= 0).all() and (y <= x + 1e-9).all()  # below the diagonal
        assert "top 20% bring" in str(line.get_label())


def test_large_customer_bases_are_drawn_from_a_subset_but_summarised_in_full():
    rng = np.random.default_rng(2)
    n = 30_000
    customers = pd.DataFrame(
        {
            "variant": "base",
            "shop": pd.Categorical(["a"] * n),
            "spend": rng.lognormal(4, 1, n),
            "margin": rng.normal(50, 30, n),
            "first_order_day": pd.array(rng.integers(0, 365, n), dtype="Int32"),
        }
    )
    ax = plots.plot_lorenz(customers, ax=new_ax())
    (curve,) = [line for line in ax.get_lines() if "Gini" in str(line.get_label())]
    assert len(curve.get_xdata()) == 1001
    assert curve.get_ydata()[0] == 0 and curve.get_ydata()[-1] == pytest.approx(100)
    assert f"Gini {gini(customers['spend']):.2f}" in str(curve.get_label())
    ax = plots.plot_clv_distribution(customers, ax=new_ax())
    means = next(c for c in ax.collections if isinstance(c, PathCollection)).get_offsets()
    assert means[0][1] == pytest.approx(customers["margin"].mean())


def test_clv_distribution_mean_is_the_margin_per_acquired_customer(tiny):
    ax = new_ax()
    assert plots.plot_clv_distribution(tiny.customers, "tracking", ax=ax) is ax
    assert len([c for c in ax.collections if isinstance(c, PolyCollection)]) == 2
    means = next(c for c in ax.collections if isinstance(c, PathCollection)).get_offsets()
    rows = tiny.customers.query("variant == 'tracking' and shop == 'dear'")
    assert means[1][1] == pytest.approx(rows.loc[acquired(rows), "margin"].mean())


def test_cohort_triangle_shape_and_values(tiny):
    ax = new_ax()
    assert plots.plot_cohort_triangle(tiny.customers, 90, "cheap", ax=ax) is ax
    image = ax.get_images()[0].get_array()
    # Three whole months: cohorts 0 and 1 can be followed 1-2 and 1 months (month 0 left out).
    assert image.shape == (2, 2)
    rows = tiny.customers.query("variant == 'base' and shop == 'cheap'")
    expected = 100 * cohort_matrix(rows, 90).share.iloc[:2, 1:].to_numpy()
    np.testing.assert_allclose(image.filled(np.nan), expected)
    assert image.mask[1, 1]  # the triangle's blank corner


def test_cohort_triangle_of_a_short_run_says_why_it_is_empty(tiny):
    ax = new_ax()
    plots.plot_cohort_triangle(tiny.customers, 45, "cheap", ax=ax)
    assert not ax.get_images()
    assert "fewer than two whole months" in ax.texts[0].get_text()


def test_cohort_retention_curves(tiny):
    ax = new_ax()
    assert plots.plot_cohort_retention(tiny.customers, 90, "dear", ax=ax) is ax
    lines = ax.get_lines()
    assert [str(line.get_label()).split(" (")[0] for line in lines] == ["month 0", "month 1"]
    assert lines[0].get_ydata()[0] == 100  # month 0 of a cohort: everyone ordered


# --------------------------------------------------------------------------- comparison
def test_variant_comparison_bars_with_intervals(tiny):
    ax = new_ax()
    assert plots.plot_variant_comparison(tiny.summary, "market_share", ax=ax) is ax
    bars = bar_groups(ax)
    assert len(bars) == 2  # one bar container per variant
    assert all(len(c.patches) == 2 for c in bars)  # a bar per shop
    rows = tiny.summary.query("figure == 'market_share' and variant == 'tracking'")
    heights = [bar.get_height() for bar in bars[1]]
    np.testing.assert_allclose(heights, 100 * rows["mean"].to_numpy())
    assert "%" in ax.get_ylabel()


def test_variant_comparison_of_unknown_figure(tiny):
    with pytest.raises(ValueError, match="no figure 'nope'"):
        plots.plot_variant_comparison(tiny.summary, "nope", ax=new_ax())


# --------------------------------------------------------------------------- sensitivity
def test_sobol_index_bars_sorted_by_total_index():
    ax = new_ax()
    assert plots.plot_sensitivity_indices(sensitivity_table(), "retention", ax=ax) is ax
    bars = bar_groups(ax)
    assert [len(c.patches) for c in bars] == [3, 3]
    names = [t.get_text() for t in ax.get_xticklabels()]
    assert names == ["a: courier on time", "a: price", "network: tie strength"]  # in words
    assert [p.get_height() for p in bars[1].patches] == [0.60, 0.15, 0.02]


def test_morris_bars_and_method_is_picked_from_the_table():
    ax = plots.plot_sensitivity_indices(sensitivity_table(), "profit", ax=new_ax())
    assert "Morris" in ax.get_title()
    assert [p.get_height() for p in bar_groups(ax)[0].patches] == [90.0, 40.0]


def test_tornado_puts_the_most_influential_parameter_on_top():
    ax = new_ax()
    assert plots.plot_tornado(sensitivity_table(), "retention", ax=ax) is ax
    labels = [t.get_text() for t in ax.get_yticklabels()]
    top = labels[int(np.argmax(ax.get_yticks()))]
    assert top == "a: courier on time"
    total, first = bar_groups(ax)
    by_height = sorted(total.patches, key=lambda p: -p.get_y())  # top bar first
    assert [p.get_width() for p in by_height] == [0.60, 0.15, 0.02]
    assert sorted(p.get_width() for p in first.patches) == [0.01, 0.10, 0.50]
    ax = plots.plot_tornado(sensitivity_table(), "profit", top=1, ax=new_ax())
    assert [t.get_text() for t in ax.get_yticklabels()] == ["a: courier on time"]


def test_rbd_fast_has_first_order_bars_only():
    ax = plots.plot_sensitivity_indices(sensitivity_table(), "share", ax=new_ax())
    assert [[p.get_height() for p in c.patches] for c in bar_groups(ax)] == [[0.30, 0.05]]
    assert "RBD-FAST" in ax.get_title()
    ax = plots.plot_tornado(sensitivity_table(), "share", ax=new_ax())
    assert len(bar_groups(ax)) == 1


def test_grid_response_in_words_and_within_0_to_100_percent():
    """A share's band stays inside 0-100% (the logit-scale interval) and axes are in words."""
    from loyaltysim.experiment.sensitivity_plots import plot_response

    points = pd.DataFrame(
        {
            "output": ["middle.retention"] * 2,
            "shops.middle.shipping_fee": [0.0, 5.0],
            "mean": [0.97, 0.5],
            "ci_low": [0.97 - 0.035768, 0.4],
            "ci_high": [0.97 + 0.035768, 0.6],
            "replications": [4, 4],
        }
    )
    ax = plot_response(points, "middle.retention", "shops.middle.shipping_fee", ax=new_ax())
    assert ax.get_xlabel() == "middle: shipping fee"
    assert ax.get_ylabel() == "middle: retention (%)"
    (line,) = ax.get_lines()
    assert list(line.get_ydata()) == pytest.approx([97.0, 50.0])
    (band,) = ax.collections
    top = band.get_paths()[0].vertices[:, 1].max()
    assert top == pytest.approx(99.10, abs=0.01)  # not 100.58, the t interval's bound


def test_sensitivity_errors_name_what_exists():
    with pytest.raises(ValueError, match="there are: retention, profit, share"):
        plots.plot_tornado(sensitivity_table(), "clv", ax=new_ax())
    with pytest.raises(ValueError, match="no morris rows"):
        plots.plot_tornado(sensitivity_table(), "retention", method="morris", ax=new_ax())


# --------------------------------------------------------------------------- network
def test_snowball_sample_takes_connected_active_customers():
    from loyaltysim.engine.network import small_world

    adj = small_world(200, 4, 0.0, np.random.default_rng(0))  # a ring lattice
    active = np.ones(200, bool)
    active[::7] = False
    sample = snowball_sample(adj, active, 30, np.random.default_rng(1))
    assert sample.size == 30 == np.unique(sample).size
    assert active[sample].all()
    everyone = snowball_sample(adj, active, 10_000, np.random.default_rng(1))
    np.testing.assert_array_equal(everyone, np.flatnonzero(active))


def test_network_snapshot_draws_the_sample_and_leaves_the_model_alone(small_scenario):
    from loyaltysim import LoyaltyModel, variant_of

    model = LoyaltyModel(variant_of(small_scenario, "base"), rng=5)
    for _ in range(15):
        model.step()
    before = model.rng.bit_generator.state
    ax = new_ax()
    assert plots.plot_network_snapshot(model, size=120, ax=ax) is ax
    assert model.rng.bit_generator.state == before
    nodes = next(c for c in ax.collections if isinstance(c, PathCollection))
    assert len(nodes.get_offsets()) == 120
    edges = next(c for c in ax.collections if isinstance(c, LineCollection))
    assert len(edges.get_segments()) > 60  # a snowball keeps ties between those drawn
    sizes = nodes.get_sizes()
    assert sizes.min() >= 8 and sizes.max() <= 128


def test_plot_functions_make_their_own_axes(tiny):
    ax = plots.plot_lorenz(tiny.customers)
    assert ax.figure is not None and ax.get_title()
