"""Every public function of rmlkit answers bad input with a clear error.

The functions are found by walking the package (every module's ``__all__``), so a new
public function is covered as soon as it is exported. Each is called with valid input
built from its signature (by parameter name: ``y_true``, ``scores``, ``threshold``, ...)
and then, one argument at a time, with bad input of the kind that argument takes: the
wrong type, NaN, empty, the wrong length, numbers out of range, unknown names. Every
call must either work or raise a clear error (``ValueError`` or ``TypeError``, see
``CLEAR_ERRORS``) that

- names the argument it is about,
- is raised by rmlkit itself, not by pandas, numpy, scikit-learn or another library
  underneath (the innermost frame of its traceback is in ``src/rmlkit``),
- comes within a few seconds (each call runs under an alarm).

Functions that need something built first (a ``Dataset``, an ``AuditResult``, a course
folder) are set up in ``SETUP``, each with the reason; functions the walker does not
call are in ``NOT_WALKED``, each with the reason. A public function that is in neither
and whose arguments the walker cannot fill from their names fails
``test_every_public_function_is_walked_or_listed``.
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import math
import pkgutil
import signal
import traceback
import uuid
import warnings
from collections.abc import Callable
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402

import rmlkit  # noqa: E402
from rmlkit.course import CourseError  # noqa: E402

SRC = Path(rmlkit.__file__).resolve().parent
N = 40  # rows of every generated input: small, so that a call takes milliseconds
CALL_SECONDS = 20  # a call that takes longer than this counts as hanging

#: The errors a learner can read: the message says what was wrong and what to do.
#: CourseError is rmlkit.course's documented error for a bad course folder or argument.
#: FileNotFoundError, raised by rmlkit itself, for a path that does not exist.
CLEAR_ERRORS = (ValueError, TypeError, FileNotFoundError, CourseError)


# --------------------------------------------------------------------------------------
# The public functions


def public_functions() -> dict[str, Callable]:
    """Every function in a public module's ``__all__``, once, by where it is defined."""
    found = {}
    for info in pkgutil.walk_packages(rmlkit.__path__, "rmlkit."):
        if any(part.startswith("_") for part in info.name.split(".")):
            continue  # private; what it offers learners, a public module re-exports
        module = importlib.import_module(info.name)
        for name in getattr(module, "__all__", ()):
            obj = getattr(module, name)
            if inspect.isfunction(obj):
                found[f"{obj.__module__}.{obj.__qualname__}"] = obj
    return dict(sorted(found.items()))


PUBLIC = public_functions()


# --------------------------------------------------------------------------------------
# Valid input, by parameter name


def labels(n=N):
    return np.tile([0, 1, 1, 0], n // 4)


def groups(n=N):
    return np.repeat(["A", "B"], n // 2)


def scores(n=N):
    return np.linspace(0.02, 0.98, n)


def features(n=N):
    rng = np.random.default_rng(0)
    return pd.DataFrame({"x1": rng.normal(size=n), "x2": rng.normal(size=n)})


#: The kind of each parameter, by its name. The kind says which valid value the walker
#: passes and which bad values it tries.
KINDS = {
    **dict.fromkeys(["y_true", "y", "y_pred", "y_train", "y_test", "true_outcome",
                     "true_outcome_test"], "labels"),
    "scores": "scores",
    **dict.fromkeys(["sensitive_features", "groups", "sensitive_train", "sensitive_test"],
                    "groups"),
    "clusters": "clusters",
    **dict.fromkeys(["threshold", "precision", "false_negative_rate", "flag_rate",
                     "deference", "base_rate_a", "base_rate_b", "flag_share", "confidence"],
                    "probability"),
    "thresholds": "thresholds",
    **dict.fromkeys(["capacity", "n_bootstrap", "min_group_size", "n_referrals",
                     "n_patients", "n_students", "n_households", "n_years", "years",
                     "policy_shock_year", "workers"], "count"),
    **dict.fromkeys(["cost_false_negative", "cost_false_positive"], "cost"),
    "random_state": "random_state",
    **dict.fromkeys(["scenario", "policy", "disparity", "fmt", "metric_name", "reference"],
                    "name"),
    **dict.fromkeys(["metrics", "methods"], "names"),
    **dict.fromkeys(["X_train", "X_test"], "features"),
    "base_rates": "base_rates",
    **dict.fromkeys(["model_name", "intended_use"], "text"),
    **dict.fromkeys(["course", "course_root", "root"], "course"),
    **dict.fromkeys(["data_dir", "source", "exercises"], "path"),
    # Where a function writes: a folder that does not exist yet is made, so only the type.
    **dict.fromkeys(["directory", "folder", "to", "destination"], "output"),
    "assignment": "assignment",
    "limits": "limits",
    "per_group": "flag",
}

#: Valid values of the kinds that need no set-up (the others come from SETUP).
VALID = {
    "labels": labels,
    "scores": scores,
    "groups": groups,
    "clusters": lambda: np.arange(N) // 2,
    "probability": lambda: 0.5,
    "thresholds": lambda: [0.25, 0.5, 0.75],
    "count": lambda: 5,
    "cost": lambda: 1.0,
    "random_state": lambda: 0,
    "features": features,
    "base_rates": lambda: {"A": 0.2, "B": 0.35},
    "text": lambda: "a risk model",
    "flag": lambda: False,
}

#: Bad values of each kind, with what each is (the test's failure messages say it).
BAD = {
    "labels": {
        "NaN in it": lambda: np.where(np.arange(N) == 3, np.nan, labels()),
        "words": lambda: np.where(labels() == 1, "yes", "no"),
        "not 0/1": lambda: labels() * 2,
        "empty": lambda: np.array([]),
        "too short": lambda: labels()[:-4],
        "a number": lambda: 1,
        "a table of two columns": lambda: np.column_stack([labels(), labels()]),
    },
    "scores": {
        "NaN in it": lambda: np.where(np.arange(N) == 3, np.nan, scores()),
        "above 1": lambda: scores() * 50,
        "words": lambda: np.array(["high"] * N),
        "empty": lambda: np.array([]),
        "too short": lambda: scores()[:-4],
        "two columns (predict_proba)": lambda: np.column_stack([1 - scores(), scores()]),
        "a number": lambda: 0.5,
    },
    "groups": {
        "too short": lambda: groups()[:-4],
        "empty": lambda: np.array([], dtype=str),
        "one group only": lambda: np.array(["A"] * N),
        "a number": lambda: 1,
    },
    "clusters": {"too short": lambda: (np.arange(N) // 2)[:-4]},
    "probability": {
        "negative": lambda: -0.1,
        "above 1": lambda: 1.5,
        "NaN": lambda: math.nan,
        "a word": lambda: "half",
        "a percentage": lambda: 40,
    },
    "thresholds": {
        "empty": lambda: [],
        "above 1": lambda: [0.5, 1.5],
        "NaN in it": lambda: [0.5, math.nan],
        "words": lambda: ["low", "high"],
        "a number": lambda: 0.5,
    },
    "count": {
        "negative": lambda: -1,
        "fractional": lambda: 2.5,
        "a word": lambda: "5",
        "NaN": lambda: math.nan,
        "huge": lambda: 10**12,
        "True": lambda: True,
    },
    "cost": {
        "negative": lambda: -1.0,
        "NaN": lambda: math.nan,
        "infinite": lambda: math.inf,
        "a word": lambda: "ten",
    },
    "random_state": {"negative": lambda: -1, "a word": lambda: "seed", "fractional": lambda: 1.5},
    "name": {"unknown": lambda: "no such name", "a number": lambda: 7},
    "names": {"unknown": lambda: ["no such name"], "a number": lambda: 7},
    "features": {
        "too short": lambda: features().iloc[:-4],
        "NaN in it": lambda: features().mask(features() > 1),
        "words": lambda: features().astype(str).radd("v"),
        "empty": lambda: features().iloc[:0],
    },
    "base_rates": {
        "empty": lambda: {},
        "above 1": lambda: {"A": 0.2, "B": 1.5},
        "a word": lambda: {"A": 0.2, "B": "high"},
        "a list": lambda: [0.2, 0.35],
    },
    "text": {"a number": lambda: 7},
    "path": {"a number": lambda: 12345, "missing": lambda: MISSING[0] / "missing" / "here"},
    "output": {"a number": lambda: 12345},
    "course": {"a number": lambda: 12345, "missing": lambda: MISSING[0] / "missing" / "here"},
    "assignment": {"a number": lambda: 7, "unknown": lambda: "no-such-assignment"},
    "limits": {"a word": lambda: "strict"},
    "dataset": {"a DataFrame": lambda: features(), "a number": lambda: 7},
    "frame": {"a number": lambda: 7, "a list": lambda: [1, 2, 3]},
    "values": {
        "empty": lambda: pd.Series(dtype=float),
        "a number": lambda: 0.5,
        "NaN only": lambda: pd.Series({"A": math.nan, "B": math.nan}),
        "words": lambda: pd.Series({"A": "low", "B": "high"}),
    },
    "curve": {"empty": lambda: pd.DataFrame(), "a number": lambda: 7},
    "result": {"a DataFrame": lambda: features(), "a number": lambda: 7},
    "grades": {"a number": lambda: 7, "empty": lambda: pd.DataFrame()},
    "notebook": {"a number": lambda: 7, "a word": lambda: "notebook.ipynb"},
    "config": {"a number": lambda: 7},
    "flag": {"a word": lambda: "yes"},
    "assignment names": {"a number": lambda: 7, "a word": lambda: "first-audit",
                         "unknown": lambda: ["no-such-assignment"], "numbers": lambda: [1]},
    "students": {"a number": lambda: 7, "a word": lambda: "ada", "numbers": lambda: [1, 2]},
    "folders": {"a number": lambda: 7, "a word": lambda: "/tmp", "numbers": lambda: [1, 2]},
    "notebook paths": {"a number": lambda: 7, "a word": lambda: "notebook.ipynb",
                       "missing": lambda: [MISSING[0] / "missing.ipynb"],
                       "numbers": lambda: [1, 2]},
    "lines": {"a number": lambda: 7, "a word": lambda: "assert x == 2",
              "numbers": lambda: [1, 2]},
    "nbgrader result": {"a number": lambda: 7, "a list": lambda: ["error"],
                        "a number as its log": lambda: {"success": False, "log": 7}},
    "totals": {"a number": lambda: 7, "a list": lambda: [3.0],
               "a word as points": lambda: {("ada", "first-audit"): "three"},
               "NaN points": lambda: {("ada", "first-audit"): math.nan},
               "a student id alone as key": lambda: {"ada": 3.0}},
    "roster": {"a number": lambda: 7, "a list of ids": lambda: ["ada"],
               "a file name": lambda: "roster.csv"},
    "maxima": {"a number": lambda: 7, "a list": lambda: ["first-audit"],
               "a negative maximum": lambda: {"first-audit": -5.0},
               "a word as maximum": lambda: {"first-audit": "five"}},
    "column names": {"a number": lambda: 7, "a list": lambda: ["First audit (1234)"],
                     "a number as header": lambda: {"first-audit": 7}},
    "mechanisms": {"unknown mechanism": lambda: {"no_such_mechanism": 1.0},
                   "negative strength": lambda: {"__known__": -1.0},
                   "a word as strength": lambda: {"__known__": "strong"}},
}


# --------------------------------------------------------------------------------------
# Functions that need set-up, and functions the walker does not call


@dataclasses.dataclass
class Setup:
    """How to call one function: why it needs set-up, its valid arguments, its kinds."""

    why: str
    valid: Callable[[Path], dict]  # tmp folder -> the valid arguments
    kinds: dict = dataclasses.field(default_factory=dict)  # kinds beyond KINDS
    valid_call: bool = True  # False: only bad calls (a valid one is slow or writes files)
    mechanisms: tuple = ()  # known mechanism names, for **mechanisms


def _cw(tmp):
    from rmlkit.datasets import make_child_welfare
    return make_child_welfare(300, random_state=0)


def _cw_large(tmp):
    from rmlkit.datasets import make_child_welfare
    return make_child_welfare(3000, random_state=0)


def _by_deference():
    return pd.DataFrame(
        {"screen-in disparity, Black vs White (%)": [11.0, 20.0, 30.0, 43.0, 59.0],
         "screen-in rate": [0.5] * 5, "FPR": [0.4] * 5,
         "precision": [0.30, 0.31, 0.33, 0.35, 0.40]},
        index=pd.Index([0.0, 0.25, 0.5, 0.75, 1.0], name="deference"))


def _care_needs_snapshot():
    from rmlkit.datasets import load_care_needs
    return load_care_needs()


def _audit_result(tmp):
    from rmlkit.audit import audit
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return audit(labels(), y_pred=(scores() > 0.5).astype(int), scores=scores(),
                     sensitive_features=groups())


def _course(tmp):
    from rmlkit.course import init_course
    root = tmp / "course"
    return root if (root / "nbgrader_config.py").exists() else init_course(root)


def _notebook(tmp):
    import nbformat
    return nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1 + 1")])


def _folder(path):
    path.mkdir(parents=True, exist_ok=True)
    return path


SOURCE_NOTEBOOK = Path(__file__).resolve().parents[1] / "exercises" / "source" / \
    "first-audit" / "first-audit.ipynb"


def _autograded_course(tmp):
    """A course whose student ada has an autograded copy of first-audit."""
    root = _course(tmp)
    graded = _folder(root / "autograded" / "ada" / "first-audit") / SOURCE_NOTEBOOK.name
    graded.write_bytes(SOURCE_NOTEBOOK.read_bytes())
    return root


_GRADEBOOK: list[bytes] = []  # made once: nbgrader's migrations take seconds


def _course_with_gradebook(tmp):
    from nbgrader.api import Gradebook

    root = _course(tmp)
    if not _GRADEBOOK:
        with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
            gb.update_or_create_assignment("first-audit")
        _GRADEBOOK.append((root / "gradebook.db").read_bytes())
    (root / "gradebook.db").write_bytes(_GRADEBOOK[0])
    return root


def _roster():
    from rmlkit.lms import Roster, Student
    return Roster([Student("ada", "Ada Lovelace", "ada@example.org", "1001")])


def _mechanisms(module, name):
    return tuple(getattr(importlib.import_module(module), name)["mechanisms"])


SETUP = {
    "rmlkit.audit.describe_by_group": Setup(
        "takes a metric's values by group (a Series, as AuditResult.table gives them)",
        lambda tmp: dict(values=pd.Series({"A": 0.2, "B": 0.3}), metric_name="FPR"),
        kinds={"values": "values"}),
    "rmlkit.audit.plot_by_group": Setup(
        "takes a metric's values by group (a Series, as AuditResult.table gives them)",
        lambda tmp: dict(values=pd.Series({"A": 0.2, "B": 0.3}), metric_name="FPR"),
        kinds={"values": "values", "metric_name": "text"}),
    "rmlkit.report.model_card": Setup(
        "takes an AuditResult, which only audit() makes",
        lambda tmp: dict(result=_audit_result(tmp), model_name="m", intended_use="u"),
        kinds={"result": "result"}),
    "rmlkit.mitigation.plot_frontier": Setup(
        "takes the curve that frontier() returns",
        lambda tmp: dict(curve=__import__("rmlkit.mitigation").mitigation.frontier(
            labels(), scores(), sensitive_features=groups())),
        kinds={"curve": "curve"}),
    "rmlkit.mitigation.compare_mitigations": Setup(
        "fits models: only the two quick methods, on two features",
        lambda tmp: dict(X_train=features(), y_train=labels(), X_test=features(),
                         y_test=labels(), sensitive_train=groups(), sensitive_test=groups(),
                         methods=["none", "reweighing"])),
    "rmlkit.tradeoffs.plot_rates_by_group": Setup(
        "one threshold for every group (a dict of group -> threshold also works)",
        lambda tmp: dict(y_true=labels(), scores=scores(), sensitive_features=groups(),
                         thresholds=0.5),
        kinds={"thresholds": "probability"}),
    "rmlkit.datasets.child_welfare.calibration_table": Setup(
        "takes a child-welfare Dataset", lambda tmp: dict(data=_cw(tmp)),
        kinds={"data": "dataset", "scenario": "name"}),
    "rmlkit.datasets.child_welfare.make_child_welfare": Setup(
        "a small data set (300 referrals), and the generator's bias mechanisms",
        lambda tmp: dict(n_referrals=300, random_state=0),
        mechanisms=tuple(__import__("rmlkit.datasets").datasets.MECHANISMS)),
    "rmlkit.datasets.care_needs.make_care_needs": Setup(
        "a small data set (300 patients), and the generator's bias mechanisms",
        lambda tmp: dict(n_patients=300, random_state=0),
        mechanisms=_mechanisms("rmlkit.datasets.care_needs", "CARE_NEEDS_DEFAULTS")),
    "rmlkit.datasets.dropout.make_dropout": Setup(
        "a small data set (300 students), and the generator's bias mechanisms",
        lambda tmp: dict(n_students=300, random_state=0),
        mechanisms=_mechanisms("rmlkit.datasets.dropout", "DROPOUT_DEFAULTS")),
    "rmlkit.datasets.care_needs.care_needs_findings": Setup(
        "takes a care-needs Dataset (the snapshot: see test_care_needs_findings_on_new_data)",
        lambda tmp: dict(data=_care_needs_snapshot()),
        kinds={"data": "dataset"}),
    "rmlkit.datasets.care_needs.care_needs_table": Setup(
        "takes a care-needs Dataset (the snapshot: see test_care_needs_findings_on_new_data)",
        lambda tmp: dict(data=_care_needs_snapshot()),
        kinds={"data": "dataset"}),
    "rmlkit.datasets.dropout.dropout_findings": Setup(
        "takes a dropout Dataset",
        lambda tmp: dict(data=__import__("rmlkit.datasets").datasets.make_dropout(
            2000, random_state=0)),
        kinds={"data": "dataset"}),
    "rmlkit.datasets._snapshots.snapshot_checksum": Setup(
        "takes a table", lambda tmp: dict(frame=features()), kinds={"frame": "frame"}),
    "rmlkit.datasets._snapshots.write_snapshots": Setup(
        "a valid call regenerates every snapshot (slow, and writes files): bad calls only",
        lambda tmp: dict(folder=tmp / "snapshots"), valid_call=False),
    "rmlkit.feedback.simulate_feedback_loop": Setup(
        "its smallest world (2,000 households, 2 years), and the world's bias mechanisms",
        lambda tmp: dict(n_households=2000, n_years=2, random_state=0),
        mechanisms=tuple(__import__("rmlkit.datasets").datasets.MECHANISMS)),
    "rmlkit.course.init_course": Setup(
        "creates a course folder: a new one in a temporary folder",
        lambda tmp: dict(directory=tmp / f"new-course-{uuid.uuid4().hex}")),
    "rmlkit.course.release": Setup(
        "needs a course folder; a valid call runs nbgrader (tested in test_course_cli.py)",
        lambda tmp: dict(course=_course(tmp), assignment="first-audit"), valid_call=False),
    "rmlkit.course.collect": Setup(
        "needs a course folder and a folder of submissions; a valid call needs a released "
        "assignment, which runs nbgrader (tested in test_course_cli.py)",
        lambda tmp: dict(course=_course(tmp), assignment="first-audit",
                         source=(tmp / "inbox").mkdir(exist_ok=True) or tmp / "inbox"),
        valid_call=False),
    "rmlkit.course.autograde": Setup(
        "needs a course folder; a valid call grades submissions (test_course_cli.py)",
        lambda tmp: dict(course=_course(tmp), assignment="first-audit", progress=False),
        valid_call=False),
    "rmlkit.course.feedback": Setup(
        "needs a course folder; a valid call runs nbgrader (tested in test_course_cli.py)",
        lambda tmp: dict(course=_course(tmp), assignment="first-audit"), valid_call=False),
    "rmlkit.course.export": Setup(
        "needs a course folder; a valid call builds the gradebook (test_course_cli.py)",
        lambda tmp: dict(course=_course(tmp), to=tmp / "grades.csv"), valid_call=False),
    "rmlkit.course.report": Setup(
        "needs a course folder; a valid call builds the gradebook (test_course_cli.py)",
        lambda tmp: dict(course=_course(tmp), to=tmp / "report.html"), valid_call=False),
    "rmlkit.course.item_analysis": Setup(
        "takes the grades table that export() writes",
        lambda tmp: dict(grades=pd.DataFrame({
            "assignment": ["first-audit"] * 4, "student": ["a", "b", "a", "b"],
            "notebook": ["n"] * 4, "item": ["q1", "q1", "q2", "q2"],
            "score": [1.0, 0.0, 2.0, 1.0], "max_score": [1.0, 1.0, 2.0, 2.0],
            "auto": [True] * 4, "needs_manual_grade": [False] * 4})),
        kinds={"grades": "grades"}),
    "rmlkit.grading.copy_course": Setup(
        "copies a course folder into a new temporary one",
        lambda tmp: dict(course_root=_course(tmp), destination=tmp / "copy",
                         assignments=["first-audit"])),
    "rmlkit.grading.copy_assignments": Setup(
        "copies assignments of a course folder into a new temporary one",
        lambda tmp: dict(source_root=_course(tmp), assignments=["first-audit"],
                         destination=tmp / f"copy-{uuid.uuid4().hex}"),
        kinds={"source_root": "course", "assignments": "assignment names"}),
    "rmlkit.grading.check_assignment": Setup(
        "needs a course folder", lambda tmp: dict(root=_course(tmp), assignment="first-audit")),
    "rmlkit.grading.list_assignments": Setup(
        "needs a course folder", lambda tmp: dict(course_root=_course(tmp))),
    "rmlkit.grading.release": Setup(
        "needs a course folder and its nbgrader config; a valid call runs nbgrader",
        lambda tmp: dict(assignment="first-audit", root=_course(tmp),
                         config=__import__("rmlkit.grading").grading.load_config(_course(tmp))),
        kinds={"config": "config"}, valid_call=False),
    "rmlkit.risk_model.placement_model": Setup(
        "takes a child-welfare Dataset with enough screened-in referrals to train on",
        lambda tmp: dict(data=_cw_large(tmp), random_state=0),
        kinds={"data": "dataset", "label": "name"}),
    "rmlkit.risk_model.screening_comparison": Setup(
        "takes a child-welfare Dataset with enough screened-in referrals to train on",
        lambda tmp: dict(data=_cw_large(tmp)), kinds={"data": "dataset"}),
    "rmlkit.datasets.child_welfare.mechanism_effects": Setup(
        "the smallest world it allows (10,000 referrals; its default is 400,000)",
        lambda tmp: dict(n_referrals=10_000, random_state=0)),
    "rmlkit.datasets.child_welfare.implied_ratios": Setup(
        "takes a child-welfare Dataset", lambda tmp: dict(data=_cw_large(tmp)),
        kinds={"data": "dataset", "reference": "name"}),
    "rmlkit.assumptions.assumption_range": Setup(
        "takes the name of an assumption of rmlkit.datasets.ASSUMPTIONS",
        lambda tmp: dict(assumption="screener_accuracy"),
        kinds={"assumption": "name", "n_points": "count"}),
    "rmlkit.assumptions.sweep": Setup(
        "takes an analysis (a function of the data) and an assumption to vary: a small "
        "world at one value",
        lambda tmp: dict(analysis=lambda data: {"rows": float(len(data.observed))},
                         assumption="label_bias", values=[0.0], n_referrals=300,
                         random_state=0),
        kinds={"assumption": "name"}),
    "rmlkit.course.collection_problems": Setup(
        "needs a course folder", lambda tmp: dict(course=_course(tmp), assignment="first-audit")),
    "rmlkit.course.skipped_submissions": Setup(
        "needs a course folder", lambda tmp: dict(course=_course(tmp), assignment="first-audit")),
    "rmlkit.course.student_table": Setup(
        "needs a course folder", lambda tmp: dict(course=_course(tmp), assignment="first-audit")),
    "rmlkit.course.remove_submission": Setup(
        "needs a course folder; a valid call deletes a submission, so bad calls only",
        lambda tmp: dict(course=_course(tmp), assignment="first-audit", student="ada"),
        valid_call=False),
    "rmlkit.lms.parse_submission_name": Setup(
        "takes a file name from an LMS download",
        lambda tmp: dict(path="lovelaceada_1001_70001_first-audit.ipynb",
                         notebooks=["first-audit.ipynb"]),
        kinds={"path": "text", "notebooks": "names"}),
    "rmlkit.lms.plan_collection": Setup(
        "takes the file names of an LMS download and the released notebooks' names",
        lambda tmp: dict(paths=["lovelaceada_1001_70001_first-audit.ipynb"],
                         notebooks=["first-audit.ipynb"]),
        kinds={"paths": "names", "notebooks": "names"}),
    **{name: Setup(
        "takes the by-deference table lesson 10 builds from simulate_feedback_loop",
        lambda tmp: dict(by_deference=_by_deference()),
        kinds={"by_deference": "frame", "deference": "probability"})
       for name in ("rmlkit.explorers.deference_twin", "rmlkit.explorers.plot_deference_sweep",
                    "rmlkit.widgets.deference_explorer")},
    "rmlkit.sandbox.detect_tampering": Setup(
        "takes two notebooks (the submitted and the released one)",
        lambda tmp: dict(submitted=_notebook(tmp), released=_notebook(tmp)),
        kinds={"submitted": "notebook", "released": "notebook"}),
    "rmlkit.check.same_values": Setup(
        "compares any answer with the expected value (True or False: no answer is bad "
        "input); only its tolerance atol can be wrong",
        lambda tmp: dict(answer=pd.Series({"A": 0.2}), expected=pd.Series({"A": 0.2})),
        kinds={"atol": "cost"}),
    "rmlkit.handgrading.add_rubrics": Setup(
        "needs a course folder with an autograded notebook (a copy of the source one)",
        lambda tmp: dict(root=_autograded_course(tmp), assignment="first-audit",
                         students=["ada"]),
        kinds={"root": "course", "students": "students"}),
    "rmlkit.handgrading.ungraded_answers": Setup(
        "needs a course folder whose gradebook knows the assignment",
        lambda tmp: dict(root=_course_with_gradebook(tmp), assignment="first-audit"),
        kinds={"root": "course"}),
    **{f"rmlkit.lms.{name}": Setup(
        "takes the gradebook's totals, a Roster and the assignments' maxima, as "
        "course.export passes them",
        lambda tmp, name=name: dict(
            totals={("ada", "first-audit"): 3.0}, roster=_roster(), path=tmp / "grades.csv",
            assignments={"first-audit": 5.0}, column_names={"first-audit": "First audit"}),
        kinds={"totals": "totals", "roster": "roster", "assignments": "maxima",
               "path": "output", "column_names": "column names"})
       for name in ("canvas_gradebook", "moodle_grades")},
    "rmlkit.sandbox.execute_in_sandbox": Setup(
        "runs a one-cell notebook's kernel in the sandbox, with short time limits",
        lambda tmp: dict(nb=_notebook(tmp), files_dir=_folder(tmp / "files"),
                         limits=__import__("rmlkit.sandbox").sandbox.Limits(
                             cell_timeout=10, total_timeout=15),
                         config=__import__("traitlets.config").config.Config(),
                         hide=[str(_folder(tmp / "hidden"))]),
        kinds={"nb": "notebook", "files_dir": "path", "limits": "limits", "config": "config",
               "hide": "folders", "slot": "count"}),
    "rmlkit.grading.hidden_test_lines": Setup(
        "takes the paths of instructor notebooks",
        lambda tmp: dict(notebooks=[SOURCE_NOTEBOOK]), kinds={"notebooks": "notebook paths"}),
    "rmlkit.grading.leaked_secrets": Setup(
        "takes a feedback page and the hidden-test lines",
        lambda tmp: dict(page="<p>x is 2</p>", secrets=["assert x == 2, 'x is not two'"]),
        kinds={"page": "text", "secrets": "lines"}),
    "rmlkit.grading.nbgrader_failure": Setup(
        "takes what an NbGraderAPI call returned",
        lambda tmp: dict(result={"success": False, "error": "",
                                 "log": "[ERROR] ValueError: no such assignment"},
                         what="could not generate 'first-audit'"),
        kinds={"result": "nbgrader result", "what": "text"}),
    "rmlkit.grading.sanitize_page": Setup(
        "takes a feedback page (HTML)",
        lambda tmp: dict(page="<html><head><title>f</title></head><body><p>ok</p>"
                              "<script>alert(1)</script></body></html>"),
        kinds={"page": "text"}),
}

#: Public functions the walker does not call, each with the reason. Empty: every public
#: function is walked (with a set-up in SETUP where it needs one); a function listed here
#: must say why it cannot be.
NOT_WALKED: dict[str, str] = {}


# --------------------------------------------------------------------------------------
# Calling a function


class Hang(Exception):
    pass


def _alarm(signum, frame):
    raise Hang


def kinds_of(qualname: str, function) -> dict[str, str]:
    """The kind of each parameter the walker can fill or corrupt."""
    extra = SETUP[qualname].kinds if qualname in SETUP else {}
    kinds = {}
    for name, p in inspect.signature(function).parameters.items():
        if p.kind is p.VAR_KEYWORD:
            if qualname in SETUP and SETUP[qualname].mechanisms:
                kinds[name] = "mechanisms"
        elif name in extra or name in KINDS:
            kinds[name] = extra.get(name, KINDS.get(name))
    return kinds


def unfilled(qualname: str, function) -> list[str]:
    """Required parameters the walker has no value for."""
    if qualname in SETUP:
        return []
    kinds = kinds_of(qualname, function)
    return [name for name, p in inspect.signature(function).parameters.items()
            if p.default is p.empty and p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL)
            and (name not in kinds or kinds[name] not in {**VALID, **VALID_IN_TMP})]


#: Valid values that are made in the test's own temporary folder.
VALID_IN_TMP = {"course": lambda tmp: _course(tmp)}


def valid_value(kind: str, tmp: Path):
    return VALID_IN_TMP[kind](tmp) if kind in VALID_IN_TMP else VALID[kind]()


def valid_arguments(qualname: str, function, tmp: Path) -> dict:
    if qualname in SETUP:
        return SETUP[qualname].valid(tmp)
    # The required arguments, and the optional ones that are off by default (None) and
    # whose kind the walker knows (audit's y_pred, scores and clusters, for example).
    kinds = kinds_of(qualname, function)
    return {name: valid_value(kinds[name], tmp)
            for name, p in inspect.signature(function).parameters.items()
            if p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL)
            and (p.default is p.empty or (p.default is None and kinds.get(name) in VALID))}


def call(function, arguments: dict, seconds: int = CALL_SECONDS):
    """Call with a time limit; return (result, error). Figures are closed afterwards."""
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(seconds)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return function(**arguments), None
    except Hang:
        return None, Hang(f"no answer within {seconds} s")
    except Exception as error:  # noqa: BLE001 (judged by the caller)
        return None, error
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
        plt.close("all")


def origin(error: BaseException) -> str:
    """The file of the innermost frame of the error's traceback."""
    frames = traceback.extract_tb(error.__traceback__)
    return frames[-1].filename if frames else "?"


def judge(error, argument: str) -> str | None:
    """None if the outcome is acceptable, else what is wrong with it."""
    if error is None:
        return None
    where = origin(error)
    described = f"{type(error).__name__}: {str(error)[:300]} (raised in {where})"
    if isinstance(error, Hang):
        return f"hangs: {error}"
    if not isinstance(error, CLEAR_ERRORS):
        return f"raises {described}"
    if not Path(where).resolve().is_relative_to(SRC):
        return f"raises a raw error from a library: {described}"
    if argument not in str(error):
        return f"the error does not name {argument!r}: {described}"
    return None


def bad_calls(qualname: str, function, tmp: Path):
    """Every (argument, what is bad, arguments) the walker tries for one function."""
    MISSING[0] = tmp
    kinds = kinds_of(qualname, function)
    known = SETUP[qualname].mechanisms if qualname in SETUP else ()
    for name, kind in kinds.items():
        for what, make in BAD[kind].items():
            arguments = valid_arguments(qualname, function, tmp)
            value = make()
            if kind == "mechanisms":
                value = {(known[0] if k == "__known__" else k): v for k, v in value.items()}
                named = next(iter(value))
                arguments.update(value)
                yield named, what, arguments
            else:
                arguments[name] = value
                yield name, what, arguments


WALKED = [name for name in PUBLIC if name not in NOT_WALKED]
MISSING = [Path("/nonexistent")]  # bad_calls points it into each test's own tmp folder


# --------------------------------------------------------------------------------------
# The tests


def test_every_public_function_is_walked_or_listed():
    assert len(PUBLIC) >= 40, sorted(PUBLIC)  # the walk finds the package's functions
    for name, why in NOT_WALKED.items():
        assert name in PUBLIC and why, f"{name} is listed as not walked but is not public"
    for name in SETUP:
        assert name in PUBLIC, f"SETUP lists {name}, which is not a public function"
    missing = {name: unfilled(name, f) for name, f in PUBLIC.items()
               if name not in NOT_WALKED and unfilled(name, f)}
    assert not missing, (
        "The walker cannot call these public functions (no value for these arguments): "
        f"{missing}. Add the argument's kind to KINDS, the function to SETUP with its "
        "set-up, or to NOT_WALKED with the reason.")


@pytest.mark.parametrize("qualname", [n for n in WALKED
                                      if n not in SETUP or SETUP[n].valid_call])
def test_valid_input_works(qualname, tmp_path):
    # The walker's valid arguments are valid: bad calls differ from them in one argument.
    result, error = call(PUBLIC[qualname], valid_arguments(qualname, PUBLIC[qualname], tmp_path))
    assert error is None, f"{qualname} with valid input: {type(error).__name__}: {error}"


@pytest.mark.parametrize("qualname", WALKED)
def test_every_kind_of_bad_input_gets_a_clear_error(qualname, tmp_path):
    function = PUBLIC[qualname]
    # Where a valid call would be slow, the walker's "valid" call stops early with an
    # error of its own (no submissions yet, say): a bad value that gets as far is let be.
    stop = None
    if qualname in SETUP and not SETUP[qualname].valid_call:
        _, stop = call(function, valid_arguments(qualname, function, tmp_path), seconds=3)
    problems = []
    for argument, what, arguments in bad_calls(qualname, function, tmp_path):
        _, error = call(function, arguments)
        if stop is not None and error is not None and str(error) == str(stop):
            continue
        verdict = judge(error, argument)
        if verdict:
            problems.append(f"{argument} {what}: {verdict}")
    assert not problems, f"{qualname}:\n  " + "\n  ".join(problems)


def _numbers_for(kind):
    """Hypothesis's bad numbers for a kind: out of range, NaN, infinite, fractional."""
    if kind == "probability":
        return st.one_of(st.floats(max_value=-1e-9), st.floats(min_value=1 + 1e-9),
                         st.just(math.nan))
    if kind == "count":
        return st.one_of(st.integers(max_value=-1), st.floats(allow_infinity=True,
                         allow_nan=True).filter(lambda v: not float(v).is_integer()))
    if kind == "cost":
        return st.one_of(st.floats(max_value=-1e-9), st.just(math.nan), st.just(math.inf))
    if kind == "scores":
        return st.lists(st.floats(allow_nan=True, allow_infinity=True), min_size=N,
                        max_size=N).filter(lambda v: not all(0 <= x <= 1 for x in v))
    if kind == "labels":
        return st.lists(st.one_of(st.integers(), st.floats(allow_nan=True), st.text(max_size=3)),
                        min_size=N, max_size=N).filter(lambda v: set(v) - {0, 1})
    if kind == "thresholds":
        return st.lists(st.floats(allow_nan=True), min_size=1, max_size=5).filter(
            lambda v: not all(0 <= x <= 1 for x in v))
    return None


@pytest.mark.parametrize("qualname", [n for n in WALKED if any(
    _numbers_for(k) is not None for k in kinds_of(n, PUBLIC[n]).values())])
@settings(max_examples=25, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.filter_too_much])
@given(data=st.data())
def test_random_bad_numbers_get_a_clear_error(qualname, tmp_path, data):
    function = PUBLIC[qualname]
    kinds = {name: kind for name, kind in kinds_of(qualname, function).items()
             if _numbers_for(kind) is not None}
    argument = data.draw(st.sampled_from(sorted(kinds)), label="argument")
    arguments = valid_arguments(qualname, function, tmp_path)
    arguments[argument] = data.draw(_numbers_for(kinds[argument]), label=argument)
    if isinstance(arguments[argument], list) and kinds[argument] in ("scores", "labels"):
        arguments[argument] = np.array(arguments[argument], dtype=object)
    _, error = call(function, arguments)
    verdict = judge(error, argument)
    assert verdict is None, f"{qualname}, {argument}={arguments[argument]!r}: {verdict}"


def test_care_needs_findings_on_new_data():
    """It once raised KeyError on new data (not on the snapshot); independent seed streams
    fixed it."""
    from rmlkit.datasets import care_needs_findings, make_care_needs

    data = make_care_needs(30_000, random_state=0)
    _, error = call(care_needs_findings, {"data": data})
    assert error is None or judge(error, "data") is None, f"{type(error).__name__}: {error}"
