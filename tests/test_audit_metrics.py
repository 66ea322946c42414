"""rmlkit.audit.audit: every metric against fairlearn and hand-computed confusion matrices,
the bootstrap against a slow reference loop, and bad input."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from fairlearn.metrics import MetricFrame, false_negative_rate, false_positive_rate
from sklearn.calibration import calibration_curve
from sklearn.metrics import roc_auc_score

from rmlkit.audit import ALL_METRICS, audit, expected_calibration_error
from rmlkit.metrics import METRICS

# Hand-computed case (threshold 0.5).
# Group A: labels 1 1 0 0 0 0, scores .9 .3 .8 .6 .2 .1 -> TP 1, FN 1, FP 2, TN 2
# Group B: labels 1 0 0 1,     scores .7 .4 .9 .6       -> TP 2, FN 0, FP 1, TN 1
Y = np.array([1, 1, 0, 0, 0, 0, 1, 0, 0, 1])
S = np.array([0.9, 0.3, 0.8, 0.6, 0.2, 0.1, 0.7, 0.4, 0.9, 0.6])
G = np.array(["A"] * 6 + ["B"] * 4)
NAMES = ["base_rate", "selection_rate", "true_positive_rate", "false_positive_rate",
         "false_negative_rate", "precision", "negative_predictive_value"]
HAND = {
    "A": dict(zip(NAMES, [2 / 6, 3 / 6, 1 / 2, 2 / 4, 1 / 2, 1 / 3, 2 / 3], strict=True)),
    "B": dict(zip(NAMES, [2 / 4, 3 / 4, 2 / 2, 1 / 2, 0 / 2, 2 / 3, 1 / 1], strict=True)),
    "all": dict(zip(NAMES, [4 / 10, 6 / 10, 3 / 4, 3 / 6, 1 / 4, 3 / 6, 3 / 4], strict=True)),
}


def quiet_audit(*args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return audit(*args, **kwargs)


def test_every_decision_metric_matches_the_hand_computed_confusion_matrix():
    r = quiet_audit(Y, scores=S, threshold=0.5, sensitive_features=G, min_group_size=1)
    for group, expected in HAND.items():
        for metric, value in expected.items():
            assert r.estimate(metric, group) == value, (metric, group)
    # AUC by hand for group B: positives .7 .6, negatives .4 .9 -> pairs in order: 2 of 4
    assert r.estimate("roc_auc", "B") == 0.5


@pytest.fixture(scope="module")
def generated():
    rng = np.random.default_rng(3)
    n = 30_000
    g = rng.choice(["A", "B", "C", "D"], n, p=[0.5, 0.3, 0.15, 0.05])
    y = (rng.random(n) < np.where(g == "A", 0.2, 0.35)).astype(int)
    s = np.clip(0.3 + 0.3 * y + rng.normal(0, 0.2, n), 0, 1)
    return y, s, g


def test_matches_fairlearn_metricframe(generated):
    y, s, g = generated
    r = audit(y, scores=s, threshold=0.5, sensitive_features=g)
    d = (s >= 0.5).astype(int)
    mf = MetricFrame(metrics={"false_positive_rate": false_positive_rate,
                              "false_negative_rate": false_negative_rate},
                     y_true=y, y_pred=d, sensitive_features=g)
    for group, row in mf.by_group.iterrows():
        assert r.estimate("false_positive_rate", group) == row["false_positive_rate"]
        assert r.estimate("false_negative_rate", group) == row["false_negative_rate"]
    for group in "ABCD":
        expected = roc_auc_score(y[g == group], s[g == group])
        assert r.estimate("roc_auc", group) == pytest.approx(expected, abs=1e-12)


def test_expected_calibration_error_uses_scikit_learns_bins(generated):
    y, s, g = generated
    true_rate, mean_score = calibration_curve(y, s, n_bins=10)
    bins = np.searchsorted(np.linspace(0, 1, 11)[1:-1], s)
    sizes = np.bincount(bins, minlength=10)
    expected = np.sum(sizes[sizes > 0] * np.abs(true_rate - mean_score)) / len(y)
    assert expected_calibration_error(y, s) == pytest.approx(expected, abs=1e-12)


def test_bootstrap_agrees_with_a_slow_reference_loop(generated):
    y, s, g = generated
    y, s, g = y[:3000], s[:3000], g[:3000]
    d = (s >= 0.5).astype(int)
    fast = audit(y, scores=s, threshold=0.5, sensitive_features=g, n_bootstrap=1000,
                 random_state=0, metrics=["false_positive_rate", "roc_auc"])
    rng = np.random.default_rng(1)
    slow = {"false_positive_rate": [], "roc_auc": []}
    members = {k: np.flatnonzero(g == k) for k in "ABCD"}
    for _ in range(1000):
        idx = np.concatenate([rng.choice(m, m.size) for m in members.values()])
        gi = g[idx]
        a = idx[gi == "B"]
        slow["false_positive_rate"].append(false_positive_rate(y[a], d[a]))
        slow["roc_auc"].append(roc_auc_score(y[a], s[a]))
    for metric in ("false_positive_rate", "roc_auc"):
        row = fast.table[(fast.table["metric"] == metric) & (fast.table["group"] == "B")].iloc[0]
        low, high = np.quantile(slow[metric], [0.025, 0.975])
        width = high - low
        assert row["ci_low"] == pytest.approx(low, abs=0.1 * width)
        assert row["ci_high"] == pytest.approx(high, abs=0.1 * width)


def test_bootstrap_is_reproducible_and_covers_disparities(generated):
    y, s, g = generated
    a = audit(y, scores=s, threshold=0.5, sensitive_features=g, n_bootstrap=100, random_state=5)
    b = audit(y, scores=s, threshold=0.5, sensitive_features=g, n_bootstrap=100, random_state=5)
    pd.testing.assert_frame_equal(a.table, b.table)
    d = a.disparities
    fpr = d[(d["metric"] == "false_positive_rate") & (d["group"] == "B")]
    row = fpr.iloc[0]
    assert (row["ratio_to_reference_ci_low"] <= row["ratio_to_reference"]
            <= row["ratio_to_reference_ci_high"])
    assert a.reference == "A"
    summary = a.summary("false_positive_rate")
    assert "FPR for B" in summary and "times that for A" in summary and "95% CI" in summary


def test_intersectional_groups_and_truth_gap(generated):
    y, s, g = generated
    sex = np.where(np.arange(len(y)) % 2 == 0, "female", "male")
    truth = y.copy()
    truth[:500] = 1 - truth[:500]
    r = audit(y, scores=s, threshold=0.5,
              sensitive_features=pd.DataFrame({"group": g, "sex": sex}), true_outcome=truth)
    assert "A / female" in set(r.table["group"])
    assert list(r.truth_gap.columns) == ["group", "label_rate", "true_rate", "label_minus_true"]
    assert r.calibration is not None and {"mean_score", "observed_rate"} <= set(r.calibration)


def test_small_and_single_class_groups_warn_not_crash():
    with pytest.warns(UserWarning, match="fewer than 30 rows"):
        r = audit(Y, scores=S, threshold=0.5, sensitive_features=G)
    assert set(r.small_groups) == {"A", "B"}
    y = np.array([0, 0, 0, 1, 0, 1])
    with pytest.warns(UserWarning, match="every label is the same"):
        r = audit(y, y_pred=y, sensitive_features=["A", "A", "A", "B", "B", "B"],
                  min_group_size=1)
    assert np.isnan(r.estimate("true_positive_rate", "A"))


def test_plot_and_alt_text(generated):
    import matplotlib

    matplotlib.use("Agg")
    y, s, g = generated
    r = audit(y, scores=s, threshold=0.5, sensitive_features=g, n_bootstrap=50, random_state=0)
    ax = r.plot("false_positive_rate")
    assert len(ax.patches) == 4
    assert r.alt_text("false_positive_rate").startswith(
        "Horizontal bar chart of the FPR by group")


@pytest.mark.parametrize(
    ("kwargs", "error", "words"),
    [
        (dict(y_true=Y[:-1], scores=S, threshold=0.5, sensitive_features=G), ValueError,
         "y_true has 9"),
        (dict(y_true=np.r_[np.nan, Y[1:]], scores=S, threshold=0.5, sensitive_features=G),
         ValueError, "missing value"),
        (dict(y_true=Y * 2, scores=S, threshold=0.5, sensitive_features=G), ValueError,
         "only 0 and 1"),
        (dict(y_true=Y, scores=S * 2, threshold=0.5, sensitive_features=G), ValueError,
         "between 0 and 1"),
        (dict(y_true=Y, scores=np.r_[np.nan, S[1:]], threshold=0.5, sensitive_features=G),
         ValueError, "missing values"),
        (dict(y_true=Y, scores=S, sensitive_features=G), ValueError, "give a threshold"),
        (dict(y_true=Y, sensitive_features=G), ValueError, "Give y_pred"),
        (dict(y_true=Y, scores=S, threshold=0.5, sensitive_features=["A"] * 10), ValueError,
         "only one group"),
        (dict(y_true=Y, scores=S, threshold=0.5, sensitive_features=G, metrics=["FDR"]),
         ValueError, "Unknown metric 'FDR'"),
        (dict(y_true=Y, scores=S, threshold=0.5, sensitive_features=G, reference="Z"),
         ValueError, "reference 'Z'"),
    ],
)
def test_bad_input_is_explained(kwargs, error, words):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(error, match=words):
            audit(**kwargs)


def test_metric_names_are_the_vocabulary():
    assert list(ALL_METRICS) == list(METRICS)


def test_a_label_for_a_name_is_pointed_to_the_name():
    with pytest.raises(ValueError, match="Did you mean 'false_positive_rate'"):
        quiet_audit(Y, scores=S, threshold=0.5, sensitive_features=G, metrics=["FPR"])


def test_cluster_bootstrap_accounts_for_siblings(generated):
    y, s, g = generated
    y, s, g = y[:4000], s[:4000], g[:4000]
    d = (s >= 0.5).astype(int)
    # every "household" is four identical rows: the evidence is a quarter of the rows
    y4, d4, g4 = np.repeat(y, 4), np.repeat(d, 4), np.repeat(g, 4)
    households = np.repeat(np.arange(len(y)), 4)
    kwargs = dict(sensitive_features=g4, n_bootstrap=600, random_state=0,
                  metrics=["false_positive_rate"])
    rows = audit(y4, y_pred=d4, **kwargs).table.set_index("group")
    clustered = audit(y4, y_pred=d4, clusters=households, **kwargs).table.set_index("group")
    single = audit(y, y_pred=d, **{**kwargs, "sensitive_features": g}).table.set_index("group")
    for group in ("A", "B"):
        width_rows = rows.loc[group, "ci_high"] - rows.loc[group, "ci_low"]
        width_clustered = clustered.loc[group, "ci_high"] - clustered.loc[group, "ci_low"]
        width_single = single.loc[group, "ci_high"] - single.loc[group, "ci_low"]
        assert width_clustered == pytest.approx(2 * width_rows, rel=0.2)
        assert width_clustered == pytest.approx(width_single, rel=0.2)
    assert clustered.loc["A", "estimate"] == rows.loc["A", "estimate"]


def test_reliability_curves(generated):
    import matplotlib

    matplotlib.use("Agg")
    y, s, g = generated
    r = audit(y, scores=s, threshold=0.5, sensitive_features=g)
    ax = r.plot_calibration()
    assert len(ax.lines) == 1 + 4  # the diagonal and one curve per group
    cal = r.calibration[r.calibration["group"] == "A"]
    rows = np.searchsorted(np.linspace(0, 1, 11)[1:-1], s)[g == "A"] == cal["bin"].iloc[0]
    assert cal["observed_rate"].iloc[0] == pytest.approx(y[g == "A"][rows].mean())
    with pytest.raises(ValueError, match="no scores"):
        audit(y, y_pred=(s > 0.5).astype(int), sensitive_features=g).plot_calibration()
