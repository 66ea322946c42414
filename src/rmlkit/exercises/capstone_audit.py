"""Checks for the exercise ``capstone-audit``: an end-to-end audit of a screening tool.

The exercise follows {ref}`lesson-capstone`: ``q1`` checks ``found`` (harmed children
found by current practice, the tool and a simple rule at the same capacity), ``q2``
checks ``fpr_table`` (the tool's false positive rate by group against the truth, with
household bootstrap intervals), ``q3`` checks ``extra_false_positives`` (who bears the
tool's extra false positives); ``w4`` holds the model answer to the written
recommendation.

Introduced with the graded exercise of {ref}`lesson-capstone` (capstone-audit).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from rmlkit.check import Mistake, Question, WrittenQuestion

__all__ = ["OPTIONS", "q1", "q2", "q3", "w4"]

#: The options an audit compares, in the order the exercise uses.
OPTIONS = ["current practice", "tool", "prior-referrals rule"]


def _whole_numbers(name: str, answer: pd.Series) -> np.ndarray:
    values = pd.to_numeric(answer, errors="coerce").to_numpy(dtype=float)
    if np.isnan(values).any():
        raise Mistake(f"Every value of {name} should be a number of children.")
    if not np.allclose(values, np.round(values)):
        raise Mistake(f"{name} counts children, so every value should be a whole number.")
    return values


def _check_found(answer, harmed=None, workers=None) -> None:
    if not isinstance(answer, pd.Series):
        raise Mistake(
            "found should be a pandas Series with one count per option; yours is a "
            f"{type(answer).__name__}."
        )
    if not answer.index.is_unique or set(answer.index.astype(str)) != set(OPTIONS):
        raise Mistake(
            f"found should have exactly one entry for each option: {', '.join(OPTIONS)}."
        )
    values = _whole_numbers("found", answer)
    if (values < 0).any():
        raise Mistake("A number of children cannot be negative.")
    if harmed is not None:
        harmed = np.asarray(harmed, dtype=bool)
        if (values > harmed.sum()).any():
            raise Mistake(
                "found counts more children than were truly harmed among the new referrals: "
                "count only harmed children among those each option screens in."
            )
        if workers is not None:
            current = int(np.sum(harmed & np.asarray(workers, dtype=bool)))
            if int(round(float(answer["current practice"]))) != current:
                raise Mistake(
                    "The count for current practice should be the number of truly harmed "
                    "children (`harmed_new`) among the referrals the workers screened in "
                    "(`workers`): measure the benefit on the truth, not on a label."
                )


def _check_fpr_table(answer, groups=None) -> None:
    if not isinstance(answer, pd.DataFrame):
        raise Mistake(
            "fpr_table should be a DataFrame with one row per group; yours is a "
            f"{type(answer).__name__}."
        )
    missing = [c for c in ["estimate", "ci_low", "ci_high"] if c not in answer.columns]
    if missing:
        raise Mistake(
            f"fpr_table has no column {missing[0]!r}: keep the columns estimate, ci_low and "
            "ci_high of the audit's table."
        )
    if groups is not None:
        expected = set(pd.unique(np.asarray(groups).astype(str))) | {"all"}
        if not answer.index.is_unique or set(answer.index.astype(str)) != expected:
            raise Mistake(
                "fpr_table should be indexed by group, with one row for each group and one "
                "for \"all\", holding only the false positive rate."
            )
    table = answer[["estimate", "ci_low", "ci_high"]].apply(pd.to_numeric, errors="coerce")
    if table.isna().any().any() or not ((table >= 0) & (table <= 1)).all().all():
        raise Mistake("Rates and their interval bounds must be numbers between 0 and 1.")
    if not ((table["ci_low"] <= table["estimate"]) & (table["estimate"] <= table["ci_high"])).all():
        raise Mistake("Each interval should contain its estimate: ci_low <= estimate <= ci_high.")
    if np.allclose(table["ci_low"], table["ci_high"]):
        raise Mistake(
            "The intervals have no width: ask `audit` for bootstrap intervals "
            "(`n_bootstrap=...`)."
        )


def _check_extra_false_positives(answer, groups=None) -> None:
    if not isinstance(answer, pd.Series):
        raise Mistake(
            "extra_false_positives should be a pandas Series with one count per group; "
            f"yours is a {type(answer).__name__}."
        )
    if groups is not None:
        expected = set(pd.unique(np.asarray(groups).astype(str)))
        if not answer.index.is_unique or set(answer.index.astype(str)) != expected:
            raise Mistake(
                "extra_false_positives should have exactly one entry for each group in "
                "`group_new` (no \"all\" row)."
            )
    values = _whole_numbers("extra_false_positives", answer)
    if np.all(values >= 0) and np.all(values <= 0):
        raise Mistake(
            "Every value is 0: compare the tool's false positives with those of current "
            "practice, not an option with itself."
        )


q1 = Question(
    "found",
    checker=_check_found,
    hints=[
        "At the same capacity means: the tool and the rule screen in as many new referrals "
        "as the workers did (`workers.sum()`), the highest-ranked first.",
        "`capacity_decisions(tool_score, capacity)` and `capacity_decisions(rule_score, "
        "capacity)` give the flags; then count `harmed_new` among each option's flags.",
    ],
    answer="rmlkit.exercises._answers.capstone_audit:q1",
)

q2 = Question(
    "fpr_table",
    checker=_check_fpr_table,
    hints=[
        "The audit is against the truth (`harmed_new`), for the tool's flags, with groups "
        "`group_new`. Siblings share their outcomes, so resample whole households "
        "(`clusters=household_new`).",
        "`audit(harmed_new.astype(int), y_pred=tool_flags.astype(int), "
        "sensitive_features=group_new, metrics=[\"false_positive_rate\"], n_bootstrap=200, "
        "clusters=household_new, random_state=SEED, progress=False)`; then keep its "
        "`table` indexed by group.",
    ],
    answer="rmlkit.exercises._answers.capstone_audit:q2",
)

q3 = Question(
    "extra_false_positives",
    checker=_check_extra_false_positives,
    hints=[
        "A false positive here is a referral screened in although the child was not truly "
        "harmed (`~harmed_new`).",
        "For each group, count `tool_flags & ~harmed_new`, then subtract the count of "
        "`workers & ~harmed_new`.",
    ],
    answer="rmlkit.exercises._answers.capstone_audit:q3",
)

w4 = WrittenQuestion(
    "the recommendation",
    answer="rmlkit.exercises._answers.capstone_audit:w4",
    min_words=100,
)
