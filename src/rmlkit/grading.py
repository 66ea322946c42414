"""Helpers for grading the course's exercises with nbgrader.

nbgrader puts the hidden tests back into a submission before it runs them, and its
feedback shows each test cell's output. When a hidden test fails, the traceback
quotes the hidden test's code, so students would see it. The preprocessor here
replaces the traceback of a cell with hidden tests by the error's own message (the
assertion text, written as feedback), before ``ClearHiddenTests`` removes the hidden
code from the cell's source. ``exercises/nbgrader_config.py`` uses both.

The functions below run nbgrader on a temporary copy of the course, for the tests and
for the book (which shows the student version of every assignment):
:func:`list_assignments`, :func:`copy_course` and :func:`release`.

Introduced in the {ref}`instructors-guide` (how feedback hides hidden tests).
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

from nbconvert.preprocessors import Preprocessor
from traitlets import Bool, Unicode
from traitlets.config import Config

from ._checks import check_path, check_type

__all__ = ["HideHiddenTestTracebacks", "copy_course", "list_assignments", "release"]


class HideHiddenTestTracebacks(Preprocessor):
    """Keep only ``ErrorName: message`` in the error output of cells with hidden tests.

    Introduced in the {ref}`instructors-guide` (how feedback hides hidden tests).
    """

    enabled = Bool(True).tag(config=True)  # nbconvert's preprocessors are off by default
    begin_test_delimiter = Unicode("BEGIN HIDDEN TESTS").tag(config=True)

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type != "code" or self.begin_test_delimiter not in cell.source:
            return cell, resources
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                message = f"{output.get('ename', 'Error')}: {output.get('evalue', '')}".rstrip(": ")
                output["traceback"] = [message]
            elif output.get("output_type") == "stream" and output.get("name") == "stderr":
                output["text"] = "(error details from the hidden checks are not shown)\n"
        return cell, resources


def list_assignments(course_root) -> list[str]:
    """The assignments of a course: the folders of ``source/`` that hold a notebook.

    Introduced in the {ref}`instructors-guide`.
    """
    source = Path(check_path("course_root", course_root)) / "source"
    if not source.is_dir():
        raise FileNotFoundError(
            f"course_root should be an nbgrader course folder with a source/ folder inside, "
            f"but {source} does not exist. The course's is exercises/."
        )
    return sorted(p.name for p in source.iterdir() if p.is_dir() and any(p.glob("*.ipynb")))


def copy_course(course_root, destination, assignments=None):
    """Copy a course's source assignments and nbgrader settings to ``destination``.

    Returns ``(root, config)``: the new course root and the nbgrader configuration
    loaded from its ``nbgrader_config.py``, pointed at the copy (and at an exchange
    inside it). nbgrader can then release, autograde and give feedback there without
    touching the real course.

    Introduced in the {ref}`instructors-guide`.
    """
    from traitlets.config.loader import PyFileConfigLoader

    course_root = Path(check_path("course_root", course_root))
    root = Path(check_path("destination", destination))
    known = list_assignments(course_root)
    assignments = known if assignments is None else list(assignments)
    unknown = sorted(set(assignments) - set(known))
    if unknown:
        raise ValueError(
            f"assignments should be folders of {course_root / 'source'}, but {unknown} are "
            f"not; the course has {known}."
        )
    ignore = shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__")
    for assignment in assignments:
        shutil.copytree(course_root / "source" / assignment, root / "source" / assignment,
                        ignore=ignore)
    shutil.copy(course_root / "nbgrader_config.py", root / "nbgrader_config.py")
    config = PyFileConfigLoader("nbgrader_config.py", path=str(root)).load_config()
    config.CourseDirectory.root = str(root)
    config.Exchange.root = str(root / "exchange")
    return root, config


def release(assignment: str, root, config) -> Path:
    """Generate the student version of ``assignment`` with nbgrader; return its folder.

    ``root`` and ``config`` come from :func:`copy_course`. The student version has no
    solutions, no hidden tests and no rubrics.

    Introduced in the {ref}`instructors-guide`.
    """
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory

    check_type("assignment", assignment, str, "the name of an assignment, such as 'first-audit'")
    check_type("config", config, Config, "the configuration that copy_course() returns")
    if not (Path(check_path("root", root)) / "source" / assignment).is_dir():
        raise ValueError(f"assignment: {root} has no source/{assignment} folder. "
                         f"Choose one of {list_assignments(root)}.")
    _find_nbgraders_tools()
    api = NbGraderAPI(coursedir=CourseDirectory(config=config), config=config)
    result = api.generate_assignment(assignment)
    if not result["success"]:
        raise RuntimeError(
            f"nbgrader could not generate the student version of {assignment}:\n"
            f"{result.get('error') or result.get('log')}"
        )
    return Path(root) / "release" / assignment


def _find_nbgraders_tools() -> None:
    """nbgrader runs ``alembic`` from PATH: find it next to this Python if need be."""
    if shutil.which("alembic") is None:
        here = str(Path(sys.executable).parent)
        os.environ["PATH"] = f"{here}{os.pathsep}{os.environ.get('PATH', '')}"
