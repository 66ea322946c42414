"""Answers of the exercise ``mitigation`` (see :mod:`rmlkit.exercises._answers`)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.base import clone

from rmlkit.check import Answer, KnownMistake, same_values
from rmlkit.mitigation import compare_mitigations

EQUALIZED_ODDS = "threshold optimizer (equalized odds)"
DEMOGRAPHIC_PARITY = "threshold optimizer (demographic parity)"
CHECKED = ["none", EQUALIZED_ODDS]  # the rows the hidden tests recompute, as here


def _comparison(X, y, harm, group, train, test, model, capacity, random_state, *,
                truth=None, estimator="course", methods=CHECKED):
    """compare_mitigations as Task 1 asks (``capacity=None``: at each method's own rule)."""
    train, test = np.asarray(train, dtype=bool), np.asarray(test, dtype=bool)
    truth = harm if truth is None else truth
    return compare_mitigations(
        X[train], y[train], X[test], y[test],
        sensitive_train=group[train], sensitive_test=group[test],
        true_outcome_test=truth[test], methods=methods, capacity=capacity,
        estimator=clone(model) if estimator == "course" else estimator,
        random_state=random_state)


def _rows_match(answer, expected) -> bool:
    return same_values(answer.loc[CHECKED, expected.columns], expected)


def _matches_comparison(*, label_as_truth=False, estimator="course"):
    """A check that the answer's rows equal Task 1's comparison made with these options."""
    def check(answer, X, y, harm, group, train, test, model, capacity, random_state):
        truth = y if label_as_truth else None
        return _rows_match(answer, _comparison(X, y, harm, group, train, test, model,
                                               capacity, random_state, truth=truth,
                                               estimator=estimator))
    return check


q1 = Answer(
    is_right=_matches_comparison(),
    mistakes=[
        KnownMistake(
            "comparison judges the models against the recorded label (`y`), not the "
            "truth: its truth columns then measure the proxy again. Pass the truth for "
            "the test rows, `true_outcome_test=harm[test]`.",
            matches=_matches_comparison(label_as_truth=True)),
        KnownMistake(
            "comparison uses compare_mitigations' own default model, not the course's "
            "model of the lesson. Pass `estimator=clone(tool.model)`, so that every "
            "method starts from the same model as the lesson.",
            matches=_matches_comparison(estimator=None)),
    ],
    solution=(
        'comparison = compare_mitigations(\n'
        '    X[train], y[train], X[test], y[test],\n'
        '    sensitive_train=group[train], sensitive_test=group[test],\n'
        '    true_outcome_test=harm[test], estimator=clone(tool.model), methods=methods,\n'
        '    capacity=capacity, random_state=SEED,\n'
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


def _in_need(harm, test):
    return int(np.sum(np.asarray(harm)[np.asarray(test, dtype=bool)] == 1))


q3 = Answer(
    expected=lambda comparison, harm, test: _fall_in_found(comparison) * _in_need(harm, test),
    atol=0.5,  # a number of children
    mistakes=[
        KnownMistake(
            "extra_missed multiplies by every test referral. `true_positive_rate_vs_truth` is "
            "a share of the test children truly in need, so multiply by their number "
            "(`harm[test].sum()`).",
            wrong_value=lambda comparison, test: _fall_in_found(comparison)
            * np.sum(np.asarray(test, dtype=bool))),
        KnownMistake(
            "extra_missed has the wrong sign. A fall in `true_positive_rate_vs_truth` means "
            "more children missed, so extra_missed should be positive when the mitigated model "
            "finds fewer of them.",
            wrong_value=lambda comparison, harm, test: -_fall_in_found(comparison)
            * _in_need(harm, test)),
        KnownMistake(
            "extra_missed compares the models at their own decision rules, where they flag "
            "different numbers of children, so it mostly counts the extra flags. The task "
            "asks for the children missed at the same capacity: use `change`, from "
            "`comparison` (Task 1, with `capacity=capacity`).",
            wrong_value=lambda X, y, harm, group, train, test, model, random_state:
            _fall_in_found(_comparison(X, y, harm, group, train, test, model, None,
                                       random_state)) * _in_need(harm, test)),
    ],
    solution=(
        'extra_missed = -change["true_positive_rate_vs_truth"] * harm[test].sum()'
    ),
)


def _flags(own_rules, test):
    return own_rules["selection_rate"] * np.sum(np.asarray(test, dtype=bool))


q4 = Answer(
    expected=lambda X, y, harm, group, train, test, model, methods, random_state: _flags(
        _comparison(X, y, harm, group, train, test, model, None, random_state,
                    methods=methods), test),
    atol=0.5,  # a number of referrals
    mistakes=[
        KnownMistake(
            "flags gives every method the same number of flags: those are the flags at "
            "equal capacity, from `comparison`. The task asks how many each method flags "
            "at its own decision rule: run compare_mitigations again without `capacity=`.",
            wrong_value=lambda methods, capacity: pd.Series(
                float(capacity), index=list(methods))),
        KnownMistake(
            "flags counts the children truly in need whom each method flags "
            "(`true_positive_rate_vs_truth`), not all the referrals it flags: the share "
            "of the test referrals flagged is the column `selection_rate`.",
            wrong_value=lambda X, y, harm, group, train, test, model, methods, random_state:
            _comparison(X, y, harm, group, train, test, model, None, random_state,
                        methods=methods)["true_positive_rate_vs_truth"] * _in_need(harm, test)),
    ],
    solution=(
        'own_rules = compare_mitigations(\n'
        '    X[train], y[train], X[test], y[test],\n'
        '    sensitive_train=group[train], sensitive_test=group[test],\n'
        '    true_outcome_test=harm[test], estimator=clone(tool.model), methods=methods,\n'
        '    random_state=SEED,\n'
        ')\n'
        'flags = own_rules["selection_rate"] * test.sum()'
    ),
)


def _letter(answer) -> str:
    return answer.strip().upper() if isinstance(answer, str) else ""


q5 = Answer(
    is_right=lambda answer: _letter(answer) == "B",
    mistakes=[
        KnownMistake(
            "why takes the comparison at each method's own decision rule at face value. "
            "There the methods flag different numbers of children (Task 4), and a method "
            "that flags more finds more children in need for that reason alone; at the "
            "same capacity (Task 3) the advantage is gone.",
            matches=lambda answer: _letter(answer) == "A"),
        KnownMistake(
            "why rests on accuracy on the recorded label. Look at the `accuracy` column "
            "of the comparison at the methods' own rules, and at what accuracy is "
            "measured against: the label, not the children in need.",
            matches=lambda answer: _letter(answer) == "C"),
        KnownMistake(
            "why says the models were judged on different referrals, but compare_mitigations "
            "judges every method on the same test rows (`X[test]`). What differs is how "
            "many of them each method flags.",
            matches=lambda answer: _letter(answer) == "D"),
    ],
    solution='why = "B"',
)

w6 = (
    'At their own decision rules the equalized-odds threshold optimizer seems to win: it '
    'misses far fewer children in need. But it flags far more referrals than the '
    'unmitigated model, whose own rule flags few or none, and an agency cannot '
    'investigate more families because a method says so. At the same capacity, the '
    'number of referrals the agency can act on, the picture changes: the gaps in '
    'selection and false positive rates between groups do shrink, so in that narrow '
    'sense the vendor is right, and accuracy on the label barely moves; but the '
    'mitigated model finds no more children in need than the unmitigated one. It misses '
    'a few more, and the children it flags were truly harmed a little less often. So '
    '"misses far fewer children" is an artefact of flagging more, not of the '
    'mitigation. The gaps and the accuracy are measured against substantiation, a '
    'recorded label that depends on who is reported, watched and substantiated; equal '
    'error rates on it are not equal errors against the harm it stands in for. The '
    'method also treats groups differently, with a threshold for each group, which '
    "needs each child's race at the moment of decision and changes what a score means. "
    'A smaller disparity metric is evidence about that metric on that data, not about '
    "the system: before calling it fairer I would want the comparison at the agency's "
    'real capacity and on other splits, what happens to flagged families, who chose the '
    'constraint, and the views of the families and practitioners affected.'
)

__all__ = ["q1", "q2", "q3", "q4", "q5", "w6"]
