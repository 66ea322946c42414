"""The answers of the course's exercises: expected values, known mistakes, solutions and
model answers, one module per assignment (``social_data`` for ``social-data``).

They live apart from the questions (:mod:`rmlkit.exercises`): a question names its
answer (``"rmlkit.exercises._answers.social_data:q1"``) and loads it only when a
self-learner checks a value or asks for a solution, never in graded mode. The students'
image of a graded workshop is built without this folder (``deploy/student_edition.sh``),
so graded students have no answer key to read; self-learners and instructors keep it.

Each ``qN`` is an :class:`rmlkit.check.Answer` that computes the expected value from the
data the check receives (never a stored number: the data can be regenerated) and lists
the question's known conceptual mistakes; each ``wN`` is a model answer. The solutions
are the same text as the ``### BEGIN SOLUTION`` regions of the notebooks in
``exercises/source/`` (tests/test_exercise_answers.py fails when they differ).

Introduced with the graded exercises; the {ref}`instructors-guide` explains them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def mean_by(values, groups, index=None, keep=None) -> pd.Series:
    """The mean of ``values`` in each group (labels as strings), among the rows ``keep``."""
    values = np.asarray(values, dtype=float)
    groups = np.asarray(groups).astype(str)
    if keep is not None:
        keep = np.asarray(keep, dtype=bool)
        values, groups = values[keep], groups[keep]
    means = pd.Series(values).groupby(groups).mean()
    return means if index is None else means.reindex([str(i) for i in index])


def sum_by(values, groups) -> pd.Series:
    """The sum of ``values`` in each group (labels as strings)."""
    return pd.Series(np.asarray(values, dtype=float)).groupby(
        np.asarray(groups).astype(str)).sum()
