"""Disaggregated evaluation: how a model's errors fall on different groups.

The numbers come from :mod:`rmlkit.metrics` (the same values as fairlearn's
:class:`~fairlearn.metrics.MetricFrame`, tested to 1e-12, computed in a fraction of the
time); this module adds what teaching needs: bootstrap confidence intervals that are
fast enough for a million rows (stratified by group, optionally by household), a
warning for groups too small to say much, the gap between a proxy label and the truth,
plain-language summaries, and figures.

Introduced in lesson 2, Social data and where it comes from (the gap between label and
truth) and explained in lesson 5.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from ._checks import as_binary, as_scores, check_count, check_list, check_number, check_same_length
from .metrics import (
    ALL_METRICS,
    METRICS,
    SCORE_METRICS,
    GroupMetrics,
    factorize_groups,
    label,
)

__all__ = ["ALL_METRICS", "AuditResult", "audit", "describe_by_group",
           "expected_calibration_error", "plot_by_group"]


def expected_calibration_error(y_true, scores) -> float:
    """Mean gap between mean score and observed rate over ten equal-width score bins.

    Weighted by the share of rows in each bin; the bins are scikit-learn's
    (``calibration_curve(..., n_bins=10)``).

    Introduced in lesson 4, Building and evaluating a risk model honestly.
    """
    y = as_binary("y_true", y_true)
    s = as_scores("scores", scores)
    check_same_length(y_true=y, scores=s)
    engine = GroupMetrics(y, None, s, np.zeros(len(y), np.int64), 1)
    return float(engine.expected_calibration_error()[-1])


@dataclass
class AuditResult:
    """What :func:`audit` returns.

    Introduced in lesson 5, Disaggregated evaluation, with uncertainty.

    Attributes
    ----------
    table : pandas.DataFrame
        Tidy: one row per group and metric (names from :data:`rmlkit.metrics.METRICS`),
        with ``estimate``, ``ci_low``, ``ci_high`` and ``n`` (rows in the group). The
        group ``"all"`` is everyone together.
    disparities : pandas.DataFrame
        For each metric and group: ``difference_to_reference`` and
        ``ratio_to_reference``, with confidence intervals when a bootstrap was run.
    gaps : pandas.DataFrame
        For each metric: ``max_min_difference`` and ``min_max_ratio`` over the groups
        (fairlearn's ``between_groups``), with confidence intervals when a bootstrap ran.
    reference : str
        The group that disparities are measured against (the largest, by default).
    small_groups : list
        Groups with fewer rows than ``min_group_size``.
    calibration : pandas.DataFrame or None
        Reliability curve by group: ``mean_score`` and ``observed_rate`` per score ``bin``.
    truth_gap : pandas.DataFrame or None
        Per group, the ``label_rate``, the ``true_rate`` and ``label_minus_true``.
    """

    table: pd.DataFrame
    disparities: pd.DataFrame
    reference: str
    gaps: pd.DataFrame | None = None
    small_groups: list = field(default_factory=list)
    calibration: pd.DataFrame | None = None
    truth_gap: pd.DataFrame | None = None
    confidence: float = 0.95

    def estimate(self, metric: str, group) -> float:
        """The estimate of one metric for one group (``"all"``: everyone)."""
        row = self.table[(self.table["metric"] == metric) & (self.table["group"] == group)]
        if row.empty:
            raise KeyError(f"No estimate for metric {metric!r} and group {group!r}. The "
                           f"metrics are {', '.join(self.table['metric'].unique())}.")
        return float(row["estimate"].iloc[0])

    def wide(self, column: str = "estimate") -> pd.DataFrame:
        """One row per group, one column per metric."""
        return self.table.pivot(index="group", columns="metric", values=column)

    def summary(self, metric: str = "selection_rate") -> str:
        """Plain-language sentences comparing each group with the reference group."""
        d = self.disparities[self.disparities["metric"] == metric]
        lines = []
        for _, row in d.iterrows():
            if (row["group"] == self.reference or not np.isfinite(row["ratio_to_reference"])
                    or row["group"] in self.small_groups):
                continue
            ci = ""
            if np.isfinite(row.get("ratio_to_reference_ci_low", np.nan)):
                ci = (f" ({self.confidence:.0%} CI {row['ratio_to_reference_ci_low']:.2f}"
                      f"\u2013{row['ratio_to_reference_ci_high']:.2f})")
            lines.append(
                f"The {label(metric)} for {row['group']} is {row['ratio_to_reference']:.2f} "
                f"times that for {self.reference}{ci}."
            )
        if self.small_groups:
            lines.append(
                "Too few rows to say much about: " + ", ".join(map(str, self.small_groups)) + "."
            )
        return "\n".join(lines)

    def plot(self, metric: str, ax=None):
        """Bar chart of one metric by group, with confidence intervals when available."""
        t = self.table[(self.table["metric"] == metric) & (self.table["group"] != "all")]
        t = t.sort_values("estimate")
        if ax is None:
            _, ax = plt.subplots(figsize=(7, 0.45 * len(t) + 1.2))
        labels = [str(g) for g in t["group"]]
        err = None
        if t["ci_low"].notna().any():
            err = np.vstack([t["estimate"] - t["ci_low"], t["ci_high"] - t["estimate"]])
            err = np.nan_to_num(err, nan=0.0)
        ax.barh(labels, t["estimate"], xerr=err, color="#4477aa", ecolor="#333333", capsize=3)
        overall = self.estimate(metric, "all")
        ax.axvline(overall, color="#333333", linestyle="--", linewidth=1)
        ax.set_xlabel(label(metric))
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
        parts = ", ".join(f"{g} {v:.2f}" for g, v in zip(t["group"], t["estimate"], strict=True))
        return (f"Horizontal bar chart of the {label(metric)} by group, with a dashed line "
                f"for everyone ({self.estimate(metric, 'all'):.2f}): {parts}.")


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

    Introduced in lesson 2, Social data and where it comes from.

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
    y, d, s = _labels_decisions_scores(y_true, y_pred, scores, threshold)
    codes, names = factorize_groups(sensitive_features)
    decisions = "decisions" if y_pred is None else "y_pred"
    lengths = {"y_true": y, "sensitive_features": codes, decisions: d}
    if s is not None:
        lengths["scores"] = s
    if clusters is not None:
        clusters = pd.factorize(pd.Series(np.asarray(clusters)))[0]
        lengths["clusters"] = clusters
    check_same_length(**lengths)
    n_bootstrap = check_count("n_bootstrap", n_bootstrap, minimum=0, maximum=100_000)
    confidence = check_number("confidence", confidence, low=0.5, high=0.999)
    chosen = _choose_metrics(metrics, has_scores=s is not None)
    min_group_size = check_count("min_group_size", min_group_size, minimum=0)
    sizes = np.bincount(codes, minlength=len(names))
    small = _warn_about_groups(y, codes, names, sizes, min_group_size)
    reference = _choose_reference(reference, names, sizes)
    engine = GroupMetrics(y, d, s, codes, len(names), clusters)
    estimates = engine.estimates(chosen)
    draws = None
    if n_bootstrap:
        show = progress if progress is not None else len(y) * n_bootstrap > 5e7
        draws = engine.bootstrap(chosen, n_bootstrap, np.random.default_rng(random_state),
                                 progress=show)
    index = [*names, "all"]
    table = _metric_table(estimates, draws, index, chosen, [*sizes, len(y)], confidence)
    disparities = _disparities(estimates, draws, names, chosen, reference, confidence)
    gaps = _gaps(estimates, draws, chosen, confidence)
    calibration = None if s is None else _calibration(engine, names)
    truth_gap = None if true_outcome is None else _truth_gap(y, true_outcome, codes, names)
    return AuditResult(table=table, disparities=disparities, gaps=gaps, reference=reference,
                       small_groups=small, calibration=calibration, truth_gap=truth_gap,
                       confidence=confidence)


def _labels_decisions_scores(y_true, y_pred, scores, threshold):
    """The label, the decisions (given, or scores at or above threshold) and the scores."""
    y = as_binary("y_true", y_true)
    if y_pred is None and scores is None:
        raise ValueError("Give y_pred (the decisions), scores (risk scores), or both.")
    s = None if scores is None else as_scores("scores", scores)
    if y_pred is not None:
        return y, as_binary("y_pred", y_pred), s
    if threshold is None:
        raise ValueError(
            "With scores but no y_pred, give a threshold: rows with a score at or above "
            "it count as flagged, for example threshold=0.5."
        )
    threshold = check_number("threshold", threshold, low=0.0, high=1.0)
    return y, (s >= threshold).astype(np.int8), s


def _choose_metrics(metrics, *, has_scores: bool) -> list[str]:
    """The metrics asked for, checked against the vocabulary; score metrics need scores."""
    chosen = list(ALL_METRICS) if metrics is None else check_list("metrics", metrics)
    by_label = {m.label.lower(): name for name, m in METRICS.items()}
    for name in chosen:
        if name not in ALL_METRICS:
            hint = by_label.get(str(name).lower().replace("_", " "))
            hint = f" Did you mean {hint!r}?" if hint else ""
            raise ValueError(
                f"Unknown metric {name!r}.{hint} The metrics are: {', '.join(ALL_METRICS)}."
            )
    return chosen if has_scores else [m for m in chosen if m not in SCORE_METRICS]


def _warn_about_groups(y, codes, names, sizes, min_group_size) -> list[str]:
    """Warn about groups too small to say much, or with one class only; return the small."""
    if len(names) < 2:
        raise ValueError(
            "sensitive_features has only one group, so there is nothing to compare. "
            "Check that you passed the column of group labels."
        )
    small = [g for g, n in zip(names, sizes, strict=True) if n < min_group_size]
    if small:
        warnings.warn(
            f"These groups have fewer than {min_group_size} rows, so their numbers are "
            f"very uncertain: {', '.join(small)}.",
            UserWarning,
            stacklevel=3,
        )
    positives = np.bincount(codes, weights=y, minlength=len(names))
    single_class = [g for g, p, n in zip(names, positives, sizes, strict=True) if p in (0, n)]
    if single_class:
        warnings.warn(
            "In these groups every label is the same, so rates that divide by the other "
            f"class are undefined (NaN): {', '.join(single_class)}.",
            UserWarning,
            stacklevel=3,
        )
    return small


def _choose_reference(reference, names, sizes) -> str:
    if reference is None:
        return names[int(np.argmax(sizes))]
    if str(reference) not in names:
        raise ValueError(f"reference {reference!r} is not one of the groups: {names}. "
                         "Give one of them, or leave reference out to use the largest.")
    return str(reference)


def _interval(draws, confidence, axis=0):
    """Percentile interval over resamples; NaN where every resample is undefined."""
    alpha = (1 - confidence) / 2
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="All-NaN slice", category=RuntimeWarning)
        return (np.nanquantile(draws, alpha, axis=axis),
                np.nanquantile(draws, 1 - alpha, axis=axis))


def _metric_table(estimates, draws, index, chosen, sizes, confidence) -> pd.DataFrame:
    """Tidy: group, metric, estimate, ci_low, ci_high, n (metric by metric, groups in order)."""
    low = high = np.full_like(estimates, np.nan)
    if draws is not None:
        low, high = _interval(draws, confidence)
    k, g = np.meshgrid(np.arange(len(chosen)), np.arange(len(index)), indexing="ij")
    return pd.DataFrame({
        "group": np.asarray(index, dtype=object)[g.ravel()],
        "metric": np.asarray(chosen, dtype=object)[k.ravel()],
        "estimate": estimates.T.ravel(), "ci_low": low.T.ravel(), "ci_high": high.T.ravel(),
        "n": np.asarray(sizes, dtype=np.int64)[g.ravel()],
    })


def _difference_and_ratio(values, ref):
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(ref != 0, values / np.where(ref != 0, ref, 1), np.nan)
    return values - ref, ratio


def _disparities(estimates, draws, names, chosen, reference, confidence) -> pd.DataFrame:
    """Each group's difference and ratio to the reference group, metric by metric."""
    r = names.index(reference)
    values = estimates[:-1]  # groups only, (groups, metrics)
    diff, ratio = _difference_and_ratio(values, values[[r]])
    columns = {"difference_to_reference": diff, "ratio_to_reference": ratio}
    out = {"metric": np.repeat(chosen, len(names)), "group": np.tile(names, len(chosen)),
           "reference": reference, "estimate": values.T.ravel(),
           "reference_estimate": np.repeat(values[r], len(names))}
    for column, value in columns.items():
        out[column] = value.T.ravel()
    if draws is not None:
        d_diff, d_ratio = _difference_and_ratio(draws[:, :-1], draws[:, :-1][:, [r]])
        d_ratio = np.where(np.isfinite(d_ratio), d_ratio, np.nan)
        for column, boot in (("difference_to_reference", d_diff),
                             ("ratio_to_reference", d_ratio)):
            low, high = _interval(boot, confidence)
            out[f"{column}_ci_low"], out[f"{column}_ci_high"] = low.T.ravel(), high.T.ravel()
    else:
        for column in columns:
            out[f"{column}_ci_low"] = out[f"{column}_ci_high"] = np.nan
    return pd.DataFrame(out)


def _max_min(values):
    """Largest minus smallest and smallest over largest, over groups (axis -2)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="All-NaN slice", category=RuntimeWarning)
        high, low = np.nanmax(values, axis=-2), np.nanmin(values, axis=-2)
    with np.errstate(divide="ignore", invalid="ignore"):
        return high - low, np.where(high > 0, low / np.where(high > 0, high, 1), np.nan)


def _gaps(estimates, draws, chosen, confidence) -> pd.DataFrame:
    """Per metric: max_min_difference and min_max_ratio over the groups, with intervals."""
    difference, ratio = _max_min(estimates[:-1])
    out = {"metric": list(chosen), "max_min_difference": difference, "min_max_ratio": ratio}
    boot = _max_min(draws[:, :-1]) if draws is not None else (None, None)
    for column, values in zip(("max_min_difference", "min_max_ratio"), boot, strict=True):
        low, high = (np.full(len(chosen), np.nan),) * 2 if values is None else _interval(
            values, confidence)
        out[f"{column}_ci_low"], out[f"{column}_ci_high"] = low, high
    return pd.DataFrame(out)


def _calibration(engine: GroupMetrics, names) -> pd.DataFrame:
    """Reliability curve per group: mean score and observed rate in each non-empty bin."""
    sums = engine.calibration_sums()[:-1]  # (groups, bins, 3)
    g, b = np.nonzero(sums[..., 0])
    n = sums[g, b, 0]
    return pd.DataFrame({"group": np.asarray(names, dtype=object)[g], "bin": b,
                         "mean_score": sums[g, b, 1] / n, "observed_rate": sums[g, b, 2] / n,
                         "n": n.astype(np.int64)})


def _truth_gap(y, true_outcome, codes, names) -> pd.DataFrame:
    """Per group: the rate of the label, the rate of the truth, and their difference."""
    truth = as_binary("true_outcome", true_outcome)
    check_same_length(y_true=y, true_outcome=truth)
    n = np.bincount(codes, minlength=len(names))
    label_rate = np.bincount(codes, weights=y, minlength=len(names)) / n
    true_rate = np.bincount(codes, weights=truth, minlength=len(names)) / n
    return pd.DataFrame({"group": names, "label_rate": label_rate, "true_rate": true_rate,
                         "label_minus_true": label_rate - true_rate})


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

    Introduced in lesson 4, Building and evaluating a risk model honestly.

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

    Introduced in lesson 4, Building and evaluating a risk model honestly.

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
