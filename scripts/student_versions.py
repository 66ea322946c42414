"""Put the exercises in the book: the student version of every assignment, made by nbgrader.

The book never shows solutions. Before each build this script copies the course to a
temporary folder, lets nbgrader generate the student version of every assignment in
``exercises/source/``, and writes, for the book:

- ``book/exercises/<NN>-<assignment>.ipynb``: the page (not executed by the book, with a
  download link at the top and the label ``exercise-<assignment>``), numbered after the
  lesson it follows so that the exercises come in the order of the lessons;
- ``book/exercises/downloads/<assignment>.ipynb``: the notebook exactly as nbgrader
  released it, for students to download and work on;
- ``book/exercises/index.md``: the list of exercises, with their download links.

``book/exercises/`` is generated (git-ignored); ``make html`` runs this script first.

With ``--instructor`` it writes the *source* versions (solutions, hidden tests and
rubrics) to ``book/exercises-instructor/`` instead, plus a table of contents and a
configuration for a separate instructor book with a banner on every page; ``make
instructor-book`` builds that book into ``_build/instructor``.

Run: .venv/bin/python scripts/student_versions.py [--instructor]
"""

from __future__ import annotations

import argparse
import copy
import importlib.util
import shutil
import sys
import tempfile
from pathlib import Path

import nbformat
import yaml

from rmlkit.grading import copy_course, list_assignments, release

ROOT = Path(__file__).resolve().parents[1]
COURSE = ROOT / "exercises"
STUDENT_DIR = ROOT / "book" / "exercises"
INSTRUCTOR_DIR = ROOT / "book" / "exercises-instructor"
INSTRUCTOR_BUILD = ROOT / "_build" / "instructor"
BANNER = (
    "Instructor edition: the exercises show their solutions, hidden tests and grading "
    "rubrics. Do not share this book with students."
)
WORKING = """\
**How to work on an exercise.** Download its notebook and open it in JupyterLab with
the course's environment (`make lab` in the course repository sets one up), or fetch it
from your course's JupyterHub. Write your answers where it says `# YOUR CODE HERE` and
`YOUR ANSWER HERE`, and run the check cell under each answer. Passing the visible
checks is a good sign, not a guarantee: graded work also runs hidden tests, and your
instructor grades the written answers."""


def _manifest():
    """scripts/course_manifest.py, which reads course.yml."""
    path = Path(__file__).resolve().with_name("course_manifest.py")
    spec = importlib.util.spec_from_file_location("course_manifest", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("course_manifest", module)  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def lesson_numbers() -> dict[str, int]:
    """Each graded assignment and the number of the lesson it goes with (course.yml)."""
    manifest = _manifest()
    return {assignment: lesson.number
            for assignment, lesson in manifest.by_assignment(manifest.load()["lessons"]).items()}


def lesson_of(assignment: str, numbers: dict[str, int]) -> int:
    """The number of the lesson an assignment goes with, or 99 if course.yml has none."""
    return numbers.get(assignment, 99)


def main_notebook(folder: Path, assignment: str) -> Path:
    """The assignment's notebook: <assignment>.ipynb, or its only notebook."""
    named = folder / f"{assignment}.ipynb"
    if named.is_file():
        return named
    notebooks = sorted(folder.glob("*.ipynb"))
    if len(notebooks) != 1:
        raise ValueError(f"{folder} should hold {assignment}.ipynb (found {notebooks})")
    return notebooks[0]


def as_page(nb, assignment: str, note: str):
    """A copy of ``nb`` for the book: labelled, not executed, ``note`` under the title."""
    page = copy.deepcopy(nb)
    page.metadata["mystnb"] = {"execution_mode": "off"}
    first = page.cells[0]
    assert first.cell_type == "markdown", f"{assignment}: the first cell should be markdown"
    first.source = f"(exercise-{assignment})=\n{first.source}"
    lines = first.source.splitlines()
    titles = [i for i, line in enumerate(lines) if line.startswith("# ")]
    if not titles:
        raise ValueError(f"{assignment}: the first cell should start with a '# ' title line")
    title_line = titles[0]
    # the note goes right under the title, in a cell of its own
    head, rest = "\n".join(lines[: title_line + 1]), "\n".join(lines[title_line + 1:])
    first.source = head
    cells = [nbformat.v4.new_markdown_cell(note)]
    if rest.strip():
        cells.append(nbformat.v4.new_markdown_cell(rest.strip("\n")))
        cells[-1].metadata = copy.deepcopy(first.metadata)
        first.metadata.pop("nbgrader", None)
    page.cells[1:1] = cells
    for cell in page.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    return page


def page_name(assignment: str, numbers: dict[str, int]) -> str:
    """The file name (without suffix) of an assignment's page: ``<NN>-<assignment>``."""
    return f"{lesson_of(assignment, numbers):02d}-{assignment}"


def student_page_names() -> list[str]:
    """The book's exercise pages ("book/exercises/05-first-audit"), known before they are
    generated: one for each assignment in exercises/source/."""
    numbers = lesson_numbers()
    return [f"book/exercises/{page_name(a, numbers)}" for a in list_assignments(COURSE)]


def write_student_versions(out: Path = STUDENT_DIR) -> list[Path]:
    """Generate the student version of every assignment into ``out``; return the pages."""
    if out.exists():
        shutil.rmtree(out)
    (out / "downloads").mkdir(parents=True)
    rows, pages, numbers = [], [], lesson_numbers()
    with tempfile.TemporaryDirectory() as tmp:
        root, config = copy_course(COURSE, tmp)
        for assignment in list_assignments(COURSE):
            released = main_notebook(release(assignment, root, config), assignment)
            nb = nbformat.read(released, as_version=4)
            download = out / "downloads" / f"{assignment}.ipynb"
            shutil.copy(released, download)
            link = f"{{download}}`Download this exercise as a notebook <downloads/{download.name}>`"
            note = (
                f"```{{note}}\nThis is the student version of the exercise, as nbgrader "
                f"releases it. {link} to work on it in JupyterLab.\n```"
            )
            lesson = lesson_of(assignment, numbers)
            page = out / f"{page_name(assignment, numbers)}.ipynb"
            nbformat.write(as_page(nb, assignment, note), page)
            pages.append(page)
            rows.append((lesson, f"- {{ref}}`exercise-{assignment}` ({{download}}`notebook "
                                 f"<downloads/{download.name}>`), after lesson {lesson}"))
    index = [
        "(exercises)=",
        "# Exercises",
        "",
        "Each exercise is a notebook graded with nbgrader: code answers checked automatically,",
        "written answers graded by your instructor. The pages below show the student",
        "version of each exercise, without solutions; download a notebook to work on it.",
        "",
        WORKING,
        "",
        *(row for _, row in sorted(rows)),
        "",
    ]
    (out / "index.md").write_text("\n".join(index).replace(", after lesson 99", ""))
    return pages


def write_instructor_versions(out: Path = INSTRUCTOR_DIR, build: Path = INSTRUCTOR_BUILD):
    """Source versions, an instructor table of contents and configuration; return both."""
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    rows, numbers = [], lesson_numbers()
    for assignment in list_assignments(COURSE):
        source = main_notebook(COURSE / "source" / assignment, assignment)
        nb = nbformat.read(source, as_version=4)
        note = f"```{{warning}}\n{BANNER}\n```"
        lesson = lesson_of(assignment, numbers)
        nbformat.write(as_page(nb, assignment, note), out / f"{lesson:02d}-{assignment}.ipynb")
        rows.append((lesson, f"- {{ref}}`exercise-{assignment}`"))
    (out / "index.md").write_text("\n".join([
        "(exercises)=", "# Exercises (instructor edition)", "", BANNER, "",
        "Grade the code answers with nbgrader's `autograde`; the written answers with the "
        "rubric in each answer cell. The student version of each exercise is in the "
        "student book.", "", *(row for _, row in sorted(rows)), "",
    ]))

    build.mkdir(parents=True, exist_ok=True)
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    for part in toc.get("parts", []):
        for chapter in part.get("chapters", []):
            if chapter.get("file") == "book/exercises/index":
                chapter["file"] = "book/exercises-instructor/index"
                chapter["sections"] = [{"glob": "book/exercises-instructor/*"}]
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    config["title"] = f"{config['title']} (instructor edition)"
    # The banner: html.announcement is lost when sphinx.config sets html_theme_options.
    sphinx_config = config.setdefault("sphinx", {}).setdefault("config", {})
    sphinx_config.setdefault("html_theme_options", {})["announcement"] = BANNER
    # jupyter-book finds local extensions relative to the configuration file.
    extensions = config.get("sphinx", {}).get("local_extensions") or {}
    for name, path in extensions.items():
        extensions[name] = str(ROOT / path)
    # Reuse the lessons already executed by the student book's build.
    config.setdefault("execute", {})["cache"] = str(ROOT / "_build" / ".jupyter_cache")
    (build / "_toc.yml").write_text(yaml.safe_dump(toc, sort_keys=False))
    (build / "_config.yml").write_text(yaml.safe_dump(config, sort_keys=False))
    return build / "_toc.yml", build / "_config.yml"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--instructor", action="store_true",
                        help="write the source versions and the instructor book's settings")
    args = parser.parse_args(argv)
    if args.instructor:
        toc, config = write_instructor_versions()
        print(f"Instructor versions in {INSTRUCTOR_DIR}; book settings {toc} and {config}")
    else:
        pages = write_student_versions()
        print(f"Student versions of {len(pages)} exercise(s) in {STUDENT_DIR}")


if __name__ == "__main__":
    main()
