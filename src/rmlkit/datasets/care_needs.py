"""Synthetic patients whose health care cost is a biased proxy for their health need.

A care-management programme enrols the patients an algorithm predicts to be the
costliest. Cost follows need, but also access to care: at the same health, patients
with less access generate less cost, so an algorithm trained on cost under-rates
them. Obermeyer et al. (2019) found exactly this in a widely used algorithm. The
generator keeps the true need (active chronic conditions) beside the cost, so the
label choice can be changed and its effect measured.

All data made here is synthetic. No row describes a real patient.

Introduced in lesson 6, Where bias comes from.
"""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd
from sklearn.linear_model import LinearRegression

from .._checks import check_count, check_number, check_random_state, check_type
from ._dataset import Dataset, streams
from ._graph import care_needs_graph

__all__ = ["CARE_NEEDS_DEFAULTS", "care_needs_findings", "care_needs_table", "make_care_needs"]

#: Parameters of the health world. ``access_bias`` and ``base_rate_difference`` are
#: mechanism strengths (0 switches them off, 1 is the default).
CARE_NEEDS_DEFAULTS = dict(
    groups=["White", "Black"],
    group_shares=[0.877, 0.123],
    # latent health: the disadvantaged group is sicker on average (log scale of conditions)
    need_gap=0.482,
    conditions_base=0.05,
    conditions_health=0.62,
    conditions_age=0.25,
    # yearly cost in dollars: exp(base + slope * log1p(conditions)), times access
    cost_base=6.826,
    cost_conditions=0.95,
    cost_sd=0.85,
    avoidable_base=5.8,
    avoidable_conditions=1.15,
    avoidable_sd=1.2,
    # access to care of the disadvantaged group (log scale, per unit of access_bias)
    access_gap_total=0.89,
    access_gap_avoidable=0.483,
    mechanisms={"access_bias": 1.0, "base_rate_difference": 1.0},
)

FEATURES = ["age", "female", "conditions_prior", "log_cost_prior", "log_avoidable_prior",
            "hba1c", "systolic_bp", "creatinine"]


def make_care_needs(n_patients: int = 50_000, *, random_state=None,
                    access_bias: float | None = None,
                    base_rate_difference: float | None = None) -> Dataset:
    """Simulate patients, their chronic conditions, and the cost of their care.

    Each patient has a latent health need. It drives the number of active chronic
    conditions, some biomarkers, and the cost of care, last year (the features) and
    next year (the labels). Cost also depends on access to care, which is lower for the
    disadvantaged group (``access_bias``).

    Introduced in lesson 6, Where bias comes from.

    Parameters
    ----------
    n_patients : int
        Number of patients (rows).
    random_state : int, numpy.random.Generator or None
        Seed for reproducible data. Each component draws from its own stream of
        ``numpy.random.SeedSequence(seed)``, independent of ``default_rng(seed)``.
    access_bias : float, optional
        Strength of the access gap (default 1; 0 to 5): at 0, equal health means
        equal cost in every group.
    base_rate_difference : float, optional
        Strength of the difference in health need between the groups (default 1).

    Returns
    -------
    Dataset
        ``observed`` has the features and the three candidate labels (next year's total
        cost, avoidable cost, and active chronic conditions); ``truth`` has the latent
        need and the costs each patient would have had with equal access.

    Examples
    --------
    >>> data = make_care_needs(1_000, random_state=0)
    >>> sorted(data.observed["race"].unique())
    ['Black', 'White']
    """
    n = check_count("n_patients", n_patients, minimum=1, maximum=20_000_000)
    check_random_state(random_state)
    p = copy.deepcopy(CARE_NEEDS_DEFAULTS)
    for name, value in (("access_bias", access_bias),
                        ("base_rate_difference", base_rate_difference)):
        if value is not None:
            p["mechanisms"][name] = check_number(name, value, low=0.0, high=5.0)
    p["n_patients"] = n
    p["maker"] = "make_care_needs"
    m = p["mechanisms"]
    r = streams(random_state, "patients", "conditions", "costs", "biomarkers")
    rng = r["patients"]

    black = rng.random(n) < p["group_shares"][1]
    age = rng.integers(25, 80, size=n)
    female = rng.random(n) < 0.62
    age_c = (age - 52) / 15
    health = rng.normal(0.0, 1.0, n) + m["base_rate_difference"] * p["need_gap"] * black
    rng = r["conditions"]
    rate = np.exp(p["conditions_base"] + p["conditions_health"] * health
                  + p["conditions_age"] * age_c)
    conditions_prior = rng.poisson(rate)
    conditions_next = rng.poisson(rate)

    gap_total = m["access_bias"] * p["access_gap_total"] * black
    gap_avoidable = m["access_bias"] * p["access_gap_avoidable"] * black

    def cost(conditions, base, slope, sd):
        return np.exp(base + slope * np.log1p(conditions) + r["costs"].normal(0.0, sd, n))

    cost_prior_equal = cost(conditions_prior, p["cost_base"], p["cost_conditions"], p["cost_sd"])
    avoid_prior_equal = cost(conditions_prior, p["avoidable_base"], p["avoidable_conditions"],
                             p["avoidable_sd"])
    cost_next_equal = cost(conditions_next, p["cost_base"], p["cost_conditions"], p["cost_sd"])
    avoid_next_equal = cost(conditions_next, p["avoidable_base"], p["avoidable_conditions"],
                            p["avoidable_sd"])

    rng = r["biomarkers"]
    observed = pd.DataFrame({
        "patient_id": np.arange(1, n + 1),
        "race": pd.Categorical(np.where(black, "Black", "White"), categories=p["groups"]),
        "age": age.astype(np.int16),
        "female": female,
        "conditions_prior": conditions_prior.astype(np.int16),
        "cost_prior": np.round(cost_prior_equal * np.exp(-gap_total), 2),
        "avoidable_cost_prior": np.round(avoid_prior_equal * np.exp(-gap_avoidable), 2),
        "hba1c": np.round(5.6 + 0.45 * health + rng.normal(0, 0.6, n), 1),
        "systolic_bp": np.round(124 + 7 * health + 4 * age_c + rng.normal(0, 11, n)),
        "creatinine": np.round(np.exp(-0.05 + 0.12 * health + rng.normal(0, 0.2, n)), 2),
        "total_cost": np.round(cost_next_equal * np.exp(-gap_total), 2),
        "avoidable_cost": np.round(avoid_next_equal * np.exp(-gap_avoidable), 2),
        "active_chronic_conditions": conditions_next.astype(np.int16),
    })
    truth = pd.DataFrame({
        "health_need": health,
        "total_cost_with_equal_access": np.round(cost_next_equal, 2),
        "avoidable_cost_with_equal_access": np.round(avoid_next_equal, 2),
    })
    population = observed.groupby("race", observed=False).size().rename("patients").reset_index()
    return Dataset(observed, truth, p, population, graph=care_needs_graph(), DESCR=_datasheet(p))


def _features(observed: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        "age": observed["age"],
        "female": observed["female"].astype(float),
        "conditions_prior": observed["conditions_prior"],
        "log_cost_prior": np.log1p(observed["cost_prior"]),
        "log_avoidable_prior": np.log1p(observed["avoidable_cost_prior"]),
        "hba1c": observed["hba1c"],
        "systolic_bp": observed["systolic_bp"],
        "creatinine": observed["creatinine"],
    })


def risk_scores(observed: pd.DataFrame, label: str, *, train_share: float = 0.5,
                random_state: int = 0) -> pd.Series:
    """Train a linear model on half the patients to predict ``label``; score the rest.
    Introduced in the book page "Data: synthetic patients, care needs and costs".


    Returns the scores of the held-out patients (indexed like ``observed``).
    """
    rng = np.random.default_rng(random_state)
    train = rng.random(len(observed)) < train_share
    X = _features(observed)
    y = observed[label]
    if label != "active_chronic_conditions":
        y = np.log1p(y)
    model = LinearRegression().fit(X[train], y[train])
    return pd.Series(model.predict(X[~train]), index=observed.index[~train], name=label)


def care_needs_findings(data: Dataset) -> dict[str, float]:
    """Reproduce the label-choice findings of Obermeyer et al. (2019) on ``data``.

    Introduced in lesson 13, Beyond child welfare.

    Returns
    -------
    dict
        ``share_top3_<label>``: share of Black patients among the top 3 % of risk scores
        of a model trained on each label; ``excess_conditions_at_97th``: how many more
        active chronic conditions Black patients have than White patients at the 97th
        percentile of the cost-trained score (relative); ``share_if_unbiased``: the Black
        share of the top 3 % after swapping in sicker Black patients for healthier White
        ones, as in the paper; ``cost_gap_at_equal_health``: how much less (in dollars)
        Black patients cost in a year than White patients with the same number of active
        chronic conditions.
    """
    check_type("data", data, Dataset, "the Dataset that make_care_needs() returns")
    o = data.observed
    out = {}
    scores = {}
    for label in ("total_cost", "avoidable_cost", "active_chronic_conditions"):
        s = risk_scores(o, label)
        scores[label] = s
        top = s >= s.quantile(0.97)
        out[f"share_top3_{label}"] = float((o.loc[top[top].index, "race"] == "Black").mean())

    s = scores["total_cost"]
    held = o.loc[s.index].assign(score=s)
    percentile = held["score"].rank(pct=True)
    band = held[(percentile >= 0.95) & (percentile <= 0.99)]
    means = band.groupby("race", observed=True)["active_chronic_conditions"].mean()
    out["excess_conditions_at_97th"] = float(means["Black"] / means["White"] - 1)

    top = held[percentile > 0.97]
    below = held[percentile <= 0.97]
    white_above = np.sort(top.loc[top["race"] == "White", "active_chronic_conditions"].to_numpy())
    black_below = np.sort(
        below.loc[below["race"] == "Black", "active_chronic_conditions"].to_numpy())[::-1]
    k = min(len(white_above), len(black_below))
    swaps = int(np.sum(black_below[:k] > white_above[:k]))
    out["share_if_unbiased"] = float(((top["race"] == "Black").sum() + swaps) / len(top))

    # cost gap at equal health: within each number of conditions, weighted by patients
    by = o.groupby(["active_chronic_conditions", "race"], observed=True)["total_cost"].mean()
    by = by.unstack("race").dropna()
    weights = o["active_chronic_conditions"].value_counts().reindex(by.index)
    out["cost_gap_at_equal_health"] = float(np.average(by["White"] - by["Black"],
                                                       weights=weights))
    return out


#: The findings of Obermeyer et al. (2019), with the relative tolerance the kit accepts
#: (the paper gives none). The first four are calibrated; the last two follow from them.
CARE_NEEDS_TARGETS = [
    ("share_top3_total_cost", "Black share of the top 3 %, label: total cost", 0.141, 0.15),
    ("share_top3_avoidable_cost", "Black share of the top 3 %, label: avoidable cost",
     0.210, 0.15),
    ("share_top3_active_chronic_conditions",
     "Black share of the top 3 %, label: active chronic conditions", 0.267, 0.15),
    ("cost_gap_at_equal_health", "lower yearly cost of Black patients at equal health ($)",
     1801.0, 0.15),
    ("excess_conditions_at_97th",
     "more chronic conditions for Black patients at the same (97th percentile) score",
     0.263, 0.35),
    ("share_if_unbiased", "Black share of the programme if the bias were removed",
     0.465, 0.25),
]


def care_needs_table(data: Dataset) -> pd.DataFrame:
    """The findings of Obermeyer et al. (2019) beside their values in ``data``.

    Introduced in lesson 6, Where bias comes from.
    """
    if not isinstance(data, Dataset) or "race" not in data.observed:
        raise TypeError("data must be what make_care_needs() returns.")
    values = care_needs_findings(data)
    rows = []
    for key, statistic, target, tolerance in CARE_NEEDS_TARGETS:
        low, high = target * (1 - tolerance), target * (1 + tolerance)
        rows.append(dict(statistic=statistic, target=target, low=low, high=high,
                         value=values[key], met=bool(low <= values[key] <= high),
                         source="Obermeyer et al. 2019, Science 366:447", key=key))
    return pd.DataFrame(rows)


def _datasheet(p: dict) -> str:
    return f"""# Datasheet: synthetic patients, care needs and costs

*{p['n_patients']:,} patients. Made by `rmlkit.datasets.make_care_needs`. Access-bias
strength {p['mechanisms']['access_bias']:g}, need-difference strength
{p['mechanisms']['base_rate_difference']:g}.*

## Motivation
To teach the label-choice problem: an algorithm trained to predict health care cost
treats cost as a measure of need, but cost also measures access to care.

## Composition
One row per patient. **All data is synthetic: no row describes a real patient.** Two
groups, named as in Obermeyer et al. (2019): Black and White patients. Features from
last year (age, sex, chronic conditions, costs, three biomarkers) and three candidate
labels for next year: total cost, avoidable cost (emergency visits and
hospitalisations) and active chronic conditions. `truth` holds the latent health need
and what each patient's costs would have been with equal access.

## Collection process
Simulated: a latent health need drives the number of chronic conditions (Poisson), the
biomarkers and the costs; at the same need the disadvantaged group's costs are lower
by a fixed factor (the access gap), more for total than for avoidable cost.

## Uses and limits
For lessons on proxies and label choice. Calibrated to the headline findings of one
study; not a model of any real health system or group.
"""
