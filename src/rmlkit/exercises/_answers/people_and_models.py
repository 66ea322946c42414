"""Answers of the exercise ``people-and-models`` (see :mod:`rmlkit.exercises._answers`)."""

from __future__ import annotations

import functools

from rmlkit.check import Answer, KnownMistake, same_values
from rmlkit.feedback import simulate_feedback_loop


def _black(years, first_year=2, group="Black", only_year=None):
    rows = years[(years["group"].astype(str) == group) & (years["year"] >= first_year)]
    return rows if only_year is None else rows[rows["year"] == only_year]


def disparity(years, first_year=2, scale=100, minus=1, group="Black", only_year=None):
    rows = _black(years, first_year, group, only_year)
    return scale * (rows.groupby("policy")["selection_rate_ratio_to_reference"].mean() - minus)


def _other_group(answer, years, function) -> bool:
    """True if ``answer`` is ``function`` computed for a group other than Black."""
    groups = set(years["group"].astype(str)) - {"Black", "all"}
    return any(same_values(answer, function(group)) for group in sorted(groups))


@functools.lru_cache(maxsize=4)
def _support_run(n_households, n_years, random_state, deference):
    return simulate_feedback_loop(n_households, n_years, policy="support",
                                  deference=deference, random_state=random_state)


def high_deference_disparity(n_households, n_years, random_state, deference=0.9,
                             first_year=2):
    run = _support_run(n_households, n_years, random_state, deference)
    return 100 * (_black(run, first_year)["selection_rate_ratio_to_reference"].mean() - 1)


def extra_history(years, column="mean_prior_screened_in_ratio_to_reference", run="model",
                  baseline="workers", group="Black"):
    by_year = _black(years, first_year=1, group=group).pivot(index="year", columns="policy",
                                                             values=column)
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
        KnownMistake(
            "disparity looks computed for the last year only. The task averages the "
            "ratio over all the years in which a model was in use, years 2 to 6.",
            wrong_value=lambda years: disparity(years, only_year=int(years["year"].max()))),
        KnownMistake(
            "disparity looks computed for another group than children from Black "
            "families. Keep the rows where `group` is \"Black\": the ratio compares them "
            "with White children.",
            matches=lambda answer, years: _other_group(
                answer, years, lambda group: disparity(years, group=group))),
        KnownMistake(
            "disparity looks upside down: White children's screen-in rate over Black "
            "children's. `selection_rate_ratio_to_reference` already has Black children's "
            "rate on top: take its mean, minus 1, times 100.",
            wrong_value=lambda years: 100 * (1 / (disparity(years, minus=0) / 100) - 1)),
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
        KnownMistake(
            "high_deference_disparity looks averaged over every year, including year 1, "
            "when no model is in use yet. Keep years 2 to 6, as in Task 1.",
            wrong_value=lambda n_households, n_years, random_state: high_deference_disparity(
                n_households, n_years, random_state, first_year=1)),
        KnownMistake(
            "high_deference_disparity looks like a run with `deference=0.1`. `deference` "
            "is the share of disagreements in which the worker follows the model: nine "
            "times out of ten is `deference=0.9`.",
            wrong_value=lambda n_households, n_years, random_state: high_deference_disparity(
                n_households, n_years, random_state, deference=0.1)),
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
        KnownMistake(
            "extra_history looks computed for another group than children from Black "
            "families. Keep the rows where `group` is \"Black\".",
            matches=lambda answer, years: _other_group(
                answer, years, lambda group: extra_history(years, group=group))),
    ],
    solution=(
        'black = years[years["group"] == "Black"]\n'
        'by_year = black.pivot(index="year", columns="policy", '
        'values="mean_prior_screened_in_ratio_to_reference")\n'
        'extra_history = by_year["model"] - by_year["workers"]'
    ),
)

w4 = (
    'In this simulated run, while workers decide, referrals about children from Black '
    "families are screened in about 4 % more often than White children's; when the model "
    'decides alone, about 8 % more often, because the model reads recorded history (prior'
    ' referrals and screen-ins) that surveillance and past practice have inflated. With '
    'decision support the disparity lies in between, about 7 %, the direction Cheng and '
    'colleagues found in Allegheny County. But the protection depends on workers actually'
    ' disagreeing: when they follow the model nine times out of ten, the disparity is as '
    "high as the model's own or higher. These figures come from one run of one simulated "
    'county, and other seeds order the policies differently, so they show how the '
    'mechanism can work rather than measure it. Automation bias is relying on an '
    'automated score against one\'s own judgement: a score looks objective, following it '
    "feels safe and overriding it takes time and has to be justified. 'The model only "
    "advises' is therefore no safeguard by itself. The decisions also feed the records: "
    "each screen-in adds to a family's history, which next year's model reads, and only "
    'screened-in referrals get a label to learn from. In this run the gap in recorded '
    "history is inherited and widened by the workers' own decisions; the model's extra "
    'history stays within a few hundredths and changes sign, so it carries the gap on '
    'rather than widening it, and a model trained on those records keeps it going whoever'
    ' decides. I would measure override rates and disparities by group every year, train'
    ' and support workers to question scores, record reasons for following and for '
    'overriding, and agree in advance when the tool would be paused.'
)

__all__ = ["q1", "q2", "q3", "w4"]
