"""Models trained on the synthetic data are about as good, and as flawed, as real ones.

The targets (Chouldechova et al. 2018; What Works for Children's Social Care 2020):
a placement model on screened-in referrals has a test AUC in 0.65-0.85; splitting
siblings across training and test data inflates the AUC; at the same (top) scores of a
logistic regression, Black children are placed more often than White children (50 % vs
30 %); and precision stays low at realistic flagging rates (below 0.65, the bound the
course's calibration targets set; it is not quoted in the book as a figure of the What
Works study, whose report could not be read: the book says only that no model there
reached its researchers' minimum bar).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import precision_score, roc_auc_score
from sklearn.model_selection import GroupShuffleSplit, ShuffleSplit
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from rmlkit.datasets import make_child_welfare

pytestmark = pytest.mark.slow
FEATURES = ["child_age", "n_children", "carer_age", "deprivation_decile", "disability",
            "reporter_professional", "prior_referrals", "prior_screened_in", "benefits",
            "housing_support", "police_contact", "health_contact", "year"]


def boosted_model():
    return HistGradientBoostingClassifier(max_iter=300, max_leaf_nodes=63,
                                          min_samples_leaf=5, random_state=0)


def fit_and_score(model, X, y, train, test):
    model.fit(X.iloc[train], y.iloc[train])
    return model.predict_proba(X.iloc[test])[:, 1]


@pytest.fixture(scope="module", params=["us", "england"])
def results(request):
    data = make_child_welfare(150_000, scenario=request.param, random_state=11)
    # England's stages have England's names: an assessment, then looked after
    screened, placed = (("screened_in", "placed_2y") if request.param == "us"
                        else ("assessed", "looked_after_2y"))
    s = data.observed[data.observed[screened]].rename(
        columns={placed: "placed_2y"}).reset_index(drop=True)
    X = pd.concat([s[FEATURES].astype(float),
                   pd.get_dummies(s[["allegation", "reporter"]]).astype(float)], axis=1)
    y = s["placed_2y"].astype(int)
    grouped = next(GroupShuffleSplit(1, test_size=0.3, random_state=0)
                   .split(X, y, groups=s["household_id"]))
    shuffled = next(ShuffleSplit(1, test_size=0.3, random_state=0).split(X))
    out = {"scenario": request.param, "frame": s, "X": X, "y": y, "grouped": grouped}
    for name, split in [("grouped", grouped), ("random", shuffled)]:
        for kind, model in [
            ("lr", make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000))),
            ("gb", boosted_model()),
        ]:
            scores = fit_and_score(model, X, y, *split)
            out[(name, kind)] = (scores, roc_auc_score(y.iloc[split[1]], scores))
    return out


def test_auc_is_in_the_published_band(results):
    for kind in ("lr", "gb"):
        auc = results[("grouped", kind)][1]
        assert 0.65 <= auc <= 0.85, f"{results['scenario']} {kind}: AUC {auc:.3f}"
    # published: logistic regression about 0.70, gradient boosting about 0.80
    assert results[("grouped", "gb")][1] >= results[("grouped", "lr")][1] + 0.05


def leakage_aucs(results, n_splits=3):
    """Mean test AUC of the boosted model over household splits and over row splits.

    One split of 150,000 referrals moves the grouped AUC by about 0.01 (England, seed 11:
    0.840 against 0.818 for seed 7), as much as half the effect, so the comparison
    averages a few splits; the first of each is the one the other tests use."""
    s, y = results["frame"], results["y"]
    X = results["X"]
    aucs = {"grouped": [results[("grouped", "gb")][1]], "random": [results[("random", "gb")][1]]}
    for seed in range(1, n_splits):
        splits = {
            "grouped": next(GroupShuffleSplit(1, test_size=0.3, random_state=seed)
                            .split(X, y, groups=s["household_id"])),
            "random": next(ShuffleSplit(1, test_size=0.3, random_state=seed).split(X)),
        }
        for name, split in splits.items():
            scores = fit_and_score(boosted_model(), X, y, *split)
            aucs[name].append(roc_auc_score(y.iloc[split[1]], scores))
    return {name: float(np.mean(values)) for name, values in aucs.items()}


def test_household_leakage_inflates_auc(results):
    aucs = leakage_aucs(results)
    assert aucs["random"] - aucs["grouped"] >= 0.02, aucs


def test_black_children_are_placed_more_at_the_same_top_scores(results):
    """Chouldechova et al. (2018, section 3.2): screened-in referrals scoring 20 of 20 on
    the AFST copy (a logistic regression) were placed within two years in 50 % of cases
    for Black children and 30 % for White children.

    At this size (about 1,100 children in the top twentieth of the test half) the gap
    varies by about 0.05 by chance, so this checks its direction; its size is checked
    by the calibration table at 400,000 rows for three seeds (``top_ventile_gap``). The
    world before the placement-stage bias was raised gave 0.02 here.
    """
    if results["scenario"] != "us":
        pytest.skip("the published comparison is for the US (Allegheny) data")
    scores, _ = results[("grouped", "lr")]
    test = results["frame"].iloc[results["grouped"][1]].assign(score=scores)
    top = test[test["score"] >= np.quantile(scores, 0.95)]
    rates = top.groupby("race_ethnicity", observed=True)["placed_2y"].mean()
    assert rates["Black"] - rates["White"] >= 0.03, rates.to_dict()


def test_precision_stays_low_at_realistic_flag_rates(results):
    y_test = results["y"].iloc[results["grouped"][1]]
    for kind in ("lr", "gb"):
        scores, _ = results[("grouped", kind)]
        for flag_rate in (0.05, 0.10, 0.20):
            flagged = scores >= np.quantile(scores, 1 - flag_rate)
            assert precision_score(y_test, flagged) < 0.65
