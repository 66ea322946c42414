"""rmlkit.tradeoffs: threshold sweeps, capacity, costs and the impossibility result."""

from __future__ import annotations

import numpy as np
import pytest
from fairlearn.metrics import false_positive_rate, true_positive_rate
from sklearn.metrics import precision_score

from rmlkit.tradeoffs import (
    capacity_decisions,
    expected_cost,
    impossibility_table,
    rates_at_threshold,
    threshold_sweep,
)


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(8)
    n = 5_000
    g = rng.choice(["A", "B"], n, p=[0.7, 0.3])
    y = (rng.random(n) < np.where(g == "A", 0.2, 0.35)).astype(int)
    s = np.round(np.clip(0.3 + 0.3 * y + rng.normal(0, 0.2, n), 0, 1), 2)  # ties on purpose
    return y, s, g


def test_threshold_sweep_matches_a_direct_computation(data):
    y, s, g = data
    sweep = threshold_sweep(y, s, sensitive_features=g, thresholds=[0.0, 0.3, 0.5, 0.61, 1.0])
    for _, row in sweep.iterrows():
        mask = np.ones(len(y), bool) if row["group"] == "all" else g == row["group"]
        d = (s[mask] >= row["threshold"]).astype(int)
        assert row["selection_rate"] == pytest.approx(d.mean(), abs=1e-12)
        assert row["true_positive_rate"] == pytest.approx(true_positive_rate(y[mask], d), abs=1e-12)
        expected = false_positive_rate(y[mask], d)
        assert row["false_positive_rate"] == pytest.approx(expected, abs=1e-12)
        if d.any():
            assert row["precision"] == pytest.approx(precision_score(y[mask], d), abs=1e-12)
    at_half = sweep[sweep["threshold"] == 0.5].set_index("group")
    table = rates_at_threshold(y, s, sensitive_features=g, threshold=0.5)
    for group in ("A", "B", "all"):
        expected = table.loc[group, "false_positive_rate"]
        assert at_half.loc[group, "false_positive_rate"] == pytest.approx(expected)


def test_capacity_flags_exactly_k_per_period(data):
    y, s, g = data
    weeks = np.arange(len(s)) % 10
    flagged = capacity_decisions(s, 25, periods=weeks)
    assert (np.bincount(weeks, weights=flagged) == 25).all()
    # the flagged rows have the highest scores of their week
    for w in range(10):
        in_week = weeks == w
        assert s[in_week & flagged].min() >= s[in_week & ~flagged].max()
    assert capacity_decisions(s, 0).sum() == 0


def test_expected_cost_by_hand():
    y = [1, 1, 0, 0, 1, 0]
    d = [1, 0, 1, 0, 0, 0]
    table = expected_cost(y, d, cost_false_negative=10, cost_false_positive=1,
                          sensitive_features=["A", "A", "A", "B", "B", "B"])
    # A: one miss, one false alarm -> 11; B: one miss -> 10
    assert table.loc["A", "cost"] == 11 and table.loc["B", "cost"] == 10
    assert table.loc["all", "cost"] == 21
    assert table.loc["all", "cost_per_row"] == pytest.approx(21 / 6)


def test_impossibility_result_is_what_a_calibrated_score_shows():
    rng = np.random.default_rng(0)
    n = 400_000
    group = rng.choice(["A", "B"], n)
    # a calibrated score: the label is drawn with exactly the score's probability
    score = np.where(group == "A", rng.beta(2, 6, n), rng.beta(3, 4, n))
    y = (rng.random(n) < score).astype(int)
    base = {k: y[group == k].mean() for k in ("A", "B")}
    # one threshold: precision and FNR happen to differ; reading the identity back
    # from each group's own precision and FNR recovers its FPR exactly
    d = (score >= 0.5).astype(int)
    for k in ("A", "B"):
        m = group == k
        ppv = precision_score(y[m], d[m])
        fnr = 1 - true_positive_rate(y[m], d[m])
        implied = impossibility_table({k: base[k]}, precision=ppv, false_negative_rate=fnr)
        expected = false_positive_rate(y[m], d[m])
        assert implied.loc[k, "false_positive_rate"] == pytest.approx(expected, abs=1e-9)
    # equal precision and FNR with different base rates force different FPRs
    forced = impossibility_table(base, precision=0.6, false_negative_rate=0.3)
    assert forced.loc["B", "false_positive_rate"] > 1.5 * forced.loc["A", "false_positive_rate"]


@pytest.mark.parametrize(
    ("call", "error", "words"),
    [
        (lambda: threshold_sweep([0, 1], [0.2, 0.4], sensitive_features=["A", "B"],
                                 thresholds=[2]), ValueError, "thresholds must be"),
        (lambda: capacity_decisions([0.2, 0.4], -1), ValueError, "capacity must be at least 0"),
        (lambda: expected_cost([0, 1], [0, 1], cost_false_negative=-1, cost_false_positive=1),
         ValueError, "cost_false_negative must be at least 0"),
        (lambda: impossibility_table([0.2], precision=0.5, false_negative_rate=0.1), TypeError,
         "base_rates must be a dict"),
        (lambda: impossibility_table({"A": 1.5}, precision=0.5, false_negative_rate=0.1),
         ValueError, "base rate of A"),
    ],
)
def test_bad_input_is_explained(call, error, words):
    with pytest.raises(error, match=words):
        call()
