"""rmlkit.datasets: the first version of the child-welfare generator."""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd
import pytest

from rmlkit.datasets import (
    ASSUMPTIONS,
    MECHANISMS,
    SCENARIOS,
    calibration_table,
    make_care_needs,
    make_child_welfare,
    make_dropout,
)
from rmlkit.datasets._targets import (
    implied_ratios,
    measure,
    outcomes_at_equal_need,
    re_referral_rate,
)
from rmlkit.feedback import simulate_feedback_loop


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


def test_no_bias_scenario_switches_every_bias_mechanism_off():
    mechanisms = dict(SCENARIOS["no_bias"]["mechanisms"])
    assert mechanisms.pop("base_rate_difference") == 1.0  # real differences in need stay
    assert set(mechanisms.values()) == {0.0}
    assert set(SCENARIOS["equal_need"]["mechanisms"].values()) == {0.0}
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


def test_england_has_its_own_stages():
    o = make_child_welfare(20_000, scenario="england", random_state=0).observed
    assert set(o["race_ethnicity"].cat.categories) == set(SCENARIOS["england"]["groups"])
    assert "screened_in" not in o and "substantiated" not in o
    assessed = o["assessed"]
    stages = ["assessment_nfa", "child_in_need", "section_47", "child_protection_plan",
              "child_in_need_plan", "looked_after_2y"]
    assert o.loc[~assessed, stages].isna().all().all()
    done = o[assessed].astype({c: bool for c in stages})
    # an assessment ends with no further action or a child in need, never both
    assert (done["assessment_nfa"] ^ done["child_in_need"]).all()
    # a section 47 enquiry only for children in need; a plan of one kind at most
    assert not (done["section_47"] & ~done["child_in_need"]).any()
    assert not (done["child_protection_plan"] & ~done["section_47"]).any()
    assert not (done["child_protection_plan"] & done["child_in_need_plan"]).any()
    for stage in stages[1:]:
        assert done[stage].any(), stage


def test_england_re_referrals_and_referrals_are_counted_as_dfe_counts_them():
    """DfE: a child's referral within 12 months of a previous referral of the same child
    (backwards, per child); referrals are children's referrals. Checked against a plain
    pandas join of each child's referrals on the year before."""
    data = make_child_welfare(20_000, scenario="england", random_state=3)
    o = data.observed
    earlier = o[["child_id", "year"]].assign(year=o["year"] + 1, before=True)
    joined = o[["child_id", "year"]].merge(earlier, on=["child_id", "year"], how="left")
    later = joined["year"] > o["year"].min()
    expected = joined.loc[later, "before"].fillna(False).astype(bool).mean()
    assert re_referral_rate(o) == pytest.approx(expected)
    values = measure(o, data.population, "england")
    assert values["re_referral"] == pytest.approx(expected)
    # per child, not per household: siblings referred together are several referrals
    assert values["referral_rate"] == pytest.approx(
        len(o) / data.population["child_years"].sum() * 10_000)
    assert len(o) > 1.5 * o["referral_id"].nunique()
    # the column re_referred_12m looks forwards (per household), a different measure
    forward = o.loc[~o["referral_id"].duplicated(), "re_referred_12m"].mean()
    assert abs(forward - expected) > 0.005


def test_policy_shock():
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


@pytest.mark.slow
@pytest.mark.parametrize("seed", [2026, 7, 11])
@pytest.mark.parametrize("scenario", ["us", "england"])
def test_published_targets_are_met(scenario, seed):
    """Every figure of the calibration targets, within its tolerance, at a large size."""
    data = make_child_welfare(400_000, scenario=scenario, random_state=seed)
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
        ({"n_referrals": 100, "label_bais": 1.0}, TypeError, "unexpected keyword.*label_bais"),
        ({"n_referrals": 100, "years": "5"}, TypeError, r"years must be a whole number.*=30\."),
        ({"n_referrals": 100, "years": 40}, ValueError, "years must be at most 30"),
        ({"n_referrals": 100, "screener_accuracy": -1}, ValueError, "screener_accuracy must"),
        ({"n_referrals": 100, "bias_share": 0.9}, ValueError, "bias_share must be between"),
        ({"n_referrals": 100, "scenario": "england", "bias_share": 0.2}, ValueError,
         "bias_share can be varied only in the US"),
        ({"n_referrals": 100, "poverty_bias": "yes"}, TypeError, "poverty_bias must be a number"),
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
        # one bias mechanism on, beside the real differences in need
        assert only[name] == 1.0 and only["base_rate_difference"] == 1.0
        assert sum(only.values()) == (1.0 if name == "base_rate_difference" else 2.0)


def test_every_assumption_has_a_default_inside_its_range_and_sources():
    assert set(ASSUMPTIONS) == {"screener_accuracy", "bias_share", "label_bias"}
    for name, spec in ASSUMPTIONS.items():
        assert spec["low"] <= spec["default"] <= spec["high"], name
        assert spec["sources"] and spec["reason"] and spec["meaning"], name
        d = make_child_welfare(300, random_state=0, **{name: spec["high"]})
        value = (d.params["mechanisms"] if name == "label_bias" else d.params["assumptions"])
        assert value[name] == spec["high"]


def test_seed_streams_are_independent_of_a_learners_default_rng():
    """The issue's example: a learner splits the data with default_rng(seed)."""
    n = 20_000
    o = make_care_needs(n, random_state=3).observed
    half = np.random.default_rng(3).random(n) < 0.5
    black = o["race"] == "Black"
    shares = [black[half].mean(), black[~half].mean()]
    assert abs(shares[0] - shares[1]) < 0.02, shares  # was 25 % against 0 %
    # the generator's draws and the learner's stream are uncorrelated, for every generator
    for data, column in [(o, "age"),
                         (make_dropout(n, random_state=3).observed, "test_score"),
                         (make_child_welfare(n, random_state=3).observed, "carer_age")]:
        learner = np.random.default_rng(3).random(len(data))
        r = np.corrcoef(data[column].to_numpy(float), learner)[0, 1]
        assert abs(r) < 4 / np.sqrt(len(data)), (column, r)


def test_the_old_shared_stream_would_have_failed_the_independence_check():
    """The check above can fail: a generator drawing from default_rng(seed) fails it."""
    n = 20_000
    rng = np.random.default_rng(3)
    black = rng.random(n) < 0.123  # how the first version drew the group
    half = np.random.default_rng(3).random(n) < 0.5
    assert abs(black[half].mean() - black[~half].mean()) > 0.2


def test_feedback_loop_takes_the_same_keywords():
    a = simulate_feedback_loop(4_000, 2, random_state=1, poverty_bias=0.0,
                               screener_accuracy=1.0, bias_share=0.0)
    b = simulate_feedback_loop(4_000, 2, random_state=1)
    assert not a["selection_rate"].equals(b["selection_rate"])
    with pytest.raises(TypeError, match="unexpected keyword"):
        simulate_feedback_loop(4_000, 2, random_state=1, label_bais=0)


def _neutrality_misses(data):
    """Groups whose outcomes at equal harm and need differ from 1 beyond chance."""
    ratios = outcomes_at_equal_need(data.observed, data.truth)
    o = data.observed
    screened = o["screened_in"]
    counts = {
        "screened_in": o.groupby("race_ethnicity", observed=False)["screened_in"].sum(),
        "substantiated": o[screened].groupby("race_ethnicity", observed=False)[
            "substantiated"].sum(),
        "placed": o[screened].groupby("race_ethnicity", observed=False)["placed_2y"].sum(),
    }
    misses = []
    for stage, column in ratios.items():
        for group, ratio in column.items():
            events = float(counts[stage][group])
            # Tolerance: 3 standard errors of a count (doubled variance, since siblings
            # share outcomes) plus 5 % for what deciles of need leave of need's effect.
            tolerance = 3 * np.sqrt(2 / max(events, 1)) + 0.05
            if abs(ratio - 1) > tolerance:
                misses.append((stage, group, round(ratio, 3), round(tolerance, 3)))
    return misses


@pytest.mark.slow
def test_without_bias_recorded_outcomes_track_true_harm_and_need():
    """In no_bias, every group's decisions are what its harm and need predict."""
    neutral = make_child_welfare(400_000, scenario="no_bias", random_state=5)
    assert _neutrality_misses(neutral) == []
    # the same check finds the bias in the default world (at this seed: American Indian or
    # Alaska Native children's placement), so it can tell a biased world from a neutral one
    biased = make_child_welfare(400_000, scenario="us", random_state=5)
    assert _neutrality_misses(biased), "the neutrality check finds no bias in the us world"
    # and the recorded disparities shrink towards the true ones
    r_neutral = implied_ratios(neutral.observed, neutral.truth, neutral.population)
    r_biased = implied_ratios(biased.observed, biased.truth, biased.population)
    for frame in (r_neutral, r_biased):
        assert frame.loc["Black", "true_harm"] > 1
    gap = (np.log(r_biased.loc["Black", "substantiated"])
           - np.log(r_biased.loc["Black", "true_harm"]))
    gap_neutral = (np.log(r_neutral.loc["Black", "substantiated"])
                   - np.log(r_neutral.loc["Black", "true_harm"]))
    assert abs(gap_neutral) < 0.5 * gap


def test_poverty_bias_switch_removes_deprivations_effect_at_equal_need():
    off = make_child_welfare(20_000, random_state=4, poverty_bias=0.0, label_bias=0.0)
    on = make_child_welfare(20_000, random_state=4, label_bias=0.0)
    t_off, t_on = off.truth, on.truth
    assert (t_off["would_be_placed_2y"]
            == t_off["would_be_placed_2y_without_label_or_poverty_bias"]).all()
    assert (t_on["would_be_placed_2y"]
            != t_on["would_be_placed_2y_without_label_or_poverty_bias"]).any()
    # deprived families are referred more often when poverty bias is on
    def deprived_share(d):
        return (d.observed["deprivation_decile"] >= 8).mean()
    assert deprived_share(on) > deprived_share(off)


@pytest.mark.slow
def test_bias_share_moves_true_need_but_keeps_the_recorded_disparity():
    ratios = {}
    for share in (0.0, 0.6):
        d = make_child_welfare(300_000, random_state=8, bias_share=share)
        ratios[share] = implied_ratios(d.observed, d.truth, d.population).loc["Black"]
    recorded = {s: r["substantiated"] for s, r in ratios.items()}
    true = {s: r["true_harm"] for s, r in ratios.items()}
    assert recorded[0.0] == pytest.approx(recorded[0.6], rel=0.15)
    assert true[0.0] > true[0.6] * 1.3
    for share, r in ratios.items():
        measured = 1 - np.log(r["true_harm"]) / np.log(r["substantiated"])
        assert measured == pytest.approx(share, abs=0.12), (share, measured)


@pytest.mark.parametrize("make", [
    lambda: make_child_welfare(500, random_state=0),
    lambda: make_child_welfare(500, scenario="england", random_state=0),
    lambda: make_care_needs(500, random_state=0),
    lambda: make_dropout(500, random_state=0),
])
def test_every_dataset_has_a_readable_repr(make):
    data = make()
    text, page = repr(data), data._repr_html_()
    assert "500 rows" in text and "truth:" in text
    assert data.maker in text and "<table>" in page and "Synthetic" in page
    assert data.truth.columns[0] in page


@pytest.mark.parametrize(
    ("mechanism", "flag"),
    [
        ("label_bias", "touched_label_bias"),
        ("screener_bias", "touched_screener_bias"),
        ("historical_bias", "touched_historical_bias"),
        ("surveillance_bias", "touched_surveillance_bias"),
        ("poverty_bias", "touched_poverty_bias"),
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
