"""Synthetic child-welfare referrals with a known ground truth.

Real child-welfare records cannot be shared, and they never tell us what was really
true for a child. The generators here simulate a world in which we *do* know: every
child has a latent true need, and every record an agency would hold is produced from
it by a process with named bias mechanisms that can be switched off one at a time.

All data made here is synthetic. No row describes a real child or family.

Introduced in {ref}`lesson-social-data`.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .._checks import (
    check_choice,
    check_count,
    check_mechanisms,
    check_random_state,
)
from . import _targets
from ._graph import CausalGraph, child_welfare_graph

__all__ = ["Dataset", "MECHANISMS", "SCENARIOS", "calibration_table", "make_child_welfare"]


#: The bias mechanisms. Each is a strength: 0 switches it off, 1 is the scenario's
#: default strength, 2 doubles it. Each acts through a per-group offset of the scenario.
MECHANISMS = {
    "base_rate_difference": (
        "Real differences in need between groups, for example through poverty and "
        "its causes. Not a measurement error, but it still shapes what a model learns."
    ),
    "surveillance_bias": (
        "Some groups have more contact with public services (benefits, housing, "
        "police, health) at the same level of need, so more of their lives is recorded "
        "and they are referred more often."
    ),
    "reporting_bias": (
        "Reporters refer families from some groups more readily when no child is being harmed."
    ),
    "historical_bias": (
        "Recorded history (referrals before the simulation starts) is inflated for some "
        "groups by past practice."
    ),
    "screener_bias": (
        "Screeners screen in referrals about some groups more often on the same information."
    ),
    "label_bias": (
        "The outcomes used as labels (substantiation, placement) are more likely for "
        "some groups at the same true harm: the proxy measures the system as well as "
        "the child."
    ),
}

# Which per-group offset vector each mechanism scales.
_MECHANISM_OFFSET = {
    "base_rate_difference": "group_need",
    "surveillance_bias": "group_exposure",
    "reporting_bias": "group_reporting",
    "historical_bias": "group_history",
    "screener_bias": "group_screening",
    "label_bias": "group_label",
}

_SERVICES = ["benefits", "housing_support", "police_contact", "health_contact"]
_SERVICE_INTERCEPTS = np.array([0.3, -1.3, -1.7, 0.2])
_REPORTERS = [
    "law enforcement", "education", "medical", "social services", "legal",
    "parent or relative", "neighbour or friend", "anonymous",
]
_REPORTER_P_PROFESSIONAL = np.array([0.31, 0.26, 0.17, 0.16, 0.10])
_REPORTER_P_OTHER = np.array([0.45, 0.25, 0.30])
_ALLEGATIONS = ["neglect", "physical abuse", "emotional abuse", "sexual abuse"]
_MAX_CHILDREN = 6

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


def _scenario(groups, shares, **values):
    n = len(groups)
    base = dict(
        groups=list(groups),
        group_shares=list(shares),
        group_deprivation_shift=[0.0] * n,
        group_need=[0.0] * n,
        group_exposure=[0.0] * n,
        group_reporting=[0.0] * n,
        group_history=[0.0] * n,
        group_screening=[0.0] * n,
        group_label=[0.0] * n,
        years=5,
        first_year=2019,
        policy_shock_year=None,
        policy_shock_size=0.4,
        # household need (log-odds that a child in the household is being harmed)
        need_base=-3.0,
        need_deprivation=1.1,
        need_household_sd=0.9,
        need_year_sd=0.6,
        # share of a harmed household's children who are harmed, by age band
        child_harm_young=0.95,
        child_harm_older=0.75,
        # referral
        referral_base=-3.5,
        referral_harm=1.8,
        referral_need=0.35,
        referral_exposure=0.25,
        referral_prior=0.25,
        professional_share=0.68,
        # screening: a score with a threshold, then supervisors' overrides
        screen_base=-1.05,
        screen_signal=1.3,
        screen_prior=0.35,
        screen_professional=0.4,
        screen_override=0.1,
        # investigation outcome and placement (log-odds)
        substantiation_base=-2.9,
        substantiation_harm=3.2,
        neglect_base=0.6,
        neglect_deprivation=0.8,
        abuse_harm=0.0,
        placement_base=-4.2,
        placement_harm=1.5,
        placement_need=1.0,
        placement_deprivation=0.5,
        placement_young=2.0,
        placement_teen=1.8,
        placement_history_young=3.5,
        placement_label_factor=5.0,
        placement_prior=0.3,
        placement_sibling_share=0.85,
        placement_household_sd=1.0,
        placement_young_carer=0.4,
        mechanisms={name: 1.0 for name in MECHANISMS},
    )
    base.update(values)
    for key, value in base.items():
        if key.startswith("group_"):
            assert len(value) == n, key
    return base


#: Scenario presets. A scenario is a world (its groups and their sizes) plus default
#: strengths for each bias mechanism.
SCENARIOS = {
    "us": _scenario(
        _US_GROUPS,
        [0.49, 0.26, 0.13, 0.05, 0.058, 0.01, 0.002],
        group_deprivation_shift=[0.0, 1.2, 1.8, -0.5, 0.7, 2.2, 1.2],
        group_need=[0.0, -0.369, -0.187, -1.489, 0.058, -0.051, -0.047],
        group_exposure=[0.0, 0.1, 0.5, -0.3, 0.2, 0.5, 0.2],
        group_reporting=[0.0, 0.05, 0.25, -0.15, 0.1, 0.25, 0.1],
        group_history=[0.0, 0.1, 0.4, -0.2, 0.15, 0.4, 0.15],
        group_screening=[0.0, 0.05, 0.2, -0.1, 0.1, 0.2, 0.1],
        group_label=[0.0, 0.1, 0.3, -0.2, 0.1, 0.3, 0.1],
        # set by scripts/calibrate_child_welfare.py us
        screen_base=-1.093,
        substantiation_base=-2.745,
        neglect_base=0.831,
        child_harm_older=0.373,
        placement_base=-3.831,
        referral_base=-2.26,
    ),
    "england": _scenario(
        _ENGLAND_GROUPS,
        [0.73, 0.11, 0.055, 0.07, 0.035],
        group_deprivation_shift=[0.0, 1.0, 1.5, 1.0, 0.8],
        group_need=[0.0, -0.4, -1.008, -0.676, -0.1],
        group_exposure=[0.0, -0.2, 0.4, 0.3, 0.0],
        group_reporting=[0.0, -0.1, 0.2, 0.15, 0.0],
        group_history=[0.0, -0.1, 0.3, 0.2, 0.0],
        group_screening=[0.0, -0.05, 0.15, 0.1, 0.0],
        group_label=[0.0, -0.1, 0.25, 0.2, 0.0],
        professional_share=0.85,
        # In England an assessment finds a "child in need" for reasons beyond harm
        # (disability, family stress), so the in-need finding is common.
        substantiation_base=-0.3,
        substantiation_harm=2.5,
        placement_prior=0.7,
        # set by scripts/calibrate_child_welfare.py england
        screen_base=2.282,
        placement_base=-3.87,
        referral_base=-3.007,
        referral_prior=1.512,
        need_deprivation=0.296,
    ),
}
SCENARIOS["no_bias"] = {
    **copy.deepcopy(SCENARIOS["us"]),
    "mechanisms": {name: 0.0 for name in MECHANISMS},
}
# Single-mechanism presets: the US world with only one bias mechanism switched on.
for _name in MECHANISMS:
    SCENARIOS[f"only_{_name}"] = {
        **copy.deepcopy(SCENARIOS["us"]),
        "mechanisms": {name: float(name == _name) for name in MECHANISMS},
    }


@dataclass
class Dataset:
    """What a generator returns: the agency's view, the truth, and how it was made.
    Introduced in {ref}`data-child-welfare`.


    Attributes
    ----------
    observed : pandas.DataFrame
        The columns an agency would hold, one row per child named in a referral.
        Outcomes after screening are missing (``<NA>``) for screened-out referrals.
    truth : pandas.DataFrame
        Row-aligned with ``observed``: the latent true need and harm, the outcomes
        every child *would* have had if screened in, and which mechanisms changed
        each row.
    params : dict
        Every parameter used, including the mechanism strengths.
    population : pandas.DataFrame
        Children in the simulated population (referred or not) by group and
        deprivation decile, with the child-years they contribute, for rates per 1,000.
    graph : CausalGraph
        The generating process: ``graph.draw()`` makes a figure; ``graph.to_dot()``
        gives Graphviz text; edges name the bias mechanism acting along them.
    DESCR : str
        A datasheet (Gebru et al., "Datasheets for Datasets") in Markdown.
    """

    observed: pd.DataFrame
    truth: pd.DataFrame
    params: dict
    population: pd.DataFrame
    graph: CausalGraph = field(repr=False, default_factory=child_welfare_graph)
    DESCR: str = field(repr=False, default="")

    def __repr__(self) -> str:
        return (
            f"Dataset(observed: {self.observed.shape[0]:_} rows x "
            f"{self.observed.shape[1]} columns, scenario={self.params['scenario']!r})"
        )


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


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

    Introduced in {ref}`lesson-social-data`.

    Parameters
    ----------
    n_referrals : int
        Number of rows: children named in a referral, over all years.
    scenario : str
        ``"us"``, ``"england"``, ``"no_bias"`` (the US world with every bias mechanism
        switched off) or ``"only_<mechanism>"`` (the US world with one mechanism on).
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
    params["mechanisms"].update(check_mechanisms("make_child_welfare", mechanisms, MECHANISMS))
    if years is not None:
        params["years"] = check_count("years", years, minimum=1, maximum=30)
    if policy_shock_year is not None:
        first, last = params["first_year"], params["first_year"] + params["years"] - 1
        params["policy_shock_year"] = check_count(
            "policy_shock_year", policy_shock_year, minimum=first, maximum=last
        )
    params["scenario"] = scenario
    params["n_referrals"] = n
    return _generate(n, params, rng)


def _generate(n: int, params: dict, rng: np.random.Generator) -> Dataset:
    """Simulate enough households for ``n`` rows, then keep the first ``n``."""
    n_households = int(n / (params["years"] * 0.1)) + 50
    while True:
        sim = _Simulation(n_households, params, rng)
        if sim.n_rows >= n:
            break
        n_households = int(n_households * max(2.0, 1.2 * n / max(sim.n_rows, 1)))
    observed, truth = sim.frames(n)
    population = sim.population(last_household=int(observed["household_id"].iloc[-1]) - 1)
    return Dataset(observed, truth, params, population, DESCR=_datasheet(params))


class _Simulation:
    """One run of the child-welfare world, vectorised over households.

    ``decide``, if given, replaces the screening decision: it is called once a year as
    ``decide(sim, t, referrals)`` with the year's referrals (a dict of arrays:
    household ``idx``, ``harm``, ``prior``, ``prior_screened_in``, ``professional`` and
    the ``workers`` decision) and returns who is screened in. The decision feeds the
    next years' prior contact. Used by :mod:`rmlkit.feedback`.
    """

    def __init__(self, H: int, p: dict, rng: np.random.Generator, decide=None):
        self.p, self.H = p, H
        m = p["mechanisms"]
        off = {key: m[mech] * np.asarray(p[key], dtype=float)
               for mech, key in _MECHANISM_OFFSET.items()}
        G = len(p["groups"])
        shares = np.asarray(p["group_shares"], dtype=float)
        g = rng.choice(G, size=H, p=shares / shares.sum()).astype(np.int8)
        shift = np.asarray(p["group_deprivation_shift"])[g]
        deprivation = np.clip(np.rint(rng.normal(5.0 + shift, 2.6)), 1, 10).astype(np.int8)
        dc = (deprivation - 5.5) / 4.5  # -1 (least deprived) .. +1 (most deprived)
        n_children = np.minimum(rng.geometric(0.5, size=H), _MAX_CHILDREN).astype(np.int8)
        ages0 = rng.integers(0, 18, size=(H, _MAX_CHILDREN), dtype=np.int8)
        household_need = rng.normal(0.0, p["need_household_sd"], size=H)
        # family circumstances that make care more or less likely, never recorded
        self.placement_household = rng.normal(0.0, p["placement_household_sd"], size=H)
        # age of the oldest parent or carer at the first simulated year
        self.carer_age = np.clip(np.rint(rng.normal(33.0, 7.0, size=H)), 16, 65).astype(np.int16)

        # contact with public services, with and without surveillance bias (common noise)
        e_noise = rng.normal(0.0, 0.5, size=H)
        u_services = rng.random((H, len(_SERVICES)))
        fair_logit = (0.9 * dc + e_noise)[:, None] + _SERVICE_INTERCEPTS + 0.5 * dc[:, None]
        services = u_services < _sigmoid(fair_logit + off["group_exposure"][g][:, None])
        services_fair = u_services < _sigmoid(fair_logit)
        exposure = services.sum(axis=1, dtype=np.int8)
        exposure_fair = services_fair.sum(axis=1, dtype=np.int8)

        # recorded history before the simulation: driven by exposure, not need
        history_rate = np.exp(-1.4 + 0.35 * exposure)
        prior = rng.poisson(history_rate).astype(np.int32)
        extra = np.exp(-1.4 + 0.35 * exposure + off["group_history"][g]) - history_rate
        history_extra = rng.poisson(np.clip(extra, 0, None)).astype(np.int32)
        prior += history_extra
        prior_screened_in = rng.binomial(prior, 0.45).astype(np.int32)

        self.g, self.deprivation, self.dc = g, deprivation, dc
        self.n_children, self.ages0 = n_children, ages0
        self.area = rng.integers(0, 8, size=H).astype(np.int8)
        self.services = services
        self.touched_surveillance_h = (services != services_fair).any(axis=1)
        self.touched_history_h = history_extra > 0

        events = []
        previous = None
        for t in range(p["years"] + 1):  # one extra year to observe re-referrals
            year = p["first_year"] + t
            need = (p["need_base"] + p["need_deprivation"] * dc + off["group_need"][g]
                    + household_need + rng.normal(0.0, p["need_year_sd"], size=H))
            harm = rng.random(H) < _sigmoid(need)
            shock = p["policy_shock_size"] if (
                p["policy_shock_year"] is not None and year >= p["policy_shock_year"]) else 0.0
            common = (p["referral_base"] + p["referral_harm"] * harm + p["referral_need"] * need
                      + p["referral_prior"] * np.log1p(prior) + shock)
            logit_fair = common + p["referral_exposure"] * exposure_fair
            logit = (common + p["referral_exposure"] * exposure
                     + np.where(harm, 0.0, off["group_reporting"][g]))
            u = rng.random(H)
            referred = u < _sigmoid(logit)
            if previous is not None:
                previous["re_referred"] = referred[previous["idx"]]
            if t == p["years"]:
                break
            idx = np.flatnonzero(referred)
            gi = g[idx]
            E = idx.size
            professional = rng.random(E) < p["professional_share"]
            signal = harm[idx] * p["screen_signal"] + rng.normal(0.0, 1.0, E)
            screen_common = (p["screen_base"] + signal + p["screen_prior"] * np.log1p(prior[idx])
                             + p["screen_professional"] * professional
                             + rng.logistic(0.0, 1.0, E))
            by_score = screen_common + off["group_screening"][gi] > 0
            by_score_fair = screen_common > 0
            overridden = rng.random(E) < p["screen_override"]
            screened_in = by_score ^ overridden
            if decide is not None:
                screened_in = np.asarray(decide(self, t, dict(
                    idx=idx, harm=harm[idx], prior=prior[idx],
                    prior_screened_in=prior_screened_in[idx], professional=professional,
                    workers=screened_in)), dtype=bool)
            event = dict(
                t=t, idx=idx, need=need[idx], harm=harm[idx], prior=prior[idx],
                prior_screened_in=prior_screened_in[idx], professional=professional,
                screened_in=screened_in, screened_in_fair=by_score_fair ^ overridden,
                overridden=overridden,
                # referred, but would not have been without reporting or surveillance bias
                referred_because_of_bias=u[idx] >= _sigmoid(logit_fair[idx]),
            )
            events.append(event)
            previous = event
            prior[idx] += 1
            prior_screened_in[idx] += screened_in
        self.events = events
        self.row_seed = int(rng.integers(2**63))
        self._children_per_event()

    def _children_per_event(self):
        """Rows: every child under 18 named in each referral, sorted by household, year."""
        idx = np.concatenate([e["idx"] for e in self.events])
        t = np.concatenate([np.full(e["idx"].size, e["t"], dtype=np.int16) for e in self.events])
        event_pos = np.arange(idx.size)
        order = np.lexsort((t, idx))
        idx, t, event_pos = idx[order], t[order], event_pos[order]
        k = self.n_children[idx].astype(np.int64)
        row_event = np.repeat(np.arange(idx.size), k)
        child = np.arange(row_event.size) - np.repeat(np.cumsum(k) - k, k)
        # A child who turns 18 leaves the household's count and a newborn takes the
        # place: the age structure stays the same every year. `cohort` tells them apart.
        years_on = self.ages0[idx[row_event], child].astype(np.int16) + t[row_event]
        self.row_event, self.child = row_event, child
        self.age, self.cohort = years_on % 18, years_on // 18
        self.event_household, self.event_t, self.event_pos = idx, t, event_pos
        self.n_rows = int(self.row_event.size)

    def _event_values(self, key: str) -> np.ndarray:
        values = np.concatenate([e[key] for e in self.events])
        return values[self.event_pos]

    def frames(self, n: int):
        p, m = self.p, self.p["mechanisms"]
        rng = np.random.default_rng(self.row_seed)
        rows = slice(0, n)
        ev = self.row_event[rows]
        n_events = int(ev[-1]) + 1
        hh = self.event_household[:n_events][ev]
        t = self.event_t[:n_events][ev]
        age = self.age[rows].astype(np.int8)
        child = self.child[rows]
        cohort = self.cohort[rows].astype(np.int64)
        g = self.g[hh]
        dc = self.dc[hh]
        R = ev.size
        e = {key: self._event_values(key)[:n_events][ev] for key in (
            "need", "harm", "prior", "prior_screened_in", "professional", "screened_in",
            "screened_in_fair", "overridden", "referred_because_of_bias", "re_referred")}
        young = age < 3
        child_harm = e["harm"] & (rng.random(R) < np.where(
            young, p["child_harm_young"], p["child_harm_older"]))
        need = e["need"] + rng.normal(0.0, 0.3, R) + 0.2 * young
        label_offset = m["label_bias"] * np.asarray(p["group_label"])[g]

        u_sub = rng.random(R)
        sub_logit = p["substantiation_base"] + p["substantiation_harm"] * child_harm
        would_substantiate = u_sub < _sigmoid(sub_logit + label_offset)
        would_substantiate_fair = u_sub < _sigmoid(sub_logit)
        # Siblings are usually placed, or not, together: most of the randomness of a
        # placement is shared by the children of one referral.
        u_place = np.where(rng.random(R) < p["placement_sibling_share"],
                           rng.random(n_events)[ev], rng.random(R))
        # Infants and teenagers enter care more often than children in between, and a
        # history of investigations weighs most for young children: effects a linear
        # model of the observed columns cannot fully represent.
        history = e["prior_screened_in"] >= 2
        place_logit = (p["placement_base"] + p["placement_harm"] * child_harm
                       + p["placement_need"] * need + p["placement_deprivation"] * dc
                       + p["placement_young"] * (age <= 1) + p["placement_teen"] * (age >= 13)
                       + p["placement_history_young"] * (history & (age < 5))
                       + p["placement_prior"] * np.log1p(e["prior"])
                       + self.placement_household[hh]
                       + p["placement_young_carer"] * (self.carer_age[hh] + t < 22))
        would_place = u_place < _sigmoid(place_logit + p["placement_label_factor"] * label_offset)
        would_place_fair = u_place < _sigmoid(place_logit)

        # the allegation: neglect is more common in deprived households
        p_neglect = _sigmoid(p["neglect_base"] + p["neglect_deprivation"] * dc
                             - p["abuse_harm"] * child_harm)
        u_type = rng.random(R)
        other = np.minimum((u_type - p_neglect) / np.maximum(1 - p_neglect, 1e-9) * 3, 2.999)
        allegation = np.where(u_type < p_neglect, 0, 1 + other.astype(np.int64))
        # one reporter per referral, shared by the children it names
        professional_event = self._event_values("professional")[:n_events]
        reporter_event = np.where(
            professional_event,
            _draw(rng, _REPORTER_P_PROFESSIONAL, n_events),
            len(_REPORTER_P_PROFESSIONAL) + _draw(rng, _REPORTER_P_OTHER, n_events),
        )[ev]

        screened = e["screened_in"]

        def na_unless(values):
            return pd.Series(values, dtype="boolean").where(screened, pd.NA)

        groups = list(p["groups"])
        observed = pd.DataFrame({
            "referral_id": (ev + 1).astype(np.int64),
            "household_id": (hh + 1).astype(np.int64),
            "child_id": (hh.astype(np.int64) * _MAX_CHILDREN + child) * 4 + cohort + 1,
            "year": (t + p["first_year"]).astype(np.int16),
            "child_age": age,
            "child_sex": pd.Categorical.from_codes(
                (self._child_uniform(hh, child * 4 + cohort, 1) < 0.5).astype(np.int8),
                categories=["male", "female"]),
            "race_ethnicity": pd.Categorical.from_codes(g, categories=groups),
            "disability": self._child_uniform(hh, child * 4 + cohort, 2) < 0.08,
            "deprivation_decile": self.deprivation[hh],
            "area": pd.Categorical.from_codes(
                self.area[hh], categories=[f"Area {c}" for c in "ABCDEFGH"]),
            "n_children": self.n_children[hh],
            "carer_age": (self.carer_age[hh] + t).astype(np.int16),
            "reporter": pd.Categorical.from_codes(reporter_event, categories=_REPORTERS),
            "reporter_professional": e["professional"],
            "allegation": pd.Categorical.from_codes(allegation, categories=_ALLEGATIONS),
            **{name: self.services[hh, j] for j, name in enumerate(_SERVICES)},
            "prior_referrals": e["prior"].astype(np.int32),
            "prior_screened_in": e["prior_screened_in"].astype(np.int32),
            "screened_in": screened,
            "investigated": screened.copy(),
            "substantiated": na_unless(would_substantiate),
            "re_referred_12m": e["re_referred"],
            "placed_2y": na_unless(would_place),
        })
        truth = pd.DataFrame({
            "true_need": need,
            "harm": child_harm,
            "would_substantiate": would_substantiate,
            "would_substantiate_without_label_bias": would_substantiate_fair,
            "would_be_placed_2y": would_place,
            "would_be_placed_2y_without_label_bias": would_place_fair,
            "screened_in_without_screener_bias": e["screened_in_fair"],
            "screening_overridden": e["overridden"],
            "touched_reporting_or_surveillance_bias": e["referred_because_of_bias"],
            "touched_surveillance_bias": self.touched_surveillance_h[hh],
            "touched_historical_bias": self.touched_history_h[hh],
            "touched_screener_bias": screened != e["screened_in_fair"],
            "touched_label_bias": (would_substantiate != would_substantiate_fair)
            | (would_place != would_place_fair),
        })
        return observed, truth

    def _child_uniform(self, hh, child, salt: int) -> np.ndarray:
        """A uniform number fixed per child (the same every year), from its ids.

        SplitMix64's finaliser: independent-looking bits for neighbouring ids, so that
        siblings' draws are unrelated.
        """
        with np.errstate(over="ignore"):  # the mixing relies on wrap-around
            x = (hh.astype(np.uint64) * np.uint64(4 * _MAX_CHILDREN) + child.astype(np.uint64)
                 + np.uint64(salt) * np.uint64(0x9E3779B97F4A7C15) + np.uint64(self.row_seed))
            x = x + np.uint64(0x9E3779B97F4A7C15)
            x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
            x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
            x = x ^ (x >> np.uint64(31))
        return (x >> np.uint64(11)).astype(np.float64) / float(2**53)

    def population(self, last_household: int) -> pd.DataFrame:
        """Children and child-years by group and deprivation decile, for households so far."""
        H = last_household + 1
        children = self.n_children[:H].astype(np.int64)
        frame = pd.DataFrame({
            "race_ethnicity": pd.Categorical.from_codes(self.g[:H], categories=self.p["groups"]),
            "deprivation_decile": self.deprivation[:H],
            "children": children,
            "child_years": children * self.p["years"],
        })
        return (frame.groupby(["race_ethnicity", "deprivation_decile"], observed=False)
                [["children", "child_years"]].sum().reset_index())


def calibration_table(data: Dataset, scenario: str | None = None) -> pd.DataFrame:
    """Compare a generated data set with the published figures it should reproduce.

    Introduced in {ref}`data-child-welfare`.

    Parameters
    ----------
    data : Dataset
        Made by :func:`make_child_welfare` with ``scenario="us"`` or ``"england"``.
        Large data sets (a few hundred thousand rows) give stable figures; small
        groups and small data sets vary a lot by chance.
    scenario : str, optional
        Whose targets to use; by default the scenario the data was made with.

    Returns
    -------
    pandas.DataFrame
        One row per published figure: the statistic, the target, the accepted range
        (``low`` to ``high``), the value in ``data``, whether it is ``met``, the year,
        the source, whether the source was read directly (``V``) or through a secondary
        source (``S``), and how the value is computed (``note``).
    """
    if not isinstance(data, Dataset):
        raise TypeError(
            "data must be what make_child_welfare() returns (a Dataset), but you gave a "
            f"{type(data).__name__}."
        )
    scenario = data.params["scenario"] if scenario is None else scenario
    check_choice("scenario", scenario, list(_targets.TARGETS))
    return _targets.table(data.observed, data.population, scenario)


def _draw(rng: np.random.Generator, probabilities: np.ndarray, size: int) -> np.ndarray:
    """Category codes drawn with the given probabilities (faster than rng.choice)."""
    return np.searchsorted(np.cumsum(probabilities / probabilities.sum()), rng.random(size),
                           side="right").clip(0, len(probabilities) - 1)


def _datasheet(params: dict) -> str:
    """A datasheet in the style of Gebru et al. (2021), in Markdown."""
    strengths = "\n".join(
        f"- `{name}` = {value:g}: {MECHANISMS[name]}"
        for name, value in params["mechanisms"].items()
    )
    groups = ", ".join(params["groups"])
    return f"""# Datasheet: synthetic child-welfare referrals

*Scenario `{params['scenario']}`, {params['n_referrals']:,} rows, {params['years']} years
from {params['first_year']}. Made by `rmlkit.datasets.make_child_welfare`.*

## Motivation
Made for teaching responsible machine learning: real child-welfare records cannot be
shared, and they never show what was really true for a child. Here every record comes
with the truth beside it, so the effect of each bias mechanism can be seen and
switched off.

## Composition
Every row of `observed` is a child named in a referral to a simulated children's social
care agency; siblings share a `household_id` and a `referral_id`. **All data is
synthetic: no row describes a real child or family.** Groups: {groups}. `observed` holds
what an agency would record (characteristics, contact with public services, the
reporter, the allegation, prior referrals, the screening decision and its outcomes).
Outcomes after screening (`substantiated`, `placed_2y`) are missing for screened-out
referrals: the selective-labels problem. `truth` holds what the agency never sees:
latent need, harm, every child's outcome had the referral been screened in, the same
without label bias, and flags for the rows each mechanism changed.

## Collection process
Simulated, vectorised over households, one year at a time: need and harm, referral,
screening (a score with a threshold, then supervisors' overrides), investigation,
substantiation, re-referral within 12 months and placement within 2 years. Prior
referrals come from earlier years of the simulation, so feedback loops appear. The
generating graph is `graph`.

Bias mechanisms and their strengths in this data (0 = off, 1 = scenario default):
{strengths}

## Preprocessing
None: the tables are as simulated. Categorical columns use pandas categories and
outcomes that can be missing use the nullable `boolean` type.

## Uses
Lessons and exercises on risk models, disaggregated evaluation, sources of bias and
their mitigation. **Not** for drawing conclusions about real children, families,
agencies or groups: the scenarios are calibrated to a handful of published figures
(see `rmlkit.datasets.calibration_table`), not fitted to real records, and the
strength of every bias mechanism is an assumption made for teaching.

## Distribution and maintenance
Part of the open course kit *Responsible ML for the Social Sciences*; regenerated
identically from its seed on any machine. Snapshots at a teaching size are in the
repository's `datasets/` folder with SHA-256 checksums.
"""
