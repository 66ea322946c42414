"""A graded student's kernel, as the hub starts it, can reach no answer.

The students' image is the kit with ``deploy/student_edition.sh`` applied (see
``deploy/Dockerfile``), installed editable, and the hub starts students' servers, and so
their kernels, with ``RMLKIT_GRADED=1``. This test builds the same thing on a temporary
copy: the kit's ``src/`` and ``exercises/`` with the same script applied, a fresh
virtual environment whose only ``rmlkit`` is that copy (an editable install's ``.pth``
file, as ``pip install -e`` writes; the other packages come from the kit's ``.venv``),
and a Jupyter kernel of that environment started with ``RMLKIT_GRADED=1``.

In that kernel it imports every exercise, tries what a curious student would (the
refused ``solution()`` and ``reveal()``, switching graded mode off, importing the
answers) and collects every string reachable from the question objects: their
``vars()``, the closures, code constants and ``__wrapped__`` of their functions, and
``gc.get_referents`` of all of these, recursively within rmlkit. No solution line, model
answer sentence or line of expected-value code may be among them, nor in any file of
the student edition. Students see the hints and their notebook anyway, so lines those
quote are not counted as secrets.
"""

from __future__ import annotations

import importlib
import inspect
import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
from exercise_bank import assignments
from test_exercise_answers import module_name, public_text, questions

from rmlkit import check
from rmlkit.check import Answer

from conftest import ROOT

pytestmark = pytest.mark.slow

MODULES = [module_name(a) for a in assignments()]

PROBE = r'''
import gc, importlib, importlib.util, json, os, sys, types
import rmlkit, rmlkit.check
report = {"rmlkit": rmlkit.__file__, "graded": rmlkit.check.graded_mode(),
          "answers_spec": None, "import_answers": None, "said": "", "strings": []}
modules = {n: importlib.import_module("rmlkit.exercises." + n) for n in MODULES}
from IPython.utils.capture import capture_output
with capture_output() as said:  # what check.py displays, as a notebook would show it
    for module in modules.values():
        for name in module.__all__:
            q = getattr(module, name)
            if hasattr(q, "solution"):
                q.solution()
            if hasattr(q, "reveal"):
                q.reveal(" ".join(["word"] * 200))
    os.environ["RMLKIT_GRADED"] = "0"  # a student switching graded mode off
    for module in modules.values():
        for name in module.__all__:
            q = getattr(module, name)
            if hasattr(q, "solution"):
                q.solution()
                try:
                    q.check(0.5)
                except AssertionError:
                    pass
            if hasattr(q, "reveal"):
                q.reveal(" ".join(["word"] * 200))
    os.environ["RMLKIT_GRADED"] = "1"
report["said"] = said.stdout + "\n".join(o.data.get("text/plain", "") for o in said.outputs)
report["answers_spec"] = str(importlib.util.find_spec("rmlkit.exercises._answers"))
try:
    importlib.import_module("rmlkit.exercises._answers")
    report["import_answers"] = "imported"
except ImportError as error:
    report["import_answers"] = type(error).__name__
report["answer_modules_loaded"] = sorted(m for m in sys.modules if "_answers" in m)

seen, strings = set(), []
def inside_rmlkit(obj):
    module = getattr(obj, "__module__", None) or getattr(type(obj), "__module__", "")
    return isinstance(module, str) and module.startswith("rmlkit")
def walk(obj, depth=0):
    if id(obj) in seen or depth > 12:
        return
    seen.add(id(obj))
    if isinstance(obj, str):
        strings.append(obj)
        return
    if isinstance(obj, (bytes, int, float, complex, bool, type(None))):
        return
    if isinstance(obj, types.ModuleType):
        if not obj.__name__.startswith("rmlkit"):
            return
    elif isinstance(obj, type):
        if not obj.__module__.startswith("rmlkit"):
            return
    elif not isinstance(obj, (types.FunctionType, types.MethodType, types.CodeType,
                              types.CellType, tuple, list, dict, set, frozenset,
                              staticmethod, classmethod, property)) and not inside_rmlkit(obj):
        return
    for attr in ("__wrapped__", "__closure__", "__code__", "__defaults__", "__kwdefaults__"):
        if hasattr(obj, attr) and not isinstance(obj, type):
            walk(getattr(obj, attr), depth + 1)
    if hasattr(obj, "__dict__"):
        walk(vars(obj), depth + 1)
    if isinstance(obj, types.CodeType):
        for const in obj.co_consts:
            walk(const, depth + 1)
    for ref in gc.get_referents(obj):
        walk(ref, depth + 1)
for module in modules.values():
    for name in module.__all__:
        walk(getattr(module, name))
    walk(module)
walk(rmlkit.check)
report["strings"] = strings
print("REPORT" + json.dumps(report))
'''


LIBRARY = "\n".join(p.read_text() for p in (ROOT / "src" / "rmlkit").rglob("*.py")
                    if "exercises" not in p.relative_to(ROOT / "src" / "rmlkit").parts)


def secrets() -> dict[str, list[str]]:
    """{where: distinctive lines} of every solution, model answer and expected-value code.

    Not counted: lines students see anyway (hints, their notebook), lines of the rest of
    the library (a call such as ``MetricFrame(`` is the library's own code), module
    boilerplate (``__all__``) and constants that name columns.
    """
    found = {}
    for assignment in assignments():
        public = public_text(assignment) + LIBRARY
        answers = importlib.import_module(f"rmlkit.exercises._answers.{module_name(assignment)}")
        for name, question in questions(assignment).items():
            stored = check._load(question._answer, None)
            if isinstance(stored, Answer):
                lines = [line.strip() for line in stored.solution.splitlines()]
                lines = [line for line in lines if len(line) >= 20
                         and not line.startswith("def ") and line not in public]
            else:
                lines = [s.strip() for s in re.split(r"(?<=[.:;])\s+", stored)
                         if len(s.strip()) >= 40]
            found[f"{assignment} {name}"] = lines
        code = [line.strip() for line in inspect.getsource(answers).splitlines()]
        found[f"{assignment} expected values"] = [
            line for line in code if len(line) >= 30 and not line.startswith(
                ("from ", "import ", "#", '"', "'", "def ", "__all__", "q", "w"))
            and not re.match(r"[A-Z_]+ = ", line) and line not in public]
    return found


@pytest.fixture(scope="module")
def student_edition(tmp_path_factory):
    """A copy of the kit made the students' edition by deploy/student_edition.sh."""
    kit = tmp_path_factory.mktemp("opt") / "rml-course"
    for part in ["src", "exercises", "deploy"]:
        shutil.copytree(ROOT / part, kit / part,
                        ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    subprocess.run(["sh", str(ROOT / "deploy" / "student_edition.sh"), str(kit)], check=True)
    return kit


@pytest.fixture(scope="module")
def report(student_edition, tmp_path_factory):
    """Run the probe in a kernel of an environment holding only the student edition."""
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import KernelManager

    env_dir = tmp_path_factory.mktemp("venv") / "student"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(env_dir)], check=True)
    python = env_dir / "bin" / "python"
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()"
                           "['purelib'])"], check=True, capture_output=True, text=True)
    site = Path(site.stdout.strip())
    # The packages rmlkit needs (a path, not a site dir: its .pth files, among them the
    # kit's own editable rmlkit, are not read), then rmlkit as `pip install -e` puts it.
    (site / "kit-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    (site / "__editable__.rmlkit-0.1.0.pth").write_text(f"{student_edition / 'src'}\n")
    kernels = tmp_path_factory.mktemp("kernels")
    (kernels / "student").mkdir()
    (kernels / "student" / "kernel.json").write_text(json.dumps({
        "argv": [str(python), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "student", "language": "python"}))
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env.update(RMLKIT_GRADED="1", MPLBACKEND="Agg")  # as the hub's spawner sets it
    km = KernelManager(kernel_spec_manager=KernelSpecManager(kernel_dirs=[str(kernels)]),
                       kernel_name="student")
    km.start_kernel(env=env, cwd=str(tmp_path_factory.mktemp("home")))
    out = []
    try:
        client = km.client()
        client.start_channels()
        client.wait_for_ready(timeout=120)
        code = f"MODULES = {MODULES!r}\n" + PROBE
        reply = client.execute_interactive(
            code, timeout=300,
            output_hook=lambda m: out.append(m["content"].get("text", ""))
            if m["msg_type"] == "stream" else None)
        assert reply["content"]["status"] == "ok", reply["content"]
        client.stop_channels()
    finally:
        km.shutdown_kernel(now=True)
    text = "".join(out)
    return json.loads(text[text.index("REPORT") + len("REPORT"):])


def test_the_kernel_is_a_graded_students_kernel(report, student_edition):
    assert report["graded"] is True
    assert report["rmlkit"].startswith(str(student_edition / "src"))


def test_the_answers_are_not_installed_and_not_importable(report, student_edition):
    assert not (student_edition / "src" / "rmlkit" / "exercises" / "_answers").exists()
    assert not (student_edition / "exercises" / "source").exists()
    assert report["answers_spec"] == "None"
    assert report["import_answers"] == "ModuleNotFoundError"
    assert report["answer_modules_loaded"] == []


def test_solutions_are_refused_and_switching_graded_mode_off_finds_none(report):
    said = report["said"]
    assert said.count("Solutions are switched off because this is graded work") >= 30
    assert "no stored solution" in said and "No model answer" in said
    assert "Correct:" not in said and "Solution:" not in said


def test_no_answer_text_is_reachable_from_the_question_objects(report):
    reachable = "\n".join(report["strings"])
    assert len(report["strings"]) > 500  # the walk did reach the questions' contents
    assert "Only screened-in referrals count here" in reachable  # a hint: public
    leaks = {where: [line for line in lines if line in reachable]
             for where, lines in secrets().items()}
    assert not any(leaks.values()), {k: v for k, v in leaks.items() if v}
    assert report["said"] and not any(
        line in report["said"] for lines in secrets().values() for line in lines)


def test_no_answer_text_is_in_the_files_of_the_student_edition(student_edition):
    texts = []
    for path in student_edition.rglob("*"):
        if path.is_file():
            try:
                texts.append(path.read_text())
            except UnicodeDecodeError:
                continue
    everything = "\n".join(texts)
    found = secrets()
    assert sum(len(lines) for lines in found.values()) > 150  # there is something to find
    leaks = {where: [line for line in lines if line in everything]
             for where, lines in found.items()}
    assert not any(leaks.values()), {k: v for k, v in leaks.items() if v}
