"""Answers of the exercise ``first-audit`` (see :mod:`rmlkit.exercises._answers`)."""

from __future__ import annotations

from rmlkit.check import Answer, KnownMistake, same_values
from rmlkit.exercises._answers import mean_by


def _columns(test):
    group = test["race_ethnicity"].astype(str).to_numpy()
    placed = test["placed_2y"].to_numpy(dtype=int) == 1
    flagged = test["flagged"].to_numpy(dtype=int) == 1
    return group, placed, flagged


def _on_columns(rule):
    """``rule(group, placed, flagged)`` as a function of the test table, for a mistake."""
    return lambda test: rule(*_columns(test))


def fpr_by_group(test):
    group, placed, flagged = _columns(test)
    return mean_by(flagged, group, keep=~placed)


def fpr_ratio(test):
    rates = fpr_by_group(test)
    return rates["Black"] / rates["White"]


q1 = Answer(
    expected=fpr_by_group,
    atol=1e-12,
    mistakes=[
        KnownMistake(
            "fpr_by_group looks like the share flagged among *all* the children of each "
            "group (the selection rate). The false positive rate looks only at the "
            "children who were not placed: among them, the share flagged.",
            wrong_value=_on_columns(lambda group, placed, flagged: mean_by(flagged, group))),
        KnownMistake(
            "fpr_by_group looks like the share not placed among the *flagged* children "
            "(1 - precision, the false discovery rate). The false positive rate divides "
            "by the children who were not placed, not by those flagged.",
            wrong_value=_on_columns(lambda group, placed, flagged:
                                     mean_by(~placed, group, keep=flagged))),
        KnownMistake(
            "fpr_by_group divides the false positives (flagged, not placed) by *every* "
            "child of the group. The false positive rate divides them by the children "
            "who were not placed only.",
            wrong_value=_on_columns(lambda group, placed, flagged:
                                     mean_by(flagged & ~placed, group))),
        KnownMistake(
            "fpr_by_group looks like the share flagged among the children who *were* "
            "placed: that is the true positive rate. The false positive rate looks at "
            "the children who were not placed (`placed_2y == 0`).",
            wrong_value=_on_columns(lambda group, placed, flagged:
                                     mean_by(flagged, group, keep=placed))),
        KnownMistake(
            "fpr_by_group looks like the share *not* flagged among the children who were "
            "not placed (1 - the false positive rate). Take the share who *were* flagged.",
            wrong_value=_on_columns(lambda group, placed, flagged:
                                     mean_by(~flagged, group, keep=~placed))),
        KnownMistake(
            "fpr_by_group looks like the share not flagged among the children who were "
            "placed: the false negative rate, the children the model missed. The false "
            "positive rate looks at the children who were *not* placed: among them, the "
            "share flagged.",
            wrong_value=_on_columns(lambda group, placed, flagged:
                                     mean_by(~flagged, group, keep=placed))),
        KnownMistake(
            "fpr_by_group looks like the share placed among the children who were *not* "
            "flagged. Did you swap `y_true` and `y_pred`? `y_true` is what happened "
            "(`placed_2y`), `y_pred` the model's decision (`flagged`).",
            wrong_value=_on_columns(lambda group, placed, flagged:
                                     mean_by(placed, group, keep=~flagged))),
    ],
    solution=(
        'frame = MetricFrame(\n'
        '    metrics=false_positive_rate,\n'
        '    y_true=test["placed_2y"],\n'
        '    y_pred=test["flagged"],\n'
        '    sensitive_features=test["race_ethnicity"],\n'
        ')\n'
        'fpr_by_group = frame.by_group'
    ),
)

q2 = Answer(
    expected=fpr_ratio,
    mistakes=[
        KnownMistake(
            "fpr_ratio divides by the average rate of all groups. The task compares two "
            "groups: the rate of Black children over the rate of White children.",
            matches=lambda answer, fpr_by_group: same_values(
                answer, fpr_by_group["Black"] / fpr_by_group.mean())),
        KnownMistake(
            "fpr_ratio divides by the false positive rate of all the children together. "
            "The task compares two groups: the rate of Black children over the rate of "
            "White children, the reference group.",
            wrong_value=lambda test: fpr_by_group(test)["Black"] / _on_columns(
                lambda group, placed, flagged: flagged[~placed].mean())(test)),
        KnownMistake(
            "fpr_ratio divides by the rate of Hispanic children. The task takes White "
            "children as the reference group: the rate of Black children over the rate "
            "of White children.",
            wrong_value=lambda test: fpr_by_group(test)["Black"] / fpr_by_group(test)["Hispanic"]),
        KnownMistake(
            "fpr_ratio looks like a difference (Black minus White). The task asks how many "
            "times higher: divide the rate of Black children by the rate of White children.",
            wrong_value=lambda test: fpr_by_group(test)["Black"] - fpr_by_group(test)["White"]),
        KnownMistake(
            "fpr_ratio looks like the highest rate divided by the lowest, which the task "
            "warns against: in small groups such rates are often chance. Divide the rate "
            "of Black children by the rate of White children.",
            matches=lambda answer, fpr_by_group: same_values(
                answer, fpr_by_group[fpr_by_group > 0].max()
                / fpr_by_group[fpr_by_group > 0].min())),
        KnownMistake(
            "fpr_ratio follows from your fpr_by_group, whose values are not right yet: "
            "fix Task 1 first (run its check), then this ratio.",
            matches=lambda answer, fpr_by_group: same_values(
                answer, fpr_by_group["Black"] / fpr_by_group["White"])),
    ],
    solution=(
        'fpr_ratio = fpr_by_group["Black"] / fpr_by_group["White"]'
    ),
)

w3 = (
    'Flagging 20 % instead of 10 % lowers the threshold, so more children are flagged in '
    'every group: false positive rates rise and false negative rates fall. Fewer children'
    ' who go on to need care would be missed, but many more families would be '
    'investigated without need. The extra false positives are likely to fall most on the '
    'groups whose rates were already highest: in this synthetic data, children from '
    'Hispanic families, whose rate at 10 % was about twice that of White or Black '
    'children. For a family, a false positive can mean an intrusive investigation, '
    'stress, stigma and lasting '
    'mistrust of services. Before supporting the change I would want to know whether '
    'investigators have the capacity to act on twice as many flags, what happens to '
    'flagged families, the error rates by group at the new threshold with their '
    'uncertainty, and what families and practitioners think.'
)

__all__ = ["q1", "q2", "w3"]
