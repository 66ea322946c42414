"""Every citation in the book names an entry of its bibliography, and every entry is whole.

The book builds with -W, but a citation key that names no entry only warns where
sphinxcontrib-bibtex is asked to resolve it; this test names the page and the key, and
runs without building the book.
"""

from __future__ import annotations

import re

import nbformat
import pytest
from pybtex.database import parse_file

from conftest import ROOT

BIB = ROOT / "book" / "references.bib"
# {cite}`a,b`, {cite:p}`a`, {cite:t}`a` and the other sphinxcontrib-bibtex roles.
CITE = re.compile(r"\{cite(?::[a-z]+)?\}`([^`]+)`")


def _pages():
    """The book's pages and the exercises' notebooks, with the text a reader sees."""
    for path in sorted((ROOT / "book").glob("*.md")):
        yield path, path.read_text()
    notebooks = [*sorted((ROOT / "notebooks").glob("*.ipynb")),
                 *sorted((ROOT / "book" / "data").glob("*.ipynb")),
                 *sorted((ROOT / "exercises" / "source").glob("*/*.ipynb"))]
    for path in notebooks:
        cells = nbformat.read(path, 4).cells
        yield path, "\n".join(c.source for c in cells if c.cell_type == "markdown")


def _cited():
    for path, text in _pages():
        for keys in CITE.findall(text):
            for key in keys.split(","):
                yield path.relative_to(ROOT), key.strip()


ENTRIES = parse_file(str(BIB)).entries


def test_the_book_cites_sources():
    assert len(list(_cited())) > 100


def test_every_citation_names_a_bibliography_entry():
    missing = sorted({f"{page}: {key}" for page, key in _cited() if key not in ENTRIES})
    assert not missing, ("These citations name no entry of book/references.bib; add the "
                         "entry (verified in its source) or correct the key:\n"
                         + "\n".join(missing))


@pytest.mark.parametrize("key", sorted(ENTRIES))
def test_every_entry_has_an_author_a_title_and_a_year(key):
    entry = ENTRIES[key]
    assert entry.persons.get("author"), f"{key} has no author"
    assert entry.fields.get("title"), f"{key} has no title"
    assert entry.fields.get("year"), f"{key} has no year"


def test_the_glossary_cites_with_the_cite_role():
    """A glossary entry that names a source links it, so the source is in the references."""
    text = (ROOT / "book" / "glossary.md").read_text()
    plain = re.findall(r"\([A-Z][A-Za-z' &.-]+ (?:et al\. |and [A-Z][a-z]+ )?\d{4}\)", text)
    assert not plain, f"Cite these with {{cite:p}} and a bibliography entry: {plain}"
