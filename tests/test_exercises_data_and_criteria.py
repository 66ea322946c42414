"""The visible checks of the exercises social-data, risk-model, sources-of-bias and
fairness-criteria: right answers pass, the mistakes they are meant to catch fail with a
message that points at the mistake. They run as in graded work (``RMLKIT_GRADED=1``),
where only the visible checks run; the values are checked in self-check mode by
tests/test_exercise_self_check.py, and the hidden tests, with nbgrader, by the
submission bank: tests/test_submission_bank.py."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from rmlkit import check
from rmlkit.check import Outcome
from rmlkit.exercises import fairness_criteria, risk_model, social_data, sources_of_bias

from conftest import fails

MAIN = ["White", "Hispanic", "Black"]


# Every check here behaves as in a graded workshop.
pytestmark = pytest.mark.usefixtures("graded_checks")


def test_social_data_shares_by_group(capsys):
    shares = pd.Series([0.21, 0.19, 0.18], index=MAIN)
    assert social_data.q1.check(shares, main_groups=MAIN) is Outcome.PASSED
    fails(social_data.q1, shares * 1000, "count", main_groups=MAIN)
    fails(social_data.q1, shares.drop("Black"), "one entry for each group", main_groups=MAIN)
    fails(social_data.q1, shares.to_frame("harm"), "not a one-column DataFrame",
          main_groups=MAIN)
    fails(social_data.q2, shares - shares, "subtract a rate from itself", main_groups=MAIN)
    assert social_data.q2.check(shares - 0.2, main_groups=MAIN) is Outcome.PASSED
    assert social_data.q3.check(shares * 10, main_groups=MAIN) is Outcome.PASSED
    fails(social_data.q3, shares * 100, "between 0 and 4", main_groups=MAIN)


def test_risk_model_split_and_shares(capsys):
    rows = np.arange(100)
    train, test = rows[:70], rows[70:]
    assert risk_model.q1.check((train, test), n_rows=100) is Outcome.PASSED
    fails(risk_model.q1, (train, rows[60:]), "both", n_rows=100)
    fails(risk_model.q1, (rows[:50], rows[50:]), "30 %", n_rows=100)
    fails(risk_model.q1, (train, test[:-5]), "every row", n_rows=100)
    fails(risk_model.q1, (train.astype(float), test), "whole numbers", n_rows=100)
    fails(risk_model.q1, train, "two arrays", n_rows=100)
    assert risk_model.q2.check(np.float64(0.097)) is Outcome.PASSED
    fails(risk_model.q2, 412, "between 0 and 1")
    fails(risk_model.q3, 0.1, "share of children flagged")
    assert risk_model.q3.check(0.28) is Outcome.PASSED
    fails(risk_model.q4, pd.Series([0.2, 0.3]), "one number")


def _frame():
    rng = np.random.default_rng(0)
    n = 400
    return pd.DataFrame({"group": rng.choice(["Black", "White", "Asian"], n),
                         "flagged": rng.random(n) < 0.1, "placed": rng.random(n) < 0.1,
                         "harm": rng.random(n) < 0.2})


def test_sources_of_bias_disparities(capsys):
    def shares(frame):
        s = frame.groupby("group")[["flagged", "harm"]].mean()
        r = s.loc["Black"] / s.loc["White"]
        return pd.Series({"flag ratio": r["flagged"], "harm ratio": r["harm"]})

    def counts(frame):
        s = frame.groupby("group")[["flagged", "harm"]].sum()
        r = s.loc["Black"] / s.loc["White"]
        return pd.Series({"flag ratio": r["flagged"], "harm ratio": r["harm"]})

    assert sources_of_bias.q1.check(shares, frame=_frame()) is Outcome.PASSED
    fails(sources_of_bias.q1, counts, "shares", frame=_frame())
    fails(sources_of_bias.q1, shares(_frame()), "function", frame=_frame())
    fails(sources_of_bias.q1, lambda f: shares(f).rename({"harm ratio": "harm"}),
          "two entries", frame=_frame())

    def differences(frame):
        s = frame.groupby("group")[["flagged", "harm"]].mean()
        r = s.loc["Black"] - s.loc["White"]
        return pd.Series({"flag ratio": r["flagged"], "harm ratio": r["harm"]})

    def other_reference(frame):
        s = frame.groupby("group")[["flagged", "harm"]].mean()
        r = s.loc["Black"] / s.drop("Black").mean()
        return pd.Series({"flag ratio": r["flagged"], "harm ratio": r["harm"]})

    fails(sources_of_bias.q1, differences, "Divide (do not subtract)", frame=_frame())
    fails(sources_of_bias.q1, other_reference, "the other groups play no part",
          frame=_frame())

    scenarios = ["no_bias", "only_label_bias"]
    effects = pd.DataFrame({sc: shares(_frame()) for sc in scenarios}).T
    assert sources_of_bias.q2.check(effects, scenarios=scenarios) is Outcome.PASSED
    fails(sources_of_bias.q2, effects.T, "transpose", scenarios=scenarios)
    labels = ["total_cost", "active_chronic_conditions"]
    top3 = {"total_cost": 0.14, "active_chronic_conditions": 0.27}
    assert sources_of_bias.q3.check(top3, labels=labels) is Outcome.PASSED
    fails(sources_of_bias.q3, {"total_cost": 0.14}, "each label", labels=labels)


def test_fairness_criteria_rates_gaps_and_impossibility(capsys):
    groups = ["A", "B"]
    rates = pd.Series([0.06, 0.34], index=groups)
    assert fairness_criteria.q1.check(rates, groups=groups) is Outcome.PASSED
    fails(fairness_criteria.q1, rates * 1000, "count", groups=groups)
    errors = pd.DataFrame({"TPR": [0.15, 0.5], "FPR": [0.03, 0.23]}, index=groups)
    assert fairness_criteria.q2.check(errors, groups=groups) is Outcome.PASSED
    fails(fairness_criteria.q2, errors.rename(columns={"FPR": "fpr"}), "two columns",
          groups=groups)
    gaps = pd.Series({"demographic parity": 0.28, "equalized odds": 0.35,
                      "predictive parity": 0.03})
    assert fairness_criteria.q4.check(gaps) is Outcome.PASSED
    fails(fairness_criteria.q4, gaps * -1, "without its sign")
    fails(fairness_criteria.q4, gaps.drop("equalized odds"), "each criterion")
    fails(fairness_criteria.q5, pd.Series([0.2, 0.2], index=groups), "cannot be",
          groups=groups)


@pytest.mark.parametrize("module", [social_data, risk_model, sources_of_bias,
                                    fairness_criteria])
def test_every_question_has_graduated_hints_and_a_solution(module):
    questions = [getattr(module, name) for name in module.__all__ if name.startswith("q")]
    assert questions
    for question in questions:
        assert len(question.hints) >= 2
        stored = check._load(question._answer, check.Answer)
        assert isinstance(stored, check.Answer) and stored.solution
