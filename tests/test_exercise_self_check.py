"""Self-check mode, run on every assignment's submission bank.

A self-learner has no hidden tests: ``check()`` compares their values with the values
computed from the data the check cell passes it. For each bank
(``tests/submission_bank/<assignment>.yaml``), the source notebook's setup runs once in
this process, then each submission's answers and the visible part of every check cell
(never the hidden tests), as a learner's kernel would:

- without ``RMLKIT_GRADED``, the correct submission is *Correct* everywhere, and each
  "passes-visible" submission gets *Not yet* in the cells its ``not_yet`` lists, with
  the message of the known mistake it makes (and no expected value);
- with ``RMLKIT_GRADED=1``, the same submissions only *pass the visible checks*: in
  graded work the hidden tests decide (``tests/test_submission_bank.py`` shows, with
  nbgrader, that they fail those cells);
- every autograded question has, in the bank, at least one such known mistake.
"""

from __future__ import annotations

import contextlib
import io
import re

import pytest
from exercise_bank import (
    BANK_DIR,
    checked_question,
    grade_cells,
    load_bank,
    prepare,
    read_source,
    run_submission,
)

from rmlkit import check
from rmlkit.check import Answer, CheckFailed, Outcome, Question

pytestmark = pytest.mark.slow

BANKS = sorted(BANK_DIR.glob("*.yaml"))


def _known(bank):
    return {name: entry for name, entry in bank["submissions"].items()
            if name == "correct" or name.startswith("passes-visible")}


@pytest.fixture(scope="module", params=BANKS, ids=[p.stem for p in BANKS])
def checked(request):
    """(bank, {(submission, mode): {grade_id: (outcome, message)}}, printed output)."""
    bank = load_bank(request.param)
    namespace, cells = prepare(bank["assignment"], bank["notebook"])
    results, printed, contexts = {}, {}, []
    original = Question.check

    def recording(question, answer, **context):
        contexts.append((question, context))
        return original(question, answer, **context)

    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("NBGRADER_EXECUTION", raising=False)
        patch.setattr(Question, "check", recording)
        for mode in ("self", "graded"):
            if mode == "graded":
                patch.setenv("RMLKIT_GRADED", "1")
            else:
                patch.delenv("RMLKIT_GRADED", raising=False)
            for name, entry in _known(bank).items():
                out = io.StringIO()
                with contextlib.redirect_stdout(out):
                    results[name, mode] = run_submission(namespace, cells, entry["answers"])
                printed[name, mode] = out.getvalue()
                if name == "correct" and mode == "self":
                    results["contexts"] = list(contexts)
    return bank, results, printed


def test_the_correct_submission_is_correct_in_self_check_mode(checked):
    bank, results, printed = checked
    source = read_source(bank["assignment"], bank["notebook"])
    checks = {gid for gid, cell in grade_cells(source).items() if checked_question(cell)}
    got = results["correct", "self"]
    assert set(got) == checks, f"{bank['assignment']}: check cells that did not run: " \
        f"{sorted(checks - set(got))}"
    wrong = {gid: r for gid, r in got.items() if r[0] is not Outcome.CORRECT}
    assert not wrong, f"{bank['assignment']}: the correct submission is not Correct: {wrong}"
    assert printed["correct", "self"].count("Correct: ") == len(checks)


def test_known_mistakes_get_not_yet_with_their_message(checked):
    bank, results, printed = checked
    for name, entry in _known(bank).items():
        if name == "correct":
            continue
        for grade_id, words in entry["not_yet"].items():
            outcome, message = results[name, "self"][grade_id]
            assert outcome is Outcome.INCORRECT, (
                f"{bank['assignment']}/{name}: {grade_id} says {outcome}, not Not yet")
            assert words in message, (
                f"{bank['assignment']}/{name}: {grade_id} does not point at the mistake "
                f"({words!r}): {message}")
            assert "not the ones the task asks for" not in message  # a pointed message
        assert "Not yet:" in printed[name, "self"]


def test_messages_never_show_a_value(checked):
    # The messages are written text: no number with decimals, so no expected value.
    _, results, printed = checked
    for key, cells in results.items():
        if key == "contexts":
            continue
        name = key[0]
        for grade_id, (_, message) in cells.items():
            assert not re.search(r"\d\.\d{2}", message), f"{name}/{grade_id}: {message}"


def test_in_graded_mode_the_mistakes_pass_the_visible_checks(checked):
    bank, results, printed = checked
    for name in _known(bank):
        got = results[name, "graded"]
        assert got and all(r[0] is Outcome.PASSED for r in got.values()), (
            f"{bank['assignment']}/{name} in graded mode: {got}")
        assert "Correct" not in printed[name, "graded"]
        assert "Not yet" not in printed[name, "graded"]


def test_every_autograded_question_has_a_known_mistake_in_the_bank(checked):
    bank, _, _ = checked
    source = read_source(bank["assignment"], bank["notebook"])
    cells = grade_cells(source)
    questions = {checked_question(c) for c in cells.values()} - {None}
    caught = {checked_question(cells[gid]) for name, entry in _known(bank).items()
              if name != "correct" for gid in entry["not_yet"]}
    assert questions <= caught, (
        f"{bank['assignment']}: no known mistake in the bank for {sorted(questions - caught)}")


def test_every_known_mistake_given_as_a_wrong_value_gets_its_message(checked, monkeypatch):
    # For each question, with the data its check cell passes: the value each known
    # mistake gives is Not yet, with that mistake's message (or an earlier one's, when
    # two mistakes give the same value), never Correct and never the generic message.
    bank, results, _ = checked
    monkeypatch.delenv("RMLKIT_GRADED", raising=False)
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    tried = 0
    for question, context in results["contexts"]:
        stored = check._load(question._answer, Answer)
        for i, known in enumerate(stored.mistakes):
            if known.wrong_value is None:
                continue  # recognised by a test of the answer: the bank shows it
            wrong = check._call(known.wrong_value, **context)
            with contextlib.redirect_stdout(io.StringIO()), \
                    pytest.raises(CheckFailed) as failed:
                question.check(wrong, **context)
            message = str(failed.value)
            assert failed.value.outcome is Outcome.INCORRECT
            earlier_or_mine = [m.message for m in stored.mistakes[:i + 1]]
            later = [m.message for m in stored.mistakes[i + 1:]]
            visible = not any(m in message for m in earlier_or_mine + later)
            assert any(m in message for m in earlier_or_mine) or visible, (
                f"{bank['assignment']} {question.name}: mistake {i + 1} is not "
                f"recognised: {message}")
            assert "not the ones the task asks for" not in message, message
            tried += 1
    assert tried, f"{bank['assignment']}: no known mistake was tried"
