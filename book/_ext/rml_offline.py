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
- Each script is included once per page. (Jupyter Book 1 registers sphinx-thebe's
  configuration script twice, which throws "THEBE_JS_URL has already been declared".)
"""

from __future__ import annotations

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
    # Before require.js (priority 500), which reads a global `require` as its configuration.
    app.add_js_file(None, body=REQUIRE_CONFIG, priority=200)
    # After Sphinx's `window.MathJax = {...}` configuration (priority 500).
    app.add_js_file(None, body=MATHJAX2_SHIM, priority=510)
    app.add_js_file(None, body=A11Y_REPAIRS, priority=900)
    # Early: Sphinx stops calling html-page-context handlers at the first that returns a
    # template name, so a late handler may never run.
    app.connect("html-page-context", _dedupe_scripts, priority=100)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
