"""Disaggregated evaluation: how a model's errors fall on different groups.

Built on :class:`fairlearn.metrics.MetricFrame`; this module adds plain-language
descriptions and figures for teaching.

Introduced in {ref}`lesson-first-model`.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

__all__ = ["describe_by_group", "plot_by_group"]


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

    Introduced in {ref}`lesson-first-model`.

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

    Introduced in {ref}`lesson-first-model`.

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
