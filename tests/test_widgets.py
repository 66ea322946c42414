"""rmlkit.widgets: each explorer updates when a slider moves, and matches its static
counterpart in rmlkit.tradeoffs."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest

from rmlkit.tradeoffs import (
    impossibility_table,
    plot_cost_and_capacity,
    plot_rates_by_group,
)
from rmlkit.widgets import cost_explorer, impossibility_explorer, threshold_explorer


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(2)
    n = 2_000
    g = rng.choice(["A", "B"], n)
    y = (rng.random(n) < np.where(g == "A", 0.2, 0.35)).astype(int)
    s = np.clip(0.3 + 0.3 * y + rng.normal(0, 0.2, n), 0, 1)
    return y, s, g


def test_per_group_threshold_explorer(data):
    y, s, g = data
    box = threshold_explorer(y, s, sensitive_features=g, per_group=True)
    sliders = [c for c in box.children if hasattr(c, "value") and "Threshold" in c.description]
    assert [sl.description for sl in sliders] == ["Threshold for A", "Threshold for B"]
    before = box.current_table().copy()
    sliders[1].value = 0.9
    after = box.current_table()
    assert after.loc["A", "false_positive_rate"] == before.loc["A", "false_positive_rate"]
    assert after.loc["B", "selection_rate"] < before.loc["B", "selection_rate"]
    _, static = plot_rates_by_group(y, s, sensitive_features=g, thresholds={"A": 0.5, "B": 0.9})
    assert static.equals(after)


def test_impossibility_explorer_follows_the_identity():
    box = impossibility_explorer(0.2, 0.35, precision=0.6, false_negative_rate=0.3)
    pd_table = box.current_table()
    expected = impossibility_table({"A": 0.2, "B": 0.35}, precision=0.6, false_negative_rate=0.3)
    assert np.allclose(pd_table["false_positive_rate"], expected["false_positive_rate"])
    box.children[1].value = 0.2  # group B's base rate equal to A's: equal FPRs
    table = box.current_table()
    fpr = table["false_positive_rate"]
    assert fpr["A"] == pytest.approx(fpr["B"])


def test_cost_explorer_updates_and_matches_static(data):
    y, s, g = data
    box = cost_explorer(y, s, sensitive_features=g, capacity=100)
    capacity, fn_cost = box.children[0], box.children[1]
    first = box.current_table().copy()
    capacity.value = 400
    fn_cost.value = 20.0
    table = box.current_table()
    assert table.loc["all", "false_positives"] > first.loc["all", "false_positives"]
    _, static = plot_cost_and_capacity(y, s, sensitive_features=g, capacity=400,
                                       cost_false_negative=20.0, cost_false_positive=1.0)
    assert static.equals(table)


def test_bad_thresholds_are_explained(data):
    y, s, g = data
    with pytest.raises(ValueError, match="no value for these groups: B"):
        plot_rates_by_group(y, s, sensitive_features=g, thresholds={"A": 0.5})
