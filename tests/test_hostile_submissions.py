"""A bank of hostile submissions: each gets a grade and a clear reason, nothing else breaks.

A small assignment made here (a locked helper, two answers, two test cells with hidden
tests) is released, then submitted by one honest student and by students whose code
loops forever, eats memory, forks, exits, kills its kernel, prints megabytes, deletes or
edits test cells, reads or writes the course's files, opens a network connection or
redefines the test helpers. All are autograded in one run with short limits and two
workers. The honest student's grade, the gradebook and the course files must come
through untouched.
"""

from __future__ import annotations

import hashlib
import os
import socket
import sqlite3
import threading

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from rmlkit import course
from rmlkit.sandbox import (
    KERNEL_UID_BASE,
    KERNEL_UID_COUNT,
    UID_LOCKS,
    Limits,
    detect_tampering,
)

pytestmark = pytest.mark.slow

ASSIGNMENT = "tiny"
LIMITS = Limits(cell_timeout=8, total_timeout=60, cpu_seconds=30, memory_mb=1536,
                processes=64, output_bytes=200_000)


def _meta(grade_id, *, grade=False, solution=False, locked=False, points=None):
    meta = {"grade": grade, "grade_id": grade_id, "locked": locked, "schema_version": 3,
            "solution": solution, "task": False}
    if points is not None:
        meta["points"] = points
    return {"nbgrader": meta}


def source_notebook():
    cells = [
        new_markdown_cell("# A tiny assignment", metadata=_meta("intro", locked=True)),
        new_code_cell("def check_positive(value):\n"
                      "    assert value > 0, 'the value must be positive'\n",
                      metadata=_meta("helpers", locked=True)),
        new_code_cell("### BEGIN SOLUTION\nx = 2\n### END SOLUTION",
                      metadata=_meta("answer-x", solution=True)),
        new_code_cell("check_positive(x)\n### BEGIN HIDDEN TESTS\n"
                      "assert x == 2, 'x is not two'\n### END HIDDEN TESTS",
                      metadata=_meta("test-x", grade=True, locked=True, points=1)),
        new_code_cell("### BEGIN SOLUTION\ny = 3\n### END SOLUTION",
                      metadata=_meta("answer-y", solution=True)),
        new_code_cell("assert y == 3, 'y is not three'",
                      metadata=_meta("test-y", grade=True, locked=True, points=1)),
    ]
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    return nb


def hostile_answers(root, port):
    gradebook = root / "gradebook.db"
    source = root / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    return {
        "honest": ({"answer-x": "x = 2"}, 2, None),
        "loop": ({"answer-x": "while True:\n    pass"}, 1, "did not finish within 8 s"),
        "memory": ({"answer-x": "x = bytearray(8 * 2**30)"}, 1, "MemoryError"),
        "forkbomb": ({"answer-x": "import os, time\nwhile True:\n    if os.fork() == 0:\n"
                                  "        time.sleep(30)\n        os._exit(0)"},
                     1, "BlockingIOError"),
        "sysexit": ({"answer-x": "import sys\nsys.exit(3)"}, 1, "SystemExit"),
        "osexit": ({"answer-x": "import os\nos._exit(0)"}, 0, "exited with code 0"),
        "killer": ({"answer-x": "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)"},
                   0, "SIGKILL"),
        "chatty": ({"answer-x": "print('spam ' * 2_000_000)\nx = 2"}, 2, "output cap"),
        "deleter": ({"delete": "test-x", "answer-x": "x = -1"}, 1, "`test-x` was deleted"),
        "editor": ({"test-x": "pass", "answer-x": "x = -1"}, 1, "`test-x` was edited"),
        # hidden (empty folder) or out of reach (another user's folder)
        "reader": ({"answer-x": f"x = 2\nprint(open({str(source)!r}).read())"}, 2,
                   ("No such file", "Permission denied")),
        "writer": ({"answer-x": f"x = 2\nopen({str(gradebook)!r}, 'w').write('gone')"}, 2,
                   ("No such file", "Permission denied")),
        "network": ({"answer-x": "import socket\nx = 2\n"
                                 f"socket.create_connection(('127.0.0.1', {port}), timeout=3)"},
                    2, "Network is unreachable"),
        "patcher": ({"answer-x": "x = -5\ncheck_positive = lambda value: None\n"
                                "import builtins\nbuiltins.AssertionError = Warning"},
                    None, "redefines `check_positive`"),
    }


def make_submission(released, answers):
    answers = {"answer-y": "y = 3", **answers}
    nb = nbformat.read(released, as_version=4)
    delete = answers.get("delete")
    nb.cells = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") != delete]
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in answers:
            cell.source = answers[grade_id]
    return nb


def _digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def listener():
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    server.settimeout(0.5)
    accepted = []
    stop = threading.Event()

    def serve():
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                continue
            accepted.append(conn)
    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield server.getsockname()[1], accepted
    stop.set()
    server.close()


@pytest.fixture(scope="module")
def graded(tmp_path_factory, listener):
    port, _ = listener
    exercises = tmp_path_factory.mktemp("exercises")
    (exercises / "source" / ASSIGNMENT).mkdir(parents=True)
    nbformat.write(source_notebook(), exercises / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
    (exercises / "nbgrader_config.py").write_text(
        (course.KIT_EXERCISES / "nbgrader_config.py").read_text())
    root = course.init_course(tmp_path_factory.mktemp("hostile") / "course",
                              exercises=exercises)
    course.release(root, ASSIGNMENT)
    released = root / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    bank = hostile_answers(root, port)
    for student, (answers, _, _) in bank.items():
        target = root / "submitted" / student / ASSIGNMENT
        target.mkdir(parents=True)
        nbformat.write(make_submission(released, answers), target / f"{ASSIGNMENT}.ipynb")
    # The honest student is graded first; the rest must leave that grade alone.
    course.autograde(root, ASSIGNMENT, workers=1, limits=LIMITS, students=["honest"],
                     progress=False)
    before = {p: _digest(p) for p in (root / "source").rglob("*") if p.is_file()}
    before_honest = _digest(root / "autograded" / "honest" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
    results = course.autograde(root, ASSIGNMENT, workers=2, limits=LIMITS, progress=False,
                               students=[s for s in bank if s != "honest"])
    return root, bank, {r.student: r for r in results}, before, before_honest


def test_every_hostile_submission_gets_a_grade_and_a_reason(graded):
    root, bank, results, _, _ = graded
    for student, (_, expected_score, reason) in bank.items():
        if student == "honest":
            continue
        result = results[student]
        if expected_score is not None:
            assert result.score == expected_score, (student, result.score, result.reasons)
        assert result.max_score == 2
        text = " | ".join(result.reasons)
        alternatives = reason if isinstance(reason, tuple) else (reason,)
        assert any(r in text for r in alternatives), f"{student}: {reason!r} not in: {text}"


def test_the_patcher_cannot_pass_by_disabling_the_checks(graded):
    _, _, results, _, _ = graded
    result = results["patcher"]
    assert result.score < 2
    assert any("builtins" in t for t in result.tampering)


def test_the_honest_grade_the_source_and_the_gradebook_are_untouched(graded):
    root, bank, _, before, before_honest = graded
    after = {p: _digest(p) for p in (root / "source").rglob("*") if p.is_file()}
    assert after == before
    honest = root / "autograded" / "honest" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    assert _digest(honest) == before_honest
    with sqlite3.connect(root / "gradebook.db") as db:
        assert db.execute("pragma integrity_check").fetchone()[0] == "ok"
        students = {row[0] for row in db.execute("select id from student")}
    assert students == set(bank)
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        assert gb.find_submission(ASSIGNMENT, "honest").score == 2


def test_no_network_connection_reached_the_listener(graded, listener):
    _, accepted = listener
    assert accepted == []


def test_no_kernel_process_outlives_the_grading(graded):
    """No process is left under a kernel user id that no grading holds any more."""
    import fcntl

    leftovers = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            uid = os.stat(f"/proc/{pid}").st_uid
        except FileNotFoundError:
            continue
        if not KERNEL_UID_BASE <= uid < KERNEL_UID_BASE + KERNEL_UID_COUNT:
            continue
        with open(UID_LOCKS / str(uid), "w") as lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                continue  # another grading (running now) holds this user id
            leftovers.append(pid)
    assert leftovers == []


def test_tampering_is_found_by_comparison_with_the_release():
    released = source_notebook()
    same = nbformat.from_dict(released)
    assert detect_tampering(same, released) == []
    changed = nbformat.from_dict(released)
    changed.cells[3].metadata["nbgrader"]["points"] = 100
    changed.cells[2].source = "AssertionError = Exception\nx = 2"
    del changed.cells[5]
    findings = " | ".join(detect_tampering(changed, released))
    assert "`test-x` has changed nbgrader metadata (points)" in findings
    assert "redefines AssertionError" in findings
    assert "`test-y` was deleted" in findings


def _run_cells(tmp_path, cells, limits):
    from traitlets.config import Config

    from rmlkit.sandbox import execute_in_sandbox

    nb = new_notebook(cells=[new_code_cell(c) for c in cells])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    return execute_in_sandbox(nb, tmp_path, limits=limits, config=Config(), hide=[])


def test_total_time_limit_stops_a_slow_notebook(tmp_path):
    limits = Limits(cell_timeout=10, total_timeout=8)
    nb, events = _run_cells(tmp_path, ["import time\ntime.sleep(3)"] * 5, limits)
    assert any("total time limit of 8 s" in e for e in events), events
    last = nb.cells[-1].outputs[-1]
    assert last.ename == "KernelStopped" and "total time limit" in last.evalue


def test_cpu_time_limit_ends_a_busy_kernel(tmp_path):
    limits = Limits(cell_timeout=60, cpu_seconds=5)
    nb, events = _run_cells(tmp_path, ["while True:\n    pass", "print('next')"], limits)
    assert any("CPU-time limit" in e for e in events), events
