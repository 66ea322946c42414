"""rmlkit.audit.audit: every metric against fairlearn and hand-computed confusion matrices,
the bootstrap against a slow reference loop, and bad input."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from fairlearn.metrics import MetricFrame, false_negative_rate, false_positive_rate
from sklearn.metrics import roc_auc_score

from rmlkit.audit import ALL_METRICS, _SortedScores, audit, expected_calibration_error

# Hand-computed case (threshold 0.5).
# Group A: labels 1 1 0 0 0 0, scores .9 .3 .8 .6 .2 .1 -> TP 1, FN 1, FP 2, TN 2
# Group B: labels 1 0 0 1,     scores .7 .4 .9 .6       -> TP 2, FN 0, FP 1, TN 1
Y = np.array([1, 1, 0, 0, 0, 0, 1, 0, 0, 1])
S = np.array([0.9, 0.3, 0.8, 0.6, 0.2, 0.1, 0.7, 0.4, 0.9, 0.6])
G = np.array(["A"] * 6 + ["B"] * 4)
HAND = {
    "A": {"base rate": 2 / 6, "selection rate": 3 / 6, "TPR": 1 / 2, "FPR": 2 / 4,
          "FNR": 1 / 2, "precision": 1 / 3, "NPV": 2 / 3},
    "B": {"base rate": 2 / 4, "selection rate": 3 / 4, "TPR": 2 / 2, "FPR": 1 / 2,
          "FNR": 0 / 2, "precision": 2 / 3, "NPV": 1 / 1},
    "all": {"base rate": 4 / 10, "selection rate": 6 / 10, "TPR": 3 / 4, "FPR": 3 / 6,
            "FNR": 1 / 4, "precision": 3 / 6, "NPV": 3 / 4},
}


def quiet_audit(*args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return audit(*args, **kwargs)


def test_every_decision_metric_matches_the_hand_computed_confusion_matrix():
    r = quiet_audit(Y, scores=S, threshold=0.5, sensitive_features=G, min_group_size=1)
    for group, expected in HAND.items():
        for metric, value in expected.items():
            assert r.value(metric, group) == value, (metric, group)
    # AUC by hand for group B: positives .7 .6, negatives .4 .9 -> pairs in order: 2 of 4
    assert r.value("AUC", "B") == 0.5


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
    mf = MetricFrame(metrics={"FPR": false_positive_rate, "FNR": false_negative_rate},
                     y_true=y, y_pred=d, sensitive_features=g)
    for group, row in mf.by_group.iterrows():
        assert r.value("FPR", group) == row["FPR"]
        assert r.value("FNR", group) == row["FNR"]
    for group in "ABCD":
        assert r.value("AUC", group) == pytest.approx(roc_auc_score(y[g == group], s[g == group]),
                                                      abs=1e-12)


def test_weighted_auc_and_ece_agree_with_references(generated):
    y, s, g = generated
    order = np.argsort(s, kind="mergesort")
    w = np.random.default_rng(0).integers(0, 3, len(y)).astype(float)
    sorted_scores = _SortedScores(y[order], s[order])
    assert sorted_scores.metric("AUC", w[order]) == pytest.approx(
        roc_auc_score(y, s, sample_weight=w), abs=1e-12)
    assert sorted_scores.metric("ECE", np.ones(len(y))) == pytest.approx(
        expected_calibration_error(y, s), abs=1e-12)


def test_bootstrap_agrees_with_a_slow_reference_loop(generated):
    y, s, g = generated
    y, s, g = y[:3000], s[:3000], g[:3000]
    d = (s >= 0.5).astype(int)
    fast = audit(y, scores=s, threshold=0.5, sensitive_features=g, n_bootstrap=1000,
                 random_state=0, metrics=["FPR", "AUC"])
    rng = np.random.default_rng(1)
    slow = {"FPR": [], "AUC": []}
    members = {k: np.flatnonzero(g == k) for k in "ABCD"}
    for _ in range(1000):
        idx = np.concatenate([rng.choice(m, m.size) for m in members.values()])
        gi = g[idx]
        a = idx[gi == "B"]
        slow["FPR"].append(false_positive_rate(y[a], d[a]))
        slow["AUC"].append(roc_auc_score(y[a], s[a]))
    for metric in ("FPR", "AUC"):
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
    fpr = a.disparities[(a.disparities["metric"] == "FPR") & (a.disparities["group"] == "B")]
    row = fpr.iloc[0]
    assert row["ratio_ci_low"] <= row["ratio"] <= row["ratio_ci_high"]
    assert a.reference == "A"
    assert "times that for A" in a.summary("FPR") and "95% CI" in a.summary("FPR")


def test_intersectional_groups_and_truth_gap(generated):
    y, s, g = generated
    sex = np.where(np.arange(len(y)) % 2 == 0, "female", "male")
    truth = y.copy()
    truth[:500] = 1 - truth[:500]
    r = audit(y, scores=s, threshold=0.5,
              sensitive_features=pd.DataFrame({"group": g, "sex": sex}), true_outcome=truth)
    assert "A / female" in set(r.table["group"])
    assert set(r.truth_gap.columns) == {"label rate", "true rate", "gap"}
    assert r.calibration is not None and {"mean_score", "observed_rate"} <= set(r.calibration)


def test_small_and_single_class_groups_warn_not_crash():
    with pytest.warns(UserWarning, match="fewer than 30 rows"):
        r = audit(Y, scores=S, threshold=0.5, sensitive_features=G)
    assert set(r.small_groups) == {"A", "B"}
    y = np.array([0, 0, 0, 1, 0, 1])
    with pytest.warns(UserWarning, match="every label is the same"):
        r = audit(y, y_pred=y, sensitive_features=["A", "A", "A", "B", "B", "B"],
                  min_group_size=1)
    assert np.isnan(r.value("TPR", "A"))


def test_plot_and_alt_text(generated):
    import matplotlib

    matplotlib.use("Agg")
    y, s, g = generated
    r = audit(y, scores=s, threshold=0.5, sensitive_features=g, n_bootstrap=50, random_state=0)
    ax = r.plot("FPR")
    assert len(ax.patches) == 4
    assert r.alt_text("FPR").startswith("Horizontal bar chart of the FPR by group")


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


def test_metric_names_are_documented():
    assert ALL_METRICS == ["base rate", "selection rate", "TPR", "FPR", "FNR", "precision",
                           "NPV", "AUC", "ECE"]


def test_cluster_bootstrap_accounts_for_siblings(generated):
    y, s, g = generated
    y, s, g = y[:4000], s[:4000], g[:4000]
    d = (s >= 0.5).astype(int)
    # every "household" is four identical rows: the evidence is a quarter of the rows
    y4, d4, g4 = np.repeat(y, 4), np.repeat(d, 4), np.repeat(g, 4)
    households = np.repeat(np.arange(len(y)), 4)
    kwargs = dict(sensitive_features=g4, n_bootstrap=600, random_state=0, metrics=["FPR"])
    rows = audit(y4, y_pred=d4, **kwargs).table.set_index("group")
    clustered = audit(y4, y_pred=d4, clusters=households, **kwargs).table.set_index("group")
    single = audit(y, y_pred=d, **{**kwargs, "sensitive_features": g}).table.set_index("group")
    for group in ("A", "B"):
        width_rows = rows.loc[group, "ci_high"] - rows.loc[group, "ci_low"]
        width_clustered = clustered.loc[group, "ci_high"] - clustered.loc[group, "ci_low"]
        width_single = single.loc[group, "ci_high"] - single.loc[group, "ci_low"]
        assert width_clustered == pytest.approx(2 * width_rows, rel=0.2)
        assert width_clustered == pytest.approx(width_single, rel=0.2)
    assert clustered.loc["A", "value"] == rows.loc["A", "value"]


def test_reliability_curves(generated):
    import matplotlib

    matplotlib.use("Agg")
    y, s, g = generated
    r = audit(y, scores=s, threshold=0.5, sensitive_features=g)
    ax = r.plot_calibration()
    assert len(ax.lines) == 1 + 4  # the diagonal and one curve per group
    cal = r.calibration[r.calibration["group"] == "A"]
    rows = (s * 10).astype(int).clip(max=9)[g == "A"] == cal["bin"].iloc[0]
    assert cal["observed_rate"].iloc[0] == pytest.approx(y[g == "A"][rows].mean())
    with pytest.raises(ValueError, match="no scores"):
        audit(y, y_pred=(s > 0.5).astype(int), sensitive_features=g).plot_calibration()
