"""Checks for the exercise ``sources-of-bias``: one bias mechanism at a time, and the
choice of label.

The exercise follows {ref}`lesson-sources-of-bias`: ``q1`` checks the function
``disparities(frame)`` (how much more often Black children than White children are
flagged, and are truly harmed), ``q2`` the table ``effects`` (those two ratios in each
simulated world), ``q3`` ``black_share_top3`` (the share of Black patients among the 3 %
with the highest scores, for a model trained on each label), and ``w4`` holds the model
answer to the written task.

Introduced with the graded exercise of {ref}`lesson-sources-of-bias` (sources-of-bias).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from rmlkit.check import Mistake, Question, WrittenQuestion

__all__ = ["q1", "q2", "q3", "w4"]

RATIOS = ["flag ratio", "harm ratio"]


def _numbers(name: str, values, *, low: float, high: float, what: str) -> np.ndarray:
    numbers = pd.to_numeric(pd.Series(np.ravel(values)), errors="coerce").to_numpy(float)
    if np.isnan(numbers).any() or not np.isfinite(numbers).all():
        raise Mistake(f"Every value of {name} should be a finite number ({what}).")
    if (numbers < low).any() or (numbers > high).any():
        raise Mistake(f"Every value of {name} should be between {low:g} and {high:g} ({what}).")
    return numbers


def _equal_shares_frame() -> pd.DataFrame:
    """Black and White children with the same shares flagged, placed and harmed, but in
    groups of different sizes, plus a third group that should be ignored."""
    def block(group, n, k):
        flags = np.arange(n) < k
        return pd.DataFrame({"group": group, "flagged": flags, "placed": flags[::-1],
                             "harm": np.roll(flags, 1)})
    return pd.concat([block("Black", 4, 1), block("White", 12, 3), block("Hispanic", 5, 5)],
                     ignore_index=True)


def _ratios(name: str, result) -> pd.Series:
    if not isinstance(result, pd.Series):
        raise Mistake(f"{name} should return a pandas Series, not a {type(result).__name__}.")
    if set(map(str, result.index)) != set(RATIOS) or not result.index.is_unique:
        raise Mistake(f"{name} should return a Series with exactly two entries, "
                      "\"flag ratio\" and \"harm ratio\".")
    values = pd.to_numeric(pd.Series(result.to_numpy()), errors="coerce").to_numpy(float)
    if not np.isfinite(values).all() or (values <= 0).any():
        raise Mistake(f"{name} gives a value that is 0, negative, infinite or not a number; "
                      "a ratio of two shares is a positive number. Divide (do not subtract) "
                      "the Black share by the White share, each computed among *all* the "
                      "children of that group, not only the flagged ones.")
    return result


def _check_disparities(answer, frame: pd.DataFrame | None = None) -> None:
    if not callable(answer):
        raise Mistake("disparities should be a function: `def disparities(frame): ...` "
                      "that returns the two ratios for the frame it is given.")
    equal = _ratios("disparities(frame)", answer(_equal_shares_frame()))
    if not np.allclose(equal.to_numpy(float), 1):
        raise Mistake("For a test frame in which Black and White children have the same "
                      "shares flagged and harmed, in groups of different sizes and beside a "
                      "third group, both ratios should be 1. Compare shares (means) within "
                      "each group, not counts, and divide the Black share by the White "
                      "share: the other groups play no part.")
    if frame is not None:
        _ratios("disparities(frame)", answer(frame.copy()))


def _check_effects(answer, scenarios=None) -> None:
    if not isinstance(answer, pd.DataFrame):
        raise Mistake(f"effects should be a pandas DataFrame, not a {type(answer).__name__}.")
    if scenarios is not None and (set(map(str, answer.index)) != set(scenarios)
                                  or not answer.index.is_unique):
        raise Mistake("effects should have one row per scenario in `scenarios`, indexed by "
                      "the scenario's name. (If the scenarios are the columns, transpose "
                      "with `.T`.)")
    if set(map(str, answer.columns)) != set(RATIOS):
        raise Mistake("effects should have two columns, \"flag ratio\" and \"harm ratio\", "
                      "as returned by disparities.")
    _numbers("effects", answer.to_numpy(), low=1e-9, high=np.inf, what="a positive ratio")


def _check_top3(answer, labels=None) -> None:
    if isinstance(answer, dict):
        answer = pd.Series(answer)
    if not isinstance(answer, pd.Series):
        raise Mistake("black_share_top3 should be a pandas Series (or a dict) with one "
                      f"share per label, not a {type(answer).__name__}.")
    if labels is not None and set(map(str, answer.index)) != set(labels):
        raise Mistake("black_share_top3 should have one entry for each label in `labels`, "
                      "indexed by the label's name.")
    _numbers("black_share_top3", answer.to_numpy(), low=0, high=1, what="a share")


q1 = Question(
    "disparities",
    checker=_check_disparities,
    hints=[
        "Within the frame, compute the share flagged among Black children and among White "
        "children (the mean of `flagged` in each group), and the same for `harm`.",
        "Divide the Black share by the White share, for flags and for harm, and return "
        "`pd.Series({\"flag ratio\": ..., \"harm ratio\": ...})`.",
    ],
    answer="rmlkit.exercises._answers.sources_of_bias:q1",
)

q2 = Question(
    "effects",
    checker=_check_effects,
    hints=[
        "Call `run(scenario)` for each scenario in `scenarios`, and `disparities` on each "
        "result.",
        "A dict of Series, one per scenario, becomes a DataFrame with `pd.DataFrame(...)`; "
        "`.T` turns the scenarios into rows.",
    ],
    answer="rmlkit.exercises._answers.sources_of_bias:q2",
)

q3 = Question(
    "black_share_top3",
    checker=_check_top3,
    hints=[
        "For each label, the top 3 % are the held-out patients whose score is at or above "
        "the 97th percentile of the scores (`s.quantile(0.97)`).",
        "Among those patients, take the share whose race is Black: divide by the number "
        "of patients in the top 3 %, not by the number of Black patients.",
    ],
    answer="rmlkit.exercises._answers.sources_of_bias:q3",
)

w4 = WrittenQuestion(
    "where the disparity comes from",
    answer="rmlkit.exercises._answers.sources_of_bias:w4",
    min_words=80,
)
