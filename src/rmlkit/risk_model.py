"""The course's placement risk model, set up once for every lesson that uses it.

Most lessons study the same kind of tool: a logistic regression trained on past
screened-in referrals to predict placement in care within two years, the outcome the
Allegheny Family Screening Tool was built to predict. :func:`placement_model` builds it
the same way each time (a split by household, so that siblings stay on one side; the
same features; standardising then a logistic regression), and
:func:`screening_comparison` compares it with the workers' own decisions at the same
capacity, against the truth that only a simulation has.

All data made here is synthetic.

Introduced in lesson 6, Where bias comes from.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ._checks import check_number, check_random_state

__all__ = ["FEATURES", "PlacementModel", "placement_model", "screening_comparison"]

#: What the model reads about each referral: characteristics, the reporter, prior
#: contact with the agency and with public services. Never race or ethnicity.
FEATURES = [
    "child_age", "n_children", "carer_age", "deprivation_decile", "disability",
    "reporter_professional", "prior_referrals", "prior_screened_in", "benefits",
    "housing_support", "police_contact", "health_contact",
]


@dataclass
class PlacementModel:
    """What :func:`placement_model` returns.

    Introduced in lesson 12, Ethics, law and governance.

    Attributes
    ----------
    features : list of str
        The columns of ``data.observed`` the model reads.
    past, new : numpy.ndarray of bool
        Row masks of ``data.observed``: the households used for training ("past"
        referrals) and the others ("new" referrals, never seen in training).
    trained_on : numpy.ndarray of bool
        The rows it was trained on: past referrals that were screened in (only they
        have a label).
    model : sklearn.pipeline.Pipeline
        Standardising, then a logistic regression.
    scores : numpy.ndarray
        The model's score for every row of ``data.observed``.
    """

    features: list[str]
    past: np.ndarray = field(repr=False)
    new: np.ndarray = field(repr=False)
    trained_on: np.ndarray = field(repr=False)
    model: object = field(repr=False)
    scores: np.ndarray = field(repr=False)


def placement_model(data, *, label: str = "placed_2y", test_share: float = 0.4,
                    features: list[str] | None = None, random_state=None) -> PlacementModel:
    """Train the course's placement model on past screened-in referrals.

    Households are split at random into past (``1 - test_share``) and new
    (``test_share``) referrals, so that siblings are never on both sides. The model is
    trained on the past referrals that were screened in, the only ones with a label.

    Introduced in lesson 6, Where bias comes from.

    Parameters
    ----------
    data : Dataset
        Made by ``rmlkit.datasets.make_child_welfare`` (US scenario columns).
    label : str
        The outcome the model learns: ``"placed_2y"`` (default) or ``"substantiated"``.
    test_share : float
        Share of households kept apart as new referrals, between 0.05 and 0.95.
    features : list of str, optional
        The columns the model reads (default :data:`FEATURES`).
    random_state : int, numpy.random.Generator or None
        Seed for the household split.

    Returns
    -------
    PlacementModel
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    observed = _observed(data)
    if label not in ("placed_2y", "substantiated"):
        raise ValueError(
            f"label must be 'placed_2y' or 'substantiated', but you gave {label!r}."
        )
    test_share = check_number("test_share", test_share, low=0.05, high=0.95)
    features = list(FEATURES if features is None else features)
    missing = [f for f in features if f not in observed.columns]
    if missing:
        raise ValueError(
            f"features names columns that data.observed does not have: {missing}. "
            "Choose from data.observed.columns."
        )
    rng = check_random_state(random_state)
    households = pd.factorize(observed["household_id"])[0]
    is_new = (rng.random(households.max() + 1) < test_share)[households]
    trained_on = ~is_new & observed["screened_in"].to_numpy(dtype=bool)
    X = observed[features].astype(float)
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
    model.fit(X[trained_on], observed.loc[trained_on, label].astype(int))
    scores = model.predict_proba(X)[:, 1]
    return PlacementModel(features, ~is_new, is_new, trained_on, model, scores)


def screening_comparison(data, tool: PlacementModel | None = None, *,
                         random_state=0) -> dict[str, float]:
    """Harmed children found at screening by the workers, the tool and a simple rule.

    On the new referrals, each option screens in the same number of referrals as the
    workers did (the agency's capacity does not change because a tool arrives). The
    tool takes the highest scores; the rule takes the most prior referrals. Only a
    simulation can count the harmed children among them.

    Introduced in lesson 12, Ethics, law and governance.

    Parameters
    ----------
    data : Dataset
        The data ``tool`` was made from.
    tool : PlacementModel, optional
        From :func:`placement_model`. By default one is trained on ``data`` with
        ``random_state``, so that ``screening_comparison`` alone can be given to
        :func:`rmlkit.assumptions.sweep`.
    random_state : int, numpy.random.Generator or None
        Seed for the household split when ``tool`` is not given.

    Returns
    -------
    dict
        ``harmed found, workers``, ``harmed found, tool``, ``harmed found, rule``, the
        same as shares of all harmed children (``share found, ...``), and
        ``tool minus workers`` (harmed children).
    """
    from .tradeoffs import capacity_decisions

    observed = _observed(data)
    if tool is None:
        tool = placement_model(data, random_state=random_state)
    if not isinstance(tool, PlacementModel) or tool.scores.shape[0] != len(observed):
        raise TypeError(
            "tool must be what placement_model(data) returned for this same data."
        )
    new = tool.new
    harmed = data.truth["harm"].to_numpy(dtype=bool)[new]
    workers = observed["screened_in"].to_numpy(dtype=bool)[new]
    capacity = int(workers.sum())
    prior = (observed["prior_referrals"] + observed["prior_screened_in"] / 100).to_numpy()[new]
    options = {
        "workers": workers,
        "tool": capacity_decisions(tool.scores[new], capacity),
        "rule": capacity_decisions(prior / max(prior.max(), 1), capacity),
    }
    found = {name: int((acted & harmed).sum()) for name, acted in options.items()}
    total = max(int(harmed.sum()), 1)
    result = {f"harmed found, {name}": float(n) for name, n in found.items()}
    result.update({f"share found, {name}": n / total for name, n in found.items()})
    result["tool minus workers"] = float(found["tool"] - found["workers"])
    return result


def _observed(data) -> pd.DataFrame:
    observed = getattr(data, "observed", None)
    needed = {"household_id", "screened_in", "placed_2y"}
    if not isinstance(observed, pd.DataFrame) or not needed <= set(observed.columns):
        raise TypeError(
            "data must be what make_child_welfare() or load_child_welfare() returns, with "
            f"the US scenario's columns ({', '.join(sorted(needed))}), but you gave a "
            f"{type(data).__name__}."
        )
    return observed
