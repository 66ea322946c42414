"""The pieces of hand-grading on their own: rubrics found, placed and removed, content
notes rendered, the formgrader's command. (The real formgrader and a whole grading day:
tests/test_workshop_day.py.)"""

from __future__ import annotations

import nbformat
from nbformat.v4 import new_markdown_cell, new_notebook

from rmlkit.handgrading import (
    RemoveRubrics,
    add_rubrics,
    formgrader_command,
    myst_to_html,
    rubrics,
)

from conftest import ROOT

SOURCE = ROOT / "exercises" / "source" / "first-audit" / "first-audit.ipynb"


def test_every_hand_graded_answer_has_a_rubric():
    for path in sorted((ROOT / "exercises" / "source").glob("*/*.ipynb")):
        found = rubrics(path)
        assert found, f"{path.name}: no rubric found for a hand-graded answer"
        for grade_id, text in found.items():
            assert "Full" in text and "points" in text, f"{path.name}: {grade_id}"


def test_rubric_goes_right_after_the_answer_and_comes_out_for_feedback(tmp_path):
    root = tmp_path / "course"
    (root / "source" / "first-audit").mkdir(parents=True)
    (root / "source" / "first-audit" / SOURCE.name).write_bytes(SOURCE.read_bytes())
    graded = root / "autograded" / "ada" / "first-audit" / SOURCE.name
    graded.parent.mkdir(parents=True)
    graded.write_bytes(SOURCE.read_bytes())
    graded.chmod(0o444)  # nbgrader leaves graded notebooks read-only
    assert add_rubrics(root, "first-audit", ["ada"]) == 1
    assert add_rubrics(root, "first-audit", ["ada"]) == 1  # again: still one rubric cell
    nb = nbformat.read(graded, as_version=4)
    ids = [c.metadata.get("nbgrader", {}).get("grade_id") for c in nb.cells]
    where = ids.index("tradeoff-answer")
    rubric = nb.cells[where + 1]
    assert rubric.metadata["rmlkit"]["rubric"] and "Full (3 points)" in rubric.source
    assert sum(bool(c.metadata.get("rmlkit")) for c in nb.cells) == 1
    assert oct(graded.stat().st_mode)[-3:] == "444"
    cleaned, _ = RemoveRubrics()(nb, {})
    assert not any(c.metadata.get("rmlkit") for c in cleaned.cells)


def test_myst_admonitions_become_html():
    text = ("Before\n\n```{admonition} Content note\n:class: warning\nThe data is "
            "**synthetic**.\n```\n\n```{note}\nA note.\n```\nAfter")
    out = myst_to_html(text)
    assert "{admonition}" not in out and "{note}" not in out
    assert '<div class="admonition admonition warning"' in out
    assert "Content note</p>" in out and "The data is **synthetic**." in out
    assert "Note</p>" in out and out.startswith("Before") and out.endswith("After")
    assert myst_to_html("```{code-cell}\nx\n```") == "```{code-cell}\nx\n```"


def test_formgrader_runs_in_the_course_with_its_own_exchange(tmp_path):
    (tmp_path / "nbgrader_config.py").write_text("c = get_config()  # noqa: F821\n")
    command, env = formgrader_command(tmp_path, port=9999)
    assert f"--ServerApp.root_dir={tmp_path.resolve()}" in command and "--port=9999" in command
    assert "--ServerApp.ip=127.0.0.1" in command
    config = (tmp_path / ".jupyter" / "nbgrader_config.py").read_text()
    assert repr(str(tmp_path.resolve() / "exchange")) in config
    assert (tmp_path / "exchange").is_dir() and env["JUPYTER_CONFIG_DIR"].endswith(".jupyter")
    nb = new_notebook(cells=[new_markdown_cell("x")])
    assert RemoveRubrics()(nb, {})[0].cells == nb.cells
