"""rmlkit.datasets: the first version of the child-welfare generator."""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd
import pytest

from rmlkit.datasets import MECHANISMS, SCENARIOS, calibration_table, make_child_welfare


@pytest.fixture(scope="module")
def data():
    return make_child_welfare(20_000, random_state=7)


def test_size_and_alignment(data):
    assert len(data.observed) == 20_000
    assert len(data.truth) == 20_000
    assert data.params["n_referrals"] == 20_000
    assert "synthetic" in data.DESCR.lower()


def test_same_seed_same_data_and_bytes():
    a = make_child_welfare(3_000, random_state=11)
    b = make_child_welfare(3_000, random_state=11)
    pd.testing.assert_frame_equal(a.observed, b.observed)
    pd.testing.assert_frame_equal(a.truth, b.truth)
    digest = [hashlib.sha256(d.observed.to_csv(index=False).encode()).hexdigest() for d in (a, b)]
    assert digest[0] == digest[1]


def test_different_seeds_differ():
    a = make_child_welfare(3_000, random_state=1).observed
    b = make_child_welfare(3_000, random_state=2).observed
    assert not a.equals(b)


def test_selective_labels(data):
    o = data.observed
    screened_out = ~o["screened_in"]
    assert o.loc[screened_out, "placed_2y"].isna().all()
    assert o.loc[screened_out, "substantiated"].isna().all()
    assert o.loc[~screened_out, "placed_2y"].notna().all()
    # the truth has every child's outcome, and agrees where it was observed
    observed = o.loc[~screened_out, "placed_2y"].astype(bool)
    assert (data.truth.loc[~screened_out, "would_be_placed_2y"] == observed).all()


def test_funnel_is_monotonic(data):
    o = data.observed
    assert (o["investigated"] <= o["screened_in"]).all()
    substantiated = o["substantiated"].fillna(False).astype(bool)
    assert not (substantiated & ~o["investigated"]).any()


def test_siblings_share_household_features(data):
    household = ["race_ethnicity", "deprivation_decile", "area", "n_children", "benefits",
                 "housing_support", "police_contact", "health_contact"]
    per_household = data.observed.groupby("household_id", observed=True)[household].nunique()
    assert (per_household == 1).all().all()
    # children of one referral share its screening decision and reporter
    per_referral = data.observed.groupby("referral_id")[
        ["screened_in", "reporter", "household_id", "year"]].nunique()
    assert (per_referral == 1).all().all()
    # a child appears at most once per year, and keeps its sex from year to year
    assert not data.observed.duplicated(["child_id", "year"]).any()
    assert (data.observed.groupby("child_id")["child_sex"].nunique() == 1).all()


def test_dtypes_make_sense(data):
    o = data.observed
    assert isinstance(o["race_ethnicity"].dtype, pd.CategoricalDtype)
    assert o["screened_in"].dtype == bool
    assert o["placed_2y"].dtype == "boolean"
    assert o["child_age"].between(0, 17).all()
    assert o["deprivation_decile"].between(1, 10).all()
    assert set(o["race_ethnicity"].cat.categories) == set(SCENARIOS["us"]["groups"])


def test_no_bias_scenario_switches_every_mechanism_off():
    assert set(SCENARIOS["no_bias"]["mechanisms"].values()) == {0.0}
    d = make_child_welfare(5_000, scenario="no_bias", random_state=3)
    truth = d.truth
    # with label bias off, the label equals its unbiased version for every child
    assert (truth["would_substantiate"] == truth["would_substantiate_without_label_bias"]).all()
    assert (truth["would_be_placed_2y"] == truth["would_be_placed_2y_without_label_bias"]).all()
    assert (d.observed["screened_in"] == truth["screened_in_without_screener_bias"]).all()


def test_label_bias_switch_changes_only_the_label():
    on = make_child_welfare(8_000, random_state=5, label_bias=2.0)
    off = make_child_welfare(8_000, random_state=5, label_bias=0.0)
    pd.testing.assert_series_equal(on.truth["harm"], off.truth["harm"])
    assert on.truth["would_be_placed_2y"].mean() > off.truth["would_be_placed_2y"].mean()


def test_england_scenario_and_policy_shock():
    d = make_child_welfare(4_000, scenario="england", random_state=0)
    assert set(d.observed["race_ethnicity"].cat.categories) == set(SCENARIOS["england"]["groups"])
    base = make_child_welfare(30_000, random_state=9)
    shock = make_child_welfare(30_000, random_state=9, policy_shock_year=2021)
    def share_late(o):
        return (o["year"] >= 2021).mean()
    assert share_late(shock.observed) > share_late(base.observed)


def test_population_counts_children(data):
    pop = data.population
    assert set(pop["race_ethnicity"]) == set(SCENARIOS["us"]["groups"])
    referred_households = data.observed.drop_duplicates("household_id")
    assert pop["children"].sum() >= referred_households["n_children"].sum()
    assert (pop["child_years"] == pop["children"] * data.params["years"]).all()


@pytest.mark.parametrize("scenario", ["us", "england"])
def test_published_targets_are_met(scenario):
    """Every figure of the calibration targets, within its tolerance, at a large size."""
    data = make_child_welfare(400_000, scenario=scenario, random_state=2026)
    table = calibration_table(data)
    missed = table.loc[~table["met"], ["statistic", "target", "low", "high", "value"]]
    assert missed.empty, f"targets missed:\n{missed.to_string()}"
    assert table["source"].str.len().gt(0).all()


def test_calibration_table_rejects_what_it_cannot_check():
    with pytest.raises(TypeError, match="Dataset"):
        calibration_table(pd.DataFrame())
    with pytest.raises(ValueError, match="scenario must be one of"):
        calibration_table(make_child_welfare(100, scenario="no_bias", random_state=0))


@pytest.mark.parametrize(
    ("kwargs", "error", "words"),
    [
        ({"n_referrals": -5}, ValueError, "n_referrals must be at least 1"),
        ({"n_referrals": 10.5}, TypeError, "n_referrals must be a whole number"),
        ({"n_referrals": "100"}, TypeError, "n_referrals must be a whole number"),
        ({"n_referrals": 100, "scenario": "france"}, ValueError, "scenario must be one of"),
        ({"n_referrals": 100, "random_state": "x"}, TypeError, "random_state must be"),
        ({"n_referrals": 100, "label_bais": 1.0}, TypeError, "no bias mechanism called"),
        ({"n_referrals": 100, "label_bias": -1.0}, ValueError, "label_bias must be between 0"),
        ({"n_referrals": 100, "label_bias": float("nan")}, ValueError, "finite"),
        ({"n_referrals": 100, "label_bias": "high"}, TypeError, "label_bias must be a number"),
        ({"n_referrals": 100, "policy_shock_year": 1990}, ValueError, "policy_shock_year"),
    ],
)
def test_bad_input_is_explained(kwargs, error, words):
    n = kwargs.pop("n_referrals")
    with pytest.raises(error, match=words):
        make_child_welfare(n, **kwargs)


def test_every_mechanism_is_documented_and_settable():
    for name in MECHANISMS:
        d = make_child_welfare(500, random_state=0, **{name: 0.0})
        assert d.params["mechanisms"][name] == 0.0
        only = SCENARIOS[f"only_{name}"]["mechanisms"]
        assert only[name] == 1.0 and sum(only.values()) == 1.0


@pytest.mark.parametrize(
    ("mechanism", "flag"),
    [
        ("label_bias", "touched_label_bias"),
        ("screener_bias", "touched_screener_bias"),
        ("historical_bias", "touched_historical_bias"),
        ("surveillance_bias", "touched_surveillance_bias"),
    ],
)
def test_switching_a_mechanism_off_removes_its_traces(mechanism, flag):
    on = make_child_welfare(20_000, random_state=4)
    off = make_child_welfare(20_000, random_state=4, **{mechanism: 0.0})
    assert on.truth[flag].any()
    assert not off.truth[flag].any()


def test_reporting_and_surveillance_bias_off_means_no_biased_referrals():
    off = make_child_welfare(20_000, random_state=4, reporting_bias=0.0, surveillance_bias=0.0)
    assert not off.truth["touched_reporting_or_surveillance_bias"].any()


def test_small_sizes_work():
    assert len(make_child_welfare(1, random_state=0).observed) == 1
    assert np.isfinite(make_child_welfare(50, random_state=0).truth["true_need"]).all()


def test_graph_names_every_mechanism(data):
    import matplotlib

    matplotlib.use("Agg")
    assert set(data.graph.mechanisms()) == set(MECHANISMS)
    dot = data.graph.to_dot()
    assert dot.startswith("digraph") and "label_bias" in dot
    ax = data.graph.draw(active={**data.params["mechanisms"], "label_bias": 0.0})
    assert len(ax.texts) >= len(data.graph.nodes)
