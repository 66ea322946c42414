"""Every lesson notebook is committed clean, follows the template and executes."""

from __future__ import annotations

import nbformat
import pytest
from nbclient import NotebookClient

from conftest import lesson_notebooks

LESSONS = lesson_notebooks()
TEMPLATE_HEADINGS = ["What you will learn", "Summary", "Exercises", "Further reading"]


def test_there_are_lessons():
    assert LESSONS, "no lesson notebooks found in notebooks/"


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem)
def test_lesson_is_committed_without_outputs(path):
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert not cell.outputs, f"{path.name}: strip the outputs (nbstripout)"
            assert cell.execution_count is None


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem)
def test_lesson_follows_the_template(path):
    nb = nbformat.read(path, as_version=4)
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    first = nb.cells[0].source
    assert first.startswith("(lesson-"), f"{path.name}: start with a (lesson-...)= label"
    assert "Estimated reading time" in first
    for heading in TEMPLATE_HEADINGS:
        assert f"## {heading}" in text, f"{path.name} has no '## {heading}' section"
    assert "synthetic" in text.lower(), f"{path.name} should say that its data is synthetic"
    setup = nb.cells[1]
    assert setup.cell_type == "code" and "from rmlkit.lesson import setup" in setup.source, (
        f"{path.name}: the second cell should be the setup cell, calling rmlkit.lesson.setup()"
    )
    hidden = {"remove-cell", "remove-input", "hide-cell", "hide-input"}
    assert not hidden & set(setup.metadata.get("tags", [])), (
        f"{path.name}: the setup cell must be visible: a reader needs its imports and SEED"
    )


@pytest.mark.slow
@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem)
def test_lesson_executes_from_its_visible_cells_and_every_figure_has_alt_text(path):
    """The book hides some cells (checks that keep quoted numbers honest); a reader who
    runs only what the book shows must get the same lesson, so they are left out here."""
    nb = nbformat.read(path, as_version=4)
    nb.cells = [c for c in nb.cells if "remove-cell" not in c.metadata.get("tags", [])]
    NotebookClient(nb, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        makes_image = any("image/png" in out.get("data", {}) for out in cell.outputs)
        if makes_image:
            alt = cell.metadata.get("mystnb", {}).get("image", {}).get("alt", "")
            assert len(alt) > 40, f"{path.name}: a figure has no (or too short) alt text"
