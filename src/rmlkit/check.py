"""Checks for the course's exercises: helpful feedback, graduated hints, solutions.

Every graded exercise (in ``exercises/``) asks for answers in code and in words. The
objects here give feedback on those answers while a learner works:

- :class:`Question` checks a code answer. Its *visible checks* (a checker written for
  it) look at the kind of answer: a Series with one value per group, shares between 0
  and 1. A learner working on their own also gets the value checked: the answer is
  compared with the value computed from the data the check is given, and a wrong value
  gets "Not yet" with a pointer to the likely misconception, never the expected value.
  It gives hints one at a time and, for people who learn on their own, a solution.
- :class:`WrittenQuestion` shows a model answer to a written question, but only once
  the learner has written an answer of their own.

A checker is a function ``checker(answer, **context) -> None`` that raises
:class:`Mistake` with a message pointing at what is wrong, in a learner's words and
without giving away the expected value. ``Question.check(answer, **context)`` passes
its keyword arguments on to the checker, so a checker can compare the answer with the
data it was computed from (``q1.check(fpr_by_group, test=test)``).

What a self-check compares with is an :class:`Answer`: a function that computes the
expected value from the same context, its tolerance, the solution and the
:class:`KnownMistake` s of the question. The course's answers live apart from the
questions, in ``rmlkit.exercises._answers``, which the students' image of a graded
workshop does not contain.

Outcomes (:class:`Outcome`): *correct* (the value was checked), *passed the visible
checks* (only the visible checks ran), *incorrect* ("Not yet") and *not attempted*. A
failed check raises :class:`CheckFailed`, a subclass of ``AssertionError``, so that
nbgrader marks the cell as failed.

When the environment variable ``RMLKIT_GRADED`` is ``1`` (a graded workshop), and
while nbgrader autogrades, only the visible checks run (hidden tests decide the grade),
no answer is loaded, and :meth:`Question.solution` and :meth:`WrittenQuestion.reveal`
refuse to show answers. Messages are shown as simple HTML in Jupyter, and as plain
text elsewhere.

Introduced in the book page "Instructor's guide" (the graded exercises).
"""

from __future__ import annotations

import enum
import html
import importlib
import inspect
import os
import re
from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

__all__ = [
    "Answer",
    "CheckFailed",
    "KnownMistake",
    "Mistake",
    "Outcome",
    "Question",
    "WrittenQuestion",
    "graded_mode",
    "same_values",
]

GRADED_ENV = "RMLKIT_GRADED"
_NOT_ATTEMPTED = (None, Ellipsis, NotImplemented)


class Outcome(enum.Enum):
    """What a check found.

    ``CORRECT``: the value is the one the task asks for (checked for self-learners).
    ``PASSED``: the answer passed the visible checks (graded work: hidden tests decide).
    ``INCORRECT``: not yet right. ``NOT_ATTEMPTED``: no answer yet.

    Introduced in the book page "Instructor's guide" (the graded exercises).
    """

    CORRECT = "correct"
    PASSED = "passed the visible checks"
    INCORRECT = "incorrect"
    NOT_ATTEMPTED = "not attempted"


def _display_nothing(self):
    """check() has already shown its message: a notebook need not echo the outcome."""


Outcome._ipython_display_ = _display_nothing  # Enum reserves _sunder_ names in its body


class Mistake(Exception):
    """Raised by a checker: the answer is wrong, and the message says how.

    The message is shown to the learner. Point at the mistake ("a rate must be between
    0 and 1", "there should be one value per group") without giving the expected value.

    Introduced in the book page "Instructor's guide" (the graded exercises).
    """


class CheckFailed(AssertionError):
    """Raised by :meth:`Question.check` when an answer is missing or not yet right.

    It is an ``AssertionError``, so nbgrader marks the check cell as failed. The
    message is in ``str(error)``; ``outcome`` and ``question`` say which check failed
    and how.

    Introduced in the book page "Instructor's guide" (the graded exercises).
    """

    def __init__(self, message: str, *, outcome: Outcome, question: str):
        super().__init__(message)
        self.outcome = outcome
        self.question = question

    def _render_traceback_(self):
        # IPython shows this instead of a traceback through rmlkit's code: the message
        # itself is displayed just above, by check().
        return [f"CheckFailed: {self.question} is not right yet (see the message above)."]


def graded_mode() -> bool:
    """True when ``RMLKIT_GRADED`` is set to 1 (or true/yes): answers stay hidden.

    Introduced in the book page "Instructor's guide" (the graded exercises).
    """
    return os.environ.get(GRADED_ENV, "").strip().lower() in {"1", "true", "yes"}


def _visible_checks_only() -> bool:
    """Graded work, or nbgrader autograding: the hidden tests decide, not the values."""
    return graded_mode() or os.environ.get("NBGRADER_EXECUTION") == "autograde"


# --- showing messages -------------------------------------------------------------

_STYLES = {
    # label, border colour; the label carries the meaning, the colour only repeats it
    "right": ("Correct", "#1a7f37"),
    "pass": ("", "#1a7f37"),
    "fail": ("Not yet", "#b35900"),
    "todo": ("Not attempted", "#57606a"),
    "hint": ("Hint", "#0550ae"),
    "info": ("Note", "#57606a"),
    "answer": ("Solution", "#6639ba"),
}


def _inline_html(text: str) -> str:
    """Escape text for HTML; `backticks` become code."""
    escaped = html.escape(text)
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", escaped)


def _html(kind: str, text: str, code: str | None) -> str:
    label, colour = _STYLES[kind]
    paragraphs = [_inline_html(p) for p in text.split("\n\n")]
    if label:  # the label starts the first paragraph
        paragraphs[0] = f"<strong>{label}:</strong> {paragraphs[0]}"
    body = "".join(f"<p style='margin:0.2em 0'>{p}</p>" for p in paragraphs)
    if code is not None:
        body += f"<pre style='margin:0.4em 0;white-space:pre-wrap'>{html.escape(code)}</pre>"
    return (
        f"<div class='rmlkit-check rmlkit-check-{kind}' role='status' "
        f"style='border-left:4px solid {colour};padding:0.3em 0.8em;margin:0.3em 0'>"
        f"{body}</div>"
    )


def _show(kind: str, text: str, code: str | None = None) -> None:
    """Display a message: HTML in Jupyter, plain text (print) anywhere else."""
    label = _STYLES[kind][0]
    plain = (f"{label}: {text}" if label else text) + (f"\n\n{code}" if code is not None else "")
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:  # pragma: no cover - IPython comes with Jupyter
        get_ipython = None
    if get_ipython is not None and get_ipython() is not None:
        display({"text/plain": plain, "text/html": _html(kind, text, code)}, raw=True)
    else:
        print(plain)


# --- argument checks for the API itself -----------------------------------------------


def _check_name(owner: str, name) -> str:
    if not isinstance(name, str) or not name.strip():
        raise TypeError(
            f"{owner}: name must be a non-empty string that names the answer, such as "
            f"'fpr_by_group', but you gave {name!r}."
        )
    return name.strip()


def _check_text(owner: str, argument: str, value, *, optional: bool = False) -> str | None:
    if value is None and optional:
        return None
    if not isinstance(value, str) or not value.strip():
        allowed = "a non-empty string or None" if optional else "a non-empty string"
        raise TypeError(f"{owner}: {argument} must be {allowed}, but you gave {value!r}.")
    return value


def _check_hints(owner: str, hints) -> tuple[str, ...]:
    if isinstance(hints, str):
        raise TypeError(
            f"{owner}: hints must be a list of strings, from the most general to the most "
            f"specific, but you gave one string. Write hints=[{hints[:30]!r}...]."
        )
    if not isinstance(hints, Sequence):
        raise TypeError(
            f"{owner}: hints must be a list of strings, but you gave a "
            f"{type(hints).__name__}."
        )
    for i, hint in enumerate(hints, start=1):
        if not isinstance(hint, str) or not hint.strip():
            raise TypeError(f"{owner}: hint {i} must be a non-empty string, not {hint!r}.")
    return tuple(hints)


def _word_count(text: str) -> int:
    return len(re.findall(r"[^\W_]+(?:['’-][^\W_]+)*", text))


# --- comparing values ---------------------------------------------------------------


def _as_series(value) -> pd.Series:
    if isinstance(value, dict):
        value = pd.Series(value)
    if not isinstance(value, pd.Series):
        raise TypeError("not a Series")
    return pd.Series(pd.to_numeric(value, errors="coerce").to_numpy(dtype=float),
                     index=[str(i) for i in value.index])


def same_values(answer, expected, *, atol: float = 1e-9) -> bool:
    """True when ``answer`` holds the values of ``expected``, within ``atol``.

    Series (or dicts) are compared by label, whatever their order; DataFrames by row
    and column labels; arrays element by element; numbers as numbers. Anything that
    cannot be compared is not the same.

    Introduced in the book page "Instructor's guide" (the graded exercises).
    """
    try:
        if isinstance(expected, (pd.Series, dict)):
            given, wanted = _as_series(answer), _as_series(expected)
            if not given.index.is_unique or set(given.index) != set(wanted.index):
                return False
            return bool(np.allclose(given[wanted.index].to_numpy(), wanted.to_numpy(),
                                    rtol=0, atol=atol))
        if isinstance(expected, pd.DataFrame):
            if not isinstance(answer, pd.DataFrame):
                return False
            given = answer.rename(index=str, columns=str)
            wanted = expected.rename(index=str, columns=str)
            if (set(given.index) != set(wanted.index)
                    or set(given.columns) != set(wanted.columns)
                    or not given.index.is_unique or not given.columns.is_unique):
                return False
            given = given.loc[wanted.index, wanted.columns].apply(pd.to_numeric,
                                                                  errors="coerce")
            return bool(np.allclose(given.to_numpy(dtype=float),
                                    wanted.to_numpy(dtype=float), rtol=0, atol=atol))
        if isinstance(expected, (np.ndarray, list, tuple)):
            given, wanted = np.asarray(answer), np.asarray(expected)
            if given.shape != wanted.shape:
                return False
            return bool(np.allclose(given.astype(float), wanted.astype(float),
                                    rtol=0, atol=atol))
        if isinstance(answer, bool) or isinstance(answer, (pd.Series, pd.DataFrame)):
            return False
        return bool(np.isclose(float(answer), float(expected), rtol=0, atol=atol))
    except (TypeError, ValueError, KeyError):
        return False


class _MissingContext(Exception):
    """A function needs data the check was not given."""

    def __init__(self, names: list[str]):
        super().__init__(", ".join(names))
        self.names = names


def _call(function: Callable, *args, **context):
    """Call ``function`` with the positional args and only the context it accepts."""
    parameters = inspect.signature(function).parameters.values()
    if any(p.kind is p.VAR_KEYWORD for p in parameters):
        return function(*args, **context)
    names = [p.name for p in parameters
             if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)][len(args):]
    missing = [p.name for p in parameters if p.name in names and p.default is p.empty
               and p.name not in context]
    if missing:
        raise _MissingContext(missing)
    return function(*args, **{k: v for k, v in context.items() if k in names})


# --- answers: what a self-check compares with ----------------------------------------


class KnownMistake:
    """A conceptual mistake a self-check recognises, with its own message.

    Introduced in the book page "Instructor's guide" (the graded exercises).

    Parameters
    ----------
    message : str
        What went wrong, in a learner's words, without the expected value (like a hint).
    matches : callable
        ``matches(answer, **context) -> bool``: true for the answer the mistake gives.
    wrong_value : callable
        Instead of ``matches``: ``wrong_value(**context)`` computes the value the
        mistake gives; an answer with that value (within the answer's tolerance) matches.
    """

    def __init__(self, message: str, *, matches: Callable | None = None,
                 wrong_value: Callable | None = None):
        self.message = _check_text("KnownMistake", "message", message)
        if (matches is None) == (wrong_value is None):
            raise TypeError("KnownMistake: give either matches=... (a test of the answer) "
                            "or wrong_value=... (the value the mistake gives), not both.")
        self.matches = matches
        self.wrong_value = wrong_value

    def __repr__(self) -> str:
        return f"KnownMistake({self.message[:40]!r}...)"

    def recognises(self, answer, atol: float, context: dict) -> bool:
        """True if ``answer`` is what this mistake gives."""
        if self.matches is not None:
            return bool(_call(self.matches, answer, **context))
        return same_values(answer, _call(self.wrong_value, **context), atol=atol)


class Answer:
    """What a self-check compares an answer with; kept apart from the question.

    Introduced in the book page "Instructor's guide" (the graded exercises).

    Parameters
    ----------
    expected : callable, optional
        ``expected(**context)`` computes the right value from the data the check gets.
    is_right : callable, optional
        Instead of ``expected``: ``is_right(answer, **context) -> bool``, for answers
        judged by a property (a split by household) rather than a value.
    atol : float, default 1e-9
        How far from the expected value an answer may be (absolute tolerance).
    mistakes : list of KnownMistake
        Known conceptual mistakes, tried in order when the answer is not right.
    solution : str, optional
        A solution, shown by :meth:`Question.solution` to self-learners.
    """

    def __init__(self, expected: Callable | None = None, *, is_right: Callable | None = None,
                 atol: float = 1e-9, mistakes: Sequence[KnownMistake] = (),
                 solution: str | None = None):
        if (expected is None) == (is_right is None):
            raise TypeError("Answer: give either expected=... (a function of the context "
                            "that computes the right value) or is_right=..., not both.")
        self.expected, self.is_right, self.atol = expected, is_right, float(atol)
        self.mistakes = tuple(mistakes)
        if not all(isinstance(m, KnownMistake) for m in self.mistakes):
            raise TypeError("Answer: mistakes must be a list of KnownMistake objects.")
        self.solution = _check_text("Answer", "solution", solution, optional=True)

    def right(self, answer, context: dict) -> bool:
        """True if ``answer`` is right for this context."""
        if self.is_right is not None:
            return bool(_call(self.is_right, answer, **context))
        return same_values(answer, _call(self.expected, **context), atol=self.atol)

    def mistake(self, answer, context: dict) -> KnownMistake | None:
        """The first known mistake that ``answer`` shows, if any."""
        for known in self.mistakes:
            try:
                if known.recognises(answer, self.atol, context):
                    return known
            except _MissingContext:
                continue
            except Exception:  # noqa: BLE001 - a mistake that does not apply to this answer
                continue
        return None


def _load(key, kind):
    """The answer named by ``key`` ("package.module:name"), or None when not installed.

    Never called in graded mode: a graded kernel does not import the answers.
    """
    if key is None or (kind is not None and isinstance(key, kind)):
        return key
    module, _, name = key.partition(":")
    try:
        return getattr(importlib.import_module(module), name)
    except ImportError:  # the students' image of a graded workshop has no answers
        return None


# --- questions ----------------------------------------------------------------------


class Question:
    """One task of an exercise: check your answer, ask for hints, see a solution.

    Use it like this (``q1`` is the first question of an exercise)::

        q1.check(harm_rate, df=df)   # is my answer right? (the data it came from)
        q1.hint()                    # the next hint, from general to specific
        q1.solution()                # one solution, when you work on your own

    ``check`` says *Correct* when your values are the ones the task asks for, *Not yet*
    with a pointer to the likely misconception when they are not, and *Not attempted*
    while the answer is still missing. In graded work (``RMLKIT_GRADED=1``) it runs only
    the visible checks and says *Passed the visible checks*: hidden tests decide the
    grade, and ``solution()`` is switched off.

    Introduced in the book page "Instructor's guide" (the graded exercises).
    """

    def __init__(
        self,
        name: str,
        checker: Callable[..., object],
        hints: Sequence[str] = (),
        solution: str | None = None,
        answer: Answer | str | None = None,
    ):
        """Make a question (for authors of exercises).

        Parameters
        ----------
        name : str
            The name shown in messages, usually the variable the learner creates.
        checker : callable
            The visible checks: ``checker(answer, **context)`` raises :class:`Mistake` with
            a helpful message if the answer is the wrong kind of thing.
        hints : list of str, optional
            Hints from the most general to the most specific; ``hint(1)``, ``hint(2)``...
        solution : str, optional
            Code shown by :meth:`solution` (when ``answer`` holds none).
        answer : Answer or str, optional
            What a self-check compares with, or where to find it (``"module:name"``, loaded
            only when needed, never in graded mode).

        Examples
        --------
        >>> def check_rate(answer):
        ...     if not 0 <= answer <= 1:
        ...         raise Mistake("A rate must be between 0 and 1.")
        >>> half = Answer(expected=lambda flags: sum(flags) / len(flags))
        >>> q1 = Question("rate", checker=check_rate, hints=["Divide by the group's size."],
        ...               answer=half)
        >>> q1.check(0.5, flags=[1, 0])
        Correct: rate has the value the task asks for.
        <Outcome.CORRECT: 'correct'>
        """
        self.name = _check_name("Question", name)
        owner = f"Question {self.name!r}"
        if not callable(checker):
            raise TypeError(
                f"{owner}: checker must be a function that takes the answer and raises "
                f"rmlkit.check.Mistake when it is wrong, but you gave {checker!r}."
            )
        if answer is not None and not isinstance(answer, (Answer, str)):
            raise TypeError(f"{owner}: answer must be an rmlkit.check.Answer or the name of "
                            f"one ('module:name'), but you gave {answer!r}.")
        self.checker = checker
        self.hints = _check_hints(owner, hints)
        self._solution = _check_text(owner, "solution", solution, optional=True)
        self._answer = answer
        self._next_hint = 1

    def __repr__(self) -> str:
        return f"Question({self.name!r}, {len(self.hints)} hints)"

    def check(self, answer, **context) -> Outcome:
        """Check ``answer``: show a message, and raise :class:`CheckFailed` unless it passes.

        Pass the data the answer was computed from as keywords (the check cell of the
        exercise shows which). ``None``, ``...`` and ``NotImplemented`` count as not
        attempted. Returns ``Outcome.CORRECT`` when the value is right, or
        ``Outcome.PASSED`` when only the visible checks ran.
        """
        if any(answer is missing for missing in _NOT_ATTEMPTED):
            message = (
                f"You have not answered {self.name} yet: replace {answer!r} with your "
                "answer, run that cell, then run this check again."
            )
            _show("todo", message)
            raise CheckFailed(message, outcome=Outcome.NOT_ATTEMPTED, question=self.name)
        message = self._visible_checks(answer, context)
        if message is None:
            if _visible_checks_only():
                _show("pass", f"Passed the visible checks for {self.name}.")
                return Outcome.PASSED
            outcome, message = self._self_check(answer, context)
            if outcome is not None:
                return outcome
        if self.hints:
            message += " For a hint, call this question's `hint()` (see the cell below the task)."
        _show("fail", message)
        raise CheckFailed(message, outcome=Outcome.INCORRECT, question=self.name)

    def _visible_checks(self, answer, context: dict) -> str | None:
        """None if the answer passes the visible checks, else the message."""
        try:
            _call(self.checker, answer, **context)
        except Mistake as mistake:
            return f"{self.name}: {mistake}"
        except _MissingContext as missing:
            raise TypeError(f"{self.name}.check() needs {missing} as keyword arguments; "
                            "see the check cell of the exercise.") from None
        except Exception as error:  # the answer broke the checker: still the answer's fault
            return (
                f"{self.name} could not be checked: looking at your answer raised "
                f"{type(error).__name__}: {error}. Check that it is the kind of object "
                "the task asks for."
            )
        return None

    def _self_check(self, answer, context: dict):
        """(outcome, None) when the check is over, (None, message) when not yet right."""
        stored = _load(self._answer, Answer)
        if stored is None:
            _show("pass", f"Passed the visible checks for {self.name}. (No stored answer "
                  "is installed here, so its values were not checked.)")
            return Outcome.PASSED, None
        try:
            right = stored.right(answer, context)
        except _MissingContext as missing:
            _show("pass", f"Passed the visible checks for {self.name}. To check its "
                  f"values too, also pass {missing} to check(), as the exercise's check "
                  "cell does.")
            return Outcome.PASSED, None
        except Exception as error:  # noqa: BLE001 - the answer broke the comparison
            return None, (f"{self.name} could not be compared with the right value: "
                          f"{type(error).__name__}: {error}.")
        if right:
            what = "values" if isinstance(answer, (pd.Series, pd.DataFrame, dict,
                                                   np.ndarray, tuple)) else "value"
            _show("right", f"{self.name} has the {what} the task asks for.")
            return Outcome.CORRECT, None
        known = stored.mistake(answer, context)
        if known is not None:
            starts = known.message.startswith(self.name)
            return None, known.message if starts else f"{self.name}: {known.message}"
        return None, (f"{self.name} passes the visible checks, but its values are not the "
                      "ones the task asks for. Re-read the task: which rows, which column, "
                      "what you divide by.")

    def hint(self, n: int | None = None) -> None:
        """Show hint ``n`` (1 is the most general); without ``n``, the next hint."""
        if not self.hints:
            _show("info", f"There are no hints for {self.name}.")
            return None
        if n is None:
            n = min(self._next_hint, len(self.hints))
        if isinstance(n, bool) or not isinstance(n, int):
            raise TypeError(
                f"hint(n): n must be a whole number from 1 to {len(self.hints)}, "
                f"but you gave {n!r}."
            )
        if not 1 <= n <= len(self.hints):
            raise ValueError(
                f"hint(n): {self.name} has {len(self.hints)} hint(s), so n must be from 1 "
                f"to {len(self.hints)}, but you gave {n}."
            )
        self._next_hint = max(self._next_hint, n + 1)
        text = f"({n} of {len(self.hints)}) {self.hints[n - 1]}"
        if n == len(self.hints) and not graded_mode():
            text += "\n\nThat was the last hint. If you are stuck, `solution()` shows an answer."
        _show("hint", text)
        return None

    def solution(self) -> None:
        """Show a solution, unless this is a graded workshop (``RMLKIT_GRADED=1``)."""
        if graded_mode():
            _show(
                "info",
                f"Solutions are switched off because this is graded work ({GRADED_ENV}=1). "
                "Use the hints, and ask your instructor if you are stuck.",
            )
            return None
        stored = _load(self._answer, Answer)
        text = stored.solution if stored is not None and stored.solution else self._solution
        if text is None:
            _show("info", f"There is no stored solution for {self.name}; try the hints.")
            return None
        _show("answer", f"One solution for {self.name}:", code=text)
        return None


class WrittenQuestion:
    """A written task: compare your answer with a model answer once you have written one.

    Use it like this: ``w4.reveal(my_text)`` shows the model answer when
    your answer has at least ``min_words`` words (switched off in graded work).

    Introduced in the book page "Instructor's guide" (the graded exercises).
    """

    def __init__(self, name: str, model_answer: str | None = None, min_words: int = 50,
                 answer: str | None = None):
        """Make a written question (for authors of exercises).

        Parameters
        ----------
        name : str
            The name shown in messages.
        model_answer : str, optional
            A model answer, shown by :meth:`reveal`.
        min_words : int, default 50
            How many words the learner's own answer needs before the model answer is shown.
        answer : str, optional
            Instead of ``model_answer``: where the model answer is (``"module:name"``),
            loaded only when shown, never in graded mode.
        """
        from rmlkit._checks import check_count

        self.name = _check_name("WrittenQuestion", name)
        owner = f"WrittenQuestion {self.name!r}"
        if model_answer is None and answer is None:
            raise TypeError(f"{owner}: give a model_answer (text) or answer='module:name'.")
        self._model_answer = _check_text(owner, "model_answer", model_answer, optional=True)
        self._answer = _check_text(owner, "answer", answer, optional=True)
        self.min_words = check_count("min_words", min_words, minimum=1)

    def __repr__(self) -> str:
        return f"WrittenQuestion({self.name!r}, min_words={self.min_words})"

    def reveal(self, my_answer: str) -> None:
        """Show the model answer if ``my_answer`` has at least ``min_words`` words."""
        if graded_mode():
            _show(
                "info",
                f"Model answers are switched off because this is graded work "
                f"({GRADED_ENV}=1). Your instructor will give feedback on your answer.",
            )
            return None
        if any(my_answer is missing for missing in _NOT_ATTEMPTED):
            my_answer = ""
        if not isinstance(my_answer, str):
            raise TypeError(
                f"reveal(my_answer): my_answer must be your written answer as a string "
                f"(in quotes, or triple quotes for several lines), but you gave a "
                f"{type(my_answer).__name__}."
            )
        words = _word_count(my_answer)
        if words < self.min_words:
            _show(
                "todo",
                f"Write your own answer to {self.name} first: it has {words} word(s), and "
                f"the model answer is shown after at least {self.min_words}. Thinking it "
                "through yourself is where the learning happens.",
            )
            return None
        text = self._model_answer or _load(self._answer, None)
        if text is None:
            _show("info", f"No model answer for {self.name} is installed here; ask your "
                  "instructor.")
            return None
        _show("answer", f"A model answer for {self.name}. Compare it with yours:", code=text)
        return None
