"""Shared fixtures: paths, the project's Jupyter settings, the built book, a browser."""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
ARTIFACTS = ROOT / "tests" / "artifacts"
BUILD_HTML = ROOT / "_build" / "html"

# The same project-local Jupyter settings the Makefile uses, so that `pytest` run
# directly behaves like `make test` (allow_root, the course's nbgrader settings).
os.environ.setdefault("JUPYTER_CONFIG_DIR", str(ROOT / ".jupyter"))
os.environ.setdefault("JUPYTER_DATA_DIR", str(ROOT / ".jupyter" / "data"))
os.environ.setdefault("JUPYTER_PLATFORM_DIRS", "1")
os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
# Where `rmlkit course init` finds the kit's exercises (course.kit_exercises).
os.environ.setdefault("RMLKIT_EXERCISES", str(ROOT / "exercises"))
# Kernels started by the tests run this environment's Python.
os.environ["PATH"] = f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"


def lesson_notebooks() -> list[Path]:
    """The lessons in course order, as course.yml lists them."""
    import yaml

    manifest = yaml.safe_load((ROOT / "course.yml").read_text())
    return [ROOT / lesson["notebook"] for lesson in manifest["lessons"]]


@pytest.fixture(scope="session")
def built_book() -> Path:
    """Build the book exactly as `make book` does (warnings are errors) and return it."""
    vendor = ROOT / "book" / "_extra" / "vendor" / ".copied"
    assert vendor.exists(), "The front-end scripts are missing: run `make setup` first."
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    log = ARTIFACTS / "book-build.log"
    # As `make html` does: the exercises' student versions first (book/exercises/).
    exercises = subprocess.run(
        [str(BIN / "python"), str(ROOT / "scripts" / "student_versions.py")],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )
    assert exercises.returncode == 0, f"No student versions of the exercises:\n{exercises.stderr}"
    result = subprocess.run(
        [str(BIN / "jupyter-book"), "build", str(ROOT), "--builder", "html",
         "-W", "-n", "--keep-going"],
        cwd=ROOT, capture_output=True, text=True, timeout=1800,
    )
    log.write_text(result.stdout + "\n" + result.stderr)
    assert result.returncode == 0, f"The book build failed; see {log}:\n{result.stderr[-3000:]}"
    return BUILD_HTML


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="session")
def book_server(built_book):
    """Serve the built book on 127.0.0.1 (a free port), as a static host would."""
    handler = functools.partial(_QuietHandler, directory=str(built_book))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright (no browser download)."""
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium") or "/usr/bin/chromium"
    assert Path(executable).exists(), (
        "The browser tests need Debian's Chromium: apt-get install chromium "
        "(.ci/run installs it)."
    )
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def graded_checks(monkeypatch):
    """Exercise checks behave as in a graded workshop (``RMLKIT_GRADED=1``)."""
    monkeypatch.setenv("RMLKIT_GRADED", "1")


def fails(question, answer, words, **context):
    """The question's check rejects ``answer`` as incorrect, saying ``words``."""
    from rmlkit.check import CheckFailed, Outcome

    with pytest.raises(CheckFailed) as error:
        question.check(answer, **context)
    assert error.value.outcome is Outcome.INCORRECT
    assert words.lower() in str(error.value).lower(), str(error.value)
