"""Checks for the exercise ``tradeoffs``: precision, capacity and the costs of errors.

The exercise follows {ref}`lesson-decisions`: ``q1`` checks ``precision_10`` (the
precision of flagging the top 10 %), ``q2`` checks ``best_precision`` (the highest
precision at a realistic flag rate, from a threshold sweep), ``q3`` checks ``flag_cap``
(decisions under a weekly capacity), ``q4`` checks ``cost_ratio`` (the expected cost of
errors per referral, Black over White families); ``w5`` holds the model answer to the
written task.

Introduced with the graded exercise of {ref}`lesson-decisions` (tradeoffs).
"""

from __future__ import annotations

import numbers

import numpy as np
import pandas as pd

from rmlkit.check import Mistake, Question, WrittenQuestion
from rmlkit.exercises import reject_upside_down

__all__ = ["q1", "q2", "q3", "q4", "w5"]


def _one_number(name: str, answer) -> float:
    if isinstance(answer, bool) or not isinstance(answer, numbers.Real):
        raise Mistake(
            f"{name} should be one number, but yours is a {type(answer).__name__}. If you "
            "have a table or a Series, pick the single value the task asks for."
        )
    value = float(answer)
    if not np.isfinite(value):
        raise Mistake(f"{name} should be a finite number, not {value}.")
    return value


def _check_rate(name: str, answer) -> float:
    value = _one_number(name, answer)
    if not 0 <= value <= 1:
        raise Mistake(f"{name} is a share of children, so it must be between 0 and 1.")
    return value


def _check_precision_10(answer, test: pd.DataFrame | None = None) -> None:
    value = _check_rate("precision_10", answer)
    if test is not None:
        placed = test["placed_2y"].astype(int)
        if np.isclose(value, placed.mean(), rtol=0, atol=1e-12):
            raise Mistake(
                "precision_10 equals the share of *all* test referrals who were placed: "
                "precision looks only at the referrals that were flagged."
            )
        if np.isclose(value, test["flagged"].mean(), rtol=0, atol=1e-12):
            raise Mistake(
                "precision_10 equals the share of referrals flagged: precision asks how "
                "many of the flagged children were placed."
            )


def _check_best_precision(answer, sweep: pd.DataFrame | None = None) -> None:
    value = _check_rate("best_precision", answer)
    if sweep is not None:
        found = np.isclose(sweep["precision"].to_numpy(dtype=float), value,
                           rtol=0, atol=1e-12)
        if not found.any():
            raise Mistake(
                "best_precision is not one of the precisions in `sweep`: take it from the "
                "`precision` column of the sweep, after keeping the rows the task asks for."
            )


def _check_flag_cap(answer, test: pd.DataFrame | None = None, week=None,
                    capacity: int | None = None) -> None:
    try:
        flags = np.asarray(answer)
    except Exception:  # noqa: BLE001 - anything that is not array-like
        flags = None
    if flags is None or flags.ndim != 1:
        raise Mistake(
            "flag_cap should be one flag per test referral (an array or Series of "
            "True/False), in the same order as `test`."
        )
    if test is not None and len(flags) != len(test):
        raise Mistake(
            f"flag_cap has {len(flags)} values but `test` has {len(test)} referrals: "
            "there should be one flag per referral."
        )
    if not np.isin(pd.unique(flags), [0, 1, True, False]).all():
        raise Mistake("flag_cap should hold only True/False (or 1/0) flags.")
    flags = flags.astype(bool)
    if not flags.any():
        raise Mistake("flag_cap flags no referral at all: the team has capacity to use.")
    if week is not None and capacity is not None:
        per_week = pd.Series(flags).groupby(np.asarray(week)).sum()
        if per_week.max() > capacity:
            raise Mistake(
                f"In at least one week, flag_cap flags more than {capacity} referrals: the "
                f"team can look at {capacity} a week, so no week may have more."
            )


def _check_cost_ratio(answer, costs: pd.DataFrame | None = None) -> None:
    value = _one_number("cost_ratio", answer)
    if value <= 0:
        raise Mistake("cost_ratio divides one positive cost by another: it must be positive.")
    if costs is None:
        return
    if not isinstance(costs, pd.DataFrame) or not {"cost", "cost_per_row"} <= set(costs):
        raise Mistake(
            "costs should be the table returned by `expected_cost` (with the columns "
            "`cost` and `cost_per_row`)."
        )
    index = set(costs.index.astype(str))
    if not {"Black", "White"} <= index:
        raise Mistake(
            "costs should have a row for each group: pass the race/ethnicity of each "
            "referral as `sensitive_features`."
        )
    if "all" in index:
        everyone = costs.loc["all"]
        expected = everyone["false_negatives"] * 10 + everyone["false_positives"] * 1
        if not np.isclose(everyone["cost"], expected):
            raise Mistake(
                "The costs in `costs` do not use the costs the task gives: a missed child "
                "costs 10 and an unnecessary investigation 1."
            )
    per_row = costs["cost_per_row"]
    reject_upside_down(
        value, per_row["White"] / per_row["Black"],
        "cost_ratio looks upside down: the cost for Black families goes on top, the "
        "cost for White families below.",
    )


q1 = Question(
    "precision_10",
    checker=_check_precision_10,
    hints=[
        "Precision asks: of the referrals that were flagged, what share were placed?",
        'Keep the rows of `test` where `flagged == 1`, then take the mean of `placed_2y`.',
    ],
    answer="rmlkit.exercises._answers.tradeoffs:q1",
)

q2 = Question(
    "best_precision",
    checker=_check_best_precision,
    hints=[
        "The sweep has one row per threshold *and per group*; the group `\"all\"` holds "
        "every referral together.",
        'Keep the rows where `sweep["group"] == "all"` and `sweep["selection_rate"] >= 0.05`, '
        "then take the largest `precision`.",
    ],
    answer="rmlkit.exercises._answers.tradeoffs:q2",
)

q3 = Question(
    "flag_cap",
    checker=_check_flag_cap,
    hints=[
        "The capacity is per week: the team looks at the highest scores of *each* week.",
        "`capacity_decisions(scores, capacity, periods=...)` flags the `capacity` highest "
        "scores in each period; the periods here are in `week`.",
    ],
    answer="rmlkit.exercises._answers.tradeoffs:q3",
)

q4 = Question(
    "cost_ratio",
    checker=_check_cost_ratio,
    hints=[
        "Groups differ in size, so compare the cost *per referral*, not the total cost.",
        'Call `expected_cost(test["placed_2y"], flag_cap, cost_false_negative=10, '
        "cost_false_positive=1, sensitive_features=group)` and divide the `cost_per_row` "
        "of Black families by that of White families.",
    ],
    answer="rmlkit.exercises._answers.tradeoffs:q4",
)

w5 = WrittenQuestion(
    "using the tool with 8 visits a week",
    answer="rmlkit.exercises._answers.tradeoffs:w5",
    min_words=80,
)
