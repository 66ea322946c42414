"""The course manifest (course.yml) and the parts of the book generated from it.

``course.yml`` says, once, which lessons the course has and in what order, how long
each takes, which graded exercise goes with it and what that exercise asks, and how the
workshops are planned. This script writes everything in the book that repeats it:

- each lesson's estimated reading time (first cell) and the opening of its
  *Exercises* section (a cell of its own, marked in its metadata as generated);
- the course map in lesson 1;
- the lessons table and the workshop plans in the instructor's guide;
- the line "This exercise follows the lesson *Title*" of each exercise;
- the pages of the API reference, ``book/api/`` (from rmlkit's ``__all__`` lists, by
  ``scripts/api_reference.py``).

``scripts/student_versions.py`` orders the exercises by it, and the tests are
parametrized from it.

Run: .venv/bin/python scripts/course_manifest.py [--write | --check]
"""

from __future__ import annotations

import argparse
import copy
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import yaml

ROOT = Path(__file__).resolve().parents[1]
MANIFEST = ROOT / "course.yml"
GUIDE = ROOT / "book" / "instructors-guide.md"
GENERATED = {"rmlkit": {"generated": "course.yml"}}
WORKSHOP = ("In a workshop, fetch it from the *Assignments* tab in JupyterLab; on your own, "
            "download it from its page.")


@dataclass
class Lesson:
    """One lesson of the manifest, with what its notebook says about itself."""

    id: str
    notebook: Path
    minutes: int
    map: str
    number: int
    label: str
    title: str
    assignment: str | None = None
    does: str | None = None
    questions: str | None = None
    instead: str | None = None
    exercises_note: str | None = None
    setup: list[str] = field(default_factory=list)


def load(path: Path = MANIFEST) -> dict:
    """The manifest: ``lessons`` (a list of :class:`Lesson`) and ``workshops``."""
    data = yaml.safe_load(path.read_text())
    lessons = []
    for entry in data["lessons"]:
        entry = dict(entry)
        notebook = ROOT / entry.pop("notebook")
        first = nbformat.read(notebook, as_version=4).cells[0].source
        label = re.search(r"^\(([\w-]+)\)=\s*$", first, re.M)
        title = re.search(r"^# (\d+)\. (.+)$", first, re.M)
        if not (label and title):
            raise ValueError(f"{notebook.name}: its first cell needs a (label)= line and a "
                             "'# N. Title' heading")
        lessons.append(Lesson(notebook=notebook, number=int(title.group(1)),
                              label=label.group(1), title=title.group(2).strip(), **entry))
    return {"lessons": lessons, "workshops": data.get("workshops", {})}


def by_assignment(lessons) -> dict[str, Lesson]:
    """The lesson each graded assignment goes with."""
    return {lesson.assignment: lesson for lesson in lessons if lesson.assignment}


# What is generated -----------------------------------------------------------------

def exercises_opening(lesson: Lesson, has_tasks: bool) -> str:
    if lesson.assignment:
        lead = (f"The graded exercise {{ref}}`{lesson.assignment} "
                f"<exercise-{lesson.assignment}>` {lesson.does} {WORKSHOP}")
        ask = "To check your own understanding first:"
    else:
        lead = lesson.exercises_note or "This lesson has no graded assignment."
        ask = "To check your own understanding:"
    return f"## Exercises\n\n{lead}" + (f"\n\n{ask}" if has_tasks else "")


def reading_time(source: str, minutes: int) -> str:
    return re.sub(r"(\*Estimated reading time: )\d+( minutes)", rf"\g<1>{minutes}\g<2>",
                  source, count=1)


def course_map(lessons) -> str:
    lines = []
    for lesson in lessons:
        if lesson.number == 1:
            lines.append(f"- **{lesson.number}. {lesson.title}** (this lesson): {lesson.map}")
        else:
            lines.append(f"- {{ref}}`{lesson.label}`: {lesson.map}")
    return "\n".join(lines)


def lessons_table(lessons) -> str:
    rows = ["| Lesson | Reading | Graded exercise |", "|---|---|---|"]
    for lesson in lessons:
        exercise = f"`{lesson.assignment}`" if lesson.assignment else lesson.instead
        rows.append(f"| {{ref}}`{lesson.label}` | {lesson.minutes} min | {exercise} |")
    return "\n".join(rows)


def _lesson_words(ids, lessons_by_id) -> str:
    numbers = [lessons_by_id[i].number for i in ids]
    if len(numbers) == 1:
        return f"lesson {numbers[0]}"
    if numbers == list(range(numbers[0], numbers[-1] + 1)):
        return f"lessons {numbers[0]}-{numbers[-1]}"
    return "lessons " + ", ".join(map(str, numbers[:-1])) + f" and {numbers[-1]}"


def _session(block: dict, lessons_by_id) -> str:
    """One workshop session in words: what it covers, its lessons, its exercises."""
    text = block.get("what", "")
    ids = block.get("lessons", [])
    if ids:
        text = (f"{text} ({_lesson_words(ids, lessons_by_id)})" if text
                else _lesson_words(ids, lessons_by_id).capitalize())
    exercises = [lessons_by_id[i].assignment for i in block.get("exercises", [])]
    if exercises:
        text += "; exercise " + ", ".join(f"`{a}`" for a in exercises)
    if block.get("then"):
        text += f", {block['then']}"
    return text


def one_day_table(workshops, lessons_by_id) -> str:
    """The day's sessions, with what a co-instructor grades meanwhile."""
    rows = ["| Time | Session | Grading (co-instructor) |", "|---|---|---|"]
    for block in workshops["one-day"]["sessions"]:
        rows.append(f"| {block['time']} | {_session(block, lessons_by_id)} | "
                    f"{block.get('grading', '')} |".replace("|  |", "| |"))
    return "\n".join(rows)


def five_day_table(workshops, lessons_by_id) -> str:
    rows = ["| Day | Morning | Afternoon |", "|---|---|---|"]
    for day, block in enumerate(workshops["five-day"]["days"], start=1):
        rows.append(f"| {day} | {_session(block['morning'], lessons_by_id)} | "
                    f"{_session(block['afternoon'], lessons_by_id)} |")
    return "\n".join(rows)


def replace_table(text: str, header: str, table: str) -> str:
    """Replace the Markdown table whose header row starts with ``header`` by ``table``."""
    lines = text.split("\n")
    start = next(i for i, line in enumerate(lines) if line.startswith(header))
    end = start
    while end < len(lines) and lines[end].startswith("|"):
        end += 1
    return "\n".join(lines[:start] + table.split("\n") + lines[end:])


# Applying it ---------------------------------------------------------------------

def _exercises_cell(nb, lesson: Lesson):
    """The generated opening cell of the Exercises section, made on first use."""
    for cell in nb.cells:
        if cell.metadata.get("rmlkit", {}).get("generated") == "course.yml":
            return cell
    hits = [i for i, c in enumerate(nb.cells)
            if c.cell_type == "markdown" and "## Exercises" in c.source]
    if len(hits) != 1:
        raise ValueError(f"{lesson.notebook.name}: expected one '## Exercises' section")
    at = hits[0]
    cell = nb.cells[at]
    before, _, after = cell.source.partition("## Exercises")
    # the hand-written opening runs up to the first numbered task or the next heading
    match = re.search(r"^(1\. |## )", after, re.M)
    rest = after[match.start():] if match else ""
    new = nbformat.v4.new_markdown_cell("", metadata=copy.deepcopy(GENERATED))
    new.id = f"{lesson.id}-exercises"
    cells = [new]
    if before.strip():
        cell.source = before.rstrip("\n")
        cells.insert(0, cell)
    if rest.strip():
        tasks = nbformat.v4.new_markdown_cell(rest.strip("\n"))
        tasks.id = f"{lesson.id}-tasks"
        cells.append(tasks)
    nb.cells[at:at + 1] = cells
    return new


def lesson_changes(manifest) -> dict[Path, str]:
    """The new text of every lesson notebook and exercise notebook that would change."""
    changes = {}
    lessons = manifest["lessons"]
    for lesson in lessons:
        nb = nbformat.read(lesson.notebook, as_version=4)
        before = lesson.notebook.read_text()
        nb.cells[0].source = reading_time(nb.cells[0].source, lesson.minutes)
        cell = _exercises_cell(nb, lesson)
        after_it = nb.cells[nb.cells.index(cell) + 1:]
        has_tasks = bool(after_it) and after_it[0].source.lstrip().startswith("1. ")
        cell.source = exercises_opening(lesson, has_tasks)
        if lesson.number == 1:
            for cell in nb.cells:
                if "## The course map" in cell.source:
                    cell.source = re.sub(r"(?ms)^- (\*\*1\.|\{ref\}`lesson-).*?(?=\n\n|\Z)",
                                         lambda _: course_map(lessons), cell.source, count=1)
        after = nbformat.writes(nb) + "\n"
        if after != before:
            changes[lesson.notebook] = after
    for assignment, lesson in by_assignment(lessons).items():
        for path in sorted((ROOT / "exercises" / "source" / assignment).glob("*.ipynb")):
            nb = nbformat.read(path, as_version=4)
            before = path.read_text()
            nb.cells[0].source = re.sub(r"follows the lesson \*[^*]+\*",
                                        f"follows the lesson *{lesson.title}*",
                                        nb.cells[0].source, count=1)
            after = nbformat.writes(nb) + "\n"
            if after != before:
                changes[path] = after
    return changes


def guide_text(manifest) -> str:
    lessons_by_id = {lesson.id: lesson for lesson in manifest["lessons"]}
    text = GUIDE.read_text()
    text = replace_table(text, "| Lesson | Reading | Graded exercise |",
                         lessons_table(manifest["lessons"]))
    workshops = manifest["workshops"]
    if workshops:
        text = replace_table(text, "| Time | Session |", one_day_table(workshops, lessons_by_id))
        text = replace_table(text, "| Day | Morning | Afternoon |",
                             five_day_table(workshops, lessons_by_id))
    return text


def changes(manifest=None) -> dict[Path, str]:
    """Every file the manifest would rewrite, with its new text."""
    manifest = load() if manifest is None else manifest
    out = lesson_changes(manifest)
    guide = guide_text(manifest)
    if guide != GUIDE.read_text():
        out[GUIDE] = guide
    out.update(api_changes())
    return out


def api_changes() -> dict[Path, str | None]:
    """The API pages that would change; None for a page to remove."""
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import api_reference
    finally:
        sys.path.pop(0)
    return {path: text for path, text in api_reference.api_pages().items()
            if text != (path.read_text() if path.exists() else None)}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    action = parser.add_mutually_exclusive_group()
    action.add_argument("--write", action="store_true", help="rewrite the generated parts")
    action.add_argument("--check", action="store_true",
                        help="exit 1 if a generated part differs from the manifest")
    args = parser.parse_args(argv)
    pending = changes()
    for path, text in pending.items():
        name = path.relative_to(ROOT)
        if args.write and text is None:
            path.unlink()
            print(f"removed {name}")
        elif args.write:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
            print(f"wrote {name}")
        else:
            print(f"out of date: {name}")
    if args.check and pending:
        print("Run: .venv/bin/python scripts/course_manifest.py --write", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
