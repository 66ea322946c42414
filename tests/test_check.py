"""rmlkit.check: outcomes, messages, graduated hints, solutions and graded mode."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from rmlkit import check as check_module
from rmlkit.check import (
    Answer,
    CheckFailed,
    KnownMistake,
    Mistake,
    Outcome,
    Question,
    WrittenQuestion,
    same_values,
)
from rmlkit.exercises import first_audit

SECRET = 0.4321  # an "expected value" that no message may show


def share_checker(answer, total=None):
    if not isinstance(answer, float):
        raise Mistake("The share should be a number such as 0.25.")
    if not 0 <= answer <= 1:
        raise Mistake("A share must be between 0 and 1.")
    if total is not None and answer * total != round(answer * total):
        raise Mistake("The share should be a count divided by the total.")


@pytest.fixture
def question():
    return Question(
        "share_flagged",
        checker=share_checker,
        hints=["Count the flagged children.", "Divide by the number of children."],
        solution="share_flagged = flagged.mean()",
    )


def share_of(flags):
    return sum(flags) / len(flags)


@pytest.fixture
def checked():
    """A question whose values are checked: the share flagged, with two known mistakes."""
    answer = Answer(
        expected=share_of,
        atol=1e-9,
        mistakes=[
            KnownMistake("You counted the flags instead of taking their share.",
                         wrong_value=lambda flags: float(sum(flags))),
            KnownMistake("That is the share *not* flagged.",
                         matches=lambda answer, flags: np.isclose(answer, 1 - share_of(flags))),
        ],
        solution="share_flagged = sum(flags) / len(flags)",
    )
    return Question("share_flagged", checker=lambda answer: None, hints=["Divide."],
                    answer=answer)


FLAGS = [1, 0, 0, 0, 1, 0, 1, 0]  # a share of 0.375


@pytest.fixture(autouse=True)
def not_graded(monkeypatch):
    monkeypatch.delenv("RMLKIT_GRADED", raising=False)
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)


def test_without_a_stored_answer_only_the_visible_checks_run(question, capsys):
    assert question.check(SECRET) is Outcome.PASSED
    out = capsys.readouterr().out
    assert "Passed the visible checks for share_flagged." in out
    assert "correct" not in out.lower().replace("incorrect", "")


def test_a_right_value_is_correct_for_a_self_learner(checked, capsys):
    assert checked.check(0.375, flags=FLAGS) is Outcome.CORRECT
    out = capsys.readouterr().out
    assert out.startswith("Correct: share_flagged has the value the task asks for.")
    assert "visible checks" not in out
    assert checked.check(0.375 + 1e-12, flags=FLAGS) is Outcome.CORRECT  # within atol


@pytest.mark.parametrize("wrong, words", [
    (3.0, "counted the flags"),
    (0.625, "share *not* flagged"),
    (0.5, "not the ones the task asks for"),
])
def test_a_wrong_value_is_not_yet_with_the_mistake_and_without_the_value(
        checked, capsys, wrong, words):
    with pytest.raises(CheckFailed) as info:
        checked.check(wrong, flags=FLAGS)
    assert info.value.outcome is Outcome.INCORRECT
    assert words in str(info.value)
    out = capsys.readouterr().out
    assert out.startswith("Not yet:") and "0.375" not in out and ".375" not in out


@pytest.mark.parametrize("variable, value", [("RMLKIT_GRADED", "1"),
                                             ("NBGRADER_EXECUTION", "autograde")])
def test_graded_work_runs_only_the_visible_checks(checked, monkeypatch, capsys, variable,
                                                  value):
    monkeypatch.setenv(variable, value)
    assert checked.check(3.0, flags=FLAGS) is Outcome.PASSED  # the hidden tests decide
    out = capsys.readouterr().out
    assert "Passed the visible checks for share_flagged." in out and "Correct" not in out


def test_a_check_without_the_data_it_needs_says_what_to_pass(checked, capsys):
    assert checked.check(0.375) is Outcome.PASSED
    assert "also pass flags to check()" in capsys.readouterr().out


def test_an_answer_that_is_not_installed_leaves_the_visible_checks(capsys):
    q = Question("x", checker=lambda answer: None, answer="rmlkit.no_such_answers:q1")
    assert q.check(1.0) is Outcome.PASSED
    assert "No stored answer is installed here" in capsys.readouterr().out
    q.solution()
    assert "no stored solution" in capsys.readouterr().out
    w = WrittenQuestion("why", answer="rmlkit.no_such_answers:w2", min_words=1)
    w.reveal("My own answer.")
    assert "No model answer for why is installed here" in capsys.readouterr().out


def test_values_are_compared_by_label_with_a_tolerance():
    rates = pd.Series({"A": 0.1, "B": 0.2})
    assert same_values(rates[["B", "A"]], rates)
    assert same_values({"A": 0.1, "B": 0.2 + 1e-12}, rates)
    assert not same_values(rates.rename({"B": "C"}), rates)
    assert not same_values(rates + 0.01, rates)
    assert same_values(rates + 0.01, rates, atol=0.02)
    frame = pd.DataFrame({"TPR": rates, "FPR": rates / 2})
    assert same_values(frame[["FPR", "TPR"]], frame)
    assert not same_values(frame.rename(columns={"FPR": "TPR", "TPR": "FPR"}), frame)
    assert same_values(np.array([True, False]), np.array([1, 0]))
    assert not same_values(np.array([1, 0, 0]), np.array([1, 0]))
    same_values("0.1", 0.1)  # text never crashes the comparison
    assert not same_values(True, 1.0) and not same_values(rates, 0.1)


def test_hint_solution_and_reveal_print_once_and_return_nothing(checked, capsys):
    assert checked.hint() is None
    assert checked.solution() is None
    w = WrittenQuestion("why", model_answer="Because of the base rates.", min_words=1)
    assert w.reveal("My own view.") is None
    out = capsys.readouterr().out
    assert out.count("Divide.") == 1
    assert out.count("share_flagged = sum(flags) / len(flags)") == 1
    assert out.count("Because of the base rates.") == 1


def test_help_on_a_question_starts_with_how_to_use_it():
    import pydoc

    from rmlkit.exercises import social_data

    for obj in (social_data.q1, social_data.w4):
        text = pydoc.render_doc(obj, renderer=pydoc.plaintext)
        lines = text.split("Methods defined here")[0].splitlines()
        summary = "\n".join(line for line in lines if "(name: " not in line)  # the signature
        assert ".check(" in summary or ".reveal(" in summary, summary
        assert "checker" not in summary and "Parameters" not in summary, summary
        assert len(summary.splitlines()) < 30


def test_an_incorrect_answer_raises_an_assertion_error_with_the_mistake(question, capsys):
    with pytest.raises(CheckFailed) as info:
        question.check(1.5)
    assert isinstance(info.value, AssertionError)  # nbgrader marks the cell failed
    assert info.value.outcome is Outcome.INCORRECT
    assert info.value.question == "share_flagged"
    assert "between 0 and 1" in str(info.value)
    assert "hint()" in str(info.value)
    out = capsys.readouterr().out
    assert out.startswith("Not yet:") and "between 0 and 1" in out
    assert "Passed" not in out


@pytest.mark.parametrize("missing", [None, ..., NotImplemented])
def test_a_missing_answer_is_not_attempted(question, missing, capsys):
    with pytest.raises(CheckFailed) as info:
        question.check(missing)
    assert info.value.outcome is Outcome.NOT_ATTEMPTED
    assert "not answered share_flagged yet" in str(info.value)
    assert capsys.readouterr().out.startswith("Not attempted:")


def test_context_is_passed_to_the_checker(question):
    assert question.check(0.5, total=10) is Outcome.PASSED
    with pytest.raises(CheckFailed, match="count divided by the total"):
        question.check(0.55, total=10)


def test_an_answer_that_breaks_the_checker_fails_with_a_clear_message():
    q = Question("rates", checker=lambda answer: answer.between(0, 1))
    with pytest.raises(CheckFailed) as info:
        q.check([0.1, 0.2])
    assert info.value.outcome is Outcome.INCORRECT
    assert "could not be checked" in str(info.value) and "AttributeError" in str(info.value)


def test_messages_never_contain_the_expected_value(capsys):
    # first-audit's checkers see the data but only say what kind of mistake was made.
    rng = np.random.default_rng(0)
    test = pd.DataFrame({
        "race_ethnicity": rng.choice(["Black", "White", "Hispanic"], 500),
        "placed_2y": rng.integers(0, 2, 500),
        "flagged": rng.integers(0, 2, 500),
    })
    expected = test[test.placed_2y == 0].groupby("race_ethnicity")["flagged"].mean()
    wrong = [expected.iloc[:2], expected * 3, expected.to_frame(), list(expected)]
    for answer in wrong:
        with pytest.raises(CheckFailed) as info:
            first_audit.q1.check(answer, test=test)
        for value in expected:
            assert f"{value:.3f}"[1:] not in str(info.value)
    share_flagged = test.groupby("race_ethnicity")["flagged"].mean()
    with pytest.raises(CheckFailed, match="share flagged among") as info:
        first_audit.q1.check(share_flagged, test=test)
    for value in expected:
        assert f"{value:.3f}"[1:] not in str(info.value)
    assert first_audit.q1.check(expected, test=test) is Outcome.CORRECT
    ratio = expected["Black"] / expected["White"]
    assert first_audit.q2.check(ratio, fpr_by_group=expected, test=test) is Outcome.CORRECT
    with pytest.raises(CheckFailed, match="upside down") as info:
        first_audit.q2.check(1 / ratio, fpr_by_group=expected)
    assert f"{ratio:.3f}"[1:] not in str(info.value)
    with pytest.raises(CheckFailed, match="one number"):
        first_audit.q2.check(expected, fpr_by_group=expected)
    output = capsys.readouterr().out
    for value in expected:
        assert f"{value:.4f}"[1:] not in output


def test_hints_are_graduated(question, capsys):
    question.hint()
    assert "(1 of 2) Count the flagged children." in capsys.readouterr().out
    question.hint()
    assert "(2 of 2) Divide by the number of children." in capsys.readouterr().out
    question.hint()  # stays on the last
    out = capsys.readouterr().out
    assert "(2 of 2)" in out and "last hint" in out
    question.hint(1)
    assert "(1 of 2)" in capsys.readouterr().out


def test_hint_numbers_are_checked(question):
    with pytest.raises(ValueError, match="has 2 hint"):
        question.hint(3)
    with pytest.raises(ValueError, match="from 1 to 2"):
        question.hint(0)
    with pytest.raises(TypeError, match="whole number"):
        question.hint("1")


def test_a_question_without_hints_or_solution_says_so(capsys):
    q = Question("x", checker=lambda a: None)
    assert q.hint() is None and q.solution() is None
    out = capsys.readouterr().out
    assert "no hints" in out and "no stored solution" in out


def test_solution_is_shown_to_self_learners(question, checked, capsys):
    question.solution()
    assert "share_flagged = flagged.mean()" in capsys.readouterr().out
    checked.solution()  # from its stored answer
    assert "share_flagged = sum(flags) / len(flags)" in capsys.readouterr().out


@pytest.mark.parametrize("value", ["1", "true", "YES"])
def test_graded_mode_refuses_solutions_and_model_answers(question, monkeypatch, capsys, value):
    monkeypatch.setenv("RMLKIT_GRADED", value)
    written = WrittenQuestion("why", model_answer="Because of the base rates.", min_words=3)
    assert question.solution() is None
    assert written.reveal("one two three four five") is None
    out = capsys.readouterr().out
    assert "flagged.mean()" not in out and "base rates" not in out
    assert out.count("RMLKIT_GRADED=1") == 2 and "graded work" in out
    assert question.check(0.5) is Outcome.PASSED  # checks and hints still work
    question.hint(1)
    assert "Count the flagged children." in capsys.readouterr().out


def test_graded_mode_is_off_for_other_values(monkeypatch):
    monkeypatch.setenv("RMLKIT_GRADED", "0")
    assert not check_module.graded_mode()


def test_reveal_needs_enough_words_of_the_learners_own(capsys):
    w = WrittenQuestion("trade-off", model_answer="A model answer.", min_words=5)
    assert w.reveal("Too short, sorry.") is None
    out = capsys.readouterr().out
    assert "3 word(s)" in out and "at least 5" in out and "A model answer" not in out
    assert w.reveal(None) is None and w.reveal(...) is None
    capsys.readouterr()
    w.reveal("Children's records differ by group, here.")
    assert "A model answer." in capsys.readouterr().out
    assert check_module._word_count("YOUR ANSWER HERE") == 3
    assert first_audit.w3.reveal("YOUR ANSWER HERE") is None


def test_reveal_rejects_an_answer_that_is_not_text():
    w = WrittenQuestion("trade-off", model_answer="A model answer.", min_words=5)
    with pytest.raises(TypeError, match="my_answer must be your written answer"):
        w.reveal(["a", "list"])


@pytest.mark.parametrize(
    "make, error, words",
    [
        (lambda: Question("", checker=print), TypeError, "name must be a non-empty string"),
        (lambda: Question("x", checker="f"), TypeError, "checker must be a function"),
        (lambda: Question("x", checker=print, hints="one hint"), TypeError, "list of strings"),
        (lambda: Question("x", checker=print, hints=3), TypeError, "list of strings"),
        (lambda: Question("x", checker=print, hints=["a", ""]), TypeError, "hint 2"),
        (lambda: Question("x", checker=print, solution=1), TypeError, "solution must be"),
        (lambda: WrittenQuestion("x", model_answer=""), TypeError, "model_answer must be"),
        (lambda: WrittenQuestion("x"), TypeError, "give a model_answer"),
        (lambda: Question("x", checker=print, answer=3), TypeError, "answer must be"),
        (lambda: Answer(), TypeError, "either expected"),
        (lambda: Answer(share_of, mistakes=["counted"]), TypeError, "KnownMistake"),
        (lambda: KnownMistake("m"), TypeError, "either matches"),
        (lambda: WrittenQuestion("x", "m", min_words=0), ValueError, "min_words"),
        (lambda: WrittenQuestion("x", "m", min_words=2.5), TypeError, "min_words"),
    ],
)
def test_bad_use_of_the_api_gets_a_clear_error(make, error, words):
    with pytest.raises(error, match=words):
        make()


def test_messages_are_html_in_jupyter_and_text_elsewhere(monkeypatch, question):
    import IPython
    import IPython.display

    shown = []
    monkeypatch.setattr(IPython, "get_ipython", lambda: object())
    monkeypatch.setattr(IPython.display, "display", lambda obj, raw: shown.append(obj))
    with pytest.raises(CheckFailed):
        question.check("<b>0.5</b>")
    bundle = shown[-1]
    assert bundle["text/plain"].startswith("Not yet: share_flagged: The share should be")
    assert "<strong>Not yet:</strong>" in bundle["text/html"]
    assert "<code>hint()</code>" in bundle["text/html"]
    question.solution()
    assert "<pre" in shown[-1]["text/html"]
    assert check_module._html("fail", "a <b> `x`", None).count("&lt;b&gt;") == 1


def test_a_failed_check_shows_a_short_traceback_in_ipython(question):
    with pytest.raises(CheckFailed) as info:
        question.check(2.0)
    lines = info.value._render_traceback_()
    assert lines == ["CheckFailed: share_flagged is not right yet (see the message above)."]


def test_the_outcome_is_not_echoed_in_a_notebook():
    assert Outcome.CORRECT._ipython_display_() is None
    assert repr(Outcome.INCORRECT) == "<Outcome.INCORRECT: 'incorrect'>"
