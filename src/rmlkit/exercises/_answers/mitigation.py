"""Answers of the exercise ``mitigation`` (see :mod:`rmlkit.exercises._answers`)."""

from __future__ import annotations

import numpy as np

from rmlkit.check import Answer, KnownMistake, same_values
from rmlkit.mitigation import compare_mitigations

EQUALIZED_ODDS = "threshold optimizer (equalized odds)"
DEMOGRAPHIC_PARITY = "threshold optimizer (demographic parity)"
CHECKED = ["none", EQUALIZED_ODDS]  # the rows the hidden tests recompute, as here


def _comparison(X, y, harm, group, train, random_state, truth=None):
    train = np.asarray(train, dtype=bool)
    truth = harm if truth is None else truth
    return compare_mitigations(
        X[train], y[train], X[~train], y[~train],
        sensitive_train=group[train], sensitive_test=group[~train],
        true_outcome_test=truth[~train], methods=CHECKED, random_state=random_state)


def _rows_match(answer, expected) -> bool:
    return same_values(answer.loc[CHECKED, expected.columns], expected)


q1 = Answer(
    is_right=lambda answer, X, y, harm, group, train, random_state: _rows_match(
        answer, _comparison(X, y, harm, group, train, random_state)),
    mistakes=[
        KnownMistake(
            "comparison judges the models against the recorded label (`y`), not the "
            "truth: its truth columns then measure the proxy again. Pass the truth for "
            "the test rows, `true_outcome_test=harm[~train]`.",
            matches=lambda answer, X, y, harm, group, train, random_state: _rows_match(
                answer, _comparison(X, y, harm, group, train, random_state, truth=y))),
    ],
    solution=(
        'comparison = compare_mitigations(\n'
        '    X[train], y[train], X[~train], y[~train],\n'
        '    sensitive_train=group[train], sensitive_test=group[~train],\n'
        '    true_outcome_test=harm[~train], methods=methods, random_state=SEED,\n'
        ')'
    ),
)


def _row_minus_none(comparison, method):
    return comparison.loc[method] - comparison.loc["none"]


q2 = Answer(
    expected=lambda comparison: _row_minus_none(comparison, EQUALIZED_ODDS),
    atol=1e-12,
    mistakes=[
        KnownMistake(
            "change takes the threshold optimizer with *demographic parity*. The task "
            "asks about the one with equalized odds.",
            wrong_value=lambda comparison: _row_minus_none(comparison, DEMOGRAPHIC_PARITY)),
        KnownMistake(
            "change takes the row of reweighing. The task asks about the threshold "
            "optimizer with equalized odds.",
            wrong_value=lambda comparison: _row_minus_none(comparison, "reweighing")),
    ],
    solution=(
        'change = comparison.loc["threshold optimizer (equalized odds)"] - comparison.loc["none"]'
    ),
)


def _fall_in_found(comparison):
    rates = comparison["true_positive_rate_vs_truth"]
    return rates["none"] - rates[EQUALIZED_ODDS]


q3 = Answer(
    expected=lambda comparison, harm, train: _fall_in_found(comparison)
    * np.sum(np.asarray(harm)[~np.asarray(train, dtype=bool)] == 1),
    atol=0.5,  # a number of children
    mistakes=[
        KnownMistake(
            "extra_missed multiplies by every test referral. `true_positive_rate_vs_truth` is "
            "a share of the test children truly in need, so multiply by their number "
            "(`harm[~train].sum()`).",
            wrong_value=lambda comparison, train: _fall_in_found(comparison)
            * np.sum(~np.asarray(train, dtype=bool))),
        KnownMistake(
            "extra_missed has the wrong sign. A fall in `true_positive_rate_vs_truth` means "
            "more children missed, so extra_missed should be positive when the mitigated model "
            "finds fewer of them.",
            wrong_value=lambda comparison, harm, train: -_fall_in_found(comparison)
            * np.sum(np.asarray(harm)[~np.asarray(train, dtype=bool)] == 1)),
    ],
    solution=(
        'extra_missed = -change["true_positive_rate_vs_truth"] * harm[~train].sum()'
    ),
)

w4 = (
    'The equalized-odds threshold optimizer did what it was asked: the gaps in false '
    'positive and selection rates between groups shrank, and accuracy on the recorded '
    'label even rose. But those metrics are computed against substantiation, a label that'
    " records investigators' findings and is itself biased by who is reported, watched "
    'and substantiated. Equalising error rates on a biased label does not equalise errors'
    ' against the harm the label stands in for. Against the truth, the mitigated model '
    'flags fewer children who were really in need: many more children in need are missed,'
    ' so the gain in accuracy mostly comes from flagging fewer children. It also treats '
    'groups differently, with a threshold per group, which changes what a score means and'
    " needs each child's race at the moment of decision. A smaller disparity metric is "
    'evidence '
    'about that metric on that data, not about the system: fairness also depends on the '
    'label, on what happens to flagged families, on who chose the constraint and on '
    'whether the tool should be used at all. I would report the trade-off openly, with '
    'the truth-based measures where they can be estimated, and involve the families '
    'affected.'
)

__all__ = ["q1", "q2", "q3", "w4"]
