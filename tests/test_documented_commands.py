"""Every shell block of the README and the instructor's guide works as written.

The blocks (```` ```bash ````) are extracted and run verbatim with bash, in a copy of the
kit (its tracked files, with this checkout's `.venv` and `node_modules` linked in), in a
shell whose PATH does not hold `.venv/bin`: a command that only works with the
environment activated must say how to activate it. Blocks that follow one another in
one shell session run with the state the earlier ones leave (the folder they `cd` into,
the activated environment). What an instructor brings is put in place first: the LMS's
zip of submissions and the roster in `my-course/`; and what a grader does in the
formgrader between two blocks is done through nbgrader's Gradebook API.

Blocks not run are listed in SKIPPED with the reason. A new block that is neither run
(RUN) nor listed makes the test fail.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import nbformat
import pytest
from exercise_bank import answer, load_bank

from conftest import BIN, ROOT

pytestmark = pytest.mark.slow

DOCUMENTS = ["README.md", "book/instructors-guide.md"]
SKIPPED = {
    "make book   # set everything up (first run) and build the executed book":
        "builds the whole book and runs the whole suite (`make test` runs this test); "
        "tests/test_book.py builds the book as `make book` does",
    "make instructor-book   # the exercises with solutions, hidden tests and grading rubrics":
        "builds a second book (minutes); tests/test_exercise_honesty.py builds it",
    "make book   # installs the pinned environment and builds this book, executed":
        "builds the book and `make lab` starts a server; tests/test_book.py and "
        "tests/test_lab.py cover them",
    "rmlkit course formgrader                     # open http://127.0.0.1:8765/formgrader":
        "starts a server until Ctrl-C; tests/test_workshop_day.py starts it and checks the "
        "rubric in Chromium",
}
# first line -> folder of the copy it runs in (the shell's folder at that point)
RUN = {
    "make setup                   # the environment only (make book also builds the book)": "",
    "source .venv/bin/activate    # rmlkit, jupyter and nbgrader on this shell's PATH": "",
    "source .venv/bin/activate                    # rmlkit on the PATH (once per shell)": "",
    "rmlkit course feedback risk-model            # never shows hidden tests or rubrics":
        "my-course",
}
ROSTER = """id,name,email,lms_id
ada_lovelace,Ada Lovelace,ada@example.org,1001
tom_obrien,Tom O'Brien,tom@example.org,1002
alan_turing,Alan Turing,alan@example.org,1003
"""


def shell_blocks(document: str) -> list[str]:
    text = (ROOT / document).read_text()
    return [m[1] for m in re.finditer(r"^```bash\n(.*?)^```", text, re.MULTILINE | re.DOTALL)]


def first_line(block: str) -> str:
    return block.strip().splitlines()[0].strip()


def test_every_block_is_run_or_listed_with_a_reason():
    for document in DOCUMENTS:
        for block in shell_blocks(document):
            line = first_line(block)
            assert line in RUN or line in SKIPPED, (
                f"{document}: the shell block starting {line!r} is neither run nor listed "
                "in tests/test_documented_commands.py: add it to RUN (and give it what it "
                "needs) or to SKIPPED with the reason")
    every = {first_line(b) for d in DOCUMENTS for b in shell_blocks(d)}
    assert set(RUN) | set(SKIPPED) <= every, "RUN or SKIPPED names a block that is gone"


@pytest.fixture(scope="module")
def kit(tmp_path_factory):
    """A copy of the kit's tracked files, with this checkout's environment linked in."""
    copy = tmp_path_factory.mktemp("clone") / "kit"
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True,
                             check=True).stdout.decode().split("\0")
    for name in filter(None, tracked):
        source = ROOT / name
        if source.is_file():
            (copy / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, copy / name)
    for name in [".venv", "node_modules"]:
        (copy / name).symlink_to(ROOT / name)
    return copy


def fresh_shell_env() -> dict:
    """A login shell's environment: no .venv on the PATH, no Jupyter variables."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("JUPYTER_", "VIRTUAL_ENV", "PYTEST_"))}
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep)
                                  if Path(p).resolve() != BIN.resolve()) or "/usr/bin:/bin"
    return env


def run_block(block: str, cwd: Path, *, activated: bool) -> subprocess.CompletedProcess:
    script = "set -euo pipefail\n"
    if activated:  # the same shell, after an earlier block ran `source .venv/bin/activate`
        script += f"source {cwd_root(cwd) / '.venv/bin/activate'}\n"
    script += block
    return subprocess.run(["bash", "-c", script], cwd=cwd, env=fresh_shell_env(),
                          capture_output=True, text=True, timeout=1800)


def cwd_root(cwd: Path) -> Path:
    return cwd if (cwd / "Makefile").is_file() else cwd.parent


def blocks_of(document: str) -> dict[str, str]:
    return {first_line(b): b for b in shell_blocks(document)}


def test_the_readme_blocks_run(kit):
    for line, block in blocks_of("README.md").items():
        if line in SKIPPED:
            continue
        result = run_block(block, kit / RUN[line], activated=False)
        assert result.returncode == 0, f"README block {line!r} failed:\n{result.stderr[-3000:]}"
        assert "init" in result.stdout and "formgrader" in result.stdout


def canvas_zip(kit: Path, scratch: Path) -> None:
    """The LMS download the guide's block collects: two students, Canvas's names, made
    from the student version (released in a scratch course)."""
    from rmlkit import course as rmlcourse

    bank = load_bank(ROOT / "tests" / "submission_bank" / "risk-model.yaml")["submissions"]
    rmlcourse.init_course(scratch, assignments=["risk-model"])
    rmlcourse.release(scratch, "risk-model")
    released = scratch / "release" / "risk-model" / "risk-model.ipynb"
    course = kit / "my-course"
    course.mkdir()
    (course / "roster.csv").write_text(ROSTER)
    with zipfile.ZipFile(course / "submissions.zip", "w") as archive:
        for name, key in [("lovelaceada_1001_80001", "correct"),
                          ("obrientom_1002_80002", "blank")]:
            nb = answer(nbformat.read(released, as_version=4), bank[key]["answers"], "docs")
            archive.writestr(f"{name}_risk-model.ipynb", nbformat.writes(nb))


def hand_grade(course: Path) -> None:
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        for student in ["ada_lovelace", "tom_obrien"]:
            grade = gb.find_grade("auc-answer", "risk-model", "risk-model", student)
            grade.manual_score = 2 if student == "ada_lovelace" else 0
            grade.needs_manual_grade = False  # as the formgrader's GradeHandler.put does
        gb.db.commit()


def test_the_guide_blocks_run_as_one_workshop(kit, tmp_path):
    blocks = blocks_of("book/instructors-guide.md")
    canvas_zip(kit, tmp_path / "scratch")
    order = [line for line in blocks if line in RUN]
    assert order == list(RUN)[1:], "the guide's runnable blocks changed order"
    activated = False
    for line in order:
        if line.startswith("rmlkit course feedback"):
            hand_grade(kit / "my-course")  # what the grader did in the formgrader
        result = run_block(blocks[line], kit / RUN[line], activated=activated)
        assert result.returncode == 0, (
            f"guide block {line!r} failed:\n{result.stdout[-2000:]}\n{result.stderr[-3000:]}")
        activated = activated or "source .venv/bin/activate" in blocks[line]
    course = kit / "my-course"
    assert (course / "grades-canvas.csv").is_file() and (course / "grades-moodle.csv").is_file()
    assert (course / "report.html").is_file()
    assert sorted(p.name for p in (course / "feedback").iterdir()) == ["ada_lovelace",
                                                                       "tom_obrien"]
