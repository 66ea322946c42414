"""A bank of hostile submissions: each gets a grade and a clear reason, nothing else breaks.

A small assignment made here (a locked helper, two answers, two test cells with hidden
tests) is released, then submitted by one honest student and by students whose code
loops forever, eats memory, forks, exits, kills its kernel, prints megabytes, deletes or
edits test cells, reads or writes the course's files, opens a network connection,
redefines the test helpers, changes how IPython runs later cells (input and AST
transformers, event hooks, the kernel's message handler, reached as
``IPython.get_ipython()``, ``__import__('IPython')`` or ``sys.modules``), smuggles the
hidden tests into its feedback (plainly, base64-encoded, or printed by the test
itself), puts scripts into its output, writes to /tmp or leaves processes behind.

The whole cycle runs through ``.venv/bin/rmlkit`` by its full path without the
environment on PATH (collect from a folder, autograde with short limits and two
workers, feedback, export, report), once as root and once as a normal user. The honest
student's grade, the gradebook and the course files must come through untouched.
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import re
import secrets
import socket
import sqlite3
import threading
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from grader_accounts import WHO, grader
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
LIMIT_FLAGS = ["--cell-timeout", "8", "--total-timeout", "60", "--cpu-seconds", "30",
               "--memory-mb", "1536", "--processes", "64", "--output-bytes", "200000"]
TOKEN = secrets.token_hex(4)
SLEEP = f"{3000 + int(TOKEN, 16) % 600}.{os.getpid()}"  # a sleep we can find in /proc
SCRIPT = ("<script>window.__pwned = 1</script><img src=x onerror=\"window.__pwned = 2\">"
          "<a id=js href=\"javascript:window.__pwned = 3\">click me</a>"
          "<iframe src=\"javascript:parent.__pwned = 4\"></iframe>"
          "<object data=\"javascript:parent.__pwned = 5\"></object><embed src=x>"
          "<b onmouseover=\"window.__pwned = 6\">bold</b>")
# Captures the source of every frame that calls it: called by a test, the test itself.
SPY = """\
import linecache, sys
class Spy:
    seen = []
    def _grab(self):
        frame = sys._getframe(1)
        for _ in range(4):  # the cells: the lambda, the test (perhaps through the helper)
            if 'ipykernel_' in frame.f_code.co_filename:
                Spy.seen.append(''.join(linecache.getlines(frame.f_code.co_filename)))
            frame = frame.f_back
        return True
    __gt__ = __eq__ = lambda self, other: self._grab()
    __hash__ = object.__hash__
x = Spy()
"""


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
        # Change how IPython runs the test cells (each scored full marks before the guard).
        "transformer": ({"answer-x": "x = -1\nimport IPython\nIPython.get_ipython()"
                                     ".input_transformers_cleanup.append(lambda lines: "
                                     "['pass\\n'])"}, 0, "IPython's input transformers"),
        "astcheat": ({"answer-x": "x = -1\nimport ast\nclass Gut(ast.NodeTransformer):\n"
                                  "    def visit_Module(self, node):\n"
                                  "        node.body = []\n        return node\n"
                                  "__import__('IPython').get_ipython().ast_transformers"
                                  ".append(Gut())"}, 0, "IPython's AST transformers"),
        "hooks": ({"answer-x": "x = -1\nimport sys\nshell = sys.modules['IPython']"
                               ".get_ipython()\nshell.set_custom_exc((AssertionError,), "
                               "lambda *args, **kwargs: None)\nshell.events.register("
                               "'post_run_cell', lambda r: setattr(r, 'error_in_exec', None))"},
                  1, "IPython event callbacks"),
        "handler": ({"answer-x": "x = -1\nkernel = __import__('IPython').get_ipython().kernel"
                                 "\noriginal = kernel.shell_handlers['execute_request']\n"
                                 "async def skip_tests(stream, ident, parent):\n"
                                 "    if 'assert' in parent['content']['code'] or "
                                 "'check_' in parent['content']['code']:\n"
                                 "        parent['content']['code'] = 'pass'\n"
                                 "    return await original(stream, ident, parent)\n"
                                 "kernel.shell_handlers['execute_request'] = skip_tests"},
                    0, "did not run as written"),
        # Smuggle the hidden test out: printed by the test itself, plainly, or encoded.
        "echoinside": ({"answer-x": SPY.replace("return True", "print(Spy.seen[-1])\n"
                                                 "        return True")}, 2, None),
        "echoplain": ({"answer-x": SPY, "answer-y": "y = 3\nprint('\\n'.join(Spy.seen))"},
                       2, None),
        "echobase64": ({"answer-x": SPY, "answer-y": "y = 3\nimport base64\nprint(base64."
                                                      "b64encode('\\n'.join(Spy.seen)"
                                                      ".encode()).decode())"}, 2, None),
        "html": ({"answer-x": "x = 2",
                  "answer-y": "y = 3\nfrom IPython.display import HTML, Javascript, display"
                              f"\ndisplay(HTML({SCRIPT!r}))\n"
                              "display(Javascript('window.__pwned = 7'))"}, 2, None),
        "tmpwriter": ({"answer-x": "x = 2\nfor folder in ('/tmp', '/var/tmp', '/dev/shm'):\n"
                                   f"    open(folder + '/rmlkit-hostile-{TOKEN}', 'w')"
                                   ".write('left behind')"}, 2, None),
        "survivor": ({"answer-x": "x = 2\nimport os, subprocess\n"
                                  f"subprocess.Popen(['sleep', '{SLEEP}'], "
                                  "start_new_session=True)\n"
                                  "child = os.fork()\nif child == 0:\n    os.setsid()\n"
                                  "    if os.fork() == 0:\n"
                                  f"        os.execvp('sleep', ['sleep', '{SLEEP}'])\n"
                                  "    os._exit(0)\nos.waitpid(child, 0)"}, 2, None),
    }


LEAKING = ["echobase64", "echoplain"]


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


def _results(root):
    """The autograde log, as results with ``reasons`` (what ``rmlkit course`` printed)."""
    log = json.loads((root / "reports" / f"autograde-{ASSIGNMENT}.json").read_text())
    return {student: course.SubmissionResult(**fields) for student, fields in log.items()}


def _process_lines():
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            found.append(Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode())
        except OSError:
            continue
    return found


@pytest.fixture(scope="module", params=WHO)
def graded(request, listener):
    """The whole cycle through `.venv/bin/rmlkit`, as root or as a normal user."""
    port, _ = listener
    who = grader(request.param)
    exercises = who.workspace / "exercises"
    (exercises / "source" / ASSIGNMENT).mkdir(parents=True)
    nbformat.write(source_notebook(), exercises / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
    (exercises / "nbgrader_config.py").write_text(
        (course.kit_exercises() / "nbgrader_config.py").read_text())
    root = who.workspace / "course"
    who.give(exercises)
    who.run("course", "init", root, "--from", exercises)
    who.run("course", "release", ASSIGNMENT, "--course", root)
    released = root / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    bank = hostile_answers(root, port)
    folder = who.workspace / "submissions"
    for student, (answers, _, _) in bank.items():
        (folder / student).mkdir(parents=True)
        nbformat.write(make_submission(released, answers),
                       folder / student / f"{ASSIGNMENT}.ipynb")
    who.give(folder)
    who.run("course", "collect", ASSIGNMENT, folder, "--course", root)
    # The honest student is graded first; the rest must leave that grade alone.
    who.run("course", "autograde", ASSIGNMENT, "--workers", "1", "--quiet", "--student",
            "honest", *LIMIT_FLAGS, "--course", root)
    before = {p: _digest(p) for p in (root / "source").rglob("*") if p.is_file()}
    before_honest = _digest(root / "autograded" / "honest" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
    others = [arg for s in bank if s != "honest" for arg in ("--student", s)]
    autograde = who.run("course", "autograde", ASSIGNMENT, "--workers", "2", "--quiet",
                        *others, *LIMIT_FLAGS, "--course", root)
    processes = _process_lines()
    feedback = who.run("course", "feedback", ASSIGNMENT, "--allow-ungraded", "--course", root,
                       check=False)
    who.run("course", "export", "--to", root / "grades.csv", "--course", root)
    who.run("course", "report", "--to", root / "report.html", "--course", root)
    yield {"root": root, "bank": bank, "results": _results(root), "before": before,
           "before_honest": before_honest, "printed": autograde.stdout, "feedback": feedback,
           "processes": processes, "who": who}
    who.cleanup()


def test_every_hostile_submission_gets_a_grade_and_a_reason(graded):
    bank, results = graded["bank"], graded["results"]
    for student, (_, expected_score, reason) in bank.items():
        if student == "honest":
            continue
        result = results[student]
        if expected_score is not None:
            assert result.score == expected_score, (student, result.score, result.reasons)
        assert result.max_score == 2
        if reason is None:
            continue
        text = " | ".join(result.reasons)
        alternatives = reason if isinstance(reason, tuple) else (reason,)
        assert any(r in text for r in alternatives), f"{student}: {reason!r} not in: {text}"
        assert f"{student}: {expected_score if expected_score is not None else ''}" in \
            graded["printed"]


def test_the_patcher_cannot_pass_by_disabling_the_checks(graded):
    result = graded["results"]["patcher"]
    assert result.score < 2
    assert any("builtins" in t for t in result.tampering)


@pytest.mark.parametrize("student", ["transformer", "astcheat", "hooks", "handler"])
def test_code_that_changes_how_tests_run_gets_no_points_for_them(graded, student):
    """Each of these scored 2 of 2 before: the tests were turned off, not passed."""
    result = graded["results"][student]
    _, expected, reason = graded["bank"][student]
    assert result.score == expected < 2
    assert any(reason in r for r in result.reasons), result.reasons
    csv = pd.read_csv(graded["root"] / "grades.csv").set_index("student_id")
    assert csv.loc[student, "score"] == expected


def test_tests_that_did_not_run_are_listed_in_the_report(graded):
    report = (graded["root"] / "report.html").read_text()
    listed = [line for line in report.splitlines() if line.startswith("<li>handler:")]
    assert listed and "did not run as written" in listed[0]


def test_hidden_tests_never_reach_feedback(graded):
    root, feedback = graded["root"], graded["feedback"]
    assert feedback.returncode == 100 + len(LEAKING), feedback.stderr
    for student in LEAKING:
        assert f"WITHHELD {root / 'feedback' / student}" in feedback.stderr
    pages = {p.parts[-3]: html.unescape(p.read_text())
             for p in (root / "feedback").glob("*/*/*.html")}
    assert sorted(set(graded["bank"]) - set(pages)) == LEAKING  # the rest of the class
    secret = "x is not two'"  # from the hidden test's source: "assert x == 2, 'x is not two'"
    for student, page in pages.items():
        assert "x == 2" not in page and secret not in page, student
    # what the test printed is dropped; the test's own message is kept
    assert "the output of hidden checks is not shown" in pages["echoinside"]
    assert "AssertionError: the value must be positive" in pages["editor"]


def test_feedback_pages_cannot_run_scripts(graded, browser):
    page_path = graded["root"] / "feedback" / "html" / ASSIGNMENT / f"{ASSIGNMENT}.html"
    text = page_path.read_text()
    tags = re.findall(r"<[^>]+>", text)  # the page's markup (the student's code is text)
    assert not [t for t in tags if re.match(r"<\s*(script|iframe|object|embed)\b", t, re.I)]
    assert not [t for t in tags if re.search(r"\son\w+\s*=", t, re.I)]
    assert not [t for t in tags if "javascript:" in t.lower()]
    assert 'http-equiv="Content-Security-Policy"' in text and "script-src 'none'" in text
    assert "click me" in text and "bold" in text  # the harmless text stays
    page = browser.new_page()
    dialogs, errors = [], []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(page_path.as_uri())
    page.locator("a#js").click()  # the link, its javascript: address removed
    page.get_by_text("bold", exact=True).hover()
    page.wait_for_timeout(300)
    assert page.evaluate("window.__pwned") is None
    assert page.evaluate("document.querySelectorAll('script, iframe, object, embed').length") == 0
    assert page.evaluate("[...document.querySelectorAll('*')].flatMap(e => [...e.attributes])"
                         ".filter(a => a.name.startsWith('on')).length") == 0
    assert dialogs == []
    page.close()


def test_the_honest_grade_the_source_and_the_gradebook_are_untouched(graded):
    root = graded["root"]
    after = {p: _digest(p) for p in (root / "source").rglob("*") if p.is_file()}
    assert after == graded["before"]
    honest = root / "autograded" / "honest" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    assert _digest(honest) == graded["before_honest"]
    with sqlite3.connect(root / "gradebook.db") as db:
        assert db.execute("pragma integrity_check").fetchone()[0] == "ok"
        students = {row[0] for row in db.execute("select id from student")}
    assert students == set(graded["bank"])
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        assert gb.find_submission(ASSIGNMENT, "honest").score == 2


def test_no_network_connection_reached_the_listener(graded, listener):
    _, accepted = listener
    assert accepted == []


def test_nothing_written_to_tmp_reaches_the_grading_machine(graded):
    assert graded["results"]["tmpwriter"].score == 2  # the writes worked, in its own /tmp
    for folder in ("/tmp", "/var/tmp", "/dev/shm"):
        assert not Path(folder, f"rmlkit-hostile-{TOKEN}").exists(), folder
    assert not list(Path("/tmp").glob("rml-stage-*"))


def test_no_process_outlives_its_submission(graded):
    """Neither a new session (start_new_session) nor a double fork survives grading."""
    assert graded["results"]["survivor"].score == 2
    assert not [line for line in graded["processes"] if SLEEP in line]
    assert not [line for line in _process_lines() if SLEEP in line]


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
