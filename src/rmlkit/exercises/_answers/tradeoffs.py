"""Answers of the exercise ``tradeoffs`` (see :mod:`rmlkit.exercises._answers`)."""

from __future__ import annotations

import numpy as np

from rmlkit.check import Answer, KnownMistake
from rmlkit.exercises._answers import mean_by, sum_by
from rmlkit.tradeoffs import capacity_decisions


def _placed(test):
    return test["placed_2y"].to_numpy(dtype=int) == 1


def _flagged(test):
    return test["flagged"].to_numpy(dtype=int) == 1


def _best(sweep, everyone=True, at_least=0.05):
    rows = sweep["selection_rate"] >= at_least
    if everyone:
        rows &= sweep["group"].astype(str) == "all"
    return sweep.loc[rows, "precision"].max()


def _cost_by_group(test, flag_cap, group, per_row=True):
    flags = np.asarray(flag_cap).astype(bool)
    placed = _placed(test)
    cost = 10 * (placed & ~flags) + 1 * (~placed & flags)
    return mean_by(cost, group) if per_row else sum_by(cost, group)


def _cost_ratio(test, flag_cap, group, per_row=True):
    costs = _cost_by_group(test, flag_cap, group, per_row)
    return costs["Black"] / costs["White"]


q1 = Answer(
    expected=lambda test: _placed(test)[_flagged(test)].mean(),
    mistakes=[
        KnownMistake(
            "precision_10 looks like the share flagged among the children who were "
            "placed: that is recall. Precision divides by the number flagged: of the "
            "flagged referrals, the share placed.",
            wrong_value=lambda test: _flagged(test)[_placed(test)].mean()),
    ],
    solution=(
        'precision_10 = test.loc[test["flagged"] == 1, "placed_2y"].mean()'
    ),
)

q2 = Answer(
    expected=_best,
    mistakes=[
        KnownMistake(
            "best_precision is the best precision of *any* group, not of all referrals "
            "together. Keep the rows with `group == \"all\"`: a small group can look "
            "better by chance.",
            wrong_value=lambda sweep: _best(sweep, everyone=False)),
        KnownMistake(
            "best_precision comes from a threshold that flags fewer than 5 % of the "
            "referrals. Keep only the realistic thresholds, `selection_rate >= 0.05`.",
            wrong_value=lambda sweep: _best(sweep, at_least=-np.inf)),
    ],
    solution=(
        'realistic = sweep[(sweep["group"] == "all") & (sweep["selection_rate"] >= 0.05)]\n'
        'best_precision = realistic["precision"].max()'
    ),
)

q3 = Answer(
    expected=lambda test, week, capacity: np.asarray(
        capacity_decisions(test["score"], capacity, periods=week)).astype(bool),
    mistakes=[
        KnownMistake(
            "flag_cap applies the capacity once, to all the referrals together. The team "
            "sees that many referrals in *each* week: pass the weeks as `periods=week`.",
            wrong_value=lambda test, capacity: np.asarray(
                capacity_decisions(test["score"], capacity)).astype(bool)),
    ],
    solution=(
        'flag_cap = capacity_decisions(test["score"], 8, periods=week)'
    ),
)

q4 = Answer(
    expected=_cost_ratio,
    mistakes=[
        KnownMistake(
            "cost_ratio compares the *total* costs of the groups, so the size of each "
            "group decides it. Compare the cost per referral (`cost_per_row`).",
            wrong_value=lambda test, flag_cap, group: _cost_ratio(test, flag_cap, group,
                                                                  per_row=False)),
    ],
    solution=(
        'costs = expected_cost(test["placed_2y"], flag_cap.astype(int), cost_false_negative=10,\n'
        '                      cost_false_positive=1, sensitive_features=group)\n'
        'cost_ratio = costs.loc["Black", "cost_per_row"] / costs.loc["White", "cost_per_row"]'
    ),
)

w5 = (
    'Flagging the highest scores, fewer than a third of flagged families go on to have a '
    'child placed, and even at the best realistic flag rate about two in three flags are '
    "false alarms (for one outcome of the What Works for Children's Social Care study, a "
    "presentation quoting the report lists 58 % false positives, and none of its models "
    "reached its researchers' own minimum bar). Most of the"
    ' 8 families visited each week would therefore be false alarms: an unexpected visit, '
    'worry, stigma and possibly a lasting mistrust of services, for families who were not'
    ' going to need care. At the same time the capacity rule still misses most children '
    'who will be placed, because only 8 can be seen. The costs are not shared equally: '
    'per referral, Black families bear about twice the expected cost of White families, '
    'because their referrals score higher and their children are placed more often. The '
    '10-to-1 cost ratio is a value judgement that decides these numbers; it should be set'
    ' openly, with families, practitioners and legal advisers, not by the analyst. I '
    'would not use the scores to trigger visits; at most they could help prioritise '
    'support that families can decline, with a review of who is flagged, by group, and a '
    'plan to stop if the harms outweigh the benefits.'
)

__all__ = ["q1", "q2", "q3", "q4", "w5"]
