"""Every assignment's submission bank, autograded for real by nbgrader.

For each ``tests/submission_bank/<assignment>.yaml``, in a temporary copy of the
course: nbgrader generates the student version, each simulated submission is made by
putting its answers into the solution cells (by grade_id), and one ``autograde`` call
grades them all. Each submission must get its score. Each "passes-visible" submission
must fail the hidden tests of the cells it lists in ``catches`` *after* passing their
visible checks, and every grade cell with hidden tests must be caught by one of them:
hidden tests that nothing gets past would be decoration.

The cell timeout is short here (``TIMEOUT`` seconds) so that the "slow" submission
costs little: nbgrader interrupts the cell, records a ``CellTimeoutError`` in it, and
goes on with the next cells.
"""

from __future__ import annotations

import json
import shutil
import time

import nbformat
import pytest
from exercise_bank import (
    BANK_DIR,
    COURSE,
    answer,
    autograded_points,
    failed_in_hidden_tests,
    grade_cells,
    hidden_test_cells,
    load_bank,
    read_source,
)
from nbgrader.api import Gradebook
from nbgrader.apps import NbGraderAPI
from nbgrader.coursedir import CourseDirectory

from rmlkit.grading import copy_course, release

from conftest import ARTIFACTS

pytestmark = pytest.mark.slow

TIMEOUT = 20  # seconds per cell, while grading the bank (the course uses 120)
BANKS = sorted(BANK_DIR.glob("*.yaml"))


@pytest.fixture(scope="module", params=BANKS, ids=[p.stem for p in BANKS])
def graded(request, tmp_path_factory):
    """The bank, autograded: (bank, grades by submission and cell, autograded notebooks)."""
    bank = load_bank(request.param)
    assignment, notebook = bank["assignment"], bank["notebook"]
    root, config = copy_course(COURSE, tmp_path_factory.mktemp(assignment), [assignment])
    config.Execute.timeout = TIMEOUT
    released = release(assignment, root, config)
    for student, entry in bank["submissions"].items():
        target = root / "submitted" / student / assignment
        shutil.copytree(released, target)
        nb = nbformat.read(released / notebook, as_version=4)
        answer(nb, entry["answers"], f"{request.param.name}: {student}")
        nbformat.write(nb, target / notebook)

    api = NbGraderAPI(coursedir=CourseDirectory(config=config), config=config)
    start = time.perf_counter()
    result = api.autograde(assignment, "*")  # one call grades every submission
    seconds = time.perf_counter() - start
    assert result["success"], f"autograde failed: {result.get('error') or result.get('log')}"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / f"autograde-{assignment}.json").write_text(json.dumps(
        {"assignment": assignment, "submissions": len(bank["submissions"]),
         "seconds": round(seconds, 1), "cell_timeout": TIMEOUT}, indent=1))

    stem = notebook.removesuffix(".ipynb")
    scores, cells, notebooks = {}, {}, {}
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        for student in bank["submissions"]:
            notebooks[student] = nbformat.read(
                root / "autograded" / student / assignment / notebook, as_version=4)
            cells[student] = grade_cells(notebooks[student])
            scores[student] = {
                gid: gb.find_grade(gid, stem, assignment, student).auto_score
                for gid in cells[student]
            }
            scores[student]["total"] = gb.find_submission(assignment, student).score
    return bank, scores, cells, notebooks


def test_each_submission_gets_its_score(graded):
    bank, scores, _, _ = graded
    wrong = {
        student: f"scored {scores[student]['total']}, not {entry['score']} (by cell: "
        f"{ {k: v for k, v in scores[student].items() if k != 'total'} })"
        for student, entry in bank["submissions"].items()
        if scores[student]["total"] != pytest.approx(entry["score"])
    }
    assert not wrong, f"{bank['assignment']}: {wrong}"


def test_the_correct_submission_gets_every_autograded_point(graded):
    bank, scores, _, _ = graded
    source = read_source(bank["assignment"], bank["notebook"])
    assert bank["submissions"]["correct"]["score"] == autograded_points(source)
    assert bank["submissions"]["blank"]["score"] == 0


def test_passes_visible_submissions_are_caught_by_the_hidden_tests(graded):
    bank, scores, cells, _ = graded
    for student, entry in bank["submissions"].items():
        if not student.startswith("passes-visible"):
            continue
        for grade_id in entry["catches"]:
            assert grade_id in cells[student], f"{student}: {grade_id} is not a grade cell"
            assert scores[student][grade_id] == 0, (
                f"{student}: the hidden tests of {grade_id} let it through "
                f"({scores[student][grade_id]} points)"
            )
            assert failed_in_hidden_tests(cells[student][grade_id]), (
                f"{student}: {grade_id} failed its visible checks, so it does not show that "
                "the hidden tests catch something the visible ones miss"
            )


def test_every_hidden_test_catches_some_submission(graded):
    bank, _, _, _ = graded
    source = read_source(bank["assignment"], bank["notebook"])
    caught = {gid for name, entry in bank["submissions"].items()
              if name.startswith("passes-visible") for gid in entry["catches"]}
    missing = sorted(set(hidden_test_cells(source)) - caught)
    assert not missing, (
        f"No passes-visible submission in the bank shows what the hidden tests of {missing} "
        "catch: add one that passes their visible checks but not the hidden tests."
    )


def test_the_slow_submission_times_out_and_grading_goes_on(graded):
    _, _, cells, notebooks = graded
    timed_out = [c for c in notebooks["slow"].cells
                 if any(o.get("ename") == "CellTimeoutError" for o in c.get("outputs", []))]
    assert timed_out, f"no cell of the slow submission ran longer than {TIMEOUT} s"
    last = list(cells["slow"].values())[-1]
    assert last.get("outputs"), "grading stopped at the timeout instead of going on"
