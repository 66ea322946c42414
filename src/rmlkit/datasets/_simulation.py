"""The child-welfare world, simulated year by year: the internal engine of the generators.

:func:`rmlkit.datasets.make_child_welfare` and :func:`rmlkit.feedback.simulate_feedback_loop`
both run a :class:`Simulation`. Its interface for other modules:

- ``Simulation(n_households, params, rngs, decide=None)`` runs the years. ``params`` are
  resolved parameters (see ``child_welfare.resolve_parameters``); ``rngs`` the streams
  made by :func:`rmlkit.datasets._dataset.streams` for the tags in ``STREAMS``.
- ``decide``, if given, replaces the screening decision: it is called once a year as
  ``decide(sim, t, referrals)`` with the year's referrals (a dict of arrays: household
  ``idx``, ``harm``, ``prior``, ``prior_screened_in``, ``professional`` and the
  ``workers`` decision) and returns who is screened in. The decision feeds the next
  years' prior contact.
- ``sim.substantiation_probability(idx, harm)``: the chance that an investigation of
  households ``idx`` finds a victim, label bias included.
- ``sim.g``, ``sim.deprivation``, ``sim.n_children``, ``sim.services``: household
  attributes.

All data made here is synthetic.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import expit
from scipy.special import logit as _logit

__all__ = ["STREAMS", "Simulation", "sigmoid"]

#: The random streams a simulation draws from (one per component).
STREAMS = ("households", "years", "rows")

SERVICES = ["benefits", "housing_support", "police_contact", "health_contact"]
_SERVICE_INTERCEPTS = np.array([0.3, -1.3, -1.7, 0.2])
REPORTERS = [
    "law enforcement", "education", "medical", "social services", "legal",
    "parent or relative", "neighbour or friend", "anonymous",
]
_REPORTER_P_PROFESSIONAL = np.array([0.31, 0.26, 0.17, 0.16, 0.10])
_REPORTER_P_OTHER = np.array([0.45, 0.25, 0.30])
ALLEGATIONS = ["neglect", "physical abuse", "emotional abuse", "sexual abuse"]
MAX_CHILDREN = 6
_YOUNG_SHARE = 3 / 18  # children aged 0-2 among children under 18 (uniform ages)


def sigmoid(x):
    """The logistic function, 1 / (1 + exp(-x))."""
    return expit(x)


def logit(u):
    """The inverse of :func:`sigmoid`, log(u / (1 - u)); -inf at 0."""
    with np.errstate(divide="ignore"):
        return _logit(u)


def group_offsets(p: dict) -> dict[str, np.ndarray]:
    """Each bias mechanism's per-group offset, scaled by its strength and by bias_share."""
    m = p["mechanisms"]
    scale = np.asarray(p["bias_scale"], dtype=float)
    out = {}
    for mech, key in p["mechanism_offsets"].items():
        out[key] = m[mech] * scale * np.asarray(p[key], dtype=float)
    # label bias acts on placement with its own (calibrated) per-group offsets
    out["group_placement"] = m["label_bias"] * scale * np.asarray(p["group_placement"], float)
    out["group_need"] = m["base_rate_difference"] * np.asarray(p["group_need"], dtype=float)
    out["group_deprivation_shift"] = (m["base_rate_difference"]
                                      * np.asarray(p["group_deprivation_shift"], dtype=float))
    return out


class Simulation:
    """One run of the child-welfare world, vectorised over households (see the module)."""

    def __init__(self, H: int, p: dict, rngs: dict, decide=None):
        self.p, self.H = p, H
        self.off = off = group_offsets(p)
        poverty = p["mechanisms"]["poverty_bias"] * p["poverty_scale"]
        rng = rngs["households"]
        G = len(p["groups"])
        shares = np.asarray(p["group_shares"], dtype=float)
        g = rng.choice(G, size=H, p=shares / shares.sum()).astype(np.int8)
        deprivation = np.clip(np.rint(rng.normal(5.0 + off["group_deprivation_shift"][g], 2.6)),
                              1, 10).astype(np.int8)
        dc = (deprivation - 5.5) / 4.5  # -1 (least deprived) .. +1 (most deprived)
        n_children = np.minimum(rng.geometric(0.5, size=H), MAX_CHILDREN).astype(np.int8)
        ages0 = rng.integers(0, 18, size=(H, MAX_CHILDREN), dtype=np.int8)
        household_need = rng.normal(0.0, p["need_household_sd"], size=H)
        # family circumstances that make care more or less likely, never recorded
        self.placement_household = rng.normal(0.0, p["placement_household_sd"], size=H)
        # age of the oldest parent or carer at the first simulated year
        self.carer_age = np.clip(np.rint(rng.normal(33.0, 7.0, size=H)), 16, 65).astype(np.int16)

        # Contact with public services. Deprived families use more services (benefits,
        # health) whatever their need; poverty bias adds the extra policing and scrutiny
        # of poor families, surveillance bias a group's extra contact at equal deprivation.
        e_noise = rng.normal(0.0, 0.5, size=H)
        u_services = rng.random((H, len(SERVICES)))
        # u < sigmoid(x) exactly when logit(u) < x: one logarithm instead of four sigmoids
        z_services = logit(u_services) - _SERVICE_INTERCEPTS
        fair_logit = (0.9 * dc + e_noise)[:, None]
        poverty_logit = fair_logit + (poverty * 0.5 * dc)[:, None]
        exposure_g = off["group_exposure"][g][:, None]
        services = z_services < poverty_logit + exposure_g
        services_fair = z_services < fair_logit
        services_no_surveillance = z_services < poverty_logit
        exposure = services.sum(axis=1, dtype=np.int8)
        exposure_fair = services_fair.sum(axis=1, dtype=np.int8)
        exposure_no_surveillance = services_no_surveillance.sum(axis=1, dtype=np.int8)
        # What makes a family visible to reporters at equal need: its contact with
        # services through poverty (poverty bias) and through its group (surveillance).
        visibility = poverty * exposure_fair + (exposure - exposure_fair)
        visibility_poverty = poverty * exposure_fair + (exposure_no_surveillance
                                                        - exposure_fair)
        exposure_no_poverty = (z_services < fair_logit + exposure_g).sum(axis=1, dtype=np.int8)
        del z_services, exposure_g
        visibility_no_poverty = exposure_no_poverty - exposure_fair

        # recorded history before the simulation: driven by visibility, not need
        history_rate = np.exp(-1.4 + 0.35 * visibility)
        prior = rng.poisson(history_rate).astype(np.int32)
        extra = np.exp(-1.4 + 0.35 * visibility + off["group_history"][g]) - history_rate
        history_extra = rng.poisson(np.clip(extra, 0, None)).astype(np.int32)
        prior += history_extra
        prior_screened_in = rng.binomial(prior, 0.45).astype(np.int32)

        self.g, self.deprivation, self.dc = g, deprivation, dc
        self.n_children, self.ages0 = n_children, ages0
        self.area = rng.integers(0, 8, size=H).astype(np.int8)
        self.services = services
        self.touched_surveillance_h = (services != services_no_surveillance).any(axis=1)
        self.touched_history_h = history_extra > 0
        self.harmed_years = np.zeros(H, dtype=np.int16)

        rng = rngs["years"]
        child_share = (_YOUNG_SHARE * p["child_harm_young"]
                       + (1 - _YOUNG_SHARE) * p["child_harm_older"])
        self.child_harm_share = child_share
        events = []
        previous = None
        # the parts of need and of the referral's log-odds that stay the same every year
        need_household = (p["need_base"] + p["need_deprivation"] * dc + off["group_need"][g]
                          + household_need)
        reporting_g = off["group_reporting"][g]
        seen = p["referral_exposure"] * visibility
        log_prior = np.log1p(prior)
        for t in range(p["years"] + 1):  # one extra year to observe re-referrals
            year = p["first_year"] + t
            need = need_household + rng.normal(0.0, p["need_year_sd"], size=H)
            harm = rng.random(H) < sigmoid(need)
            if t < p["years"]:
                self.harmed_years += harm
            shock = p["policy_shock_size"] if (
                p["policy_shock_year"] is not None and year >= p["policy_shock_year"]) else 0.0
            common = (p["referral_base"] + p["referral_harm"] * harm + p["referral_need"] * need
                      + p["referral_prior"] * log_prior + shock)
            reporting = np.where(harm, 0.0, reporting_g)
            u = rng.random(H)
            referred = u < sigmoid(common + seen + reporting)
            if previous is not None:
                previous["re_referred"] = referred[previous["idx"]]
            if t == p["years"]:
                break
            idx = np.flatnonzero(referred)
            gi = g[idx]
            E = idx.size
            professional = rng.random(E) < p["professional_share"]
            # What the screener makes of the referral: harm seen through noise. The
            # accuracy is an assumption calibrated to screening consistency (ASSUMPTIONS).
            signal = harm[idx] * p["screener_accuracy"] + rng.normal(0.0, 1.0, E)
            # screeners weigh referrals naming a baby or toddler more (a common policy)
            ages = (ages0[idx] + t) % 18
            has_young = ((ages < 3) & (np.arange(MAX_CHILDREN) < n_children[idx, None])).any(1)
            # a single earlier referral weighs little; repeated ones weigh more
            repeated = np.log1p(np.maximum(prior[idx] - 1, 0))
            screen_common = (p["screen_base"] + signal + p["screen_prior"] * repeated
                             + p["screen_young"] * has_young
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
                # referred, but would not have been without reporting and surveillance
                # bias; without poverty bias (computed for the referred households only)
                referred_because_of_bias=u[idx] >= sigmoid(
                    common[idx] + p["referral_exposure"] * visibility_poverty[idx]),
                referred_because_of_poverty=u[idx] >= sigmoid(
                    common[idx] + p["referral_exposure"] * visibility_no_poverty[idx]
                    + reporting[idx]),
            )
            events.append(event)
            previous = event
            prior[idx] += 1
            log_prior[idx] = np.log1p(prior[idx])
            prior_screened_in[idx] += screened_in
        self.events = events
        self.rows_rng = rngs["rows"]
        self.row_seed = int(self.rows_rng.integers(2**63))
        self._children_per_event()

    def substantiation_probability(self, idx, harm) -> np.ndarray:
        """Chance that investigating households ``idx`` (with ``harm``) finds a victim."""
        logit = (self.p["substantiation_base"] + self.p["substantiation_harm"] * harm
                 + self.off["group_label"][self.g[idx]])
        return sigmoid(logit)

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
        """The first ``n`` rows: ``observed`` and ``truth``."""
        p = self.p
        poverty = p["mechanisms"]["poverty_bias"] * p["poverty_scale"]
        rng = self.rows_rng
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
            "screened_in_fair", "overridden", "referred_because_of_bias",
            "referred_because_of_poverty", "re_referred")}
        young = age < 3
        child_harm = e["harm"] & (rng.random(R) < np.where(
            young, p["child_harm_young"], p["child_harm_older"]))
        need = e["need"] + rng.normal(0.0, 0.3, R) + 0.2 * young
        label_offset = self.off["group_label"][g]
        place_offset = self.off["group_placement"][g]

        u_sub = rng.random(R)
        sub_logit = p["substantiation_base"] + p["substantiation_harm"] * child_harm
        would_substantiate = u_sub < sigmoid(sub_logit + label_offset)
        would_substantiate_fair = u_sub < sigmoid(sub_logit)
        # Siblings are usually placed, or not, together: most of the randomness of a
        # placement is shared by the children of one referral.
        u_place = np.where(rng.random(R) < p["placement_sibling_share"],
                           rng.random(n_events)[ev], rng.random(R))
        # Infants and teenagers enter care more often than children in between, and a
        # history of investigations weighs most for young children: effects a linear
        # model of the observed columns cannot fully represent.
        history = e["prior_screened_in"] >= 2
        common = (p["placement_base"] + p["placement_harm"] * child_harm
                  + p["placement_need"] * need
                  + p["placement_young"] * (age <= 1) + p["placement_teen"] * (age >= 13)
                  + p["placement_history_young"] * (history & (age < 5))
                  + p["placement_prior"] * np.log1p(e["prior"])
                  + self.placement_household[hh]
                  + p["placement_young_carer"] * (self.carer_age[hh] + t < 22))
        # poverty bias: deprivation raises placement at the same need and harm
        poverty_term = poverty * p["placement_deprivation"] * dc
        would_place = u_place < sigmoid(common + poverty_term + place_offset)
        would_place_fair = u_place < sigmoid(common + poverty_term)
        would_place_no_bias = u_place < sigmoid(common)

        # the allegation: neglect is more common in deprived households
        p_neglect = sigmoid(p["neglect_base"] + p["neglect_deprivation"] * dc
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

        def na_unless(values, where=screened):
            return pd.Series(values, dtype="boolean").where(where, pd.NA)

        groups = list(p["groups"])
        observed = {
            "referral_id": (ev + 1).astype(np.int64),
            "household_id": (hh + 1).astype(np.int64),
            "child_id": (hh.astype(np.int64) * MAX_CHILDREN + child) * 4 + cohort + 1,
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
            "reporter": pd.Categorical.from_codes(reporter_event, categories=REPORTERS),
            "reporter_professional": e["professional"],
            "allegation": pd.Categorical.from_codes(allegation, categories=ALLEGATIONS),
            **{name: self.services[hh, j] for j, name in enumerate(SERVICES)},
            "prior_referrals": e["prior"].astype(np.int32),
            "prior_screened_in": e["prior_screened_in"].astype(np.int32),
        }
        truth = {
            "true_need": need,
            "harm": child_harm,
            "would_substantiate": would_substantiate,
            "would_substantiate_without_label_bias": would_substantiate_fair,
            "would_be_placed_2y": would_place,
            "would_be_placed_2y_without_label_bias": would_place_fair,
            "would_be_placed_2y_without_label_or_poverty_bias": would_place_no_bias,
            "screened_in_without_screener_bias": e["screened_in_fair"],
            "screening_overridden": e["overridden"],
            "touched_reporting_or_surveillance_bias": e["referred_because_of_bias"],
            "touched_surveillance_bias": self.touched_surveillance_h[hh],
            "touched_poverty_bias": e["referred_because_of_poverty"]
            | (would_place_fair != would_place_no_bias),
            "touched_historical_bias": self.touched_history_h[hh],
            "touched_screener_bias": screened != e["screened_in_fair"],
            "touched_label_bias": (would_substantiate != would_substantiate_fair)
            | (would_place != would_place_fair),
        }
        if p["process"] == "england":
            observed.update(self._england_stages(R, rng, screened, child_harm, need,
                                                 would_substantiate, would_place,
                                                 e["re_referred"], na_unless))
        else:
            observed.update({
                "screened_in": screened,
                "investigated": screened.copy(),
                "substantiated": na_unless(would_substantiate),
                "re_referred_12m": e["re_referred"],
                "placed_2y": na_unless(would_place),
            })
        return pd.DataFrame(observed), pd.DataFrame(truth)

    def _england_stages(self, R, rng, assessed, child_harm, need, in_need, looked_after,
                        re_referred, na_unless):
        """England's process after a referral (Children Act 1989).

        A referral leads to an assessment (or to no further action at the front door);
        the assessment finds the child in need or closes with no further action; where
        there is reasonable cause to suspect significant harm, a section 47 enquiry
        follows, which may lead to a child protection plan; other children in need may
        get a child-in-need plan; some children become looked after.
        """
        p = self.p
        u47 = rng.random(R)
        s47 = assessed & in_need & (u47 < sigmoid(p["s47_base"] + p["s47_harm"] * child_harm
                                                  + p["s47_need"] * need))
        cp = s47 & (rng.random(R) < sigmoid(p["cp_base"] + p["cp_harm"] * child_harm))
        cin_plan = assessed & in_need & ~cp & (rng.random(R) < p["cin_plan_share"])
        return {
            "assessed": assessed,
            "assessment_nfa": na_unless(~in_need, assessed),
            "child_in_need": na_unless(in_need, assessed),
            "section_47": na_unless(s47, assessed),
            "child_protection_plan": na_unless(cp, assessed),
            "child_in_need_plan": na_unless(cin_plan, assessed),
            "re_referred_12m": re_referred,
            "looked_after_2y": na_unless(looked_after, assessed),
        }

    def _child_uniform(self, hh, child, salt: int) -> np.ndarray:
        """A uniform number fixed per child (the same every year), from its ids.

        SplitMix64's finaliser: independent-looking bits for neighbouring ids, so that
        siblings' draws are unrelated.
        """
        with np.errstate(over="ignore"):  # the mixing relies on wrap-around
            x = (hh.astype(np.uint64) * np.uint64(4 * MAX_CHILDREN) + child.astype(np.uint64)
                 + np.uint64(salt) * np.uint64(0x9E3779B97F4A7C15) + np.uint64(self.row_seed))
            x = x + np.uint64(0x9E3779B97F4A7C15)
            x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
            x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
            x = x ^ (x >> np.uint64(31))
        return (x >> np.uint64(11)).astype(np.float64) / float(2**53)

    def population(self, last_household: int) -> pd.DataFrame:
        """Children, child-years and harmed child-years by group and deprivation decile."""
        H = last_household + 1
        children = self.n_children[:H].astype(np.int64)
        frame = pd.DataFrame({
            "race_ethnicity": pd.Categorical.from_codes(self.g[:H], categories=self.p["groups"]),
            "deprivation_decile": self.deprivation[:H],
            "children": children,
            "child_years": children * self.p["years"],
            # expected number of child-years in which the child was being harmed
            "harmed_child_years": children * self.harmed_years[:H] * self.child_harm_share,
        })
        return (frame.groupby(["race_ethnicity", "deprivation_decile"], observed=False)
                [["children", "child_years", "harmed_child_years"]].sum().reset_index())


def _draw(rng: np.random.Generator, probabilities: np.ndarray, size: int) -> np.ndarray:
    """Category codes drawn with the given probabilities (faster than rng.choice)."""
    return np.searchsorted(np.cumsum(probabilities / probabilities.sum()), rng.random(size),
                           side="right").clip(0, len(probabilities) - 1)
