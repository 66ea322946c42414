"""The feedback-loop simulation: reproducible, checked inputs, and loops that behave."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from rmlkit.feedback import simulate_feedback_loop

N = 100_000  # households: about 1,000 referrals a year for children from Black families


def _black(frame: pd.DataFrame, column: str) -> pd.Series:
    return frame[frame["group"] == "Black"].set_index("year")[column]


@pytest.fixture(scope="module")
def runs():
    """Same seed, so every run shares the same families, needs and referrals."""
    settings = {
        "workers": dict(policy="workers"),
        "model": dict(policy="model"),
        "no_bias_workers": dict(policy="workers", scenario="no_bias"),
        "no_bias_model": dict(policy="model", scenario="no_bias"),
        "surveillance_model": dict(policy="model", scenario="only_surveillance_bias"),
    }
    return {name: simulate_feedback_loop(N, 5, random_state=7, **kw)
            for name, kw in settings.items()}


def test_same_seed_same_years_and_another_seed_differs():
    a = simulate_feedback_loop(5_000, 3, random_state=1)
    b = simulate_feedback_loop(5_000, 3, random_state=1)
    c = simulate_feedback_loop(5_000, 3, random_state=2)
    pd.testing.assert_frame_equal(a, b)
    assert not a["selection_rate"].equals(c["selection_rate"])


def test_tidy_shape_and_first_year_decided_by_workers(runs):
    frame = runs["model"]
    assert sorted(frame["year"].unique()) == [1, 2, 3, 4, 5]
    assert {"all", "White", "Black"} <= set(frame["group"])
    first = frame[frame["year"] == 1]
    assert (first["decided_by"] == "workers").all()
    assert first["roc_auc_vs_truth"].isna().all()
    later = frame[(frame["year"] > 1) & (frame["group"] == "all")]
    assert (later["decided_by"] == "model").all()
    assert later["roc_auc_vs_truth"].between(0.5, 1).all()
    white = frame[frame["group"] == "White"]
    assert np.allclose(white["selection_rate_ratio_to_reference"], 1.0)


def test_year_one_is_the_same_whoever_decides_later(runs):
    cols = ["n", "base_rate_vs_truth", "selection_rate"]
    first = [runs[name].loc[runs[name]["year"] == 1, cols].to_numpy()
             for name in ("workers", "model")]
    np.testing.assert_array_equal(*first)
    # referrals do not depend on decisions, the decisions do
    np.testing.assert_array_equal(runs["workers"]["n"], runs["model"]["n"])
    assert not np.allclose(runs["workers"]["selection_rate"], runs["model"]["selection_rate"])


def test_flag_rate_sets_the_share_screened_in():
    frame = simulate_feedback_loop(20_000, 3, policy="model", flag_rate=0.2, random_state=3)
    later = frame[(frame["group"] == "all") & (frame["year"] > 1)]
    assert np.allclose(later["selection_rate"], 0.2, atol=0.01)


def test_deference_runs_from_workers_to_model():
    kw = dict(n_households=10_000, n_years=3, random_state=4)
    columns = ["selection_rate", "false_positive_rate_vs_truth", "precision"]
    model = simulate_feedback_loop(policy="model", **kw)[columns]
    workers = simulate_feedback_loop(policy="workers", **kw)[columns]
    always = simulate_feedback_loop(policy="support", deference=1.0, **kw)[columns]
    never = simulate_feedback_loop(policy="support", deference=0.0, **kw)[columns]
    pd.testing.assert_frame_equal(always, model)
    pd.testing.assert_frame_equal(never, workers)


SEEDS = range(10)


@pytest.fixture(scope="module")
def seeds():
    """Ten seeds of the runs the tests compare: one run's year-to-year wobble is as large
    as the effects (about 1,000 referrals a year for children from Black families)."""
    settings = {
        "workers": dict(policy="workers"),
        "model": dict(policy="model"),
        "no_bias_workers": dict(policy="workers", scenario="no_bias"),
        "no_bias_model": dict(policy="model", scenario="no_bias"),
        "strong_surveillance_model": dict(policy="model", scenario="no_bias",
                                          surveillance_bias=3),
    }
    return {name: [simulate_feedback_loop(N, 5, random_state=seed, **kw) for seed in SEEDS]
            for name, kw in settings.items()}


def _mean_black(runs, column):
    """The Black group's value of ``column`` by year, averaged over the seeds."""
    return pd.concat([_black(frame, column) for frame in runs], axis=1).mean(axis=1)


def test_without_bias_workers_keep_the_screen_in_gap_steady(seeds):
    ratio = _mean_black(seeds["no_bias_workers"], "selection_rate_ratio_to_reference")
    assert ratio.between(0.95, 1.05).all(), ratio


def test_the_model_screens_in_more_children_from_black_families_than_workers(seeds):
    # The direction Cheng et al. (2022) found: the tool alone, more than the workers.
    model = _mean_black(seeds["model"], "selection_rate_ratio_to_reference").loc[2:]
    workers = _mean_black(seeds["workers"], "selection_rate_ratio_to_reference").loc[2:]
    assert (model > workers).all() and (model - workers).mean() > 0.03, (model, workers)


def test_decisions_feed_a_growing_gap_in_recorded_history(seeds):
    column = "mean_prior_screened_in_ratio_to_reference"
    for name in ("workers", "model", "no_bias_workers", "no_bias_model"):
        gap = _mean_black(seeds[name], column)
        assert gap.iloc[-1] > gap.iloc[0] + 0.05, (name, gap)
    # Without bias the workers' decisions follow need, and the model's add to the gap;
    # with the scenario's biases the workers' own decisions already widen it about as
    # much as the model's (lesson 10 shows both).
    extra = (_mean_black(seeds["no_bias_model"], column)
             - _mean_black(seeds["no_bias_workers"], column))
    assert extra.iloc[0] == 0 and extra.iloc[-1] > 0.02, extra


def test_surveillance_bias_widens_the_gap_in_prior_records(seeds):
    def referral_gap(runs):
        return pd.concat([_black(f, "mean_prior_referrals")
                          / f[f["group"] == "White"].set_index("year")["mean_prior_referrals"]
                          for f in runs], axis=1).mean(axis=1)

    with_bias = referral_gap(seeds["strong_surveillance_model"])
    without = referral_gap(seeds["no_bias_model"])
    assert (with_bias > without).all(), (with_bias, without)
    assert with_bias.iloc[-1] > with_bias.iloc[0], with_bias


def test_selective_labels_the_observed_auc_is_not_the_true_auc(runs):
    everyone = runs["model"][runs["model"]["group"] == "all"].dropna()
    assert (everyone["roc_auc"] != everyone["roc_auc_vs_truth"]).all()


@pytest.mark.parametrize("kwargs, error, words", [
    (dict(n_households=100), ValueError, "n_households"),
    (dict(n_households=5_000.5), TypeError, "whole number"),
    (dict(n_years=1), ValueError, "n_years"),
    (dict(policy="algorithm"), ValueError, "policy"),
    (dict(flag_rate=0.0), ValueError, "flag_rate"),
    (dict(flag_rate=30), ValueError, "0.4"),
    (dict(deference=1.5), ValueError, "deference"),
    (dict(scenario="uk"), ValueError, "scenario"),
    (dict(surveilance_bias=0), TypeError, "unexpected keyword argument 'surveilance_bias'"),
    (dict(poverty_bias=-1), ValueError, "poverty_bias must be between 0"),
    (dict(screener_accuracy="high"), TypeError, "screener_accuracy must be a number"),
    (dict(random_state="seed"), TypeError, "random_state"),
])
def test_bad_inputs_are_explained(kwargs, error, words):
    kwargs = {"n_households": 5_000, **kwargs}
    with pytest.raises(error, match=words):
        simulate_feedback_loop(**kwargs)
