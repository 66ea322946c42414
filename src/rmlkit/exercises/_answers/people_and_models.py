"""Answers of the exercise ``people-and-models`` (see :mod:`rmlkit.exercises._answers`)."""

from __future__ import annotations

import functools

from rmlkit.check import Answer, KnownMistake
from rmlkit.feedback import simulate_feedback_loop


def _black(years, first_year=2):
    return years[(years["group"].astype(str) == "Black") & (years["year"] >= first_year)]


def disparity(years, first_year=2, scale=100, minus=1):
    rows = _black(years, first_year)
    return scale * (rows.groupby("policy")["selection_rate_ratio_to_reference"].mean() - minus)


@functools.lru_cache(maxsize=4)
def _support_run(n_households, n_years, random_state, deference):
    return simulate_feedback_loop(n_households, n_years, policy="support",
                                  deference=deference, random_state=random_state)


def high_deference_disparity(n_households, n_years, random_state, deference=0.9):
    run = _support_run(n_households, n_years, random_state, deference)
    return 100 * (_black(run)["selection_rate_ratio_to_reference"].mean() - 1)


def extra_history(years, column="mean_prior_screened_in_ratio_to_reference", run="model",
                  baseline="workers"):
    by_year = _black(years, first_year=1).pivot(index="year", columns="policy", values=column)
    return by_year[run] - by_year[baseline]


q1 = Answer(
    expected=disparity,
    mistakes=[
        KnownMistake(
            "disparity looks averaged over every year, including year 1, when workers "
            "decide in every run and no model is in use yet. Keep the years after the "
            "first (`year > 1`).",
            wrong_value=lambda years: disparity(years, first_year=1)),
        KnownMistake(
            "disparity looks like a proportion, not a percentage: multiply (the ratio "
            "minus 1) by 100.",
            wrong_value=lambda years: disparity(years, scale=1)),
        KnownMistake(
            "disparity looks like 100 times the ratio itself. Subtract 1 first: a ratio "
            "of 1.25 is a disparity of 25 %.",
            wrong_value=lambda years: disparity(years, minus=0)),
    ],
    solution=(
        'later = years[(years["group"] == "Black") & (years["year"] > 1)]\n'
        'disparity = 100 * (later.groupby("policy")["selection_rate_ratio_to_reference"]'
        '.mean() - 1)'
    ),
)

q2 = Answer(
    expected=high_deference_disparity,
    atol=1e-7,
    mistakes=[
        KnownMistake(
            "high_deference_disparity is the disparity when the model decides alone "
            "(`policy=\"model\"`, which ignores `deference`). The task is decision "
            "support, `policy=\"support\"`, with workers following the model 9 times in "
            "10 (`deference=0.9`).",
            wrong_value=lambda years: disparity(years)["model"]),
        KnownMistake(
            "high_deference_disparity is the disparity of the support run with its usual "
            "deference (the one in `years`). Run it again with `deference=0.9`.",
            wrong_value=lambda years: disparity(years)["support"]),
    ],
    solution=(
        'run = simulate_feedback_loop(N_HOUSEHOLDS, N_YEARS, policy="support", deference=0.9,\n'
        '                             random_state=SEED)\n'
        'later = run[(run["group"] == "Black") & (run["year"] > 1)]\n'
        'high_deference_disparity = 100 * (later["selection_rate_ratio_to_reference"].mean() - 1)'
    ),
)

q3 = Answer(
    expected=extra_history,
    mistakes=[
        KnownMistake(
            "extra_history looks like the gap in screen-in *rates* "
            "(`selection_rate_ratio_to_reference`). The task asks about recorded history: "
            "`mean_prior_screened_in_ratio_to_reference`, how many past screen-ins a referral "
            "carries.",
            wrong_value=lambda years: extra_history(
                years, column="selection_rate_ratio_to_reference")),
        KnownMistake(
            "extra_history is the wrong way round: take the \"model\" run minus the "
            "\"workers\" run, so that a positive value means the model makes the gap grow.",
            wrong_value=lambda years: -extra_history(years)),
        KnownMistake(
            "extra_history compares the \"support\" run with the workers. The task asks "
            "what happens when the model decides: the \"model\" run.",
            wrong_value=lambda years: extra_history(years, run="support")),
    ],
    solution=(
        'black = years[years["group"] == "Black"]\n'
        'by_year = black.pivot(index="year", columns="policy", '
        'values="mean_prior_screened_in_ratio_to_reference")\n'
        'extra_history = by_year["model"] - by_year["workers"]'
    ),
)

w4 = (
    'While workers decide, children from Black families are screened in only a little '
    'more often than White children; when the model decides, the ratio is much higher, '
    'because the model reads recorded history (prior referrals and screen-ins) that '
    'surveillance and past practice have inflated. When workers see the score and '
    'override it where they disagree, part of that extra disparity goes, as Cheng and '
    'colleagues found in Allegheny County. But the protection depends on workers actually'
    ' disagreeing: when they follow the model nine times out of ten, the disparity is '
    "close to the model's own. That is automation bias: a score looks objective, "
    "following it feels safe and overriding it takes time and has to be justified. 'The "
    "model only advises' is therefore no safeguard by itself. The decisions also feed the"
    " records: each screen-in adds to a family's history, which the next year's model "
    'reads, so the gap in recorded history grows faster when the model decides. I would '
    'measure override rates and disparities by group every year, train and support '
    'workers to question scores, record reasons for following and for overriding, and '
    'agree in advance when the tool would be paused.'
)

__all__ = ["q1", "q2", "q3", "w4"]
