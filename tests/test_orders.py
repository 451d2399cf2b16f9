"""The transaction log: one row per order, agreeing with the day's ledger; orders.parquet."""

import numpy as np
import pytest

from loyaltysim import run
from loyaltysim.engine.model import LoyaltyModel
from loyaltysim.engine.records import customer_records
from loyaltysim.experiment.orders import read_orders
from loyaltysim.scenario import load_scenario, validate


def logged_run(scenario, days: int, seed: int = 4):
    """Run ``days`` days with the log on; return the model, the log and the summed ledger."""
    model = LoyaltyModel(scenario, rng=seed, create_agents=False, log_orders=True)
    sums: dict[str, np.ndarray] = {}
    for _ in range(days):
        model.step()
        for name, values in model.ledger.values.items():
            sums[name] = sums.get(name, 0.0) + values
    model.order_log.record(model.parcels.pop_all())
    return model, model.order_log.take(), sums


def test_every_order_is_logged_once_with_what_the_ledger_booked(small_scenario):
    _, log, sums = logged_run(small_scenario, 60)
    names = list(small_scenario.shops)
    per_shop = log.groupby("shop", observed=False).size().reindex(names).to_numpy()
    np.testing.assert_array_equal(per_shop, sums["orders"])
    money = log.assign(paid=log.goods + log.fee).groupby("shop", observed=False)["paid"].sum()
    np.testing.assert_allclose(money.reindex(names).to_numpy(), sums["revenue"])
    discounts = log.groupby("shop", observed=False)["discount"].sum().reindex(names)
    np.testing.assert_allclose(discounts.to_numpy(), sums["discounts"])
    # complaints are known once delivered; the ledger counts them on the delivery day
    complaints = log.groupby("shop", observed=False)["complaint"].sum().reindex(names)
    np.testing.assert_array_equal(complaints.to_numpy(), sums["complaints"])
    lost = (log.outcome == "lost").groupby(log.shop, observed=False).sum().reindex(names)
    np.testing.assert_array_equal(lost.to_numpy(), sums["lost"])
    # a customer orders at most once a day
    assert not log.duplicated(["customer", "day"]).any()
    assert set(log.outcome.cat.categories) == {"on_time", "late", "damaged", "lost"}


def test_the_log_does_not_change_the_simulation(small_scenario):
    plain = LoyaltyModel(small_scenario, rng=4, create_agents=False)
    logged = LoyaltyModel(small_scenario, rng=4, create_agents=False, log_orders=True)
    for _ in range(40):
        plain.step()
        logged.step()
        for name, values in plain.ledger.values.items():
            np.testing.assert_array_equal(values, logged.ledger.values[name], err_msg=name)


def test_dropout_after_the_first_repeat_purchase_only():
    # a per-purchase dropout chance of (almost) 1: every customer buys twice at most (the
    # first purchase in the category never ends it, the first repeat does)
    scenario = validate(
        {
            "run": {"days": 200, "warmup_days": 0, "seed": 1},
            "market": {
                "customers": 300,
                "outside_utility": -5.0,
                "segments": {
                    "all": {
                        "share": 1.0,
                        "purchase_rate": 0.2,
                        "dropout_a": 1e6,
                        "dropout_b": 1e-6,
                    }
                },
            },
            "shops": {
                "a": {"price": 50.0, "quality": 0.7, "unit_cost": 30.0, "initial_awareness": 1.0},
                "b": {"price": 55.0, "quality": 0.7, "unit_cost": 30.0, "initial_awareness": 1.0},
            },
        }
    )
    model, log, _ = logged_run(scenario, 200)
    per_customer = log.groupby("customer").size()
    assert per_customer.max() == 2
    # at 0.2 a day for 200 days nearly everyone gets to a repeat: P(fewer than 2 needs)
    # is tiny, so nearly all are gone from the category
    assert (per_customer == 2).mean() > 0.95
    alive = model.state.alive[model.state.active]
    assert (~alive).sum() == (per_customer == 2).sum()


def test_gamma_rates_spread_the_purchases():
    # shape 0.5: purchases per customer are NBD (variance mean + mean^2 / shape), far above
    # the Poisson variance of equal rates
    def counts(shape):
        segment = {"share": 1.0, "purchase_rate": 0.05}
        if shape is not None:
            segment["purchase_rate_shape"] = shape
        scenario = validate(
            {
                "run": {"days": 200, "warmup_days": 0, "seed": 1},
                "market": {"customers": 2000, "outside_utility": -5.0, "segments": {"x": segment}},
                "shops": {
                    "a": {
                        "price": 50.0,
                        "quality": 0.7,
                        "unit_cost": 30.0,
                        "initial_awareness": 1.0,
                    }
                },
            }
        )
        model, log, _ = logged_run(scenario, 200)
        uids = model.state.uid[model.state.active]
        return log.groupby("customer").size().reindex(uids, fill_value=0)

    equal, spread = counts(None), counts(0.5)
    # mean ~ 200 x 0.05 = 10 either way (the choice almost always buys); heavy buyers have
    # more experiences, so more chances to churn, and the spread mean runs 0.4-1.0 below the
    # equal one (seeds 4-8, before and after the keyed draws)
    assert abs(equal.mean() - spread.mean()) < 1.5
    assert equal.var() < 1.5 * equal.mean()  # about Poisson
    # NBD: 10 + 100 / 0.5 = 210; allow wide sampling error on a heavy-tailed variance
    assert spread.var() > 10 * equal.var()


def test_orders_parquet_in_the_result_folder(small_scenario_file, tmp_path):
    result = run(small_scenario_file, tmp_path / "out")
    orders = read_orders(tmp_path / "out")
    assert list(orders.columns[:4]) == ["replication", "variant", "customer", "shop"]
    recorded = orders[orders.day >= 0]
    totals = result.replications.groupby(["variant", "replication"])["orders"].sum()
    logged = recorded.astype({"variant": str}).groupby(["variant", "replication"]).size()
    assert logged.sort_index().to_dict() == totals.sort_index().astype(int).to_dict()
    assert orders.complaint.isna().sum() > 0  # parcels still on their way at the end
    assert "orders.parquet" in (tmp_path / "out" / "meta.json").read_text()


def test_orders_can_be_switched_off(small_scenario_file, tmp_path):
    scenario = load_scenario(small_scenario_file, overrides={"output.orders": False})
    run(scenario, tmp_path / "out")
    assert not (tmp_path / "out" / "orders.parquet").exists()
    with pytest.raises(FileNotFoundError):
        read_orders(tmp_path / "out")


def test_members_orders_and_records_carry_tier_and_points(small_scenario_file):
    # everyone who buys at "dear" joins; a point per unit of goods, rewards out of reach, so
    # a member's points after an order are the goods of its orders so far
    scenario = load_scenario(
        small_scenario_file,
        overrides=[
            "shops.dear.strategies.membership.join_share=1.0",
            "shops.dear.strategies.membership.reward_points=1e9",
            "shops.dear.strategies.membership.tiers="
            '[{name="basic", spend=0.0}, {name="vip", spend=150.0, discount=0.0}]',
        ],
    )
    model, log, _ = logged_run(scenario, 60)
    dear, cheap = log[log.shop == "dear"], log[log.shop == "cheap"]
    assert list(log.tier.cat.categories) == ["basic", "vip"]
    assert cheap.tier.isna().all() and cheap.points.isna().all()
    assert dear.tier.notna().all()
    dear = dear.sort_values(["customer", "day"])
    np.testing.assert_allclose(dear.points, dear.groupby("customer").goods.cumsum())
    # the tier follows the spend: vip from 150 of goods on
    np.testing.assert_array_equal(dear.tier == "vip", dear.points >= 150.0)
    records = customer_records(
        model.state,
        model.departed,
        list(scenario.shops),
        model.segments.names,
        model.regions,
        model.standings.of,
        model.standings.labels,
    )
    # the records keep the standing at the end, or when a customer left (before forgetting)
    at_dear = records[records.shop == "dear"].set_index("customer")
    last = dear.groupby("customer").points.last()
    assert records.left.notna().any()
    np.testing.assert_allclose(at_dear.points.loc[last.index], last)
    assert records[records.shop == "cheap"].points.isna().all()


def test_a_large_market_writes_its_log_by_orders_not_only_by_weeks(small_scenario, tmp_path):
    # CHUNK_ORDERS bounds what the log holds: a row group of at most that many orders
    # (and the last days' parcels at the close), the same rows as four-weekly chunks
    import pyarrow.parquet as pq

    from loyaltysim.experiment import orders

    def logged(path):
        model = LoyaltyModel(small_scenario, rng=4, create_agents=False, log_orders=True)
        orders.run_model(model, 60, orders.OrderWriter(path, "base", 0))
        return pq.ParquetFile(path)

    weekly = logged(tmp_path / "weekly.parquet")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(orders, "CHUNK_ORDERS", 50)
        small = logged(tmp_path / "small.parquet")
    assert small.metadata.num_row_groups > weekly.metadata.num_row_groups + 2
    sizes = [small.metadata.row_group(g).num_rows for g in range(small.metadata.num_row_groups)]
    assert max(sizes[:-1]) < 50 + 40  # a day's orders past the bound at most
    assert small.read().equals(weekly.read())
