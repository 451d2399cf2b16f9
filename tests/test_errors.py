"""Tests for loyaltysim.scenario.problems: user-facing problem reports, with lines."""

from __future__ import annotations

import pickle
import tomllib
from typing import Annotated, Literal

import pytest
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, field_validator

from loyaltysim.scenario.keypaths import known_keys_of
from loyaltysim.scenario.problems import (
    Problem,
    ScenarioError,
    problems_from_toml_error,
    problems_from_validation_error,
)

# --------------------------------------------------------------------------------------------
# Problem / ScenarioError
# --------------------------------------------------------------------------------------------


def test_problem_str() -> None:
    p = Problem("scenarios/x.toml", 12, "shops.alpha.price", "a number >= 0", "-5")
    assert str(p) == "scenarios/x.toml:12: shops.alpha.price: expected a number >= 0, given -5"
    q = Problem("x.toml", None, "name", "a value (this key is required)", "nothing")
    assert str(q) == "x.toml: name: expected a value (this key is required), given nothing"


def test_scenario_error_text_and_pickle() -> None:
    problems = [
        Problem("x.toml", 3, "a", "an integer", '"x" (text)'),
        Problem("x.toml", 7, "b", "a number >= 0", "-1"),
    ]
    err = ScenarioError(problems)
    lines = str(err).splitlines()
    assert lines[0] == "2 problems in x.toml:"
    assert str(problems[0]) in lines[1]
    assert str(problems[1]) in lines[2]
    assert str(ScenarioError(problems[:1])).startswith("1 problem in x.toml:")
    clone = pickle.loads(pickle.dumps(err))
    assert clone.problems == problems
    assert str(clone) == str(err)


# --------------------------------------------------------------------------------------------
# TOML syntax errors
# --------------------------------------------------------------------------------------------


def _toml_error(text: str) -> tomllib.TOMLDecodeError:
    with pytest.raises(tomllib.TOMLDecodeError) as info:
        tomllib.loads(text)
    return info.value


def test_toml_syntax_error_line() -> None:
    text = "a = 1\n[t]\nb = \nc = 3\n"
    (problem,) = problems_from_toml_error(_toml_error(text), "bad.toml", text)
    assert problem.line == 3
    assert problem.expected == "valid TOML"
    assert problem.given == "Invalid value"
    assert problem.path == ""
    assert str(problem) == "bad.toml:3: expected valid TOML, given Invalid value"


def test_toml_syntax_error_at_end_of_document() -> None:
    text = "a = 1\nb = [1,\n  2,\n"
    (problem,) = problems_from_toml_error(_toml_error(text), "bad.toml", text)
    assert "(at" not in problem.given
    assert problem.line is not None and problem.line >= 3


# --------------------------------------------------------------------------------------------
# Pydantic validation errors
# --------------------------------------------------------------------------------------------


class Strict(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", allow_inf_nan=False)


class Shop(Strict):
    price: float = Field(ge=0)
    stock: int
    margin: float = 0.1
    name: str = "shop"


class Event(Strict):
    day: int
    kind: Literal["sale", "outage"]

    @field_validator("day")
    @classmethod
    def _day_positive(cls, value: int) -> int:
        if value < 1:
            raise ValueError("a day number of 1 or more")
        return value


class Scenario(Strict):
    title: str
    seed: int
    shops: dict[str, Shop]
    events: list[Event] = []


BAD_SCENARIO = """\
title = "demo"
seed = 1

[shops.alpha]
price = "12"
stock = 3
colour = "red"

[shops.beta]
price = -5.0

[shops.gamma]
price = 1.0
stock = 2
margin = nan
"""


def _validation_error(model: type[BaseModel], data: object) -> ValidationError:
    with pytest.raises(ValidationError) as info:
        model.model_validate(data)
    return info.value


def test_validation_problems_exact() -> None:
    exc = _validation_error(Scenario, tomllib.loads(BAD_SCENARIO))
    problems = problems_from_validation_error(
        exc, "s.toml", BAD_SCENARIO, known_keys=known_keys_of(Scenario)
    )
    assert problems == [
        Problem("s.toml", 5, "shops.alpha.price", "a number", '"12" (text)'),
        Problem(
            "s.toml",
            7,
            "shops.alpha.colour",
            "one of the known keys: margin, name, price, stock",
            "unknown key 'colour'",
        ),
        # Missing key: reported at the line of its table header.
        Problem("s.toml", 9, "shops.beta.stock", "a value (this key is required)", "nothing"),
        Problem("s.toml", 10, "shops.beta.price", "a number >= 0", "-5.0"),
        Problem("s.toml", 15, "shops.gamma.margin", "a finite number (not nan or inf)", "nan"),
    ]
    text = str(ScenarioError(problems))
    assert text.startswith("5 problems in s.toml:\n")
    for problem in problems:
        assert str(problem) in text
    assert "s.toml:10: shops.beta.price: expected a number >= 0, given -5.0" in text


def test_validation_without_known_keys_and_missing_at_root() -> None:
    text = 'seed = 1\nshops = {}\ntitel = "x"\n'
    exc = _validation_error(Scenario, tomllib.loads(text))
    problems = problems_from_validation_error(exc, "s.toml", text)
    assert problems == [
        # A missing top-level key has no table line: reported at line 1, sorted first.
        Problem("s.toml", 1, "title", "a value (this key is required)", "nothing"),
        Problem("s.toml", 3, "titel", "no such key (check spelling)", "unknown key 'titel'"),
    ]
    assert str(problems[0]).startswith("s.toml:1: title: ")


def test_did_you_mean() -> None:
    text = 'title = "t"\nseed = 1\n[shops.a]\nprise = 1.0\nstock = 1\n'
    exc = _validation_error(Scenario, tomllib.loads(text))
    (p1, p2) = problems_from_validation_error(
        exc, "s.toml", text, known_keys=known_keys_of(Scenario)
    )
    assert (p1.line, p1.path, p1.expected) == (3, "shops.a.price", "a value (this key is required)")
    assert (p2.line, p2.path) == (4, "shops.a.prise")
    assert p2.given == "unknown key 'prise', did you mean 'price'?"


def test_array_of_tables_literal_and_custom_validator() -> None:
    text = """\
title = "t"
seed = 1
shops = {}

[[events]]
day = 3
kind = "sale"

[[events]]
day = 0
kind = "party"

[[events]]
kind = "outage"
"""
    exc = _validation_error(Scenario, tomllib.loads(text))
    problems = problems_from_validation_error(exc, "s.toml", text)
    assert [(p.line, p.path, p.expected, p.given) for p in problems] == [
        (10, "events[1].day", "a day number of 1 or more", "0"),
        (11, "events[1].kind", "one of: 'sale' or 'outage'", '"party"'),
        (13, "events[2].day", "a value (this key is required)", "nothing"),
    ]


def test_type_words_and_truncation() -> None:
    text = 'title = 5\nseed = 1.5\nshops = [1, 2]\nevents = {a = "' + "x" * 200 + '"}\n'
    exc = _validation_error(Scenario, tomllib.loads(text))
    got = {
        p.path: (p.line, p.expected, p.given)
        for p in problems_from_validation_error(exc, "s.toml", text)
    }
    assert got["title"] == (1, "text", "5 (an integer)")
    assert got["seed"] == (2, "an integer", "1.5 (a number)")
    assert got["shops"] == (3, "a table", "[1, 2] (a list)")
    line, expected, given = got["events"]
    assert (line, expected) == (4, "a list")
    assert given.endswith("(a table)") and "..." in given and len(given) < 80


# -- unions: pydantic labels must not leak into the user's key path ------------------------


def _cheap(shop: Shop) -> Shop:
    if shop.price > 100:
        raise ValueError("a price of at most 100")
    return shop


class Points(Strict):
    kind: Literal["points"]
    rate: float = Field(gt=0)


class Tiers(Strict):
    kind: Literal["tiers"]
    levels: int


class UnionScenario(Strict):
    shops: dict[str, Annotated[Shop, AfterValidator(_cheap)]]
    mechanisms: list[Annotated[Points | Tiers, Field(discriminator="kind")]]
    budget: int | float


UNION_DOC = """\
budget = "lots"

[shops.alpha]
price = 500.0
stock = 1

[shops.beta]
price = -1.0
stock = 1

[[mechanisms]]
kind = "points"
rate = 0

[[mechanisms]]
kind = "stamps"

[[mechanisms]]
kind = "tiers"
levels = 3
extra = 1
"""


def test_union_labels_are_removed() -> None:
    exc = _validation_error(UnionScenario, tomllib.loads(UNION_DOC))
    raw_locs = [e["loc"] for e in exc.errors()]
    assert any("points" in loc for loc in raw_locs)  # pydantic does insert tag labels
    problems = problems_from_validation_error(exc, "u.toml", UNION_DOC)
    assert [(p.line, p.path, p.expected, p.given) for p in problems] == [
        (1, "budget", "an integer or a number", '"lots" (text)'),
        (3, "shops.alpha", "a price of at most 100", "{price = 500.0, stock = 1}"),
        (8, "shops.beta.price", "a number >= 0", "-1.0"),
        (13, "mechanisms[0].rate", "a number > 0", "0"),
        (16, "mechanisms[1].kind", "one of: 'points', 'tiers'", '"stamps"'),
        (21, "mechanisms[2].extra", "no such key (check spelling)", "unknown key 'extra'"),
    ]


def test_union_of_model_and_scalar_drops_noise() -> None:
    class Flexible(Strict):
        shop: Shop | int

    text = "[shop]\nprice = -2.0\nstock = 1\n"
    exc = _validation_error(Flexible, tomllib.loads(text))
    problems = problems_from_validation_error(exc, "f.toml", text)
    # The `int` branch's "expected an integer, given a table" is noise and is dropped.
    assert [(p.line, p.path, p.expected) for p in problems] == [(2, "shop.price", "a number >= 0")]


# -- sub-documents: prefix, locate, known_keys_of ------------------------------------------


def test_prefix_for_sub_document() -> None:
    text = 'title = "t"\n\n[variants.cheap.shops.alpha]\nprice = -3.0\nstok = 1\n'
    sub = tomllib.loads(text)["variants"]["cheap"]

    class Overrides(Strict):
        shops: dict[str, Shop]

    exc = _validation_error(Overrides, sub)
    problems = problems_from_validation_error(
        exc,
        "v.toml",
        text,
        prefix=("variants", "cheap"),
        known_keys=known_keys_of(Overrides),
    )
    assert [(p.line, p.path, p.expected, p.given) for p in problems] == [
        (
            3,
            "variants.cheap.shops.alpha.stock",
            "a value (this key is required)",
            "nothing",
        ),
        (4, "variants.cheap.shops.alpha.price", "a number >= 0", "-3.0"),
        (
            5,
            "variants.cheap.shops.alpha.stok",
            "one of the known keys: margin, name, price, stock",
            "unknown key 'stok', did you mean 'stock'?",
        ),
    ]


def test_custom_locate_and_data() -> None:
    text = "[base.shops.alpha]\nprice = 1.0\nstock = 1\n\n[variant]\n'shops.alpha.price' = -1.0\n"
    merged = {"shops": {"alpha": {"price": -1.0, "stock": 1}}}
    seen: list[tuple] = []

    def locate(path: tuple) -> int | None:
        seen.append(path)
        return 6

    class Base(Strict):
        shops: dict[str, Shop]

    exc = _validation_error(Base, merged)
    (problem,) = problems_from_validation_error(
        exc, "m.toml", text, prefix=("variant",), locate=locate, data=merged
    )
    assert seen == [("variant", "shops", "alpha", "price")]
    assert (problem.line, problem.path) == (6, "variant.shops.alpha.price")


def test_known_keys_of() -> None:
    known = known_keys_of(UnionScenario)
    assert known(()) == ["budget", "mechanisms", "shops"]
    assert known(("shops", "any-name")) == ["margin", "name", "price", "stock"]
    assert known(("mechanisms", 0)) == ["kind", "levels", "rate"]
    assert known(("budget",)) == []


def test_closest_prefers_fewest_edits_and_serves_sweep_paths_too():
    from loyaltysim.scenario.wording import closest

    assert closest("prise", ["promise", "price", "quality"]) == "price"
    assert closest("zzz", ["price"]) is None
