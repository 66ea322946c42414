"""`rmlkit course`, end to end in a temporary folder, on the kit's first-audit assignment.

init -> release -> collect (a folder and an LMS zip) -> autograde --workers 2 (grades
compared with sequential ``nbgrader autograde`` on a copy) -> feedback (no hidden tests)
-> export (CSV) -> report (HTML). The same cycle through ``.venv/bin/rmlkit`` by its full
path, without the environment on PATH, as root and as a normal user. Also: --help for
every step, errors that name the argument (and nbgrader's cause, in one line), and the
item analysis on numbers worked out by hand.
"""

from __future__ import annotations

import os
import shutil
import zipfile

import nbformat
import pandas as pd
import pytest
from exercise_bank import answer
from grader_accounts import WHO, grader
from nbformat.v4 import new_code_cell, new_notebook

from rmlkit import course, grading
from rmlkit.cli import STEPS, main

from conftest import ROOT

ASSIGNMENT = "first-audit"
NOTEBOOK = "first-audit.ipynb"
HIDDEN_MARKERS = ["_expected", "_not_placed", "_rates", "BEGIN HIDDEN TESTS"]

CORRECT_FPR = (
    'frame = MetricFrame(metrics=false_positive_rate, y_true=test["placed_2y"],\n'
    '                    y_pred=test["flagged"], sensitive_features=test["race_ethnicity"])\n'
    "fpr_by_group = frame.by_group\n"
)
WRONG_FPR = 'fpr_by_group = test.groupby("race_ethnicity", observed=True)["flagged"].mean()\n'
RATIO = 'fpr_ratio = fpr_by_group["Black"] / fpr_by_group["White"]\n'
SUBMISSIONS = {
    "correct": {"fpr-by-group": CORRECT_FPR, "fpr-ratio": RATIO},
    "wrong": {"fpr-by-group": WRONG_FPR, "fpr-ratio": RATIO},
    "raises": {"fpr-by-group": "fpr_by_group = test.groupby('no such column').mean()\n"},
}


def submission(released, answers):
    return answer(nbformat.read(released, as_version=4), answers, "test_course_cli")


def grades(root):
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        return {(s.student_id, g.name): (g.auto_score, g.needs_manual_grade)
                for s in gb.assignment_submissions(ASSIGNMENT)
                for nb in s.notebooks for g in nb.grades}


@pytest.fixture(scope="module")
def workflow(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("workflow")
    root = tmp / "course"
    assert main(["course", "init", str(root), "--assignment", ASSIGNMENT]) == 0
    assert main(["course", "release", ASSIGNMENT, "--course", str(root)]) == 0
    released = root / "release" / ASSIGNMENT / NOTEBOOK
    assert (root / "release" / f"{ASSIGNMENT}.zip").is_file()
    # Two students in a folder (<student>/<notebook>), one in an LMS zip export.
    folder = tmp / "folder"
    for student in ["correct", "wrong"]:
        (folder / student).mkdir(parents=True)
        nbformat.write(submission(released, SUBMISSIONS[student]), folder / student / NOTEBOOK)
    export_zip = tmp / "lms-export.zip"
    with zipfile.ZipFile(export_zip, "w") as archive:
        # Canvas's name: <name>_<user id>_<attachment id>_<file>
        archive.writestr(f"raises_4711_52001_{NOTEBOOK}",
                         nbformat.writes(submission(released, SUBMISSIONS["raises"])))
    assert main(["course", "collect", ASSIGNMENT, str(folder), "--course", str(root)]) == 0
    assert main(["course", "collect", ASSIGNMENT, str(export_zip), "--course", str(root)]) == 0
    # The same submissions, graded one at a time by nbgrader itself.
    sequential = tmp / "sequential"
    shutil.copytree(root, sequential)
    api, _ = grading.nbgrader_api(sequential)
    for student in SUBMISSIONS:
        assert api.autograde(ASSIGNMENT, student)["success"]
    return root, sequential


@pytest.fixture(scope="module")
def autograded(workflow):
    root, _ = workflow
    code = main(["course", "autograde", ASSIGNMENT, "--workers", "2", "--quiet",
                 "--course", str(root)])
    assert code == 0
    return root


pytestmark = pytest.mark.slow


def test_collect_found_the_folder_and_the_zip(workflow):
    root, _ = workflow
    assert sorted(p.name for p in (root / "submitted").iterdir()) == sorted(SUBMISSIONS)


def test_parallel_grades_equal_sequential_nbgrader(workflow, autograded):
    root, sequential = workflow
    parallel, reference = grades(root), grades(sequential)
    assert len(parallel) == 3 * 4  # three students, four grade cells
    assert parallel == reference
    total = {student: sum(score or 0 for (s, _), (score, _) in parallel.items() if s == student)
             for student in SUBMISSIONS}
    assert total["correct"] > total["wrong"] > total["raises"] == 0


def test_feedback_has_no_hidden_tests(autograded):
    assert main(["course", "feedback", ASSIGNMENT, "--course", str(autograded)]) == 0
    for student in SUBMISSIONS:
        page = (autograded / "feedback" / student / ASSIGNMENT / "first-audit.html").read_text()
        for secret in HIDDEN_MARKERS:
            assert secret not in page, f"{student}'s feedback shows {secret!r}"
    wrong = (autograded / "feedback" / "wrong" / ASSIGNMENT / "first-audit.html").read_text()
    assert "AssertionError" in wrong  # the failed hidden test's message, not its code


def test_export_writes_every_student(autograded, tmp_path):
    out = tmp_path / "grades.csv"
    assert main(["course", "export", "--to", str(out), "--course", str(autograded)]) == 0
    table = pd.read_csv(out).set_index("student_id")
    assert sorted(table.index) == sorted(SUBMISSIONS)
    in_gradebook = grades(autograded)
    for student in SUBMISSIONS:
        points = sum(score or 0 for (s, _), (score, _) in in_gradebook.items() if s == student)
        assert table.loc[student, "score"] == pytest.approx(points)


def test_report_is_a_self_contained_page(autograded, tmp_path):
    out = tmp_path / "report.html"
    assert main(["course", "report", "--to", str(out), "--course", str(autograded)]) == 0
    page = out.read_text()
    assert "<img src='data:image/png;base64," in page
    assert "alt='Histogram of the scores of 3 submissions of first-audit, out of" in page
    assert "http" not in page.split("<body>")[1]  # nothing loaded from elsewhere
    # the hidden test failing most: "wrong" fails it, "raises" only as a knock-on
    # (its fpr_by_group was never defined), counted apart
    assert "<tr><td>fpr-by-group-values</td><td>1 of 3</td><td>1</td>" in page
    assert "<h3>Students</h3>" in page and "KeyError" in page
    assert "<th>discrimination</th>" in page


def test_item_analysis_by_hand():
    table = pd.DataFrame({
        "assignment": "a", "student": ["s1", "s2", "s3"] * 2,
        "item": ["q1"] * 3 + ["q2"] * 3, "score": [0, 1, 1, 0, 2, 2],
        "max_score": [1] * 3 + [2] * 3, "needs_manual_grade": False,
    })
    items = course.item_analysis(table).set_index("item")
    assert items.loc["q1", "difficulty"] == pytest.approx(2 / 3)
    assert items.loc["q2", "difficulty"] == pytest.approx(2 / 3)
    assert items.loc["q1", "discrimination"] == pytest.approx(1.0)
    table.loc[5, "score"] = 0  # s3 now does worse on q2 than s2, same on q1
    items = course.item_analysis(table).set_index("item")
    assert items.loc["q1", "discrimination"] == pytest.approx(0.5)


@pytest.mark.parametrize("step", list(STEPS))
def test_every_step_has_help(step, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["course", step, "--help"])
    assert exit_.value.code == 0
    assert STEPS[step][:20].lower() in capsys.readouterr().out.lower()


def test_errors_name_the_argument_and_what_to_do(tmp_path, capsys):
    assert main(["course", "release", "first-audit", "--course", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "course:" in err and "rmlkit course init" in err
    root = tmp_path / "c"
    assert main(["course", "init", str(root), "--assignment", ASSIGNMENT]) == 0
    assert main(["course", "autograde", "no-such", "--course", str(root)]) == 2
    err = capsys.readouterr().err
    assert "assignment:" in err and ASSIGNMENT in err
    assert main(["course", "collect", ASSIGNMENT, str(tmp_path / "nowhere"),
                 "--course", str(root)]) == 2
    assert "source:" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["course", "autograde", ASSIGNMENT, "--workers", "0", "--course", str(root)])
    assert "--workers must be at least 1" in capsys.readouterr().err


@pytest.fixture(scope="module", params=WHO)
def cycle(request):
    """The whole cycle by `.venv/bin/rmlkit`, not activated, as root or a normal user."""
    who = grader(request.param)
    root = who.workspace / "course"
    who.run("course", "init", root, "--assignment", ASSIGNMENT, "--from", ROOT / "exercises")
    who.run("course", "release", ASSIGNMENT, "--course", root)
    released = root / "release" / ASSIGNMENT / NOTEBOOK
    folder = who.workspace / "submissions"
    for student, answers in SUBMISSIONS.items():
        (folder / student).mkdir(parents=True)
        nbformat.write(submission(released, answers), folder / student / NOTEBOOK)
    who.give(folder)
    who.run("course", "collect", ASSIGNMENT, folder, "--course", root)
    who.run("course", "autograde", ASSIGNMENT, "--workers", "2", "--quiet", "--course", root)
    who.run("course", "feedback", ASSIGNMENT, "--course", root)
    who.run("course", "export", "--to", root / "grades.csv", "--course", root)
    who.run("course", "report", "--to", root / "report.html", "--course", root)
    yield who, root
    who.cleanup()


def test_the_whole_cycle_works_for_root_and_a_normal_user(cycle, autograded):
    """Before, a normal user's autograde failed on nbgrader's read-only files."""
    who, root = cycle
    assert grades(root) == grades(autograded)  # the same grades as the in-process run
    autograded_files = list((root / "autograded").glob(f"*/{ASSIGNMENT}/{NOTEBOOK}"))
    assert len(autograded_files) == len(SUBMISSIONS)
    owner = who.account.pw_uid if who.account else os.geteuid()
    assert {p.stat().st_uid for p in autograded_files} == {owner}
    table = pd.read_csv(root / "grades.csv").set_index("student_id")
    assert sorted(table.index) == sorted(SUBMISSIONS)
    for student in SUBMISSIONS:
        page = root / "feedback" / student / ASSIGNMENT / "first-audit.html"
        assert "Content-Security-Policy" in page.read_text()
    assert "Histogram of the scores of 3 submissions" in (root / "report.html").read_text()


def test_an_nbgrader_failure_shows_its_cause_in_one_line(tmp_path, capsys):
    exercises = tmp_path / "exercises"
    (exercises / "source" / "broken").mkdir(parents=True)
    meta = {"nbgrader": {"grade": True, "grade_id": "same", "locked": True, "points": 1,
                         "schema_version": 3, "solution": False, "task": False}}
    nb = new_notebook(cells=[new_code_cell("assert True", metadata=meta),
                             new_code_cell("assert True", metadata=meta)])
    nbformat.write(nb, exercises / "source" / "broken" / "broken.ipynb")
    shutil.copy(course.kit_exercises() / "nbgrader_config.py", exercises / "nbgrader_config.py")
    root = tmp_path / "course"
    assert main(["course", "init", str(root), "--from", str(exercises)]) == 0
    capsys.readouterr()
    assert main(["course", "release", "broken", "--course", str(root)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1, err
    assert "Duplicate grade id: same" in err and "above traceback" not in err


def test_the_kits_exercises_are_named_explicitly(tmp_path, monkeypatch):
    """--from DIR, else RMLKIT_EXERCISES, else ./exercises; nothing guessed elsewhere."""
    kit = ROOT / "exercises"
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(course.EXERCISES_VARIABLE, raising=False)
    with pytest.raises(course.CourseError, match="--from DIR.*RMLKIT_EXERCISES=DIR"):
        course.kit_exercises()
    assert course.kit_exercises(required=False) is None
    assert course.kit_exercises(kit) == kit
    monkeypatch.setenv(course.EXERCISES_VARIABLE, str(tmp_path))
    with pytest.raises(course.CourseError, match="RMLKIT_EXERCISES: .* is not the kit's"):
        course.kit_exercises()
    monkeypatch.setenv(course.EXERCISES_VARIABLE, str(kit))
    assert course.kit_exercises() == kit
    monkeypatch.delenv(course.EXERCISES_VARIABLE)
    monkeypatch.chdir(ROOT)
    assert course.kit_exercises() == kit
    with pytest.warns(DeprecationWarning, match="kit_exercises"):
        assert course.KIT_EXERCISES == kit
