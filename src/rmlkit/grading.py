"""The kit's one adapter to nbgrader: configuration, hidden tests, feedback that is safe.

Everything that talks to nbgrader goes through here: :func:`load_config` reads a
course's ``nbgrader_config.py``, :func:`use_environment_tools` lets nbgrader find the
programs it runs (``alembic``) next to this Python, and :func:`nbgrader_failure` turns a
failed nbgrader call into one readable line. :mod:`rmlkit.course` (the instructor's
``rmlkit course`` workflow) and the tests and book scripts below build on it.

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

from ._checks import check_path, check_type

__all__ = [
    "HIDDEN_BEGIN",
    "HIDDEN_END",
    "HideHiddenTestOutput",
    "HideHiddenTestTracebacks",
    "copy_course",
    "leaked_secrets",
    "hidden_test_lines",
    "list_assignments",
    "load_config",
    "nbgrader_failure",
    "release",
    "sanitize_page",
    "use_environment_tools",
]

HIDDEN_BEGIN, HIDDEN_END = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"
HIDDEN_NOTE = "(the output of hidden checks is not shown)"


# --------------------------------------------------------------------------------------
# Configuration and running nbgrader


def load_config(root):
    """The nbgrader configuration of the course in ``root``, pointed at ``root``.

    Reads ``root/nbgrader_config.py`` and sets the course root and an exchange folder
    inside it, so that nbgrader never touches another course.

    Introduced in the book page "Instructor's guide" (Grading).
    """
    from traitlets.config.loader import PyFileConfigLoader

    root = Path(check_path("root", root)).resolve()
    if not (root / "nbgrader_config.py").is_file():
        raise FileNotFoundError(
            f"root should be an nbgrader course folder holding nbgrader_config.py, but "
            f"{root} has none. Create one with `rmlkit course init DIR`.")
    config = PyFileConfigLoader("nbgrader_config.py", path=str(root)).load_config()
    config.CourseDirectory.root = str(root)
    config.Exchange.root = str(root / "exchange")
    return config


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
    begin_test_delimiter = Unicode("BEGIN HIDDEN TESTS").tag(config=True)

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


def _visible_part(source: str) -> str:
    out, inside = [], False
    for line in source.splitlines():
        if HIDDEN_BEGIN in line:
            inside = True
        elif HIDDEN_END in line:
            inside = False
        elif not inside:
            out.append(line)
    return "\n".join(out)


def hidden_test_lines(notebooks) -> list[str]:
    """The lines of hidden-test code in ``notebooks`` (paths), longer than 12 characters.

    Introduced in the book page "Instructor's guide" (how feedback hides hidden tests).
    """
    import nbformat

    lines = []
    for path in notebooks:
        for cell in nbformat.read(path, as_version=4).cells:
            inside = False
            for line in cell.source.splitlines():
                if HIDDEN_BEGIN in line:
                    inside = True
                elif HIDDEN_END in line:
                    inside = False
                elif inside and len(line.strip()) > 12:
                    lines.append(line.strip())
    return lines


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
    course_root = Path(check_path("course_root", course_root))
    root = Path(check_path("destination", destination))
    known = list_assignments(course_root)
    assignments = known if assignments is None else list(assignments)
    unknown = sorted(set(assignments) - set(known))
    if unknown:
        raise ValueError(
            f"assignments should be folders of {course_root / 'source'}, but {unknown} are "
            f"not; the course has {known}."
        )
    ignore = shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__")
    for assignment in assignments:
        shutil.copytree(course_root / "source" / assignment, root / "source" / assignment,
                        ignore=ignore)
    shutil.copy(course_root / "nbgrader_config.py", root / "nbgrader_config.py")
    return root, load_config(root)


def release(assignment: str, root, config) -> Path:
    """Generate the student version of ``assignment`` with nbgrader; return its folder.

    ``root`` and ``config`` come from :func:`copy_course`. The student version has no
    solutions, no hidden tests and no rubrics.

    Introduced in the book page "Instructor's guide".
    """
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory

    check_type("assignment", assignment, str, "the name of an assignment, such as 'first-audit'")
    check_type("config", config, Config, "the configuration that copy_course() returns")
    if not (Path(check_path("root", root)) / "source" / assignment).is_dir():
        raise ValueError(f"assignment: {root} has no source/{assignment} folder. "
                         f"Choose one of {list_assignments(root)}.")
    use_environment_tools()
    api = NbGraderAPI(coursedir=CourseDirectory(config=config), config=config)
    result = api.generate_assignment(assignment)
    if not result["success"]:
        raise RuntimeError(nbgrader_failure(
            result, f"could not generate the student version of {assignment}"))
    return Path(root) / "release" / assignment
