"""A newcomer never meets a glossary term before its explanation.

The book is read in table-of-contents order. For every term in the glossary, its first
mention in that order must link to the glossary ({term} role), where the lesson explains
it. `scripts/glossary_links.py` finds (and can link) the first mentions. The tests also
catch a term met first under another form (an abbreviation such as TPR, another name
such as recall, an inflection such as standardised), a {term} link to no glossary
term, and a glossary entry without a definition.
"""

from __future__ import annotations

import sys
from functools import lru_cache

import pytest

from conftest import ROOT

sys.path.insert(0, str(ROOT / "scripts"))
from glossary_links import (  # noqa: E402
    NOT_PROSE,
    ROLE,
    SKIP_PAGES,
    _blank,
    _pattern,
    _target,
    _texts,
    first_mentions,
    glossary_terms,
    toc_files,
)

TERMS = glossary_terms()


@pytest.fixture(scope="module")
def mentions():
    return first_mentions()


def test_the_glossary_has_terms_in_alphabetical_order():
    assert len(TERMS) >= 20
    assert TERMS == sorted(TERMS, key=str.lower), "Keep the glossary in alphabetical order."
    assert len(set(t.lower() for t in TERMS)) == len(TERMS), "A term is defined twice."


def test_every_term_links_to_the_glossary_at_first_use(mentions):
    unlinked = [
        f"{m.term!r} first appears unlinked in {m.page.relative_to(ROOT)}"
        for m in sorted(mentions.values(), key=lambda m: m.key)
        if not m.linked
    ]
    assert not unlinked, (
        "Link each term to the glossary where a reader first meets it, e.g. {term}`AUC`, "
        "or run scripts/glossary_links.py --fix:\n" + "\n".join(unlinked)
    )


@pytest.mark.parametrize("term", TERMS)
def test_every_term_is_used_in_the_book(mentions, term):
    assert term in mentions, f"The glossary term {term!r} is never used in the book."


# Other forms under which a reader meets a glossary term: abbreviations, other names and
# inflections that the plural-only match of scripts/glossary_links.py does not catch.
# The cell (or page) where a reader first meets any of them must link to the term.
OTHER_FORMS = {
    "calibration": ["calibrated"],
    "expected calibration error": ["ECE"],
    "false negative rate": ["FNR", "miss rate"],
    "false positive rate": ["FPR"],
    "log-odds": ["log odds"],
    "ROC curve": ["ROC"],
    "standardising": ["standardised", "standardise", "standardisation"],
    "true positive rate": ["TPR", "recall", "sensitivity"],
}


@lru_cache(maxsize=1)
def _first_cells():
    """For each term, the first markdown cell (in book order) that mentions it under any
    of its forms, as (page, cell, text)."""
    forms = {term: [term, *OTHER_FORMS.get(term, [])] for term in TERMS}
    patterns = {term: [_pattern(f) for f in fs] for term, fs in forms.items()}
    first = {}
    for path in toc_files():
        if path.stem in SKIP_PAGES:
            continue
        for cell, text in _texts(path):
            plain = text
            for pattern in NOT_PROSE:
                plain = pattern.sub(_blank, plain)
            linked = {_target(m.group(1)) for m in ROLE.finditer(text)}
            for term, pats in patterns.items():
                if term in first:
                    continue
                if term.lower() in linked or any(p.search(plain) for p in pats):
                    first[term] = (path, cell, term.lower() in linked)
    return first


def test_every_glossary_entry_has_a_definition():
    text = (ROOT / "book" / "glossary.md").read_text()
    block = text.split("```{glossary}", 1)[1].split("\n```", 1)[0]
    entries = [e for e in block.strip("\n").split("\n\n") if e.strip()]
    assert [e.splitlines()[0].strip() for e in entries] == TERMS
    short = [e.splitlines()[0] for e in entries if len(" ".join(e.splitlines()[1:])) < 40]
    assert not short, f"These glossary entries have no real definition: {short}"


def test_other_forms_name_glossary_terms():
    assert set(OTHER_FORMS) <= set(TERMS), set(OTHER_FORMS) - set(TERMS)


def test_every_term_link_names_a_glossary_term():
    known = {t.lower() for t in TERMS}
    unknown = []
    for path in toc_files():
        for _, text in _texts(path):
            unknown += [f"{path.relative_to(ROOT)}: {m.group(0)}" for m in ROLE.finditer(text)
                        if _target(m.group(1)) not in known]
    assert not unknown, "These {term} links name no glossary term:\n" + "\n".join(unknown)


@pytest.mark.parametrize("term", TERMS)
def test_the_first_cell_with_any_form_of_a_term_links_it(term):
    path, cell, linked = _first_cells()[term]
    where = f"{path.relative_to(ROOT)}" + (f", markdown cell {cell}" if path.suffix == ".ipynb"
                                          else "")
    forms = [term, *OTHER_FORMS.get(term, [])]
    assert linked, (
        f"A reader first meets {term!r} (as one of {forms}) in {where}, which does not link "
        f"it to the glossary: explain it there, with {{term}}`{term}`."
    )
