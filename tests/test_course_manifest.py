"""course.yml, the course manifest: it agrees with the book, and the book with it."""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import re
import sys

import nbformat
import pytest
import yaml

from conftest import ROOT


def load_script(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


course_manifest = load_script("course_manifest")
MANIFEST = course_manifest.load()
LESSONS = MANIFEST["lessons"]
BY_ID = {lesson.id: lesson for lesson in LESSONS}


def toc_lessons() -> list[str]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    part = next(p for p in toc["parts"] if p["caption"] == "Lessons")
    return [chapter["file"] for chapter in part["chapters"]]


def test_the_generated_parts_of_the_book_agree_with_the_manifest():
    stale = [str(path.relative_to(ROOT)) for path in course_manifest.changes()]
    assert not stale, (
        f"These files disagree with course.yml: {stale}. "
        "Run .venv/bin/python scripts/course_manifest.py --write"
    )


def test_the_manifest_lists_the_lessons_of_the_table_of_contents_in_order():
    listed = [str(lesson.notebook.relative_to(ROOT).with_suffix("")) for lesson in LESSONS]
    assert listed == toc_lessons()
    assert [lesson.number for lesson in LESSONS] == list(range(1, len(LESSONS) + 1))
    assert len({lesson.id for lesson in LESSONS}) == len(LESSONS)


def test_every_assignment_goes_with_exactly_one_lesson():
    folders = sorted(p.parent.name for p in (ROOT / "exercises" / "source").glob("*/*.ipynb"))
    paired = [lesson.assignment for lesson in LESSONS if lesson.assignment]
    assert sorted(set(folders)) == sorted(paired), "course.yml and exercises/source differ"
    assert len(paired) == len(set(paired)), "an assignment goes with two lessons"
    for lesson in LESSONS:
        if lesson.assignment:
            assert lesson.does and lesson.questions, f"{lesson.id}: say what it asks, and where"
        else:
            assert lesson.instead, f"{lesson.id}: say what the lesson offers instead"


@pytest.mark.parametrize("lesson", [lesson for lesson in LESSONS if lesson.questions],
                         ids=lambda lesson: lesson.id)
def test_each_questions_module_names_its_lesson(lesson):
    module = importlib.import_module(lesson.questions)
    refs = re.findall(r"\{ref\}`([\w-]+)`", inspect.getdoc(module) or "")
    assert refs and set(refs) == {lesson.label}, (
        f"{lesson.questions} should name {lesson.label}, the lesson course.yml pairs it "
        f"with; it names {sorted(set(refs))}"
    )
    notebooks = (ROOT / "exercises" / "source" / lesson.assignment).glob("*.ipynb")
    for path in notebooks:
        source = "\n".join(c.source for c in nbformat.read(path, as_version=4).cells)
        assert lesson.questions in source, f"{path.name} does not import {lesson.questions}"


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda lesson: lesson.id)
def test_each_named_setup_exists_and_the_lesson_uses_it(lesson):
    source = "\n".join(c.source for c in nbformat.read(lesson.notebook, as_version=4).cells)
    for dotted in lesson.setup:
        module, _, name = dotted.rpartition(".")
        assert hasattr(importlib.import_module(module), name), f"{dotted} does not exist"
        assert re.search(rf"\b{name}\b", source), f"{lesson.notebook.name} never uses {dotted}"


@pytest.mark.parametrize("lesson", [lesson for lesson in LESSONS if lesson.assignment],
                         ids=lambda lesson: lesson.id)
def test_each_exercise_says_which_lesson_it_follows(lesson):
    for path in (ROOT / "exercises" / "source" / lesson.assignment).glob("*.ipynb"):
        first = nbformat.read(path, as_version=4).cells[0].source
        assert f"follows the lesson *{lesson.title}*" in first, (
            f"{path.name}: the first cell should say 'This exercise follows the lesson "
            f"*{lesson.title}*'"
        )


def test_the_book_lists_the_exercises_in_the_order_of_their_lessons():
    student_versions = load_script("student_versions")
    numbers = student_versions.lesson_numbers()
    expected = {lesson.assignment: lesson.number for lesson in LESSONS if lesson.assignment}
    assert numbers == expected


def test_workshop_plans_name_only_lessons_and_exercises_that_exist():
    workshops = MANIFEST["workshops"]
    blocks = list(workshops["one-day"]["sessions"])
    for day in workshops["five-day"]["days"]:
        blocks += [day["morning"], day["afternoon"]]
    for block in blocks:
        for lesson_id in block.get("lessons", []) + block.get("exercises", []):
            assert lesson_id in BY_ID, f"the workshop plan names {lesson_id!r}, not in course.yml"
        for lesson_id in block.get("exercises", []):
            assert BY_ID[lesson_id].assignment, f"{lesson_id} has no graded exercise"
    five_day = {i for day in workshops["five-day"]["days"]
                for half in day.values() for i in half.get("lessons", [])}
    assert five_day == set(BY_ID), "the five-day workshop should cover every lesson"


def test_a_stale_part_is_found_and_rewritten(tmp_path, monkeypatch):
    guide = tmp_path / "guide.md"
    text = course_manifest.GUIDE.read_text()
    guide.write_text(text.replace(f"| {LESSONS[1].minutes} min |", "| 999 min |", 1))
    monkeypatch.setattr(course_manifest, "GUIDE", guide)
    assert guide in course_manifest.changes(MANIFEST)
    assert course_manifest.guide_text(MANIFEST) == text
