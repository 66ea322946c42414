"""Checks for the exercise ``people-and-models``: overrides, deference and feedback loops.

The exercise follows {ref}`lesson-people-and-models`: ``q1`` checks ``disparity`` (how
much more often, in per cent, children from Black families are screened in than White
children while a model is in use, for each policy), ``q2`` checks
``high_deference_disparity`` (the same when workers nearly always follow the model),
``q3`` checks ``extra_history`` (how much faster the gap in recorded history grows when
the model decides); ``w4`` holds the model answer to the written task.

Introduced with the graded exercise of {ref}`lesson-people-and-models`
(people-and-models).
"""

from __future__ import annotations

import numbers

import numpy as np
import pandas as pd

from rmlkit.check import Mistake, Question, WrittenQuestion

__all__ = ["q1", "q2", "q3", "w4"]


def _check_disparity(answer, policies=None) -> None:
    if not isinstance(answer, pd.Series):
        raise Mistake(
            "disparity should be a pandas Series with one value per policy; yours is a "
            f"{type(answer).__name__}."
        )
    if policies is not None and (not answer.index.is_unique
                                 or set(answer.index.astype(str)) != set(policies)):
        raise Mistake(
            "disparity should have exactly one entry for each policy in `years` "
            f"({', '.join(policies)}), indexed by the policy's name."
        )
    values = pd.to_numeric(answer, errors="coerce")
    if values.isna().any() or not np.isfinite(values).all():
        raise Mistake("Every value of disparity should be a number (a percentage).")
    if np.allclose(values, 0.0) or np.allclose(values, 1.0):
        raise Mistake(
            "Every policy has the same value, that of the reference group (White): use the "
            "rows of children from Black families."
        )
    if (values < -100).any():
        raise Mistake("A disparity in per cent cannot be below -100 (a rate of zero).")


def _check_high_deference_disparity(answer) -> None:
    if isinstance(answer, bool) or not isinstance(answer, numbers.Real):
        raise Mistake(
            f"high_deference_disparity should be one number, not a {type(answer).__name__}: "
            "summarise the years as in Task 1."
        )
    if not np.isfinite(answer) or answer < -100:
        raise Mistake(
            "high_deference_disparity should be a finite percentage, not below -100."
        )


def _check_extra_history(answer, years=None) -> None:
    if not isinstance(answer, pd.Series):
        raise Mistake(
            "extra_history should be a pandas Series with one value per year; yours is a "
            f"{type(answer).__name__}."
        )
    if years is not None:
        expected_years = sorted(pd.unique(years["year"]).tolist())
        if sorted(answer.index.tolist()) != expected_years or not answer.index.is_unique:
            raise Mistake(
                "extra_history should be indexed by year, with one value for each year in "
                "`years`."
            )
        first = answer.loc[expected_years[0]]
        if not np.isclose(float(first), 0.0, atol=1e-12):
            raise Mistake(
                "In the first year both runs are the same (workers decide, no model yet), "
                "so the first value of extra_history should be 0. Compare the same group in "
                "the two runs."
            )
    values = pd.to_numeric(answer, errors="coerce")
    if values.isna().any():
        raise Mistake("Every value of extra_history should be a number.")


q1 = Question(
    "disparity",
    checker=_check_disparity,
    hints=[
        "The model is only in use from year 2 on; in year 1 workers decide in every run. "
        "The column `selection_rate_ratio_to_reference` already divides each group's rate by White "
        "children's, and a ratio of 1.25 is a disparity of 25 %.",
        'Keep the rows with `group == "Black"` and `year > 1`, group by `policy`, take the '
        "mean of `selection_rate_ratio_to_reference`, subtract 1 and multiply by 100.",
    ],
    answer="rmlkit.exercises._answers.people_and_models:q1",
)

q2 = Question(
    "high_deference_disparity",
    checker=_check_high_deference_disparity,
    hints=[
        'Run `simulate_feedback_loop` as in the setup, with `policy="support"` and '
        "`deference=0.9` (same households, years and seed).",
        "Then keep its rows for children from Black families after year 1, and compute "
        "the disparity as in Task 1: 100 times (the mean of "
        "`selection_rate_ratio_to_reference` - 1).",
    ],
    answer="rmlkit.exercises._answers.people_and_models:q2",
)

q3 = Question(
    "extra_history",
    checker=_check_extra_history,
    hints=[
        "`mean_prior_screened_in_ratio_to_reference` measures the gap in recorded history: "
        "how many past "
        "screen-ins a referral about a child from a Black family carries, relative to a "
        "White child's.",
        'For `group == "Black"`, take that column by year in the "model" run and subtract '
        'the same column in the "workers" run.',
    ],
    answer="rmlkit.exercises._answers.people_and_models:q3",
)

w4 = WrittenQuestion(
    "the model only advises",
    answer="rmlkit.exercises._answers.people_and_models:w4",
    min_words=80,
)
