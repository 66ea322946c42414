"""How big a machine does a class need? Peak memory and CPU time of one lesson kernel.

Run: .venv/bin/python benchmarks/bench_hub_capacity.py [--only 04-risk-model] [--class-size 30]

Executes each lesson notebook in a fresh kernel, as a student running every cell does,
and samples the kernel process (and its children) with psutil every 0.1 s: peak
resident memory (RSS), CPU seconds used and wall-clock seconds. The baseline is an
idle kernel that has only started. From the largest peak it prints a sizing for a class
of N, all working at once: N kernels at the peak, plus 25 % headroom and 2 GB for the
hub, the proxy, the formgrader and the operating system; one core per four students,
with how long the last student waits if everyone runs the most CPU-hungry lesson at the
same moment. Results go to
benchmarks/results/hub_capacity.csv. The figures are quoted in deploy/README.md ("What
to ask your IT department").
"""

from __future__ import annotations

import argparse
import csv
import math
import os
import sys
import threading
import time
from pathlib import Path

import nbformat
import psutil
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"


def _tree(pid: int) -> list[psutil.Process]:
    try:
        process = psutil.Process(pid)
        return [process, *process.children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


def measure(path: Path | None) -> dict:
    """Run a notebook (None: start an idle kernel only) and sample its kernel."""
    nb = nbformat.read(path, as_version=4) if path else nbformat.v4.new_notebook()
    client = NotebookClient(nb, timeout=900, kernel_name="python3",
                            resources={"metadata": {"path": str((path or ROOT).parent)}})
    peak, cpu, stop = [0], [0.0], threading.Event()

    def sample(pid):
        while not stop.is_set():
            rss, used = 0, 0.0
            for process in _tree(pid):
                try:
                    rss += process.memory_info().rss
                    times = process.cpu_times()
                    used += times.user + times.system
                except psutil.NoSuchProcess:
                    pass
            peak[0] = max(peak[0], rss)
            cpu[0] = max(cpu[0], used)
            time.sleep(0.1)

    start = time.perf_counter()
    with client.setup_kernel():
        pid = client.km.provisioner.process.pid
        thread = threading.Thread(target=sample, args=(pid,), daemon=True)
        thread.start()
        if path:
            for index, cell in enumerate(nb.cells):
                client.execute_cell(cell, index)
        else:
            time.sleep(1.0)
        time.sleep(0.3)
        stop.set()
        thread.join()
    return {"notebook": path.stem if path else "(idle kernel)",
            "peak_rss_mb": peak[0] / 2**20, "cpu_seconds": cpu[0],
            "wall_seconds": time.perf_counter() - start}


def sizing(peak_mb: float, cpu_seconds: float, n: int) -> str:
    """Memory for N kernels at the peak (+25 %, +2 GB for the rest); a core per 4 students."""
    memory_gb = n * peak_mb * 1.25 / 1024 + 2
    cores = max(2, math.ceil(n / 4))
    together = n * cpu_seconds / cores  # everyone runs the heaviest lesson in the same minute
    return (f"a class of {n}: {memory_gb:.0f} GB of memory, {cores} cores; if all {n} run "
            f"the most CPU-hungry lesson at the same moment, the last finishes after about "
            f"{together / 60:.0f} min ({cpu_seconds:.0f} CPU s alone)")


def summary(rows, class_size: int) -> None:
    lessons = rows[1:] or rows
    heaviest = max(lessons, key=lambda r: r["peak_rss_mb"])
    busiest = max(lessons, key=lambda r: r["cpu_seconds"])
    print(f"heaviest lesson: {heaviest['notebook']} ({heaviest['peak_rss_mb']:.0f} MB peak RSS); "
          f"most CPU: {busiest['notebook']} ({busiest['cpu_seconds']:.0f} CPU s); "
          f"idle kernel {rows[0]['peak_rss_mb']:.0f} MB")
    for n in sorted({10, class_size, 60}):
        print(sizing(heaviest["peak_rss_mb"], busiest["cpu_seconds"], n))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="run only lessons whose name contains this text")
    parser.add_argument("--class-size", type=int, default=30)
    parser.add_argument("--summary-only", action="store_true",
                        help="print the sizing from the last run's results file")
    args = parser.parse_args()
    if args.summary_only:
        with (RESULTS / "hub_capacity.csv").open() as handle:
            rows = [{k: (v if k == "notebook" else float(v)) for k, v in r.items()}
                    for r in csv.DictReader(handle)]
        summary(rows, args.class_size)
        return 0
    os.environ.setdefault("JUPYTER_CONFIG_DIR", str(ROOT / ".jupyter"))
    os.environ.setdefault("JUPYTER_DATA_DIR", str(ROOT / ".jupyter" / "data"))
    os.environ["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"
    lessons = sorted((ROOT / "notebooks").glob("[0-9]*.ipynb"))
    if args.only:
        lessons = [p for p in lessons if args.only in p.stem]
    print(f"{os.cpu_count()} CPUs, {psutil.virtual_memory().total / 2**30:.1f} GB of memory")
    rows = [measure(None)] + [measure(p) for p in lessons]
    print(f"{'notebook':<28} {'peak RSS (MB)':>14} {'CPU s':>8} {'wall s':>8}")
    for row in rows:
        print(f"{row['notebook']:<28} {row['peak_rss_mb']:>14.0f} {row['cpu_seconds']:>8.1f} "
              f"{row['wall_seconds']:>8.1f}")
    summary(rows, args.class_size)
    RESULTS.mkdir(parents=True, exist_ok=True)
    with (RESULTS / "hub_capacity.csv").open("w", newline="") as handle:
        writer = csv.DictWriter(handle, list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
