"""The explorers in the static, offline book: each control moved with the keyboard in
Chromium changes the numbers shown, and they equal what rmlkit computes for that setting.

The expected numbers come from a kernel that ran the lesson's own cells up to its
explorer (so on the same data), with the explorer's arguments recorded; rmlkit's
functions are then called there for the setting the page shows. The per-group threshold
explorer, which no lesson uses, is drawn on a page of its own with the book's scripts.
"""

from __future__ import annotations

import functools
import http.server
import json
import sys
import threading

import nbformat
import numpy as np
import pytest
from nbclient import NotebookClient
from test_book import SCREENSHOTS, accessibility_violations, open_offline

from conftest import ROOT

sys.path.insert(0, str(ROOT / "book" / "_ext"))
import rml_offline  # noqa: E402  (the book's own scripts)

pytestmark = pytest.mark.slow

RECORD = """
import rmlkit.widgets as _widgets
_explorer_calls = {}
def _record(name):
    original = getattr(_widgets, name)
    def recorded(*args, **kwargs):
        _explorer_calls[name] = (args, kwargs)
        return original(*args, **kwargs)
    setattr(_widgets, name, recorded)
for _name in ("threshold_explorer", "impossibility_explorer", "cost_explorer",
              "deference_explorer"):
    _record(_name)
"""

# For a setting (a dict of the page's slider values), the labels rmlkit gives, as
# {"group|quantity": "0.23"}, printed as JSON. `args, kwargs` are the explorer's.
PROBES = {
    "threshold_explorer": """
from rmlkit.explorers import RATE_NAMES
from rmlkit.tradeoffs import rates_at_threshold
table = rates_at_threshold(args[0], args[1], sensitive_features=kwargs["sensitive_features"],
                           threshold=setting["Threshold"]).drop(columns="n")
print(json.dumps({f"{g}|{name}": f"{table.loc[g, column]:.2f}" for g in table.index
                  for name, column in zip(RATE_NAMES, table.columns, strict=True)}))
""",
    "impossibility_explorer": """
from rmlkit.tradeoffs import impossibility_table
table = impossibility_table(
    {"A": setting["Base rate, group A"], "B": setting["Base rate, group B"]},
    precision=setting["Precision (both groups)"],
    false_negative_rate=setting["Miss rate, FNR (both groups)"])
print(json.dumps({f"{g}|false positive rate forced": f"{table.loc[g, 'false_positive_rate']:.2f}"
                  for g in table.index}))
""",
    "cost_explorer": """
from rmlkit.tradeoffs import capacity_decisions, expected_cost
capacity = int(setting["Capacity (referrals investigated per period)"])
decisions = capacity_decisions(args[1], capacity, periods=kwargs.get("periods")).astype(int)
table = expected_cost(args[0], decisions, sensitive_features=kwargs["sensitive_features"],
                      cost_false_negative=setting["Cost of a missed child"],
                      cost_false_positive=setting["Cost of an unnecessary investigation"])
out = {}
for g in table.index:
    out[f"{g}|missed children"] = f"{table.loc[g, 'false_negatives']:d}"
    out[f"{g}|unnecessary investigations"] = f"{table.loc[g, 'false_positives']:d}"
    out[f"{g}|cost per referral"] = f"{table.loc[g, 'cost_per_row']:.2f}"
print(json.dumps(out))
""",
    "deference_explorer": """
row = args[0].loc[setting["Deference (share of disagreements settled in the model's favour)"]]
print(json.dumps({f"|{column}": f"{value:.2f}" for column, value in row.items()}))
""",
}

LESSONS = {  # explorer -> the lesson that shows it
    "threshold_explorer": "04-risk-model",
    "impossibility_explorer": "07-fairness-criteria",
    "cost_explorer": "08-decisions-and-tradeoffs",
    "deference_explorer": "10-people-and-models",
}

SHOWN = """box => {
  const out = {};
  (function walk(node) {
    if (!node) return;
    if (node.marktype === 'text' && node.name === 'numbers_marks') {
      node.items.forEach(i => { out[(i.datum.group || '') + '|' + i.datum.metric] = i.text; });
    }
    (node.items || []).forEach(walk);
  })(box.rmlkitView.scenegraph().root);
  return out;
}"""

SETTING = """box => Object.fromEntries(Array.from(box.querySelectorAll('.vega-bind')).map(b =>
  [b.querySelector('.vega-bind-name').textContent.trim(),
   Number(b.querySelector('input').value)]))"""


class LessonKernel:
    """A kernel that ran a lesson's cells up to its explorer, with the arguments kept."""

    def __init__(self, lesson: str, explorer: str):
        notebook = nbformat.read(ROOT / "notebooks" / f"{lesson}.ipynb", as_version=4)
        cells = []
        for cell in notebook.cells:
            if cell.cell_type == "code":
                cells.append(cell)
                if f"{explorer}(" in cell.source:
                    break
        assert any(f"{explorer}(" in c.source for c in cells), f"{lesson} has no {explorer}"
        self.explorer = explorer
        self.notebook = nbformat.v4.new_notebook(
            cells=[nbformat.v4.new_code_cell(RECORD), *cells],
            metadata=notebook.metadata)
        self.client = NotebookClient(self.notebook, timeout=900, kernel_name="python3",
                                     resources={"metadata": {"path": str(ROOT / "notebooks")}})

    def __enter__(self):
        self._context = self.client.setup_kernel()
        self._context.__enter__()
        for index, cell in enumerate(self.notebook.cells):
            self.client.execute_cell(cell, index)
        return self

    def __exit__(self, *exc):
        return self._context.__exit__(*exc)

    def expected(self, setting: dict) -> dict:
        code = (f"import json\nargs, kwargs = _explorer_calls[{self.explorer!r}]\n"
                f"setting = {setting!r}\n" + PROBES[self.explorer])
        cell = nbformat.v4.new_code_cell(code)
        self.notebook.cells.append(cell)
        self.client.execute_cell(cell, len(self.notebook.cells) - 1)
        text = "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")
        return json.loads(text.strip().splitlines()[-1])


def _ready(page):
    page.wait_for_selector(".rmlkit-explorer[data-ready='true']", timeout=60_000)
    return page.locator(".rmlkit-explorer").first


def _state(box):
    return (box.evaluate(SETTING), box.evaluate(SHOWN),
            box.locator(".rmlkit-explorer-status").inner_text())


def _move_each_control(page, box, check, shot_name):
    """Press ArrowRight three times on each range input, then End on the first; after
    each control, `check(setting, shown, status)`."""
    inputs = box.locator("input[type=range]")
    assert inputs.count() >= 1
    box.screenshot(path=str(SCREENSHOTS / f"{shot_name}-before.png"))
    for index in range(inputs.count()):
        before = _state(box)
        control = inputs.nth(index)
        control.focus()
        for _ in range(3):
            page.keyboard.press("ArrowRight")
        if before[0] == box.evaluate(SETTING):  # at its maximum already: go the other way
            for _ in range(3):
                page.keyboard.press("ArrowLeft")
        page.wait_for_function(
            "([box, text]) => box.querySelector('.rmlkit-explorer-status').textContent"
            " !== text", arg=[box.element_handle(), before[2]], timeout=10_000)
        after = _state(box)
        assert after[0] != before[0], f"control {index} did not move"
        assert after[1] != before[1], f"moving control {index} did not change the numbers"
        check(*after)
    inputs.first.focus()
    page.keyboard.press("End")
    page.wait_for_timeout(300)
    check(*_state(box))
    box.screenshot(path=str(SCREENSHOTS / f"{shot_name}-after.png"))


def _static_figure_is_for_print(page, box):
    """On screen the chart; in print the static figure at the starting setting."""
    static, chart = box.locator(".rmlkit-explorer-static img"), box.locator(".vega-embed")
    assert chart.is_visible() and not static.is_visible()
    page.emulate_media(media="print")
    assert static.is_visible() and not chart.is_visible()
    page.emulate_media(media="screen")


def test_without_javascript_each_explorer_shows_its_static_figure(browser, book_server):
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        for lesson in LESSONS.values():
            page.goto(f"{book_server}/notebooks/{lesson}.html")
            image = page.locator(".rmlkit-explorer .rmlkit-explorer-static img").first
            assert image.is_visible(), f"{lesson}: no static figure without JavaScript"
            assert image.evaluate("i => i.naturalWidth") > 0 and image.get_attribute("alt")
    finally:
        context.close()


@pytest.mark.parametrize("explorer", list(LESSONS))
def test_explorer_follows_its_controls_offline(browser, book_server, explorer):
    lesson = LESSONS[explorer]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    context, page, problems = open_offline(browser, f"{book_server}/notebooks/{lesson}.html")
    try:
        box = _ready(page)
        box.scroll_into_view_if_needed()
        assert box.locator(".rmlkit-explorer-static img").get_attribute("alt").strip()
        assert box.locator(".rmlkit-explorer-status[aria-live='polite']").count() == 1
        with LessonKernel(lesson, explorer) as kernel:

            def check(setting, shown, status):
                expected = kernel.expected(setting)
                assert shown == expected, f"{explorer} at {setting}: {shown} != {expected}"
                for label in expected.values():
                    assert label in status, f"the description {status!r} lacks {label}"

            check(*_state(box))
            _move_each_control(page, box, check, f"explorer-{explorer}")
        _static_figure_is_for_print(page, box)
        problems.assert_none(lesson, SCREENSHOTS / f"explorer-{explorer}-after.png")
        violations = accessibility_violations(page)
        assert not violations, f"{lesson}: axe-core:\n" + "\n".join(violations)
    finally:
        context.close()


@pytest.fixture(scope="module")
def per_group_page(tmp_path_factory):
    """A page with the per-group threshold explorer, the book's vendor files and scripts."""
    from rmlkit.explorers import threshold_twin

    site = tmp_path_factory.mktemp("explorer")
    rng = np.random.default_rng(7)
    n = 3_000
    groups = rng.choice(["A", "B", "C"], n)
    y = (rng.random(n) < np.where(groups == "A", 0.2, 0.35)).astype(int)
    scores = np.clip(0.3 + 0.3 * y + rng.normal(0, 0.2, n), 0, 1)
    twin = threshold_twin(y, scores, sensitive_features=groups, threshold=0.4, per_group=True)
    vendor = ROOT / "book" / "_extra" / "vendor"
    (site / "vendor").mkdir()
    scripts = ""
    for name in rml_offline.VEGA_SCRIPTS:
        (site / "vendor" / name).write_bytes((vendor / name).read_bytes())
        scripts += f'<script src="vendor/{name}"></script>'
    (site / "index.html").write_text(
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Explorer</title>'
        f"<script>{rml_offline.HIDE_DEFINE}</script>{scripts}"
        f"<script>{rml_offline.RESTORE_DEFINE}</script><script>{rml_offline.EXPLORERS}</script>"
        f"</head><body><main><h1>Explorer</h1>{twin._repr_html_()}</main></body></html>")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site))
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/index.html", (y, scores, groups)
    server.shutdown()


def test_per_group_threshold_explorer_moves_one_group_at_a_time(browser, per_group_page):
    from rmlkit.tradeoffs import plot_rates_by_group

    url, (y, scores, groups) = per_group_page
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    context, page, problems = open_offline(browser, url)
    try:
        box = _ready(page)

        def check(setting, shown, status):
            thresholds = {g: setting[f"Threshold for {g}"] for g in ("A", "B", "C")}
            _, table = plot_rates_by_group(y, scores, sensitive_features=groups,
                                           thresholds=thresholds)
            expected = {f"{g}|{name}": f"{table.loc[g, column]:.2f}" for g in table.index
                        for name, column in zip(("share flagged", "false positive rate",
                                                 "false negative rate"), table.columns,
                                                strict=True)}
            assert shown == expected
            for label in expected.values():
                assert label in status

        check(*_state(box))
        _move_each_control(page, box, check, "explorer-per-group")
        _static_figure_is_for_print(page, box)
        problems.assert_none("per-group explorer", SCREENSHOTS / "explorer-per-group-after.png")
        violations = accessibility_violations(page)
        assert not violations, "\n".join(violations)
    finally:
        context.close()


def test_explorer_pages_load_vega_from_the_vendor_folder(built_book):
    """Every lesson with an explorer loads vega, vega-lite and vega-embed from vendor/."""
    pages = [p for p in (built_book / "notebooks").glob("*.html")
             if "rmlkit-explorer-spec" in p.read_text()]
    assert {p.stem for p in pages} >= set(LESSONS.values())
    for page in pages:
        text = page.read_text()
        for name in rml_offline.VEGA_SCRIPTS:
            assert f'src="../_static/../vendor/{name}' in text, f"{page.name} lacks {name}"
        assert "cdn.jsdelivr" not in text
