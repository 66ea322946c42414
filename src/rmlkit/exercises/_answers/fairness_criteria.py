"""Answers of the exercise ``fairness-criteria`` (see :mod:`rmlkit.exercises._answers`)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from rmlkit.check import Answer, KnownMistake, same_values
from rmlkit.exercises._answers import mean_by
from rmlkit.tradeoffs import impossibility_table


def _columns(people):
    group = people["group"].astype(str).to_numpy()
    outcome = people["outcome"].to_numpy(dtype=int) == 1
    flagged = people["flagged"].to_numpy(dtype=int) == 1
    return group, outcome, flagged


def selection_rate(people):
    group, _, flagged = _columns(people)
    return mean_by(flagged, group)


def error_rates(people):
    group, outcome, flagged = _columns(people)
    return pd.DataFrame({"TPR": mean_by(flagged, group, keep=outcome),
                         "FPR": mean_by(flagged, group, keep=~outcome)})


def precision(people):
    group, outcome, flagged = _columns(people)
    return mean_by(outcome, group, keep=flagged)


def _gaps(selection, errors, precisions):
    errors = pd.DataFrame(errors).rename(index=str)
    return pd.Series({
        "demographic parity": abs(selection["A"] - selection["B"]),
        "equalized odds": (errors.loc["A"] - errors.loc["B"]).abs().max(),
        "predictive parity": abs(precisions["A"] - precisions["B"]),
    })


def gaps(people):
    return _gaps(selection_rate(people), error_rates(people), precision(people))


def base_rates(people):
    group, outcome, _ = _columns(people)
    return mean_by(outcome, group)


def _implied_fpr_from(rates, precision=0.6, false_negative_rate=0.3):
    """The false positive rate each group would have, taking ``rates`` as base rates."""
    table = impossibility_table(rates.to_dict(), precision=precision,
                                false_negative_rate=false_negative_rate)
    return table["false_positive_rate"]


def implied_fpr(people, precision=0.6, false_negative_rate=0.3):
    return _implied_fpr_from(base_rates(people), precision, false_negative_rate)


def _column_is(answer, column, wrong) -> bool:
    return same_values(pd.DataFrame(answer).rename(index=str)[column], wrong)


def _one_rate_gap(answer, people, column, error_rates=None) -> bool:
    errors = pd.DataFrame(globals()["error_rates"](people) if error_rates is None
                          else error_rates).rename(index=str)
    one = abs(errors.loc["A", column] - errors.loc["B", column])
    both = (errors.loc["A"] - errors.loc["B"]).abs().max()
    return (np.isclose(float(answer["equalized odds"]), one, rtol=0, atol=1e-9)
            and not np.isclose(one, both, rtol=0, atol=1e-9))


q1 = Answer(
    expected=selection_rate,
    mistakes=[
        KnownMistake(
            "selection_rate looks like the share with the outcome (the base rate). The "
            "selection rate is the share *flagged*, whatever the outcome.",
            wrong_value=base_rates),
        KnownMistake(
            "selection_rate looks like each group's share of the flagged people. The "
            "selection rate goes the other way: among the people of each group, the share "
            "who were flagged.",
            wrong_value=lambda people: pd.Series(_columns(people)[0][_columns(people)[2]])
            .value_counts(normalize=True).reindex(["A", "B"])),
    ],
    solution=(
        'selection_rate = people.groupby("group")["flagged"].mean()'
    ),
)

q2 = Answer(
    expected=error_rates,
    mistakes=[
        KnownMistake(
            "The FPR column is 1 - precision: the share without the outcome among the "
            "flagged people. The false positive rate looks at the people *without* the "
            "outcome: among them, the share flagged.",
            matches=lambda answer, people: _column_is(answer, "FPR", 1 - precision(people))),
        KnownMistake(
            "The FPR column divides the false positives by everyone in the group. The "
            "false positive rate divides by the people without the outcome only.",
            matches=lambda answer, people: _column_is(
                answer, "FPR", mean_by(_columns(people)[2] & ~_columns(people)[1],
                                       _columns(people)[0]))),
        KnownMistake(
            "The TPR and FPR columns are swapped: the true positive rate looks at the "
            "people with the outcome, the false positive rate at those without it.",
            matches=lambda answer, people: _column_is(answer, "TPR",
                                                      error_rates(people)["FPR"])),
        KnownMistake(
            "The TPR column looks like the precision (the share with the outcome among "
            "the flagged). The true positive rate looks at the people with the outcome: "
            "among them, the share flagged.",
            matches=lambda answer, people: _column_is(answer, "TPR", precision(people))),
        KnownMistake(
            "The FPR column is 1 - TPR: the share *not* flagged among the people with the "
            "outcome, the false negative (miss) rate. The false positive rate looks at the "
            "people *without* the outcome: among them, the share flagged.",
            matches=lambda answer, people: _column_is(answer, "FPR",
                                                      1 - error_rates(people)["TPR"])),
    ],
    solution=(
        'tpr = people[people["outcome"] == 1].groupby("group")["flagged"].mean()\n'
        'fpr = people[people["outcome"] == 0].groupby("group")["flagged"].mean()\n'
        'error_rates = pd.DataFrame({"TPR": tpr, "FPR": fpr})'
    ),
)

q3 = Answer(
    expected=precision,
    mistakes=[
        KnownMistake(
            "precision looks like the share flagged among the people with the outcome: "
            "that is the true positive rate (recall). Precision looks at the flagged "
            "people: among them, the share with the outcome.",
            wrong_value=lambda people: error_rates(people)["TPR"]),
        KnownMistake(
            "precision looks like the share *without* the outcome among the flagged "
            "people (1 - precision). Take the share with the outcome.",
            wrong_value=lambda people: 1 - precision(people)),
        KnownMistake(
            "precision looks like the share with the outcome among *everyone* in each "
            "group, the base rate. Precision looks only at the flagged people.",
            wrong_value=base_rates),
        KnownMistake(
            "precision looks like the share with the outcome among the people who were "
            "*not* flagged. Precision looks at the flagged people (`flagged == 1`).",
            wrong_value=lambda people: mean_by(_columns(people)[1], _columns(people)[0],
                                               keep=~_columns(people)[2])),
    ],
    solution=(
        'precision = people[people["flagged"] == 1].groupby("group")["outcome"].mean()'
    ),
)

q4 = Answer(
    expected=gaps,
    mistakes=[
        KnownMistake(
            "The equalized-odds gap looks at the false positive rates only. Equalized "
            "odds asks for equal TPR *and* equal FPR, so its gap is the larger of the two "
            "differences.",
            matches=lambda answer, people, error_rates=None: _one_rate_gap(
                answer, people, "FPR", error_rates)),
        KnownMistake(
            "The equalized-odds gap looks at the true positive rates only. Equalized "
            "odds asks for equal TPR *and* equal FPR, so its gap is the larger of the two "
            "differences.",
            matches=lambda answer, people, error_rates=None: _one_rate_gap(
                answer, people, "TPR", error_rates)),
        KnownMistake(
            "The equalized-odds gap combines the TPR gap and the FPR gap (an average or a "
            "sum). Equalized odds holds only if both are 0, so its gap is the *larger* of "
            "the two: `.max()`.",
            matches=lambda answer, people: any(np.isclose(
                float(answer["equalized odds"]), combine(
                    (error_rates(people).loc["A"] - error_rates(people).loc["B"]).abs()),
                rtol=0, atol=1e-9) for combine in (np.mean, np.sum))),
        KnownMistake(
            "gaps follow from your answers to Tasks 1 to 3, which are not all right yet: "
            "fix them first (run their checks), then compute the gaps again.",
            matches=lambda answer, selection_rate, error_rates, precision: same_values(
                answer, _gaps(selection_rate, error_rates, precision))),
    ],
    solution=(
        'gaps = pd.Series({\n'
        '    "demographic parity": abs(selection_rate["A"] - selection_rate["B"]),\n'
        '    "equalized odds": (error_rates.loc["A"] - error_rates.loc["B"]).abs().max(),\n'
        '    "predictive parity": abs(precision["A"] - precision["B"]),\n'
        '})'
    ),
)

q5 = Answer(
    expected=implied_fpr,
    mistakes=[
        KnownMistake(
            "implied_fpr uses the selection rates (the share flagged) as base rates. A "
            "group's base rate is the share *with the outcome*.",
            wrong_value=lambda people: _implied_fpr_from(selection_rate(people))),
        KnownMistake(
            "implied_fpr swaps the two constraints: the task fixes the precision at 0.6 "
            "and the false negative (miss) rate at 0.3.",
            wrong_value=lambda people: implied_fpr(people, precision=0.3,
                                                   false_negative_rate=0.6)),
        KnownMistake(
            "implied_fpr looks like the false positive rates the score has now (Task 2). "
            "The task asks what they *would* be if both groups had precision 0.6 and a "
            "false negative rate of 0.3: pass each group's base rate to "
            "`impossibility_table`.",
            wrong_value=lambda people: error_rates(people)["FPR"]),
        KnownMistake(
            "implied_fpr uses the share with the outcome among the *flagged* people (the "
            "precision) as base rates. A group's base rate is the share with the outcome "
            "among everyone in the group.",
            wrong_value=lambda people: _implied_fpr_from(precision(people))),
        KnownMistake(
            "implied_fpr uses 0.7 as the false negative rate. 0.7 would be the true "
            "positive rate; the task fixes the false negative (miss) rate, the share of "
            "people with the outcome who are not flagged, at 0.3.",
            wrong_value=lambda people: implied_fpr(people, false_negative_rate=0.7)),
    ],
    solution=(
        'base_rates = people.groupby("group")["outcome"].mean().to_dict()\n'
        'table = impossibility_table(base_rates, precision=0.6, false_negative_rate=0.3)\n'
        'implied_fpr = table["false_positive_rate"]'
    ),
)

w6 = (
    'The score is calibrated, so predictive parity nearly holds: a flag means about the '
    "same chance of the outcome in both groups. But the groups' base rates differ, so the"
    ' false positive rates cannot also be equal: group B, with the higher base rate, gets'
    ' many more false alarms, and its selection rate is several times higher. The '
    'impossibility table shows that even with equal precision and equal miss rates the '
    'false positive rates must differ. In screening referrals, a false positive is an '
    'investigation of a family that did not need one, which is intrusive and falls on '
    'families already most in contact with services, so I would give most weight to equal'
    ' false positive rates (and equal miss rates, since a missed child is also a serious '
    'harm): equalized odds. The price is that a score no longer means the same in both '
    'groups, so thresholds would differ by group, which needs legal and ethical scrutiny.'
    ' Demographic parity fits less well, because needs may really differ. The choice '
    'should be made openly with families, practitioners and those accountable, and the '
    'base rates themselves questioned, since recorded outcomes may reflect past '
    'surveillance.'
)

__all__ = ["q1", "q2", "q3", "q4", "q5", "w6"]
