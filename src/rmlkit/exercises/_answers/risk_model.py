"""Answers of the exercise ``risk-model`` (see :mod:`rmlkit.exercises._answers`)."""

from __future__ import annotations

import numpy as np

from rmlkit.check import Answer, KnownMistake


def _shared_households(answer, households) -> int:
    households = np.asarray(households)
    train, test = (np.asarray(part) for part in answer)
    return len(set(households[train]) & set(households[test]))


def _flagged(test, threshold):
    return test["score"].to_numpy() >= threshold


def _placed(test):
    return test["placed_2y"].to_numpy(dtype=float)


q1 = Answer(
    is_right=lambda answer, households: _shared_households(answer, households) == 0,
    mistakes=[
        KnownMistake(
            "Some households have referrals on both sides of the split. Siblings and "
            "earlier referrals of the same family share a `household_id`: a random split "
            "puts the same family in the training and the test data, which flatters the "
            "model. Split by household.",
            matches=lambda answer, households: _shared_households(answer, households) > 0),
    ],
    solution=(
        'splitter = GroupShuffleSplit(n_splits=1, test_size=0.3, random_state=SEED)\n'
        'train_idx, test_idx = next(splitter.split(X, y, groups=households))'
    ),
)

q2 = Answer(
    expected=lambda test: _placed(test).mean(),
    mistakes=[
        KnownMistake(
            "base_rate looks computed over every referral in `df`, including the "
            "screened-out ones whose outcome is unknown (counted as not placed). The base "
            "rate here is among the test referrals, `test`.",
            wrong_value=lambda df: df["placed_2y"].fillna(False).astype(float).mean()),
        KnownMistake(
            "base_rate looks like the share of test referrals *not* placed. Take the "
            "share who were placed.",
            wrong_value=lambda test: 1 - _placed(test).mean()),
        KnownMistake(
            "base_rate looks computed over all the screened-in referrals, the training "
            "data and the test data together. The task asks for the share among the test "
            "referrals, `test`: the children the model is judged on.",
            wrong_value=lambda df: df.loc[df["screened_in"].to_numpy(dtype=bool),
                                          "placed_2y"].astype(float).mean()),
    ],
    solution=(
        'base_rate = test["placed_2y"].mean()'
    ),
)

q3 = Answer(
    expected=lambda test, threshold: _placed(test)[_flagged(test, threshold)].mean(),
    mistakes=[
        KnownMistake(
            "precision_at_10 looks like the share flagged among the children who were "
            "placed: that is recall (the true positive rate). Precision divides by the "
            "number flagged: among the flagged referrals, the share placed.",
            wrong_value=lambda test, threshold: _flagged(test, threshold)[
                _placed(test) == 1].mean()),
        KnownMistake(
            "precision_at_10 is the base rate of all test referrals. Precision looks "
            "only at the flagged referrals (score at or above `threshold`).",
            wrong_value=lambda test: _placed(test).mean()),
        KnownMistake(
            "precision_at_10 looks like the average *score* of the flagged referrals "
            "(Task 4). Precision is the share of them who were placed.",
            wrong_value=lambda test, threshold: test["score"].to_numpy()[
                _flagged(test, threshold)].mean()),
        KnownMistake(
            "precision_at_10 looks like the share *not* placed among the flagged referrals "
            "(1 - precision, the false alarms). Precision is the share of the flagged "
            "referrals that led to a placement.",
            wrong_value=lambda test, threshold: 1 - _placed(test)[
                _flagged(test, threshold)].mean()),
        KnownMistake(
            "precision_at_10 leaves out the referrals whose score is exactly `threshold`. "
            "The agency flags the scores *at or above* it: use `>=`, not `>`.",
            wrong_value=lambda test, threshold: _placed(test)[
                test["score"].to_numpy() > threshold].mean()),
        KnownMistake(
            "precision_at_10 looks like the precision of flagging every score of 0.5 or "
            "more. The agency's capacity, one referral in ten, sets the cut-off: flag the "
            "scores at or above `threshold`.",
            wrong_value=lambda test: _placed(test)[test["score"].to_numpy() >= 0.5].mean()),
    ],
    solution=(
        'flagged = test["score"] >= threshold\n'
        'precision_at_10 = test.loc[flagged, "placed_2y"].mean()'
    ),
)

q4 = Answer(
    expected=lambda test, threshold: test["score"].to_numpy()[_flagged(test, threshold)].mean(),
    mistakes=[
        KnownMistake(
            "mean_score_flagged looks like the average score of *all* test referrals. "
            "Keep only the flagged ones (score at or above `threshold`).",
            wrong_value=lambda test: test["score"].mean()),
        KnownMistake(
            "mean_score_flagged looks like the share placed among the flagged referrals "
            "(precision, Task 3). This task asks for their average *score*, what the "
            "model predicted for them.",
            wrong_value=lambda test, threshold: _placed(test)[_flagged(test, threshold)].mean()),
        KnownMistake(
            "mean_score_flagged looks like the average score of the children who were "
            "placed. Average over the flagged referrals instead.",
            wrong_value=lambda test: test["score"].to_numpy()[_placed(test) == 1].mean()),
        KnownMistake(
            "mean_score_flagged is the threshold itself, the lowest score that is flagged. "
            "The task asks for the average score of all the flagged referrals.",
            wrong_value=lambda threshold: float(threshold)),
    ],
    solution=(
        'flagged = test["score"] >= threshold\n'
        'mean_score_flagged = test.loc[flagged, "score"].mean()'
    ),
)

w5 = (
    'The AUC says how well the model ranks children: the chance that a child who was '
    'placed gets a higher score than one who was not. It is the same whatever the '
    'threshold, so it says nothing about the decisions an agency makes with the score. '
    'With a low base rate, even a model with a respectable AUC flags mostly children who '
    'will not be placed: precision at the 10 % capacity is far below 1, so most flagged '
    'families would face extra attention they do not need. The AUC also hides whether the'
    ' scores mean what they say (calibration: here the mean score of flagged children can'
    ' be compared with the share of them placed), how errors fall on different groups of '
    'children, and that the label is placement, a proxy shaped by past decisions, known '
    'only for screened-in referrals. Finally, an AUC measured on a random split flatters '
    'a flexible model, because siblings and earlier referrals of the same family land on '
    'both sides; a split by household estimates how the model will do for new families. I'
    " would report the AUC with precision and recall at the agency's capacity, "
    'calibration, and error rates by group.'
)

__all__ = ["q1", "q2", "q3", "q4", "w5"]
