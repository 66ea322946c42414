"""rmlkit.mitigation: fairlearn's mitigations compared on the same data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from rmlkit.mitigation import METHODS, compare_mitigations, frontier, reweighing_weights
from rmlkit.tradeoffs import threshold_sweep


@pytest.fixture(scope="module")
def split():
    rng = np.random.default_rng(4)
    n = 6_000
    g = rng.choice(["A", "B"], n, p=[0.6, 0.4])
    need = rng.normal(0, 1, n) + 0.4 * (g == "B")
    truth = (need > 0.8).astype(int)
    # the recorded label over-records group B (label bias)
    y = ((need + 0.5 * (g == "B") + rng.normal(0, 0.6, n)) > 1.0).astype(int)
    X = np.column_stack([need + rng.normal(0, 0.7, n), (g == "B") + rng.normal(0, 0.5, n),
                         rng.normal(0, 1, n)])
    tr = np.arange(n) < 4_000
    return X, y, g, truth, tr


@pytest.fixture(scope="module")
def comparison(split):
    X, y, g, truth, tr = split
    return compare_mitigations(X[tr], y[tr], X[~tr], y[~tr], sensitive_train=g[tr],
                               sensitive_test=g[~tr], true_outcome_test=truth[~tr])


def test_every_method_is_compared(comparison):
    assert list(comparison.index) == list(METHODS)
    assert comparison["accuracy"].between(0.5, 1).all()
    assert comparison["precision_vs_truth"].between(0, 1).all()


def test_constraints_shrink_the_gaps_they_target(comparison):
    none = comparison.loc["none"]
    for method in ("threshold optimizer (demographic parity)",
                   "exponentiated gradient (demographic parity)"):
        gap = "selection_rate_max_min_difference"
        assert comparison.loc[method, gap] < none[gap]
    for method in ("threshold optimizer (equalized odds)",
                   "exponentiated gradient (equalized odds)"):
        gap = "false_positive_rate_max_min_difference"
        assert comparison.loc[method, gap] < none[gap]


def test_reweighing_makes_group_and_label_independent():
    y = np.array([1, 1, 0, 0, 0, 1, 0, 0])
    g = np.array(["A", "A", "A", "A", "B", "B", "B", "B"])
    w = reweighing_weights(y, g)
    # by hand: P(A)=.5, P(y=1)=3/8, P(A, y=1)=2/8 -> weight .5*.375/.25 = 0.75
    assert w[0] == pytest.approx(0.75)
    frame = pd.DataFrame({"g": g, "y": y, "w": w})
    joint = frame.groupby(["g", "y"])["w"].sum() / frame["w"].sum()
    p_g = frame.groupby("g")["w"].sum() / frame["w"].sum()
    p_y = frame.groupby("y")["w"].sum() / frame["w"].sum()
    for (gg, yy), value in joint.items():
        assert value == pytest.approx(p_g[gg] * p_y[yy])


def test_frontier_follows_the_threshold_sweep(split):
    X, y, g, truth, tr = split
    scores = 1 / (1 + np.exp(-X[:, 0]))
    f = frontier(y, scores, sensitive_features=g, thresholds=[0.3, 0.5, 0.7])
    sweep = threshold_sweep(y, scores, sensitive_features=g, thresholds=[0.3, 0.5, 0.7])
    for _, row in f.iterrows():
        at = sweep[(sweep["threshold"] == row["threshold"]) & (sweep["group"] != "all")]
        fpr = at["false_positive_rate"]
        assert row["false_positive_rate_max_min_difference"] == pytest.approx(fpr.max() - fpr.min())
        d = (scores >= row["threshold"]).astype(int)
        assert row["accuracy"] == pytest.approx((d == y).mean())


def test_bad_input_is_explained(split):
    X, y, g, truth, tr = split
    with pytest.raises(ValueError, match="methods must be one of"):
        compare_mitigations(X[tr], y[tr], X[~tr], y[~tr], sensitive_train=g[tr],
                            sensitive_test=g[~tr], methods=["magic"])
    with pytest.raises(ValueError, match="X_test has"):
        compare_mitigations(X[tr], y[tr], X[~tr][:-1], y[~tr], sensitive_train=g[tr],
                            sensitive_test=g[~tr])


def test_frontier_plot_with_mitigations(split, comparison):
    import matplotlib

    matplotlib.use("Agg")
    from rmlkit.mitigation import plot_frontier

    X, y, g, truth, tr = split
    scores = 1 / (1 + np.exp(-X[~tr, 0]))
    curve = frontier(y[~tr], scores, sensitive_features=g[~tr])
    ax = plot_frontier(curve, comparison)
    assert len(ax.lines) == 1  # the efficient frontier
    assert len(ax.collections) == 1 + len(comparison)  # all thresholds, then each method
    line = ax.lines[0].get_ydata()
    assert (np.diff(line) >= 0).all()  # more gap is only worth it for more accuracy
    with pytest.raises(ValueError, match="what frontier"):
        plot_frontier(pd.DataFrame({"x": [1]}))


@pytest.fixture(scope="module")
def at_capacity(split):
    X, y, g, truth, tr = split
    return compare_mitigations(X[tr], y[tr], X[~tr], y[~tr], sensitive_train=g[tr],
                               sensitive_test=g[~tr], true_outcome_test=truth[~tr],
                               capacity=300)


def test_at_a_capacity_every_method_flags_the_same_number_of_rows(at_capacity):
    assert list(at_capacity.index) == list(METHODS)
    assert np.allclose(at_capacity["selection_rate"], 300 / 2_000)


def test_at_a_capacity_the_constraints_still_shrink_the_gaps(comparison, at_capacity):
    # the threshold optimizer moves every group's share flagged by the same amount, so
    # its gap in selection rates stays what it was at its own rule
    method = "threshold optimizer (demographic parity)"
    assert at_capacity.loc[method, "selection_rate_max_min_difference"] < (
        comparison.loc[method, "selection_rate_max_min_difference"] + 0.02)
    none = at_capacity.loc["none"]
    assert none["selection_rate_max_min_difference"] > 0.05
    for method in ("threshold optimizer (demographic parity)",
                   "exponentiated gradient (demographic parity)"):
        gap = at_capacity.loc[method, "selection_rate_max_min_difference"]
        assert gap < 0.5 * none["selection_rate_max_min_difference"]


def test_the_chance_of_a_flag_is_what_fairlearn_draws_from(split):
    from fairlearn.postprocessing import ThresholdOptimizer
    from sklearn.linear_model import LogisticRegression

    X, y, g, _, tr = split
    model = ThresholdOptimizer(estimator=LogisticRegression(), constraints="equalized_odds",
                               predict_method="predict_proba").fit(X[tr], y[tr],
                                                                   sensitive_features=g[tr])
    chance = model._pmf_predict(X[~tr], sensitive_features=g[~tr])[:, 1]
    draws = np.mean([model.predict(X[~tr], sensitive_features=g[~tr], random_state=seed)
                     for seed in range(200)], axis=0)
    assert np.abs(draws - chance).max() < 0.15 and np.abs(draws - chance).mean() < 0.02


def test_a_capacity_larger_than_the_test_rows_is_named(split):
    X, y, g, _, tr = split
    with pytest.raises(ValueError, match="capacity"):
        compare_mitigations(X[tr], y[tr], X[~tr], y[~tr], sensitive_train=g[tr],
                            sensitive_test=g[~tr], capacity=5_000, methods=["none"])
