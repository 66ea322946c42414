"""Mitigation and its limits: what fairlearn's mitigations change, and what they cost.

Each method is trained on the same data and judged on the same test rows, against the
recorded label and, for synthetic data, against the truth. A smaller disparity metric
is not the same as a fair system: the table shows who is flagged, and how many of the
flagged children truly needed help.

Introduced in lesson 9, Mitigation and its limits.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from fairlearn.postprocessing import ThresholdOptimizer
from fairlearn.reductions import DemographicParity, EqualizedOdds, ExponentiatedGradient
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from ._checks import (
    as_binary,
    as_features,
    check_choice,
    check_count,
    check_names,
    check_same_length,
    check_type,
)
from .metrics import GroupMetrics, factorize_groups, label

__all__ = ["METHODS", "compare_mitigations", "frontier", "plot_frontier", "reweighing_weights"]

METHODS = {
    "none": "the model as trained, one threshold for everyone",
    "threshold optimizer (demographic parity)": "group thresholds equalising selection rates",
    "threshold optimizer (equalized odds)": "group thresholds equalising TPR and FPR",
    "exponentiated gradient (demographic parity)": "retrained under a selection-rate constraint",
    "exponentiated gradient (equalized odds)": "retrained under an error-rate constraint",
    "reweighing": "retrained with weights that make group and label independent",
}


def reweighing_weights(y, groups) -> np.ndarray:
    """Kamiran and Calders' reweighing: weight P(group) P(label) / P(group, label).

    Introduced in lesson 9, Mitigation and its limits.
    """
    check_same_length(y=as_binary("y", y), groups=groups)
    frame = pd.DataFrame({"g": np.asarray(groups).astype(str), "y": np.asarray(y)})
    p_g = frame["g"].map(frame["g"].value_counts(normalize=True))
    p_y = frame["y"].map(frame["y"].value_counts(normalize=True))
    p_gy = frame.groupby(["g", "y"])["y"].transform("size") / len(frame)
    return (p_g * p_y / p_gy).to_numpy()


_GAPS = ["selection_rate", "true_positive_rate", "false_positive_rate"]


def _decision_summary(y, d, groups, truth) -> dict:
    """Accuracy, selection rate and the max-min gaps of the rates, from one engine."""
    codes, names = factorize_groups(groups)
    rates = GroupMetrics(y, d, None, codes, len(names)).estimates(_GAPS)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="All-NaN slice", category=RuntimeWarning)
        gaps = np.nanmax(rates[:-1], axis=0) - np.nanmin(rates[:-1], axis=0)
    row = dict(accuracy=float((d == y).mean()), selection_rate=float(rates[-1, 0]))
    row |= {f"{m}_max_min_difference": float(g) for m, g in zip(_GAPS, gaps, strict=True)}
    if truth is not None:
        everyone = np.zeros(len(y), np.int64)
        vs_truth = GroupMetrics(truth, d, None, everyone, 1).estimates(
            ["precision", "true_positive_rate"])[-1]
        row["precision_vs_truth"], row["true_positive_rate_vs_truth"] = map(float, vs_truth)
    return row


def _at_capacity(chance, tiebreak, capacity: int) -> np.ndarray:
    """Flag the ``capacity`` rows with the highest ``chance``; ties go to ``tiebreak``."""
    order = np.lexsort((-np.asarray(tiebreak, float), -np.asarray(chance, float)))
    flags = np.zeros(len(order), dtype=int)
    flags[order[:capacity]] = 1
    return flags


def _at_capacity_by_group(chance, tiebreak, groups, capacity: int) -> np.ndarray:
    """Move every group's share flagged by the same amount until ``capacity`` rows are
    flagged (from the method's expected flags in each group), then flag within each
    group the rows with the highest ``chance`` (ties: ``tiebreak``)."""
    frame = pd.DataFrame({"g": groups, "chance": chance})
    size = frame.groupby("g").size()
    expected = frame.groupby("g")["chance"].sum()
    quota = (expected + (capacity - expected.sum()) * size / size.sum()).clip(0, size)
    counts = np.floor(quota).astype(int)
    remainder = (quota - counts).sort_values(ascending=False)
    while counts.sum() != capacity:  # rounding and clipping: largest remainders first
        step = 1 if counts.sum() < capacity else -1
        room = [g for g in remainder.index if 0 <= counts[g] + step <= size[g]]
        counts[room[0] if step > 0 else room[-1]] += step
        remainder = remainder.drop(room[0] if step > 0 else room[-1])
        if remainder.empty:
            remainder = (quota - counts).sort_values(ascending=False)
    flags = np.zeros(len(frame), dtype=int)
    for g, k in counts.items():
        rows = np.flatnonzero(frame["g"].to_numpy() == g)
        flags[rows] = _at_capacity(np.asarray(chance)[rows], np.asarray(tiebreak)[rows], int(k))
    return flags


def _mixture_score(model, X) -> np.ndarray:
    """Exponentiated gradient's models' scores, averaged with the mixture's weights."""
    total = np.zeros(len(X))
    for key, weight in model.weights_.items():
        if weight > 0:
            total += weight * model.predictors_[key].predict_proba(X)[:, 1]
    return total


def compare_mitigations(X_train, y_train, X_test, y_test, *, sensitive_train, sensitive_test,
                        true_outcome_test=None, estimator=None, methods=None,
                        capacity: int | None = None, random_state: int = 0) -> pd.DataFrame:
    """Train each mitigation and report what it changes, for whom, and at what cost.

    Introduced in lesson 9, Mitigation and its limits.

    The default model is a logistic regression with balanced class weights; the
    threshold optimizers maximise balanced accuracy under their constraint.

    Without ``capacity``, each method flags at its own decision rule, so the methods
    flag different numbers of test rows. With ``capacity``, every method flags exactly
    that many, the rows it is most inclined to flag. ``none`` and ``reweighing`` flag
    their highest scores, one threshold for everyone. Exponentiated gradient, which
    flags at random with fixed chances, flags the rows with the highest chance of a
    flag (fairlearn's ``_pmf_predict``); among rows with the same chance, those with
    the highest score averaged over its mixture of models. A threshold optimizer, which
    sets a threshold for each group, moves every group's share flagged (its expected
    share of flags) up or down by the same amount until the capacity is reached, and
    within each group flags the rows with the highest chance of a flag, highest scores
    first. Equal selection rates stay equal; equal error rates (equalized odds) hold
    only approximately at a capacity far from the method's own, which the gap columns
    show.

    Parameters
    ----------
    capacity : int, optional
        The number of test rows every method flags (between 1 and the number of test
        rows). Compare methods at one capacity: a method that flags more rows finds
        more of the children in need for that reason alone.

    Returns
    -------
    pandas.DataFrame
        One row per method: ``accuracy``, ``selection_rate`` (the share flagged), the
        largest gaps between groups (``selection_rate_max_min_difference``,
        ``true_positive_rate_max_min_difference``,
        ``false_positive_rate_max_min_difference``) and, with ``true_outcome_test``,
        ``precision_vs_truth`` (the share of flagged children who truly needed help) and
        ``true_positive_rate_vs_truth`` (the share of those in need who were flagged).
    """
    y_tr = as_binary("y_train", y_train)
    y_te = as_binary("y_test", y_test)
    check_same_length(X_train=as_features("X_train", X_train), y_train=y_tr,
                      sensitive_train=sensitive_train)
    check_same_length(X_test=as_features("X_test", X_test), y_test=y_te,
                      sensitive_test=sensitive_test)
    g_tr = np.asarray(sensitive_train).astype(str)
    g_te = np.asarray(sensitive_test).astype(str)
    truth = None if true_outcome_test is None else as_binary("true_outcome_test",
                                                             true_outcome_test)
    methods = list(METHODS) if methods is None else check_names("methods", methods, METHODS)
    if truth is not None:
        check_same_length(y_test=y_te, true_outcome_test=truth)
    for m in methods:
        check_choice("methods", m, METHODS)
    if capacity is not None:
        capacity = check_count("capacity", capacity, minimum=1, maximum=len(y_te))
    # Balanced classes, so that with a rare outcome the model flags a useful share of
    # rows at its default threshold instead of flagging no one.
    base = estimator if estimator is not None else make_pipeline(
        StandardScaler(), LogisticRegression(max_iter=1000, class_weight="balanced"))
    rows = []
    for method in methods:
        chance = score = None  # with a capacity: how strongly the method flags each row
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if method == "none":
                model = clone(base).fit(X_train, y_tr)
                d = model.predict(X_test)
                if capacity is not None:
                    chance = score = model.predict_proba(X_test)[:, 1]
            elif method.startswith("threshold optimizer"):
                constraint = ("demographic_parity" if "parity" in method else "equalized_odds")
                model = ThresholdOptimizer(estimator=clone(base), constraints=constraint,
                                           objective="balanced_accuracy_score",
                                           predict_method="predict_proba")
                model.fit(X_train, y_tr, sensitive_features=g_tr)
                d = model.predict(X_test, sensitive_features=g_te, random_state=random_state)
                if capacity is not None:
                    chance = model._pmf_predict(X_test, sensitive_features=g_te)[:, 1]
                    score = model.estimator_.predict_proba(X_test)[:, 1]
            elif method.startswith("exponentiated gradient"):
                constraint = DemographicParity() if "parity" in method else EqualizedOdds()
                model = ExponentiatedGradient(
                    LogisticRegression(max_iter=1000, class_weight="balanced"),
                    constraints=constraint)
                model.fit(np.asarray(X_train, float), y_tr, sensitive_features=g_tr)
                d = model.predict(np.asarray(X_test, float), random_state=random_state)
                if capacity is not None:
                    chance = model._pmf_predict(np.asarray(X_test, float))[:, 1]
                    score = _mixture_score(model, np.asarray(X_test, float))
            else:  # reweighing
                model = clone(base)
                weights = reweighing_weights(y_tr, g_tr)
                last = model.steps[-1][0] if hasattr(model, "steps") else None
                key = f"{last}__sample_weight" if last else "sample_weight"
                model.fit(X_train, y_tr, **{key: weights})
                d = model.predict(X_test)
                if capacity is not None:
                    chance = score = model.predict_proba(X_test)[:, 1]
        if capacity is not None and method.startswith("threshold optimizer"):
            d = _at_capacity_by_group(chance, score, g_te, capacity)
        elif capacity is not None:
            d = _at_capacity(chance, score, capacity)
        d = np.asarray(d).astype(int)
        rows.append(dict(method=method) | _decision_summary(y_te, d, g_te, truth))
    return pd.DataFrame(rows).set_index("method")


def frontier(y_true, scores, *, sensitive_features, disparity: str = "false_positive_rate",
             thresholds=None) -> pd.DataFrame:
    """Accuracy and the largest gap between groups, for one threshold after another.

    Returns ``threshold``, ``accuracy`` and ``<disparity>_max_min_difference``.

    Introduced in lesson 9, Mitigation and its limits.
    """
    from .tradeoffs import threshold_sweep

    check_choice("disparity", disparity, ["selection_rate", "true_positive_rate",
                                          "false_positive_rate", "precision"])
    y = as_binary("y_true", y_true)
    sweep = threshold_sweep(y, scores, sensitive_features=sensitive_features,
                            thresholds=thresholds)
    groups = sweep[sweep["group"] != "all"]
    gap = groups.groupby("threshold")[disparity].agg(lambda v: v.max() - v.min())
    everyone = sweep[sweep["group"] == "all"].set_index("threshold")
    base = y.mean()
    accuracy = (everyone["true_positive_rate"] * base
                + (1 - everyone["false_positive_rate"]) * (1 - base))
    return pd.DataFrame({"accuracy": accuracy,
                         f"{disparity}_max_min_difference": gap}).reset_index()


def plot_frontier(curve: pd.DataFrame, mitigations: pd.DataFrame | None = None, ax=None):
    """Accuracy against the gap between groups: thresholds as dots, their efficient
    frontier as a line, and each mitigation as a labelled marker.

    ``curve`` comes from :func:`frontier`; ``mitigations`` from
    :func:`compare_mitigations` (its ``accuracy`` and the matching
    ``..._max_min_difference`` column).
    A threshold is on the frontier when no other threshold has both a smaller gap and a
    higher accuracy.

    Introduced in lesson 9, Mitigation and its limits.
    """
    import matplotlib.pyplot as plt

    check_type("curve", curve, pd.DataFrame, "the table that frontier() returns")
    gap_column = next((c for c in curve.columns if c.endswith("_max_min_difference")), None)
    if gap_column is None or "accuracy" not in curve:
        raise ValueError("curve must be what frontier() returns (accuracy and a gap column).")
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 4))
    points = curve.dropna(subset=[gap_column, "accuracy"]).sort_values(gap_column)
    efficient = points[points["accuracy"] >= points["accuracy"].cummax()]
    ax.scatter(points[gap_column], points["accuracy"], s=8, color="#bbbbbb",
               label="one threshold for all")
    ax.plot(efficient[gap_column], efficient["accuracy"], color="#4477aa",
            label="best accuracy for a given gap")
    if mitigations is not None:
        key = gap_column
        if key not in mitigations:
            raise ValueError(f"mitigations has no column matching {gap_column!r}.")
        markers = "osD^vP*X"
        for i, (name, row) in enumerate(mitigations.iterrows()):
            ax.scatter(row[key], row["accuracy"], marker=markers[i % len(markers)], s=60,
                       zorder=3, label=name)
    metric = gap_column.removesuffix("_max_min_difference")
    ax.set_xlabel(f"largest gap in {label(metric)} between groups (max - min)")
    ax.set_ylabel("accuracy")
    ax.legend(frameon=False, fontsize=7, loc="center left", bbox_to_anchor=(1.0, 0.5))
    ax.spines[["top", "right"]].set_visible(False)
    return ax
