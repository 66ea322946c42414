"""The question objects of the course's graded exercises, one module per assignment.

Each module is named after its assignment in ``exercises/source/`` (dashes become
underscores: ``first-audit`` is :mod:`rmlkit.exercises.first_audit`) and defines the
questions its notebook checks: ``q1``, ``q2``... (:class:`rmlkit.check.Question`) and
written questions (:class:`rmlkit.check.WrittenQuestion`), with their visible checks
and hints. What a self-check compares with (the expected values, computed from the data
the check cell passes, the known mistakes, the solutions and the model answers) lives
apart, in :mod:`rmlkit.exercises._answers`, loaded only when a self-learner needs it and
never in graded mode; the students' image of a graded workshop does not contain it. In
graded work the exact answers are checked by the hidden tests in the notebooks.

Introduced with the graded exercises, starting with the exercise of
{ref}`lesson-risk-model`.
"""

import numpy as np

from rmlkit.check import Mistake


def reject_upside_down(answer, inverted, message: str) -> None:
    """Raise ``Mistake(message)`` when a ratio equals its inverse (and is not 1)."""
    if np.isclose(answer, inverted, rtol=1e-9) and not np.isclose(inverted, 1):
        raise Mistake(message)
