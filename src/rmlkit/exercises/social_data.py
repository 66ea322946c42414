"""Checks for the exercise ``social-data``: proxies, the truth, and recorded contact.

The exercise follows {ref}`lesson-social-data`: ``q1`` checks ``harm_rate`` (the share of
screened-in children truly harmed, by group), ``q2`` checks ``substantiation_gap`` (the
substantiation rate minus that share), ``q3`` checks ``contacts_without_harm`` (the
average number of recorded contacts with public services of children who were not being
harmed), and ``w4`` holds the model answer to the written task on construct validity.

Introduced with the graded exercise of {ref}`lesson-social-data` (social-data).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from rmlkit.check import Mistake, Question, WrittenQuestion

__all__ = ["q1", "q2", "q3", "w4"]


def _by_group(name: str, answer, groups, *, low: float, high: float, what: str) -> pd.Series:
    """Check that ``answer`` is a Series with one number per group, within [low, high]."""
    if isinstance(answer, pd.DataFrame) and answer.shape[1] == 1:
        raise Mistake(f"{name} should be a Series, not a one-column DataFrame: select the "
                      "column with [\"...\"] after grouping.")
    if not isinstance(answer, pd.Series):
        raise Mistake(f"{name} should be a pandas Series with one value per group; yours is "
                      f"a {type(answer).__name__}.")
    if groups is not None:
        wanted = {str(g) for g in groups}
        given = [str(g) for g in answer.index]
        if len(given) != len(set(given)) or set(given) != wanted:
            raise Mistake(f"{name} should have exactly one entry for each group in "
                          "`main_groups`, indexed by the group's name (keep only those "
                          "groups, for example with `.loc[main_groups]`).")
    values = pd.to_numeric(answer, errors="coerce").astype(float)
    if values.isna().any() or not np.isfinite(values).all():
        raise Mistake(f"Every value of {name} should be a number ({what}).")
    if not values.between(low, high).all():
        raise Mistake(f"Every value of {name} should be between {low:g} and {high:g} "
                      f"({what}). Did you count instead of taking a share or an average?")
    return values


def _check_harm_rate(answer, main_groups=None) -> None:
    _by_group("harm_rate", answer, main_groups, low=0, high=1, what="a share")


def _check_substantiation_gap(answer, main_groups=None) -> None:
    values = _by_group("substantiation_gap", answer, main_groups, low=-1, high=1,
                       what="a difference between two shares")
    if np.allclose(values, 0):
        raise Mistake("Every gap is 0: did you subtract a rate from itself? Compare the "
                      "substantiation rate with the rate of true harm.")


def _check_contacts(answer, main_groups=None) -> None:
    _by_group("contacts_without_harm", answer, main_groups, low=0, high=4,
              what="an average number of contacts, from 0 to 4")


q1 = Question(
    "harm_rate",
    checker=_check_harm_rate,
    hints=[
        "Only screened-in referrals count here: keep the rows where `screened` is True, "
        "in `truth` and in `df` alike.",
        "Group the truth's `harm` column by the children's `race_ethnicity` and take the "
        "mean: the mean of True/False values is the share of True.",
    ],
    answer="rmlkit.exercises._answers.social_data:q1",
)

q2 = Question(
    "substantiation_gap",
    checker=_check_substantiation_gap,
    hints=[
        "First compute the substantiation rate by group among screened-in children, the "
        "same way as harm_rate but from `df[\"substantiated\"]`.",
        "The gap is the proxy minus the truth: substantiation rate minus harm rate. A "
        "positive gap means substantiation overstates true harm in that group.",
    ],
    answer="rmlkit.exercises._answers.social_data:q2",
)

q3 = Question(
    "contacts_without_harm",
    checker=_check_contacts,
    hints=[
        "Keep only the referred children who were not being harmed: "
        "`~truth[\"harm\"]` selects them.",
        "`df[contacts].sum(axis=1)` counts each child's recorded contacts (0 to 4); take "
        "its mean by group among the children you kept.",
    ],
    answer="rmlkit.exercises._answers.social_data:q3",
)

w4 = WrittenQuestion(
    "substantiation as a measure of need",
    answer="rmlkit.exercises._answers.social_data:w4",
    min_words=80,
)
