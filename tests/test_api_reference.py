"""The book's API reference: an entry for every public name, linked both ways with the lessons.

Which lesson introduces a name, and which names a lesson uses, are tested in
test_library_docs.py; here: the pages, the extension that links them, and the built book.
"""

from __future__ import annotations

import html as html_module
import importlib.util
import re
import sys

import pytest
from docutils import nodes
from sphinx import addnodes

from conftest import ROOT

sys.path.insert(0, str(ROOT / "scripts"))
import api_reference  # noqa: E402

spec = importlib.util.spec_from_file_location("rml_api", ROOT / "book" / "_ext" / "rml_api.py")
rml_api = importlib.util.module_from_spec(spec)
spec.loader.exec_module(rml_api)

API = api_reference.public_api()
LESSONS = [page for page in api_reference.reading_order() if page.number is not None]


def test_every_public_name_has_an_entry_on_its_module_page():
    assert "rmlkit.audit.audit" in API and len(API) > 60
    for name, obj in API.items():
        module = name.rsplit(".", 1)[0]
        text = api_reference.page_path(module).read_text()
        kind = "autoclass" if isinstance(obj, type) else "autofunction"
        assert f".. {kind}:: {name}\n" in text, f"{name} has no entry on its page"


def test_every_public_name_is_documented_once():
    entries = [line.split("::")[1].strip() for path in api_reference.API_DIR.glob("*.md")
               for line in path.read_text().splitlines()
               if line.startswith((".. autofunction::", ".. autoclass::"))]
    assert sorted(entries) == sorted(API)


def test_the_index_lists_every_public_name_and_module():
    text = (api_reference.API_DIR / "index.md").read_text()
    tables = {}  # module -> the names in its autosummary table
    for block in text.split(".. currentmodule:: ")[1:]:
        module, _, rest = block.partition("\n")
        table = rest.split(".. autosummary::", 1)[1].split("```", 1)[0]
        tables[module] = {f"{module}.{line.strip()}" for line in table.splitlines()
                          if line.strip()}
    for name in API:
        assert name in tables.get(name.rsplit(".", 1)[0], ()), f"{name} is not in the index"
    for module in api_reference.public_modules():
        assert f"{{py:mod}}`{module}`" in text


def test_a_new_module_gets_a_page_and_a_removed_one_loses_it(monkeypatch, tmp_path):
    (tmp_path / "gone.md").write_text("# rmlkit.gone\n")
    monkeypatch.setattr(api_reference, "API_DIR", tmp_path)
    pages = api_reference.api_pages()
    assert pages[tmp_path / "gone.md"] is None
    assert ".. autofunction:: rmlkit.audit.audit" in pages[tmp_path / "audit.md"]


# What a lesson's code uses ----------------------------------------------------------

def test_names_used_follows_imports_aliases_and_attribute_chains():
    cells = [
        "%matplotlib inline\nimport rmlkit.audit as ra\nfrom rmlkit import tradeoffs",
        "from rmlkit.datasets import load_child_welfare as load\n!ls\ndf = load('us').observed",
        "result = ra.audit(y, y_pred=p, sensitive_features=g)\n"
        "tradeoffs.threshold_sweep(y, s)\nimport rmlkit\nrmlkit.report.model_card(result)",
        "ra.audit(y)  # a second use is not listed twice",
    ]
    assert api_reference.names_used(cells) == [
        "rmlkit.datasets.load_child_welfare", "rmlkit.audit.audit",
        "rmlkit.tradeoffs.threshold_sweep", "rmlkit.report.model_card",
    ]


def test_names_used_maps_a_submodule_import_to_the_documented_name():
    cells = ["from rmlkit.datasets.child_welfare import make_child_welfare\n"
             "make_child_welfare(100)"]
    assert api_reference.names_used(cells) == ["rmlkit.datasets.make_child_welfare"]


def test_names_used_ignores_prose_strings_and_other_libraries():
    cells = ["import pandas as pd\ntext = 'audit(y) from rmlkit.audit'\naudit = pd.Series()",
             "def f(x):\n    return audit(x)"]
    assert api_reference.names_used(cells) == []


def test_every_lesson_uses_some_rmlkit_function():
    uses = api_reference.page_uses()
    for lesson in LESSONS:
        assert uses[lesson.label], f"lesson {lesson.number} uses no rmlkit function"


# The extension --------------------------------------------------------------------

def test_introduced_in_becomes_a_link_to_the_lesson():
    lesson = LESSONS[4]
    lines = ["Summary.", "", f"Introduced in lesson {lesson.number},",
             f"{lesson.title}.", "", "Parameters"]
    rml_api._link_introduced_in(None, "function", "x", None, {}, lines)
    text = "\n".join(lines)
    assert f"Introduced in :ref:`lesson {lesson.number},\n{lesson.title} <{lesson.label}>`." in text
    assert lines[-1] == "Parameters"


def test_introduced_in_a_book_page_links_to_the_page():
    lines = ['Introduced in the book page "Instructor\'s guide" (Grading).']
    rml_api._link_introduced_in(None, "function", "x", None, {}, lines)
    assert lines == [
        'Introduced in :ref:`the book page "Instructor\'s guide" <instructors-guide>` (Grading).'
    ]


def test_a_docstring_without_the_sentence_is_left_alone():
    lines = ["Introduced in lesson 99, Nowhere.", "See the lesson."]
    changed = list(lines)
    rml_api._link_introduced_in(None, "function", "x", None, {}, changed)
    assert changed == lines and api_reference.introduced_in("\n".join(lines)) is None


def test_the_lesson_section_links_each_function_to_its_entry():
    names = ["rmlkit.lesson.setup", "rmlkit.audit.audit"]
    section = rml_api._functions_section("notebooks/05-disaggregated-evaluation", names)
    assert section[0].astext() == "Functions used in this lesson"
    refs = list(section.findall(addnodes.pending_xref))
    assert [ref["reftarget"] for ref in refs] == names
    assert all(ref["refdomain"] == "py" and ref["refwarn"] for ref in refs)
    item = next(section.findall(nodes.list_item)).astext()
    assert item.startswith("rmlkit.lesson.setup: Apply the course's figure and table settings")


def test_a_dataclass_signature_names_its_factories():
    from rmlkit.audit import AuditResult

    signature = "(table: ~pandas.DataFrame, small_groups: list = <factory>, confidence=0.95)"
    new, _ = rml_api._dataclass_factories(None, "class", "x", AuditResult, {}, signature, None)
    assert new == "(table: ~pandas.DataFrame, small_groups: list = list(), confidence=0.95)"
    from rmlkit.datasets import CausalGraph

    signature = "(nodes: dict[str, str], edges: list[tuple[str, str | None]] = <factory>)"
    new, _ = rml_api._dataclass_factories(None, "class", "x", CausalGraph, {}, signature, None)
    assert new == "(nodes: dict[str, str], edges: list[tuple[str, str | None]] = list())"


def test_references_to_other_libraries_are_names_and_to_rmlkit_still_warn():
    text = nodes.literal("", "DataFrame")
    for target, expected in [("pandas.DataFrame", text), ("numpy.ndarray", text),
                             ("rmlkit.audit.nothing", None), ("nosuchlibrary.X", None)]:
        node = addnodes.pending_xref("", refdomain="py", reftype="class", reftarget=target)
        assert rml_api._external_as_text(None, None, node, text) is expected, target


# The built book (slow) --------------------------------------------------------------

def _anchor(name: str) -> str:
    return f'id="{name}"'


@pytest.mark.slow
def test_the_built_reference_has_an_entry_for_every_public_name(built_book):
    for name in API:
        module = name.rsplit(".", 1)[0]
        page = built_book / "book" / "api" / api_reference.page_path(module).with_suffix(
            ".html").name
        html = page.read_text()
        assert _anchor(name) in html, f"{name} has no entry in {page.name}"
        entry = html.split(_anchor(name), 1)[1].split('<dt class="sig', 1)[0]
        text = html_module.unescape(re.sub(r"<[^>]+>", "", entry))
        text = text.translate(str.maketrans({"\u201c": '"', "\u201d": '"', "\u2019": "'"}))
        where = api_reference.introduced_in(text)  # (Sphinx made the quotes curly)
        assert where, f"{name}: its entry does not say where the book introduces it"
        target = f"{where.docname.rsplit('/', 1)[1]}.html#{where.label}"
        assert re.search(rf'Introduced in <a class="reference internal" href="[^"]*{target}"',
                         entry), f"{name}: 'Introduced in' does not link to {target}"


@pytest.mark.slow
def test_each_built_lesson_links_the_functions_it_uses(built_book):
    for lesson in LESSONS:
        html = (built_book / f"{lesson.docname}.html").read_text()
        assert 'id="functions-used-in-this-lesson"' in html, f"lesson {lesson.number}"
        section = html.split('id="functions-used-in-this-lesson"', 1)[1].split("</section>")[0]
        links = re.findall(r'href="\.\./book/api/([\w-]+)\.html#([\w.]+)"', section)
        names = api_reference.page_uses()[lesson.label]
        assert [name for _, name in links] == names, f"lesson {lesson.number}"
        for page, name in links:
            assert api_reference.page_path(name.rsplit(".", 1)[0]).stem == page


def rmlkit_imports(page) -> set[str]:
    """The names a page's code imports from rmlkit's modules, as module.name."""
    import ast

    import nbformat

    found = set()
    for cell in nbformat.read(page.path, as_version=4).cells:
        if cell.cell_type != "code":
            continue
        try:
            tree = ast.parse(api_reference._python(cell.source))
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("rmlkit"):
                found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return found


@pytest.mark.parametrize("page", LESSONS, ids=lambda page: page.path.stem)
def test_what_a_lesson_imports_from_rmlkit_is_public(page):
    # A name a lesson imports must be in its module's __all__, so that the API reference
    # documents it and the bad-input walker calls it. Modules and the exercises' questions
    # are not functions to document.
    import importlib

    private = []
    for name in sorted(rmlkit_imports(page)):
        module_name, attribute = name.rsplit(".", 1)
        if module_name.startswith("rmlkit.exercises"):
            continue
        module = importlib.import_module(module_name)
        value = getattr(module, attribute)
        if isinstance(value, type(module)):
            continue
        if attribute not in getattr(module, "__all__", ()):
            private.append(name)
    assert not private, f"{page.path.name} imports names outside __all__: {private}"
