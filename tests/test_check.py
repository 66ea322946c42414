"""rmlkit.check: outcomes, messages, graduated hints, solutions and graded mode."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from rmlkit import check as check_module
from rmlkit.check import CheckFailed, Mistake, Outcome, Question, WrittenQuestion
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


@pytest.fixture(autouse=True)
def not_graded(monkeypatch):
    monkeypatch.delenv("RMLKIT_GRADED", raising=False)


def test_a_correct_answer_passes_the_visible_checks(question, capsys):
    assert question.check(SECRET) is Outcome.CORRECT
    out = capsys.readouterr().out
    assert "Passed the visible checks for share_flagged." in out
    assert "correct" not in out.lower().replace("incorrect", "")


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
    assert question.check(0.5, total=10) is Outcome.CORRECT
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
    assert first_audit.q1.check(expected, test=test) is Outcome.CORRECT
    ratio = expected["Black"] / expected["White"]
    assert first_audit.q2.check(ratio, fpr_by_group=expected) is Outcome.CORRECT
    with pytest.raises(CheckFailed, match="upside down") as info:
        first_audit.q2.check(1 / ratio, fpr_by_group=expected)
    assert f"{ratio:.3f}"[1:] not in str(info.value)
    with pytest.raises(CheckFailed, match="one number"):
        first_audit.q2.check(expected, fpr_by_group=expected)
    output = capsys.readouterr().out
    for value in expected:
        assert f"{value:.4f}"[1:] not in output


def test_hints_are_graduated(question, capsys):
    assert question.hint() == "Count the flagged children."
    assert question.hint() == "Divide by the number of children."
    assert question.hint() == "Divide by the number of children."  # stays on the last
    assert question.hint(1) == "Count the flagged children."
    out = capsys.readouterr().out
    assert "(1 of 2)" in out and "(2 of 2)" in out and "last hint" in out


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


def test_solution_is_shown_to_self_learners(question, capsys):
    assert question.solution() == "share_flagged = flagged.mean()"
    assert "share_flagged = flagged.mean()" in capsys.readouterr().out


@pytest.mark.parametrize("value", ["1", "true", "YES"])
def test_graded_mode_refuses_solutions_and_model_answers(question, monkeypatch, capsys, value):
    monkeypatch.setenv("RMLKIT_GRADED", value)
    written = WrittenQuestion("why", model_answer="Because of the base rates.", min_words=3)
    assert question.solution() is None
    assert written.reveal("one two three four five") is None
    out = capsys.readouterr().out
    assert "flagged.mean()" not in out and "base rates" not in out
    assert out.count("RMLKIT_GRADED=1") == 2 and "graded work" in out
    assert question.check(0.5) is Outcome.CORRECT  # checks and hints still work
    assert question.hint(1)


def test_graded_mode_is_off_for_other_values(monkeypatch):
    monkeypatch.setenv("RMLKIT_GRADED", "0")
    assert not check_module.graded_mode()


def test_reveal_needs_enough_words_of_the_learners_own(capsys):
    w = WrittenQuestion("trade-off", model_answer="A model answer.", min_words=5)
    assert w.reveal("Too short, sorry.") is None
    out = capsys.readouterr().out
    assert "3 word(s)" in out and "at least 5" in out and "A model answer" not in out
    assert w.reveal(None) is None and w.reveal(...) is None
    assert w.reveal("Children's records differ by group, here.") == "A model answer."
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
    assert lines == ["CheckFailed: share_flagged did not pass the visible checks (see above)."]


def test_the_outcome_is_not_echoed_in_a_notebook():
    assert Outcome.CORRECT._ipython_display_() is None
    assert repr(Outcome.INCORRECT) == "<Outcome.INCORRECT: 'incorrect'>"
