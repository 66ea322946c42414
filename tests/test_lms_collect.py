"""Submission downloads of Canvas, Moodle and Blackboard: every file accounted for.

The file names follow what each LMS writes (see :mod:`rmlkit.lms`): resubmissions,
late work, names with spaces, apostrophes, accents and underscores, two students with
the same surname, Blackboard's receipts and macOS's __MACOSX folder. The roster maps
them to course ids; nothing is truncated, collisions are refused with both names.
Also the Canvas and Moodle gradebook files. Pure Python: no nbgrader here
(tests/test_workshop_day.py collects a real zip through nbgrader).
"""

from __future__ import annotations

import csv

import pytest

from rmlkit.lms import (
    Roster,
    Student,
    canvas_gradebook,
    moodle_grades,
    parse_submission_name,
    plan_collection,
    summary_table,
)

NB = "first-audit.ipynb"
NOTEBOOKS = [NB]
ROSTER = Roster([
    Student("ada_lovelace", "Ada Lovelace", "ada@example.org", "1001"),
    Student("tom_obrien", "Tom O'Brien", "tom@example.org", "1002"),
    Student("jane_smith", "Jane Smith", "jane@example.org", "1003"),
    Student("john_smith", "John Smith", "john@example.org", "1004"),
    Student("maria_garcia", "María José García", "maria@example.org", "maria_jg"),
])

CANVAS = [
    f"lovelaceada_1001_52001_{NB}",
    f"obrientom_1002_52002_{NB}",
    "obrientom_late_1002_52107_first-audit-1.ipynb",   # handed in again, late
    f"smithjane_1003_52003_{NB}",
    f"smithjohn_1004_52004_{NB}",
    "garciamariajose_1005_52005_notes.txt",            # not a notebook of the assignment
]
MOODLE = [
    f"Ada Lovelace_4401_assignsubmission_file_{NB}",
    f"Tom O'Brien_4402_assignsubmission_file_{NB}",
    f"Jane Smith_4403_assignsubmission_file_/{NB}",    # "download submissions in folders"
    f"John Smith_4404_assignsubmission_file_{NB}",
    f"María José García_4405_assignsubmission_file_{NB}",
    "__MACOSX/._Ada Lovelace_4401_assignsubmission_file_first-audit.ipynb",
]
BLACKBOARD = [
    f"First Audit_1001_attempt_2026-11-20-10-15-00_{NB}",
    "First Audit_1001_attempt_2026-11-20-10-15-00.txt",
    f"First Audit_1002_attempt_2026-11-20-09-00-00_{NB}",
    f"First Audit_1002_attempt_2026-11-20-11-30-00_{NB}",  # second attempt
    f"First Audit_maria_jg_attempt_2026-11-20-12-00-00_{NB}",  # a user name with "_"
]


def by_path(decisions):
    return {d.path: d for d in decisions}


def test_canvas_names_resubmission_and_same_surname():
    decisions = by_path(plan_collection(CANVAS, NOTEBOOKS, ROSTER))
    assert decisions[CANVAS[0]].student == "ada_lovelace"
    assert decisions[CANVAS[1]].status == "older version"
    newest = decisions[CANVAS[2]]
    assert (newest.status, newest.student, newest.notebook) == ("collected", "tom_obrien", NB)
    assert "late" in newest.reason and "newest of 2" in newest.reason
    assert decisions[CANVAS[3]].student == "jane_smith"
    assert decisions[CANVAS[4]].student == "john_smith"
    assert decisions[CANVAS[5]].status == "rejected"
    assert "not a notebook of this assignment" in decisions[CANVAS[5]].reason


def test_moodle_names_with_spaces_accents_and_folders():
    decisions = by_path(plan_collection(MOODLE, NOTEBOOKS, ROSTER))
    students = {d.student for d in decisions.values() if d.status == "collected"}
    assert students == {"ada_lovelace", "tom_obrien", "jane_smith", "john_smith",
                        "maria_garcia"}
    assert decisions[MOODLE[-1]].status == "ignored"


def test_blackboard_attempts_receipts_and_user_names_with_underscores():
    roster = Roster([Student(s.id, s.name, s.email, s.lms_id) for s in ROSTER.students])
    decisions = by_path(plan_collection(BLACKBOARD, NOTEBOOKS, roster))
    assert decisions[BLACKBOARD[1]].status == "ignored"  # the receipt
    assert decisions[BLACKBOARD[2]].status == "older version"
    assert decisions[BLACKBOARD[3]].status == "collected"
    assert decisions[BLACKBOARD[4]].student == "maria_garcia"  # not "jg"


def test_every_file_is_accounted_for_in_the_summary():
    files = CANVAS
    decisions = plan_collection(files, NOTEBOOKS, ROSTER)
    assert sorted(d.path for d in decisions) == sorted(files)
    assert all(d.status in {"collected", "older version", "ignored", "rejected"}
               for d in decisions)
    table = summary_table(decisions)
    for path in files:
        assert path[:48] in table
    assert table.splitlines()[-1] == (
        "4 collected, 1 older version, 0 ignored, 1 rejected of 6 files")


def test_ids_with_underscores_are_never_truncated():
    # The kit's own layout, without a roster: <student>_<notebook> and <student>/<notebook>.
    files = [f"ada_lovelace_{NB}", f"alan_turing/{NB}", f"ada_{NB}"]
    decisions = by_path(plan_collection(files, NOTEBOOKS))
    assert [decisions[f].student for f in files] == ["ada_lovelace", "alan_turing", "ada"]
    assert parse_submission_name(f"ada_lovelace_{NB}", NOTEBOOKS).name == "ada_lovelace"


def test_a_student_outside_the_roster_is_rejected_with_what_to_do():
    decisions = plan_collection([f"turingalan_1099_52099_{NB}"], NOTEBOOKS, ROSTER)
    assert decisions[0].status == "rejected"
    assert "not in the roster" in decisions[0].reason and "1099" in decisions[0].reason


def test_two_students_with_the_same_name_collide_without_a_roster():
    files = [f"smithjane_1003_52003_{NB}", f"smithjane_1077_52077_{NB}"]
    with pytest.raises(ValueError) as error:
        plan_collection(files, NOTEBOOKS)
    message = str(error.value)
    assert files[0] in message and files[1] in message and "--roster" in message


def test_two_copies_that_nothing_orders_are_refused():
    files = [f"ada_lovelace_{NB}", f"ada_lovelace/{NB}"]
    with pytest.raises(ValueError) as error:
        plan_collection(files, NOTEBOOKS, times={files[0]: 5.0, files[1]: 5.0})
    assert files[0] in str(error.value) and files[1] in str(error.value)
    assert "Remove the one" in str(error.value)
    # with different times, the newer one wins
    decisions = by_path(plan_collection(files, NOTEBOOKS, times={files[0]: 1.0, files[1]: 2.0}))
    assert decisions[files[1]].status == "collected"


def test_re_collecting_one_student_ignores_the_others():
    decisions = by_path(plan_collection(CANVAS[:2], NOTEBOOKS, ROSTER, students={"tom_obrien"}))
    assert decisions[CANVAS[0]].status == "ignored"
    assert decisions[CANVAS[1]].status == "collected"


def test_roster_round_trip_and_bad_rows(tmp_path):
    path = ROSTER.write(tmp_path / "roster.csv")
    again = Roster.read(path)
    assert [vars(s) for s in again.students] == [vars(s) for s in ROSTER.students]
    (tmp_path / "bad.csv").write_text("id,name\nada,Ada\nada,Ada again\n")
    with pytest.raises(ValueError, match="more than one row"):
        Roster.read(tmp_path / "bad.csv")
    (tmp_path / "noid.csv").write_text("name,email\nAda,a@x\n")
    with pytest.raises(ValueError, match="no 'id' column"):
        Roster.read(tmp_path / "noid.csv")


def test_canvas_gradebook_layout(tmp_path):
    totals = {("ada_lovelace", "first-audit"): 7.0, ("tom_obrien", "first-audit"): 0.0}
    path = canvas_gradebook(totals, ROSTER, {"first-audit": 8.0}, tmp_path / "canvas.csv",
                            column_names={"first-audit": "First audit (4242)"})
    rows = list(csv.reader(path.open()))
    assert rows[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section",
                       "First audit (4242)"]
    assert rows[1][0] == "Points Possible" and rows[1][-1] == "8"
    by_id = {r[1]: r for r in rows[2:]}
    assert by_id["1001"][0] == "Lovelace, Ada" and by_id["1001"][-1] == "7"
    assert by_id["1002"][-1] == "0"          # submitted, scored 0
    assert by_id["1003"][-1] == ""           # not submitted: empty, not 0


def test_moodle_grades_layout(tmp_path):
    totals = {("ada_lovelace", "first-audit"): 7.5}
    path = moodle_grades(totals, ROSTER, {"first-audit": 8.0}, tmp_path / "moodle.csv")
    rows = list(csv.DictReader(path.open()))
    assert list(rows[0]) == ["First name", "Last name", "Email address", "first-audit"]
    by_email = {r["Email address"]: r for r in rows}
    assert by_email["ada@example.org"]["first-audit"] == "7.5"
    assert by_email["jane@example.org"]["first-audit"] == ""
    nameless = Roster([Student("x", "X Y", "", "")])
    with pytest.raises(ValueError, match="email"):
        moodle_grades({}, nameless, {"a": 1.0}, tmp_path / "m2.csv")
