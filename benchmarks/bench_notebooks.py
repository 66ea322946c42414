"""How long does every notebook of the book take to execute?

Run: .venv/bin/python benchmarks/bench_notebooks.py [--budget 60] [--only 04-risk-model]

Executes every notebook in the table of contents (lessons and data pages) in a fresh
kernel, one after the other, as the book build does, and reports the seconds each took.
Goal (issue 5): every lesson under a minute on 2 cores. Results are printed as a table
and written to benchmarks/results/notebooks.csv; notebooks over the budget are marked.
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
from glossary_links import toc_files  # noqa: E402  (the book's reading order)

RESULTS = ROOT / "benchmarks" / "results"


def is_executed(path: Path) -> bool:
    """The book runs every notebook except the exercises' student versions."""
    nb = nbformat.read(path, as_version=4)
    return nb.metadata.get("mystnb", {}).get("execution_mode") != "off"


def execution_seconds(path: Path) -> float:
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    start = time.perf_counter()
    client.execute()
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget", type=float, default=60.0, help="seconds per notebook")
    parser.add_argument("--only", help="run only notebooks whose name contains this text")
    args = parser.parse_args()
    os.environ.setdefault("JUPYTER_CONFIG_DIR", str(ROOT / ".jupyter"))
    os.environ.setdefault("JUPYTER_DATA_DIR", str(ROOT / ".jupyter" / "data"))
    os.environ["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"

    notebooks = [p for p in toc_files() if p.suffix == ".ipynb" and is_executed(p)]
    if args.only:
        notebooks = [p for p in notebooks if args.only in p.stem]
    rows = []
    print(f"{os.cpu_count()} CPUs; budget {args.budget:.0f} s per notebook")
    for path in notebooks:
        seconds = execution_seconds(path)
        over = seconds > args.budget
        rows.append({"notebook": str(path.relative_to(ROOT)), "seconds": round(seconds, 1),
                     "over_budget": over})
        print(f"{seconds:7.1f} s  {'OVER ' if over else '     '}{path.relative_to(ROOT)}")
    total = sum(r["seconds"] for r in rows)
    print(f"{total:7.1f} s  total for {len(rows)} notebooks")
    RESULTS.mkdir(parents=True, exist_ok=True)
    with open(RESULTS / "notebooks.csv", "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=["notebook", "seconds", "over_budget"])
        writer.writeheader()
        writer.writerows(rows)
    return 1 if any(r["over_budget"] for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
