"""The ethics review worksheet: the book page and its downloadable copy agree."""

from __future__ import annotations

import importlib.util
import re

from conftest import ROOT

PAGE = ROOT / "book" / "ethics-review-worksheet.md"
DOWNLOAD = ROOT / "book" / "downloads" / "ethics-review-worksheet.md"
REQUIRED = ["project and purpose", "stakeholders", "data and proxies", "quantified benefits",
            "quantified risks by group", "values, principles and professional virtues",
            "consent and data protection", "governance and monitoring", "decision",
            "sign-off"]


def _script():
    path = ROOT / "scripts" / "worksheet_download.py"
    spec = importlib.util.spec_from_file_location("worksheet_download", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _numbered_headings(text: str) -> list[str]:
    return re.findall(r"^## (\d+\. .+)$", text, flags=re.MULTILINE)


def test_page_has_the_required_sections_in_order():
    titles = [h.split(". ", 1)[1].lower() for h in _numbered_headings(PAGE.read_text())]
    assert titles == REQUIRED


def test_every_section_heading_of_the_page_is_in_the_download():
    page, download = PAGE.read_text(), DOWNLOAD.read_text()
    assert _numbered_headings(page) == _numbered_headings(download), (
        "The downloadable worksheet's sections differ from the page's: run "
        "`.venv/bin/python scripts/worksheet_download.py`."
    )


def test_every_question_of_the_page_is_in_the_download():
    download = DOWNLOAD.read_text().splitlines()
    sections = _script().worksheet_sections(PAGE.read_text())
    questions = [line for line in sections if line.startswith(("- ", "| "))]
    assert len(questions) > 40
    missing = [q for q in questions if q not in download]
    assert not missing, f"Not in the downloadable worksheet: {missing[:3]}"


def test_every_question_has_room_for_an_answer():
    lines = DOWNLOAD.read_text().splitlines()
    for i, line in enumerate(lines):
        if line.startswith("- ") and not line.startswith("- [ ]"):
            assert "Answer:" in lines[i + 2], f"no Answer: line after {line!r}"


def test_download_is_generated_from_the_page():
    assert _script().main(["--check"]) == 0


def test_page_offers_the_download():
    targets = re.findall(r"\{download\}`[^`<]*<([^>]+)>`", PAGE.read_text())
    assert targets, "the page has no {download} link"
    for target in targets:
        assert (PAGE.parent / target).resolve() == DOWNLOAD.resolve()
    assert PAGE.read_text().startswith("(ethics-worksheet)=")
