"""The visible checks of the exercises tradeoffs, mitigation, people-and-models and
capstone-audit: right answers pass, the mistakes they are meant to catch fail with a
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
from rmlkit.exercises import capstone_audit, mitigation, people_and_models, tradeoffs
from rmlkit.tradeoffs import capacity_decisions, expected_cost

from conftest import fails

# Every check here behaves as in a graded workshop.
pytestmark = pytest.mark.usefixtures("graded_checks")


@pytest.fixture
def referrals():
    rng = np.random.default_rng(0)
    n = 2_000
    frame = pd.DataFrame({"score": rng.random(n),
                          "group": rng.choice(["White", "Black", "Hispanic"], n)})
    frame["placed_2y"] = (rng.random(n) < frame["score"] / 3).astype(int)
    frame["flagged"] = (frame["score"] >= frame["score"].quantile(0.9)).astype(int)
    frame["week"] = np.arange(n) % 52
    return frame


def test_tradeoffs_precision_and_sweep(referrals, capsys):
    t = referrals
    precision = t.loc[t["flagged"] == 1, "placed_2y"].mean()
    assert tradeoffs.q1.check(precision, test=t) is Outcome.PASSED
    fails(tradeoffs.q1, t["placed_2y"].mean(), "only at the referrals that were flagged", test=t)
    fails(tradeoffs.q1, t["flagged"].mean(), "share of referrals flagged", test=t)
    fails(tradeoffs.q1, 28.0, "between 0 and 1", test=t)
    fails(tradeoffs.q1, pd.Series([precision]), "one number", test=t)
    sweep = pd.DataFrame({"group": ["all", "all"], "precision": [0.2, 0.3]})
    assert tradeoffs.q2.check(0.3, sweep=sweep) is Outcome.PASSED
    fails(tradeoffs.q2, 0.31, "not one of the precisions", sweep=sweep)


def test_tradeoffs_capacity_and_costs(referrals, capsys):
    t = referrals
    flags = capacity_decisions(t["score"], 8, periods=t["week"])
    context = dict(test=t, week=t["week"], capacity=8)
    assert tradeoffs.q3.check(flags, **context) is Outcome.PASSED
    assert tradeoffs.q3.check(capacity_decisions(t["score"], 8), **context) is Outcome.PASSED
    fails(tradeoffs.q3, capacity_decisions(t["score"], 8 * 52), "more than 8", **context)
    fails(tradeoffs.q3, flags[:-1], "one flag per referral", **context)
    fails(tradeoffs.q3, np.zeros(len(t), bool), "no referral", **context)
    costs = expected_cost(t["placed_2y"], flags.astype(int), cost_false_negative=10,
                          cost_false_positive=1, sensitive_features=t["group"])
    per_row = costs["cost_per_row"]
    assert tradeoffs.q4.check(per_row["Black"] / per_row["White"],
                              costs=costs) is Outcome.PASSED
    fails(tradeoffs.q4, per_row["White"] / per_row["Black"], "upside down", costs=costs)
    equal = expected_cost(t["placed_2y"], flags.astype(int), cost_false_negative=1,
                          cost_false_positive=1, sensitive_features=t["group"])
    fails(tradeoffs.q4, 1.5, "costs the task gives", costs=equal)
    fails(tradeoffs.q4, -1.0, "positive", costs=costs)


def _comparison():
    methods = ["none", "threshold optimizer (equalized odds)"]
    return pd.DataFrame({"accuracy": [0.55, 0.65],
                         "false_positive_rate_max_min_difference": [0.10, 0.04],
                         "precision_vs_truth": [0.28, 0.30],
                         "true_positive_rate_vs_truth": [0.61, 0.42]}, index=methods), methods


def test_mitigation_comparison_change_and_children(capsys):
    comparison, methods = _comparison()
    assert mitigation.q1.check(comparison, methods=methods) is Outcome.PASSED
    fails(mitigation.q1, comparison.drop(columns="true_positive_rate_vs_truth"),
          "true_outcome_test", methods=methods)
    fails(mitigation.q1, comparison.iloc[::-1], "one row for each method", methods=methods)
    change = comparison.loc[methods[1]] - comparison.loc["none"]
    assert mitigation.q2.check(change, comparison=comparison) is Outcome.PASSED
    fails(mitigation.q2, -change, "upside down", comparison=comparison)
    fails(mitigation.q2, change + 0.01, "one row of `comparison` minus another",
          comparison=comparison)
    assert mitigation.q3.check(168.0, n_test=4_000) is Outcome.PASSED
    assert mitigation.q3.check(-12, n_test=4_000) is Outcome.PASSED
    fails(mitigation.q3, 0.19, "looks like a share", n_test=4_000)
    fails(mitigation.q3, 9_000.0, "more than the number", n_test=4_000)


def test_people_and_models_disparity_and_history(capsys):
    policies = ["workers", "model", "support"]
    disparity = pd.Series([11.0, 59.4, 43.5], index=policies)
    assert people_and_models.q1.check(disparity, policies=policies) is Outcome.PASSED
    fails(people_and_models.q1, pd.Series(0.0, index=policies), "reference group",
          policies=policies)
    fails(people_and_models.q1, disparity.drop("support"), "one entry for each policy",
          policies=policies)
    assert people_and_models.q2.check(np.float64(51.0)) is Outcome.PASSED
    fails(people_and_models.q2, disparity, "one number")
    years = pd.DataFrame({"year": [1, 2, 3, 1, 2, 3]})
    history = pd.Series([0.0, 0.0, 0.1], index=[1, 2, 3])
    assert people_and_models.q3.check(history, years=years) is Outcome.PASSED
    fails(people_and_models.q3, history + 0.1, "should be 0", years=years)
    fails(people_and_models.q3, history.iloc[1:], "one value for each year", years=years)


def test_capstone_found_fpr_table_and_false_positives(capsys):
    harmed = np.array([True, True, False, False, True, False])
    workers = np.array([True, False, True, False, True, False])
    found = pd.Series({"current practice": 2, "tool": 1, "prior-referrals rule": 1})
    context = dict(harmed=harmed, workers=workers)
    assert capstone_audit.q1.check(found, **context) is Outcome.PASSED
    fails(capstone_audit.q1, found.drop("tool"), "one entry for each option", **context)
    fails(capstone_audit.q1, found + 0.5, "whole number", **context)
    fails(capstone_audit.q1, found.replace(1, 5), "more children than were truly harmed",
          **context)
    fails(capstone_audit.q1, found.replace(2, 1), "on the truth", **context)

    groups = np.array(["White", "Black", "White", "Black", "White", "Black"])
    table = pd.DataFrame({"estimate": [0.5, 0.3, 0.4], "ci_low": [0.4, 0.2, 0.35],
                          "ci_high": [0.6, 0.4, 0.45]}, index=["Black", "White", "all"])
    assert capstone_audit.q2.check(table, groups=groups) is Outcome.PASSED
    fails(capstone_audit.q2, table.drop(index="all"), "one for \"all\"", groups=groups)
    fails(capstone_audit.q2, table.assign(ci_low=table["estimate"], ci_high=table["estimate"]),
          "no width", groups=groups)
    fails(capstone_audit.q2, table.assign(ci_low=0.55), "contain its estimate", groups=groups)
    fails(capstone_audit.q2, table.drop(columns="ci_high"), "ci_high", groups=groups)

    extra = pd.Series({"Black": 49, "White": -161})
    assert capstone_audit.q3.check(extra, groups=groups) is Outcome.PASSED
    fails(capstone_audit.q3, extra * 0, "with itself", groups=groups)
    fails(capstone_audit.q3, pd.concat([extra, pd.Series({"all": -112})]),
          "one entry for each group", groups=groups)


@pytest.mark.parametrize("module", [tradeoffs, mitigation, people_and_models, capstone_audit])
def test_every_question_has_graduated_hints_and_a_solution(module):
    questions = [getattr(module, name) for name in module.__all__ if name.startswith("q")]
    assert questions
    for question in questions:
        assert len(question.hints) >= 2
        stored = check._load(question._answer, check.Answer)
        assert isinstance(stored, check.Answer) and stored.solution
