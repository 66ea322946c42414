"""The built book as a website: links resolve, search and navigation work, and the
published site (`make publish`) has its launch buttons and is ready for GitHub Pages."""

from __future__ import annotations

import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest
import yaml
from test_book import open_offline, settle, toc_pages

from conftest import ARTIFACTS, ROOT

pytestmark = pytest.mark.slow
SKIP_DIRS = {"_static", "vendor", "_sources", "_sphinx_design_static"}


class _Links(HTMLParser):
    """Every link, source and element id of one page."""

    def __init__(self):
        super().__init__()
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        if tag == "a" and attrs.get("name"):
            self.ids.add(attrs["name"])
        for key in ("href", "src"):
            if attrs.get(key) and not (tag == "link" and attrs.get("rel") == "preconnect"):
                self.links.append(attrs[key])


def parse(path: Path) -> _Links:
    parser = _Links()
    parser.feed(path.read_text(errors="replace"))
    return parser


def built_pages(site: Path) -> list[Path]:
    return [p for p in site.rglob("*.html")
            if not SKIP_DIRS.intersection(p.relative_to(site).parts)]


def test_every_internal_link_and_anchor_resolves(built_book):
    pages = built_pages(built_book)
    parsed = {page: parse(page) for page in pages}
    broken, external = [], set()
    for page, links in parsed.items():
        for link in links.links:
            url = urlparse(link)
            if url.scheme in ("http", "https", "mailto"):
                external.add(link)
                continue
            if url.scheme in ("data", "javascript") or link.startswith("#") and not url.fragment:
                continue
            target = (page.parent / unquote(url.path)).resolve() if url.path else page
            if target.is_dir():
                target = target / "index.html"
            where = f"{page.relative_to(built_book)} -> {link}"
            if not target.exists():
                broken.append(f"{where} (no such file)")
            elif url.fragment and target.suffix == ".html":
                ids = parsed[target].ids if target in parsed else parse(target).ids
                if unquote(url.fragment) not in ids:
                    broken.append(f"{where} (no anchor #{url.fragment})")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "external-links.txt").write_text("\n".join(sorted(external)) + "\n")
    assert len(pages) >= len(toc_pages())
    assert not broken, "Broken internal links:\n" + "\n".join(sorted(set(broken))[:50])


def test_search_finds_a_term(browser, book_server):
    context, page, problems = open_offline(browser, f"{book_server}/search.html?q=calibration")
    try:
        page.wait_for_selector("#search-results li a", timeout=30_000)
        hits = page.eval_on_selector_all("#search-results li a", "els => els.map(e => e.href)")
        assert any("04-risk-model" in hit for hit in hits), hits
        problems.assert_none("search", ARTIFACTS / "screenshots")
    finally:
        context.close()


def test_next_and_previous_follow_the_table_of_contents(browser, book_server):
    pages = toc_pages()
    context, page, problems = open_offline(browser, f"{book_server}/{pages[1]}.html")
    try:
        settle(page)
        page.locator("a.right-next").first.click()
        page.wait_for_load_state("networkidle")
        assert page.url.endswith(f"{pages[2]}.html"), page.url
        page.locator("a.left-prev").first.click()
        page.wait_for_load_state("networkidle")
        assert page.url.endswith(f"{pages[1]}.html"), page.url
    finally:
        context.close()


@pytest.fixture(scope="module")
def published(built_book, tmp_path_factory):
    """`make publish` for a repository and a hub (only links; nothing is fetched)."""
    output = tmp_path_factory.mktemp("publish")
    log = ARTIFACTS / "publish.log"
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "publish.py"),
         "--repository-url", "https://github.com/example-org/rml-course",
         "--jupyterhub-url", "https://hub.example.edu", "--output", str(output)],
        cwd=ROOT, capture_output=True, text=True, timeout=1800,
    )
    log.write_text(result.stdout + "\n" + result.stderr)
    assert result.returncode == 0, f"make publish failed; see {log}:\n{result.stderr[-3000:]}"
    return output / "_build" / "html"


def test_published_site_has_launch_buttons_and_is_ready_for_pages(published):
    assert (published / ".nojekyll").exists(), "GitHub Pages needs .nojekyll for _static/"
    lesson = (published / "notebooks" / "04-risk-model.html").read_text()
    assert "mybinder.org/v2/gh/example-org/rml-course/main" in lesson
    assert "hub.example.edu/hub/user-redirect/git-pull" in lesson  # nbgitpuller
    assert "https://github.com/example-org/rml-course" in lesson  # repository button
    assert "04-risk-model.ipynb" in lesson  # download the notebook
    for page in built_pages(published):
        assert str(ROOT) not in page.read_text(), f"{page.name} contains a local path"


def test_the_pages_workflow_publishes_what_make_publish_builds():
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "book.yml").read_text())
    steps = workflow["jobs"]["build"]["steps"]
    commands = " ".join(step.get("run", "") for step in steps)
    assert "make setup" in commands and "make publish" in commands
    upload = next(s for s in steps if s.get("uses", "").startswith("actions/upload-pages"))
    assert upload["with"]["path"] == "_build/publish/_build/html"
    assert any(s.get("uses", "").startswith("actions/deploy-pages")
               for s in workflow["jobs"]["deploy"]["steps"])


def exercise_pages() -> list[str]:
    """The exercise pages, from the assignments themselves rather than the generated
    folder: in a fresh clone the pages do not exist until the book is built, so a glob
    would find none and the test would be skipped."""
    import student_versions  # in scripts/, which test_book puts on the path

    return student_versions.student_page_names()


@pytest.mark.parametrize("page_name", exercise_pages())
def test_each_exercise_page_offers_its_student_notebook(browser, book_server, page_name):
    context, page, problems = open_offline(browser, f"{book_server}/{page_name}.html")
    try:
        link = page.locator("a.download[href$='.ipynb']").first
        assert link.count() == 1, f"{page_name} has no link to download its notebook"
        response = page.request.get(link.evaluate("a => a.href"))
        assert response.status == 200, f"{page_name}: the download answers {response.status}"
        notebook = response.text()
        assert "raise NotImplementedError()" in notebook, "the download is not a student version"
        for secret in ("BEGIN SOLUTION", "BEGIN HIDDEN TESTS", "Rubric"):
            assert secret not in notebook, f"{page_name}: the download contains {secret!r}"
    finally:
        context.close()
