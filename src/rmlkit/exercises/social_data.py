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
    solution=(
        'group = df["race_ethnicity"].astype(str)\n'
        'harm_rate = truth.loc[screened, "harm"].groupby(group[screened]).mean()'
        ".loc[main_groups]"
    ),
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
    solution=(
        'group = df["race_ethnicity"].astype(str)\n'
        'substantiated = df.loc[screened, "substantiated"].astype(bool)\n'
        "substantiation_rate = substantiated.groupby(group[screened]).mean()"
        ".loc[main_groups]\n"
        "substantiation_gap = substantiation_rate - harm_rate"
    ),
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
    solution=(
        'group = df["race_ethnicity"].astype(str)\n'
        'not_harmed = ~truth["harm"].to_numpy()\n'
        "n_contacts = df[contacts].sum(axis=1)\n"
        "contacts_without_harm = n_contacts[not_harmed].groupby(group[not_harmed]).mean()"
        ".loc[main_groups]"
    ),
)

w4 = WrittenQuestion(
    "substantiation as a measure of need",
    model_answer=(
        "Substantiation is a record of an investigator's decision, not a measurement of "
        "harm. In this data it understates true harm for children from White and Hispanic "
        "families and slightly overstates it for children from Black families, so the proxy "
        "is not only noisy, it is wrong in different ways for different groups: its "
        "construct validity differs by group. Children who were not being harmed have more "
        "recorded contact with benefits, housing, police and health services if they are "
        "from Black or Hispanic families. Those four features record how closely a family is "
        "watched by public services, a trace of poverty and of surveillance, as much as a "
        "child's need. A model trained to predict substantiation from them would learn that "
        "families with more contact are riskier, and would flag children from Black families "
        "more often at the same level of need; its errors would look like accuracy because "
        "the label shares the same distortion. With real data we could not measure these "
        "gaps, because the truth is unknown, so the validity of the label has to be argued "
        "and checked with other evidence (case-file reviews, families' own accounts)."
    ),
    min_words=80,
)
