"""Checks for the exercise ``fairness-criteria``: three criteria and why they conflict.

The exercise follows {ref}`lesson-fairness-criteria`: ``q1`` checks ``selection_rate``
(share flagged by group), ``q2`` ``error_rates`` (true and false positive rates by
group), ``q3`` ``precision`` (share with the outcome among the flagged, by group), ``q4``
``gaps`` (how far each criterion is from being met), ``q5`` ``implied_fpr`` (the false
positive rates that equal precision and equal miss rates force), and ``w6`` holds the
model answer to the written task.

Introduced with the graded exercise of {ref}`lesson-fairness-criteria`
(fairness-criteria).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from rmlkit.check import Mistake, Question, WrittenQuestion

__all__ = ["q1", "q2", "q3", "q4", "q5", "w6"]

CRITERIA = ["demographic parity", "equalized odds", "predictive parity"]


def _in_unit_interval(name: str, values, what: str) -> None:
    numbers = pd.to_numeric(pd.Series(np.ravel(values)), errors="coerce").to_numpy(float)
    if np.isnan(numbers).any():
        raise Mistake(f"Every value of {name} should be a number ({what}).")
    if (numbers < 0).any() or (numbers > 1).any():
        raise Mistake(f"Every value of {name} should be between 0 and 1 ({what}). Did you "
                      "count instead of taking a share, or subtract the wrong way round?")


def _index(name: str, index, expected, kind: str = "group") -> None:
    if expected is None:
        return
    given = [str(i) for i in index]
    if len(given) != len(set(given)) or set(given) != {str(e) for e in expected}:
        names = ", ".join(f'"{e}"' for e in expected)
        raise Mistake(f"{name} should have exactly one entry for each {kind} ({names}), "
                      f"indexed by the {kind}'s name.")


def _series_by_group(name: str, answer, groups) -> None:
    if not isinstance(answer, pd.Series):
        raise Mistake(f"{name} should be a pandas Series with one value per group; yours is "
                      f"a {type(answer).__name__}.")
    _index(name, answer.index, groups)
    _in_unit_interval(name, answer.to_numpy(), "a share")


def _check_selection_rate(answer, groups=None) -> None:
    _series_by_group("selection_rate", answer, groups)


def _check_error_rates(answer, groups=None) -> None:
    if not isinstance(answer, pd.DataFrame):
        raise Mistake("error_rates should be a pandas DataFrame with one row per group; "
                      f"yours is a {type(answer).__name__}.")
    _index("error_rates", answer.index, groups)
    if sorted(map(str, answer.columns)) != ["FPR", "TPR"]:
        raise Mistake('error_rates should have two columns, "TPR" and "FPR".')
    _in_unit_interval("error_rates", answer.to_numpy(), "a rate")


def _check_precision(answer, groups=None) -> None:
    _series_by_group("precision", answer, groups)


def _check_gaps(answer) -> None:
    if not isinstance(answer, pd.Series):
        raise Mistake(f"gaps should be a pandas Series, not a {type(answer).__name__}.")
    _index("gaps", answer.index, CRITERIA, kind="criterion")
    _in_unit_interval("gaps", answer.to_numpy(),
                      "a gap is a difference between two rates, taken without its sign")


def _check_implied_fpr(answer, groups=None) -> None:
    _series_by_group("implied_fpr", answer, groups)
    if np.allclose(answer.to_numpy(float), answer.to_numpy(float)[0]):
        raise Mistake("The two implied false positive rates are equal. With different base "
                      "rates they cannot be: pass each group's own base rate.")


q1 = Question(
    "selection_rate",
    checker=_check_selection_rate,
    hints=[
        "The selection rate is the share of a group who were flagged, whatever their "
        "outcome.",
        '`people.groupby("group")["flagged"].mean()`',
    ],
    answer="rmlkit.exercises._answers.fairness_criteria:q1",
)

q2 = Question(
    "error_rates",
    checker=_check_error_rates,
    hints=[
        "The true positive rate looks only at people with the outcome; the false positive "
        "rate only at people without it. In each, take the share flagged.",
        'Group `people[people["outcome"] == 1]` by group for the TPR, and '
        '`people[people["outcome"] == 0]` for the FPR; put the two Series in a DataFrame.',
    ],
    answer="rmlkit.exercises._answers.fairness_criteria:q2",
)

q3 = Question(
    "precision",
    checker=_check_precision,
    hints=[
        "Precision looks only at the people who were flagged.",
        "Among the flagged people of each group, take the share with the outcome.",
    ],
    answer="rmlkit.exercises._answers.fairness_criteria:q3",
)

q4 = Question(
    "gaps",
    checker=_check_gaps,
    hints=[
        "Each gap is the absolute difference between group A and group B: of the selection "
        "rates, of the error rates, of the precisions.",
        "Equalized odds asks for equal TPR *and* equal FPR, so its gap is the larger of the "
        "two differences (as in fairlearn's `equalized_odds_difference`).",
    ],
    answer="rmlkit.exercises._answers.fairness_criteria:q4",
)

q5 = Question(
    "implied_fpr",
    checker=_check_implied_fpr,
    hints=[
        "Compute each group's base rate: the share with the outcome.",
        "Pass a dict of group -> base rate to `impossibility_table(..., precision=0.6, "
        'false_negative_rate=0.3)` and take its "false_positive_rate" column.',
    ],
    answer="rmlkit.exercises._answers.fairness_criteria:q5",
)

w6 = WrittenQuestion(
    "which criterion for screening",
    answer="rmlkit.exercises._answers.fairness_criteria:w6",
    min_words=80,
)
