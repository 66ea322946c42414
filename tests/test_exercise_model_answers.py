"""The model answers and rubrics of the exercises say what the data gives.

A self-learner compares their written answer with the model answer (``w.reveal``), and
a grader follows the rubric: both quote the direction and rough size of the exercise's
results. These tests recompute those results from the same data as the exercise, so that
a change of the simulation that reverses a claim fails here instead of misleading a
learner.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from rmlkit.datasets import load_child_welfare

MAIN = ["White", "Hispanic", "Black"]
CONTACTS = ["benefits", "housing_support", "police_contact", "health_contact"]


@pytest.fixture(scope="module")
def us():
    return load_child_welfare("us")


def test_social_data_substantiation_understates_harm_alike_in_every_group(us):
    # social-data: "understates true harm in every group ... about a third below the
    # share truly harmed ... the gaps differ by only a point or two"; Task 3: more
    # contact without harm for children from Hispanic and Black families than White.
    df, truth = us.observed, us.truth
    group = df["race_ethnicity"].astype(str)
    screened = df["screened_in"].to_numpy(dtype=bool)
    harm = truth["harm"].to_numpy(dtype=bool)
    substantiated = df["substantiated"].fillna(False).astype(bool).to_numpy()
    harm_rate = pd.Series(harm[screened]).groupby(group[screened].to_numpy()).mean()[MAIN]
    subst_rate = pd.Series(substantiated[screened]).groupby(
        group[screened].to_numpy()).mean()[MAIN]
    gap = subst_rate - harm_rate
    assert (gap < -0.07).all() and (gap > -0.12).all(), gap
    assert gap.max() - gap.min() < 0.03, gap
    assert ((1 - subst_rate / harm_rate).between(0.25, 0.40)).all(), subst_rate / harm_rate
    contacts = df[CONTACTS].astype(int).sum(axis=1).to_numpy()
    without_harm = pd.Series(contacts[~harm]).groupby(group.to_numpy()[~harm]).mean()[MAIN]
    assert without_harm["Hispanic"] > without_harm["Black"] > without_harm["White"]
    assert np.round(without_harm.to_numpy(), 1).tolist() == [1.9, 2.1, 2.0], without_harm


def test_first_audit_hispanic_children_have_the_highest_false_positive_rate(us):
    # first-audit, model answer and rubric of Task 3: of the three largest groups,
    # children from Hispanic families have the highest false positive rate at 10 %,
    # about twice that of White or Black children, and it rises most in points at 20 %.
    from rmlkit.risk_model import placement_model

    tool = placement_model(us, random_state=2024)
    rates = {}
    for share in (0.10, 0.20):
        test = tool.test_referrals(share=share)
        not_placed = test[test["placed_2y"].astype(int) == 0]
        by_group = not_placed.groupby("race_ethnicity", observed=True)["flagged"].mean()
        rates[share] = by_group.rename(index=str)[MAIN]
    at_10, rise = rates[0.10], rates[0.20] - rates[0.10]
    assert round(at_10["Hispanic"], 2) == 0.12, at_10
    assert 1.7 < at_10["Hispanic"] / at_10["White"] < 2.3, at_10
    assert 1.7 < at_10["Hispanic"] / at_10["Black"] < 2.3, at_10
    assert rise.idxmax() == "Hispanic", rise


def test_people_and_models_one_run_orders_the_policies_and_barely_moves_history():
    # people-and-models, model answer and rubric: in this run the screen-in disparity is
    # about 4 % (workers), 7 % (support) and 8 % (model), at least as high as the model's
    # with deference 0.9; the model's extra recorded history stays within about 0.05 of
    # zero and changes sign, against a gap of 1.1 to 1.3 in the workers' run.
    from rmlkit.feedback import simulate_feedback_loop

    def black(run):
        return run[run["group"].astype(str) == "Black"].set_index("year")

    runs = {policy: black(simulate_feedback_loop(60_000, 6, policy=policy, random_state=2024))
            for policy in ("workers", "model", "support")}
    runs["deferent"] = black(simulate_feedback_loop(60_000, 6, policy="support",
                                                    deference=0.9, random_state=2024))
    disparity = {policy: 100 * (run.loc[2:, "selection_rate_ratio_to_reference"].mean() - 1)
                 for policy, run in runs.items()}
    assert [round(disparity[p]) for p in ("workers", "support", "model")] == [4, 7, 8], disparity
    assert disparity["deferent"] >= disparity["model"], disparity
    history = "mean_prior_screened_in_ratio_to_reference"
    extra = runs["model"][history] - runs["workers"][history]
    assert extra.abs().max() < 0.06 and extra.min() < 0 < extra.max(), extra
    assert runs["workers"][history].between(1.1, 1.35).all(), runs["workers"][history]
