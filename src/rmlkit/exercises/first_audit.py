"""Checks for the exercise ``first-audit``: false positive rates by group.

The exercise follows {ref}`lesson-disaggregated`:
``q1`` checks ``fpr_by_group`` (a rate for each race/ethnicity group), ``q2`` checks
``fpr_ratio`` (Black over White), ``w3`` holds the model answer to the written task.

Introduced with the graded exercise of {ref}`lesson-disaggregated` (first-audit).
"""

from __future__ import annotations

import numbers

import numpy as np
import pandas as pd

from rmlkit.check import Mistake, Question, WrittenQuestion
from rmlkit.exercises import reject_upside_down

__all__ = ["q1", "q2", "w3"]


def _check_fpr_by_group(answer, test: pd.DataFrame | None = None) -> None:
    if not isinstance(answer, pd.Series):
        raise Mistake(
            "fpr_by_group should be a pandas Series with one value per group; yours is a "
            f"{type(answer).__name__}."
        )
    if test is not None:
        groups = set(test["race_ethnicity"].astype(str).unique())
        given = set(answer.index.astype(str))
        if not answer.index.is_unique or given != groups:
            raise Mistake(
                "fpr_by_group should have exactly one entry for each race/ethnicity group "
                "in `test`, indexed by the group's name."
            )
    values = pd.to_numeric(answer, errors="coerce")
    if values.isna().any():
        raise Mistake("Every value of fpr_by_group should be a number (a rate).")
    if not values.between(0, 1).all():
        raise Mistake("A rate must be between 0 and 1.")


def _check_fpr_ratio(answer, fpr_by_group: pd.Series | None = None) -> None:
    if isinstance(answer, bool) or not isinstance(answer, numbers.Real):
        raise Mistake(
            "fpr_ratio should be one number, not a "
            f"{type(answer).__name__}: take the two rates out of fpr_by_group by name."
        )
    if not np.isfinite(answer) or answer <= 0:
        raise Mistake("fpr_ratio should be a positive, finite number.")
    if fpr_by_group is not None and {"Black", "White"} <= set(fpr_by_group.index.astype(str)):
        reject_upside_down(
            answer, fpr_by_group["White"] / fpr_by_group["Black"],
            "fpr_ratio looks upside down: the rate of Black children goes on top, the "
            "rate of White children below.",
        )


q1 = Question(
    "fpr_by_group",
    checker=_check_fpr_by_group,
    hints=[
        "The false positive rate looks only at children who were not placed "
        "(`placed_2y == 0`): among them, the share who were flagged.",
        "fairlearn's `MetricFrame(metrics=false_positive_rate, y_true=..., y_pred=..., "
        "sensitive_features=...)` computes a metric for each group; its `.by_group` is a "
        "Series.",
    ],
    answer="rmlkit.exercises._answers.first_audit:q1",
)

q2 = Question(
    "fpr_ratio",
    checker=_check_fpr_ratio,
    hints=[
        'A Series is indexed by name: `fpr_by_group["Black"]` is one group\'s rate.',
        "Divide the rate of Black children by the rate of White children.",
    ],
    answer="rmlkit.exercises._answers.first_audit:q2",
)

w3 = WrittenQuestion(
    "the proposed change of threshold",
    answer="rmlkit.exercises._answers.first_audit:w3",
    min_words=60,
)
