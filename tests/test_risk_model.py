"""rmlkit.risk_model: the course's placement model and the tool-versus-workers comparison."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from rmlkit.datasets import make_child_welfare
from rmlkit.risk_model import FEATURES, placement_model, screening_comparison


@pytest.fixture(scope="module")
def data():
    return make_child_welfare(30_000, random_state=11)


@pytest.fixture(scope="module")
def tool(data):
    return placement_model(data, random_state=11)


def test_households_are_never_on_both_sides_of_the_split(data, tool):
    households = data.observed["household_id"].to_numpy()
    assert not set(households[tool.past]) & set(households[tool.new])
    assert (tool.past ^ tool.new).all()
    assert 0.35 < tool.new.mean() < 0.45


def test_the_model_learns_only_from_past_screened_in_referrals(data, tool):
    screened = data.observed["screened_in"].to_numpy()
    assert (tool.trained_on == (tool.past & screened)).all()
    assert tool.features == FEATURES
    assert tool.model.n_features_in_ == len(FEATURES)


def test_the_model_ranks_new_placements_better_than_chance(data, tool):
    rows = tool.new & data.observed["screened_in"].to_numpy()
    auc = roc_auc_score(data.observed.loc[rows, "placed_2y"].astype(int), tool.scores[rows])
    assert 0.6 < auc < 0.9


def test_every_option_acts_on_as_many_referrals_as_the_workers(data, tool):
    result = screening_comparison(data, tool)
    harmed = data.truth["harm"].to_numpy()[tool.new]
    workers = data.observed["screened_in"].to_numpy()[tool.new]
    assert result["harmed found, workers"] == (harmed & workers).sum()
    assert result["tool minus workers"] == (result["harmed found, tool"]
                                            - result["harmed found, workers"])
    for option in ("workers", "tool", "rule"):
        assert result[f"share found, {option}"] == pytest.approx(
            result[f"harmed found, {option}"] / harmed.sum())
    # at the workers' capacity, every option finds more harmed children than chance
    chance = workers.sum() * harmed.mean()
    assert min(result[f"harmed found, {o}"] for o in ("workers", "tool", "rule")) > chance


def test_without_a_tool_the_comparison_trains_one_from_its_seed(data):
    assert screening_comparison(data, random_state=4) == screening_comparison(
        data, placement_model(data, random_state=4))


def test_the_split_is_the_same_for_the_same_seed(data):
    a, b = placement_model(data, random_state=3), placement_model(data, random_state=3)
    assert (a.new == b.new).all() and np.allclose(a.scores, b.scores)


@pytest.mark.parametrize("kwargs, message", [
    (dict(label="harm"), "label must be"),
    (dict(test_share=0.0), "test_share"),
    (dict(features=["no_such_column"]), "features names columns"),
])
def test_bad_settings_are_named(data, kwargs, message):
    with pytest.raises((TypeError, ValueError), match=message):
        placement_model(data, **kwargs)


def test_wrong_data_or_tool_is_named(data, tool):
    with pytest.raises(TypeError, match="data must be"):
        placement_model("referrals.csv")
    with pytest.raises(TypeError, match="tool must be"):
        screening_comparison(data, "model")


def test_the_test_data_is_the_new_referrals_that_were_screened_in(data, tool):
    screened = data.observed["screened_in"].to_numpy()
    assert (tool.test == (tool.new & screened)).all()
    assert not (tool.test & tool.trained_on).any()


def test_flag_top_flags_the_highest_share_of_test_scores(tool):
    flagged = tool.flag_top(0.10)
    assert not (flagged & ~tool.test).any()
    assert flagged.sum() / tool.test.sum() == pytest.approx(0.10, abs=0.002)
    assert tool.scores[flagged].min() >= tool.scores[tool.test & ~flagged].max()
    with pytest.raises(ValueError, match="share"):
        tool.flag_top(1.5)


def test_test_referrals_is_the_test_data_with_score_and_flag(data, tool):
    test = tool.test_referrals(0.20)
    assert len(test) == tool.test.sum()
    assert (test["referral_id"].to_numpy()
            == data.observed.loc[tool.test, "referral_id"].to_numpy()).all()
    assert np.allclose(test["score"], tool.scores[tool.test])
    assert (test["flagged"].to_numpy() == tool.flag_top(0.20)[tool.test]).all()


def test_it_is_the_model_the_risk_model_lesson_builds_step_by_step(data):
    # Lesson 4's steps: GroupShuffleSplit over all referrals' households, train on the
    # past screened-in referrals with a standardised logistic regression.
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GroupShuffleSplit
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    df = data.observed
    past_idx, new_idx = next(GroupShuffleSplit(1, test_size=0.4, random_state=7)
                             .split(df, groups=df["household_id"]))
    screened = df["screened_in"].to_numpy()
    train, test = past_idx[screened[past_idx]], new_idx[screened[new_idx]]
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
    model.fit(df.iloc[train][FEATURES].astype(float), df.iloc[train]["placed_2y"].astype(int))
    scores = model.predict_proba(df.iloc[test][FEATURES].astype(float))[:, 1]
    tool = placement_model(data, random_state=7)
    assert np.allclose(tool.test_referrals()["score"], scores)
