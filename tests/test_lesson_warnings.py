"""Lesson 5 teaches that `audit()` warns about small groups: the warning shows.

The lesson's first cells run in a fresh kernel (nbclient) up to its first audit, and
that cell's output holds rmlkit's warning. The book removes stderr by default
(_config.yml, `stderr_output: remove-warn`); the audit cells ask myst-nb to show it.
"""

from __future__ import annotations

import nbformat
from nbclient import NotebookClient

from conftest import ROOT

LESSON = ROOT / "notebooks" / "05-disaggregated-evaluation.ipynb"


def audit_cells(nb) -> list[int]:
    return [i for i, cell in enumerate(nb.cells)
            if cell.cell_type == "code" and "audit(" in cell.source]


def test_the_small_group_warning_shows_in_lesson_5(tmp_path):
    nb = nbformat.read(LESSON, as_version=4)
    first = audit_cells(nb)[0]
    nb.cells = nb.cells[: first + 1]  # only as far as the first audit: a few seconds
    NotebookClient(nb, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(LESSON.parent)}}).execute()
    stderr = "".join(o.get("text", "") for o in nb.cells[first].outputs
                     if o.get("name") == "stderr")
    assert "UserWarning" in stderr and "fewer than 30 rows" in stderr, stderr or "no warning"


def test_the_book_shows_the_audit_warnings_of_lesson_5():
    nb = nbformat.read(LESSON, as_version=4)
    for i in audit_cells(nb):
        assert nb.cells[i].metadata.get("mystnb", {}).get("output_stderr") == "show", (
            f"cell {i} calls audit(), whose warnings the book would remove")
