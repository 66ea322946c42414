"""Synthetic students, schools and districts for dropout early-warning systems.

Early-warning systems score students on their risk of not graduating. Perdomo et al.
(2023) found in Wisconsin's system that the school and district a student attends
carry most of the signal: a model given only those environment features targets
about as well as one given the student's own record. Reporting on the same system
found more false alarms for Black and Hispanic students. This generator keeps each
student's true dropout propensity beside the record, with a measurement-bias knob
for how discipline is recorded.

All data made here is synthetic. No row describes a real student.

Introduced in the book page "Data: synthetic students and dropout early warning".
"""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from .._checks import (
    check_count,
    check_number,
    check_probability,
    check_random_state,
    check_type,
)
from ._dataset import Dataset, streams
from ._graph import dropout_graph

__all__ = ["DROPOUT_DEFAULTS", "ENVIRONMENT", "INDIVIDUAL", "dropout_findings", "make_dropout"]

DROPOUT_DEFAULTS = dict(
    groups=["White", "Black", "Hispanic", "Asian", "Other"],
    # group shares in the least and in the most disadvantaged schools (segregation)
    group_shares_advantaged=[0.86, 0.03, 0.05, 0.04, 0.02],
    group_shares_disadvantaged=[0.30, 0.35, 0.27, 0.04, 0.04],
    n_districts=40,
    students_per_school=120,
    district_sd=0.7,
    school_sd=0.5,
    dropout_base=-2.6,
    dropout_environment=1.15,
    dropout_individual=0.75,
    # discipline recorded per unit of misbehaviour: higher for Black students at strength 1
    discipline_gap=0.6,
    mechanisms={"measurement_bias": 1.0},
)

#: The features about the student (the individual risk factors of an early-warning system).
INDIVIDUAL = ["attendance_rate", "gpa", "discipline_incidents", "test_score", "retained",
              "low_income", "english_learner", "disability"]
#: The features about the student's school and district (the environment).
ENVIRONMENT = ["school_poverty_rate", "school_past_dropout_rate", "school_size",
               "district_poverty_rate"]


def make_dropout(n_students: int = 50_000, *, random_state=None,
                 measurement_bias: float | None = None) -> Dataset:
    """Simulate students in schools and districts, and whether each drops out.

    Introduced in the book page "Data: synthetic students and dropout early warning".

    Parameters
    ----------
    n_students : int
        Number of students (rows).
    random_state : int, numpy.random.Generator or None
        Seed for reproducible data. Each component draws from its own stream of
        ``numpy.random.SeedSequence(seed)``, independent of ``default_rng(seed)``.
    measurement_bias : float, optional
        How much more discipline is recorded for Black students at the same behaviour
        (default 1; 0 switches it off; up to 5).

    Returns
    -------
    Dataset
        ``observed`` has individual features, school and district features and the
        outcome ``dropped_out``; ``truth`` has each student's true propensity and
        their discipline record without measurement bias.

    Examples
    --------
    >>> data = make_dropout(2_000, random_state=0)
    >>> data.observed["dropped_out"].dtype
    dtype('bool')
    """
    n = check_count("n_students", n_students, minimum=1, maximum=20_000_000)
    check_random_state(random_state)
    p = copy.deepcopy(DROPOUT_DEFAULTS)
    if measurement_bias is not None:
        p["mechanisms"]["measurement_bias"] = check_number(
            "measurement_bias", measurement_bias, low=0.0, high=5.0)
    p["n_students"] = n
    p["maker"] = "make_dropout"
    r = streams(random_state, "schools", "students", "records")
    rng = r["schools"]
    m = p["mechanisms"]

    n_schools = max(1, int(np.ceil(n / p["students_per_school"])))
    district_of_school = rng.integers(0, p["n_districts"], size=n_schools)
    district_effect = rng.normal(0.0, p["district_sd"], p["n_districts"])
    school_env = district_effect[district_of_school] + rng.normal(0.0, p["school_sd"], n_schools)
    env_rank = (pd.Series(school_env).rank(pct=True)).to_numpy()  # 0 advantaged .. 1 not

    rng = r["students"]
    school = np.sort(rng.integers(0, n_schools, size=n))
    w = env_rank[school][:, None]
    shares = ((1 - w) * np.asarray(p["group_shares_advantaged"])
              + w * np.asarray(p["group_shares_disadvantaged"]))
    u = rng.random(n)[:, None]
    group = (u > np.cumsum(shares, axis=1)).sum(axis=1).clip(0, len(p["groups"]) - 1)
    black = group == p["groups"].index("Black")

    env = school_env[school]
    individual = rng.normal(0.0, 1.0, n)
    low_income = rng.random(n) < 1 / (1 + np.exp(-(1.6 * env - 0.3)))
    propensity = (p["dropout_base"] + p["dropout_environment"] * env
                  + p["dropout_individual"] * individual + 0.3 * low_income)
    dropped_out = rng.random(n) < 1 / (1 + np.exp(-propensity))

    rng = r["records"]
    # the record: noisy measures of the individual latent and, partly, the environment
    attendance = np.clip(0.93 - 0.03 * individual - 0.02 * env + rng.normal(0, 0.04, n), 0.4, 1)
    gpa = np.clip(2.9 - 0.35 * individual - 0.2 * env + rng.normal(0, 0.55, n), 0, 4)
    behaviour = np.exp(-0.6 + 0.45 * individual + 0.2 * env + rng.normal(0, 0.5, n))
    discipline_fair = rng.poisson(behaviour)
    extra = rng.poisson(behaviour * (np.exp(m["measurement_bias"] * p["discipline_gap"]) - 1)
                        * black)
    discipline = discipline_fair + extra
    test_score = np.round(np.clip(50 - 7 * individual - 6 * env + rng.normal(0, 9, n), 1, 99))
    retained = rng.random(n) < 1 / (1 + np.exp(-(-2.8 + 0.9 * individual + 0.3 * env)))

    school_poverty = pd.Series(low_income).groupby(school).transform("mean").to_numpy()
    district = district_of_school[school]
    district_poverty = pd.Series(low_income).groupby(district).transform("mean").to_numpy()
    past_rate = 1 / (1 + np.exp(-(p["dropout_base"] + p["dropout_environment"] * school_env)))
    past_dropout = rng.binomial(p["students_per_school"], past_rate) / p["students_per_school"]
    school_size = pd.Series(school).map(pd.Series(school).value_counts()).to_numpy()

    observed = pd.DataFrame({
        "student_id": np.arange(1, n + 1),
        "school_id": school + 1,
        "district_id": district + 1,
        "race_ethnicity": pd.Categorical.from_codes(group, categories=p["groups"]),
        "low_income": low_income,
        "english_learner": rng.random(n) < np.where(group == 2, 0.35, 0.04),
        "disability": rng.random(n) < 0.13,
        "attendance_rate": np.round(attendance, 3),
        "gpa": np.round(gpa, 2),
        "discipline_incidents": discipline.astype(np.int16),
        "test_score": test_score.astype(np.int16),
        "retained": retained,
        "school_poverty_rate": np.round(school_poverty, 3),
        "school_past_dropout_rate": np.round(past_dropout[school], 3),
        "school_size": school_size.astype(np.int32),
        "district_poverty_rate": np.round(district_poverty, 3),
        "dropped_out": dropped_out,
    })
    truth = pd.DataFrame({
        "propensity": 1 / (1 + np.exp(-propensity)),
        "environment": env,
        "individual": individual,
        "discipline_without_measurement_bias": discipline_fair.astype(np.int16),
    })
    population = observed.groupby("race_ethnicity", observed=False).size().rename(
        "students").reset_index()
    return Dataset(observed, truth, p, population, graph=dropout_graph(), DESCR=_datasheet(p))


def dropout_findings(data: Dataset, *, flag_share: float = 0.25) -> dict[str, float]:
    """Reproduce the early-warning findings on ``data``.

    Trains logistic regressions on half the schools and tests on the other half (so no
    school is in both): one on individual features, one on environment features, one
    on both. Flags the top ``flag_share`` of students by the full model and compares
    false positive rates by group.

    Introduced in the book page "Data: synthetic students and dropout early warning".
    """
    check_type("data", data, Dataset, "the Dataset that make_dropout() or load_dropout() returns")
    flag_share = check_probability("flag_share", flag_share)
    o = data.observed
    test = (o["school_id"] % 2 == 0).to_numpy()
    y = o["dropped_out"].astype(int)
    out = {}
    scores = {}
    for name, cols in (("individual", INDIVIDUAL), ("environment", ENVIRONMENT),
                       ("both", INDIVIDUAL + ENVIRONMENT)):
        X = o[cols].astype(float)
        model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
        model.fit(X[~test], y[~test])
        scores[name] = model.predict_proba(X[test])[:, 1]
        out[f"auc_{name}"] = float(roc_auc_score(y[test], scores[name]))
    flagged = scores["both"] >= np.quantile(scores["both"], 1 - flag_share)
    frame = o.loc[test, ["race_ethnicity"]].assign(flagged=flagged, y=y[test].to_numpy())
    negatives = frame[frame["y"] == 0]
    fpr = negatives.groupby("race_ethnicity", observed=True)["flagged"].mean()
    for group in ("White", "Black", "Hispanic"):
        out[f"fpr_{group}"] = float(fpr[group])
    out["dropout_rate"] = float(y.mean())
    return out


def _datasheet(p: dict) -> str:
    return f"""# Datasheet: synthetic students, schools and districts

*{p['n_students']:,} students. Made by `rmlkit.datasets.make_dropout`. Measurement-bias
strength {p['mechanisms']['measurement_bias']:g}.*

## Motivation
To teach what early-warning systems in education predict, and for whom they raise false
alarms.

## Composition
One row per student. **All data is synthetic: no row describes a real student.** Each
student attends a school in a district; schools differ in disadvantage, and the
student body's composition follows it (segregation). Individual features (attendance,
grades, discipline, test scores, retention, low income, English learner, disability),
environment features (school and district poverty, the school's past dropout rate and
size) and the outcome `dropped_out`. `truth` holds each student's true propensity and
the discipline record without measurement bias.

## Collection process
Simulated: dropout depends mostly on the school environment and partly on an
individual latent that the record measures with noise. At strength 1, discipline is
recorded more often for Black students at the same behaviour.

## Uses and limits
For lessons on early-warning systems, environment versus individual prediction, and
unequal false alarms. Reproduces qualitative findings, not any real state's figures.
"""
