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
from rmlkit.exercises import _reject_upside_down

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
        _reject_upside_down(
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
    solution=(
        "frame = MetricFrame(\n"
        "    metrics=false_positive_rate,\n"
        '    y_true=test["placed_2y"],\n'
        '    y_pred=test["flagged"],\n'
        '    sensitive_features=test["race_ethnicity"],\n'
        ")\n"
        "fpr_by_group = frame.by_group"
    ),
)

q2 = Question(
    "fpr_ratio",
    checker=_check_fpr_ratio,
    hints=[
        'A Series is indexed by name: `fpr_by_group["Black"]` is one group\'s rate.',
        "Divide the rate of Black children by the rate of White children.",
    ],
    solution='fpr_ratio = fpr_by_group["Black"] / fpr_by_group["White"]',
)

w3 = WrittenQuestion(
    "the proposed change of threshold",
    model_answer=(
        "Flagging 20 % instead of 10 % lowers the threshold, so more children are flagged "
        "in every group: false positive rates rise and false negative rates fall. Fewer "
        "children who go on to need care would be missed, but many more families would "
        "be investigated without need. The extra false positives are likely to fall most "
        "on the groups whose rates were already highest, such as children from Black "
        "families, whose records are denser because of more contact with public services. "
        "For a family, a false positive can mean an intrusive investigation, stress, "
        "stigma and lasting mistrust of services. Before supporting the change I would "
        "want to know whether investigators have the capacity to act on twice as many "
        "flags, what happens to flagged families, the error rates by group at the new "
        "threshold with their uncertainty, and what families and practitioners think."
    ),
    min_words=60,
)
