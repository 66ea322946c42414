"""The instructor's guide's workshop day, scripted, with `rmlkit course` only.

A fresh course, the release of `first-audit`, a Canvas "download submissions" zip from
six participants (a late resubmission, an apostrophe, two students called Smith, a
blank and a crashing notebook, a file that is not the assignment's notebook), a
roster, collect (every file accounted for), autograde, feedback refused while the
written answers are ungraded, hand-grading through nbgrader's Gradebook API (as the
formgrader saves a grade), feedback, exports for Canvas and Moodle, the report. The
collect summary and the report's per-student table go to
tests/artifacts/workshop-day.txt. A second test opens the formgrader started by
`rmlkit course formgrader` in Chromium and checks that the rubric shows next to the
written answer (screenshot tests/artifacts/formgrader-rubric.png).
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
import socket
import subprocess
import sys
import time
import urllib.request
import zipfile

import nbformat
import pytest
from exercise_bank import answer

from rmlkit import course
from rmlkit.cli import main

from conftest import ARTIFACTS

pytestmark = pytest.mark.slow

ASSIGNMENT = "first-audit"
NB = "first-audit.ipynb"
CORRECT = {
    "fpr-by-group": (
        'frame = MetricFrame(metrics=false_positive_rate, y_true=test["placed_2y"],\n'
        '                    y_pred=test["flagged"], sensitive_features=test["race_ethnicity"])\n'
        "fpr_by_group = frame.by_group\n"),
    "fpr-ratio": 'fpr_ratio = fpr_by_group["Black"] / fpr_by_group["White"]\n',
    "tradeoff-answer": "Lowering the threshold flags more children. " * 20,
}
WRONG = dict(CORRECT, **{"fpr-by-group": (
    'fpr_by_group = test.groupby("race_ethnicity", observed=True)["flagged"].mean()\n')})
CRASHING = dict(CORRECT, **{"fpr-by-group": "fpr_by_group = test['no such column'].mean()\n"})
ROSTER = """id,name,email,lms_id
ada_lovelace,Ada Lovelace,ada@example.org,1001
tom_obrien,Tom O'Brien,tom@example.org,1002
jane_smith,Jane Smith,jane@example.org,1003
john_smith,John Smith,john@example.org,1004
grace_hopper,Grace Hopper,grace@example.org,1005
alan_turing,Alan Turing,alan@example.org,1006
"""


def canvas_zip(released, path):
    """Canvas's download: <name>_[late_]<userid>_<attachmentid>_<file>, -1 on a resubmission."""
    def notebook(answers):
        return nbformat.writes(answer(nbformat.read(released, as_version=4), answers,
                                      "test_workshop_day"))
    files = {
        f"lovelaceada_1001_70001_{NB}": notebook(CORRECT),
        f"obrientom_1002_70002_{NB}": notebook(WRONG),
        "obrientom_late_1002_70107_first-audit-1.ipynb": notebook(CORRECT),
        f"smithjane_1003_70003_{NB}": notebook({}),              # handed in blank
        f"smithjohn_1004_70004_{NB}": notebook(CRASHING),
        f"hoppergrace_1005_70005_{NB}": notebook(WRONG),
        "hoppergrace_1005_70006_first-audit-notes.txt": "my notes",  # not the notebook
    }
    with zipfile.ZipFile(path, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return sorted(files)


def run(argv):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    return code, out.getvalue(), err.getvalue()


def set_manual_grade(root, student, grade_id, score):
    """What the formgrader does when a grader types a score: the Gradebook API."""
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        grade = gb.find_grade(grade_id, "first-audit", ASSIGNMENT, student)
        grade.manual_score = score
        grade.needs_manual_grade = False  # as the formgrader's GradeHandler.put does
        gb.db.commit()


HAND_GRADES = {"ada_lovelace": 3, "tom_obrien": 2, "jane_smith": 0, "john_smith": 1,
               "grace_hopper": 2}


def grade_written_answers(root):
    for student, score in HAND_GRADES.items():
        set_manual_grade(root, student, "tradeoff-answer", score)


@pytest.fixture(scope="module")
def day(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("workshop")
    root = tmp / "my-course"
    log = {}
    assert run(["course", "init", str(root), "--assignment", ASSIGNMENT])[0] == 0
    (root / "roster.csv").write_text(ROSTER)
    assert run(["course", "release", ASSIGNMENT, "--course", str(root)])[0] == 0
    files = canvas_zip(root / "release" / ASSIGNMENT / NB, tmp / "submissions.zip")
    code, out, err = run(["course", "collect", ASSIGNMENT, str(tmp / "submissions.zip"),
                          "--course", str(root)])
    log["collect"] = (code, out, err, files)
    code, out, err = run(["course", "autograde", ASSIGNMENT, "--workers", "2", "--quiet",
                          "--course", str(root)])
    assert code == 0, err
    log["autograde"] = out
    return root, tmp, log


def test_collect_accounts_for_every_file_and_fails_on_the_rejected_one(day):
    root, _, log = day
    code, out, err, files = log["collect"]
    assert code == 1 and "1 files were not collected" in err
    for name in files:
        assert name in out, f"{name} is missing from the collect summary"
    assert "5 collected, 1 older version, 0 ignored, 1 rejected of 7 files" in out
    assert sorted(p.name for p in (root / "submitted").iterdir()) == [
        "ada_lovelace", "grace_hopper", "jane_smith", "john_smith", "tom_obrien"]
    # the late resubmission is the one kept, under the notebook's own name
    kept = nbformat.read(root / "submitted" / "tom_obrien" / ASSIGNMENT / NB, as_version=4)
    assert "MetricFrame" in "".join(c.source for c in kept.cells)


def test_autograde_names_a_skipped_submission(day):
    root, _, _ = day
    code, out, _ = run(["course", "autograde", ASSIGNMENT, "--quiet", "--course", str(root)])
    assert code == 0
    for student in ["ada_lovelace", "tom_obrien", "jane_smith"]:
        assert f"{student}: SKIPPED: graded already" in out


def test_regrade_and_remove_one_student(day, tmp_path):
    root, tmp, _ = day
    code, out, _ = run(["course", "autograde", ASSIGNMENT, "--student", "grace_hopper",
                        "--force", "--quiet", "--course", str(root)])
    assert code == 0 and "grace_hopper:" in out and "ada_lovelace:" not in out
    # remove, then collect that one student again from the same zip
    copy = tmp_path / "copy"
    import shutil

    shutil.copytree(root, copy)
    code, out, _ = run(["course", "remove", ASSIGNMENT, "--student", "grace_hopper",
                        "--course", str(copy)])
    assert code == 0 and not (copy / "submitted" / "grace_hopper").joinpath(ASSIGNMENT).exists()
    assert "grace_hopper" not in course._submitted(copy, ASSIGNMENT)
    code, out, _ = run(["course", "collect", ASSIGNMENT, str(tmp / "submissions.zip"),
                        "--student", "grace_hopper", "--course", str(copy)])
    assert (copy / "submitted" / "grace_hopper" / ASSIGNMENT / NB).is_file()
    assert "not one of the students asked for" in out


def test_hand_grading_then_feedback(day):
    root, _, _ = day
    code, _, err = run(["course", "feedback", ASSIGNMENT, "--course", str(root)])
    # four answers wait: jane_smith's blank answer got 0 from nbgrader ("No response")
    assert code == 2 and "4 written answers" in err and "--allow-ungraded" in err
    set_manual_grade(root, "ada_lovelace", "tradeoff-answer", 3)
    code, _, err = run(["course", "feedback", ASSIGNMENT, "--course", str(root)])
    assert code == 2 and "3 written answers" in err  # the other three still wait
    grade_written_answers(root)
    code, out, err = run(["course", "feedback", ASSIGNMENT, "--course", str(root)])
    assert code == 0, err
    page = (root / "feedback" / "ada_lovelace" / ASSIGNMENT / "first-audit.html").read_text()
    assert "{admonition}" not in page and "Content note</p>" in page
    assert "Rubric" not in page and "Full (3 points)" not in page
    assert "Score: 3.0 / 3.0" in page or "(Score: 3" in page


def test_exports_for_canvas_and_moodle(day, tmp_path):
    root, _, _ = day
    grade_written_answers(root)
    code, _, err = run(["course", "export", "--format", "canvas", "--to",
                        str(tmp_path / "canvas.csv"), "--column",
                        f"{ASSIGNMENT}=First audit (4242)", "--course", str(root)])
    assert code == 0, err
    rows = list(csv.reader((tmp_path / "canvas.csv").open()))
    assert rows[0][:5] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
    assert rows[0][5] == "First audit (4242)" and rows[1][0] == "Points Possible"
    by_id = {r[1]: r for r in rows[2:]}
    assert by_id["1006"][5] == ""                      # alan_turing submitted nothing
    assert float(by_id["1003"][5]) == 0                # jane_smith: blank, graded 0
    assert float(by_id["1001"][5]) > float(by_id["1005"][5])
    code, _, err = run(["course", "export", "--format", "moodle", "--to",
                        str(tmp_path / "moodle.csv"), "--course", str(root)])
    assert code == 0, err
    moodle = {r["Email address"]: r for r in csv.DictReader((tmp_path / "moodle.csv").open())}
    assert moodle["alan@example.org"][ASSIGNMENT] == ""
    assert moodle["ada@example.org"][ASSIGNMENT] == by_id["1001"][5]
    code, _, err = run(["course", "export", "--to", str(tmp_path / "grades.csv"),
                        "--course", str(root)])
    assert code == 0, err
    plain = {r["student_id"]: r for r in csv.DictReader((tmp_path / "grades.csv").open())}
    assert plain["alan_turing"]["status"] == "not submitted" and plain["alan_turing"]["score"] == ""
    assert plain["ada_lovelace"]["email"] == "ada@example.org"
    assert plain["ada_lovelace"]["first_name"] == "Ada"


def test_report_per_student_table(day, tmp_path):
    root, _, log = day
    code, out, err = run(["course", "report", "--to", str(tmp_path / "report.html"),
                          "--course", str(root)])
    assert code == 0, err
    table = course.student_table(root, ASSIGNMENT).set_index("student")
    assert table.loc["alan_turing", "status"] == "not submitted"
    assert table.loc["jane_smith", "knock_on"] and not table.loc["jane_smith", "failed"]
    assert any("KeyError" in e for e in table.loc["john_smith", "exceptions"])
    assert table.loc["grace_hopper", "failed"] == ["fpr-by-group-values", "fpr-ratio-check"] or \
        "fpr-by-group-values" in table.loc["grace_hopper", "failed"]
    assert any("first-audit-notes.txt" in e for e in table.loc["grace_hopper", "events"])
    page = (tmp_path / "report.html").read_text()
    assert "<h3>Students</h3>" in page and "knock-on" in page and "not submitted" in page
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "workshop-day.txt").write_text(
        "$ rmlkit course collect first-audit submissions.zip\n" + log["collect"][1]
        + log["collect"][2] + "\n$ rmlkit course autograde first-audit --workers 2\n"
        + log["autograde"] + "\n$ rmlkit course report\n" + out)


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_formgrader_shows_the_rubric(day, browser):
    from nbgrader.api import Gradebook

    root, _, _ = day
    port = _free_port()
    token = "workshop-test-token"
    env = dict(os.environ, JUPYTER_TOKEN=token)
    server = subprocess.Popen(
        [sys.executable, "-m", "rmlkit.cli", "course", "formgrader", "--port", str(port),
         "--course", str(root)], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True, start_new_session=True)
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(120):
            try:
                urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2)
                break
            except OSError:
                time.sleep(0.5)
        else:
            server.kill()
            pytest.fail("The formgrader did not start:\n" + server.stdout.read()[-3000:])
        with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
            notebook_id = gb.find_submission_notebook("first-audit", ASSIGNMENT,
                                                      "tom_obrien").id
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(f"{base}/formgrader/manage_assignments?token={token}")
        page.get_by_text(ASSIGNMENT).first.wait_for(timeout=30_000)  # this course's
        overview = page.content()
        assert 'id="warning-exchange"' not in overview  # "... could not be created"
        assert 'id="warning-course-id"' not in overview
        assert "capstone-audit" not in overview  # not the kit's own exercises/ course
        page.goto(f"{base}/formgrader/submissions/{notebook_id}/?token={token}")
        rubric = page.get_by_text("Rubric (for graders").first
        rubric.wait_for(timeout=30_000)
        rubric.scroll_into_view_if_needed()
        assert page.get_by_text("Full (3 points)").first.is_visible()
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "formgrader-rubric.png"))
        page.close()
    finally:
        os.killpg(server.pid, 15)
        server.wait(timeout=30)


def test_collect_keeps_ids_with_underscores_and_refuses_a_collision(day, tmp_path):
    """Issue 13, defect 7: ada_lovelace and alan_turing were collected as ada and alan."""
    import shutil

    root, _, _ = day
    copy = tmp_path / "copy"
    shutil.copytree(root, copy)
    (copy / "roster.csv").unlink()  # the kit's own file names, no roster
    text = (root / "release" / ASSIGNMENT / NB).read_text()
    folder = tmp_path / "flat"
    folder.mkdir()
    for student in ["ada_lovelace", "alan_turing", "ada"]:
        (folder / f"{student}_{NB}").write_text(text)
    code, out, err = run(["course", "collect", ASSIGNMENT, str(folder), "--course", str(copy)])
    assert code == 0, err
    for student in ["ada_lovelace", "alan_turing", "ada"]:
        assert (copy / "submitted" / student / ASSIGNMENT / NB).is_file(), out
    (folder / "ada_lovelace").mkdir()
    (folder / "ada_lovelace" / NB).write_text(text)
    stamp = (folder / f"ada_lovelace_{NB}").stat().st_mtime
    os.utime(folder / "ada_lovelace" / NB, (stamp, stamp))
    code, out, err = run(["course", "collect", ASSIGNMENT, str(folder), "--course", str(copy)])
    assert code == 2
    assert f"ada_lovelace_{NB}" in err and f"ada_lovelace/{NB}" in err and "Remove" in err
