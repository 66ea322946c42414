"""Answers of the exercise ``sources-of-bias`` (see :mod:`rmlkit.exercises._answers`)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from rmlkit.check import Answer, KnownMistake, same_values

RATIOS = ["flag ratio", "harm ratio"]


def _probe() -> pd.DataFrame:
    """Black: 2 of 4 flagged, 1 of 4 harmed, 3 of 4 placed; White: 2 of 8, 4 of 8, 1 of 8
    (so that a ratio upside down, or placement for harm, gives other numbers)."""
    return pd.DataFrame({
        "group": ["Black"] * 4 + ["White"] * 8 + ["Asian"] * 2,
        "flagged": [1, 1, 0, 0] + [1, 1, 0, 0, 0, 0, 0, 0] + [1, 1],
        "placed": [1, 1, 1, 0] + [1, 0, 0, 0, 0, 0, 0, 0] + [1, 1],
        "harm": [0, 0, 0, 1] + [0, 0, 1, 1, 1, 1, 0, 0] + [1, 1],
    }).astype({"flagged": bool, "placed": bool, "harm": bool})


def _share(frame, group, column):
    return frame.loc[frame["group"].astype(str) == group, column].astype(float).mean()


def ratios(frame, flag="flagged", harm="harm", top="Black", bottom="White") -> pd.Series:
    return pd.Series({
        "flag ratio": _share(frame, top, flag) / _share(frame, bottom, flag),
        "harm ratio": _share(frame, top, harm) / _share(frame, bottom, harm),
    })


def _disparities_right(answer, frame) -> bool:
    return all(same_values(answer(f.copy()), ratios(f)) for f in (_probe(), frame))


def effects(scenarios, run) -> pd.DataFrame:
    return pd.DataFrame({sc: ratios(run(sc)) for sc in scenarios}).T


def _top(scores, label):
    s = scores[label]
    return s.index[s.to_numpy() >= np.quantile(s.to_numpy(), 0.97)]


def _is_black(patients, index):
    return (patients.loc[index, "race"].astype(str) == "Black").to_numpy()


def black_share_top3(labels, scores, patients) -> pd.Series:
    return pd.Series({label: _is_black(patients, _top(scores, label)).mean()
                      for label in labels})


q1 = Answer(
    is_right=_disparities_right,
    mistakes=[
        KnownMistake(
            "disparities gives its ratios upside down: the White share divided by the "
            "Black share. Put the share of Black children on top.",
            matches=lambda answer: same_values(answer(_probe()),
                                               ratios(_probe(), top="White", bottom="Black"))),
        KnownMistake(
            "disparities measures harm with `placed`, the recorded label. The harm ratio "
            "is about the truth: use the `harm` column. (Whether the label and the truth "
            "differ by group is what this exercise is about.)",
            matches=lambda answer: same_values(answer(_probe()),
                                               ratios(_probe(), harm="placed"))),
    ],
    solution=(
        'def disparities(frame):\n'
        '    shares = frame.groupby("group")[["flagged", "harm"]].mean()\n'
        '    ratio = shares.loc["Black"] / shares.loc["White"]\n'
        '    return pd.Series({"flag ratio": ratio["flagged"], "harm ratio": ratio["harm"]})'
    ),
)

q2 = Answer(
    expected=effects,
    mistakes=[
        KnownMistake(
            "Every row of effects holds the same numbers: each scenario needs its own "
            "world. Call `run(sc)` for each scenario `sc` and apply disparities to it.",
            matches=lambda answer: len(answer) > 1 and bool(np.allclose(
                answer.to_numpy(dtype=float), answer.to_numpy(dtype=float)[0]))),
        KnownMistake(
            "effects follows from your disparities function, which is not right yet: fix "
            "Task 1 first (run its check), then build this table again.",
            matches=lambda answer, scenarios, run, disparities: same_values(
                answer, pd.DataFrame({sc: disparities(run(sc)) for sc in scenarios}).T)),
    ],
    solution=(
        'effects = pd.DataFrame({sc: disparities(run(sc)) for sc in scenarios}).T'
    ),
)

q3 = Answer(
    expected=black_share_top3,
    atol=0.003,  # the hidden test's tolerance: ties at the 97th percentile
    mistakes=[
        KnownMistake(
            "black_share_top3 looks like the share of Black patients who are in the top "
            "3 %. The task asks the other way round: among the patients in the top 3 %, "
            "the share who are Black. Divide by the number of patients in the top 3 %.",
            wrong_value=lambda labels, scores, patients: pd.Series({
                label: (_is_black(patients, scores[label].index)
                        & scores[label].index.isin(_top(scores, label))).sum()
                / _is_black(patients, scores[label].index).sum() for label in labels})),
        KnownMistake(
            "black_share_top3 looks like the share of Black patients among *all* "
            "held-out patients. Keep only the top 3 % of each label's scores.",
            wrong_value=lambda labels, scores, patients: pd.Series({
                label: _is_black(patients, scores[label].index).mean() for label in labels})),
    ],
    solution=(
        'black_share_top3 = {}\n'
        'for label in labels:\n'
        '    s = scores[label]\n'
        '    top = s.index[s >= s.quantile(0.97)]\n'
        '    black_share_top3[label] = (patients.loc[top, "race"] == "Black").mean()\n'
        'black_share_top3 = pd.Series(black_share_top3)'
    ),
)

w4 = (
    'Even with no bias mechanism, Black children are flagged about 1.3 times as often as '
    'White children, more than their difference in true harm (about 1.2): flagging only '
    'the top 10 % of scores turns a modest difference in need, which in this world comes '
    'with deprivation, into a larger difference in flags. Switched on alone, each '
    'mechanism moves the flag ratio, here between about 1.2 and 1.55. In this table '
    'poverty bias and reporting bias raise it most, reporting bias while the harm ratio '
    'falls, so there the model follows the records rather than the harm. But the table '
    'comes from one split of one simulated county, and differences of a few tenths '
    'between rows can be chance, so I would not rank the mechanisms from it: another '
    'split could order them differently. An agency sees only the flags and its records, '
    'never the harm column, so it cannot tell from its data whether a disparity in flags '
    'reflects need or the way the records were made; that has to be argued with other '
    'evidence. The health example shows the same problem in the label: predicting cost '
    'instead of illness put far fewer Black patients in the top 3 %, with the same '
    "features and the same model. In children's social care, choosing placement or "
    "substantiation as the label is the same kind of choice: it measures the system's "
    "past responses as well as children's needs."
)

__all__ = ["q1", "q2", "q3", "w4"]
