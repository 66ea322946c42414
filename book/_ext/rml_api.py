"""The book's API reference of rmlkit, linked both ways with the lessons.

- Each docstring's sentence "Introduced in lesson 5, Disaggregated evaluation, with
  uncertainty." (plain words, so that ``help()`` reads it) becomes a link to that lesson
  while autodoc reads the docstring; "Introduced in the book page "Title"" links to that
  page.
- Each lesson page gets a section "Functions used in this lesson", just before its
  Exercises, listing the rmlkit functions and classes its code uses (in the order it
  first uses them), each linked to its entry in the API reference.
- A dataclass field made by a factory shows it in the signature (``= list()``), not
  ``= <factory>``, which Sphinx cannot parse (it would print the signature raw).
- References from rmlkit's signatures and docstrings to other libraries (pandas, numpy,
  scikit-learn, ...) are shown as their names, unlinked: the book is built offline and
  has no inventories of those libraries' documentation. References into rmlkit that do
  not resolve still warn.

What is introduced where, and what a lesson uses, is worked out by
``scripts/api_reference.py`` (the tests use the same code).
"""

from __future__ import annotations

import dataclasses
import importlib.util
import re
import sys
from pathlib import Path

from docutils import nodes
from sphinx import addnodes

ROOT = Path(__file__).resolve().parents[2]
SECTION_TITLE = "Functions used in this lesson"
SECTION_ID = "functions-used-in-this-lesson"


def _api_reference():
    if "api_reference" not in sys.modules:
        spec = importlib.util.spec_from_file_location(
            "api_reference", ROOT / "scripts" / "api_reference.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules["api_reference"] = module  # dataclasses look their module up
        spec.loader.exec_module(module)
    return sys.modules["api_reference"]


def _link_introduced_in(app, what, name, obj, options, lines):
    """Turn "Introduced in <page>" into a reference to that page."""
    api = _api_reference()
    text = "\n".join(lines)

    def link(match):
        page = api.introduced_in(match.group(0))
        words = re.sub(r"^Introduced\s+in\s+", "", match.group(0))
        return f"Introduced in :ref:`{words} <{page.label}>`"

    new = api.introduced_pattern().sub(link, text)
    if new != text:
        lines[:] = new.split("\n")


def _dataclass_factories(app, what, name, obj, options, signature, return_annotation):
    """``field = <factory>`` in a dataclass's signature becomes ``field = factory()``."""
    if what != "class" or not signature or "<factory>" not in signature:
        return None
    if not dataclasses.is_dataclass(obj):
        return None
    for field in dataclasses.fields(obj):
        if field.default_factory is not dataclasses.MISSING:
            made = f"{getattr(field.default_factory, '__name__', 'factory')}()"
            signature = re.sub(rf"(\b{field.name}\b:?[^=]*?= )<factory>",
                               lambda m, made=made: m.group(1) + made, signature)
    return signature, return_annotation


def _functions_section(docname: str, names: list[str]) -> nodes.section:
    api = _api_reference()
    section = nodes.section(ids=[SECTION_ID], names=[SECTION_TITLE.lower()])
    section += nodes.title(SECTION_TITLE, SECTION_TITLE)
    section += nodes.paragraph(
        "", "The rmlkit functions this lesson's code uses, in the order it first uses them; "
        "each links to its entry in the API reference.")
    items = nodes.bullet_list()
    for name in names:
        ref = addnodes.pending_xref("", refdomain="py", reftype="obj", reftarget=name,
                                    refexplicit=False, refwarn=True, refdoc=docname)
        ref += nodes.literal(name, name, classes=["xref", "py", "py-obj"])
        line = nodes.paragraph("", "", ref)
        summary = api.summary(api.public_api()[name])
        if summary:
            line += nodes.Text(f": {summary}")
        items += nodes.list_item("", line)
    section += items
    return section


def _add_functions_used(app, doctree):
    """Before a lesson's Exercises section: the rmlkit functions the lesson uses."""
    api = _api_reference()
    docname = app.env.docname
    page = next((p for p in api.reading_order() if p.number is not None
                 and p.docname == docname), None)
    if page is None:
        return
    names = api.page_uses().get(page.label)
    top = next(iter(doctree.findall(nodes.section)), None)
    if not names or top is None:
        return
    section = _functions_section(docname, names)
    exercises = next((child for child in top.children if isinstance(child, nodes.section)
                      and child[0].astext().strip() == "Exercises"), None)
    if exercises is None:
        top += section
    else:
        top.insert(top.index(exercises), section)


# Module aliases in the annotations of other libraries' classes that rmlkit subclasses.
ALIASES = {"t": "typing", "np": "numpy", "pd": "pandas"}
NAME = re.compile(r"^[A-Za-z_]\w*(\.[A-Za-z_]\w*)*$")


def _external_as_text(app, env, node, contnode):
    """A reference to another library's object (no inventory offline): its name, unlinked.

    So is a type written in words in a docstring ("array-like", "0/1", "float in [0, 1]"),
    which napoleon offers as a reference but which names no object.
    """
    if node.get("refdomain") != "py":
        return None
    target = node.get("reftarget", "")
    if not NAME.match(target):
        return contnode
    top = target.split(".")[0]
    top = ALIASES.get(top, top)
    if not top or top == "rmlkit":
        return None
    try:
        found = importlib.util.find_spec(top) is not None
    except (ImportError, ValueError):
        found = False
    return contnode if found else None


def setup(app):
    app.connect("autodoc-process-docstring", _link_introduced_in)
    app.connect("autodoc-process-signature", _dataclass_factories)
    # Before the table-of-contents collector (priority 500), so the section is listed.
    app.connect("doctree-read", _add_functions_used, priority=400)
    app.connect("missing-reference", _external_as_text, priority=900)
    # env_version: a change to what this extension adds to the pages re-reads them all.
    return {"env_version": 2, "parallel_read_safe": True, "parallel_write_safe": True}
