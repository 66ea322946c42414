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
