"""The book builds with warnings as errors and reads offline in a real browser."""

from __future__ import annotations

import sys
from pathlib import Path
from urllib.parse import urlparse

import pytest

from conftest import ARTIFACTS, ROOT

sys.path.insert(0, str(ROOT / "scripts"))
from glossary_links import toc_pages  # noqa: E402  (the book's reading order)

pytestmark = pytest.mark.slow
SCREENSHOTS = ARTIFACTS / "screenshots"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"


def test_every_page_in_the_table_of_contents_is_built(built_book):
    for page in toc_pages():
        assert (built_book / f"{page}.html").is_file(), f"{page} was not built"
    assert (built_book / "index.html").is_file()


def test_no_page_loads_anything_from_the_internet(built_book):
    """Scripts, styles and fonts all come from the built site itself."""
    for html in built_book.rglob("*.html"):
        text = html.read_text()
        for tag in ("<script", "<link"):
            for chunk in text.split(tag)[1:]:
                head = chunk.split(">", 1)[0]
                assert 'src="http' not in head and 'href="http' not in head or (
                    'rel="' in head and "stylesheet" not in head and "preload" not in head
                ), f"{html.relative_to(built_book)} loads {head!r} from the internet"


class PageProblems:
    """Console errors, failed requests and attempts to reach the internet."""

    def __init__(self):
        self.console, self.failed, self.external = [], [], []

    def assert_none(self, where: str, screenshot: Path):
        assert not self.external, f"{where} tried to reach the internet: {self.external}"
        assert not self.failed, f"{where} had failed requests: {self.failed} ({screenshot})"
        assert not self.console, f"{where} had console errors: {self.console} ({screenshot})"


def open_offline(browser, url: str):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    problems = PageProblems()

    def route(route):
        request_url = route.request.url
        local = urlparse(request_url).hostname == "127.0.0.1"
        if local or request_url.startswith(("data:", "blob:")):
            route.continue_()
        else:
            problems.external.append(request_url)
            route.abort()

    context.route("**/*", route)
    page.on("console", lambda m: m.type == "error" and problems.console.append(m.text))
    page.on("pageerror", lambda e: problems.console.append(str(e)))
    page.on("requestfailed", lambda r: problems.failed.append(f"{r.url} {r.failure}"))
    page.on("response", lambda r: r.status >= 400 and problems.failed.append(f"{r.status} {r.url}"))
    page.goto(url, wait_until="networkidle")
    return context, page, problems


def accessibility_violations(page, impacts=("serious", "critical")) -> list[str]:
    """Run axe-core (from npm) in the page; the violations of the given impacts."""
    assert AXE.exists(), "axe-core is missing: run `make setup` (npm ci)."
    page.add_script_tag(content=AXE.read_text())
    violations = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        ".map(v => ({id: v.id, impact: v.impact, help: v.help,"
        " nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))"
    )
    return [f"{v['impact']} {v['id']}: {v['help']} at {v['nodes']}"
            for v in violations if v["impact"] in impacts]


def settle(page):
    """Wait until saved widgets have rendered and every image has loaded (or failed)."""
    if page.locator('script[type="application/vnd.jupyter.widget-state+json"]').count():
        page.wait_for_selector(".jupyter-widgets, .widget-vbox", timeout=30_000)
    if page.locator(".rmlkit-explorer").count():  # explorers drawn by vega-embed
        page.wait_for_function(
            "Array.from(document.querySelectorAll('.rmlkit-explorer'))"
            ".every(e => e.dataset.ready === 'true')", timeout=30_000)
    page.wait_for_function(
        "Array.from(document.querySelectorAll('main img')).every(i => i.complete)",
        timeout=30_000,
    )
    page.wait_for_timeout(300)


@pytest.mark.parametrize("page_name", toc_pages())
def test_page_loads_offline_without_errors(browser, book_server, page_name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shot = SCREENSHOTS / f"{page_name.replace('/', '__')}.png"
    context, page, problems = open_offline(browser, f"{book_server}/{page_name}.html")
    try:
        settle(page)
        page.screenshot(path=str(shot), full_page=True)
        problems.assert_none(page_name, shot)
        images = page.eval_on_selector_all(
            "main img",
            "els => els.map(e => ({src: e.src, alt: e.alt, w: e.naturalWidth}))",
        )
        for image in images:
            assert image["w"] > 0, f"{page_name}: image {image['src']} did not load ({shot})"
            assert image["alt"].strip(), f"{page_name}: image {image['src']} has no alt text"
        violations = accessibility_violations(page)
        assert not violations, (
            f"{page_name}: serious accessibility problems (axe-core; screenshot {shot}):\n"
            + "\n".join(violations)
        )
    finally:
        context.close()


def test_lesson_shows_figure_math_and_widget(browser, book_server):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shot = SCREENSHOTS / "first-model-rendered.png"
    context, page, problems = open_offline(browser, f"{book_server}/notebooks/04-risk-model.html")
    try:
        # MathJax typesets the formula for the false positive rate.
        page.wait_for_selector("mjx-container", timeout=30_000)
        assert page.locator("mjx-container").count() >= 1
        # The figure, with its alt text, has loaded.
        figure = page.locator("#fig-first-model-fpr img")
        assert figure.count() == 1
        assert figure.evaluate("e => e.naturalWidth") > 0
        assert "false positive rate" in figure.get_attribute("alt").lower()
        # The threshold explorer is drawn (vega-embed, from vendor/) with its slider.
        page.wait_for_selector(".rmlkit-explorer[data-ready='true']", timeout=30_000)
        explorer = page.locator(".rmlkit-explorer").first
        explorer.scroll_into_view_if_needed()
        assert explorer.locator("input[type=range]").count() == 1
        explorer_text = explorer.inner_text()
        assert "Threshold" in explorer_text and "false positive rate" in explorer_text
        page.screenshot(path=str(shot), full_page=True)
        # Close-ups, for a person to look at.
        explorer.screenshot(path=str(SCREENSHOTS / "widget.png"))
        page.locator("mjx-container").first.screenshot(path=str(SCREENSHOTS / "math.png"))
        figure.screenshot(path=str(SCREENSHOTS / "figure.png"))
        problems.assert_none("04-risk-model", shot)
    finally:
        context.close()


@pytest.mark.parametrize("page_name", ["notebooks/11-transparency", "notebooks/14-capstone"])
def test_model_card_results_render_as_a_table(built_book, page_name):
    """The card's Markdown table is a table, not pipes and dashes turned into em dashes."""
    text = (built_book / f"{page_name}.html").read_text()
    section = text.split("Quantitative analyses</", 1)[1].split("Ethical considerations</", 1)[0]
    assert "<table" in section, f"{page_name}: the model card's results are not a table"
    assert "|:" not in text and "|\u2014" not in text and ":\u2014" not in text


def test_table_labels_are_shown_in_full(built_book):
    """Lesson 6's statistics are named in full, not cut with '...'."""
    text = (built_book / "notebooks" / "06-sources-of-bias.html").read_text()
    tables = text.split("<table")[1:]
    assert tables and not any("...</td>" in t.split("</table>")[0] for t in tables)


def test_lesson_1s_first_table_fits_the_page_column(browser, book_server):
    """Lesson 1's first table is shown on its side (one column per child), so that every
    field is readable without scrolling sideways; it keeps the course's table style
    (smaller type, and a scroll bar that is always drawn for tables that are wider)."""
    context, page, _ = open_offline(browser, f"{book_server}/notebooks/01-welcome.html")
    try:
        box = page.locator("div.cell_output .output.text_html:has(table.dataframe)").first
        sizes = box.evaluate(
            "e => ({client: e.clientWidth, scroll: e.scrollWidth,"
            " column: e.closest('article').clientWidth,"
            " rows: e.querySelectorAll('tbody tr').length,"
            " overflow: getComputedStyle(e).overflowX,"
            " font: getComputedStyle(e.querySelector('table')).fontSize})")
        assert sizes["overflow"] == "auto" and sizes["client"] <= sizes["column"], sizes
        assert sizes["scroll"] <= sizes["client"], f"the table scrolls sideways: {sizes}"
        assert sizes["rows"] == 10, f"one row per field of the record: {sizes}"
        assert sizes["font"] == "12.8px", f"the course's table style is not applied: {sizes}"
    finally:
        context.close()
