"""rmlkit.datasets.care_needs (Obermeyer et al. 2019) and rmlkit.datasets.dropout."""

from __future__ import annotations

import doctest

import pandas as pd
import pytest

import rmlkit.datasets.care_needs
import rmlkit.datasets.dropout
from rmlkit.datasets import (
    care_needs_findings,
    care_needs_table,
    dropout_findings,
    make_care_needs,
    make_dropout,
)


@pytest.mark.parametrize("seed", [1, 2])
def test_label_choice_findings_are_reproduced(seed):
    table = care_needs_table(make_care_needs(400_000, random_state=seed))
    missed = table.loc[~table["met"], ["statistic", "target", "low", "high", "value"]]
    assert missed.empty, f"findings missed:\n{missed.to_string()}"
    shares = table.set_index("key")["value"]
    # the ordering the paper reports: cost < avoidable cost < active chronic conditions
    assert (shares["share_top3_total_cost"] < shares["share_top3_avoidable_cost"]
            < shares["share_top3_active_chronic_conditions"])


def test_without_the_access_gap_cost_is_a_fair_proxy():
    f = care_needs_findings(make_care_needs(400_000, random_state=3, access_bias=0.0))
    assert f["share_top3_total_cost"] == pytest.approx(
        f["share_top3_active_chronic_conditions"], abs=0.03)
    assert abs(f["cost_gap_at_equal_health"]) < 150


def test_care_needs_truth_and_determinism():
    a = make_care_needs(5_000, random_state=9)
    b = make_care_needs(5_000, random_state=9)
    pd.testing.assert_frame_equal(a.observed, b.observed)
    white = a.observed["race"] == "White"
    # White patients' costs are unaffected by the access gap
    assert (a.observed.loc[white, "total_cost"]
            == a.truth.loc[white, "total_cost_with_equal_access"]).all()
    assert (a.observed.loc[~white, "total_cost"]
            < a.truth.loc[~white, "total_cost_with_equal_access"]).all()
    assert "synthetic" in a.DESCR


def test_dropout_findings_hold():
    f = dropout_findings(make_dropout(100_000, random_state=1))
    assert 0.65 <= f["auc_individual"] <= 0.90
    # the environment alone targets nearly as well as the student's own record
    assert f["auc_environment"] >= f["auc_individual"] - 0.03
    # more false alarms for Black and Hispanic students at a common threshold
    assert f["fpr_Black"] > 1.2 * f["fpr_White"]
    assert f["fpr_Hispanic"] > 1.2 * f["fpr_White"]


def test_measurement_bias_switch():
    on = make_dropout(20_000, random_state=2)
    off = make_dropout(20_000, random_state=2, measurement_bias=0.0)
    assert (off.observed["discipline_incidents"]
            == off.truth["discipline_without_measurement_bias"]).all()
    black = on.observed["race_ethnicity"] == "Black"
    assert (on.observed.loc[black, "discipline_incidents"].sum()
            > on.truth.loc[black, "discipline_without_measurement_bias"].sum())
    pd.testing.assert_series_equal(on.observed["dropped_out"], off.observed["dropped_out"])


@pytest.mark.parametrize(
    ("call", "error", "words"),
    [
        (lambda: make_care_needs(0), ValueError, "n_patients must be at least 1"),
        (lambda: make_care_needs(10, access_gap=1), TypeError, "unexpected keyword.*access_gap"),
        (lambda: make_care_needs(10, access_bias=-1), ValueError, "access_bias must be"),
        (lambda: make_dropout(2.5), TypeError, "n_students must be a whole number"),
        (lambda: make_dropout(10, measurement=1), TypeError, "unexpected keyword.*measurement"),
        (lambda: make_dropout(10, measurement_bias="x"), TypeError,
         "measurement_bias must be a number"),
        (lambda: care_needs_table(make_dropout(100, random_state=0)), TypeError,
         "make_care_needs"),
    ],
)
def test_bad_input_is_explained(call, error, words):
    with pytest.raises(error, match=words):
        call()


@pytest.mark.parametrize("module", [rmlkit.datasets.care_needs, rmlkit.datasets.dropout])
def test_docstring_examples(module):
    result = doctest.testmod(module)
    assert result.failed == 0 and result.attempted > 0


@pytest.mark.parametrize("maker", [make_care_needs, make_dropout])
def test_every_data_set_has_a_graph_with_its_mechanisms(maker):
    import matplotlib

    matplotlib.use("Agg")
    data = maker(500, random_state=0)
    assert set(data.graph.mechanisms()) == set(data.params["mechanisms"])
    assert "digraph" in data.graph.to_dot()
    ax = data.graph.draw(active=data.params["mechanisms"])
    assert len(ax.texts) >= len(data.graph.nodes)
