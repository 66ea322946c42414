"""What the exercise tests share: the submission bank and the cells of nbgrader notebooks.

The submission bank (``tests/submission_bank/<assignment>.yaml``) holds simulated
submissions for each assignment and the autograded score each must get; see
``tests/test_submission_bank.py``.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import yaml

from rmlkit.grading import HIDDEN_BEGIN

from conftest import ROOT

COURSE = ROOT / "exercises"
BANK_DIR = ROOT / "tests" / "submission_bank"
# Every bank has these submissions, and at least one whose name starts with "passes-visible".
REQUIRED = ["correct", "partly-correct", "crashing", "blank", "slow"]


def assignments() -> list[str]:
    from rmlkit.grading import list_assignments

    return list_assignments(COURSE)


def bank_path(assignment: str) -> Path:
    return BANK_DIR / f"{assignment}.yaml"


def load_bank(path: Path) -> dict:
    """Read a bank file and check its structure, with messages that say what to fix."""
    bank = yaml.safe_load(Path(path).read_text())
    where = Path(path).name
    assert isinstance(bank, dict), f"{where}: the file should be a mapping"
    for key in ["assignment", "notebook", "submissions"]:
        assert key in bank, f"{where}: {key!r} is missing"
    assert bank["assignment"] == Path(path).stem, f"{where}: assignment should be its file name"
    submissions = bank["submissions"]
    assert isinstance(submissions, dict) and submissions, f"{where}: submissions is empty"
    for name in REQUIRED:
        assert name in submissions, f"{where}: the bank needs a submission called {name!r}"
    assert any(n.startswith("passes-visible") for n in submissions), (
        f"{where}: the bank needs at least one submission whose name starts with passes-visible"
    )
    for name, entry in submissions.items():
        assert re.fullmatch(r"[a-z0-9][a-z0-9-]*", name), (
            f"{where}: submission names are lower case with dashes (they become student ids): "
            f"{name!r}"
        )
        assert isinstance(entry, dict) and "score" in entry, f"{where}: {name} needs a score"
        entry.setdefault("answers", {})
        assert isinstance(entry["answers"], dict), f"{where}: {name}: answers is a mapping"
        if name.startswith("passes-visible"):
            assert entry.get("catches"), f"{where}: {name} needs a catches list"
    assert submissions["blank"]["answers"] == {}, f"{where}: blank leaves the notebook as released"
    return bank


def read_source(assignment: str, notebook: str):
    return nbformat.read(COURSE / "source" / assignment / notebook, as_version=4)


def nbgrader(cell) -> dict:
    return cell.metadata.get("nbgrader", {})


def grade_cells(nb) -> dict:
    """Autograded cells (code cells with points), by grade_id."""
    return {nbgrader(c)["grade_id"]: c for c in nb.cells
            if c.cell_type == "code" and nbgrader(c).get("grade")}


def hidden_test_cells(nb) -> list[str]:
    """The grade_ids of autograded cells with hidden tests."""
    return [gid for gid, c in grade_cells(nb).items() if HIDDEN_BEGIN in c.source]


def autograded_points(nb) -> float:
    return sum(float(nbgrader(c).get("points", 0)) for c in grade_cells(nb).values())


def answer(nb, answers: dict, where: str):
    """Replace the source of solution cells, named by grade_id, with the given answers."""
    cells = {nbgrader(c).get("grade_id"): c for c in nb.cells if nbgrader(c).get("solution")}
    for grade_id, source in answers.items():
        assert grade_id in cells, (
            f"{where}: {grade_id!r} is not the grade_id of a solution cell; "
            f"they are {sorted(k for k in cells if k)}"
        )
        cells[grade_id].source = str(source)
    return nb


_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def failed_in_hidden_tests(cell) -> bool | None:
    """Where a grade cell of an autograded notebook failed.

    True if the error was raised in the cell's hidden tests (its visible checks
    passed), False if it was raised before them, None if the cell has no error.
    Uses the line number IPython puts in the traceback (``Cell In[5], line 12``); a
    CheckFailed always comes from a visible check.
    """
    errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
    if not errors:
        return None
    error = errors[0]
    if error.get("ename") == "CheckFailed" or HIDDEN_BEGIN not in cell.source:
        return False
    lines = [line.strip() for line in cell.source.splitlines()]
    begin = lines.index(HIDDEN_BEGIN) + 1
    traceback = _ANSI.sub("", "\n".join(error.get("traceback", [])))
    raised_at = re.findall(r"Cell In\[\d+\], line (\d+)", traceback)
    grade_id = nbgrader(cell)["grade_id"]
    assert raised_at, f"No line number in the traceback of {grade_id}: {traceback}"
    return int(raised_at[0]) > begin


# --- running a bank's submissions in-process, as a self-learner's kernel would ---------

CHECK_CALL = re.compile(r"^\s*(q\d+)\.check\(", re.M)


def checked_question(cell) -> str | None:
    """The question (``q1``...) whose ``check`` a grade cell calls, if any."""
    found = CHECK_CALL.search(cell.source.split(HIDDEN_BEGIN)[0])
    return found.group(1) if found else None


def _solution_region(source: str) -> str:
    lines = source.splitlines()
    return "\n".join(lines[lines.index("### BEGIN SOLUTION") + 1:lines.index("### END SOLUTION")])


def prepare(assignment: str, notebook: str):
    """(namespace after the setup cells, the remaining code cells) of a source notebook.

    The setup (every code cell before the first answer) runs once; the rest runs for each
    submission in :func:`run_submission`.
    """
    nb = read_source(assignment, notebook)
    code = [c for c in nb.cells if c.cell_type == "code"]
    first = next(i for i, c in enumerate(code) if nbgrader(c).get("solution"))
    namespace: dict = {"__name__": "__main__"}
    for cell in code[:first]:
        exec(compile(cell.source, f"<{nbgrader(cell).get('grade_id')}>", "exec"), namespace)
    return namespace, code[first:]


def run_submission(namespace: dict, cells, answers: dict) -> dict:
    """Run a submission's answers and the visible part of each check cell.

    Returns, for each grade cell that calls a question's ``check``, ``(outcome, message)``:
    the :class:`rmlkit.check.Outcome` it returned or raised, and the message of a failed
    check (or the error an answer raised before the check).
    """
    from rmlkit.check import CheckFailed

    ns = dict(namespace)
    results, error = {}, None
    for cell in cells:
        meta = nbgrader(cell)
        grade_id = meta.get("grade_id")
        if meta.get("solution"):
            source = str(answers.get(grade_id, _solution_region(cell.source)))
        elif meta.get("grade"):
            source = cell.source.split(HIDDEN_BEGIN)[0]
        else:
            source = cell.source
        question = checked_question(cell) if meta.get("grade") else None
        try:
            if question:
                ns["_rmlkit_outcome"] = None
                source = CHECK_CALL.sub(lambda m: f"_rmlkit_outcome = {m.group(1)}.check(",
                                        source, count=1)
            exec(compile(source, f"<{grade_id}>", "exec"), ns)
            if question:
                results[grade_id] = (ns["_rmlkit_outcome"], "")
        except CheckFailed as failed:
            results[grade_id] = (failed.outcome, str(failed))
        except Exception as exc:  # noqa: BLE001 - an answer that crashes, as in a notebook
            error = f"{type(exc).__name__}: {exc}"
            if question:
                results[grade_id] = (None, error)
    return results
