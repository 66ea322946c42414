"""Every assignment in exercises/source is honest, checked with nbgrader itself.

For each assignment (new ones are picked up automatically): the source notebook passes
its own tests; the student version nbgrader generates fails every autograded test
(nothing passes without an answer) and holds no solution, hidden test or rubric; each
written answer has a rubric for graders (full, partial and minimal answers) inside its
solution region; and every grade cell with hidden tests is shown, in the submission
bank, to catch an answer that passes the visible checks.
"""

from __future__ import annotations

import copy
import importlib.util
import re

import nbformat
import pytest
import yaml
from exercise_bank import (
    COURSE,
    HIDDEN_BEGIN,
    assignments,
    bank_path,
    hidden_test_cells,
    load_bank,
    nbgrader,
)
from nbgrader.validator import Validator

from rmlkit.grading import copy_course, release

from conftest import ROOT

pytestmark = pytest.mark.slow

ASSIGNMENTS = assignments()
REGIONS = [
    ("### BEGIN SOLUTION", "### END SOLUTION"),
    ("### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"),
]
# What student-facing checks never say: passing the visible checks is not being right.
OVERCLAIMS = re.compile(r"all tests passed|tests passed|\bcorrect!|you got it right", re.I)


def notebooks(assignment: str) -> list[str]:
    return sorted(p.name for p in (COURSE / "source" / assignment).glob("*.ipynb"))


@pytest.fixture(scope="module", params=ASSIGNMENTS)
def course(request, tmp_path_factory):
    """(assignment, course root, config, folder of the student version)."""
    assignment = request.param
    root, config = copy_course(COURSE, tmp_path_factory.mktemp(assignment), [assignment])
    return assignment, root, config, release(assignment, root, config)


def secret_lines(source: str) -> list[str]:
    """The lines inside solution and hidden-test regions that are not trivial."""
    secrets, inside = [], False
    for line in source.splitlines():
        stripped = line.strip()
        if any(stripped == begin for begin, _ in REGIONS):
            inside = True
        elif any(stripped == end for _, end in REGIONS):
            inside = False
        elif inside and len(stripped) >= 20:
            secrets.append(stripped)
    return secrets


def outside_regions(nb) -> str:
    text = []
    for cell in nb.cells:
        inside = False
        for line in cell.source.splitlines():
            stripped = line.strip()
            if any(stripped == begin for begin, _ in REGIONS):
                inside = True
            elif any(stripped == end for _, end in REGIONS):
                inside = False
            elif not inside:
                text.append(stripped)
    return "\n".join(text)


def test_the_source_notebook_passes_its_own_tests(course):
    assignment, root, config, _ = course
    for name in notebooks(assignment):
        results = Validator(config=copy.deepcopy(config)).validate(
            str(root / "source" / assignment / name))
        assert results == {}, f"{assignment}/{name}: the solution fails its own tests: {results}"


def test_the_student_version_fails_every_autograded_test(course):
    assignment, _, config, released = course
    for name in notebooks(assignment):
        results = Validator(config=copy.deepcopy(config), invert=True).validate(
            str(released / name))
        assert "passed" not in results, (
            f"{assignment}/{name}: these tests pass without an answer: {results['passed']}"
        )
        assert "changed" not in results and "type_changed" not in results, results


def test_the_student_version_holds_no_solution_hidden_test_or_rubric(course):
    assignment, _, _, released = course
    for name in notebooks(assignment):
        source = nbformat.read(COURSE / "source" / assignment / name, as_version=4)
        student = nbformat.read(released / name, as_version=4)
        text = "\n".join(cell.source for cell in student.cells)
        for marker in ["BEGIN SOLUTION", "END SOLUTION", "HIDDEN TESTS", "Rubric for graders"]:
            assert marker not in text, f"{assignment}/{name}: the student version has {marker!r}"
        public = outside_regions(source)
        for cell in source.cells:
            for line in secret_lines(cell.source):
                if line not in public:  # a line also given to students is no secret
                    assert line not in text, (
                        f"{assignment}/{name}: the student version contains {line!r}"
                    )
        solutions = [c for c in student.cells if nbgrader(c).get("solution")]
        assert solutions, f"{assignment}/{name} asks for no answers"
        for cell in solutions:
            stub = "raise NotImplementedError()" if cell.cell_type == "code" else "YOUR ANSWER"
            assert stub in cell.source, (
                f"{assignment}/{name}: {nbgrader(cell)['grade_id']} has no answer stub"
            )
        assert not OVERCLAIMS.search(text), (
            f"{assignment}/{name}: a check says more than 'passed the visible checks': "
            f"{OVERCLAIMS.search(text).group()!r}"
        )


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_each_written_answer_has_a_rubric_for_graders(assignment):
    for name in notebooks(assignment):
        nb = nbformat.read(COURSE / "source" / assignment / name, as_version=4)
        written = [c for c in nb.cells if c.cell_type == "markdown"
                   and nbgrader(c).get("solution") and nbgrader(c).get("grade")]
        for cell in written:
            grade_id = nbgrader(cell)["grade_id"]
            match = re.search(r"### BEGIN SOLUTION(.*?)### END SOLUTION", cell.source, re.S)
            assert match, f"{assignment}/{name}: {grade_id} has no solution region"
            rubric = match.group(1).lower()
            for level in ["full", "partial", "minimal"]:
                assert re.search(rf"\b{level}\b", rubric), (
                    f"{assignment}/{name}: the rubric of {grade_id} does not describe a "
                    f"{level} answer"
                )
            assert nbgrader(cell).get("points", 0) > 0, f"{grade_id} is worth no points"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_hidden_tests_are_in_the_submission_bank(assignment):
    path = bank_path(assignment)
    assert path.is_file(), f"{assignment} has no submission bank: write {path}"
    bank = load_bank(path)
    caught = {gid for student, entry in bank["submissions"].items()
              if student.startswith("passes-visible") for gid in entry["catches"]}
    nb = nbformat.read(COURSE / "source" / assignment / bank["notebook"], as_version=4)
    hidden = hidden_test_cells(nb)
    missing = sorted(set(hidden) - caught)
    assert not missing, f"{assignment}: no passes-visible submission is caught by {missing}"
    unknown = sorted(caught - set(hidden))
    assert not unknown, f"{assignment}: catches lists cells without hidden tests: {unknown}"
    assert any(HIDDEN_BEGIN in c.source for c in nb.cells), f"{assignment} has no hidden tests"


def load_script(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_book_shows_only_student_versions(tmp_path):
    student_versions = load_script("student_versions")
    out = tmp_path / "exercises"
    pages = student_versions.write_student_versions(out)
    # pages are named <NN>-<assignment>, NN the lesson each follows
    assert sorted(p.stem[3:] for p in pages) == ASSIGNMENTS
    assert all(re.fullmatch(r"\d\d-.+", p.stem) for p in pages)
    index = (out / "index.md").read_text()
    for page in pages:
        assignment = page.stem[3:]
        nb = nbformat.read(page, as_version=4)
        assert nb.metadata["mystnb"] == {"execution_mode": "off"}
        assert nb.cells[0].source.startswith(f"(exercise-{assignment})=\n# ")
        link = f"{{download}}`Download this exercise as a notebook <downloads/{assignment}.ipynb>`"
        assert link in nb.cells[1].source
        download = out / "downloads" / f"{assignment}.ipynb"
        for path in (page, download):
            text = path.read_text()
            for marker in ["BEGIN SOLUTION", "HIDDEN TESTS", "Rubric for graders"]:
                assert marker not in text, f"{path.name} shows {marker!r}"
        assert f"<downloads/{assignment}.ipynb>" in index
        assert f"{{ref}}`exercise-{assignment}`" in index


def test_the_instructor_book_has_the_sources_and_a_banner(tmp_path):
    student_versions = load_script("student_versions")
    toc, config = student_versions.write_instructor_versions(tmp_path / "src", tmp_path)
    for assignment in ASSIGNMENTS:
        [page] = (tmp_path / "src").glob(f"[0-9][0-9]-{assignment}.ipynb")
        text = page.read_text()
        assert "BEGIN SOLUTION" in text and student_versions.BANNER in text
    chapters = [c for part in yaml.safe_load(toc.read_text())["parts"] for c in part["chapters"]]
    assert {"file": "book/exercises-instructor/index",
            "sections": [{"glob": "book/exercises-instructor/*"}]} in chapters
    assert not any("book/exercises/" in str(c) for c in chapters)
    settings = yaml.safe_load(config.read_text())
    assert settings["sphinx"]["config"]["html_theme_options"]["announcement"] == (
        student_versions.BANNER)
    assert settings["sphinx"]["config"]["html_theme_options"]["home_page_in_toc"]
    assert "instructor" in settings["title"]


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_markdown_cells_render_as_text(assignment):
    """The first cell opens with the title; no markdown cell starts as an indented block.

    Markdown shows a paragraph indented by four spaces or more as code, so a cell written
    with an indented string (textwrap not dedented) reads as a grey block of code, and
    the book cannot find the exercise's title.
    """
    for name in notebooks(assignment):
        nb = nbformat.read(COURSE / "source" / assignment / name, as_version=4)
        assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith("# "), (
            f"{assignment}/{name}: the first cell should start with the '# ' title line"
        )
        for cell in nb.cells:
            if cell.cell_type == "markdown":
                assert not re.match(r"( {4,}|\t)\S", cell.source), (
                    f"{assignment}/{name}: a markdown cell starts indented, so it shows as "
                    f"code: {cell.source[:60]!r}; dedent it"
                )
