"""A newcomer never meets a glossary term before its explanation.

The book is read in table-of-contents order. For every term in the glossary, its first
mention in that order must link to the glossary ({term} role), where the lesson explains
it. `scripts/glossary_links.py` finds (and can link) the first mentions.
"""

from __future__ import annotations

import sys

import pytest

from conftest import ROOT

sys.path.insert(0, str(ROOT / "scripts"))
from glossary_links import first_mentions, glossary_terms  # noqa: E402

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
