"""rmlkit.assumptions: one analysis re-run across the range of one assumption."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from rmlkit.assumptions import AssumptionSweep, assumption_range, sweep
from rmlkit.datasets import ASSUMPTIONS


def placed_by_group(data):
    """Placement rate of screened-in Black and White children, and their ratio."""
    screened = data.observed[data.observed["screened_in"]]
    rate = screened.groupby("race_ethnicity", observed=True)["placed_2y"].mean()
    return {"Black": rate["Black"], "White": rate["White"],
            "ratio": rate["Black"] / rate["White"]}


def table(values, estimates, quantity="gain", default=None):
    rows = pd.DataFrame({"assumption": "a", "assumption_value": values, "quantity": quantity,
                         "estimate": estimates, "is_default": False})
    return AssumptionSweep("a", default, None, rows)


def test_every_registered_assumption_has_a_default_inside_its_plausible_range():
    assert {"screener_accuracy", "bias_share", "label_bias"} <= set(ASSUMPTIONS)
    for name, info in ASSUMPTIONS.items():
        assert info["low"] <= info["default"] <= info["high"], name
        assert info["meaning"] and info["reason"] and info["sources"], name


def test_assumption_range_spans_the_plausible_range_and_includes_the_default():
    for name, info in ASSUMPTIONS.items():
        values = assumption_range(name, n_points=4)
        assert values[0] == pytest.approx(info["low"]) and values[-1] == pytest.approx(
            info["high"])
        assert np.isclose(values, info["default"]).any()
        assert (np.diff(values) > 0).all()


def test_sweep_runs_share_everything_but_the_assumption():
    both = sweep(placed_by_group, "label_bias", [0.0, 1.0], n_referrals=20_000,
                 random_state=5)
    one = sweep(placed_by_group, "label_bias", [1.0], n_referrals=20_000, random_state=5)
    assert list(both.wide().index) == [0.0, 1.0]
    pd.testing.assert_series_equal(both.wide().loc[1.0], one.wide().loc[1.0])


def test_label_bias_raises_the_placement_ratio_in_the_sweep():
    result = sweep(placed_by_group, "label_bias", [0.0, 2.0], n_referrals=40_000,
                   random_state=1)
    ratio = result.wide()["ratio"]
    assert ratio.loc[2.0] > ratio.loc[0.0] * 1.1
    tidy = result.table
    assert list(tidy.columns) == ["assumption", "assumption_value", "quantity", "estimate",
                                   "is_default"]
    assert len(tidy) == 2 * 3


def test_flips_finds_every_change_of_sign_and_none_where_there_is_none():
    changing = table([0.0, 0.5, 1.0, 1.5], [3.0, 1.0, -2.0, -4.0])
    assert changing.flips("gain") == [(0.5, 1.0)]
    assert changing.flips("gain", against=2.0) == [(0.0, 0.5)]
    assert table([0, 1, 2], [1.0, 2.0, 3.0]).flips("gain") == []
    assert table([0, 1, 2, 3], [1.0, -1.0, 1.0, -1.0]).flips("gain") == [
        (0.0, 1.0), (1.0, 2.0), (2.0, 3.0)]


def test_describe_says_whether_the_conclusion_depends_on_the_assumption():
    text = table([0.0, 0.5, 1.0], [3.0, 1.0, -2.0], default=1.0).describe(
        "gain", above="more", below="fewer")
    assert text.startswith("More at a 0 to 0.5; fewer at a 1")
    assert "changes between 0.5 and 1" in text and "default is 1" in text
    steady = table([0.0, 1.0], [1.0, 2.0]).describe("gain", above="more", below="fewer")
    assert "from 0 to 1" in steady and "more" in steady and "holds" in steady
    plain = table([0.0, 1.0], [1.0, -2.0]).describe("gain", against=0.5)
    assert plain.startswith("Gain is above 0.5 at a 0; gain is below 0.5 at a 1")


def test_alt_text_and_figure_carry_every_value():
    result = table([0.0, 0.5, 1.0], [3.0, 1.0, -2.0], default=0.5)
    alt = result.alt_text()
    for piece in ("0: 3", "0.5: 1", "1: -2", "default is 0.5"):
        assert piece in alt
    figure = result.figure_html(against=0.0)
    assert figure.startswith('<img src="data:image/png;base64,') and 'alt="Line chart' in figure


@pytest.mark.parametrize("call, message", [
    (lambda: sweep("not a function", "label_bias", [0, 1]), "analysis must be a function"),
    (lambda: sweep(placed_by_group, "label_bias", "0, 1"), "values must be a list"),
    (lambda: sweep(placed_by_group, "label_bias", []), "non-empty"),
    (lambda: sweep(placed_by_group, "label_bias", [0, float("nan")]), "finite"),
    (lambda: sweep(placed_by_group, "label_bias", [1, 1]), "repeated"),
    (lambda: sweep(placed_by_group, "not_an_assumption", [0, 1]), "assumption must be"),
    (lambda: sweep(lambda d: 3.0, "label_bias", [0], n_referrals=500, random_state=0),
     "must return a dict"),
    (lambda: sweep(lambda d: {"x": "high"}, "label_bias", [0], n_referrals=500,
                   random_state=0), "must be a number"),
    (lambda: table([0, 1], [1.0, 2.0]).flips("no such quantity"), "quantity must be"),
    (lambda: assumption_range("nonsense"), "assumption must be"),
])
def test_bad_input_is_named(call, message):
    with pytest.raises((TypeError, ValueError), match=message):
        call()
