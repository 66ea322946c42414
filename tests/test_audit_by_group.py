"""rmlkit.audit, rmlkit.tradeoffs and rmlkit.widgets, checked by hand and against fairlearn."""

from __future__ import annotations

import doctest

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest
from fairlearn.metrics import MetricFrame, false_positive_rate

import rmlkit.audit
import rmlkit.datasets
import rmlkit.datasets.child_welfare
from rmlkit.audit import describe_by_group, plot_by_group
from rmlkit.tradeoffs import rates_at_threshold
from rmlkit.widgets import threshold_explorer

# A hand-computed case. Group A: 4 children not placed (scores .9 .2 .1 .6) and 2 placed
# (.8 .3). Group B: 3 not placed (.7 .7 .1) and 1 placed (.9). Threshold .5.
Y = [0, 0, 0, 0, 1, 1, 0, 0, 0, 1]
S = [0.9, 0.2, 0.1, 0.6, 0.8, 0.3, 0.7, 0.7, 0.1, 0.9]
G = ["A"] * 6 + ["B"] * 4


def test_rates_at_threshold_by_hand():
    table = rates_at_threshold(Y, S, sensitive_features=G, threshold=0.5)
    # A: flagged .9 .6 .8 -> 3/6; FP = 2 of 4 negatives; FN = 1 (.3) of 2 positives
    assert table.loc["A", "selection_rate"] == pytest.approx(3 / 6, abs=0)
    assert table.loc["A", "false_positive_rate"] == pytest.approx(2 / 4, abs=0)
    assert table.loc["A", "false_negative_rate"] == pytest.approx(1 / 2, abs=0)
    # B: flagged .7 .7 .9 -> 3/4; FP = 2 of 3; FN = 0 of 1
    assert table.loc["B", "selection_rate"] == pytest.approx(3 / 4, abs=0)
    assert table.loc["B", "false_positive_rate"] == pytest.approx(2 / 3, abs=0)
    assert table.loc["B", "false_negative_rate"] == 0
    assert table.loc["all", "false_positive_rate"] == pytest.approx(4 / 7, abs=0)
    assert list(table["n"]) == [6, 4, 10]


def test_rates_at_threshold_matches_fairlearn_on_generated_data():
    o = rmlkit.datasets.make_child_welfare(5_000, random_state=1).observed
    scores = np.random.default_rng(0).random(len(o))
    table = rates_at_threshold(o["re_referred_12m"], scores,
                               sensitive_features=o["race_ethnicity"], threshold=0.7)
    frame = MetricFrame(metrics=false_positive_rate, y_true=o["re_referred_12m"].astype(int),
                        y_pred=(scores >= 0.7).astype(int),
                        sensitive_features=o["race_ethnicity"])
    for group, value in frame.by_group.items():
        assert table.loc[group, "false_positive_rate"] == value


@pytest.mark.parametrize(
    ("call", "error", "words"),
    [
        (lambda: rates_at_threshold(Y[:-1], S, sensitive_features=G, threshold=0.5),
         ValueError, "y_true has 9"),
        (lambda: rates_at_threshold([2] * 10, S, sensitive_features=G, threshold=0.5),
         ValueError, "only 0 and 1"),
        (lambda: rates_at_threshold([np.nan] + Y[1:], S, sensitive_features=G, threshold=0.5),
         ValueError, "missing value"),
        (lambda: rates_at_threshold(Y, [1.5] + S[1:], sensitive_features=G, threshold=0.5),
         ValueError, "between 0 and 1"),
        (lambda: rates_at_threshold(Y, S, sensitive_features=G, threshold=2),
         ValueError, "threshold must be between 0 and 1"),
        (lambda: describe_by_group([0.1, 0.2], "rate"), TypeError, "pandas Series"),
        (lambda: plot_by_group(pd.Series(dtype=float), "rate"), ValueError, "empty"),
    ],
)
def test_bad_input_is_explained(call, error, words):
    with pytest.raises(error, match=words):
        call()


def test_describe_by_group():
    text = describe_by_group(pd.Series({"A": 0.1, "B": 0.3}), "false positive rate")
    assert text == ("The false positive rate is highest for B (0.30) and lowest for A (0.10): "
                    "3.0 times as high.")
    assert "lowest is zero" in describe_by_group(pd.Series({"A": 0.0, "B": 0.3}), "rate")


def test_plot_by_group_draws_one_bar_per_group():
    ax = plot_by_group(pd.Series({"A": 0.1, "B": 0.3, "C": 0.2}), "Rate", overall=0.2)
    assert len(ax.patches) == 3
    assert sorted(p.get_width() for p in ax.patches) == [0.1, 0.2, 0.3]
    assert ax.get_xlabel() == "Rate"


def test_threshold_explorer_updates_when_the_slider_moves():
    widget = threshold_explorer(Y, S, sensitive_features=G, threshold=0.5)
    slider, table = widget.children
    before = table.value
    assert "0.50" in before  # A's false positive rate at 0.5
    slider.value = 0.95
    assert table.value != before
    expected = rates_at_threshold(Y, S, sensitive_features=G, threshold=0.95)
    assert expected.loc["A", "selection_rate"] == 0
    assert "0.00" in table.value


@pytest.mark.parametrize("module", [rmlkit.audit, rmlkit.datasets.child_welfare])
def test_docstring_examples(module):
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0 and result.attempted > 0
