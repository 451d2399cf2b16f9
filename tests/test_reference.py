"""docs/scenario-reference.md is generated from the schema and must be up to date."""

from pathlib import Path

from loyaltysim.scenario.reference import reference

DOC = Path(__file__).resolve().parents[1] / "docs" / "scenario-reference.md"


def test_reference_is_current() -> None:
    assert DOC.read_text(encoding="utf-8") == reference() + "\n", (
        "regenerate with: .venv/bin/python -m loyaltysim.scenario.reference"
    )


def test_reference_covers_every_strategy_and_event() -> None:
    text = reference()
    for key in (
        "membership",
        "free_shipping",
        "promotions",
        "care",
        "service",
        "logistics",
        "privacy",
        "community",
        "crm",
    ):
        assert f"### `shops.<name>.strategies.{key}`" in text
    for kind in (
        "festival",
        "courier_disruption",
        "data_breach",
        "shop_entry",
        "price_war",
        "product_recall",
    ):
        assert f"### `[[events]] {kind}`" in text


def test_the_one_schema_walk() -> None:
    """keypaths walks the annotations for the reference, did-you-mean and sweeps alike."""
    from loyaltysim.scenario.keypaths import known_keys_of, leaf_types, models_in, names_at
    from loyaltysim.scenario.schema import Courier, CourierOverride, Scenario, Shop

    assert models_in(Scenario.model_fields["shops"].annotation) == [Shop]
    assert models_in(Shop.model_fields["courier_by_region"].annotation) == [CourierOverride]
    assert models_in(Shop.model_fields["courier"].annotation) == [Courier]
    assert [
        names_at(p) for p in [("shops",), ("shops", "a"), ("market", "regions"), ("variants",)]
    ] == [
        True,
        False,
        True,
        True,
    ]
    assert leaf_types(("run", "days")) == {int}
    assert leaf_types(("shops", "a", "courier", "mean_delay_days")) == {float}
    assert leaf_types(("network", "kind")) == {str}
    assert known_keys_of(Scenario)(("run",)) == [
        "days",
        "replications",
        "seed",
        "start_date",
        "warmup_days",
    ]
