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
            f"fpr_table has no column {missing[0]!r}: keep the columns value, ci_low and "
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
        raise Mistake("Each interval should contain its value: ci_low <= value <= ci_high.")
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
    solution=(
        "capacity = int(workers.sum())\n"
        "tool_flags = capacity_decisions(tool_score, capacity)\n"
        "rule_flags = capacity_decisions(rule_score, capacity)\n"
        "found = pd.Series({\n"
        '    "current practice": int((harmed_new & workers).sum()),\n'
        '    "tool": int((harmed_new & tool_flags).sum()),\n'
        '    "prior-referrals rule": int((harmed_new & rule_flags).sum()),\n'
        "})"
    ),
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
    solution=(
        "tool_audit = audit(harmed_new.astype(int), y_pred=tool_flags.astype(int),\n"
        '                   sensitive_features=group_new, metrics=["false_positive_rate"], '
        'n_bootstrap=200,\n'
        "                   clusters=household_new, reference=\"White\", random_state=SEED,\n"
        "                   progress=False)\n"
        'fpr_table = tool_audit.table.set_index("group")[["estimate", "ci_low", "ci_high"]]'
    ),
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
    solution=(
        "not_harmed = ~harmed_new\n"
        "extra_false_positives = (pd.Series(tool_flags & not_harmed).groupby(group_new).sum()\n"
        "                         - pd.Series(workers & not_harmed).groupby(group_new).sum())"
    ),
)

w4 = WrittenQuestion(
    "the recommendation",
    model_answer=(
        "Decision asked for: a substantiation-trained score to decide which referrals are "
        "screened in, at the agency's current capacity. Benefit: at that capacity the tool "
        "finds about as many truly harmed children as the workers do (a handful fewer), and "
        "the household bootstrap interval of the difference includes zero: there is no "
        "evidence of a benefit. It does better than a prior-referrals rule and than chance. "
        "Risks: against the truth, its false positive rate is far higher for children from "
        "Black families than for White children, with intervals that do not overlap, and "
        "compared with the workers it moves unnecessary investigations from White families "
        "to Black, Hispanic and Other families. Mitigation could narrow a gap but not fix "
        "the label. Limits: the truth exists only in this simulation; a real agency would "
        "see labels shaped by its own past decisions, the small groups were merged, and the "
        "results depend on the simulation's assumptions about workers. Recommendation: do "
        "not adopt the tool for screening decisions. A pilot could be considered only as "
        "decision support with monitoring of screen-in rates by group, an agreed stopping "
        "rule and the agreement of families and practitioners, after the ethics review "
        "worksheet has been completed with them."
    ),
    min_words=100,
)
