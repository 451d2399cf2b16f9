"""Shop and segment parameter arrays are generated from the schema: one field, one array."""

from __future__ import annotations

import numpy as np
from pydantic import Field

from loyaltysim import load_scenario
from loyaltysim.engine.params import SegmentArrays, ShopArrays
from loyaltysim.scenario.schema import Segment, Service, Shop


def _scenario():
    return load_scenario("scenarios/baseline.toml")


def test_arrays_match_the_shops_and_their_regions():
    scenario = _scenario()
    params = ShopArrays.from_scenario(scenario)
    shops = list(scenario.shops.values())
    regions = list(scenario.market.regions.items())
    assert params.names == list(scenario.shops)
    assert params.price.tolist() == [s.price for s in shops]
    assert params.recovery.tolist() == [s.service.recovery for s in shops]
    assert params.on_time.shape == (len(shops), len(regions))
    assert params.tracking.dtype == bool
    first, (region, info) = shops[0], regions[-1]
    assert params.on_time[0, -1] == first.courier_for(region).on_time
    assert params.shipping_fee[0, -1] == first.shipping_fee * info.shipping_factor
    lead = first.courier_for(region).dispatch_days + info.delivery_days
    assert params.lead_days[0, -1] == lead
    assert params.promise.tolist() == [s.described_quality for s in shops]
    assert params.talk_boost.tolist() == [1.0] * len(shops)


def test_a_new_schema_field_is_a_new_array():
    """Adding a shop parameter (or a service one) needs no edit in the engine."""

    class RicherService(Service):
        apology_rate: float = Field(0.25)

    class RicherShop(Shop):
        gift_wrap_rate: float = Field(0.5)
        service: RicherService = Field(default_factory=RicherService)

    scenario = _scenario()
    shops = {
        name: RicherShop(
            **{k: v for k, v in shop.model_dump().items() if k != "service"},
            gift_wrap_rate=0.1 * (i + 1),
        )
        for i, (name, shop) in enumerate(scenario.shops.items())
    }
    params = ShopArrays.from_scenario(scenario.model_copy(update={"shops": shops}))
    np.testing.assert_allclose(params.gift_wrap_rate, [0.1 * (i + 1) for i in range(len(shops))])
    assert params.apology_rate.tolist() == [0.25] * len(shops)
    assert params.price.tolist() == [s.price for s in scenario.shops.values()]


def test_an_unknown_name_says_it_is_not_in_the_schema():
    params = ShopArrays.from_scenario(_scenario())
    try:
        params.gift_wrap_rate  # noqa: B018
    except AttributeError as error:
        assert "not a field of the Shop schema" in str(error)
    else:
        raise AssertionError("expected AttributeError")


def test_a_new_segment_field_is_a_new_array():
    """Adding a segment parameter needs no edit in the engine; unset keys mean what they say."""

    class RicherSegment(Segment):
        impulse_rate: float = Field(0.02)

    scenario = load_scenario("scenarios/baby_products.toml")
    # the file sets an NBD shape; leave it out so that the schema's default is what comes back
    segments = {
        name: RicherSegment(
            **segment.model_dump(exclude={"purchase_rate_shape"}), impulse_rate=0.01 * (i + 1)
        )
        for i, (name, segment) in enumerate(scenario.market.segments.items())
    }
    market = scenario.market.model_copy(update={"segments": segments})
    arrays = SegmentArrays.from_scenario(scenario.model_copy(update={"market": market}))
    np.testing.assert_allclose(arrays.impulse_rate, [0.01, 0.02, 0.03])
    assert arrays.names == list(segments)
    assert arrays.purchase_rate.tolist() == [s.purchase_rate for s in segments.values()]
    # unset optional keys: equal rates (inf shape), no dropout; stages end, the last leaves
    assert np.isinf(arrays.purchase_rate_shape).all() and (arrays.dropout_a == 0).all()
    assert arrays.duration_days.tolist() == [s.duration_days for s in segments.values()]
    assert arrays.next_segment.tolist() == [1, 2, -1]
