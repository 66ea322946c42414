"""How fast is rmlkit.audit.audit? Point estimates against fairlearn's MetricFrame, and
200 bootstrap resamples against the point estimates.

Run: .venv/bin/python benchmarks/bench_audit.py [--rows 1000000 --groups 6 --bootstrap 200]

Goals (issue 4): point estimates within 1.5x of MetricFrame on the same metrics;
200 resamples under 20x the point estimates.
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np
from fairlearn.metrics import MetricFrame

from rmlkit.audit import ALL_METRICS, DECISION_METRICS, SCORE_METRICS, audit


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--groups", type=int, default=6)
    parser.add_argument("--bootstrap", type=int, default=200)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    n = args.rows
    g = rng.integers(0, args.groups, n).astype(str)
    y = (rng.random(n) < 0.25).astype(int)
    s = np.clip(0.3 + 0.3 * y + rng.normal(0, 0.2, n), 0, 1)
    d = (s >= 0.5).astype(int)

    start = time.perf_counter()
    MetricFrame(metrics={m: f for m, (f, _) in DECISION_METRICS.items()},
                y_true=y, y_pred=d, sensitive_features=g)
    MetricFrame(metrics=SCORE_METRICS, y_true=y, y_pred=s, sensitive_features=g)
    metricframe = time.perf_counter() - start

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        start = time.perf_counter()
        audit(y, scores=s, threshold=0.5, sensitive_features=g, metrics=ALL_METRICS)
        point = time.perf_counter() - start
        start = time.perf_counter()
        audit(y, scores=s, threshold=0.5, sensitive_features=g, metrics=ALL_METRICS,
              n_bootstrap=args.bootstrap, random_state=0, progress=False)
        boot = time.perf_counter() - start

    print(f"rows {n:,}, groups {args.groups}, metrics {len(ALL_METRICS)}")
    print(f"fairlearn MetricFrame (same metrics): {metricframe:8.2f} s")
    print(f"audit, point estimates:               {point:8.2f} s  "
          f"ratio to MetricFrame {point / metricframe:.2f} (goal <= 1.5)")
    print(f"audit, {args.bootstrap} bootstrap resamples:     {boot:8.2f} s  "
          f"ratio to point estimates {boot / point:.2f} (goal < 20)")


if __name__ == "__main__":
    main()
