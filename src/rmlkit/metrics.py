"""Group metrics: one vocabulary, and one engine that computes every metric by group.

**The vocabulary.** Every function in :mod:`rmlkit` names a metric the way
:data:`METRICS` does: snake_case names after fairlearn's and scikit-learn's functions
(``false_positive_rate``, ``roc_auc``), each with a short ``label`` for tables and
figures and the term of the book's glossary that explains it. Results are tidy, with
the columns of :data:`COLUMNS` (``group``, ``metric``, ``estimate``, ``ci_low``,
``ci_high``, ``n``). A disparity is measured in two named ways: to a reference group
(``difference_to_reference``, ``ratio_to_reference``) and between the groups furthest
apart (``max_min_difference``, ``min_max_ratio``, fairlearn's ``between_groups``).

**The engine.** Groups are factorised once; rows are sorted once by group and score.
Decision metrics come from confusion counts per group (one ``np.bincount``), AUC from
rank sums over that sort (ties count one half, as in scikit-learn), calibration and ECE
from sums per score bin (one binning: scikit-learn's ``calibration_curve``). A bootstrap
resample is a vector of row weights, so it costs a few passes over the rows and never
copies them. The results equal fairlearn's ``MetricFrame`` and scikit-learn's functions
(the tests check them to 1e-12).

Introduced in {ref}`lesson-disaggregated`.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

# The vocabulary is the public part; the engine (GroupMetrics and its helpers) is what
# audit, tradeoffs, mitigation and feedback compute with.
__all__ = ["ALL_METRICS", "COLUMNS", "DECISION_METRICS", "DISPARITIES", "METRICS", "N_BINS",
           "SCORE_METRICS", "VS_TRUTH"]


@dataclass(frozen=True)
class Metric:
    """One metric of the vocabulary."""

    name: str
    label: str
    definition: str
    glossary: str | None  # the entry of the book's glossary that explains it, if any


_DEFINITIONS = [
    ("base_rate", "base rate", "share of rows whose label is 1", "base rate"),
    ("selection_rate", "selection rate", "share of rows flagged (decision 1)",
     "demographic parity"),
    ("true_positive_rate", "TPR", "flagged among those whose label is 1",
     "true positive rate"),
    ("false_positive_rate", "FPR", "flagged among those whose label is 0",
     "false positive rate"),
    ("false_negative_rate", "FNR", "not flagged among those whose label is 1",
     "false negative rate"),
    ("precision", "precision", "label 1 among the flagged", "precision"),
    ("negative_predictive_value", "NPV", "label 0 among those not flagged", None),
    ("roc_auc", "AUC", "chance that a random row with label 1 scores above a random row "
     "with label 0 (ties count one half)", "AUC"),
    ("expected_calibration_error", "ECE", "mean gap between mean score and observed rate "
     "over ten equal-width score bins, weighted by rows", "expected calibration error"),
]

#: The metric vocabulary: name -> :class:`Metric` (label, definition, glossary term).
METRICS: dict[str, Metric] = {name: Metric(name, lab, d, term)
                              for name, lab, d, term in _DEFINITIONS}
#: Metrics of decisions (0/1), computed from confusion counts.
DECISION_METRICS = tuple(list(METRICS)[:7])
#: Metrics of scores in [0, 1].
SCORE_METRICS = ("roc_auc", "expected_calibration_error")
ALL_METRICS = DECISION_METRICS + SCORE_METRICS

#: Column names of every table rmlkit returns, with their meaning.
COLUMNS = {
    "group": "the group (``all`` is everyone together)",
    "metric": "a metric name from METRICS",
    "estimate": "the metric's value on the data",
    "ci_low": "lower end of the bootstrap confidence interval",
    "ci_high": "upper end of the bootstrap confidence interval",
    "n": "rows in the group",
    "reference": "the group disparities are measured against",
    "reference_estimate": "the reference group's estimate",
    "difference_to_reference": "estimate minus the reference group's",
    "ratio_to_reference": "estimate divided by the reference group's",
    "max_min_difference": "largest minus smallest estimate over the groups",
    "min_max_ratio": "smallest divided by largest estimate over the groups",
    "bin": "score bin (0 to 9, right-closed, as scikit-learn's calibration_curve)",
    "mean_score": "mean score in the bin",
    "observed_rate": "share with label 1 in the bin",
    "label_rate": "share with label 1 (the recorded proxy)",
    "true_rate": "share whose true outcome is 1 (synthetic data only)",
    "label_minus_true": "label rate minus true rate",
    "threshold": "scores at or above it are flagged",
    "method": "a mitigation method",
    "accuracy": "share of decisions equal to the label",
    "false_negatives": "rows with label 1 not flagged",
    "false_positives": "rows with label 0 flagged",
    "cost": "false negatives and false positives weighted by their costs",
    "cost_per_row": "cost divided by n",
    "feasible": "whether the implied rate is a possible one (at most 1)",
    "year": "year of a simulation",
    "decided_by": "who made the year's decisions",
    "mean_prior_referrals": "mean number of earlier referrals",
    "mean_prior_screened_in": "mean number of earlier screen-ins",
}
#: Suffix of a metric computed against the true outcome instead of the label.
VS_TRUTH = "_vs_truth"

#: Suffixes a metric (or a column of COLUMNS) may carry: a disparity, and its interval.
DISPARITIES = ("difference_to_reference", "ratio_to_reference", "max_min_difference",
               "min_max_ratio")


def in_vocabulary(column: str) -> bool:
    """Whether a column name is in the vocabulary: a name of :data:`COLUMNS` or
    :data:`METRICS`, a metric against the truth (``..._vs_truth``), either with a
    disparity suffix (``..._ratio_to_reference``) and an interval end (``..._ci_low``)."""
    for end in ("_ci_low", "_ci_high"):
        column = column.removesuffix(end)
    for disparity in DISPARITIES:
        column = column.removesuffix("_" + disparity)
    return column in COLUMNS or column.removesuffix(VS_TRUTH) in METRICS


_STREAMS = 2  # independent streams of bootstrap resamples

#: Score bins for calibration: ten of equal width.
N_BINS = 10


def label(name: str) -> str:
    """The display label of a metric name (``"false_positive_rate"`` -> ``"FPR"``)."""
    base = name.removesuffix(VS_TRUTH)
    text = METRICS[base].label if base in METRICS else name.replace("_", " ")
    return text + (" (truth)" if name.endswith(VS_TRUTH) else "")


def factorize_groups(sensitive_features) -> tuple[np.ndarray, list[str]]:
    """Group codes (0 to k-1, by sorted name) and names, from one column or several.

    Several columns give intersectional groups named ``"Black / female"``.
    """
    if isinstance(sensitive_features, pd.DataFrame):
        if sensitive_features.shape[1] == 1:
            values = sensitive_features.iloc[:, 0].astype(str)
        else:
            values = sensitive_features.astype(str).agg(" / ".join, axis=1)
        values = values.to_numpy()
    else:
        values = np.asarray(sensitive_features)
        if values.ndim == 0:  # one value: the length check names the argument
            values = values.reshape(1)
        if values.dtype.kind not in "US":
            values = values.astype(str)
    codes, names = pd.factorize(values, sort=True)
    return codes.astype(np.int64), [str(n) for n in names]


def calibration_bins(scores: np.ndarray) -> np.ndarray:
    """Bin of each score: ``(k/10, (k+1)/10]``, with 0 in the first (as scikit-learn)."""
    edges = np.linspace(0.0, 1.0, N_BINS + 1)[1:-1]
    return np.searchsorted(edges, scores)


def _divide(numerator, denominator):
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(denominator > 0, numerator / np.where(denominator > 0, denominator, 1),
                        np.nan)


def rates_from_counts(counts: np.ndarray, metric: str) -> np.ndarray:
    """A decision metric from confusion counts ``[..., (tn, fp, fn, tp)]``; NaN when its
    denominator is empty (fairlearn reports 0 there, which is not a rate)."""
    tn, fp, fn, tp = (counts[..., k] for k in range(4))
    numerator, denominator = {
        "base_rate": (tp + fn, tn + fp + fn + tp),
        "selection_rate": (tp + fp, tn + fp + fn + tp),
        "true_positive_rate": (tp, tp + fn),
        "false_positive_rate": (fp, fp + tn),
        "false_negative_rate": (fn, tp + fn),
        "precision": (tp, tp + fp),
        "negative_predictive_value": (tn, tn + fn),
    }[metric]
    return _divide(numerator, denominator)


def _ties(s, codes):
    """Rows in blocks of tied scores (same group, same score), in sorted order: their
    positions, where each block starts among them, its size, and its group."""
    new = np.r_[True, (s[1:] != s[:-1]) | (codes[1:] != codes[:-1])][:len(s)]
    sizes = np.diff(np.r_[np.flatnonzero(new), len(s)])
    tied = sizes > 1
    rows = np.flatnonzero(np.repeat(tied, sizes))
    block_sizes = sizes[tied]
    starts = np.r_[0, np.cumsum(block_sizes)[:-1]].astype(np.int64)
    return rows, starts, block_sizes, codes[rows]


def _auc(y, w, bounds, positives, negatives, ties):
    """AUC per group of rows sorted by (group, score), from rank sums.

    Each positive row wins over the negatives below it in its group and half of those
    tied with it (scikit-learn's convention). ``positives`` and ``negatives`` are the
    (weighted) numbers of each class per group, whose rows are ``bounds[g]`` to
    ``bounds[g + 1]``; ``ties`` comes from :func:`_ties`.
    """
    n_groups = len(bounds) - 1
    pos = y if w is None else w * y
    neg = (1.0 - y) if w is None else w - pos
    below = np.cumsum(neg)  # negatives up to and including each row, over all groups
    wins = np.array([pos[lo:hi] @ below[lo:hi]
                     for lo, hi in zip(bounds[:-1], bounds[1:], strict=True)])
    wins -= positives * np.r_[0.0, np.cumsum(negatives)[:-1]]  # negatives of earlier groups
    rows, starts, sizes, groups = ties
    if rows.size:
        # in a block of ties, count half the block's negatives instead of those up to i
        p, n, c = pos[rows], neg[rows], below[rows]
        before = np.repeat(c[starts] - n[starts], sizes)
        half = np.repeat(0.5 * np.add.reduceat(n, starts), sizes)
        wins += np.bincount(groups, p * (half - (c - before)), n_groups)
    return _divide(wins, positives * negatives)


class GroupMetrics:
    """Labels, decisions and scores prepared once for metrics by group.

    Parameters
    ----------
    y : array of 0/1
    d : array of 0/1, optional
        Decisions.
    s : array of float in [0, 1], optional
        Scores.
    codes : array of int
        Group of each row, 0 to ``n_groups - 1`` (:func:`factorize_groups`).
    n_groups : int
    clusters : array of int, optional
        Rows that the bootstrap resamples together (a household), within groups.
    """

    def __init__(self, y, d, s, codes, n_groups, clusters=None):
        codes = np.asarray(codes, dtype=np.int64)
        self.n_groups = n_groups
        if s is not None:
            order = np.argsort(s, kind="stable")
            order = order[np.argsort(codes[order], kind="stable")]
        else:
            order = np.argsort(codes, kind="stable")
        self.codes = codes[order]
        self.sizes = np.bincount(codes, minlength=n_groups)
        self.bounds = np.r_[0, np.cumsum(self.sizes)]
        self.y = np.asarray(y, dtype=float)[order]
        # confusion cell of each row: 0 tn, 1 fp, 2 fn, 3 tp (without decisions, every
        # row counts as not flagged, which leaves the base rate right and nothing else)
        self.has_decisions = d is not None
        cell = np.asarray(y, dtype=np.int64) * 2
        if d is not None:
            cell = cell + np.asarray(d, dtype=np.int64)
        self.cell = self.codes * 4 + cell[order]
        self.s = None
        if s is not None:
            self._prepare_scores(np.asarray(s, dtype=float)[order])
        self.unit = None
        if clusters is not None:
            pairs = self.codes * (int(np.max(clusters)) + 1) + np.asarray(clusters)[order]
            self.unit = pd.factorize(pairs)[0]  # numbered in order, so by group
            unit_group = np.zeros(int(self.unit.max()) + 1 if len(self.unit) else 0, np.int64)
            unit_group[self.unit] = self.codes
            self.unit_bounds = np.r_[0, np.cumsum(np.bincount(unit_group, minlength=n_groups))]

    def _prepare_scores(self, s):
        self.s = s
        self.ties = _ties(s, self.codes)
        self.by_score = np.argsort(s, kind="stable")
        self.y_all = self.y[self.by_score]
        self.ties_all = _ties(s[self.by_score], np.zeros(len(s), np.int64))
        self.bin = self.codes * N_BINS + calibration_bins(s)

    # --- the metrics, for one vector of row weights (None: every row once) ----------
    def counts(self, w=None) -> np.ndarray:
        """Confusion counts (tn, fp, fn, tp) per group and for all: shape (groups + 1, 4)."""
        c = np.bincount(self.cell, w, self.n_groups * 4).reshape(self.n_groups, 4)
        return np.vstack([c, c.sum(axis=0)])

    def roc_auc(self, w=None, counts=None) -> np.ndarray:
        """AUC per group and for all (NaN for a group with one class only)."""
        counts = self.counts(w) if counts is None else counts
        positives, negatives = counts[:, 2] + counts[:, 3], counts[:, 0] + counts[:, 1]
        by_group = _auc(self.y, w, self.bounds, positives[:-1], negatives[:-1], self.ties)
        everyone = _auc(self.y_all, None if w is None else w[self.by_score],
                        self.bounds[[0, -1]], positives[-1:], negatives[-1:], self.ties_all)
        return np.r_[by_group, everyone]

    def calibration_sums(self, w=None) -> np.ndarray:
        """Rows, sum of scores and sum of labels per score bin: (groups + 1, bins, 3)."""
        size = self.n_groups * N_BINS
        sums = np.stack([np.bincount(self.bin, w, size),
                         np.bincount(self.bin, self.s if w is None else w * self.s, size),
                         np.bincount(self.bin, self.y if w is None else w * self.y, size)],
                        axis=-1).reshape(self.n_groups, N_BINS, 3)
        return np.concatenate([sums, sums.sum(axis=0, keepdims=True)])

    def expected_calibration_error(self, w=None) -> np.ndarray:
        sums = self.calibration_sums(w)
        return _divide(np.abs(sums[..., 1] - sums[..., 2]).sum(axis=1), sums[..., 0].sum(axis=1))

    def estimates(self, metrics, w=None) -> np.ndarray:
        """Every metric per group and for all: shape (groups + 1, metrics)."""
        out = np.empty((self.n_groups + 1, len(metrics)))
        counts = self.counts(w)
        for k, metric in enumerate(metrics):
            if metric not in ("base_rate", *SCORE_METRICS) and not self.has_decisions:
                raise ValueError(f"{metric} needs decisions (y_pred), and none were given.")
            if metric in DECISION_METRICS:
                out[:, k] = rates_from_counts(counts, metric)
            elif self.s is None:
                raise ValueError(f"{metric} needs scores, and none were given.")
            elif metric == "roc_auc":
                out[:, k] = self.roc_auc(w, counts)
            else:
                out[:, k] = self.expected_calibration_error(w)
        return out

    # --- the bootstrap -----------------------------------------------------------
    def bootstrap(self, metrics, n_resamples: int, rng, progress: bool = False) -> np.ndarray:
        """Metrics for resamples within groups: shape (resamples, groups + 1, metrics).

        Rows (or, with clusters, whole clusters) are drawn with replacement within each
        group, so group sizes stay fixed. Without clusters and scores, a resample of a
        group's n rows is a multinomial draw of its four confusion counts.
        """
        out = np.empty((n_resamples, self.n_groups + 1, len(metrics)))
        if self.unit is None and all(m in DECISION_METRICS for m in metrics):
            c = self.counts()[:-1]
            draws = np.zeros((n_resamples, self.n_groups, 4))
            for g in range(self.n_groups):
                draws[:, g] = rng.multinomial(c[g].sum(), c[g] / max(c[g].sum(), 1),
                                              size=n_resamples)
            draws = np.concatenate([draws, draws.sum(axis=1, keepdims=True)], axis=1)
            for k, metric in enumerate(metrics):
                out[:, :, k] = rates_from_counts(draws, metric)
            return out
        # Two streams of resamples, each with its own generator spawned from rng, run in
        # two threads (numpy releases the GIL in most of the arithmetic): the same seed
        # gives the same resamples on any machine.
        streams = rng.spawn(_STREAMS)
        done = tqdm(total=n_resamples, desc="bootstrap", disable=not progress)

        def run(k):
            for b in range(k, n_resamples, _STREAMS):
                out[b] = self.estimates(metrics, self._resample_weights(streams[k]))
                done.update()

        with ThreadPoolExecutor(max_workers=min(_STREAMS, os.cpu_count() or 1)) as pool:
            list(pool.map(run, range(_STREAMS)))
        done.close()
        return out

    def _resample_weights(self, rng) -> np.ndarray:
        bounds = self.bounds if self.unit is None else self.unit_bounds
        w = np.empty(bounds[-1])
        for g in range(self.n_groups):
            lo, hi = bounds[g], bounds[g + 1]
            w[lo:hi] = np.bincount(rng.integers(0, hi - lo, hi - lo), minlength=hi - lo)
        return w if self.unit is None else w[self.unit]
