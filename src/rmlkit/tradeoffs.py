"""Decisions and their trade-offs: where to set a threshold, and who bears the errors.

Introduced in lesson 7, Fairness criteria and why they conflict.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._checks import (
    as_binary,
    as_scores,
    as_thresholds,
    check_count,
    check_number,
    check_same_length,
)
from .metrics import GroupMetrics, factorize_groups, label, rates_from_counts

__all__ = [
    "capacity_decisions", "expected_cost", "impossibility_table", "plot_cost_and_capacity",
    "plot_impossibility", "plot_rates_by_group", "rates_at_threshold", "threshold_sweep",
]


def rates_at_threshold(y_true, scores, *, sensitive_features, threshold: float) -> pd.DataFrame:
    """Flag every row whose score is at or above ``threshold``; report rates by group.

    Introduced in lesson 8, Decisions and trade-offs: thresholds, costs and capacity.

    Parameters
    ----------
    y_true : array-like of 0/1
        What happened (the label).
    scores : array-like of float in [0, 1]
        The model's risk scores.
    sensitive_features : array-like
        The group of each row.
    threshold : float in [0, 1]
        Scores at or above it are flagged.

    Returns
    -------
    pandas.DataFrame
        One row per group plus a row ``"all"``: ``selection_rate`` (the share flagged),
        ``false_positive_rate``, ``false_negative_rate`` and ``n`` (rows).
    """
    y = as_binary("y_true", y_true)
    s = as_scores("scores", scores)
    check_same_length(y_true=y, scores=s, sensitive_features=sensitive_features)
    threshold = check_number("threshold", threshold, low=0.0, high=1.0)
    return _rates_by_group(y, (s >= threshold).astype(np.int8), sensitive_features)


_RATES = ["selection_rate", "false_positive_rate", "false_negative_rate"]


def _rates_by_group(y, d, sensitive_features, metrics=_RATES) -> pd.DataFrame:
    """One row per group and ``"all"``, one column per metric, and ``n``."""
    codes, names = factorize_groups(sensitive_features)
    engine = GroupMetrics(y, d, None, codes, len(names))
    table = pd.DataFrame(engine.estimates(metrics), columns=metrics,
                         index=pd.Index([*names, "all"], name="group"))
    table["n"] = [*engine.sizes, len(y)]
    return table


def threshold_sweep(y_true, scores, *, sensitive_features, thresholds=None) -> pd.DataFrame:
    """Rates by group at many thresholds at once (one sort per group, no loop over rows).

    Introduced in lesson 8, Decisions and trade-offs: thresholds, costs and capacity.

    Returns
    -------
    pandas.DataFrame
        One row per threshold and group (and ``"all"``): ``threshold``, ``group``,
        ``selection_rate``, ``true_positive_rate``, ``false_positive_rate``,
        ``precision`` and ``n``. A row is flagged when its score is at or above the
        threshold.
    """
    y = as_binary("y_true", y_true)
    s = as_scores("scores", scores)
    codes, names = factorize_groups(sensitive_features)
    check_same_length(y_true=y, scores=s, sensitive_features=codes)
    if thresholds is None:
        thresholds = np.linspace(0, 1, 101)
    thresholds = as_thresholds("thresholds", thresholds)
    engine = GroupMetrics(y, None, s, codes, len(names))  # rows sorted by group and score
    everyone = np.argsort(engine.s, kind="stable")
    parts = [(engine.y[lo:hi], engine.s[lo:hi])
             for lo, hi in zip(engine.bounds[:-1], engine.bounds[1:], strict=True)]
    parts.append((engine.y[everyone], engine.s[everyone]))
    frames = []
    for name, (ys, ss) in zip([*names, "all"], parts, strict=True):
        # rows at or above t: those from the first index with score >= t
        first = np.searchsorted(ss, thresholds, side="left")
        positives_below = np.r_[0, np.cumsum(ys)][first]
        total_pos, n = ys.sum(), ys.size
        counts = np.empty((len(thresholds), 4))
        counts[:, 3] = total_pos - positives_below  # tp
        counts[:, 1] = (n - first) - counts[:, 3]  # fp
        counts[:, 2] = positives_below  # fn
        counts[:, 0] = first - positives_below  # tn
        frames.append(pd.DataFrame({
            "threshold": thresholds, "group": name,
            **{m: rates_from_counts(counts, m) for m in _SWEEP}, "n": n,
        }))
    return pd.concat(frames, ignore_index=True)


_SWEEP = ["selection_rate", "true_positive_rate", "false_positive_rate", "precision"]


def capacity_decisions(scores, capacity: int, *, periods=None) -> np.ndarray:
    """Flag the ``capacity`` highest scores (in each period, if ``periods`` is given).

    Models a team that can investigate ``capacity`` referrals a week: whatever the
    scores, no more than that are flagged. Ties are broken by order of the rows.

    Introduced in lesson 8, Decisions and trade-offs: thresholds, costs and capacity.
    """
    s = as_scores("scores", scores)
    capacity = check_count("capacity", capacity, minimum=0)
    if periods is None:
        periods = np.zeros(len(s), dtype=np.int64)
    periods = pd.Series(np.asarray(periods)).to_numpy()
    check_same_length(scores=s, periods=periods)
    rank = (pd.DataFrame({"p": periods, "s": -s})
            .groupby("p")["s"].rank(method="first").to_numpy())
    return rank <= capacity


def expected_cost(y_true, y_pred, *, cost_false_negative: float, cost_false_positive: float,
                  sensitive_features=None) -> pd.DataFrame:
    """The total and per-row cost of the errors, overall and by group.

    A missed child (false negative) and an unnecessary investigation (false positive)
    have costs you choose; what they should be is a question of values, not data.

    Introduced in lesson 8, Decisions and trade-offs: thresholds, costs and capacity.
    """
    y = as_binary("y_true", y_true)
    d = as_binary("y_pred", y_pred)
    check_same_length(y_true=y, y_pred=d)
    c_fn = check_number("cost_false_negative", cost_false_negative, low=0)
    c_fp = check_number("cost_false_positive", cost_false_positive, low=0)
    groups = (np.full(len(y), "all") if sensitive_features is None
              else pd.Series(np.asarray(sensitive_features)).astype(str).to_numpy())
    check_same_length(y_true=y, sensitive_features=groups)
    frame = pd.DataFrame({"group": groups, "fn": (y == 1) & (d == 0), "fp": (y == 0) & (d == 1)})
    table = frame.groupby("group").agg(false_negatives=("fn", "sum"),
                                       false_positives=("fp", "sum"), n=("fn", "size"))
    if sensitive_features is not None:
        table.loc["all"] = table.sum()
    table["cost"] = table["false_negatives"] * c_fn + table["false_positives"] * c_fp
    table["cost_per_row"] = table["cost"] / table["n"]
    return table


def impossibility_table(base_rates: dict, *, precision: float, false_negative_rate: float):
    """What equal precision and equal miss rates force on false positive rates.

    Chouldechova (2017): for any classifier, FPR = p/(1-p) * (1-PPV)/PPV * (1-FNR),
    where p is the base rate. If two groups have different base rates, the same
    precision (PPV) and the same false negative rate, their false positive rates must
    differ. Returns each group's implied false positive rate.

    Introduced in lesson 7, Fairness criteria and why they conflict.
    """
    ppv = check_number("precision", precision, low=1e-9, high=1.0)
    fnr = check_number("false_negative_rate", false_negative_rate, low=0.0, high=1.0)
    if not isinstance(base_rates, dict) or not base_rates:
        raise TypeError("base_rates must be a dict of group name -> base rate, "
                        "for example {'A': 0.2, 'B': 0.35}.")
    rows = []
    for group, p in base_rates.items():
        p = check_number(f"base_rates[{group!r}], the base rate of {group},", p,
                         low=1e-9, high=1 - 1e-9)
        fpr = p / (1 - p) * (1 - ppv) / ppv * (1 - fnr)
        rows.append(dict(group=group, base_rate=p, precision=ppv, false_negative_rate=fnr,
                         false_positive_rate=fpr, feasible=bool(fpr <= 1)))
    return pd.DataFrame(rows).set_index("group")


def plot_rates_by_group(y_true, scores, *, sensitive_features, thresholds, ax=None):
    """Bars of share flagged, FPR and FNR per group, at one threshold or one per group.

    ``thresholds`` is a number, or a dict of group -> threshold. The static
    counterpart of :func:`rmlkit.widgets.threshold_explorer`.

    Introduced in lesson 8, Decisions and trade-offs: thresholds, costs and capacity.
    """
    import matplotlib.pyplot as plt

    y = as_binary("y_true", y_true)
    s = as_scores("scores", scores)
    groups = pd.Series(np.asarray(sensitive_features)).astype(str).to_numpy()
    check_same_length(y_true=y, scores=s, sensitive_features=groups)
    names = sorted(set(groups))
    if not isinstance(thresholds, dict):
        one = check_number("thresholds", thresholds, low=0, high=1)
        thresholds = {name: one for name in names}
    missing = [n for n in names if n not in thresholds]
    if missing:
        raise ValueError(f"thresholds has no value for these groups: {', '.join(missing)}.")
    per_group = {g: check_number(f"thresholds[{g!r}]", thresholds[g], low=0, high=1)
                 for g in names}
    cut = np.array([per_group[g] for g in groups])
    d = (s >= cut).astype(np.int8)
    table = _rates_by_group(y, d, groups).drop(index="all")[_RATES]
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 0.6 * len(names) + 1.5))
    table.rename(columns=label).iloc[::-1].plot.barh(
        ax=ax, color=["#4477aa", "#cc6677", "#ddaa33"], width=0.8)
    ax.set_xlim(0, 1)
    ax.set_xlabel("rate")
    ax.set_ylabel("")
    ax.legend(frameon=False, ncol=3, loc="lower center", bbox_to_anchor=(0.5, 1.0))
    ax.spines[["top", "right"]].set_visible(False)
    return ax, table


def plot_impossibility(base_rates: dict, *, precision: float, false_negative_rate: float,
                       ax=None):
    """Bars of the false positive rate each group must have (Chouldechova's identity).

    The static counterpart of :func:`rmlkit.widgets.impossibility_explorer`.

    Introduced in lesson 7, Fairness criteria and why they conflict.
    """
    import matplotlib.pyplot as plt

    table = impossibility_table(base_rates, precision=precision,
                                false_negative_rate=false_negative_rate)
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 3))
    fpr = table["false_positive_rate"]
    bars = ax.bar(table.index.astype(str), fpr.clip(upper=1), color="#cc6677")
    ax.bar_label(bars, labels=[f"{v:.2f}" for v in fpr])
    ax.set_ylim(0, 1)
    ax.set_ylabel("false positive rate forced")
    ax.set_title(f"Same precision ({precision:.2f}) and miss rate ({false_negative_rate:.2f})",
                 fontsize=10)
    ax.spines[["top", "right"]].set_visible(False)
    return ax, table


def plot_cost_and_capacity(y_true, scores, *, sensitive_features, capacity: int,
                           cost_false_negative: float, cost_false_positive: float,
                           periods=None, ax=None):
    """Who is flagged under a capacity limit, and what the errors cost, by group.

    The static counterpart of :func:`rmlkit.widgets.cost_explorer`.

    Introduced in lesson 8, Decisions and trade-offs: thresholds, costs and capacity.
    """
    import matplotlib.pyplot as plt

    s = as_scores("scores", scores)
    check_same_length(y_true=as_binary("y_true", y_true), scores=s)
    d = capacity_decisions(s, capacity, periods=periods).astype(int)
    table = expected_cost(y_true, d, cost_false_negative=cost_false_negative,
                          cost_false_positive=cost_false_positive,
                          sensitive_features=sensitive_features)
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 3.5))
    per_group = table.drop(index="all").iloc[::-1]
    ax.barh(per_group.index, per_group["cost_per_row"], color="#4477aa")
    ax.set_xlabel("expected cost per referral")
    ax.set_title(f"Capacity {capacity}; a miss costs {cost_false_negative:g}, "
                 f"a false alarm {cost_false_positive:g}", fontsize=10)
    ax.spines[["top", "right"]].set_visible(False)
    return ax, table
