"""rmlkit's API reference in the book, and which lessons use which functions.

The public API is every function and class in the ``__all__`` of each public module of
``rmlkit`` (not ``rmlkit.exercises``, the per-assignment questions, nor the command
line). Each public name is documented once, under the first module that exports it (so
``rmlkit.datasets.make_child_welfare``, not ``rmlkit.datasets.child_welfare...``).

Each docstring says where the book introduces it, in a sentence that reads plainly in
``help()`` and that the book's extension (``book/_ext/rml_api.py``) turns into a link:

- ``Introduced in lesson 5, Disaggregated evaluation, with uncertainty.`` for a name
  that a lesson's code uses: the first lesson, in the order of course.yml, whose code
  uses it;
- ``Introduced in the book page "Instructor's guide" (Grading).`` for a name no lesson's
  code uses, naming the page that explains it (its first ``# Title``).

What a page's code uses is read from its code cells (imports, names and attribute
chains resolved to rmlkit objects), never from its prose.

This module writes the API pages (``book/api/``), through
``scripts/course_manifest.py --write``; the lesson pages' lists "Functions used in this
lesson" are made during the build by the extension.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
import re
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import nbformat
import yaml

ROOT = Path(__file__).resolve().parents[1]
API_DIR = ROOT / "book" / "api"
# Per-assignment question objects and the command-line entry point are not taught as API.
SKIP_MODULES = re.compile(r"^rmlkit\.(exercises\b|cli$|__main__$)")
GENERATED_NOTE = ("% Generated from rmlkit's __all__ lists by scripts/course_manifest.py "
                  "--write: do not edit.")


# The public API ------------------------------------------------------------------

def public_modules() -> list[str]:
    """The public modules of rmlkit, in the order pkgutil walks them (parents first)."""
    import rmlkit

    names = ["rmlkit"] if getattr(rmlkit, "__all__", None) else []
    for info in pkgutil.walk_packages(rmlkit.__path__, "rmlkit."):
        name = info.name
        if any(part.startswith("_") for part in name.split(".")) or SKIP_MODULES.match(name):
            continue
        names.append(name)
    return names


def _exported(module) -> list[str]:
    names = getattr(module, "__all__", None)
    if names is None:
        names = [n for n, obj in vars(module).items()
                 if not n.startswith("_") and (inspect.isfunction(obj) or inspect.isclass(obj))
                 and obj.__module__ == module.__name__]
    return [n for n in names
            if inspect.isfunction(getattr(module, n)) or inspect.isclass(getattr(module, n))]


@cache
def public_api() -> dict[str, object]:
    """Every public function and class, by the name it is documented under."""
    api, seen = {}, set()
    for name in public_modules():
        module = importlib.import_module(name)
        for attr in _exported(module):
            obj = getattr(module, attr)
            if id(obj) not in seen:
                seen.add(id(obj))
                api[f"{name}.{attr}"] = obj
    return api


@cache
def public_constants() -> dict[str, object]:
    """The constants in the ``__all__`` lists (documented by name, without their values)."""
    constants, seen = {}, set()
    for name in public_modules():
        module = importlib.import_module(name)
        for attr in getattr(module, "__all__", ()):
            obj = getattr(module, attr)
            if inspect.isfunction(obj) or inspect.isclass(obj) or inspect.ismodule(obj):
                continue
            if (attr, id(obj)) not in seen:
                seen.add((attr, id(obj)))
                constants[f"{name}.{attr}"] = obj
    return constants


def doc_comment(name: str) -> list[str]:
    """The ``#:`` comment above a constant, where it is defined (or re-exported)."""
    from sphinx.pycode import ModuleAnalyzer

    module, attr = name.rsplit(".", 1)
    obj = getattr(importlib.import_module(module), attr)
    candidates = [module] + sorted(m for m, mod in list(sys.modules.items())
                                   if m.startswith("rmlkit.") and getattr(mod, attr, None) is obj)
    for candidate in candidates:
        docs = ModuleAnalyzer.for_module(candidate).find_attr_docs()
        if ("", attr) in docs:
            return [line for line in docs["", attr] if line.strip()]
    return []


def module_members(module: str) -> list[str]:
    """The public names documented on ``module``'s page, in its ``__all__`` order."""
    return [name for name in public_api() if name.rsplit(".", 1)[0] == module]


def summary(obj) -> str:
    """The first sentence of a docstring, without its reST markup."""
    first = (inspect.getdoc(obj) or "").split("\n\n")[0]
    first = re.sub(r":\w+:`~?([^`<]*?)(?: <[^>]*>)?`", r"\1", " ".join(first.split()))
    return first.replace("``", "").replace("*", "")


# Where the book introduces a name ---------------------------------------------------

@dataclass(frozen=True)
class Page:
    """A page of the book: its label, title and source file; ``number`` for a lesson."""

    label: str
    title: str
    path: Path
    number: int | None = None

    @property
    def docname(self) -> str:
        return self.path.relative_to(ROOT).with_suffix("").as_posix()

    @property
    def words(self) -> str:
        """How a docstring names the page."""
        if self.number is not None:
            return f"lesson {self.number}, {self.title}"
        return f'the book page "{self.title}"'


LABEL = re.compile(r"^\((?P<label>[\w-]+)\)=\s*$", re.M)
HEADING = re.compile(r"^# (?:(?P<number>\d+)\. )?(?P<title>.+?)\s*$", re.M)


def _page(path: Path, lesson: bool) -> Page | None:
    if path.suffix == ".ipynb":
        first = nbformat.read(path, as_version=4).cells[0].source
    else:
        first = path.read_text()
    label, heading = LABEL.search(first), HEADING.search(first)
    if not (label and heading):
        return None
    number = int(heading.group("number")) if lesson and heading.group("number") else None
    return Page(label.group("label"), heading.group("title"), path, number)


@cache
def reading_order() -> tuple[Page, ...]:
    """The lessons in the order of course.yml, then the book's other pages in _toc.yml's."""
    lessons = [_page(ROOT / entry["notebook"], lesson=True)
               for entry in yaml.safe_load((ROOT / "course.yml").read_text())["lessons"]]
    files = []

    def walk(entries):
        for entry in entries:
            if "file" in entry:
                files.append(entry["file"])
            walk(entry.get("sections", []))

    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    walk([{"file": toc["root"]}])
    for part in toc.get("parts", []):
        walk(part.get("chapters", []))
    known = {lesson.path for lesson in lessons}
    others = []
    for file in files:
        for suffix in (".ipynb", ".md"):
            path = ROOT / f"{file}{suffix}"
            if path.exists() and path not in known:
                page = _page(path, lesson=False)
                if page:
                    others.append(page)
    return tuple(lessons + others)


def _words(text: str) -> str:
    return r"\s+".join(re.escape(word) for word in text.split())


@cache
def introduced_pattern() -> re.Pattern:
    """The sentence "Introduced in <page>", for every page of the book."""
    options = "|".join(f"(?P<p{i}>{_words(page.words)})"
                       for i, page in enumerate(reading_order()))
    return re.compile(rf"Introduced\s+in\s+(?:{options})(?=[\s.,;:(]|$)")


def introduced_in(doc: str) -> Page | None:
    """The page a docstring says introduces it, or None."""
    match = introduced_pattern().search(doc or "")
    if not match:
        return None
    index = next(int(key[1:]) for key, value in match.groupdict().items() if value)
    return reading_order()[index]


def expected_sentence(page: Page) -> str:
    return f"Introduced in {page.words}."


# What a page's code uses -------------------------------------------------------------

def _python(source: str) -> str:
    """A cell's source as plain Python (magics and shell lines removed)."""
    from IPython.core.inputtransformer2 import TransformerManager

    return TransformerManager().transform_cell(source)


def _dotted(node) -> str | None:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        return ".".join([node.id, *reversed(parts)])
    return None


def _resolve(path: str):
    parts = path.split(".")
    for i in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:i]))
        except ImportError:
            continue
        for attr in parts[i:]:
            obj = getattr(obj, attr, None)
        return obj
    return None


def names_used(cells: list[str]) -> list[str]:
    """The public names that code cells refer to, in the order they are first used."""
    by_id = {id(obj): name for name, obj in public_api().items()}
    bound: dict[str, str] = {}  # a name in the code -> the dotted rmlkit path it stands for
    used: list[str] = []

    def note(path: str | None):
        if not path or path.split(".")[0] not in bound:
            return
        head, _, rest = path.partition(".")
        full = bound[head] + (f".{rest}" if rest else "")
        # the longest prefix that is a public name: `audit(...).plot` uses `audit`
        parts = full.split(".")
        for i in range(len(parts), 1, -1):
            name = by_id.get(id(_resolve(".".join(parts[:i]))))
            if name:
                if name not in used:
                    used.append(name)
                return

    for source in cells:
        try:
            tree = ast.parse(_python(source))
        except SyntaxError:
            continue
        nodes = sorted((n for n in ast.walk(tree) if hasattr(n, "lineno")),
                       key=lambda n: (n.lineno, n.col_offset))
        for node in nodes:
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.split(".")[0] == "rmlkit":
                        if alias.asname:
                            bound[alias.asname] = alias.name
                        else:
                            bound["rmlkit"] = "rmlkit"
                        note(alias.asname or alias.name)
            elif isinstance(node, ast.ImportFrom) and not node.level:
                if (node.module or "").split(".")[0] == "rmlkit":
                    for alias in node.names:
                        bound[alias.asname or alias.name] = f"{node.module}.{alias.name}"
                        note(alias.asname or alias.name)
            elif isinstance(node, ast.Attribute | ast.Name) and isinstance(
                    getattr(node, "ctx", None), ast.Load):
                note(_dotted(node))
    return used


def code_cells(path: Path) -> list[str]:
    return [cell.source for cell in nbformat.read(path, as_version=4).cells
            if cell.cell_type == "code"]


@cache
def page_uses() -> dict[str, list[str]]:
    """The public names each notebook page of the book uses, by page label."""
    return {page.label: names_used(code_cells(page.path))
            for page in reading_order() if page.path.suffix == ".ipynb"}


def first_use(name: str) -> Page | None:
    """The first page, in reading order, whose code uses ``name``."""
    uses = page_uses()
    return next((page for page in reading_order() if name in uses.get(page.label, [])), None)


# The API pages -----------------------------------------------------------------------

def page_path(module: str) -> Path:
    return API_DIR / (module.removeprefix("rmlkit.").replace(".", "-") + ".md")


def module_page(module: str) -> str:
    lines = [GENERATED_NOTE, f"# {module}", "", "```{eval-rst}", f".. automodule:: {module}"]
    for name in module_members(module):
        obj = public_api()[name]
        if inspect.isclass(obj):
            lines += ["", f".. autoclass:: {name}", "   :members:"]
        else:
            lines += ["", f".. autofunction:: {name}"]
    for name in public_constants():
        if name.rsplit(".", 1)[0] == module:
            lines += ["", f".. py:data:: {name.rsplit('.', 1)[1]}"]
            lines += [f"   {line}".rstrip() for line in ["", *doc_comment(name)]]
    return "\n".join(lines + ["```", ""])


def index_page() -> str:
    lines = [
        GENERATED_NOTE, "(api-reference)=", "# API reference", "",
        "`rmlkit` is the course's Python library: the data generators, the audit, the "
        "explorers and the instructors' tools. Each entry says which lesson introduces it, "
        "and each lesson lists the functions it uses, linked to their entries here.", "",
    ]
    for module in public_modules():
        members = module_members(module)
        doc = summary(importlib.import_module(module))
        lines += [f"## {module}", "", f"{doc} Its page: {{py:mod}}`{module}`.", ""]
        if members:
            lines += ["```{eval-rst}", f".. currentmodule:: {module}", "", ".. autosummary::", ""]
            lines += [f"   {name.rsplit('.', 1)[1]}" for name in members]
            lines += ["```", ""]
    return "\n".join(lines)


def api_pages() -> dict[Path, str | None]:
    """Every API page with its text; None for a page whose module is gone."""
    pages = {API_DIR / "index.md": index_page()}
    for module in public_modules():
        pages[page_path(module)] = module_page(module)
    for path in API_DIR.glob("*.md"):
        pages.setdefault(path, None)
    return pages
