"""Answers of the exercise ``capstone-audit`` (see :mod:`rmlkit.exercises._answers`)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from rmlkit.audit import audit
from rmlkit.check import Answer, KnownMistake, same_values
from rmlkit.exercises._answers import sum_by
from rmlkit.tradeoffs import capacity_decisions

METRIC = "false_positive_rate"  # the metric name audit() takes, as in the notebook


def found(harmed, workers, tool_score, rule_score):
    harmed, workers = np.asarray(harmed, dtype=bool), np.asarray(workers, dtype=bool)
    capacity = int(workers.sum())
    return pd.Series({
        "current practice": int((harmed & workers).sum()),
        "tool": int((harmed & capacity_decisions(tool_score, capacity)).sum()),
        "prior-referrals rule": int((harmed & capacity_decisions(rule_score,
                                                                 capacity)).sum()),
    })


def _other_capacity(answer, harmed, workers, tool_score, rule_score) -> bool:
    expected = found(harmed, workers, tool_score, rule_score)
    given = pd.Series(answer).rename(index=str)
    return (np.isclose(float(given["current practice"]), expected["current practice"])
            and not same_values(given, expected))


def fpr_table(harmed, tool_flags, groups, households, random_state, clusters=True):
    result = audit(np.asarray(harmed).astype(int), y_pred=np.asarray(tool_flags).astype(int),
                   sensitive_features=groups, metrics=[METRIC], n_bootstrap=200,
                   clusters=households if clusters else None, random_state=random_state,
                   progress=False)
    return result.table.set_index("group")[["estimate", "ci_low", "ci_high"]]


def _values_right(answer, harmed, tool_flags, groups, households, random_state) -> bool:
    expected = fpr_table(harmed, tool_flags, groups, households, random_state)
    return same_values(answer["estimate"], expected["estimate"])


def _rates(y_true, y_pred, groups) -> pd.Series:
    """The false positive rate of ``y_pred`` against ``y_true`` by group and for "all"."""
    y_true, y_pred = np.asarray(y_true, dtype=bool), np.asarray(y_pred, dtype=bool)
    groups = np.asarray(groups).astype(str)
    negative = ~y_true
    rates = pd.Series(y_pred[negative]).groupby(groups[negative]).mean()
    rates["all"] = y_pred[negative].mean()
    return rates


def _estimates_are(answer, y_true, y_pred, groups) -> bool:
    given = pd.DataFrame(answer).rename(index=str)["estimate"]
    return same_values(given, _rates(y_true, y_pred, groups).reindex(given.index))


def extra_false_positives(harmed, tool_flags, workers, groups, tool="tool"):
    not_harmed = ~np.asarray(harmed, dtype=bool)
    tool_fp = sum_by(np.asarray(tool_flags, dtype=bool) & not_harmed, groups)
    worker_fp = sum_by(np.asarray(workers, dtype=bool) & not_harmed, groups)
    return tool_fp - worker_fp if tool == "tool" else worker_fp - tool_fp


q1 = Answer(
    expected=found,
    atol=0.5,  # counts of children
    mistakes=[
        KnownMistake(
            "The counts for the tool and the rule do not come from screening in as many "
            "referrals as the workers did. At the same capacity means "
            "`capacity = int(workers.sum())`: the number the workers screened in among "
            "these new referrals.",
            matches=_other_capacity),
    ],
    solution=(
        'capacity = int(workers.sum())\n'
        'tool_flags = capacity_decisions(tool_score, capacity)\n'
        'rule_flags = capacity_decisions(rule_score, capacity)\n'
        'found = pd.Series({\n'
        '    "current practice": int((harmed_new & workers).sum()),\n'
        '    "tool": int((harmed_new & tool_flags).sum()),\n'
        '    "prior-referrals rule": int((harmed_new & rule_flags).sum()),\n'
        '})'
    ),
)

q2 = Answer(
    expected=fpr_table,
    mistakes=[
        KnownMistake(
            "The rates are right, but the intervals are not the household bootstrap "
            "intervals the task asks for: resample whole households "
            "(`clusters=household_new`), with `n_bootstrap=200` and `random_state=SEED`. "
            "Siblings share their outcomes, so resampling single referrals makes the "
            "intervals too narrow.",
            matches=_values_right),
        KnownMistake(
            "The rates look measured against substantiation, the label the tool was "
            "trained on, not against the truth. The audit asks which families are "
            "investigated without need: pass `harmed_new` as the true outcome.",
            matches=lambda answer, labels, tool_flags, groups: _estimates_are(
                answer, pd.Series(labels).fillna(False).astype(bool), tool_flags, groups)),
        KnownMistake(
            "The rates look like those of current practice (`workers`). The task audits "
            "the tool: pass `tool_flags` as the decisions.",
            matches=lambda answer, harmed, workers, groups: _estimates_are(
                answer, harmed, workers, groups)),
        KnownMistake(
            "The true outcome and the decisions look swapped. The first argument of "
            "`audit` is what really happened (`harmed_new`), `y_pred` the tool's "
            "decisions (`tool_flags`).",
            matches=lambda answer, harmed, tool_flags, groups: _estimates_are(
                answer, tool_flags, harmed, groups)),
    ],
    solution=(
        'tool_audit = audit(harmed_new.astype(int), y_pred=tool_flags.astype(int),\n'
        '                   sensitive_features=group_new, metrics=["false_positive_rate"],\n'
        '                   n_bootstrap=200,\n'
        '                   clusters=household_new, reference="White", random_state=SEED,\n'
        '                   progress=False)\n'
        'fpr_table = tool_audit.table.set_index("group")[["estimate", "ci_low", "ci_high"]]'
    ),
)

q3 = Answer(
    expected=extra_false_positives,
    atol=0.5,
    mistakes=[
        KnownMistake(
            "extra_false_positives is the wrong way round: take the tool's false "
            "positives minus those of current practice, so that a positive count is an "
            "extra unnecessary investigation caused by the tool.",
            wrong_value=lambda harmed, tool_flags, workers, groups: extra_false_positives(
                harmed, tool_flags, workers, groups, tool="workers")),
        KnownMistake(
            "extra_false_positives counts every referral screened in, harmed or not. A "
            "false positive is a referral screened in although no child was truly being "
            "harmed: keep only those (`~harmed_new`) before counting.",
            wrong_value=lambda tool_flags, workers, groups: (
                sum_by(np.asarray(tool_flags, dtype=bool), groups)
                - sum_by(np.asarray(workers, dtype=bool), groups))),
        KnownMistake(
            "extra_false_positives looks like the tool's false positives alone. The task "
            "asks how many *more* than current practice: subtract the false positives of "
            "`workers`.",
            wrong_value=lambda harmed, tool_flags, groups: sum_by(
                np.asarray(tool_flags, dtype=bool) & ~np.asarray(harmed, dtype=bool), groups)),
        KnownMistake(
            "extra_false_positives looks like a difference of missed children (harmed, "
            "not screened in): false negatives. A false positive is a referral screened "
            "in although no child was being harmed.",
            wrong_value=lambda harmed, tool_flags, workers, groups: (
                sum_by(~np.asarray(tool_flags, dtype=bool) & np.asarray(harmed, dtype=bool),
                       groups)
                - sum_by(~np.asarray(workers, dtype=bool) & np.asarray(harmed, dtype=bool),
                         groups))),
    ],
    solution=(
        'not_harmed = ~harmed_new\n'
        'extra_false_positives = (pd.Series(tool_flags & not_harmed).groupby(group_new).sum()\n'
        '                         - pd.Series(workers & not_harmed).groupby(group_new).sum())'
    ),
)

w4 = (
    'Decision asked for: a substantiation-trained score to decide which referrals are '
    "screened in, at the agency's current capacity. Benefit: at that capacity the tool "
    'finds about 210 more truly harmed children than the workers do, of some 3,000, '
    'and the household bootstrap interval of the difference is clear of zero; it also '
    'does better than a prior-referrals rule. That benefit rests on the '
    "simulation's assumption about how well its screeners see harm. Risks: against the "
    'truth, its false positive rate is far higher for children from Hispanic families '
    'than for White children, with intervals that do not overlap, and compared with the '
    'workers it moves unnecessary investigations from White and Black families to '
    'Hispanic families. Mitigation could narrow a gap but not fix the '
    'label. Limits: the truth exists only in this simulation; a real agency would see '
    'labels shaped by its own past decisions, the small groups were merged, and the '
    "results depend on the simulation's assumptions about workers. Recommendation: do not"
    ' adopt the tool for screening decisions. A pilot could be considered only as '
    'decision support with monitoring of screen-in rates by group, an agreed stopping '
    'rule and the agreement of families and practitioners, after the ethics review '
    'worksheet has been completed with them.'
)

__all__ = ["q1", "q2", "q3", "w4"]
