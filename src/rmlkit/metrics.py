"""Group metrics: one vocabulary, and one engine that computes every metric by group.

**The vocabulary.** Every function in ``rmlkit`` names a metric the way
:data:`METRICS` does: snake_case names after fairlearn's and scikit-learn's functions
(``false_positive_rate``, ``roc_auc``), each with a short ``label`` for tables and
figures and the term of the book's glossary that explains it. Results are tidy, with
the columns of :data:`COLUMNS` (``group``, ``metric``, ``estimate``, ``ci_low``,
``ci_high``, ``n``). A disparity is measured in two named ways: to a reference group
(``difference_to_reference``, ``ratio_to_reference``) and between the groups furthest
apart (``max_min_difference``, ``min_max_ratio``, fairlearn's ``between_groups``).

**The engine.** Groups are factorised once; rows are sorted once by group, score,
label and decision. Decision metrics come from confusion counts per group, AUC from rank
sums over that sort (ties count one half, as in scikit-learn), calibration and ECE from
sums per score bin (one binning: scikit-learn's ``calibration_curve``), all of them from
the number of rows in each run of equal rows (a segment) and of equal scores (a tie). A
bootstrap resample counts how often each row is drawn and sums the counts by segment, so
it costs one pass over the rows and a few over the segments and ties, and never copies
the data. The results equal fairlearn's ``MetricFrame`` and scikit-learn's functions
(the tests check them to 1e-12).

Introduced in lesson 5, Disaggregated evaluation, with uncertainty.
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

#: The metric vocabulary: name -> ``Metric`` (label, definition, glossary term).
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
    "assumption": "an assumption of the synthetic world (rmlkit.datasets.ASSUMPTIONS)",
    "assumption_value": "the value the assumption was set to",
    "quantity": "a quantity an analysis reports, under the analysis's own name",
    "is_default": "whether the assumption is at its default value",
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


def _wins(positives, below, bounds):
    """Sum of ``positives * below`` over each group's slice ``bounds[g]:bounds[g + 1]``
    (numpy's pairwise sums, which keep the sum accurate; no BLAS call, whose threads
    cost more than the arithmetic here)."""
    products = positives * below
    return np.array([products[lo:hi].sum()
                     for lo, hi in zip(bounds[:-1], bounds[1:], strict=True)], dtype=float)


def _runs(*keys) -> np.ndarray:
    """Where each run of equal values (of all the keys at once) starts, in sorted rows."""
    new = np.zeros(len(keys[0]), dtype=bool)
    new[:1] = True
    for key in keys:
        new[1:] |= key[1:] != key[:-1]
    return np.flatnonzero(new)


class GroupMetrics:
    """Labels, decisions and scores prepared once for metrics by group.

    Rows are sorted once by group, score, label and decision. A *segment* is a run of
    rows equal in all four, a *tie* a run equal in group and score. Every metric is a
    function of the (weighted) number of rows in each segment: decision metrics of
    their sums per group and confusion cell, AUC, calibration and ECE of two sums per
    tie (rows, and rows with label 1). So the metrics of the data and of each bootstrap
    resample (a vector of row weights) cost one pass over the rows and a few over the
    segments and ties.

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
        self.has_decisions = d is not None
        # confusion cell of each row: 0 tn, 1 fp, 2 fn, 3 tp (without decisions, every
        # row counts as not flagged, which leaves the base rate right and nothing else)
        cell = np.asarray(y, dtype=np.int8) * 2
        if d is not None:
            cell = cell + np.asarray(d, dtype=np.int8)
        # sorted by group, then score, then cell: stable sorts from the last key (small
        # integer keys sort by radix)
        order = np.argsort(cell, kind="stable")
        if s is not None:
            s = np.asarray(s, dtype=float)
            order = order[np.argsort(s[order], kind="stable")]
        key = codes.astype(np.int16) if n_groups < 2 ** 15 else codes
        order = order[np.argsort(key[order], kind="stable")]
        self.order = order  # the engine's row order; row weights are given in it
        self.codes = codes[order]
        self.sizes = np.bincount(codes, minlength=n_groups)
        self.bounds = np.r_[0, np.cumsum(self.sizes)]
        self.y = np.asarray(y, dtype=float)[order]
        cell = cell[order]
        self.s = None if s is None else s[order]
        start = _runs(self.codes, cell) if s is None else _runs(self.codes, self.s, cell)
        self.segment_bounds = np.r_[start, len(cell)]
        self.segment_cell = self.codes[start] * 4 + cell[start]
        self.segment_y = (cell[start] >= 2).astype(float)
        self._sizes = np.diff(self.segment_bounds).astype(float)
        if s is not None:
            self._prepare_ties(start)
        self.unit = None
        if clusters is not None:
            pairs = self.codes * (int(np.max(clusters)) + 1) + np.asarray(clusters)[order]
            self.unit = pd.factorize(pairs)[0]  # numbered in order, so by group
            unit_group = np.zeros(int(self.unit.max()) + 1 if len(self.unit) else 0, np.int64)
            unit_group[self.unit] = self.codes
            self.unit_bounds = np.r_[0, np.cumsum(np.bincount(unit_group, minlength=n_groups))]

    def _prepare_ties(self, segment_start):
        """The ties: their segments, group, score and score bin, and their place among
        the distinct scores of everyone (for the AUC of all groups together)."""
        tie_start = _runs(self.codes[segment_start], self.s[segment_start])
        self.tie_segments = np.r_[tie_start, len(segment_start)]
        first = segment_start[tie_start]
        self.tie_score = self.s[first]
        tie_code = self.codes[first]
        self.tie_bounds = np.searchsorted(tie_code, np.arange(self.n_groups + 1))
        # score bins are runs of ties (sorted by group and score)
        tie_bin = tie_code * N_BINS + calibration_bins(self.tie_score)
        bin_start = _runs(tie_bin) if len(tie_bin) else np.zeros(0, np.int64)
        self.bin_start, self.bin_id = bin_start, tie_bin[bin_start]
        distinct, self.tie_rank = np.unique(self.tie_score, return_inverse=True)
        self.n_distinct = len(distinct)
        # without ties across groups, everyone's order is a permutation of the ties
        self.by_score = (np.argsort(self.tie_score, kind="stable")
                         if self.n_distinct == len(first) else None)

    # --- the metrics, for one vector of row weights (None: every row once) ----------
    def segment_sums(self, w=None) -> np.ndarray:
        """(Weighted) rows in each segment."""
        if w is None:
            return self._sizes
        w = np.asarray(w)
        if len(self._sizes) == len(w):
            return w.astype(float)
        if w.dtype.kind in "iu":  # how often each row was drawn
            return np.add.reduceat(w, self.segment_bounds[:-1]).astype(float)
        w = w.astype(float)
        total = np.zeros(len(w) + 1)
        np.cumsum(w, out=total[1:])  # exact: sums of whole numbers
        return np.diff(total[self.segment_bounds])

    def counts(self, w=None, segments=None) -> np.ndarray:
        """Confusion counts (tn, fp, fn, tp) per group and for all: shape (groups + 1, 4)."""
        sums = self.segment_sums(w) if segments is None else segments
        c = np.bincount(self.segment_cell, sums, self.n_groups * 4).reshape(self.n_groups, 4)
        return np.vstack([c, c.sum(axis=0)])

    def tie_sums(self, w=None, segments=None) -> tuple[np.ndarray, np.ndarray]:
        """(Weighted) rows and rows with label 1 in each tie."""
        sums = self.segment_sums(w) if segments is None else segments
        labelled = sums * self.segment_y
        if len(self.tie_score) == len(sums):
            return sums, labelled
        rows, ones = np.zeros(len(sums) + 1), np.zeros(len(sums) + 1)
        np.cumsum(sums, out=rows[1:])
        np.cumsum(labelled, out=ones[1:])
        return np.diff(rows[self.tie_segments]), np.diff(ones[self.tie_segments])

    def roc_auc(self, w=None, ties=None) -> np.ndarray:
        """AUC per group and for all (NaN for a group with one class only).

        Each row with label 1 wins over the rows with label 0 below it in its group and
        half of those tied with it (scikit-learn's convention): rank sums over the ties.
        """
        rows, positives = self.tie_sums(w) if ties is None else ties
        negatives = rows - positives
        below = np.cumsum(negatives)  # exact: sums of whole numbers
        before = np.r_[0.0, below][self.tie_bounds]  # label 0 rows of earlier groups
        pos = np.diff(np.r_[0.0, np.cumsum(positives)][self.tie_bounds])
        neg = np.diff(before)
        wins = _wins(positives, below - 0.5 * negatives, self.tie_bounds) - pos * before[:-1]
        # everyone: the same over the distinct scores of all groups together
        if self.by_score is not None:
            p_all, n_all = positives[self.by_score], negatives[self.by_score]
        else:
            p_all = np.bincount(self.tie_rank, positives, self.n_distinct)
            n_all = np.bincount(self.tie_rank, negatives, self.n_distinct)
        wins_all = (p_all * (np.cumsum(n_all) - 0.5 * n_all)).sum()
        return np.r_[_divide(wins, pos * neg), _divide(wins_all, pos.sum() * neg.sum())]

    def calibration_sums(self, w=None, ties=None) -> np.ndarray:
        """Rows, sum of scores and sum of labels per score bin: (groups + 1, bins, 3)."""
        rows, positives = self.tie_sums(w) if ties is None else ties
        sums = np.zeros((self.n_groups * N_BINS, 3))
        if len(rows):
            for k, values in enumerate((rows, rows * self.tie_score, positives)):
                sums[self.bin_id, k] = np.add.reduceat(values, self.bin_start)
        sums = sums.reshape(self.n_groups, N_BINS, 3)
        return np.concatenate([sums, sums.sum(axis=0, keepdims=True)])

    def expected_calibration_error(self, w=None, ties=None) -> np.ndarray:
        sums = self.calibration_sums(w, ties)
        return _divide(np.abs(sums[..., 1] - sums[..., 2]).sum(axis=1), sums[..., 0].sum(axis=1))

    def estimates(self, metrics, w=None, segments=None) -> np.ndarray:
        """Every metric per group and for all: shape (groups + 1, metrics), for row
        weights ``w`` (or the weighted rows of each segment)."""
        out = np.empty((self.n_groups + 1, len(metrics)))
        segments = self.segment_sums(w) if segments is None else segments
        counts = self.counts(segments=segments)
        ties = None
        for k, metric in enumerate(metrics):
            if metric not in ("base_rate", *SCORE_METRICS) and not self.has_decisions:
                raise ValueError(f"{metric} needs decisions (y_pred), and none were given.")
            if metric in DECISION_METRICS:
                out[:, k] = rates_from_counts(counts, metric)
                continue
            if self.s is None:
                raise ValueError(f"{metric} needs scores, and none were given.")
            ties = self.tie_sums(segments=segments) if ties is None else ties
            if metric == "roc_auc":
                out[:, k] = self.roc_auc(ties=ties)
            else:
                out[:, k] = self.expected_calibration_error(ties=ties)
        return out

    # --- the bootstrap -----------------------------------------------------------
    def bootstrap(self, metrics, n_resamples: int, rng, progress: bool = False) -> np.ndarray:
        """Metrics for resamples within groups: shape (resamples, groups + 1, metrics).

        Rows (or, with clusters, whole clusters) are drawn with replacement within each
        group, so group sizes stay fixed. Without clusters and scores, a resample of a
        group's n rows is a multinomial draw of its four confusion counts; otherwise it
        is a vector of row weights (how often each row was drawn), from which a
        resample's metrics cost a few passes over the rows and the ties.
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
                out[b] = self.estimates(metrics, segments=self._resample(streams[k]))
                done.update()

        with ThreadPoolExecutor(max_workers=min(_STREAMS, os.cpu_count() or 1)) as pool:
            list(pool.map(run, range(_STREAMS)))
        done.close()
        return out

    def _resample(self, rng) -> np.ndarray:
        """The weighted rows of each segment in one resample."""
        return self.segment_sums(self._resample_weights(rng))

    def _resample_weights(self, rng) -> np.ndarray:
        """How often each row is drawn in one resample (rows, or whole clusters, drawn
        with replacement within each group), in the engine's row order."""
        bounds = self.bounds if self.unit is None else self.unit_bounds
        w = np.empty(bounds[-1], dtype=np.int64)
        for g in range(self.n_groups):
            lo, hi = bounds[g], bounds[g + 1]
            w[lo:hi] = np.bincount(rng.integers(0, hi - lo, hi - lo), minlength=hi - lo)
        return w if self.unit is None else w[self.unit]
