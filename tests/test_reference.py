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
