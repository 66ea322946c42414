"""The kit's one adapter to nbgrader: configuration, hidden tests, feedback that is safe.

Everything that talks to nbgrader goes through here: :func:`course_root` checks a
course folder and :func:`load_config` reads its ``nbgrader_config.py`` (the one
configuration loader), :func:`nbgrader_api` makes nbgrader's API on it,
:func:`check_assignment` checks an assignment's name, :func:`copy_assignments` copies
assignments into a course, :func:`release` makes an assignment's student version,
:func:`use_environment_tools` lets nbgrader find the programs it runs (``alembic``)
next to this Python, and :func:`nbgrader_failure` turns a failed nbgrader call into one
readable line. The hidden-test markers are :data:`HIDDEN_BEGIN` and :data:`HIDDEN_END`,
defined here once. :mod:`rmlkit.course` (the instructor's ``rmlkit course`` workflow),
:mod:`rmlkit.handgrading` and the tests and book scripts build on it.

Feedback goes back to students, so three things keep it safe:

- :class:`HideHiddenTestOutput` (``exercises/nbgrader_config.py`` uses it) drops all
  output of a cell with hidden tests except whether it passed and the test's own
  message (the text of its ``assert`` or of a visible check);
- :func:`leaked_secrets` checks a finished page for hidden-test code, also encoded
  (base64, hex, reversed, URL or escape encoded);
- :func:`sanitize_page` cleans the page with ``nh3`` (no scripts, event handlers,
  ``javascript:`` links, frames or embedded objects) and adds a Content-Security-Policy
  that forbids scripts.

The functions :func:`list_assignments`, :func:`copy_course` and :func:`release` run
nbgrader on a temporary copy of the course, for the tests and for the book (which shows
the student version of every assignment).

Introduced in the book page "Instructor's guide" (how feedback hides hidden tests).
"""

from __future__ import annotations

import ast
import base64
import binascii
import codecs
import html
import os
import re
import shutil
import sys
import urllib.parse
from pathlib import Path

from nbconvert.preprocessors import Preprocessor
from traitlets import Bool, Unicode
from traitlets.config import Config

from ._checks import check_path, check_paths, check_texts, check_type

__all__ = [
    "HIDDEN_BEGIN",
    "HIDDEN_END",
    "CourseError",
    "HideHiddenTestOutput",
    "HideHiddenTestTracebacks",
    "check_assignment",
    "copy_assignments",
    "copy_course",
    "course_root",
    "leaked_secrets",
    "hidden_test_lines",
    "list_assignments",
    "load_config",
    "nbgrader_api",
    "nbgrader_failure",
    "release",
    "sanitize_page",
    "use_environment_tools",
]

#: nbgrader's hidden-test delimiters (the defaults of ``ClearHiddenTests``), defined once:
#: the feedback filter, the leak check and the course report use these.
HIDDEN_DELIMITERS = ("BEGIN HIDDEN TESTS", "END HIDDEN TESTS")
HIDDEN_BEGIN, HIDDEN_END = (f"### {d}" for d in HIDDEN_DELIMITERS)
HIDDEN_NOTE = "(the output of hidden checks is not shown)"


# --------------------------------------------------------------------------------------
# Configuration and running nbgrader


class CourseError(Exception):
    """A problem with the course directory or the arguments, with what to do about it.

    Introduced in the book page "Instructor's guide".
    """


def course_root(root, name: str = "root") -> Path:
    """``root`` as an absolute path, if it is an nbgrader course folder, else raise.

    A course folder holds ``nbgrader_config.py`` (``rmlkit course init`` makes one).
    ``name`` is the argument's name in the error (``course`` in :mod:`rmlkit.course`).

    Introduced in the book page "Instructor's guide" (Grading).
    """
    check_type("name", name, str, "the argument's name")
    root = Path(check_path(name, root)).resolve()
    if not (root / "nbgrader_config.py").is_file():
        raise CourseError(
            f"{name}: {root} is not a course directory (it has no nbgrader_config.py). "
            "Create one with `rmlkit course init DIR`, or pass --course DIR."
        )
    return root


def load_config(root):
    """The nbgrader configuration of the course in ``root``, pointed at ``root``.

    Reads ``root/nbgrader_config.py`` and sets the course root and an exchange folder
    inside it, so that nbgrader never touches another course. The one configuration
    loader: :mod:`rmlkit.course`, the formgrader's settings and the tests use it.

    Introduced in the book page "Instructor's guide" (Grading).
    """
    from traitlets.config.loader import PyFileConfigLoader

    root = course_root(root)
    config = PyFileConfigLoader("nbgrader_config.py", path=str(root)).load_config()
    config.CourseDirectory.root = str(root)
    config.Exchange.root = str(root / "exchange")
    return config


def nbgrader_api(root, config=None):
    """nbgrader's ``NbGraderAPI`` on the course in ``root``; returns ``(api, config)``.

    ``config`` defaults to :func:`load_config` of ``root``. Puts this Python's tools
    on PATH first (:func:`use_environment_tools`).

    Introduced in the book page "Instructor's guide" (Grading).
    """
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory

    config = load_config(root) if config is None else check_type(
        "config", config, Config, "the configuration that load_config() returns")
    use_environment_tools()
    return NbGraderAPI(coursedir=CourseDirectory(config=config), config=config), config


def check_assignment(root, assignment, name: str = "assignment") -> str:
    """``assignment`` if it is a folder of ``root/source``, else raise naming the choices.

    ``name`` is the argument's name in the error.

    Introduced in the book page "Instructor's guide" (Grading).
    """
    check_type("name", name, str, "the argument's name")
    check_type(name, assignment, str, "the name of an assignment, such as 'first-audit'")
    source = Path(check_path("root", root)) / "source"
    if not (source / assignment).is_dir():
        found = sorted(p.name for p in source.iterdir() if p.is_dir()) if source.is_dir() \
            else []
        raise CourseError(
            f"{name}: there is no assignment {assignment!r} in {source}. "
            f"Choose one of: {', '.join(found) or '(none: run `rmlkit course init`)'}."
        )
    return assignment


def copy_assignments(source_root, destination, assignments=None) -> list[str]:
    """Copy assignments (``source/<name>/``) and ``nbgrader_config.py`` into a course.

    ``source_root`` is a course folder (the kit's ``exercises/``), ``assignments`` the
    names to copy (default: every one it has). Returns the names copied.

    Introduced in the book page "Instructor's guide".
    """
    source_root = course_root(source_root, "source_root")
    destination = Path(check_path("destination", destination))
    chosen = list_assignments(source_root) if assignments is None else [
        check_assignment(source_root, name, "assignments") for name in check_texts(
            "assignments", assignments, "assignment names")]
    ignore = shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__")
    destination.mkdir(parents=True, exist_ok=True)
    for name in chosen:
        shutil.copytree(source_root / "source" / name, destination / "source" / name,
                        ignore=ignore)
    shutil.copy(source_root / "nbgrader_config.py", destination / "nbgrader_config.py")
    return chosen


def use_environment_tools() -> None:
    """Put this Python's ``bin`` folder first on PATH, for the programs nbgrader runs.

    nbgrader runs ``alembic`` (the gradebook's database migrations) by name; called as
    ``.venv/bin/rmlkit`` without the environment activated, it would not be found.

    Introduced in the book page "Instructor's guide" (Grading).
    """
    here = str(Path(sys.executable).parent)
    path = os.environ.get("PATH", "").split(os.pathsep)
    if path[:1] != [here]:
        os.environ["PATH"] = os.pathsep.join([here, *[p for p in path if p != here]])


_EXCEPTION_LINE = re.compile(r"^(?:[a-z_][\w.]*\.)?([A-Z]\w*(?:Error|Exception|Exit)):\s*(.*)$")
_LOG_ERROR = re.compile(r"^\[(?:\w+ \| )?(?:ERROR|CRITICAL)\]\s*(.*)$")
_GENERIC = ("Please see the", "see the above traceback", "There was an error processing")


def nbgrader_failure(result: dict, what: str) -> str:
    """One readable line saying why an nbgrader call failed, from its error and log.

    ``result`` is what ``NbGraderAPI`` returned (with ``error`` and ``log``); ``what``
    names the step ("could not generate 'first-audit'"). The root cause is the first
    exception in nbgrader's log (e.g. ``FileNotFoundError: ... 'alembic'``, or
    ``ValidationError: Duplicate grade id: q1``), followed by nbgrader's own first
    error message; nbgrader's "see the above traceback" is left out.

    Introduced in the book page "Instructor's guide" (Grading).
    """
    check_type("result", result, dict, "what an NbGraderAPI call returned (a dict)")
    check_type("what", what, str, "the step that failed, in words")
    for key in ("log", "error"):
        if not isinstance(result.get(key) or "", str):
            raise TypeError(f"result[{key!r}] must be nbgrader's {key} (text), but it is a "
                            f"{type(result[key]).__name__}. Pass what NbGraderAPI returned.")
    lines = [line.strip() for text in (result.get("log") or "", result.get("error") or "")
             for line in text.splitlines() if line.strip()]
    causes = [f"{m.group(1)}: {m.group(2)}".rstrip(": ") for m in map(_EXCEPTION_LINE.match, lines)
              if m and not any(g in m.group(2) for g in _GENERIC)]
    messages = [m.group(1) for m in map(_LOG_ERROR.match, lines)
                if m and m.group(1) and not m.group(1).startswith("Traceback")
                and not any(g in m.group(1) for g in _GENERIC)]
    parts = causes[:1] + [m for m in messages[:1] if not causes or m not in causes[0]]
    cause = " (".join(parts) + (")" if len(parts) > 1 else "") if parts else \
        "nbgrader gave no reason; run the same nbgrader command to see its log"
    cause = re.sub(r"\s+", " ", cause)[:500]
    hint = ""
    if "alembic" in cause:
        hint = " (nbgrader runs `alembic` from PATH: run rmlkit from its environment)"
    return f"nbgrader {what}: {cause}{hint}"


# --------------------------------------------------------------------------------------
# Hidden tests out of feedback


def _message_patterns(source: str) -> list[re.Pattern]:
    """The messages the instructor's code in ``source`` can fail with, as patterns.

    The text of every ``assert ..., "message"`` and of every exception raised with a
    message; parts of f-strings that are filled in at run time match any short text.
    """
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    messages = [n.msg for n in ast.walk(tree) if isinstance(n, ast.Assert) and n.msg]
    messages += [n.exc.args[0] for n in ast.walk(tree) if isinstance(n, ast.Raise)
                 and isinstance(n.exc, ast.Call) and n.exc.args]
    patterns = []
    for message in messages:
        if isinstance(message, ast.Constant) and isinstance(message.value, str):
            patterns.append(re.compile(re.escape(message.value.strip()), re.S))
        elif isinstance(message, ast.JoinedStr):
            parts = [re.escape(v.value) if isinstance(v, ast.Constant) else ".{0,80}"
                     for v in message.values]
            patterns.append(re.compile("".join(parts).strip(), re.S))
    return patterns


class HideHiddenTestOutput(Preprocessor):
    """In feedback, keep only pass/fail and the test's own message for hidden-test cells.

    A cell with hidden tests keeps no stream, display or result output (student code
    called by a test could print anything, even the hidden test itself). An error keeps
    its name, and its message only when it is one the instructor wrote (an ``assert``
    message, a visible check's message: ``CheckFailed``) or a ``NameError`` about a name
    the student can see; otherwise the message is replaced by a note.

    Introduced in the book page "Instructor's guide" (how feedback hides hidden tests).
    """

    enabled = Bool(True).tag(config=True)  # nbconvert's preprocessors are off by default
    begin_test_delimiter = Unicode(HIDDEN_DELIMITERS[0]).tag(config=True)

    def preprocess(self, nb, resources):
        self._patterns = []
        self._visible = ""
        for cell in nb.cells:
            meta = cell.get("metadata", {}).get("nbgrader", {})
            if cell.get("cell_type") == "code" and (meta.get("grade") or meta.get("locked")) \
                    and not meta.get("solution"):
                self._patterns += _message_patterns(cell.source)
            self._visible += "\n" + _visible_part(cell.get("source", ""))
        return super().preprocess(nb, resources)

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type != "code" or self.begin_test_delimiter not in cell.source:
            return cell, resources
        kept = []
        for output in cell.get("outputs", []):
            if output.get("output_type") != "error":
                continue
            name = str(output.get("ename", "Error"))
            message = str(output.get("evalue", "")).strip()
            if not self._allowed(name, message):
                message = f"{HIDDEN_NOTE[1:-1]}; a hidden check failed"
            output["ename"], output["evalue"] = name, message
            output["traceback"] = [f"{name}: {message}".rstrip(": ")]
            kept.append(output)
        if len(kept) < len(cell.get("outputs", [])):
            from nbformat.v4 import new_output

            kept.insert(0, new_output("stream", name="stdout", text=HIDDEN_NOTE + "\n"))
        cell.outputs = kept
        return cell, resources

    def _allowed(self, name: str, message: str) -> bool:
        if not message:
            return True
        if name == "NameError":
            found = re.fullmatch(r"name '(\w+)' is not defined", message)
            return bool(found) and re.search(rf"\b{found.group(1)}\b", self._visible) is not None
        if name in {"AssertionError", "CheckFailed"} or name.endswith("CheckFailed"):
            return any(p.fullmatch(message) for p in self._patterns) or name.endswith(
                "CheckFailed")
        return False


# The name existing courses' nbgrader_config.py files import.
HideHiddenTestTracebacks = HideHiddenTestOutput


def _split_hidden(source: str) -> tuple[list[str], list[str]]:
    """The lines of ``source`` outside and inside its hidden tests (markers left out)."""
    visible, hidden, inside = [], [], False
    for line in source.splitlines():
        if HIDDEN_BEGIN in line:
            inside = True
        elif HIDDEN_END in line:
            inside = False
        else:
            (hidden if inside else visible).append(line)
    return visible, hidden


def _visible_part(source: str) -> str:
    return "\n".join(_split_hidden(source)[0])


def hidden_test_lines(notebooks) -> list[str]:
    """The lines of hidden-test code in ``notebooks`` (paths), longer than 12 characters.

    Introduced in the book page "Instructor's guide" (how feedback hides hidden tests).
    """
    import nbformat

    return [line.strip()
            for path in check_paths("notebooks", notebooks, exist=True)
            for cell in nbformat.read(path, as_version=4).cells
            for line in _split_hidden(cell.source)[1] if len(line.strip()) > 12]


_B64 = re.compile(r"[A-Za-z0-9+/_\-]{16,}={0,2}")
_HEX = re.compile(r"(?:[0-9a-fA-F]{2}){12,}")


def _decodings(text: str):
    """The page's text and what its encoded runs decode to."""
    yield text
    yield text[::-1]
    yield codecs.decode(text, "rot13")
    yield urllib.parse.unquote(text)
    try:
        yield codecs.decode(re.sub(r"\\(?![uUxnt'\"\\])", "", text), "unicode_escape")
    except (UnicodeDecodeError, ValueError):
        pass
    for run in _B64.findall(re.sub(r"\s+", "", text)) + _B64.findall(text):
        for start in range(4):  # the run may begin with letters that are not part of it
            part = run[start:].rstrip("=")
            for decode in (base64.b64decode, base64.urlsafe_b64decode):
                try:
                    decoded = decode(part + "=" * (-len(part) % 4)).decode("utf-8", "ignore")
                except (binascii.Error, ValueError):
                    continue
                yield decoded
                yield decoded[::-1]
    for run in _HEX.findall(text):
        yield bytes.fromhex(run).decode("utf-8", "ignore")


def leaked_secrets(page: str, secrets: list[str]) -> list[str]:
    """The hidden-test lines that ``page`` (HTML) shows, as written or encoded.

    Checks the text of the page and every decoding of it that a student could use to
    smuggle a hidden test out: base64 (also URL-safe), hex, reversed, rot13, URL
    encoding and backslash escapes. Also flags the hidden-test marker itself.

    Introduced in the book page "Instructor's guide" (how feedback hides hidden tests).
    """
    check_type("page", page, str, "the HTML of a feedback page")
    check_type("secrets", secrets, list, "a list of hidden-test lines (hidden_test_lines())")
    check_texts("secrets", secrets, "hidden-test lines")
    text = html.unescape(re.sub(r"<[^>]+>", "", page))
    found = []
    squeezed = {s: re.sub(r"\s+", "", s) for s in [*secrets, HIDDEN_BEGIN]}
    for decoded in _decodings(text):
        flat = re.sub(r"\s+", "", decoded)
        found += [s for s, short in squeezed.items() if short and short in flat]
    return sorted(set(found))


# Scripts, frames, plugins and forms: never in a feedback page.
CONTENT_SECURITY_POLICY = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
                           "font-src data:; base-uri 'none'; form-action 'none'; "
                           "frame-src 'none'; object-src 'none'; script-src 'none'")
_ATTRIBUTES = {"*": {"class", "id", "title", "lang", "dir", "align"},
               "img": {"src", "alt", "width", "height"}, "a": {"href", "name"},
               "td": {"colspan", "rowspan"}, "th": {"colspan", "rowspan", "scope"},
               "ol": {"start"}}


def sanitize_page(page: str) -> str:
    """A feedback page that cannot run code: cleaned with ``nh3`` and under a strict CSP.

    The body keeps text, tables, code and images (``data:`` URLs) and loses scripts,
    event handlers (``onerror=``...), ``javascript:`` links, iframes, objects, embeds,
    forms and styles. The head keeps the title and the template's own styles; a
    Content-Security-Policy ``<meta>`` forbids every script, frame and remote load.
    (So MathJax does not run in feedback: formulas show as LaTeX source.)

    Introduced in the book page "Instructor's guide" (Grading: feedback).
    """
    import nh3

    check_type("page", page, str, "the HTML of a feedback page")
    head_match = re.search(r"<head[^>]*>(.*?)</head>", page, re.S | re.I)
    body_match = re.search(r"<body[^>]*>(.*)</body>", page, re.S | re.I)
    head = head_match.group(1) if head_match else ""
    body = body_match.group(1) if body_match else page
    title = re.search(r"<title[^>]*>(.*?)</title>", head, re.S | re.I)
    styles = re.findall(r"<style[^>]*>.*?</style>", head, re.S | re.I)
    clean_body = nh3.clean(body, tags=nh3.ALLOWED_TAGS | {"div", "span", "pre", "code"},
                           attributes=_ATTRIBUTES, url_schemes={"http", "https", "mailto",
                                                                "data"},
                           strip_comments=True, link_rel="noopener noreferrer nofollow")
    title_text = html.escape(html.unescape(re.sub(r"<[^>]+>", "", title.group(1)))) \
        if title else "Feedback"
    return ("<!DOCTYPE html>\n<html>\n<head>\n<meta charset=\"utf-8\">\n"
            f'<meta http-equiv="Content-Security-Policy" content="{CONTENT_SECURITY_POLICY}">'
            f"\n<title>{title_text}</title>\n" + "\n".join(styles)
            + "\n</head>\n<body>\n" + clean_body + "\n</body>\n</html>\n")


# --------------------------------------------------------------------------------------
# A temporary copy of a course, for the tests and the book


def list_assignments(course_root) -> list[str]:
    """The assignments of a course: the folders of ``source/`` that hold a notebook.

    Introduced in the book page "Instructor's guide".
    """
    source = Path(check_path("course_root", course_root)) / "source"
    if not source.is_dir():
        raise FileNotFoundError(
            f"course_root should be an nbgrader course folder with a source/ folder inside, "
            f"but {source} does not exist. The course's is exercises/."
        )
    return sorted(p.name for p in source.iterdir() if p.is_dir() and any(p.glob("*.ipynb")))


def copy_course(course_root, destination, assignments=None):
    """Copy a course's source assignments and nbgrader settings to ``destination``.

    Returns ``(root, config)``: the new course root and the nbgrader configuration
    loaded from its ``nbgrader_config.py``, pointed at the copy (and at an exchange
    inside it). nbgrader can then release, autograde and give feedback there without
    touching the real course.

    Introduced in the book page "Instructor's guide".
    """
    source = Path(check_path("course_root", course_root))
    list_assignments(source)  # a course folder, or a clear error naming course_root
    root = Path(check_path("destination", destination))
    copy_assignments(source, root, assignments)
    return root, load_config(root)


def release(assignment: str, root, config=None) -> Path:
    """Generate the student version of ``assignment`` with nbgrader; return its folder.

    ``root`` is a course folder (from :func:`copy_course` or ``rmlkit course init``),
    ``config`` its configuration (default: :func:`load_config` of ``root``). The
    student version has no solutions, no hidden tests and no rubrics.

    Introduced in the book page "Instructor's guide".
    """
    check_type("assignment", assignment, str, "the name of an assignment, such as 'first-audit'")
    if config is not None:
        check_type("config", config, Config, "the configuration that copy_course() returns")
    root = course_root(root, "root")
    check_assignment(root, assignment)
    api, _ = nbgrader_api(root, config)
    result = api.generate_assignment(assignment)
    if not result["success"]:
        raise CourseError("release: " + nbgrader_failure(
            result, f"could not generate {assignment!r}"))
    return root / "release" / assignment
