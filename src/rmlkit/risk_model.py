"""The course's placement risk model, set up once for every lesson that uses it.

Most lessons study the same kind of tool: a logistic regression trained on past
screened-in referrals to predict placement in care within two years, the outcome the
Allegheny Family Screening Tool was built to predict. :func:`placement_model` builds it
the same way each time, with the steps that lesson 4 shows one by one: a
split by household with scikit-learn's ``GroupShuffleSplit`` (six in ten households
"past", four in ten "new", so that siblings stay on one side), the same features,
standardising then a logistic regression trained on the past referrals that were
screened in. Its :meth:`PlacementModel.test_referrals` gives the test data (the new
referrals that were screened in, the only ones with a label) with each score and the
flag on the 10 % highest. :func:`screening_comparison` compares the model with the
workers' own decisions at the same capacity, against the truth that only a simulation
has.

All data made here is synthetic.

Introduced in lesson 4, Building and evaluating a risk model honestly.
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

    Introduced in lesson 4, Building and evaluating a risk model honestly.

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
    test : numpy.ndarray of bool
        The test data: new referrals that were screened in, whose label is known but
        which the model never saw.
    model : sklearn.pipeline.Pipeline
        Standardising, then a logistic regression.
    scores : numpy.ndarray
        The model's score for every row of ``data.observed``.
    referrals : pandas.DataFrame
        ``data.observed``, the table the masks and scores refer to.
    """

    features: list[str]
    past: np.ndarray = field(repr=False)
    new: np.ndarray = field(repr=False)
    trained_on: np.ndarray = field(repr=False)
    test: np.ndarray = field(repr=False)
    model: object = field(repr=False)
    scores: np.ndarray = field(repr=False)
    referrals: pd.DataFrame = field(repr=False)

    def flag_top(self, share: float = 0.10) -> np.ndarray:
        """Flag the test referrals whose score is among the highest ``share`` of them.

        The threshold is the ``1 - share`` quantile of the test scores
        (``np.quantile``); every test referral at or above it is flagged. Rows outside
        the test data are never flagged.

        Introduced in lesson 4, Building and evaluating a risk model honestly.

        Parameters
        ----------
        share : float
            The share of test referrals to flag, between 0.01 and 1 (default 0.10,
            the capacity the lessons assume).

        Returns
        -------
        numpy.ndarray of bool
            One value per row of ``data.observed``.
        """
        share = check_number("share", share, low=0.01, high=1.0)
        threshold = np.quantile(self.scores[self.test], 1 - share)
        return self.test & (self.scores >= threshold)

    def test_referrals(self, share: float = 0.10) -> pd.DataFrame:
        """The test data as a table: one row per test referral, with its ``score`` and
        ``flagged`` (1 for the highest ``share`` of scores, see :meth:`flag_top`).

        Introduced in lesson 4, Building and evaluating a risk model honestly.

        Parameters
        ----------
        share : float
            The share of test referrals to flag (default 0.10).

        Returns
        -------
        pandas.DataFrame
            The rows of ``data.observed`` in :attr:`test`, numbered from 0.
        """
        flagged = self.flag_top(share)[self.test]
        return (self.referrals[self.test].reset_index(drop=True)
                .assign(score=self.scores[self.test], flagged=flagged.astype(int)))


def placement_model(data, *, label: str = "placed_2y", test_share: float = 0.4,
                    features: list[str] | None = None, random_state=None) -> PlacementModel:
    """Train the course's placement model on past screened-in referrals.

    Households are split at random into past (``1 - test_share``) and new
    (``test_share``) referrals with scikit-learn's ``GroupShuffleSplit``, so that
    siblings are never on both sides. The model is trained on the past referrals that
    were screened in, the only ones with a label; the new referrals that were screened
    in are its test data.

    Introduced in lesson 4, Building and evaluating a risk model honestly.

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
        Seed for the household split (the lessons pass their ``SEED``).

    Returns
    -------
    PlacementModel

    Examples
    --------
    >>> from rmlkit.datasets import make_child_welfare
    >>> tool = placement_model(make_child_welfare(3_000, random_state=1), random_state=1)
    >>> bool(tool.trained_on.any() and tool.test.any() and not (tool.trained_on & tool.test).any())
    True
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GroupShuffleSplit
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
    seed = _split_seed(random_state)
    split = GroupShuffleSplit(n_splits=1, test_size=test_share, random_state=seed)
    _, new_rows = next(split.split(observed, groups=observed["household_id"]))
    is_new = np.zeros(len(observed), dtype=bool)
    is_new[new_rows] = True
    screened = observed["screened_in"].to_numpy(dtype=bool)
    trained_on = ~is_new & screened
    X = observed[features].astype(float)
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
    model.fit(X[trained_on], observed.loc[trained_on, label].astype(int))
    scores = model.predict_proba(X)[:, 1]
    return PlacementModel(features, ~is_new, is_new, trained_on, is_new & screened, model,
                          scores, observed)


def _split_seed(random_state) -> int | None:
    """An int or None for scikit-learn, from what check_random_state accepts."""
    if random_state is None or isinstance(random_state, np.random.Generator):
        return int(check_random_state(random_state).integers(2**31 - 1))
    check_random_state(random_state)
    return int(random_state)


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
