"""A student's JupyterLab, in a real browser: a lesson runs, its widget responds, its
MyST reads as in the book (jupyterlab-myst), nbgrader's assignment list is there, and
nobody is asked about Jupyter news.

JupyterLab starts from the kit's own configuration (.jupyter/) on 127.0.0.1, on a
temporary copy of the lessons, so the notebook it saves never touches the repository.
"""

from __future__ import annotations

import shutil
import sys
import time
from pathlib import Path

import pytest
from test_lab import run_lab

from conftest import ARTIFACTS, ROOT

pytestmark = pytest.mark.slow
BIN = Path(sys.executable).parent
LESSON = "04-risk-model.ipynb"
SHOTS = ARTIFACTS / "screenshots"


@pytest.fixture(scope="module")
def student_lab(tmp_path_factory):
    work = tmp_path_factory.mktemp("student")
    shutil.copy(ROOT / "notebooks" / LESSON, work / LESSON)
    yield from run_lab(work, "lab-browser.log")


@pytest.fixture
def lab_page(browser, student_lab):
    base, token = student_lab
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    external = []

    def route(route):
        host = route.request.url.split("/")[2].split(":")[0] if "://" in route.request.url else ""
        if host == "127.0.0.1" or route.request.url.startswith(("data:", "blob:")):
            route.continue_()
        else:
            external.append(route.request.url)
            route.abort()

    context.route("**/*", route)
    page = context.new_page()
    yield page, base, token, external
    context.close()


def run_all_cells(page):
    """Run > Run All Cells. If JupyterLab asks which kernel to start (its session was not
    up yet), choose the notebook's own kernel, as a learner would, and run again."""
    def click_run_all():
        page.get_by_role("menuitem", name="Run", exact=True).click()
        page.get_by_role("menuitem", name="Run All Cells", exact=True).click()

    click_run_all()
    select = page.locator(".jp-Dialog .jp-mod-accept")
    page.wait_for_timeout(3000)
    if select.count():
        select.first.click()
        page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']",
                               timeout=120_000)
        click_run_all()


def find_in_notebook(page, selector: str, *, seconds: float):
    """The first element matching ``selector`` in the open notebook, scrolling through it:
    JupyterLab 4 attaches only the cells near the view (windowed rendering)."""
    scroller = page.locator(".jp-WindowedPanel-outer").first
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for step in range(21):
            scroller.evaluate(f"el => el.scrollTop = el.scrollHeight * {step / 20}")
            page.wait_for_timeout(200)
            if page.locator(selector).count():
                return page.locator(selector).first
        page.wait_for_timeout(2000)
    raise AssertionError(f"{selector} never appeared in the notebook within {seconds} s")


def test_a_lesson_runs_and_its_threshold_explorer_responds(lab_page):
    page, base, token, external = lab_page
    SHOTS.mkdir(parents=True, exist_ok=True)
    shot = SHOTS / "lab-lesson.png"
    page.goto(f"{base}/lab/tree/{LESSON}?token={token}")
    try:
        page.wait_for_selector(".jp-Notebook", timeout=60_000)
        # Run only once the notebook's kernel is up: run before it, and JupyterLab asks
        # which kernel to start instead of running anything.
        page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']",
                               timeout=120_000)
        page.wait_for_timeout(3000)
        run_all_cells(page)
        # the whole lesson runs first; JupyterLab draws only the cells in view
        slider = find_in_notebook(page, ".widget-slider [role=slider]", seconds=600)
        widget = page.locator(".widget-vbox").filter(has=page.locator(".widget-slider")).first
        widget.scroll_into_view_if_needed()
        page.wait_for_timeout(1000)
        before = widget.inner_text()
        # the live table names its columns in rmlkit.metrics' vocabulary
        assert "false_positive_rate" in before, before
        slider.focus()
        for _ in range(10):
            page.keyboard.press("ArrowLeft")
        page.wait_for_function(
            "([el, text]) => el.innerText !== text", arg=[widget.element_handle(), before],
            timeout=30_000,
        )
        after = widget.inner_text()
        page.screenshot(path=str(shot))
        assert after != before, "Moving the slider did not change the metrics"
        for mime in ("application/vnd.jupyter.stderr", "application/vnd.jupyter.error"):
            count = page.locator(f".jp-OutputArea-output[data-mime-type='{mime}']").count()
            assert count == 0, f"{count} cell(s) produced {mime} ({shot})"
        assert not external, f"JupyterLab tried to reach the internet: {external}"
    except Exception:
        page.screenshot(path=str(shot))
        raise


def test_nbgrader_assignment_list_is_there(lab_page):
    page, base, token, external = lab_page
    shot = SHOTS / "lab-assignments.png"
    page.goto(f"{base}/lab?token={token}")
    try:
        page.wait_for_selector("#jp-top-panel", timeout=60_000)
        page.get_by_role("menuitem", name="Nbgrader", exact=True).click()
        page.get_by_role("menuitem", name="Assignment List").click()
        page.wait_for_selector("text=Released assignments", timeout=30_000)
        page.screenshot(path=str(shot))
    except Exception:
        page.screenshot(path=str(shot))
        raise


def test_a_lessons_myst_renders_as_in_the_book(lab_page):
    # jupyterlab-myst renders the lessons' MyST: the content note is an admonition, and
    # a {term} role is a link with the term's words, not raw braces and backticks.
    page, base, token, external = lab_page
    SHOTS.mkdir(parents=True, exist_ok=True)
    shot = SHOTS / "lab-myst.png"
    page.goto(f"{base}/lab/tree/{LESSON}?token={token}")
    try:
        first = page.locator(".jp-MarkdownCell").first
        note = first.locator("aside.myst-admonition")
        note.wait_for(timeout=60_000)
        assert "Content note" in note.locator(".myst-admonition-header").inner_text()
        assert "synthetic" in note.inner_text()
        term = first.locator("a", has_text="false positive rate").first
        assert term.is_visible()
        rendered = first.locator(".myst").inner_text()
        for raw in ("{admonition}", "{term}", ":class:", "```"):
            assert raw not in rendered, f"{raw!r} shows as raw text in the lesson ({shot})"
        page.wait_for_timeout(3000)  # JupyterLab's news prompt comes a moment after start
        page.screenshot(path=str(shot))
        assert page.get_by_text("official Jupyter news").count() == 0, shot
        assert not external, f"JupyterLab tried to reach the internet: {external}"
    except Exception:
        page.screenshot(path=str(shot))
        raise
