"""Checks for the course's exercises: helpful feedback, graduated hints, solutions.

Every graded exercise (in ``exercises/``) asks for answers in code and in words. The
objects here give feedback on those answers while a learner works:

- :class:`Question` checks a code answer with a *checker* written for it, says whether
  the answer passed the visible checks, gives hints one at a time and, for people who
  learn on their own, shows a solution.
- :class:`WrittenQuestion` shows a model answer to a written question, but only once
  the learner has written an answer of their own.

A checker is a function ``checker(answer, **context) -> None`` that raises
:class:`Mistake` with a message pointing at what is wrong, in a learner's words and
without giving away the expected value. ``Question.check(answer, **context)`` passes
its keyword arguments on to the checker, so a checker can compare the answer with the
data it was computed from (``q1.check(fpr_by_group, test=test)``) instead of storing
expected values a learner could print.

A failed check raises :class:`CheckFailed`, a subclass of ``AssertionError``, so that
nbgrader marks the cell as failed. Passing the visible checks is a good sign, not a
guarantee: graded work also runs hidden tests.

Messages are shown as simple HTML in Jupyter, and as plain text elsewhere. When the
environment variable ``RMLKIT_GRADED`` is ``1`` (a graded workshop),
:meth:`Question.solution` and :meth:`WrittenQuestion.reveal` refuse to show answers.

Introduced with the graded exercises; the {ref}`instructors-guide` explains them.
"""

from __future__ import annotations

import enum
import html
import os
import re
from collections.abc import Callable, Sequence

__all__ = [
    "CheckFailed",
    "Mistake",
    "Outcome",
    "Question",
    "WrittenQuestion",
    "graded_mode",
]

GRADED_ENV = "RMLKIT_GRADED"
_NOT_ATTEMPTED = (None, Ellipsis, NotImplemented)


class Outcome(enum.Enum):
    """What a check found: the answer passed, failed, or is still missing.

    Introduced with the graded exercises; the {ref}`instructors-guide` explains them.
    """

    CORRECT = "correct"
    INCORRECT = "incorrect"
    NOT_ATTEMPTED = "not attempted"


def _display_nothing(self):
    """check() has already shown its message: a notebook need not echo the outcome."""


Outcome._ipython_display_ = _display_nothing  # Enum reserves _sunder_ names in its body


class Mistake(Exception):
    """Raised by a checker: the answer is wrong, and the message says how.

    The message is shown to the learner. Point at the mistake ("a rate must be between
    0 and 1", "there should be one value per group") without giving the expected value.

    Introduced with the graded exercises; the {ref}`instructors-guide` explains them.
    """


class CheckFailed(AssertionError):
    """Raised by :meth:`Question.check` when an answer is missing or fails a check.

    It is an ``AssertionError``, so nbgrader marks the check cell as failed. The
    message is in ``str(error)``; ``outcome`` and ``question`` say which check failed
    and how.

    Introduced with the graded exercises; the {ref}`instructors-guide` explains them.
    """

    def __init__(self, message: str, *, outcome: Outcome, question: str):
        super().__init__(message)
        self.outcome = outcome
        self.question = question

    def _render_traceback_(self):
        # IPython shows this instead of a traceback through rmlkit's code: the message
        # itself is displayed just above, by check().
        return [f"CheckFailed: {self.question} did not pass the visible checks (see above)."]


def graded_mode() -> bool:
    """True when ``RMLKIT_GRADED`` is set to 1 (or true/yes): answers stay hidden.

    Introduced with the graded exercises; the {ref}`instructors-guide` explains them.
    """
    return os.environ.get(GRADED_ENV, "").strip().lower() in {"1", "true", "yes"}


# --- showing messages -------------------------------------------------------------

_STYLES = {
    # label, border colour; the label carries the meaning, the colour only repeats it
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


# --- questions ----------------------------------------------------------------------


class Question:
    """A code answer with a checker, graduated hints and a solution.

    Parameters
    ----------
    name : str
        The name shown in messages, usually the variable the learner creates.
    checker : callable
        ``checker(answer, **context)`` raises :class:`Mistake` with a helpful message if
        the answer is wrong, and returns nothing if it passes.
    hints : list of str, optional
        Hints from the most general to the most specific; ``hint(1)``, ``hint(2)``...
    solution : str, optional
        Code or text shown by :meth:`solution`, for people learning on their own.

    Examples
    --------
    >>> def check_rate(answer):
    ...     if not 0 <= answer <= 1:
    ...         raise Mistake("A rate must be between 0 and 1.")
    >>> q1 = Question("rate", checker=check_rate, hints=["Divide by the group's size."])
    >>> q1.check(0.2)
    Passed the visible checks for rate.
    <Outcome.CORRECT: 'correct'>

    Introduced with the graded exercises; the {ref}`instructors-guide` explains them.
    """

    def __init__(
        self,
        name: str,
        checker: Callable[..., object],
        hints: Sequence[str] = (),
        solution: str | None = None,
    ):
        self.name = _check_name("Question", name)
        owner = f"Question {self.name!r}"
        if not callable(checker):
            raise TypeError(
                f"{owner}: checker must be a function that takes the answer and raises "
                f"rmlkit.check.Mistake when it is wrong, but you gave {checker!r}."
            )
        self.checker = checker
        self.hints = _check_hints(owner, hints)
        self._solution = _check_text(owner, "solution", solution, optional=True)
        self._next_hint = 1

    def __repr__(self) -> str:
        return f"Question({self.name!r}, {len(self.hints)} hints)"

    def check(self, answer, **context) -> Outcome:
        """Check ``answer``: show a message, and raise :class:`CheckFailed` unless it passes.

        ``None``, ``...`` and ``NotImplemented`` count as not attempted. Keyword
        arguments (the data the answer was computed from) are passed to the checker.
        Returns :attr:`Outcome.CORRECT` when the answer passes the visible checks.
        """
        if any(answer is missing for missing in _NOT_ATTEMPTED):
            message = (
                f"You have not answered {self.name} yet: replace {answer!r} with your "
                "answer, run that cell, then run this check again."
            )
            _show("todo", message)
            raise CheckFailed(message, outcome=Outcome.NOT_ATTEMPTED, question=self.name)
        try:
            self.checker(answer, **context)
        except Mistake as mistake:
            message = f"{self.name}: {mistake}"
        except Exception as error:  # the answer broke the checker: still the answer's fault
            message = (
                f"{self.name} could not be checked: looking at your answer raised "
                f"{type(error).__name__}: {error}. Check that it is the kind of object "
                "the task asks for."
            )
        else:
            _show("pass", f"Passed the visible checks for {self.name}.")
            return Outcome.CORRECT
        if self.hints:
            message += " For a hint, call this question's `hint()` (see the cell below the task)."
        _show("fail", message)
        raise CheckFailed(message, outcome=Outcome.INCORRECT, question=self.name)

    def hint(self, n: int | None = None) -> str | None:
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
        if n == len(self.hints) and self._solution is not None:
            text += "\n\nThat was the last hint. If you are stuck, `solution()` shows an answer."
        _show("hint", text)
        return self.hints[n - 1]

    def solution(self) -> str | None:
        """Show the solution, unless this is a graded workshop (``RMLKIT_GRADED=1``)."""
        if graded_mode():
            _show(
                "info",
                f"Solutions are switched off because this is graded work ({GRADED_ENV}=1). "
                "Use the hints, and ask your instructor if you are stuck.",
            )
            return None
        if self._solution is None:
            _show("info", f"There is no stored solution for {self.name}; try the hints.")
            return None
        _show("answer", f"One solution for {self.name}:", code=self._solution)
        return self._solution


class WrittenQuestion:
    """A written question whose model answer is shown only after the learner's own.

    Parameters
    ----------
    name : str
        The name shown in messages.
    model_answer : str
        A model answer, shown by :meth:`reveal`.
    min_words : int, default 50
        How many words the learner's own answer needs before the model answer is shown.

    Introduced with the graded exercises; the {ref}`instructors-guide` explains them.
    """

    def __init__(self, name: str, model_answer: str, min_words: int = 50):
        from rmlkit._checks import check_count

        self.name = _check_name("WrittenQuestion", name)
        owner = f"WrittenQuestion {self.name!r}"
        self._model_answer = _check_text(owner, "model_answer", model_answer)
        self.min_words = check_count("min_words", min_words, minimum=1)

    def __repr__(self) -> str:
        return f"WrittenQuestion({self.name!r}, min_words={self.min_words})"

    def reveal(self, my_answer: str) -> str | None:
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
        _show("answer", f"A model answer for {self.name}. Compare it with yours:",
              code=self._model_answer)
        return self._model_answer
