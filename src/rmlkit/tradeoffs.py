"""Decisions and their trade-offs: where to set a threshold, and who bears the errors.

Introduced in {ref}`lesson-first-model`.
"""

from __future__ import annotations

import pandas as pd
from fairlearn.metrics import (
    MetricFrame,
    false_negative_rate,
    false_positive_rate,
    selection_rate,
)

from ._checks import as_binary, as_scores, check_number, check_same_length

__all__ = ["rates_at_threshold"]


def rates_at_threshold(y_true, scores, *, sensitive_features, threshold: float) -> pd.DataFrame:
    """Flag every row whose score is at or above ``threshold``; report rates by group.

    Introduced in {ref}`lesson-first-model`.

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
        One row per group plus a row ``"all"``: the share flagged, the false positive
        rate and the false negative rate, and the number of rows.
    """
    y = as_binary("y_true", y_true)
    s = as_scores("scores", scores)
    check_same_length(y_true=y, scores=s, sensitive_features=sensitive_features)
    threshold = check_number("threshold", threshold, low=0.0, high=1.0)
    flagged = (s >= threshold).astype(int)
    frame = MetricFrame(
        metrics={
            "share flagged": selection_rate,
            "false positive rate": false_positive_rate,
            "false negative rate": false_negative_rate,
            "n": lambda yt, yp: len(yt),
        },
        y_true=y,
        y_pred=flagged,
        sensitive_features=pd.Series(sensitive_features, name="group"),
    )
    table = frame.by_group.copy()
    table.loc["all"] = frame.overall
    table["n"] = table["n"].astype(int)
    return table
