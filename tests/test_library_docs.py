"""Each public function of rmlkit names the lesson that introduces it: the first lesson whose
code uses it.

A reader of the library finds the lesson; a reader of the lesson finds the function. The
sentence reads plainly in ``help()`` ("Introduced in lesson 5, Disaggregated evaluation, with
uncertainty."); the book turns it into a link (test_api_reference.py).
"""

from __future__ import annotations

import importlib
import inspect
import re
import sys

import nbformat
import pytest

from conftest import ROOT

sys.path.insert(0, str(ROOT / "scripts"))
import api_reference  # noqa: E402  (the public API, and what each page's code uses)

API = api_reference.public_api()
MODULES = api_reference.public_modules()
MARKUP = re.compile(r"\{(ref|term|doc|numref)\}`")


def page_text(page: api_reference.Page) -> str:
    if page.path.suffix == ".ipynb":
        return "\n".join(c.source for c in nbformat.read(page.path, as_version=4).cells)
    return page.path.read_text()


def mentioned(page: api_reference.Page, name: str) -> bool:
    """The page names ``name``, or a public function or class whose signature names it
    (a result type is introduced with the function that returns it)."""
    short = name.rsplit(".", 1)[1]
    text = page_text(page)
    if re.search(rf"\b{re.escape(short)}\b", text):
        return True
    for other, obj in API.items():
        try:
            signature = str(inspect.signature(obj))
        except (TypeError, ValueError):
            continue
        if re.search(rf"\b{re.escape(short)}\b", signature) and re.search(
                rf"\b{re.escape(other.rsplit('.', 1)[1])}\b", text):
            return True
    return False


def check_introduced(name: str, doc: str, first: api_reference.Page | None):
    where = api_reference.introduced_in(doc)
    if first is not None:
        assert where == first, (
            f"{name}: the first page whose code uses it is {first.words}; its docstring should "
            f"say '{api_reference.expected_sentence(first)}'"
            + (f" (it names {where.words})" if where else "")
        )
    else:
        assert where, (f"{name}: say where the book introduces it, e.g. 'Introduced in "
                       "lesson N, Title.' or 'Introduced in the book page \"Title\".'")
        assert mentioned(where, name), (
            f"{name}: no page's code uses it, and {where.words}, which its docstring names, "
            "never mentions it."
        )


def test_the_api_is_found():
    assert "rmlkit.audit.audit" in API and len(API) > 60
    assert "rmlkit.datasets" in MODULES and not any("exercises" in m for m in MODULES)


@pytest.mark.parametrize("name", list(API))
def test_docstring_names_the_first_lesson_that_uses_it(name):
    check_introduced(name, inspect.getdoc(API[name]) or "", api_reference.first_use(name))


@pytest.mark.parametrize("module", MODULES)
def test_module_docstring_names_the_first_lesson_that_uses_the_module(module):
    exported = [getattr(importlib.import_module(module), attr)
                for attr in getattr(importlib.import_module(module), "__all__", ())]
    members = [name for name, obj in API.items() if any(obj is e for e in exported)]
    order = api_reference.reading_order()
    firsts = [page for page in map(api_reference.first_use, members) if page]
    first = min(firsts, key=order.index) if firsts else None
    doc = importlib.import_module(module).__doc__ or ""
    if first is None and not members:
        assert api_reference.introduced_in(doc), f"{module}: say where the book introduces it"
        return
    check_introduced(module, doc, first)


@pytest.mark.parametrize("name", [*MODULES, *API])
def test_docstring_reads_plainly_in_help(name):
    obj = API.get(name) or importlib.import_module(name)
    doc = inspect.getdoc(obj) or ""
    assert not MARKUP.search(doc), (
        f"{name}: help() shows MyST markup ({MARKUP.search(doc).group(0)}...); write "
        "'Introduced in lesson N, Title.' in words: the book adds the link."
    )


def test_a_wrong_lesson_is_caught():
    first = api_reference.first_use("rmlkit.audit.audit")
    other = next(p for p in api_reference.reading_order() if p.number and p != first)
    with pytest.raises(AssertionError, match="should say 'Introduced in lesson"):
        check_introduced("rmlkit.audit.audit", api_reference.expected_sentence(other), first)
