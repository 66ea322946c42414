"""What makes feedback safe, on small inputs: no hidden-test output, leaks found, no scripts.

The whole cycle (real kernels, nbgrader, Chromium) is in test_hostile_submissions.py;
these pin down the pieces of :mod:`rmlkit.grading` it relies on.
"""

from __future__ import annotations

import base64
import codecs
import json
import urllib.parse

import pytest
from nbformat.v4 import new_code_cell, new_notebook, new_output

from rmlkit.grading import (
    HIDDEN_NOTE,
    HideHiddenTestOutput,
    leaked_secrets,
    nbgrader_failure,
    sanitize_page,
)

HIDDEN = "_expected = secret_answer(data)\nassert total == _expected, 'total is not the sum'"
SECRETS = ["_expected = secret_answer(data)", "assert total == _expected, 'total is not the sum'"]


def _meta(grade_id, **flags):
    return {"nbgrader": {"grade_id": grade_id, "grade": False, "locked": False,
                         "solution": False, "schema_version": 3, "task": False, **flags}}


def _graded(outputs):
    helper = new_code_cell("def check(v):\n    assert v > 0, f'{v} is not positive'",
                           metadata=_meta("helpers", locked=True))
    test = new_code_cell(f"check(total)\n### BEGIN HIDDEN TESTS\n{HIDDEN}\n"
                         "### END HIDDEN TESTS", metadata=_meta("t", grade=True, locked=True,
                                                                points=1))
    test.outputs = outputs
    return new_notebook(cells=[helper, test])


def _error(ename, evalue):
    return new_output("error", ename=ename, evalue=evalue,
                      traceback=[f"{ename}: {evalue}", "  File cell, line 3", HIDDEN])


def _kept(outputs):
    nb, _ = HideHiddenTestOutput()(_graded(outputs), {})
    return nb.cells[1].outputs


def test_a_hidden_test_cell_keeps_only_its_own_message():
    outputs = _kept([new_output("stream", name="stdout", text=HIDDEN),
                     new_output("display_data", data={"text/plain": HIDDEN}),
                     _error("AssertionError", "total is not the sum")])
    assert [o.output_type for o in outputs] == ["stream", "error"]
    assert outputs[0].text.strip() == HIDDEN_NOTE
    assert outputs[1].traceback == ["AssertionError: total is not the sum"]
    assert "secret_answer" not in json.dumps(outputs)  # (ClearHiddenTests does the source)


@pytest.mark.parametrize("ename,evalue,kept", [
    ("AssertionError", "-3 is not positive", True),  # the helper's f-string message
    ("AssertionError", "c2VjcmV0X2Fuc3dlcg== is not positive", True),  # then the page check
    ("AssertionError", "anything a student raises", False),
    ("ValueError", "a message from student code", False),
    ("NameError", "name 'total' is not defined", True),  # the student can see `total`
    ("NameError", "name '_expected' is not defined", False),  # a hidden name
])
def test_only_the_instructors_messages_are_kept(ename, evalue, kept):
    [error] = _kept([_error(ename, evalue)])
    assert (error.evalue == evalue) is kept
    assert error.ename == ename


def _page(text):
    return f"<html><head><title>t</title></head><body><pre>{text}</pre></body></html>"


@pytest.mark.parametrize("encode", [
    lambda s: s,
    lambda s: base64.b64encode(s.encode()).decode(),
    lambda s: "x" + base64.b64encode(s.encode()).decode(),  # not aligned on the run
    lambda s: base64.urlsafe_b64encode(s.encode()).decode(),
    lambda s: s.encode().hex(),
    lambda s: s[::-1],
    lambda s: codecs.encode(s, "rot13"),
    lambda s: urllib.parse.quote(s),
    lambda s: s.encode("unicode_escape").decode().replace("\n", "\\n"),
], ids=["plain", "base64", "base64-offset", "urlsafe", "hex", "reversed", "rot13", "url",
        "escaped"])
def test_leaks_are_found_as_written_or_encoded(encode):
    text = f"### BEGIN HIDDEN TESTS\n{HIDDEN}\n"
    assert leaked_secrets(_page("before " + encode(text) + " after"), SECRETS)


def test_a_page_without_hidden_code_is_not_flagged():
    page = _page("total = 12\n" + base64.b64encode(b"an honest image, really").decode())
    assert leaked_secrets(page, SECRETS) == []


def test_sanitized_pages_keep_text_and_lose_every_way_to_run_code():
    body = ("<p>Score <b>3</b></p><script>alert(1)</script><img src=x onerror=alert(2)>"
            "<a href='javascript:alert(3)'>link</a><iframe src=x></iframe>"
            "<object data=x></object><embed src=x><form action=x><input></form>"
            "<img src='data:image/png;base64,iVBORw0KGgo=' alt='a plot'>")
    page = ("<!DOCTYPE html><html><head><meta charset='utf-8'><title>first-audit</title>"
            "<script src='https://cdn.example/mathjax.js'></script><style>p{color:red}</style>"
            f"</head><body>{body}</body></html>")
    clean = sanitize_page(page)
    for gone in ["<script", "onerror", "javascript:", "<iframe", "<object", "<embed",
                 "<form", "cdn.example"]:
        assert gone not in clean, gone
    assert "Score <b>3</b>" in clean and "p{color:red}" in clean and "link</a>" in clean
    assert "src=\"data:image/png;base64,iVBORw0KGgo=\"" in clean
    assert clean.index('http-equiv="Content-Security-Policy"') < clean.index("<title>")
    assert "script-src 'none'" in clean and "default-src 'none'" in clean


def test_an_nbgrader_failure_becomes_one_line_with_its_root_cause():
    log = ("[GenerateAssignmentApp | ERROR] There was an error processing assignment\n"
           "    Traceback (most recent call last):\n"
           "    FileNotFoundError: [Errno 2] No such file or directory: 'alembic'\n"
           "[GenerateAssignmentApp | ERROR] Please see the the above traceback for details\n")
    error = ("Traceback (most recent call last):\nnbgrader.converters.base.NbGraderException: "
             "Please see the the above traceback for details on the specific errors.")
    line = nbgrader_failure({"log": log, "error": error}, "could not generate 'a'")
    assert "\n" not in line
    assert line.startswith("nbgrader could not generate 'a': FileNotFoundError: ")
    assert "'alembic'" in line and "above traceback" not in line
    assert "run rmlkit from its environment" in line
