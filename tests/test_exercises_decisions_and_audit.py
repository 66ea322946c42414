"""The visible checks of the exercises tradeoffs, mitigation, people-and-models and
capstone-audit: right answers pass, the mistakes they are meant to catch fail with a
message that points at the mistake. They run as in graded work (``RMLKIT_GRADED=1``),
where only the visible checks run; the values are checked in self-check mode by
tests/test_exercise_self_check.py, and the hidden tests, with nbgrader, by the
submission bank: tests/test_submission_bank.py."""

from __future__ import annotations

import re

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


def _comparison(shares=(0.1, 0.1)):
    methods = ["none", "threshold optimizer (equalized odds)"]
    return pd.DataFrame({"accuracy": [0.77, 0.77],
                         "selection_rate": list(shares),
                         "false_positive_rate_max_min_difference": [0.07, 0.01],
                         "precision_vs_truth": [0.41, 0.40],
                         "true_positive_rate_vs_truth": [0.15, 0.14]}, index=methods), methods


def test_mitigation_comparison_at_the_same_capacity(capsys):
    comparison, methods = _comparison()
    context = dict(methods=methods, capacity=100, n_test=1_000)
    assert mitigation.q1.check(comparison, **context) is Outcome.PASSED
    fails(mitigation.q1, comparison.drop(columns="true_positive_rate_vs_truth"),
          "true_outcome_test", **context)
    fails(mitigation.q1, comparison.iloc[::-1], "one row for each method", **context)
    # The wrong idea: each method at its own decision rule, flagging different numbers.
    own_rules, _ = _comparison(shares=(0.0, 0.64))
    fails(mitigation.q1, own_rules, "flag different shares", **context)
    fails(mitigation.q1, own_rules, "capacity=capacity", **context)
    # The same share, but not the capacity of the test referrals (other rows evaluated).
    fails(mitigation.q1, _comparison(shares=(0.04, 0.04))[0], "test rows", **context)


def test_mitigation_change_and_children_missed(capsys):
    comparison, methods = _comparison()
    change = comparison.loc[methods[1]] - comparison.loc["none"]
    assert mitigation.q2.check(change, comparison=comparison) is Outcome.PASSED
    fails(mitigation.q2, -change, "upside down", comparison=comparison)
    fails(mitigation.q2, change + 0.01, "one row of `comparison` minus another",
          comparison=comparison)
    assert mitigation.q3.check(10.0, n_test=6_000) is Outcome.PASSED
    assert mitigation.q3.check(-12, n_test=6_000) is Outcome.PASSED
    fails(mitigation.q3, 0.19, "looks like a share", n_test=6_000)
    fails(mitigation.q3, 9_000.0, "more than the number", n_test=6_000)


def test_mitigation_flags_at_each_methods_own_rule(capsys):
    methods = ["none", "threshold optimizer (equalized odds)"]
    flags = pd.Series([0.0, 3_967.0], index=methods)
    context = dict(methods=methods, n_test=6_190)
    assert mitigation.q4.check(flags, **context) is Outcome.PASSED
    assert mitigation.q4.check(flags.iloc[::-1], **context) is Outcome.PASSED
    fails(mitigation.q4, flags / 6_190, "looks like shares", **context)
    fails(mitigation.q4, flags / 6_190 * 25_000, "more referrals than there are", **context)
    fails(mitigation.q4, flags.drop("none"), "one value for each method", **context)
    fails(mitigation.q4, flags.to_numpy(), "pandas Series", **context)
    fails(mitigation.q4, -flags, "none negative", **context)


def test_mitigation_why_is_one_of_the_letters(capsys):
    for letter in [*mitigation.CHOICES, " b "]:
        assert mitigation.q5.check(letter) is Outcome.PASSED
    fails(mitigation.q5, "E", "one of the letters")
    fails(mitigation.q5, 2, "one of the letters")


def test_the_mitigation_exercise_lists_every_choice_of_task_5():
    from exercise_bank import read_source

    nb = read_source("mitigation", "mitigation.ipynb")
    task = next(c.source for c in nb.cells if c.source.startswith("## Task 5"))
    assert re.findall(r"^- \*\*([A-Z])\.\*\*", task, re.M) == list(mitigation.CHOICES)


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


def test_the_mitigation_exercise_right_choice_and_model_answer_hold_on_the_course_data():
    # Task 5's right choice (B) says the equalized-odds model finds more children in need
    # at its own rule only because it flags far more; the model answer and the rubric say
    # what changes at the same capacity. Check both on the exercise's data.
    from exercise_bank import prepare

    from rmlkit.exercises._answers import mitigation as answers

    ns, _ = prepare("mitigation", "mitigation.ipynb")
    data = {k: ns[k] for k in ["X", "y", "harm", "group", "train", "test"]}
    data |= dict(model=ns["tool"].model, random_state=ns["SEED"])
    eo, in_need = answers.EQUALIZED_ODDS, int(ns["harm"][ns["test"]].sum())
    at_capacity = answers._comparison(**data, capacity=ns["capacity"])
    own_rules = answers._comparison(**data, capacity=None, methods=ns["methods"])
    flags = own_rules["selection_rate"] * ns["test"].sum()
    assert flags[eo] > flags["none"] + ns["capacity"], flags
    assert flags["none"] < ns["capacity"], flags  # its own rule flags few referrals or none
    assert answers._fall_in_found(own_rules) * in_need < -100  # many more found, own rules
    assert answers._fall_in_found(at_capacity) * in_need >= 0  # no more at equal capacity
    change = at_capacity.loc[eo] - at_capacity.loc["none"]
    for gap in ["selection_rate_max_min_difference", "false_positive_rate_max_min_difference"]:
        assert change[gap] < 0, change  # the gaps still shrink
    assert abs(change["accuracy"]) < 0.01, change  # accuracy on the label barely moves
    assert change["precision_vs_truth"] < 0, change  # flags a little less often right
    assert own_rules.loc[eo, "accuracy"] < own_rules.loc["none", "accuracy"]  # choice C
