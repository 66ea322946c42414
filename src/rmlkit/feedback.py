"""Feedback loops: a risk model shaping the records it later learns from.

A screening decision made today changes tomorrow's data in two ways. Screened-in
referrals are the only ones whose outcome is recorded (selective labels), so the next
model learns only from the families the last one chose. And every decision is written
into the family's history (``prior_screened_in``), a feature the next model reads. Here
the child-welfare world of :mod:`rmlkit.datasets.child_welfare` runs year by year with
a model retrained each year on the records so far, so the loop can be watched, and
switched off one bias mechanism at a time.

All data made here is synthetic.

Introduced in lesson 10, People and models together.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from ._checks import (
    check_choice,
    check_count,
    check_probability,
    check_random_state,
)
from .datasets._dataset import streams
from .datasets._simulation import STREAMS, Simulation
from .datasets.child_welfare import SCENARIOS, resolve_parameters
from .metrics import GroupMetrics

__all__ = ["POLICIES", "FEATURES", "simulate_feedback_loop"]

#: Who makes the screening decision once a model exists.
POLICIES = {
    "workers": "Workers decide as they always have; the model is trained but not used.",
    "model": "The model decides: the highest-scoring referrals are screened in.",
    "support": (
        "Decision support: workers see the score and, where they disagree with it, follow "
        "it with probability `deference` (automation bias when `deference` is high)."
    ),
}

#: What the yearly model sees about each referral (never race or ethnicity).
FEATURES = [
    "deprivation_decile", "n_children", "benefits", "housing_support", "police_contact",
    "health_contact", "reporter_professional", "prior_referrals", "prior_screened_in",
]


def simulate_feedback_loop(
    n_households: int = 60_000,
    n_years: int = 5,
    *,
    policy: str = "model",
    flag_rate: float | None = None,
    deference: float = 0.75,
    scenario: str = "us",
    random_state=None,
    base_rate_difference: float | None = None,
    poverty_bias: float | None = None,
    surveillance_bias: float | None = None,
    reporting_bias: float | None = None,
    historical_bias: float | None = None,
    screener_bias: float | None = None,
    label_bias: float | None = None,
    screener_accuracy: float | None = None,
    bias_share: float | None = None,
) -> pd.DataFrame:
    """Run several years in which a risk model shapes the records it learns from.

    In the first year there is no model yet and workers screen every referral. From
    the second year on, a logistic regression is trained each year on all earlier
    screened-in referrals, with substantiation as its label (only screened-in referrals
    have one: selective labels), and scores the year's referrals. Who decides depends
    on ``policy``. Each decision is added to the family's ``prior_screened_in`` and
    each referral to its ``prior_referrals``, features the next year's model reads.

    The truth is known: a referral "truly needed help" when a child in the household
    was being harmed that year.

    Introduced in lesson 10, People and models together.

    Parameters
    ----------
    n_households : int
        Households in the simulated area (about one in ten is referred each year).
        20,000 to 100,000 runs in seconds.
    n_years : int
        Years simulated, 2 to 15. The model decides from the second year on.
    policy : str
        ``"model"``, ``"workers"`` or ``"support"`` (see ``POLICIES``).
    flag_rate : float, optional
        Share of each year's referrals the model flags. By default the share the
        workers would have screened in that year, so the model and the workers screen
        in about as many referrals.
    deference : float
        With ``policy="support"``: the probability that a worker who disagrees with the
        model follows it. 1 is the model deciding, 0 the workers deciding.
    scenario : str
        A child-welfare scenario: ``"us"``, ``"england"``, ``"no_bias"`` or
        ``"only_<mechanism>"``.
    random_state : int, numpy.random.Generator or None
        Seed: the same seed gives the same years (independent streams per component,
        as in :func:`rmlkit.datasets.make_child_welfare`).
    base_rate_difference, poverty_bias, surveillance_bias, reporting_bias, \
historical_bias, screener_bias, label_bias : float, optional
        Strength of each mechanism (0 off, 1 the scenario default; None keeps the
        scenario's), for example ``surveillance_bias=0``. See
        ``rmlkit.datasets.MECHANISMS``.
    screener_accuracy, bias_share : float, optional
        The world's assumptions (see ``rmlkit.datasets.ASSUMPTIONS``); None keeps
        the defaults.

    Returns
    -------
    pandas.DataFrame
        One row per year and group (plus ``"all"``): ``decided_by``, ``n`` (referrals),
        ``base_rate_vs_truth`` (share who truly needed help), ``selection_rate`` (share
        screened in), ``false_positive_rate_vs_truth`` (screened in among those who did
        not need help), ``precision_vs_truth`` (share of the screened in who truly
        needed help), ``precision`` (substantiated among the screened in: the label),
        ``roc_auc`` (the year's model against the recorded labels of the screened in),
        ``roc_auc_vs_truth`` (against the truth for every referral),
        ``mean_prior_referrals``, ``mean_prior_screened_in``, and the ratios of
        ``selection_rate``, ``false_positive_rate_vs_truth`` and
        ``mean_prior_screened_in`` to the first (reference) group's in the same year
        (``..._ratio_to_reference``).

    Examples
    --------
    >>> years = simulate_feedback_loop(20_000, 3, random_state=0)
    >>> sorted(years["year"].unique().tolist())
    [1, 2, 3]
    """
    H = check_count("n_households", n_households, minimum=2_000, maximum=2_000_000)
    years = check_count("n_years", n_years, minimum=2, maximum=15)
    check_choice("policy", policy, POLICIES)
    if flag_rate is not None:
        flag_rate = check_probability("flag_rate", flag_rate)
        if not 0.0 < flag_rate < 1.0:
            raise ValueError(
                f"flag_rate must be more than 0 and less than 1, but you gave {flag_rate:g}. "
                "Try flag_rate=0.3 to screen in the 30 % highest scores."
            )
    deference = check_probability("deference", deference)
    check_choice("scenario", scenario, SCENARIOS)
    check_random_state(random_state)
    params = resolve_parameters(
        "simulate_feedback_loop", scenario,
        mechanisms=dict(
            base_rate_difference=base_rate_difference, poverty_bias=poverty_bias,
            surveillance_bias=surveillance_bias, reporting_bias=reporting_bias,
            historical_bias=historical_bias, screener_bias=screener_bias,
            label_bias=label_bias),
        assumptions=dict(screener_accuracy=screener_accuracy, bias_share=bias_share))
    params["years"] = years
    rngs = streams(random_state, *STREAMS, "loop_labels", "loop_workers")
    loop = _Loop(params, policy, flag_rate, deference,
                 (rngs["loop_labels"], rngs["loop_workers"]))
    Simulation(H, params, rngs, decide=loop.decide)
    return loop.summary()


class _Loop:
    """The yearly decision: train on the records so far, score, decide, remember."""

    def __init__(self, params, policy, flag_rate, deference, rngs):
        self.p, self.policy, self.flag_rate, self.deference = params, policy, flag_rate, deference
        # separate streams, so that the labels are the same whoever decides
        self.label_rng, self.worker_rng = rngs
        self.years = []

    def features(self, sim, r) -> np.ndarray:
        idx = r["idx"]
        return np.column_stack([
            sim.deprivation[idx], sim.n_children[idx], sim.services[idx],
            r["professional"], np.log1p(r["prior"]), np.log1p(r["prior_screened_in"]),
        ]).astype(float)

    def decide(self, sim, t, r):
        X = self.features(sim, r)
        g = sim.g[r["idx"]]
        # would the referral be substantiated if investigated (label bias included)?
        label = (self.label_rng.random(g.size)
                 < sim.substantiation_probability(r["idx"], r["harm"]))
        workers = r["workers"]
        score = np.full(g.size, np.nan)
        decision, decided_by = workers, "workers"
        if t > 0:
            score = self.fit().predict_proba(X)[:, 1]
            rate = workers.mean() if self.flag_rate is None else self.flag_rate
            flagged = score >= np.quantile(score, 1.0 - rate)
            if self.policy == "model":
                decision, decided_by = flagged, "model"
            elif self.policy == "support":
                follow = self.worker_rng.random(g.size) < self.deference
                decision = np.where(flagged == workers, workers,
                                    np.where(follow, flagged, workers))
                decided_by = "workers with the model's score"
        self.years.append(dict(
            year=t + 1, decided_by=decided_by, X=X, g=g, harm=r["harm"], label=label,
            decision=decision, score=score, prior=r["prior"],
            prior_screened_in=r["prior_screened_in"]))
        return decision

    def fit(self):
        X = np.concatenate([y["X"][y["decision"]] for y in self.years])
        labels = np.concatenate([y["label"][y["decision"]] for y in self.years])
        model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
        return model.fit(X, labels)

    def summary(self) -> pd.DataFrame:
        groups = list(self.p["groups"])
        frames = [_describe(y, groups) for y in self.years]
        frame = pd.concat(frames, ignore_index=True)
        reference = frame[frame["group"] == groups[0]].set_index("year")
        for column in _RATIOS:
            frame[f"{column}_ratio_to_reference"] = (
                frame[column].to_numpy() / reference.loc[frame["year"], column].to_numpy())
        return frame


_RATIOS = ["selection_rate", "false_positive_rate_vs_truth", "mean_prior_screened_in"]


def _describe(y: dict, groups: list) -> pd.DataFrame:
    """One year's rates by group (``"all"`` first), against the truth and the label."""
    codes, harm, decision = y["g"], y["harm"], y["decision"]
    scored = not np.isnan(y["score"]).any()
    score = y["score"] if scored else None
    k = len(groups)
    truth = GroupMetrics(harm, decision, score, codes, k).estimates(
        ["base_rate", "selection_rate", "false_positive_rate", "precision", "roc_auc"]
        if scored else ["base_rate", "selection_rate", "false_positive_rate", "precision"])
    if not scored:
        truth = np.column_stack([truth, np.full(k + 1, np.nan)])
    # The label exists only for the screened in (selective labels).
    screened = GroupMetrics(y["label"][decision], None, None if score is None else
                            score[decision], codes[decision], k)
    label = screened.estimates(["base_rate", "roc_auc"] if scored else ["base_rate"])
    if not scored:
        label = np.column_stack([label, np.full(k + 1, np.nan)])
    n = np.r_[np.bincount(codes, minlength=k), codes.size]
    prior = np.bincount(codes, weights=y["prior"], minlength=k)
    prior_in = np.bincount(codes, weights=y["prior_screened_in"], minlength=k)
    with np.errstate(divide="ignore", invalid="ignore"):
        frame = pd.DataFrame({
            "year": y["year"], "group": [*groups, "all"], "decided_by": y["decided_by"],
            "n": n, "base_rate_vs_truth": truth[:, 0], "selection_rate": truth[:, 1],
            "false_positive_rate_vs_truth": truth[:, 2], "precision_vs_truth": truth[:, 3],
            "precision": label[:, 0], "roc_auc": label[:, 1], "roc_auc_vs_truth": truth[:, 4],
            "mean_prior_referrals": np.r_[prior, prior.sum()] / n,
            "mean_prior_screened_in": np.r_[prior_in, prior_in.sum()] / n,
        })
    return frame.iloc[np.r_[k, np.arange(k)]]
