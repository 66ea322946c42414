"""The instructor's guide gives each lesson the reading time the lesson itself prints."""

from __future__ import annotations

import re

import nbformat

from conftest import ROOT

GUIDE = ROOT / "book" / "instructors-guide.md"
ROW = re.compile(r"^\| \{ref\}`(lesson-[a-z-]+)` \| (\d+) min \|", re.M)
LABEL = re.compile(r"^\((lesson-[a-z-]+)\)=", re.M)
PRINTED = re.compile(r"Estimated reading time: (\d+) minutes")


def lesson_reading_times() -> dict[str, int]:
    times = {}
    for path in sorted((ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb")):
        first = nbformat.read(path, as_version=4).cells[0].source
        times[LABEL.search(first).group(1)] = int(PRINTED.search(first).group(1))
    return times


def test_the_guide_lists_every_lesson_with_the_reading_time_it_prints():
    guide = {label: int(minutes) for label, minutes in ROW.findall(GUIDE.read_text())}
    lessons = lesson_reading_times()
    assert set(guide) == set(lessons), "The guide's table should list every lesson once."
    differ = {label: (guide[label], lessons[label]) for label in lessons
              if guide[label] != lessons[label]}
    assert not differ, f"Reading times (guide, lesson) that disagree: {differ}"
