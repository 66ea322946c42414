"""Hand-grading the written answers: the rubric where the grader reads, never in feedback.

- :func:`add_rubrics` puts each written answer's rubric (from the instructor version of
  the assignment, ``source/``) into the autograded notebook, as a markdown cell right
  after the student's answer, marked ``rmlkit.rubric``: nbgrader's formgrader shows the
  autograded notebook, so the grader reads the rubric above the score box.
- :class:`RemoveRubrics` takes those cells out again before feedback is made, and
  :class:`MystAdmonitions` turns the exercises' MyST admonitions (content notes) into
  HTML that nbconvert renders, instead of raw ``{admonition}`` text.
- :func:`ungraded_answers` lists the written answers that wait for a grader, so that
  feedback is not sent with "0 / 3" for an answer nobody has read.
- ``formgrader_command`` is the command ``rmlkit course formgrader`` runs: a Jupyter
  server in the course folder with nbgrader's formgrader on this course.

Introduced in the book page "Instructor's guide" (Grading).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from nbconvert.preprocessors import Preprocessor
from traitlets import Bool

__all__ = ["add_rubrics", "RemoveRubrics", "MystAdmonitions", "ungraded_answers"]

SOLUTION = re.compile(r"### BEGIN SOLUTION\s*\n(?P<body>.*?)### END SOLUTION", re.DOTALL)
RUBRIC_TITLE = "Rubric (for graders: rmlkit removes this cell from feedback)"


def rubrics(source_notebook) -> dict[str, str]:
    """The rubric of every hand-graded cell of an instructor notebook, by grade id.

    The rubric is what the instructor version holds between ``### BEGIN SOLUTION``
    and ``### END SOLUTION`` in a graded answer cell that is not autograded.

    Introduced in the book page "Instructor's guide".
    """
    import nbformat

    nb = nbformat.read(str(source_notebook), as_version=4)
    found = {}
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        manual = meta.get("grade") and meta.get("solution")
        if manual and (match := SOLUTION.search(cell.source)):
            found[meta["grade_id"]] = match["body"].strip()
    return found


def add_rubrics(root, assignment: str, students) -> int:
    """Insert the rubrics into the autograded notebooks of ``students``; returns how many.

    Introduced in the book page "Instructor's guide".
    """
    import nbformat
    from nbformat.v4 import new_markdown_cell

    root = Path(root)
    added = 0
    for source in sorted((root / "source" / assignment).glob("*.ipynb")):
        found = rubrics(source)
        if not found:
            continue
        for student in students:
            path = root / "autograded" / student / assignment / source.name
            if not path.is_file():
                continue
            nb = nbformat.read(str(path), as_version=nbformat.NO_CONVERT)
            cells = [c for c in nb.cells if not c.metadata.get("rmlkit", {}).get("rubric")]
            out = []
            for cell in cells:
                out.append(cell)
                grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
                if grade_id in found:
                    note = new_markdown_cell(f"**{RUBRIC_TITLE}**\n\n{found[grade_id]}")
                    note.metadata["rmlkit"] = {"rubric": True, "grade_id": grade_id}
                    out.append(note)
                    added += 1
            nb.cells = out
            mode = path.stat().st_mode
            path.chmod(mode | 0o200)
            nbformat.write(nb, str(path))
            path.chmod(mode)
    return added


class RemoveRubrics(Preprocessor):
    """Remove the cells :func:`add_rubrics` inserted (for feedback).

    Introduced in the book page "Instructor's guide".
    """

    enabled = Bool(True)  # nbgrader registers preprocessors without enabling them

    def preprocess(self, nb, resources):
        nb.cells = [c for c in nb.cells if not c.metadata.get("rmlkit", {}).get("rubric")]
        return nb, resources


_ADMONITION = re.compile(
    r"^(?P<fence>`{3,}|:{3,})\{(?P<kind>[a-z-]+)\}[ \t]*(?P<title>[^\n]*)\n"
    r"(?P<options>(?:[ \t]*:[a-z-]+:[^\n]*\n)*)(?P<body>.*?)^(?P=fence)[ \t]*$",
    re.MULTILINE | re.DOTALL)
_KINDS = {"admonition", "note", "warning", "tip", "important", "caution", "attention",
          "danger", "error", "hint", "seealso"}


def myst_to_html(text: str) -> str:
    """MyST admonitions (```` ```{admonition} Title ````, ```` ```{note} ````) as HTML."""
    def replace(match):
        kind = match["kind"]
        if kind not in _KINDS:
            return match[0]
        title = match["title"].strip() if kind == "admonition" else kind.capitalize()
        classes = re.findall(r":class:\s*([^\n]+)", match["options"])
        css = " ".join(["admonition", kind, *(classes[0].split() if classes else [])])
        body = myst_to_html(match["body"]).strip()
        return (f'<div class="{css}" style="border-left:4px solid #b35c00;background:#fff7ed;'
                f'padding:.4em 1em;margin:1em 0">\n<p style="font-weight:bold">{title}</p>\n\n'
                f"{body}\n\n</div>")
    return _ADMONITION.sub(replace, text)


class MystAdmonitions(Preprocessor):
    """Render the exercises' MyST admonitions in markdown cells as HTML (for feedback).

    Introduced in the book page "Instructor's guide".
    """

    enabled = Bool(True)

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "markdown":
            cell.source = myst_to_html(cell.source)
        return cell, resources


def ungraded_answers(root, assignment: str) -> list[tuple[str, str]]:
    """(student, grade id) of every answer of ``assignment`` that waits for a grader.

    Introduced in the book page "Instructor's guide".
    """
    from nbgrader.api import Gradebook

    waiting = []
    with Gradebook(f"sqlite:///{Path(root) / 'gradebook.db'}") as gb:
        for submission in gb.assignment_submissions(assignment):
            for notebook in submission.notebooks:
                for grade in notebook.grades:
                    if grade.needs_manual_grade:
                        waiting.append((submission.student_id, grade.name))
    return sorted(waiting)


def formgrader_command(root, port: int = 8765, open_browser: bool = False) -> tuple[list, dict]:
    """The command and environment of a Jupyter server with the formgrader on ``root``.

    The server runs in the course folder, reads the course's ``nbgrader_config.py``,
    and has nbgrader's exchange inside the course (``exchange/``), so the formgrader
    neither shows another course nor warns that the exchange cannot be created.

    Introduced in the book page "Instructor's guide".
    """
    import os

    root = Path(root).resolve()
    (root / "exchange").mkdir(exist_ok=True)
    config_dir = root / ".jupyter"
    config_dir.mkdir(exist_ok=True)
    (config_dir / "nbgrader_config.py").write_text(
        "# Written by rmlkit course formgrader: the exchange lives inside the course.\n"
        "c = get_config()  # noqa: F821\n"
        f"c.Exchange.root = {str(root / 'exchange')!r}\n"
        f"c.CourseDirectory.root = {str(root)!r}\n")
    env = dict(os.environ, JUPYTER_CONFIG_DIR=str(config_dir),
               JUPYTER_DATA_DIR=os.environ.get("JUPYTER_DATA_DIR", str(config_dir / "data")))
    bin_dir = Path(sys.executable).parent
    env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
    command = [str(bin_dir / "jupyter"), "lab", f"--ServerApp.root_dir={root}",
               f"--port={port}", "--ServerApp.ip=127.0.0.1",
               f"--ServerApp.open_browser={open_browser}",
               "--ServerApp.jpserver_extensions=nbgrader.server_extensions.formgrader=True"]
    if os.geteuid() == 0:
        command.append("--allow-root")
    return command, env
