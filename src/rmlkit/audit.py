"""Disaggregated evaluation: how a model's errors fall on different groups.

Built on :class:`fairlearn.metrics.MetricFrame` for the point estimates; this module
adds what teaching needs: bootstrap confidence intervals that are fast enough for a
million rows, a warning for groups too small to say much, the gap between a proxy label
and the truth, plain-language summaries, and figures.

Introduced in {ref}`lesson-disaggregated`.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from fairlearn.metrics import (
    MetricFrame,
    false_negative_rate,
    false_positive_rate,
    selection_rate,
    true_positive_rate,
)
from sklearn.metrics import precision_score, roc_auc_score
from tqdm.auto import tqdm

from ._checks import as_binary, as_scores, check_count, check_list, check_number, check_same_length

__all__ = ["AuditResult", "audit", "describe_by_group", "plot_by_group"]


def _base_rate(y_true, y_pred):
    return float(np.mean(y_true))


def _npv(y_true, y_pred):
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    negatives = y_pred == 0
    return float(np.mean(y_true[negatives] == 0)) if negatives.any() else np.nan


def _precision(y_true, y_pred):
    return precision_score(y_true, y_pred, zero_division=np.nan)


def _auc(y_true, scores):
    return roc_auc_score(y_true, scores) if len(np.unique(y_true)) == 2 else np.nan


def expected_calibration_error(y_true, scores, n_bins: int = 10) -> float:
    """Mean gap between predicted and observed rates over equal-width score bins.

    Weighted by the share of rows in each bin. Introduced in {ref}`lesson-risk-model`.
    """
    y_true, scores = np.asarray(y_true, float), np.asarray(scores, float)
    bins = np.minimum((scores * n_bins).astype(int), n_bins - 1)
    counts = np.bincount(bins, minlength=n_bins)
    mean_score = np.bincount(bins, weights=scores, minlength=n_bins)
    mean_true = np.bincount(bins, weights=y_true, minlength=n_bins)
    used = counts > 0
    gaps = np.abs(mean_score[used] - mean_true[used]) / counts[used]
    return float(np.sum(gaps * counts[used]) / counts.sum())


# decision metrics: name -> (function for MetricFrame, formula on confusion counts)
DECISION_METRICS = {
    "base rate": (_base_rate, lambda tp, fp, fn, tn: (tp + fn) / (tp + fp + fn + tn)),
    "selection rate": (selection_rate, lambda tp, fp, fn, tn: (tp + fp) / (tp + fp + fn + tn)),
    "TPR": (true_positive_rate, lambda tp, fp, fn, tn: tp / (tp + fn)),
    "FPR": (false_positive_rate, lambda tp, fp, fn, tn: fp / (fp + tn)),
    "FNR": (false_negative_rate, lambda tp, fp, fn, tn: fn / (tp + fn)),
    "precision": (_precision, lambda tp, fp, fn, tn: tp / (tp + fp)),
    "NPV": (_npv, lambda tp, fp, fn, tn: tn / (tn + fn)),
}
SCORE_METRICS = {"AUC": _auc, "ECE": expected_calibration_error}
ALL_METRICS = list(DECISION_METRICS) + list(SCORE_METRICS)


@dataclass
class AuditResult:
    """What :func:`audit` returns.
    Introduced in {ref}`lesson-disaggregated`.


    Attributes
    ----------
    table : pandas.DataFrame
        Tidy: one row per group and metric, with ``value``, ``ci_low``, ``ci_high`` and
        ``n`` (rows in the group). The group ``"all"`` is everyone together.
    disparities : pandas.DataFrame
        For each metric and group: the difference and the ratio to the reference group,
        with confidence intervals when a bootstrap was run.
    reference : str
        The group that disparities are measured against (the largest, by default).
    small_groups : list
        Groups with fewer rows than ``min_group_size``.
    calibration : pandas.DataFrame or None
        Reliability curve by group: mean score and observed rate per score bin.
    truth_gap : pandas.DataFrame or None
        Per group, the rate of the proxy label, the rate of the true outcome and the gap.
    """

    table: pd.DataFrame
    disparities: pd.DataFrame
    reference: str
    small_groups: list = field(default_factory=list)
    calibration: pd.DataFrame | None = None
    truth_gap: pd.DataFrame | None = None
    confidence: float = 0.95

    def value(self, metric: str, group) -> float:
        row = self.table[(self.table["metric"] == metric) & (self.table["group"] == group)]
        if row.empty:
            raise KeyError(f"No value for metric {metric!r} and group {group!r}.")
        return float(row["value"].iloc[0])

    def wide(self, column: str = "value") -> pd.DataFrame:
        """One row per group, one column per metric."""
        return self.table.pivot(index="group", columns="metric", values=column)

    def summary(self, metric: str = "selection rate") -> str:
        """Plain-language sentences comparing each group with the reference group."""
        d = self.disparities[self.disparities["metric"] == metric]
        lines = []
        for _, row in d.iterrows():
            if (row["group"] == self.reference or not np.isfinite(row["ratio"])
                    or row["group"] in self.small_groups):
                continue
            ci = ""
            if np.isfinite(row.get("ratio_ci_low", np.nan)):
                ci = (f" ({self.confidence:.0%} CI {row['ratio_ci_low']:.2f}"
                      f"\u2013{row['ratio_ci_high']:.2f})")
            lines.append(
                f"The {metric} for {row['group']} is {row['ratio']:.2f} times that for "
                f"{self.reference}{ci}."
            )
        if self.small_groups:
            lines.append(
                "Too few rows to say much about: " + ", ".join(map(str, self.small_groups)) + "."
            )
        return "\n".join(lines)

    def plot(self, metric: str, ax=None):
        """Bar chart of one metric by group, with confidence intervals when available."""
        t = self.table[(self.table["metric"] == metric) & (self.table["group"] != "all")]
        t = t.sort_values("value")
        if ax is None:
            _, ax = plt.subplots(figsize=(7, 0.45 * len(t) + 1.2))
        labels = [str(g) for g in t["group"]]
        err = None
        if t["ci_low"].notna().any():
            err = np.vstack([t["value"] - t["ci_low"], t["ci_high"] - t["value"]])
            err = np.nan_to_num(err, nan=0.0)
        ax.barh(labels, t["value"], xerr=err, color="#4477aa", ecolor="#333333", capsize=3)
        overall = self.value(metric, "all")
        ax.axvline(overall, color="#333333", linestyle="--", linewidth=1)
        ax.set_xlabel(metric)
        ax.spines[["top", "right"]].set_visible(False)
        return ax

    def plot_calibration(self, ax=None, min_rows: int = 20):
        """Reliability curves: observed rate against mean score per score bin, by group.

        Bins with fewer than ``min_rows`` rows are left out. A calibrated score follows
        the diagonal.
        """
        if self.calibration is None:
            raise ValueError("This audit has no scores, so there is no calibration to plot. "
                             "Pass scores=... to audit().")
        if ax is None:
            _, ax = plt.subplots(figsize=(5.5, 5))
        ax.plot([0, 1], [0, 1], color="#999999", linestyle="--", linewidth=1)
        for group, rows in self.calibration.groupby("group"):
            rows = rows[rows["n"] >= min_rows]
            if len(rows):
                ax.plot(rows["mean_score"], rows["observed_rate"], marker="o", label=str(group))
        ax.set_xlabel("mean score in the bin")
        ax.set_ylabel("observed rate of the label")
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        ax.legend(frameon=False, fontsize=8)
        ax.spines[["top", "right"]].set_visible(False)
        return ax

    def alt_text(self, metric: str) -> str:
        """Alt text for :meth:`plot`, with the numbers it shows."""
        t = self.table[(self.table["metric"] == metric) & (self.table["group"] != "all")]
        parts = ", ".join(f"{g} {v:.2f}" for g, v in zip(t["group"], t["value"], strict=True))
        return (f"Horizontal bar chart of the {metric} by group, with a dashed line for "
                f"everyone ({self.value(metric, 'all'):.2f}): {parts}.")


def _group_labels(sensitive_features) -> pd.Series:
    if isinstance(sensitive_features, pd.DataFrame):
        if sensitive_features.shape[1] == 1:
            return sensitive_features.iloc[:, 0].astype(str).reset_index(drop=True)
        return sensitive_features.astype(str).agg(" / ".join, axis=1).reset_index(drop=True)
    return pd.Series(np.asarray(sensitive_features)).astype(str)


def audit(
    y_true,
    y_pred=None,
    scores=None,
    *,
    sensitive_features,
    threshold: float | None = None,
    metrics=None,
    n_bootstrap: int = 0,
    confidence: float = 0.95,
    reference=None,
    min_group_size: int = 30,
    true_outcome=None,
    clusters=None,
    random_state=None,
    progress: bool | None = None,
) -> AuditResult:
    """A disaggregated report of a model's decisions and scores, group by group.

    Introduced in {ref}`lesson-social-data`.

    Parameters
    ----------
    y_true : array-like of 0/1
        The label (what was recorded).
    y_pred : array-like of 0/1, optional
        The decisions. If not given, ``scores >= threshold`` (``threshold`` is needed).
    scores : array-like of float in [0, 1], optional
        Risk scores, for AUC, calibration and, with ``threshold``, the decisions.
    sensitive_features : array-like or DataFrame
        The group of each row. A DataFrame with several columns gives intersectional
        groups ("Black / female").
    metrics : list of str, optional
        Which of ``ALL_METRICS`` to report (default: all that the inputs allow).
    n_bootstrap : int
        Bootstrap resamples for confidence intervals (0: none; 200 is a good start).
        Rows are resampled within each group, so group sizes stay fixed.
    reference : optional
        The group disparities are measured against (default: the largest group).
    min_group_size : int
        Groups smaller than this get a warning (not an error): their numbers are noisy.
    true_outcome : array-like of 0/1, optional
        The truth the label stands in for (synthetic data only). Adds ``truth_gap``.
    clusters : array-like, optional
        Rows that belong together, such as the children of one household. The bootstrap
        then resamples whole clusters, so that siblings with shared outcomes do not
        count as independent evidence (their intervals are wider, and honest).
    random_state : int, optional
        Seed for the bootstrap.

    Returns
    -------
    AuditResult
    """
    y = as_binary("y_true", y_true)
    if y_pred is None and scores is None:
        raise ValueError("Give y_pred (the decisions), scores (risk scores), or both.")
    s = None if scores is None else as_scores("scores", scores)
    if y_pred is None:
        if threshold is None:
            raise ValueError(
                "With scores but no y_pred, give a threshold: rows with a score at or above "
                "it count as flagged, for example threshold=0.5."
            )
        threshold = check_number("threshold", threshold, low=0.0, high=1.0)
        d = (s >= threshold).astype(np.int8)
    else:
        d = as_binary("y_pred", y_pred)
    groups = _group_labels(sensitive_features)
    decisions = "decisions" if y_pred is None else "y_pred"
    lengths = {"y_true": y, "sensitive_features": groups, decisions: d}
    if s is not None:
        lengths["scores"] = s
    if clusters is not None:
        clusters = pd.factorize(pd.Series(np.asarray(clusters)))[0]
        lengths["clusters"] = clusters
    check_same_length(**lengths)
    n_bootstrap = check_count("n_bootstrap", n_bootstrap, minimum=0, maximum=100_000)
    confidence = check_number("confidence", confidence, low=0.5, high=0.999)
    chosen = ALL_METRICS if metrics is None else check_list("metrics", metrics)
    min_group_size = check_count("min_group_size", min_group_size, minimum=0)
    for name in chosen:
        if name not in ALL_METRICS:
            raise ValueError(
                f"Unknown metric {name!r}. The metrics are: {', '.join(ALL_METRICS)}."
            )
    if s is None:
        chosen = [m for m in chosen if m not in SCORE_METRICS]
    names = sorted(groups.unique())
    if len(names) < 2:
        raise ValueError(
            "sensitive_features has only one group, so there is nothing to compare. "
            "Check that you passed the column of group labels."
        )
    sizes = groups.value_counts()
    small = [g for g in names if sizes[g] < min_group_size]
    if small:
        warnings.warn(
            f"These groups have fewer than {min_group_size} rows, so their numbers are "
            f"very uncertain: {', '.join(small)}.",
            UserWarning,
            stacklevel=2,
        )
    single_class = [g for g in names if len(np.unique(y[groups.to_numpy() == g])) < 2]
    if single_class:
        warnings.warn(
            "In these groups every label is the same, so rates that divide by the other "
            f"class are undefined (NaN): {', '.join(single_class)}.",
            UserWarning,
            stacklevel=2,
        )
    reference = sizes.idxmax() if reference is None else str(reference)
    if reference not in names:
        raise ValueError(f"reference {reference!r} is not one of the groups: {names}.")

    # --- point estimates with fairlearn ---------------------------------------------
    decision_names = [m for m in chosen if m in DECISION_METRICS]
    score_names = [m for m in chosen if m in SCORE_METRICS]
    frames = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # undefined rates become NaN, reported above
        if decision_names:
            mf = MetricFrame(
                metrics={m: DECISION_METRICS[m][0] for m in decision_names},
                y_true=y, y_pred=d, sensitive_features=groups.rename("group"),
            )
            frames.append(pd.concat([mf.by_group, mf.overall.to_frame("all").T]))
        if score_names:
            mf = MetricFrame(
                metrics={m: SCORE_METRICS[m] for m in score_names},
                y_true=y, y_pred=s, sensitive_features=groups.rename("group"),
            )
            frames.append(pd.concat([mf.by_group, mf.overall.to_frame("all").T]))
    wide = pd.concat(frames, axis=1)[chosen]
    wide.index = wide.index.astype(str)
    # A rate whose denominator is empty is undefined, not 0 (fairlearn reports 0).
    codes = pd.Categorical(groups, categories=names).codes
    counts = _confusion_counts(y, d, codes, len(names))
    counts = pd.DataFrame(np.vstack([counts, counts.sum(axis=0)]), index=[*names, "all"],
                          columns=["tn", "fp", "fn", "tp"])
    denominators = {"TPR": counts.tp + counts.fn, "FNR": counts.tp + counts.fn,
                    "FPR": counts.fp + counts.tn, "precision": counts.tp + counts.fp,
                    "NPV": counts.tn + counts.fn}
    for metric, denominator in denominators.items():
        if metric in wide:
            wide.loc[denominator.index[denominator == 0], metric] = np.nan
    table = wide.rename_axis("group").reset_index().melt(
        id_vars="group", var_name="metric", value_name="value")
    table["n"] = table["group"].map({**sizes.to_dict(), "all": len(y)}).astype(int)
    table["ci_low"] = np.nan
    table["ci_high"] = np.nan

    disparities = _disparities(wide, reference)
    if n_bootstrap:
        boot = _bootstrap(y, d, s, codes, len(names), chosen, n_bootstrap, random_state,
                          progress, clusters)
        # A metric undefined in every resample (no positives in a tiny group, say) has
        # no interval: NaN, as its point estimate already says, without numpy's warning.
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="All-NaN slice", category=RuntimeWarning)
            alpha = (1 - confidence) / 2
            index = [*names, "all"]
            for k, metric in enumerate(chosen):
                draws = boot[:, :, k]  # (B, groups + 1)
                low = np.nanquantile(draws, alpha, axis=0)
                high = np.nanquantile(draws, 1 - alpha, axis=0)
                for j, g in enumerate(index):
                    mask = (table["metric"] == metric) & (table["group"] == g)
                    table.loc[mask, ["ci_low", "ci_high"]] = [low[j], high[j]]
                ref = index.index(reference)
                with np.errstate(divide="ignore", invalid="ignore"):
                    diff = draws[:, :-1] - draws[:, [ref]]
                    ratio = draws[:, :-1] / draws[:, [ref]]
                for j, g in enumerate(names):
                    mask = (disparities["metric"] == metric) & (disparities["group"] == g)
                    disparities.loc[mask, "difference_ci_low"] = np.nanquantile(diff[:, j], alpha)
                    disparities.loc[mask, "difference_ci_high"] = np.nanquantile(diff[:, j],
                                                                                 1 - alpha)
                    finite = ratio[:, j][np.isfinite(ratio[:, j])]
                    if finite.size:
                        disparities.loc[mask, "ratio_ci_low"] = np.quantile(finite, alpha)
                        disparities.loc[mask, "ratio_ci_high"] = np.quantile(finite, 1 - alpha)

    calibration = None
    if s is not None:
        bins = np.minimum((s * 10).astype(int), 9)
        calibration = (pd.DataFrame({"group": groups, "bin": bins, "score": s, "label": y})
                       .groupby(["group", "bin"])
                       .agg(mean_score=("score", "mean"), observed_rate=("label", "mean"),
                            n=("label", "size"))
                       .reset_index())
    truth_gap = None
    if true_outcome is not None:
        truth = as_binary("true_outcome", true_outcome)
        check_same_length(y_true=y, true_outcome=truth)
        truth_gap = (pd.DataFrame({"group": groups, "label": y, "truth": truth})
                     .groupby("group")[["label", "truth"]].mean()
                     .rename(columns={"label": "label rate", "truth": "true rate"}))
        truth_gap["gap"] = truth_gap["label rate"] - truth_gap["true rate"]
    return AuditResult(table=table, disparities=disparities, reference=reference,
                       small_groups=small, calibration=calibration, truth_gap=truth_gap,
                       confidence=confidence)


def _disparities(wide: pd.DataFrame, reference: str) -> pd.DataFrame:
    groups = wide.drop(index="all")
    rows = []
    for metric in wide.columns:
        ref = groups.loc[reference, metric]
        for g, v in groups[metric].items():
            with np.errstate(divide="ignore", invalid="ignore"):
                ratio = v / ref if ref != 0 else np.nan
            rows.append(dict(metric=metric, group=g, reference=reference, value=v,
                             difference=v - ref, ratio=ratio))
    out = pd.DataFrame(rows)
    for column in ("difference_ci_low", "difference_ci_high", "ratio_ci_low", "ratio_ci_high"):
        out[column] = np.nan
    return out


def _confusion_counts(y, d, codes, n_groups) -> np.ndarray:
    """Counts of (tn, fp, fn, tp) per group: shape (groups, 4)."""
    cell = y.astype(np.int64) * 2 + d.astype(np.int64)  # 0 tn, 1 fp, 2 fn, 3 tp
    flat = np.bincount(codes.astype(np.int64) * 4 + cell, minlength=n_groups * 4)
    return flat.reshape(n_groups, 4)


def _bootstrap(y, d, s, codes, n_groups, metrics, B, random_state, progress, clusters=None):
    """Metric values for B resamples within groups: shape (B, groups + 1, metrics).

    Without clusters, rows are resampled: resampling n rows of a group with replacement
    gives multinomial counts of its four confusion cells, so a replicate costs four
    numbers per group, not n rows. With clusters, whole (group, cluster) units are
    resampled and their confusion counts added up. Score metrics (AUC, ECE) use each
    replicate's row weights on rows sorted once by score.
    """
    rng = np.random.default_rng(random_state)
    out = np.full((B, n_groups + 1, len(metrics)), np.nan)
    score_metrics = [(k, m) for k, m in enumerate(metrics) if m in SCORE_METRICS]
    need_rows = bool(score_metrics) and s is not None
    if clusters is None:
        unit = np.arange(len(y))
    else:
        unit = pd.factorize(pd.Series(codes.astype(np.int64) * (int(clusters.max()) + 1)
                                      + clusters))[0]
    n_units = int(unit.max()) + 1
    unit_group = np.zeros(n_units, dtype=np.int64)
    unit_group[unit] = codes
    cell = y.astype(np.int64) * 2 + d.astype(np.int64)
    unit_counts = np.bincount(unit * 4 + cell, minlength=n_units * 4).reshape(n_units, 4)
    units_of = [np.flatnonzero(unit_group == g) for g in range(n_groups)]

    boot_counts = np.zeros((B, n_groups, 4))
    if clusters is None and not need_rows:
        counts = _confusion_counts(y, d, codes, n_groups)
        sizes = counts.sum(axis=1)
        for g in range(n_groups):
            boot_counts[:, g] = rng.multinomial(sizes[g], counts[g] / max(sizes[g], 1), size=B)
    else:
        if need_rows:
            # sort once: each group's rows, and all rows, by score
            members = [np.flatnonzero(codes == g) for g in range(n_groups)]
            members = [idx[np.argsort(s[idx], kind="mergesort")] for idx in members]
            everyone = np.argsort(s, kind="mergesort")
            row_sets = [*members, everyone]
            prepared = [_SortedScores(y[idx], s[idx]) for idx in row_sets]
        show = progress if progress is not None else len(y) * B > 5e7
        weights = np.zeros(n_units)
        for b in tqdm(range(B), desc="bootstrap", disable=not show):
            for g, units in enumerate(units_of):
                draw = np.bincount(rng.integers(0, units.size, units.size),
                                   minlength=units.size)
                weights[units] = draw
                boot_counts[b, g] = draw @ unit_counts[units]
            if need_rows:
                w_rows = weights[unit]
                for j, idx in enumerate(row_sets):
                    for k, metric in score_metrics:
                        out[b, j, k] = prepared[j].metric(metric, w_rows[idx])
    c = np.concatenate([boot_counts, boot_counts.sum(axis=1, keepdims=True)], axis=1)
    tn, fp, fn, tp = c[..., 0], c[..., 1], c[..., 2], c[..., 3]
    with np.errstate(divide="ignore", invalid="ignore"):
        for k, metric in enumerate(metrics):
            if metric in DECISION_METRICS:
                out[:, :, k] = DECISION_METRICS[metric][1](tp, fp, fn, tn)
    return out


class _SortedScores:
    """Labels and scores sorted by score, with ties and calibration bins found once."""

    def __init__(self, y, s):
        self.y, self.s = y.astype(float), s
        self.starts = np.flatnonzero(np.r_[True, s[1:] != s[:-1]]) if s.size else np.array([0])
        self.bins = np.minimum((s * 10).astype(int), 9)

    def metric(self, name, w):
        if self.s.size == 0:
            return np.nan
        if name == "AUC":
            pos_w, neg_w = w * self.y, w * (1 - self.y)
            total_pos, total_neg = pos_w.sum(), neg_w.sum()
            if total_pos == 0 or total_neg == 0:
                return np.nan
            pos_tie = np.add.reduceat(pos_w, self.starts)
            neg_tie = np.add.reduceat(neg_w, self.starts)
            neg_below = np.cumsum(neg_tie) - neg_tie
            return float(np.sum(pos_tie * (neg_below + 0.5 * neg_tie)) / (total_pos * total_neg))
        total = np.bincount(self.bins, weights=w, minlength=10)
        mean_s = np.bincount(self.bins, weights=w * self.s, minlength=10)
        mean_y = np.bincount(self.bins, weights=w * self.y, minlength=10)
        return float(np.sum(np.abs(mean_s - mean_y)) / total.sum())


def _as_group_series(values, name: str) -> pd.Series:
    if not isinstance(values, pd.Series):
        raise TypeError(
            f"{name} must be a pandas Series with one value per group (for example "
            f"MetricFrame(...).by_group), but you gave a {type(values).__name__}."
        )
    if values.empty:
        raise ValueError(f"{name} is empty: there are no groups to show.")
    if not pd.api.types.is_numeric_dtype(values):
        raise TypeError(
            f"{name} must hold numbers (one metric value per group), but its values are "
            f"of type {values.dtype}. Pass a single metric, such as mf.by_group['fpr']."
        )
    return values.astype(float)


def describe_by_group(values: pd.Series, metric_name: str) -> str:
    """Describe in one plain sentence which groups have the highest and lowest value.

    Introduced in {ref}`lesson-risk-model`.

    Parameters
    ----------
    values : pandas.Series
        One metric value per group, indexed by group (``MetricFrame.by_group``).
    metric_name : str
        What the values are, in words, for example ``"false positive rate"``.

    Examples
    --------
    >>> rates = pd.Series({"Group A": 0.10, "Group B": 0.25})
    >>> print(describe_by_group(rates, "false positive rate"))  # doctest: +NORMALIZE_WHITESPACE
    The false positive rate is highest for Group B (0.25) and lowest for Group A (0.10):
    2.5 times as high.
    """
    values = _as_group_series(values, "values").dropna()
    if values.empty:
        return f"The {metric_name} could not be computed for any group."
    high, low = values.idxmax(), values.idxmin()
    if len(values) == 1:
        return f"The {metric_name} for {high} is {values[high]:.2f}; there is no other group."
    ratio = values[high] / values[low] if values[low] > 0 else np.inf
    ratio_text = (
        f"{ratio:.1f} times as high" if np.isfinite(ratio) else "the lowest is zero"
    )
    return (
        f"The {metric_name} is highest for {high} ({values[high]:.2f}) and lowest for "
        f"{low} ({values[low]:.2f}): {ratio_text}."
    )


def plot_by_group(values: pd.Series, metric_name: str, *, overall: float | None = None, ax=None):
    """Draw one metric per group as a horizontal bar chart, with the values written on.

    Introduced in {ref}`lesson-risk-model`.

    Parameters
    ----------
    values : pandas.Series
        One metric value per group (``MetricFrame.by_group``).
    metric_name : str
        The axis label, for example ``"False positive rate"``.
    overall : float, optional
        The value for everyone together, drawn as a dashed line.
    ax : matplotlib Axes, optional
        Where to draw; a new figure is made if not given.

    Returns
    -------
    matplotlib.axes.Axes
    """
    values = _as_group_series(values, "values").sort_values()
    if values.isna().all():
        raise ValueError("values has no number to draw (every group's value is NaN).")
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 0.45 * len(values) + 1.2))
    labels = [str(i) if not isinstance(i, tuple) else " / ".join(map(str, i)) for i in values.index]
    bars = ax.barh(labels, values.to_numpy(), color="#4477aa")
    ax.bar_label(bars, labels=[f"{v:.2f}" for v in values], padding=3)
    if overall is not None:
        ax.axvline(overall, color="#333333", linestyle="--", linewidth=1)
        ax.text(overall, len(values) - 0.4, " all children", va="bottom", fontsize=9)
    ax.set_xlabel(metric_name)
    ax.set_xlim(0, max(values.max() * 1.25, 1e-9))
    ax.spines[["top", "right"]].set_visible(False)
    return ax
