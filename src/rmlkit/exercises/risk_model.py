"""Checks for the exercise ``risk-model``: a split by household, base rate, precision at
capacity and calibration.

The exercise follows {ref}`lesson-risk-model`: ``q1`` checks the split
(``train_idx, test_idx``), ``q2`` the ``base_rate``, ``q3`` ``precision_at_10`` (the
precision of the 10 % highest scores), ``q4`` ``mean_score_flagged`` (what the model
predicted for the children it flagged) and ``w5`` holds the model answer to the written
task on what the AUC hides.

Introduced with the graded exercise of {ref}`lesson-risk-model` (risk-model).
"""

from __future__ import annotations

import numbers

import numpy as np

from rmlkit.check import Mistake, Question, WrittenQuestion

__all__ = ["q1", "q2", "q3", "q4", "w5"]


def _positions(name: str, values, n_rows: int | None) -> np.ndarray:
    try:
        array = np.asarray(values)
    except Exception:  # noqa: BLE001 - anything that is not array-like
        array = None
    if array is None or array.ndim != 1 or array.size == 0:
        raise Mistake(f"{name} should be a one-dimensional array of row positions, such as "
                      "the arrays a scikit-learn splitter gives.")
    if not np.issubdtype(array.dtype, np.integer):
        raise Mistake(f"{name} should hold whole numbers (row positions), not "
                      f"{array.dtype} values. Use the positions the splitter returns.")
    if n_rows is not None and (array.min() < 0 or array.max() >= n_rows):
        raise Mistake(f"{name} has positions outside 0 to {n_rows - 1}: it should index the "
                      "rows of `screened` (and `X`, `y`) by position.")
    return array


def _check_split(answer, n_rows: int | None = None) -> None:
    if not isinstance(answer, tuple) or len(answer) != 2:
        raise Mistake("Pass the two arrays together: q1.check((train_idx, test_idx), ...).")
    train = _positions("train_idx", answer[0], n_rows)
    test = _positions("test_idx", answer[1], n_rows)
    if np.intersect1d(train, test).size:
        raise Mistake("Some rows are in both train_idx and test_idx: a row must be on one "
                      "side only.")
    if n_rows is not None and train.size + test.size != n_rows:
        raise Mistake("Together, train_idx and test_idx should cover every row of "
                      "`screened` exactly once.")
    share = test.size / (train.size + test.size)
    if not 0.2 <= share <= 0.4:
        raise Mistake(f"The test data holds {share * 100:.0f} % of the rows; the task asks "
                      "for about 30 %. Is test_size right, and are the two arrays in the "
                      "right order?")


def _share(name: str, answer) -> float:
    if hasattr(answer, "item") and getattr(answer, "size", 2) == 1:
        answer = answer.item()
    if isinstance(answer, bool) or not isinstance(answer, numbers.Real):
        raise Mistake(f"{name} should be one number, not a {type(answer).__name__}.")
    if not np.isfinite(answer):
        raise Mistake(f"{name} should be a finite number.")
    if not 0 <= answer <= 1:
        raise Mistake(f"{name} is a share, so it must be between 0 and 1. Did you count "
                      "instead of taking the mean?")
    return float(answer)


def _check_base_rate(answer) -> None:
    _share("base_rate", answer)


def _check_precision(answer) -> None:
    value = _share("precision_at_10", answer)
    if np.isclose(value, 0.1, atol=0.002):
        raise Mistake("precision_at_10 is about 0.10, the share of children flagged. "
                      "Precision looks only at the flagged children: among them, the share "
                      "who were placed.")


def _check_mean_score(answer) -> None:
    _share("mean_score_flagged", answer)


q1 = Question(
    "train_idx, test_idx",
    checker=_check_split,
    hints=[
        "Siblings share a `household_id`. All the referrals of one household should land "
        "on the same side of the split.",
        "scikit-learn's `GroupShuffleSplit(n_splits=1, test_size=0.3, random_state=SEED)` "
        "splits by group: pass `groups=households` to its `split` method and take the "
        "first (and only) split with `next(...)`.",
    ],
    answer="rmlkit.exercises._answers.risk_model:q1",
)

q2 = Question(
    "base_rate",
    checker=_check_base_rate,
    hints=[
        "The base rate is the share of children with the outcome, here among the "
        "referrals in `test`.",
        '`test["placed_2y"]` holds 0 and 1: its mean is the share placed.',
    ],
    answer="rmlkit.exercises._answers.risk_model:q2",
)

q3 = Question(
    "precision_at_10",
    checker=_check_precision,
    hints=[
        "Flag the test referrals whose score is at or above `threshold`: that is the "
        "10 % with the highest scores.",
        "Precision divides by the number flagged: among the flagged referrals, the "
        "share who were placed.",
    ],
    answer="rmlkit.exercises._answers.risk_model:q3",
)

q4 = Question(
    "mean_score_flagged",
    checker=_check_mean_score,
    hints=[
        "Use the same flagged referrals as in Task 3.",
        'Take the mean of `test["score"]` over the flagged referrals only.',
    ],
    answer="rmlkit.exercises._answers.risk_model:q4",
)

w5 = WrittenQuestion(
    "what the AUC hides",
    answer="rmlkit.exercises._answers.risk_model:w5",
    min_words=80,
)
