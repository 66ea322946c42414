"""nbgrader configuration for the course's graded exercises.

This folder is the nbgrader course root: assignments live in ``source/<assignment>/``.
``release/``, ``submitted/``, ``autograded/``, ``feedback/`` and ``gradebook.db`` are
made by nbgrader and never committed.
"""

import os

from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
from nbgrader.preprocessors import ClearHiddenTests, GetGrades

from rmlkit.grading import HideHiddenTestOutput

c = get_config()  # noqa: F821 (provided by traitlets when it loads this file)

c.CourseDirectory.course_id = "rml-social-sciences"
c.CourseDirectory.root = os.path.dirname(os.path.abspath(__file__))

# Student code must finish: a cell that runs longer than this fails, and the next runs.
c.Execute.timeout = 120
c.Execute.interrupt_on_timeout = True

c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

# Feedback goes back to students: never show them the hidden tests' code, neither in
# the cells nor in what a cell with hidden tests printed or raised (only whether it
# passed and the test's own message). `rmlkit course feedback` then cleans every page of
# scripts and checks it for hidden-test code, also encoded.
c.GenerateFeedback.preprocessors = [
    GetGrades,
    HideHiddenTestOutput,
    ClearHiddenTests,
    CSSHTMLHeaderPreprocessor,
]
