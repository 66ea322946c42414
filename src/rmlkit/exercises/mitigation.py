"""Checks for the exercise ``mitigation``: what a fairlearn mitigation changes, and what not.

The exercise follows {ref}`lesson-mitigation`: ``q1`` checks ``comparison`` (the table
of :func:`rmlkit.mitigation.compare_mitigations`, judged against the truth), ``q2``
checks ``change`` (mitigated minus unmitigated, column by column), ``q3`` checks
``extra_missed`` (how many more children truly in need the mitigated model misses);
``w4`` holds the model answer to the written task.

Introduced with the graded exercise of {ref}`lesson-mitigation` (mitigation).
"""

from __future__ import annotations

import numbers

import numpy as np
import pandas as pd

from rmlkit.check import Mistake, Question, WrittenQuestion

__all__ = ["q1", "q2", "q3", "w4"]

TRUTH_COLUMNS = ["precision_vs_truth", "true_positive_rate_vs_truth"]


def _check_comparison(answer, methods=None) -> None:
    if not isinstance(answer, pd.DataFrame):
        raise Mistake(
            "comparison should be the table (a DataFrame) that `compare_mitigations` "
            f"returns; yours is a {type(answer).__name__}."
        )
    if methods is not None and list(answer.index) != list(methods):
        raise Mistake(
            "comparison should have one row for each method in `methods`, in that order: "
            "pass `methods=methods` to compare_mitigations."
        )
    missing = [c for c in TRUTH_COLUMNS if c not in answer.columns]
    if missing:
        raise Mistake(
            f"comparison has no column {missing[0]!r}: without `true_outcome_test`, "
            "compare_mitigations cannot judge the models against the truth."
        )
    for column in ["accuracy", "false_positive_rate_max_min_difference", *TRUTH_COLUMNS]:
        values = pd.to_numeric(answer[column], errors="coerce")
        if values.isna().any() or not values.between(0, 1).all():
            raise Mistake(f"Every value in the column {column!r} should be between 0 and 1.")


def _check_change(answer, comparison: pd.DataFrame | None = None) -> None:
    if not isinstance(answer, pd.Series):
        raise Mistake(
            "change should be a pandas Series: one row of `comparison` minus another gives "
            f"one; yours is a {type(answer).__name__}."
        )
    if comparison is None:
        return
    if list(answer.index) != list(comparison.columns):
        raise Mistake(
            "change should have one value for each column of `comparison` (accuracy, the "
            "gaps, the truth columns): subtract whole rows."
        )
    if "none" not in comparison.index:
        return
    given = answer.to_numpy(dtype=float)
    for method in comparison.index:
        backwards = (comparison.loc["none"] - comparison.loc[method]).to_numpy(dtype=float)
        if method != "none" and np.allclose(given, backwards, rtol=0, atol=1e-12):
            raise Mistake(
                "change looks upside down: take the mitigated model's row *minus* the row "
                "`none`, so that a negative gap change means the gap shrank."
            )
    rows = comparison.to_numpy(dtype=float)
    differences = rows[:, None, :] - rows[None, :, :]
    if not np.isclose(differences, given, rtol=0, atol=1e-12).all(axis=2).any():
        raise Mistake("change should be one row of `comparison` minus another row.")


def _check_extra_missed(answer, n_test: int | None = None) -> None:
    if isinstance(answer, bool) or not isinstance(answer, numbers.Real):
        raise Mistake(
            f"extra_missed should be one number (of children), not a {type(answer).__name__}."
        )
    if not np.isfinite(answer):
        raise Mistake("extra_missed should be a finite number.")
    if n_test is not None and abs(answer) > n_test:
        raise Mistake(
            "extra_missed is more than the number of test referrals: it should count "
            "children, not be a share times something bigger."
        )
    if n_test is not None and 0 < abs(answer) < 1:
        raise Mistake(
            "extra_missed looks like a share: the task asks for a number of children."
        )


q1 = Question(
    "comparison",
    checker=_check_comparison,
    hints=[
        "Train on the training rows (`train`) and evaluate on the test rows (`~train`); "
        "the groups and the truth are needed for the test rows.",
        "`compare_mitigations(X[train], y[train], X[~train], y[~train], "
        "sensitive_train=group[train], sensitive_test=group[~train], "
        "true_outcome_test=harm[~train], methods=methods, random_state=SEED)`.",
    ],
    answer="rmlkit.exercises._answers.mitigation:q1",
)

q2 = Question(
    "change",
    checker=_check_change,
    hints=[
        "A row of `comparison` is `comparison.loc[method]`; subtracting two rows subtracts "
        "every column at once.",
        'Take the row `"threshold optimizer (equalized odds)"` minus the row `"none"`.',
    ],
    answer="rmlkit.exercises._answers.mitigation:q2",
)

q3 = Question(
    "extra_missed",
    checker=_check_extra_missed,
    hints=[
        "`true_positive_rate_vs_truth` is a share of the test children who were truly in need, so "
        "multiply a change in it by the number of those children, not by all test rows.",
        "The test children truly in need are `harm[~train] == 1`; their number is "
        "`harm[~train].sum()`. A fall in `true_positive_rate_vs_truth` means more children missed.",
    ],
    answer="rmlkit.exercises._answers.mitigation:q3",
)

w4 = WrittenQuestion(
    "is the mitigated model fair?",
    answer="rmlkit.exercises._answers.mitigation:w4",
    min_words=80,
)
