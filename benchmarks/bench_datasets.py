"""How fast is the child-welfare generator? Rows per second, and the ratio to numpy.

Run: .venv/bin/python benchmarks/bench_datasets.py [--sizes 10000 100000 1000000]

The ratio compares the generator with drawing the same number of raw random numbers
with numpy (one standard normal per row): it says how much work per row the simulation
does beyond drawing randomness. The target: 10^6 rows (children named in referrals)
in at most 3 s on 2 cores.
"""

from __future__ import annotations

import argparse
import os
import resource
import time

import numpy as np

from rmlkit.datasets import make_child_welfare


def best_of(fn, repeats: int) -> float:
    return best_of_both(fn, repeats)[0]


def best_of_both(fn, repeats: int) -> tuple[float, float]:
    """The fastest wall time and the fastest CPU time of this process, in seconds.

    On a busy machine the wall time includes waiting for a core; the CPU time does not.
    """
    walls, cpus = [], []
    for _ in range(repeats):
        start, start_cpu = time.perf_counter(), time.process_time()
        fn()
        walls.append(time.perf_counter() - start)
        cpus.append(time.process_time() - start_cpu)
    return min(walls), min(cpus)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    print(f"{'rows':>10} {'seconds':>9} {'rows/s':>12} {'numpy s':>9} {'ratio':>8}")
    for n in args.sizes:
        seconds = best_of(lambda n=n: make_child_welfare(n, random_state=0), args.repeats)
        rng = np.random.default_rng(0)
        raw = best_of(lambda n=n, rng=rng: rng.standard_normal(n), args.repeats)
        print(f"{n:>10,} {seconds:>9.3f} {n / seconds:>12,.0f} {raw:>9.5f} {seconds / raw:>8.0f}")
    seconds, cpu = best_of_both(lambda: make_child_welfare(1_000_000, random_state=0),
                                args.repeats)
    verdict = "meets" if seconds <= 3.0 else "MISSES"
    print(f"10^6 rows in {seconds:.2f} s ({cpu:.2f} s of CPU) on {os.cpu_count()} cores "
          f"(load average {os.getloadavg()[0]:.1f}): {verdict} the target of 3 s")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory of this process: {peak:,.0f} MB")


if __name__ == "__main__":
    main()
