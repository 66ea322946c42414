"""Parallel sandboxed autograding against sequential ``nbgrader autograde``.

Makes a course with the kit's first-audit assignment and N submissions (right and
wrong answers), grades them once with ``nbgrader autograde`` (one at a time) and once
with ``rmlkit course autograde --workers W`` for W = 2 and os.cpu_count(), checks that
every grade is the same, and reports seconds and the throughput ratio.

Run: .venv/bin/python benchmarks/bench_autograde.py [--submissions 40]

Goal (issue 7): at least 1.7x sequential nbgrader on 2 cores. Results are written to
benchmarks/results/autograde.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import nbformat

from rmlkit import course

ROOT = Path(__file__).resolve().parents[1]
ASSIGNMENT = "first-audit"
ANSWERS = [
    {"fpr-by-group": 'frame = MetricFrame(metrics=false_positive_rate, y_true=test["placed_2y"],'
                     ' y_pred=test["flagged"], sensitive_features=test["race_ethnicity"])\n'
                     "fpr_by_group = frame.by_group\n",
     "fpr-ratio": 'fpr_ratio = fpr_by_group["Black"] / fpr_by_group["White"]\n'},
    {"fpr-by-group": 'fpr_by_group = test.groupby("race_ethnicity", observed=True)'
                     '["flagged"].mean()\n',
     "fpr-ratio": 'fpr_ratio = fpr_by_group["Black"] / fpr_by_group["White"]\n'},
    {"fpr-by-group": "fpr_by_group = test.groupby('no such column').mean()\n"},
]


def make_course(folder: Path, submissions: int) -> Path:
    root = course.init_course(folder / "course", assignments=[ASSIGNMENT])
    course.release(root, ASSIGNMENT)
    released = root / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    for i in range(submissions):
        nb = nbformat.read(released, as_version=4)
        for cell in nb.cells:
            grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
            if grade_id in ANSWERS[i % len(ANSWERS)]:
                cell.source = ANSWERS[i % len(ANSWERS)][grade_id]
        target = root / "submitted" / f"student{i:03d}" / ASSIGNMENT
        target.mkdir(parents=True)
        nbformat.write(nb, target / f"{ASSIGNMENT}.ipynb")
    return root


def grades(root: Path) -> dict:
    from nbgrader.api import Gradebook

    out = {}
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        for submission in gb.assignment_submissions(ASSIGNMENT):
            for notebook in submission.notebooks:
                for grade in notebook.grades:
                    out[f"{submission.student_id}/{grade.name}"] = (
                        grade.auto_score, grade.needs_manual_grade)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submissions", type=int, default=40)
    args = parser.parse_args()
    warnings.filterwarnings("ignore", message="Object of type <.*> not in session")
    cores = os.cpu_count() or 1
    results = {"submissions": args.submissions, "cores": cores,
               "machine": platform.platform(), "runs": {}}
    with tempfile.TemporaryDirectory() as tmp:
        template = make_course(Path(tmp) / "template", args.submissions)
        reference = None
        for workers in ["sequential", *sorted({2, cores})]:
            root = Path(tmp) / f"run-{workers}"
            shutil.copytree(template, root)
            start = time.perf_counter()
            if workers == "sequential":
                nbgrader = Path(sys.executable).parent / "nbgrader"
                subprocess.run([str(nbgrader), "autograde", ASSIGNMENT, "--log-level=ERROR"],
                               cwd=root, check=True, capture_output=True)
            else:
                course.autograde(root, ASSIGNMENT, workers=workers, progress=False)
            seconds = time.perf_counter() - start
            got = grades(root)
            if reference is None:
                reference = got
            name = workers if workers == "sequential" else f"workers={workers}"
            results["runs"][name] = {"seconds": round(seconds, 1),
                                     "same_grades_as_nbgrader": got == reference}
            print(f"{name}: {seconds:.1f} s", flush=True)
    base = results["runs"]["sequential"]["seconds"]
    for run in results["runs"].values():
        run["throughput_ratio"] = round(base / run["seconds"], 2)
    out = ROOT / "benchmarks" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "autograde.json").write_text(json.dumps(results, indent=2))
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
