"""Checks for the exercise ``mitigation``: mitigations compared at the same capacity.

The exercise follows {ref}`lesson-mitigation`: ``q1`` checks ``comparison`` (the table
of :func:`rmlkit.mitigation.compare_mitigations` with every method flagging the same
number of test referrals, judged against the truth), ``q2`` checks ``change``
(mitigated minus unmitigated, column by column), ``q3`` checks ``extra_missed`` (how
many more children truly in need the mitigated model misses at that capacity), ``q4``
checks ``flags`` (how many referrals each method flags at its own decision rule) and
``q5`` checks ``why`` (the choice that explains the comparison at those rules);
``w6`` holds the model answer to the written task.

Introduced with the graded exercise of {ref}`lesson-mitigation` (mitigation).
"""

from __future__ import annotations

import numbers

import numpy as np
import pandas as pd

from rmlkit.check import Mistake, Question, WrittenQuestion

__all__ = ["CHOICES", "q1", "q2", "q3", "q4", "q5", "w6"]

TRUTH_COLUMNS = ["precision_vs_truth", "true_positive_rate_vs_truth"]

# Task 5: the letters of the choices, which the task lists; the module says no more.
CHOICES = ("A", "B", "C", "D")


def _check_comparison(answer, methods=None, capacity=None, n_test=None) -> None:
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
    if "selection_rate" not in answer.columns:
        raise Mistake(
            "comparison has no column 'selection_rate' (the share each method flags): "
            "use the table that `compare_mitigations` returns."
        )
    missing = [c for c in TRUTH_COLUMNS if c not in answer.columns]
    if missing:
        raise Mistake(
            f"comparison has no column {missing[0]!r}: without `true_outcome_test`, "
            "compare_mitigations cannot judge the models against the truth."
        )
    shares = pd.to_numeric(answer["selection_rate"], errors="coerce").to_numpy(dtype=float)
    if not np.allclose(shares, shares[0], rtol=0, atol=1e-9):
        raise Mistake(
            "in comparison the methods flag different shares of the referrals "
            "(`selection_rate`): each flags at its own decision rule, and a method that "
            "flags more finds more children in need for that reason alone. Pass "
            "`capacity=capacity` so that every method flags the same number."
        )
    if capacity is not None and n_test and not np.isclose(shares[0], capacity / n_test,
                                                          rtol=0, atol=1e-9):
        raise Mistake(
            "every method in comparison flags the same share, but not `capacity` of the "
            "test referrals: evaluate on the test rows (`X[test]`, `y[test]`, "
            "`group[test]`, `harm[test]`) and pass `capacity=capacity`."
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


def _check_flags(answer, methods=None, n_test: int | None = None) -> None:
    if not isinstance(answer, pd.Series):
        raise Mistake(
            "flags should be a pandas Series, one number per method: a column of a "
            f"table gives one; yours is a {type(answer).__name__}."
        )
    if methods is not None and sorted(map(str, answer.index)) != sorted(methods):
        raise Mistake(
            "flags should have one value for each method in `methods`, indexed by the "
            "method's name, as the rows of compare_mitigations' table are."
        )
    values = pd.to_numeric(answer, errors="coerce").to_numpy(dtype=float)
    if np.isnan(values).any() or (values < 0).any():
        raise Mistake("flags should count referrals: every value a number, none negative.")
    if (values <= 1).all() and (values > 0).any():
        raise Mistake(
            "flags looks like shares of the referrals (`selection_rate`): the task asks "
            "for numbers of referrals, so multiply by the number of test referrals."
        )
    if n_test is not None and (values > n_test + 0.5).any():
        raise Mistake(
            "flags has a method flagging more referrals than there are test referrals: "
            "multiply the share flagged by the number of test referrals, `test.sum()`."
        )


def _check_why(answer) -> None:
    if not isinstance(answer, str) or answer.strip().upper() not in CHOICES:
        raise Mistake(
            f"why should be one of the letters {', '.join(CHOICES)}, as a string "
            f"(for example \"A\"); yours is {answer!r}."
        )


q1 = Question(
    "comparison",
    checker=_check_comparison,
    hints=[
        "Train on the training rows (`train`) and evaluate on the test rows (`test`), "
        "with the groups of both and the truth for the test rows; give every method the "
        "same number of flags with `capacity=`.",
        "`compare_mitigations(X[train], y[train], X[test], y[test], "
        "sensitive_train=group[train], sensitive_test=group[test], "
        "true_outcome_test=harm[test], estimator=clone(tool.model), methods=methods, "
        "capacity=capacity, random_state=SEED)`.",
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
        "`true_positive_rate_vs_truth` is a share of the test children who were truly in "
        "need, so multiply a change in it by the number of those children, not by all "
        "test rows.",
        "The test children truly in need are `harm[test] == 1`; their number is "
        "`harm[test].sum()`. A fall in `true_positive_rate_vs_truth` means more children "
        "missed.",
    ],
    answer="rmlkit.exercises._answers.mitigation:q3",
)

q4 = Question(
    "flags",
    checker=_check_flags,
    hints=[
        "Call compare_mitigations as in Task 1 but leave out `capacity=`: each method then "
        "flags at its own decision rule. Its `selection_rate` column is the share of the "
        "test referrals each method flags.",
        '`own_rules = compare_mitigations(...)` without `capacity=`, then '
        '`flags = own_rules["selection_rate"] * test.sum()`.',
    ],
    answer="rmlkit.exercises._answers.mitigation:q4",
)

q5 = Question(
    "why",
    checker=_check_why,
    hints=[
        "Compare the numbers of flags in Task 4 with the capacity of Task 1, and the "
        "children missed at each method's own rule with those missed at equal capacity "
        "(Task 3).",
        "If two methods flag the same number of referrals, which one finds more children "
        "in need? And if one flags far more?",
    ],
    answer="rmlkit.exercises._answers.mitigation:q5",
)

w6 = WrittenQuestion(
    "is the mitigated model fairer and better?",
    answer="rmlkit.exercises._answers.mitigation:w6",
    min_words=80,
)
