"""A small Sphinx extension that keeps the built book self-contained and clean.

- The ipywidgets renderer (``vendor/embed-amd.js``, from npm) loads its icon fonts from
  the folder that require.js believes it came from; without configuration that is the
  page's own folder (each widget module its own). A ``require`` configuration set
  before require.js loads points them all at ``vendor/``, found from the page's
  ``data-content_root``.
- The widget controls typeset their labels with MathJax 2's ``MathJax.Hub.Queue``; the
  book serves MathJax 3, so a small shim forwards those calls to ``typesetPromise``.
- Accessibility repairs that axe-core asks for in the theme and the widgets: the search
  buttons are named by their visible text ("Search Ctrl+K"), the colour-mode button's
  icons are decorative (the button has its own label), the navigation's expand toggles
  are named after their chapter, a bibliography's entries are items of its list, and
  each slider handle is named by its widget's label. Icons and widgets are drawn after
  the page loads, so the repairs run again whenever the page changes.
- The explorers' declarative twins (:mod:`rmlkit.explorers`). Setting up, this extension
  sets ``RMLKIT_EXPLORERS=declarative`` for the kernels the build starts, so the lessons'
  explorers are written as Vega-Lite charts (a static page cannot run ipywidgets
  callbacks). On each page that has one, vega, vega-lite and vega-embed are loaded from
  ``vendor/`` (from npm; never a CDN: Altair's own HTML output would fetch them from one),
  with require.js's ``define`` hidden while they load so that their UMD builds set
  globals. A small script draws each explorer with vega-embed (SVG, no action menu),
  copies the chart's ``description`` signal into the explorer's aria-live paragraph
  whenever a slider moves (vega-embed does not describe its state to a screen reader),
  and hides the static figure on screen (it stays for print and without JavaScript).
- Each script is included once per page. (Jupyter Book 1 registers sphinx-thebe's
  configuration script twice, which throws "THEBE_JS_URL has already been declared".)
"""

from __future__ import annotations

import os

from rmlkit.explorers import MODE_VARIABLE

_WIDGET_MODULES = ["base", "base7", "controls", "controls7", "output", "html-manager"]
REQUIRE_CONFIG = (
    "(function () { var vendor = new URL((document.documentElement.dataset.content_root"
    " || './') + 'vendor', document.baseURI).href; var paths = "
    "{'@jupyter-widgets/html-manager/dist': vendor}; "
    + "".join(f"paths['@jupyter-widgets/{m}'] = vendor + '/{m}'; " for m in _WIDGET_MODULES)
    + "window.require = {paths: paths}; })();"
)

MATHJAX2_SHIM = (
    "if (window.MathJax) { window.MathJax.startup = Object.assign({}, "
    "window.MathJax.startup, {ready: function () { MathJax.startup.defaultReady(); "
    "MathJax.Hub = {Queue: function (cmd) { return MathJax.startup.promise.then("
    "function () { return MathJax.typesetPromise([cmd[2]]); }); }}; }}); }"
)

A11Y_REPAIRS = (
    "(function () { function repair() {"
    " document.querySelectorAll('button.search-button__button[aria-label]').forEach("
    "function (b) { if (b.innerText.trim()) { b.removeAttribute('aria-label'); } });"
    " document.querySelectorAll('.theme-switch-button svg').forEach(function (svg) {"
    " svg.setAttribute('aria-hidden', 'true'); svg.removeAttribute('aria-labelledby');"
    " svg.querySelectorAll('title').forEach(function (t) { t.remove(); }); });"
    " document.querySelectorAll('.bd-sidenav details > summary').forEach(function (s) {"
    " if (!s.textContent.trim() && !s.getAttribute('aria-label')) {"
    " var link = s.parentElement.parentElement.querySelector('a');"
    " var chapter = link ? link.textContent.trim() : 'this page';"
    " s.setAttribute('aria-label', 'Sections of ' + chapter);"
    " } });"
    " document.querySelectorAll('.citation-list > .citation').forEach(function (c) {"
    " c.setAttribute('role', 'listitem'); });"
    " document.querySelectorAll('.widget-slider').forEach(function (w) {"
    " var label = w.querySelector('.widget-label'); var name = label && label.textContent.trim();"
    " w.querySelectorAll('[role=slider]').forEach(function (h) {"
    " if (!h.getAttribute('aria-label')) { h.setAttribute('aria-label', name || 'Slider'); } });"
    " }); }"
    " var queued = false; function schedule() { if (!queued) { queued = true;"
    " requestAnimationFrame(function () { queued = false; repair(); }); } }"
    " document.addEventListener('DOMContentLoaded', function () { repair();"
    " new MutationObserver(schedule).observe(document.body, {childList: true, subtree: true});"
    " }); })();"
)


VEGA_SCRIPTS = ["vega.min.js", "vega-lite.min.js", "vega-embed.min.js"]
HIDE_DEFINE = "window.__rmlkitDefine = window.define; window.define = undefined;"
RESTORE_DEFINE = "window.define = window.__rmlkitDefine; delete window.__rmlkitDefine;"

EXPLORERS = (
    "(function () {"
    " var css = '@media screen { .rmlkit-explorer--live .rmlkit-explorer-static"
    " { display: none; } }"
    " @media print { .rmlkit-explorer--live .rmlkit-explorer-chart,"
    " .rmlkit-explorer--live .rmlkit-explorer-controls { display: none; } }"
    " .rmlkit-explorer .vega-bind { margin: 0.25em 0; }"
    " .rmlkit-explorer .vega-bind-name { display: inline-block; min-width: 24em; }"
    " .rmlkit-explorer-status { font-size: 0.95em; }';"
    " function draw(box) {"
    " var spec = JSON.parse(box.querySelector('.rmlkit-explorer-spec').textContent);"
    " var status = box.querySelector('.rmlkit-explorer-status');"
    " return vegaEmbed(box.querySelector('.rmlkit-explorer-chart'), spec,"
    " {renderer: 'svg', actions: false, bind: box.querySelector('.rmlkit-explorer-controls')})"
    ".then(function (result) {"
    " var view = result.view; box.rmlkitView = view;"
    " function describe() { status.textContent = view.signal('description'); }"
    " view.addSignalListener('description', describe); describe();"
    " box.classList.add('rmlkit-explorer--live'); box.dataset.ready = 'true';"
    " }).catch(function (error) { console.error('rmlkit explorer: ' + error); }); }"
    " document.addEventListener('DOMContentLoaded', function () {"
    " var style = document.createElement('style'); style.textContent = css;"
    " document.head.appendChild(style);"
    " document.querySelectorAll('.rmlkit-explorer').forEach(draw); }); })();"
)


def _add_explorer_scripts(app, pagename, templatename, context, doctree):
    """On pages with an explorer: vega, vega-lite and vega-embed from vendor/, then the
    script that draws the explorers (Sphinx adds a file given here to this page only)."""
    if "rmlkit-explorer-spec" not in context.get("body", ""):
        return
    app.add_js_file(None, body=HIDE_DEFINE, priority=600)
    for name in VEGA_SCRIPTS:  # relative to _static/, as for the book's other vendor files
        app.add_js_file(f"../vendor/{name}", priority=601)
    app.add_js_file(None, body=RESTORE_DEFINE, priority=602)
    app.add_js_file(None, body=EXPLORERS, priority=603)


def _dedupe_scripts(app, pagename, templatename, context, doctree):
    scripts = context.get("script_files")
    if not scripts:
        return
    seen, unique = set(), []
    for script in scripts:
        filename = getattr(script, "filename", script) or ""  # None and "" both mean inline
        attributes = getattr(script, "attributes", {})
        key = (str(filename), attributes.get("body", ""), attributes.get("type", ""))
        if key not in seen:
            seen.add(key)
            unique.append(script)
    scripts[:] = unique  # in place: later handlers may still add page scripts to this list


def setup(app):
    # Kernels started by the build inherit this: the lessons' explorers are declarative.
    os.environ.setdefault(MODE_VARIABLE, "declarative")
    # Before require.js (priority 500), which reads a global `require` as its configuration.
    app.add_js_file(None, body=REQUIRE_CONFIG, priority=200)
    # After Sphinx's `window.MathJax = {...}` configuration (priority 500).
    app.add_js_file(None, body=MATHJAX2_SHIM, priority=510)
    app.add_js_file(None, body=A11Y_REPAIRS, priority=900)
    # Early: Sphinx stops calling html-page-context handlers at the first that returns a
    # template name, so a late handler may never run.
    app.connect("html-page-context", _add_explorer_scripts, priority=90)
    app.connect("html-page-context", _dedupe_scripts, priority=100)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
