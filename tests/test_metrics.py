"""rmlkit.metrics: every metric equals fairlearn's MetricFrame and scikit-learn to 1e-12,
on random data and on the edge cases (an empty group, one class in a group, ties in the
scores, a single row); the bootstrap's resamples are the resamples it says."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from fairlearn.metrics import (
    MetricFrame,
    false_negative_rate,
    false_positive_rate,
    selection_rate,
    true_positive_rate,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn.calibration import calibration_curve
from sklearn.metrics import precision_score, roc_auc_score

from rmlkit.metrics import (
    ALL_METRICS,
    DECISION_METRICS,
    METRICS,
    GroupMetrics,
    calibration_bins,
    factorize_groups,
    label,
)

# fairlearn and scikit-learn functions for each metric; each is applied only where the
# metric is defined (the engine says NaN where its denominator is empty).
REFERENCE = {
    "base_rate": lambda y, d: selection_rate(y, y),
    "selection_rate": selection_rate,
    "true_positive_rate": true_positive_rate,
    "false_positive_rate": false_positive_rate,
    "false_negative_rate": false_negative_rate,
    "precision": lambda y, d: precision_score(y, d, zero_division=np.nan),
    "negative_predictive_value": lambda y, d: precision_score(y, d, pos_label=0,
                                                              zero_division=np.nan),
}
DEFINED = {  # when a metric has a denominator, from the labels y and decisions d
    "base_rate": lambda y, d: len(y) > 0,
    "selection_rate": lambda y, d: len(y) > 0,
    "true_positive_rate": lambda y, d: (y == 1).any(),
    "false_positive_rate": lambda y, d: (y == 0).any(),
    "false_negative_rate": lambda y, d: (y == 1).any(),
    "precision": lambda y, d: (d == 1).any(),
    "negative_predictive_value": lambda y, d: (d == 0).any(),
}


def reference_ece(y, s) -> float:
    """ECE from scikit-learn's calibration_curve, with bin sizes counted by hand from
    the same bins (right-closed, (k/10, (k+1)/10], zero in the first)."""
    true_rate, mean_score = calibration_curve(y, s, n_bins=10, strategy="uniform")
    edges = np.linspace(0, 1, 11)
    sizes = [np.sum((s > lo) & (s <= hi)) + (np.sum(s == 0) if k == 0 else 0)
             for k, (lo, hi) in enumerate(zip(edges[:-1], edges[1:], strict=True))]
    sizes = np.array([n for n in sizes if n > 0])
    return float(np.sum(sizes * np.abs(mean_score - true_rate)) / len(y))


def check_against_references(y, d, s, codes, n_groups):
    engine = GroupMetrics(y, d, s, codes, n_groups)
    ours = engine.estimates(list(ALL_METRICS))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        present = np.unique(codes)
        frame = MetricFrame(metrics=REFERENCE, y_true=y, y_pred=d,
                            sensitive_features=pd.Series(codes, name="group"))
        for k, metric in enumerate(DECISION_METRICS):
            for g in range(n_groups):
                rows = codes == g
                if g in present and DEFINED[metric](y[rows], d[rows]):
                    assert ours[g, k] == pytest.approx(frame.by_group.loc[g, metric],
                                                       abs=1e-12), (metric, g)
                else:
                    assert np.isnan(ours[g, k]), (metric, g)
            if DEFINED[metric](y, d):
                assert ours[-1, k] == pytest.approx(frame.overall[metric], abs=1e-12)
        auc, ece = ALL_METRICS.index("roc_auc"), ALL_METRICS.index("expected_calibration_error")
        for g, rows in [*((g, codes == g) for g in range(n_groups)), (-1, slice(None))]:
            yg, sg = y[rows], s[rows]
            if len(np.unique(yg)) == 2:
                assert ours[g, auc] == pytest.approx(roc_auc_score(yg, sg), abs=1e-12), g
            else:
                assert np.isnan(ours[g, auc]), g
            if len(yg) and len(np.unique(yg)) == 2:  # calibration_curve needs two classes
                assert ours[g, ece] == pytest.approx(reference_ece(yg, sg), abs=1e-12), g
            elif not len(yg):
                assert np.isnan(ours[g, ece])


@st.composite
def data(draw):
    n = draw(st.integers(1, 60))
    n_groups = draw(st.integers(1, 4))
    codes = np.array(draw(st.lists(st.integers(0, n_groups - 1), min_size=n, max_size=n)))
    y = np.array(draw(st.lists(st.integers(0, 1), min_size=n, max_size=n)))
    d = np.array(draw(st.lists(st.integers(0, 1), min_size=n, max_size=n)))
    # few distinct scores, so that ties are common; bin edges such as 0.1 and 0.3 included
    values = st.sampled_from([0.0, 0.1, 0.25, 0.3, 0.5, 0.7, 0.9, 1.0]) | st.floats(0, 1)
    s = np.array(draw(st.lists(values, min_size=n, max_size=n)), dtype=float)
    extra_empty_group = draw(st.booleans())
    return y, d, s, codes, n_groups + int(extra_empty_group)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data())
def test_every_metric_equals_fairlearn_and_scikit_learn(case):
    check_against_references(*case)


@pytest.mark.parametrize("case", ["single row", "one class in a group", "all tied",
                                  "empty group"])
def test_edge_cases(case):
    y = np.array([1, 0, 1, 0, 1, 1, 0, 0])
    d = np.array([1, 1, 0, 0, 1, 0, 1, 0])
    s = np.array([0.9, 0.1, 0.3, 0.3, 0.3, 0.8, 0.2, 0.3])
    codes = np.array([0, 0, 0, 0, 1, 1, 1, 1])
    n_groups = 2
    if case == "single row":
        y, d, s, codes, n_groups = y[:1], d[:1], s[:1], codes[:1], 1
    elif case == "one class in a group":
        y = np.where(codes == 1, 1, y)
    elif case == "all tied":
        s = np.full(len(y), 0.3)
    else:
        n_groups = 3
    check_against_references(y, d, s, codes, n_groups)


def test_random_data_of_a_realistic_size():
    rng = np.random.default_rng(7)
    n = 20_000
    codes = rng.choice(5, n, p=[0.4, 0.3, 0.2, 0.09, 0.01])
    y = (rng.random(n) < 0.2 + 0.05 * codes).astype(int)
    s = np.round(np.clip(0.3 + 0.3 * y + rng.normal(0, 0.2, n), 0, 1), 3)
    d = (s >= 0.5).astype(int)
    check_against_references(y, d, s, codes, 5)


def test_weighted_metrics_equal_the_same_rows_repeated():
    """A bootstrap resample is a vector of row weights: the metrics with weights w equal
    the metrics of the data with each row repeated w times."""
    rng = np.random.default_rng(1)
    n = 500
    codes = rng.integers(0, 3, n)
    y = rng.integers(0, 2, n)
    d = rng.integers(0, 2, n)
    s = np.round(rng.random(n), 1)
    w = rng.integers(0, 4, n).astype(float)
    engine = GroupMetrics(y, d, s, codes, 3)
    # weights are given in the engine's row order (by group, score, label and decision)
    weighted = engine.estimates(list(ALL_METRICS), w)
    assert np.array_equal(weighted, engine.estimates(list(ALL_METRICS), w.astype(int)),
                          equal_nan=True)  # whole-number weights (resamples) summed as such
    repeat = np.repeat(engine.order, w.astype(int))
    repeated = GroupMetrics(y[repeat], d[repeat], s[repeat], codes[repeat], 3)
    np.testing.assert_allclose(weighted, repeated.estimates(list(ALL_METRICS)), atol=1e-12)


def test_bootstrap_resamples_within_groups_and_clusters():
    rng = np.random.default_rng(2)
    n = 400
    codes = np.repeat([0, 1], n // 2)
    clusters = np.arange(n) // 4  # households of four
    y = np.repeat(rng.integers(0, 2, n // 4), 4)  # siblings share the outcome
    s = rng.random(n)
    engine = GroupMetrics(y, (s > 0.5).astype(int), s, codes, 2, clusters)
    weights = [engine._resample_weights(np.random.default_rng(b)) for b in range(50)]
    for w in weights:
        # group sizes stay fixed; a household is drawn whole
        assert w[engine.codes == 0].sum() == n // 2 and w[engine.codes == 1].sum() == n // 2
        unit_weights = {}
        for unit, weight in zip(engine.unit, w, strict=True):
            assert unit_weights.setdefault(unit, weight) == weight
    draws = engine.bootstrap(["base_rate"], 300, np.random.default_rng(0))
    rows = GroupMetrics(y, None, None, codes, 2).bootstrap(["base_rate"], 300,
                                                            np.random.default_rng(0))
    # resampling households of identical siblings is wider than resampling children
    assert draws[:, 0, 0].std() > 1.5 * rows[:, 0, 0].std()


def test_vocabulary():
    assert set(ALL_METRICS) == set(METRICS)
    assert label("false_positive_rate") == "FPR"
    assert label("false_positive_rate_vs_truth") == "FPR (truth)"
    from conftest import ROOT

    glossary = (ROOT / "book" / "glossary.md").read_text().splitlines()
    for metric in METRICS.values():
        assert metric.definition and metric.label
        assert metric.glossary is None or metric.glossary in glossary, metric


def test_factorize_groups_and_bins():
    codes, names = factorize_groups(np.array(["b", "a", "b"]))
    assert names == ["a", "b"] and codes.tolist() == [1, 0, 1]
    assert calibration_bins(np.array([0.0, 0.1, 0.10001, 1.0])).tolist() == [0, 0, 1, 9]


# The modules whose functions return metrics; every public function of theirs is
# either read by _outputs() or listed here with what it returns instead of a table.
METRIC_MODULES = ["rmlkit.metrics", "rmlkit.audit", "rmlkit.tradeoffs", "rmlkit.mitigation",
                  "rmlkit.feedback", "rmlkit.assumptions", "rmlkit.report", "rmlkit.widgets",
                  "rmlkit.explorers"]
NO_TABLE = {
    "rmlkit.audit.describe_by_group": "a sentence",
    "rmlkit.audit.expected_calibration_error": "a number",
    "rmlkit.audit.plot_by_group": "a figure of the values it is given",
    "rmlkit.tradeoffs.capacity_decisions": "an array of decisions",
    "rmlkit.mitigation.reweighing_weights": "an array of weights",
    "rmlkit.mitigation.plot_frontier": "a figure of frontier()'s table",
    "rmlkit.assumptions.assumption_range": "an array of values",
    "rmlkit.report.model_card": "Markdown text (its tables are audit()'s, in words)",
    "rmlkit.explorers.explorer_mode": "a mode name",
    # explorers: their tables are those read below (rates_at_threshold,
    # impossibility_table, expected_cost) or the lesson's own; the twins' tables are the
    # book chart's data (a step, a label and the number for each mark)
    "rmlkit.widgets.threshold_explorer": "a widget showing plot_rates_by_group's table",
    "rmlkit.widgets.impossibility_explorer": "a widget showing impossibility_table's",
    "rmlkit.widgets.cost_explorer": "a widget showing expected_cost's table",
    "rmlkit.widgets.deference_explorer": "a widget showing the lesson's own table",
    "rmlkit.explorers.threshold_twin": "chart data of threshold_sweep's rates",
    "rmlkit.explorers.impossibility_twin": "chart data of impossibility_table's rates",
    "rmlkit.explorers.cost_twin": "chart data of expected_cost's counts",
    "rmlkit.explorers.deference_twin": "chart data of the lesson's own table",
    "rmlkit.explorers.plot_deference_sweep": "a figure of the lesson's own table",
}


def _public_functions() -> set[str]:
    import importlib
    import inspect

    names = set()
    for module_name in METRIC_MODULES:
        module = importlib.import_module(module_name)
        for name in module.__all__:
            obj = getattr(module, name)
            if inspect.isfunction(obj) and obj.__module__ == module_name:
                names.add(f"{module_name}.{name}")
    return names


def _outputs():
    """Every table a public function of the metric modules returns, on small data."""
    import matplotlib

    matplotlib.use("Agg")
    from rmlkit.assumptions import sweep
    from rmlkit.audit import audit
    from rmlkit.datasets import make_child_welfare
    from rmlkit.feedback import simulate_feedback_loop
    from rmlkit.mitigation import compare_mitigations, frontier
    from rmlkit.tradeoffs import (
        expected_cost,
        impossibility_table,
        plot_cost_and_capacity,
        plot_impossibility,
        plot_rates_by_group,
        rates_at_threshold,
        threshold_sweep,
    )

    rng = np.random.default_rng(0)
    n = 600
    g = rng.choice(["A", "B"], n)
    y = rng.integers(0, 2, n)
    s = np.clip(0.3 * y + rng.random(n) * 0.7, 0, 1)
    d = (s >= 0.5).astype(int)
    X = np.column_stack([s, rng.random(n)])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        r = audit(y, d, s, sensitive_features=g, true_outcome=y, n_bootstrap=20)
        for attribute in ("table", "disparities", "gaps", "calibration", "truth_gap"):
            yield "rmlkit.audit.audit", getattr(r, attribute)
        yield "rmlkit.tradeoffs.rates_at_threshold", rates_at_threshold(
            y, s, sensitive_features=g, threshold=0.5).reset_index()
        yield "rmlkit.tradeoffs.threshold_sweep", threshold_sweep(y, s, sensitive_features=g)
        yield "rmlkit.tradeoffs.expected_cost", expected_cost(
            y, d, cost_false_negative=2, cost_false_positive=1,
            sensitive_features=g).reset_index()
        yield "rmlkit.tradeoffs.impossibility_table", impossibility_table(
            {"A": 0.2, "B": 0.3}, precision=0.6, false_negative_rate=0.3).reset_index()
        yield "rmlkit.tradeoffs.plot_rates_by_group", plot_rates_by_group(
            y, s, sensitive_features=g, thresholds=0.5)[1].reset_index()
        yield "rmlkit.tradeoffs.plot_impossibility", plot_impossibility(
            {"A": 0.2}, precision=0.6, false_negative_rate=0.3)[1].reset_index()
        yield "rmlkit.tradeoffs.plot_cost_and_capacity", plot_cost_and_capacity(
            y, s, sensitive_features=g, capacity=50, cost_false_negative=2,
            cost_false_positive=1)[1].reset_index()
        yield "rmlkit.mitigation.compare_mitigations", compare_mitigations(
            X[:400], y[:400], X[400:], y[400:], sensitive_train=g[:400],
            sensitive_test=g[400:], true_outcome_test=y[400:],
            methods=["none", "reweighing"]).reset_index()
        yield "rmlkit.mitigation.frontier", frontier(y, s, sensitive_features=g)
        yield "rmlkit.feedback.simulate_feedback_loop", simulate_feedback_loop(
            5_000, 2, random_state=0)
        yield "rmlkit.assumptions.sweep", sweep(
            lambda data: {"placed": float(data.observed["placed_2y"].mean())}, "bias_share",
            [0.0, 0.5], generator=make_child_welfare, n_referrals=2_000,
            random_state=0).table


def test_every_public_function_is_read_or_returns_no_table():
    public, read = _public_functions(), {name for name, _ in _outputs()}
    assert not read & set(NO_TABLE), read & set(NO_TABLE)
    assert set(NO_TABLE) <= public, f"gone from the library: {set(NO_TABLE) - public}"
    assert public <= read | set(NO_TABLE), (
        "Public functions of the metric modules neither read by _outputs() nor listed in "
        f"NO_TABLE: {sorted(public - read - set(NO_TABLE))}")


def test_every_public_table_speaks_the_vocabulary():
    from rmlkit.metrics import in_vocabulary

    outside = {}
    for name, table in _outputs():
        columns = [*table.columns, *(table.index.names if table.index.names != [None] else [])]
        wrong = [c for c in columns if not in_vocabulary(str(c))]
        if wrong:
            outside.setdefault(name, []).extend(wrong)
    assert not outside, outside
    assert not in_vocabulary("FPR") and not in_vocabulary("share flagged")
