"""Synthetic data with a known ground truth.

Real child-welfare records cannot be shared, and they never tell us what was really
true for a child. The generators here simulate a world in which we *do* know: every
child has a latent true need, and every record an agency would hold is produced from
it by a process with named, switchable bias mechanisms.

All data made here is synthetic. No row describes a real child or family.

Introduced in {ref}`lesson-first-model`.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ._checks import check_choice, check_count, check_number, check_random_state

__all__ = ["Dataset", "MECHANISMS", "SCENARIOS", "make_child_welfare"]

#: The bias mechanisms, each a strength: 0 switches it off, 1 is the scenario's
#: default strength, 2 doubles it.
MECHANISMS = {
    "base_rate_difference": (
        "Real differences in need between groups, for example through poverty and "
        "its causes. Not a measurement error, but it still shapes what a model learns."
    ),
    "surveillance_bias": (
        "Some groups have more contact with public services (benefits, housing, "
        "police, health) at the same level of need, so more of their lives is recorded "
        "and more of them are referred."
    ),
    "reporting_bias": (
        "Reporters refer families from some groups more readily when there is no "
        "underlying need."
    ),
    "historical_bias": (
        "Recorded history (prior referrals) is inflated for some groups by past "
        "practice, before the simulation starts."
    ),
    "screener_bias": (
        "Screeners screen in referrals about some groups more often on the same "
        "information."
    ),
    "label_bias": (
        "The outcome used as a label (substantiation, placement) is more likely for "
        "some groups at the same true harm: the proxy measures the system as well as "
        "the child."
    ),
}

_US_GROUPS = [
    "White",
    "Hispanic",
    "Black",
    "Asian",
    "Two or more races",
    "American Indian or Alaska Native",
    "Native Hawaiian or Pacific Islander",
]
_ENGLAND_GROUPS = ["White", "Asian", "Black", "Mixed", "Other"]


def _scenario(groups, shares, need, exposure, deprivation_shift, **overrides):
    base = dict(
        groups=list(groups),
        group_shares=list(shares),
        # offsets on the log-odds scale, one per group, multiplied by a mechanism strength
        group_need=list(need),
        group_exposure=list(exposure),
        group_deprivation_shift=list(deprivation_shift),
        years=5,
        first_year=2019,
        policy_shock_year=None,
        policy_shock_size=0.4,
        referral_base=-3.55,
        professional_share=0.68,
        screen_threshold=0.0,
        mechanisms={name: 1.0 for name in MECHANISMS},
    )
    base.update(overrides)
    return base


#: Scenario presets. A scenario is a world (its groups and their sizes) plus default
#: strengths for each bias mechanism.
SCENARIOS = {
    "us": _scenario(
        _US_GROUPS,
        [0.49, 0.26, 0.13, 0.05, 0.058, 0.01, 0.002],
        need=[0.0, 0.05, 0.25, -1.2, 0.2, 0.45, 0.2],
        exposure=[0.0, 0.1, 0.5, -0.3, 0.2, 0.5, 0.2],
        deprivation_shift=[0.0, 1.2, 1.8, -0.5, 0.7, 2.2, 1.2],
    ),
    "england": _scenario(
        _ENGLAND_GROUPS,
        [0.73, 0.11, 0.055, 0.07, 0.035],
        need=[0.0, -0.4, 0.1, 0.15, -0.1],
        exposure=[0.0, -0.2, 0.4, 0.3, 0.0],
        deprivation_shift=[0.0, 1.0, 1.5, 1.0, 0.8],
        first_year=2019,
        referral_base=-3.2,
        professional_share=0.85,
    ),
}
SCENARIOS["no_bias"] = {
    **copy.deepcopy(SCENARIOS["us"]),
    "mechanisms": {name: 0.0 for name in MECHANISMS},
}

_REPORTERS_PROFESSIONAL = ["law enforcement", "education", "medical", "social services", "legal"]
_REPORTERS_PROFESSIONAL_P = [0.31, 0.26, 0.17, 0.16, 0.10]
_REPORTERS_OTHER = ["parent or relative", "neighbour or friend", "anonymous"]
_REPORTERS_OTHER_P = [0.45, 0.25, 0.30]


@dataclass
class Dataset:
    """What a generator returns: the agency's view, the truth, and how it was made.

    Attributes
    ----------
    observed : pandas.DataFrame
        The columns an agency would hold, one row per child named in a referral.
        Outcomes after screening are missing (``<NA>``) for screened-out referrals.
    truth : pandas.DataFrame
        Row-aligned with ``observed``: the latent true need and harm, the outcomes
        every child *would* have had if screened in, and which mechanisms touched
        each row.
    params : dict
        Every parameter used, including the mechanism strengths.
    population : pandas.DataFrame
        Children in the simulated population by group, for rates per 1,000.
    DESCR : str
        A short description of the data set.
    """

    observed: pd.DataFrame
    truth: pd.DataFrame
    params: dict
    population: pd.DataFrame
    DESCR: str = field(repr=False, default="")

    def __repr__(self) -> str:
        return (
            f"Dataset(observed: {self.observed.shape[0]:_} rows x "
            f"{self.observed.shape[1]} columns, scenario={self.params['scenario']!r})"
        )


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def _check_mechanisms(mechanisms: dict) -> dict:
    checked = {}
    for name, value in mechanisms.items():
        if name not in MECHANISMS:
            allowed = ", ".join(MECHANISMS)
            raise TypeError(
                f"make_child_welfare() has no bias mechanism called {name!r}. "
                f"The mechanisms are: {allowed}."
            )
        checked[name] = check_number(name, value, low=0.0, high=5.0)
    return checked


def make_child_welfare(
    n_referrals: int = 10_000,
    *,
    scenario: str = "us",
    random_state=None,
    years: int | None = None,
    policy_shock_year: int | None = None,
    **mechanisms,
) -> Dataset:
    """Simulate referrals to children's social care, with the truth kept beside them.

    Households (with one or more children) live in areas of differing deprivation and
    have differing contact with public services. Each year a household may be referred;
    a screener decides whether to screen the referral in; screened-in referrals are
    investigated and may be substantiated; some children are placed in care within two
    years. Every child also has a latent *true need* that the agency never sees.

    This is a first version of the generator: the processes are in place, and the
    scenario defaults are set to plausible values but not yet calibrated against
    published figures.

    Introduced in {ref}`lesson-first-model`.

    Parameters
    ----------
    n_referrals : int
        Number of rows: children named in a referral, over all years.
    scenario : {"us", "england", "no_bias"}
        The world and its default bias strengths. ``"no_bias"`` is the US world with
        every bias mechanism switched off.
    random_state : int, numpy.random.Generator or None
        Seed for reproducible data. The same seed gives the same data.
    years : int, optional
        Number of years simulated (default: the scenario's, 5).
    policy_shock_year : int, optional
        From this calendar year on, more professionals are mandated to report, so
        referrals rise.
    **mechanisms : float
        Strength of each bias mechanism (see ``MECHANISMS``): 0 switches it off,
        1 is the scenario default.

    Returns
    -------
    Dataset
        With ``observed``, ``truth``, ``params``, ``population`` and ``DESCR``.

    Examples
    --------
    >>> data = make_child_welfare(2_000, random_state=0)
    >>> len(data.observed)
    2000
    >>> data.observed["screened_in"].dtype
    dtype('bool')
    """
    n = check_count("n_referrals", n_referrals, minimum=1, maximum=20_000_000)
    check_choice("scenario", scenario, SCENARIOS)
    rng = check_random_state(random_state)
    params = copy.deepcopy(SCENARIOS[scenario])
    params["mechanisms"].update(_check_mechanisms(mechanisms))
    if years is not None:
        params["years"] = check_count("years", years, minimum=1, maximum=30)
    if policy_shock_year is not None:
        first, last = params["first_year"], params["first_year"] + params["years"] - 1
        params["policy_shock_year"] = check_count(
            "policy_shock_year", policy_shock_year, minimum=first, maximum=last
        )
    params["scenario"] = scenario
    params["n_referrals"] = n

    # Expected rows per household: about 2 children, referred in ~5 % of years.
    n_households = int(n / (params["years"] * 0.12)) + 50
    while True:
        observed, truth, population = _simulate(n_households, params, rng)
        if len(observed) >= n:
            break
        n_households *= 2
    cut_household = observed["household_id"].iloc[n - 1]
    observed = observed.iloc[:n].reset_index(drop=True)
    truth = truth.iloc[:n].reset_index(drop=True)
    population = (
        population[population["household_id"] <= cut_household]
        .groupby("race_ethnicity", observed=False)["n_children"]
        .sum()
        .rename("children")
        .reset_index()
    )
    population["child_years"] = population["children"] * params["years"]
    return Dataset(observed, truth, params, population, DESCR=_describe(params))


def _simulate(n_households: int, params: dict, rng: np.random.Generator):
    """Run the simulation for ``n_households``; return rows sorted by household, year."""
    m = params["mechanisms"]
    groups = np.array(params["groups"])
    H, Y = n_households, params["years"]

    # --- households -------------------------------------------------------------
    g = rng.choice(len(groups), size=H, p=np.array(params["group_shares"]) / 1.0)
    shift = np.array(params["group_deprivation_shift"])[g]
    deprivation = np.clip(np.round(rng.normal(5.0 + shift, 2.6)), 1, 10).astype(np.int8)
    dep_c = (deprivation - 5.5) / 4.5  # -1 (least deprived) .. +1 (most deprived)
    area = rng.integers(0, 8, size=H)
    n_children = np.minimum(rng.geometric(0.5, size=H), 6).astype(np.int8)
    household_need = rng.normal(0.0, 0.9, size=H)

    exposure_logit = (
        0.9 * dep_c
        + m["surveillance_bias"] * np.array(params["group_exposure"])[g]
        + rng.normal(0.0, 0.5, size=H)
    )
    services = {
        "benefits": _sigmoid(exposure_logit + 0.4 + 0.8 * dep_c),
        "housing_support": _sigmoid(exposure_logit - 1.2 + 0.6 * dep_c),
        "police_contact": _sigmoid(exposure_logit - 1.6),
        "health_contact": _sigmoid(exposure_logit + 0.2),
    }
    services = {k: rng.random(H) < p for k, p in services.items()}
    exposure = sum(v.astype(np.int8) for v in services.values())

    # recorded history before the simulation starts: depends on exposure, not need
    history_rate = np.exp(
        -1.4 + 0.35 * exposure + m["historical_bias"] * 0.8 * np.array(params["group_exposure"])[g]
    )
    prior = rng.poisson(history_rate).astype(np.int32)
    prior_screened_in = rng.binomial(prior, 0.45).astype(np.int32)

    # --- years --------------------------------------------------------------------
    need_offset = m["base_rate_difference"] * np.array(params["group_need"])[g]
    report_offset = m["reporting_bias"] * 0.5 * np.array(params["group_exposure"])[g]
    records = []
    for year_index in range(Y + 1):  # one extra year to observe re-referrals
        year = params["first_year"] + year_index
        need = -2.9 + 1.1 * dep_c + need_offset + household_need + rng.normal(0, 0.6, H)
        harm = rng.random(H) < _sigmoid(need)
        shock = (
            params["policy_shock_size"]
            if params["policy_shock_year"] is not None and year >= params["policy_shock_year"]
            else 0.0
        )
        referral_logit = (
            params["referral_base"]
            + 1.8 * harm
            + 0.35 * need
            + 0.25 * exposure
            + 0.25 * np.log1p(prior)
            + np.where(harm, 0.0, report_offset)
            + shock
        )
        referred = rng.random(H) < _sigmoid(referral_logit)
        records.append(
            dict(
                year=year,
                referred=referred,
                need=need,
                harm=harm,
                prior=prior.copy(),
                prior_screened_in=prior_screened_in.copy(),
            )
        )
        # screening happens below per child; household history counts referrals
        prior = prior + referred
        prior_screened_in = prior_screened_in + (referred & (rng.random(H) < 0.5))

    # re-referral within 12 months: referred again the next simulated year
    for this, nxt in zip(records[:-1], records[1:], strict=True):
        this["re_referred"] = nxt["referred"]
    records = records[:-1]

    hh_idx = np.concatenate([np.flatnonzero(r["referred"]) for r in records])
    yr_idx = np.concatenate(
        [np.full(int(r["referred"].sum()), i, dtype=np.int16) for i, r in enumerate(records)]
    )
    order = np.lexsort((yr_idx, hh_idx))
    hh_idx, yr_idx = hh_idx[order], yr_idx[order]

    def per_event(key):
        stacked = np.stack([r[key] for r in records])  # (Y, H)
        return stacked[yr_idx, hh_idx]

    # --- children named in each referral ---------------------------------------------
    k = n_children[hh_idx].astype(np.int64)
    row_hh = np.repeat(hh_idx, k)
    row_event = np.repeat(np.arange(len(hh_idx)), k)
    child_number = np.arange(len(row_hh)) - np.repeat(np.cumsum(k) - k, k)
    R = len(row_hh)
    first_child = np.cumsum(k) - k  # row of the first child named in each referral
    row_year_index = yr_idx[row_event]

    # child characteristics fixed per child (household, child number)
    child_rng = np.random.default_rng(rng.integers(2**63))
    child_seed_age = child_rng.integers(0, 12, size=(H, 6))
    child_sex = child_rng.random((H, 6)) < 0.5
    child_disability = child_rng.random((H, 6)) < 0.08
    age = np.clip(
        child_seed_age[row_hh, child_number] + row_year_index - 2 * child_number, 0, 17
    ).astype(np.int8)

    hh_harm = per_event("harm")[row_event]
    child_harm = hh_harm & (rng.random(R) < np.where(age < 3, 0.95, 0.8))
    need = per_event("need")[row_event] + rng.normal(0, 0.3, R) + 0.2 * (age < 3)
    gr = g[row_hh]

    # one reporter per referral, shared by the children it names
    E = len(hh_idx)
    event_professional = rng.random(E) < params["professional_share"]
    event_reporter = np.where(
        event_professional,
        rng.choice(_REPORTERS_PROFESSIONAL, size=E, p=_REPORTERS_PROFESSIONAL_P),
        rng.choice(_REPORTERS_OTHER, size=E, p=_REPORTERS_OTHER_P),
    )
    professional = np.repeat(event_professional, k)
    reporter = np.repeat(event_reporter, k)

    prior_row = per_event("prior")[row_event]
    signal = child_harm * 1.3 + rng.normal(0, 1.0, R)  # what the referral says
    screen_logit = (
        params["screen_threshold"]
        - 1.05
        + signal
        + 0.35 * np.log1p(prior_row)
        + 0.4 * professional
        + m["screener_bias"] * 0.4 * np.array(params["group_exposure"])[gr]
    )
    screen_logit_fair = screen_logit - m["screener_bias"] * 0.4 * np.array(
        params["group_exposure"]
    )[gr]
    u_screen = rng.random(R)
    screened_in = u_screen < _sigmoid(screen_logit)
    # a referral is screened in or out as a whole: use the first child's decision
    screened_in = np.repeat(screened_in[first_child], k)

    label_offset = m["label_bias"] * 0.6 * np.array(params["group_exposure"])[gr]
    u_sub = rng.random(R)
    would_substantiate = u_sub < _sigmoid(-2.9 + 3.2 * child_harm + label_offset)
    would_substantiate_unbiased = u_sub < _sigmoid(-2.9 + 3.2 * child_harm)
    u_place = rng.random(R)
    place_logit = (
        -4.2 + 1.5 * child_harm + 0.55 * need + 0.5 * dep_c[row_hh] + 0.3 * (age < 3)
        + 0.3 * np.log1p(prior_row) + label_offset
    )
    would_place = u_place < _sigmoid(place_logit)
    would_place_unbiased = u_place < _sigmoid(place_logit - label_offset)

    def na_unless(flag, values):
        return pd.Series(values, dtype="boolean").where(flag, pd.NA)

    first_year = params["first_year"]
    observed = pd.DataFrame(
        {
            "referral_id": pd.Series(row_event, dtype="int64") + 1,
            "household_id": pd.Series(row_hh, dtype="int64") + 1,
            "child_id": pd.Series(row_hh * 6 + child_number, dtype="int64") + 1,
            "year": (row_year_index + first_year).astype(np.int16),
            "child_age": age,
            "child_sex": pd.Categorical(
                np.where(child_sex[row_hh, child_number], "female", "male"),
                categories=["female", "male"],
            ),
            "race_ethnicity": pd.Categorical.from_codes(gr, categories=list(groups)),
            "disability": child_disability[row_hh, child_number],
            "deprivation_decile": deprivation[row_hh],
            "area": pd.Categorical.from_codes(
                area[row_hh], categories=[f"Area {c}" for c in "ABCDEFGH"]
            ),
            "n_children": n_children[row_hh],
            "reporter": pd.Categorical(
                reporter, categories=_REPORTERS_PROFESSIONAL + _REPORTERS_OTHER
            ),
            "reporter_professional": professional,
            **{name: flags[row_hh] for name, flags in services.items()},
            "prior_referrals": prior_row.astype(np.int32),
            "prior_screened_in": per_event("prior_screened_in")[row_event].astype(np.int32),
            "screened_in": screened_in,
            "investigated": screened_in,
            "substantiated": na_unless(screened_in, would_substantiate),
            "re_referred_12m": per_event("re_referred")[row_event],
            "placed_2y": na_unless(screened_in, would_place),
        }
    )
    truth = pd.DataFrame(
        {
            "true_need": need,
            "harm": child_harm,
            "would_substantiate": would_substantiate,
            "would_substantiate_without_label_bias": would_substantiate_unbiased,
            "would_be_placed_2y": would_place,
            "would_be_placed_2y_without_label_bias": would_place_unbiased,
            "screened_in_without_screener_bias": np.repeat(
                (u_screen < _sigmoid(screen_logit_fair))[first_child], k
            ),
        }
    )
    population = pd.DataFrame(
        {
            "household_id": np.arange(H) + 1,
            "race_ethnicity": pd.Categorical.from_codes(g, categories=list(groups)),
            "n_children": n_children.astype(np.int64),
        }
    )
    return observed, truth, population


def _describe(params: dict) -> str:
    strengths = ", ".join(f"{k}={v:g}" for k, v in params["mechanisms"].items())
    return (
        "Synthetic child-welfare referrals (scenario "
        f"{params['scenario']!r}, {params['n_referrals']:_} rows, "
        f"{params['years']} years from {params['first_year']}).\n\n"
        "Every row is a child named in a referral to a simulated children's social care "
        "agency. No row describes a real child or family. The table `observed` holds what "
        "an agency would record; outcomes after screening are missing for screened-out "
        "referrals (selective labels). The table `truth` holds what the agency never sees: "
        "each child's latent true need, whether harm was occurring, and the outcomes each "
        "child would have had if screened in, with and without label bias.\n\n"
        f"Bias mechanism strengths: {strengths}."
    )
