"""Tune the child-welfare scenarios' parameters until their published targets are met.

This is a maintainer's tool, not part of the library: it nudges a few parameters of a
scenario (each tied to one statistic) by damped steps on the log-odds or log scale,
regenerating a large sample each time, and prints the values to paste into
``SCENARIOS`` in ``src/rmlkit/datasets/child_welfare.py``. The tests then check every target.

Run: .venv/bin/python scripts/calibrate_child_welfare.py us [--rows 400000 --steps 12]

Besides the published targets, two internal aims make the model-realism findings
possible (they are not published figures): the share of screened-in children placed
within two years, and, in England, the share of referrals screened in.
"""

from __future__ import annotations

import argparse
import copy

import numpy as np

from rmlkit.datasets import _targets
from rmlkit.datasets import child_welfare as datasets

INTERNAL = {
    "us": {"placement_share": 0.09},
    "england": {"placement_share": 0.07, "screen_in": 0.85},
}


def logit(p):
    p = np.clip(p, 1e-6, 1 - 1e-6)
    return np.log(p / (1 - p))


def statistics(params, rows, seed=1):
    rng = np.random.default_rng(seed)
    data = datasets._generate(rows, copy.deepcopy(params), rng)
    values = _targets.measure(data.observed, data.population, params["scenario"])
    o = data.observed
    values["placement_share"] = float(o["placed_2y"].mean())
    values["screen_in"] = float(o.loc[~o["referral_id"].duplicated(), "screened_in"].mean())
    return values


def step(params, values, scenario, damping=0.8):
    p = params
    aims = {t["key"]: t["target"] for t in _targets.TARGETS[scenario]} | INTERNAL[scenario]
    groups = p["groups"]

    def nudge_logit(name, key):
        p[name] += damping * (logit(aims[key]) - logit(values[key]))

    nudge_logit("placement_base", "placement_share")
    if scenario == "us":
        p["referral_base"] += damping * np.log(aims["victim_rate"] / values["victim_rate"])
        nudge_logit("screen_base", "screen_in")
        nudge_logit("substantiation_base", "substantiated")
        nudge_logit("neglect_base", "neglect")
        odds = (values["age_0_2"] / (1 - values["age_0_2"])) / (
            aims["age_0_2"] / (1 - aims["age_0_2"]))
        p["child_harm_older"] = float(np.clip(p["child_harm_older"] * odds ** damping, 0.05, 1))
        need = np.array(p["group_need"], dtype=float)
        for group, _ in _targets.US_RATES.items():
            key = f"rate_ratio:{group}"
            need[groups.index(group)] += damping * np.log(aims[key] / values[key])
        p["group_need"] = [round(float(v), 4) for v in need]
    else:
        nudge_logit("screen_base", "screen_in")
        p["referral_base"] += damping * np.log(aims["cin_rate"] / values["cin_rate"])
        p["referral_prior"] += damping * (logit(aims["re_referral"]) - logit(values["re_referral"]))
        p["need_deprivation"] += damping * 0.5 * np.log(aims["care_gradient"]
                                                        / values["care_gradient"])
        need = np.array(p["group_need"], dtype=float)
        for group in ("Black", "Mixed"):
            key = f"care_ratio:{group}"
            need[groups.index(group)] += damping * np.log((1 + aims[key]) / (1 + values[key]))
        p["group_need"] = [round(float(v), 4) for v in need]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", choices=["us", "england"])
    parser.add_argument("--rows", type=int, default=400_000)
    parser.add_argument("--steps", type=int, default=12)
    args = parser.parse_args()
    params = copy.deepcopy(datasets.SCENARIOS[args.scenario])
    params.update(scenario=args.scenario, n_referrals=args.rows)
    tuned = ["need_base", "screen_base", "substantiation_base", "neglect_base",
             "child_harm_older", "placement_base", "referral_base", "referral_prior",
             "need_deprivation", "group_need"]
    for i in range(args.steps):
        values = statistics(params, args.rows)
        met = sum(t["low"] <= values[t["key"]] <= t["high"]
                  for t in _targets.TARGETS[args.scenario])
        print(f"step {i}: {met}/{len(_targets.TARGETS[args.scenario])} targets met; "
              + ", ".join(f"{k}={v:.3g}" for k, v in values.items()))
        step(params, values, args.scenario)
    print("\nParameters to paste:")
    for name in tuned:
        value = params[name]
        shown = [round(v, 3) for v in value] if isinstance(value, list) else round(value, 3)
        print(f"    {name}={shown},")


if __name__ == "__main__":
    main()
