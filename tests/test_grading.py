"""The real nbgrader cycle on the course's first assignment, through nbgrader's Python API.

In a temporary copy of the course: the source notebook passes its own tests, the
released notebook fails every one, three simulated submissions are autograded to the
scores they must get, feedback is generated without the hidden tests, and the grades
are exported to CSV and read back.
"""

from __future__ import annotations

import copy

import nbformat
import pandas as pd
import pytest
from nbgrader.api import Gradebook
from nbgrader.apps import NbGraderAPI
from nbgrader.coursedir import CourseDirectory
from nbgrader.plugins import CsvExportPlugin
from nbgrader.validator import Validator

from rmlkit import course as rmlcourse
from rmlkit import grading, handgrading
from rmlkit.grading import copy_course

from conftest import ROOT

pytestmark = pytest.mark.slow

ASSIGNMENT = "first-audit"
NOTEBOOK = "first-audit.ipynb"
HIDDEN_MARKERS = ["_expected", "_not_placed", "_rates", "_given", "BEGIN HIDDEN TESTS"]


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """A temporary copy of the course and the configuration nbgrader would load."""
    return copy_course(ROOT / "exercises", tmp_path_factory.mktemp("course"), [ASSIGNMENT])


@pytest.fixture(scope="module")
def api(course):
    root, config = course
    coursedir = CourseDirectory(config=config)
    return NbGraderAPI(coursedir=coursedir, config=config)


@pytest.fixture(scope="module")
def released(course, api):
    root, _ = course
    result = api.generate_assignment(ASSIGNMENT)
    assert result["success"], result.get("error") or result.get("log")
    path = root / "release" / ASSIGNMENT / NOTEBOOK
    assert path.is_file()
    return path


def grade_cells(nb):
    return [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")]


def test_source_notebook_passes_its_own_tests(course):
    root, config = course
    results = Validator(config=copy.deepcopy(config)).validate(
        str(root / "source" / ASSIGNMENT / NOTEBOOK)
    )
    assert results == {}, f"The solution fails its own tests: {results}"


def test_released_notebook_has_no_solutions_hidden_tests_or_rubric(released):
    text = released.read_text()
    for secret in ["BEGIN SOLUTION", "MetricFrame(\\n    metrics=false_positive_rate",
                   "Rubric for graders", *HIDDEN_MARKERS]:
        assert secret not in text, f"The student version contains {secret!r}"
    nb = nbformat.read(released, as_version=4)
    assert "raise NotImplementedError()" in text
    assert any(c.cell_type == "markdown" and "YOUR ANSWER HERE" in c.source for c in nb.cells)


def test_released_notebook_fails_every_autograded_test(course, released):
    _, config = course
    validator = Validator(config=copy.deepcopy(config), invert=True)
    results = validator.validate(str(released))
    assert "passed" not in results, f"These tests pass without an answer: {results['passed']}"
    assert "changed" not in results and "type_changed" not in results


def answer(nb, grade_id: str, source: str):
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == grade_id:
            cell.source = source
            return
    raise KeyError(grade_id)


CORRECT_FPR = """\
frame = MetricFrame(metrics=false_positive_rate, y_true=test["placed_2y"],
                    y_pred=test["flagged"], sensitive_features=test["race_ethnicity"])
fpr_by_group = frame.by_group
"""
# Passes the visible checks (a Series of rates between 0 and 1, one per group) but
# computes the share flagged, not the false positive rate: the hidden tests catch it.
WRONG_FPR = """\
fpr_by_group = test.groupby("race_ethnicity", observed=True)["flagged"].mean()
"""
RATIO = "fpr_ratio = fpr_by_group[\"Black\"] / fpr_by_group[\"White\"]\n"
WRITTEN = (
    "Lowering the threshold flags more children, so false positive rates rise in every "
    "group and false negative rates fall. More families would face an investigation."
)

# (student, answers, expected autograded points, by grade cell)
SUBMISSIONS = {
    "correct": (
        {"fpr-by-group": CORRECT_FPR, "fpr-ratio": RATIO, "tradeoff-answer": WRITTEN},
        {"fpr-by-group-shape": 1, "fpr-by-group-values": 2, "fpr-ratio-check": 2},
    ),
    "wrong": (
        {"fpr-by-group": WRONG_FPR, "fpr-ratio": RATIO, "tradeoff-answer": WRITTEN},
        {"fpr-by-group-shape": 1, "fpr-by-group-values": 0, "fpr-ratio-check": 0},
    ),
    "raises": (
        {"fpr-by-group": "fpr_by_group = test.groupby('no such column').mean()\n"},
        {"fpr-by-group-shape": 0, "fpr-by-group-values": 0, "fpr-ratio-check": 0},
    ),
}


@pytest.fixture(scope="module")
def autograded(course, api, released):
    root, config = course
    for student, (answers, _) in SUBMISSIONS.items():
        nb = nbformat.read(released, as_version=4)
        for grade_id, source in answers.items():
            answer(nb, grade_id, source)
        target = root / "submitted" / student / ASSIGNMENT
        target.mkdir(parents=True)
        nbformat.write(nb, target / NOTEBOOK)
        result = api.autograde(ASSIGNMENT, student)
        assert result["success"], f"autograde failed for {student}: {result.get('error')}"
    return root


@pytest.mark.parametrize("student", list(SUBMISSIONS))
def test_submissions_get_the_expected_scores(course, autograded, student):
    root, config = course
    _, expected = SUBMISSIONS[student]
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        for grade_id, points in expected.items():
            grade = gb.find_grade(grade_id, NOTEBOOK.removesuffix(".ipynb"), ASSIGNMENT, student)
            assert grade.auto_score == points, f"{student}: {grade_id} got {grade.auto_score}"
        submission = gb.find_submission(ASSIGNMENT, student)
        assert submission.score == sum(expected.values())
        assert submission.max_score == 8  # 5 autograded points and 3 for the written answer
        written = gb.find_grade("tradeoff-answer", "first-audit", ASSIGNMENT, student)
        # A written answer waits for the instructor; an untouched one scores 0 at once.
        assert written.needs_manual_grade == (student != "raises")


def test_feedback_is_generated_without_hidden_tests(course, api, autograded):
    root, _ = course
    result = api.generate_feedback(ASSIGNMENT)
    assert result["success"], result.get("error")
    for student in SUBMISSIONS:
        html = (root / "feedback" / student / ASSIGNMENT / "first-audit.html").read_text()
        for secret in HIDDEN_MARKERS:
            assert secret not in html, f"Feedback for {student} shows hidden test code {secret!r}"
        assert "Passed the visible checks for fpr_by_group" in html or student == "raises"
    wrong = (root / "feedback" / "wrong" / ASSIGNMENT / "first-audit.html").read_text()
    assert "are not the false positive rates by group" in wrong  # the hidden test's message


def test_grades_export_to_csv_and_read_back(course, autograded, tmp_path):
    root, config = course
    out = tmp_path / "grades.csv"
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        CsvExportPlugin(config=config, to=str(out)).export(gb)
    grades = pd.read_csv(out).set_index("student_id")
    assert sorted(grades.index) == sorted(SUBMISSIONS)
    for student, (_, expected) in SUBMISSIONS.items():
        assert grades.loc[student, "score"] == pytest.approx(sum(expected.values()))
        assert grades.loc[student, "max_score"] == pytest.approx(8)
    assert set(grades["assignment"]) == {ASSIGNMENT}


def test_course_files_are_not_committed_generated_folders():
    ignored = (ROOT / ".gitignore").read_text()
    for generated in ["release/", "submitted/", "autograded/", "feedback/", "gradebook.db"]:
        assert f"exercises/{generated}" in ignored


def test_one_configuration_loader_for_every_step(tmp_path):
    """grading.load_config is the loader; course's old name and the formgrader use it."""
    root = rmlcourse.init_course(tmp_path / "course", assignments=[ASSIGNMENT])
    config = grading.load_config(root)
    assert config.CourseDirectory.root == str(root)
    assert config.Exchange.root == str(root / "exchange")
    with pytest.warns(DeprecationWarning, match="use rmlkit.grading.load_config"):
        assert rmlcourse.load_config(root) == config
    handgrading.formgrader_command(root)
    written = (root / ".jupyter" / "nbgrader_config.py").read_text()
    assert repr(config.Exchange.root) in written and repr(str(root)) in written
    assert rmlcourse.CourseError is grading.CourseError
    with pytest.raises(grading.CourseError, match="root: .* is not a course directory"):
        grading.load_config(tmp_path)
    with pytest.raises(grading.CourseError, match="assignment: there is no assignment 'x'"):
        grading.release("x", root)


def test_the_hidden_test_markers_are_nbgraders_and_defined_once():
    from nbgrader.preprocessors import ClearHiddenTests

    nbgrader = ClearHiddenTests()  # nbgrader spells it "delimeter"
    assert grading.HIDDEN_DELIMITERS == (nbgrader.begin_test_delimeter,
                                         nbgrader.end_test_delimeter)
    assert grading.HIDDEN_BEGIN == f"### {nbgrader.begin_test_delimeter}"
    assert grading.HideHiddenTestOutput().begin_test_delimiter == nbgrader.begin_test_delimeter
    assert rmlcourse.HIDDEN_BEGIN is grading.HIDDEN_BEGIN
