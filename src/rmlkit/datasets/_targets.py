"""Published figures the synthetic child-welfare data reproduces, and how to measure them.

Each target has the statistic, the published value, the accepted range, the year and
the source. ``measure`` computes the same statistic on a generated data set, in the
way the note of each target explains.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

CM2023 = "Children's Bureau, Child Maltreatment 2023 (CWLA summary)"
CM2020 = ("the midpoint of 66.7 % (Child Maltreatment 2020 abstract) and 70.0 % (CWLA "
          "summary of Child Maltreatment 2022)")
CBX = "Children's Bureau Express"
FAM7A = "childstats.gov indicator FAM7.A"
DFE_RE = "DfE, Children in need: a focus on re-referrals"
DFE_CIN = "DfE, Children in need 2024"
CWIP = "Bywaters et al., Child Welfare Inequalities Project"
# The citing work (Webb & Thomas 2021) was searched for and not found: neither it nor
# Bywaters et al. 2019 was read, and the source says so.
CWIP19 = ("Bywaters et al. 2019, as cited by Webb & Thomas 2021; neither was found or "
          "read: the figure is taken from the course's list of calibration targets")
WE14 = "Wildeman & Emanuel 2014, PLoS ONE 9(3):e92785 (AFCARS 2000-2011)"
DALTON = "Dalton 2017, Using Data to Improve Child Welfare Decision-Making (Allegheny)"
DFE_CLA = "DfE, Children looked after in England including adoptions 2024"
CH18 = "Chouldechova et al. 2018, FAT* (PMLR 81:134-148), section 3.2"
# Children under 18 in England, implied by 83,630 looked after = 70 per 10,000 (DfE 2024)
ENGLAND_CHILDREN = 83_630 / 70 * 10_000

# US victimization rates per 1,000 children (FAM7.A, 2022) relative to White children (6.6)
US_RATES = {
    "American Indian or Alaska Native": 14.3,
    "Black": 12.1,
    "Two or more races": 9.4,
    "Native Hawaiian or Pacific Islander": 9.3,
    "Hispanic": 7.0,
    "Asian": 1.3,
}
# cumulative risk (%) of foster care placement by age 18 (Wildeman & Emanuel 2014)
PLACEMENT_RISKS = {"Black": 11.53, "American Indian or Alaska Native": 15.44}


def _target(key, statistic, target, low, high, year, source, status, note):
    return dict(key=key, statistic=statistic, target=target, low=low, high=high,
                year=year, source=source, status=status, note=note)


def _relative(key, statistic, target, tolerance, year, source, status, note):
    return _target(key, statistic, target, target * (1 - tolerance), target * (1 + tolerance),
                   year, source, status, note)


TARGETS = {
    "us": [
        _relative("screen_in", "referrals screened in", 0.475, 0.10, 2023, CM2023, "S",
                  "share of referrals (not children) screened in"),
        _relative("substantiated", "children with a response who are found to be victims",
                  0.177, 0.15, 2023, CM2023, "S",
                  "substantiated children among children named in screened-in referrals"),
        _target("professional", "share of reports made by professionals", 0.685,
                0.67 * 0.9, 0.70 * 1.1, "2020-22", CM2020, "V/S",
                "share of referrals whose reporter is a professional"),
        _relative("neglect", "neglect share of victims", 0.743, 0.10, 2022, CBX, "V",
                  "victims whose allegation is neglect"),
        _relative("age_0_2", "victims aged 0-2", 0.273, 0.15, 2022, CBX, "V",
                  "victims aged 0, 1 or 2"),
        *[
            _relative(f"rate_ratio:{group}",
                      f"victimization rate, {group} relative to White children",
                      rate / 6.6, 0.15, 2022, FAM7A, "V",
                      "victims per child-year in the group over the same for White children")
            for group, rate in US_RATES.items()
        ],
        _relative("victim_rate", "overall victimization rate per 1,000 children", 7.4, 0.15,
                  2023, CM2023, "S", "victims per 1,000 child-years of the simulated population"),
        *[
            _relative(f"placement_ratio:{group}",
                      f"foster care placement, {group} children relative to all children",
                      risk / 5.91, 0.25, "2000-2011", WE14, "V",
                      "children placed (placed_2y) per child-year in the group over the same "
                      "for all children. The source gives cumulative risks by age 18 (a "
                      f"{risk} % vs 5.91 % chance of ever being placed); a ratio of "
                      "cumulative risks equals the ratio of yearly first-placement rates "
                      "when the risks are small and the age profiles alike, so the two "
                      "ratios are compared")
            for group, risk in PLACEMENT_RISKS.items()
        ],
        _relative("top_ventile_white", "placed within 2 years, White children scoring 20 "
                  "of 20 on the AFST copy", 0.30, 0.25, "2010-2014", CH18, "V",
                  "a logistic regression of placed_2y on the recorded columns, trained on "
                  "the screened-in children of the even households and scoring those of the "
                  "odd ones (no household on both sides); the placement rate of White "
                  "children among the top twentieth of scores"),
        _target("top_ventile_gap", "placed within 2 years at score 20 of 20, Black minus "
                "White children", 0.20, 0.10, 0.30, "2010-2014", CH18, "V",
                "the same scores; Black children's placement rate in the top twentieth "
                "minus White children's (published: 50 % vs 30 %). The range is about the "
                "published figure's own sampling error: the validation sample had 14,417 "
                "screened-in referral records, so a few hundred Black and White children "
                "scored 20"),
        _relative("screened_out_top", "highest-risk referrals screened out before a tool",
                  0.27, 0.25, "2010s", DALTON, "V",
                  "a logistic regression of placement within 2 years on the recorded columns "
                  "(the tool's outcome; trained on half the households, scoring the other "
                  "half) scores each referral by its highest-scoring child; the share of "
                  "the top twentieth (the AFST's score 20 of 20) that screeners screened out"),
        _relative("screened_in_bottom", "lowest-risk referrals screened in before a tool",
                  0.48, 0.25, "2010s", DALTON, "V",
                  "the same scores; the share of the bottom twentieth (score 1 of 20) that "
                  "screeners screened in"),
    ],
    "england": [
        _relative("re_referral", "referrals of a child within 12 months of a previous "
                  "referral of the child", 0.22, 0.10, "2023/24", DFE_RE, "V",
                  "as DfE counts re-referrals (backwards, per child): children's referrals "
                  "that follow a referral of the same child in the year before, among the "
                  "referrals of every year but the first (whose year before is not "
                  "simulated). Not the column re_referred_12m, which looks forwards"),
        _relative("cin_rate", "children in need on 31 March per 10,000 children (a stock)",
                  332.9, 0.15, 2024, DFE_CIN, "V",
                  "a stock compared with a stock: distinct children assessed as in need in "
                  "the 12 months to the end of the last simulated year, per 10,000 children "
                  "(assumes a child-in-need episode lasts about a year; the simulation "
                  "does not model episode lengths)"),
        _relative("referral_rate", "referrals of children in a year per 10,000 children "
                  "(a flow)", 621_880 / ENGLAND_CHILDREN * 10_000, 0.15, "2023/24", DFE_RE,
                  "V",
                  "a flow compared with a flow: children's referrals (rows: DfE counts a "
                  "referral per child, so siblings referred together count once each) "
                  "per 10,000 child-years; the "
                  "denominator (11.9 million children) is implied by DfE's 83,630 "
                  "looked-after children = 70 per 10,000"),
        _relative("cla_start_rate", "children starting to be looked after in a year per "
                  "10,000 children (a flow)", 33_050 / ENGLAND_CHILDREN * 10_000, 0.25,
                  "2023/24", DFE_CLA, "V",
                  "a flow compared with a flow: children who become looked after "
                  "(looked_after_2y) per 10,000 child-years. Not compared with the stock "
                  "on 31 March (83,630, 70 per 10,000), which also counts children who "
                  "entered care in earlier years"),
        _target("care_gradient", "rate in care, most vs least deprived decile", 10.0, 7.0,
                13.0, 2015, CWIP, "S", "children placed per child-year, decile 10 over decile 1"),
        _target("care_step", "relative rise in the rate in care per deprivation decile",
                1 / 3, 0.20, 0.45, 2015, CWIP, "S",
                "geometric mean step of the rate in care from decile 1 to decile 10"),
        _target("care_ratio:Black", "rate in care, Black vs White children (excess)", 0.45,
                0.25, 0.65, 2019, CWIP19, "S", "placed per child-year, Black over White, minus 1"),
        _target("care_ratio:Mixed", "rate in care, Mixed-heritage vs White children (excess)",
                0.45, 0.25, 0.65, 2019, CWIP19, "S",
                "placed per child-year, Mixed over White, minus 1"),
    ],
}


def _per_referral(observed: pd.DataFrame, column: str) -> float:
    first = ~observed["referral_id"].duplicated()
    return float(observed.loc[first, column].mean())


def re_referral_rate(observed: pd.DataFrame) -> float:
    """Share of children's referrals that come within 12 months of one of the same child.

    DfE's definition ("a re-referral occurs when a child is referred within 12 months of
    a previous referral"): it looks backwards and counts children, not households. The
    simulation runs in whole years, so a referral within 12 months of the previous one
    is a referral of the same child (``child_id``) in the year before. The first
    simulated year has no year before it and is left out.
    """
    child = observed["child_id"].to_numpy()
    year = observed["year"].to_numpy().astype(np.int64)
    order = np.lexsort((year, child))
    child, year = child[order], year[order]
    again = np.zeros(child.size, dtype=bool)
    again[1:] = (child[1:] == child[:-1]) & (year[1:] == year[:-1] + 1)
    later = year > year.min()
    return float(again[later].mean())


def _rates(observed, population, flag, by):
    """Events per child-year by ``by``, using the simulated population as denominator."""
    events = observed.loc[flag].groupby(by, observed=False).size()
    years = population.groupby(by, observed=False)["child_years"].sum()
    return (events.reindex(years.index, fill_value=0) / years).astype(float)


_SCORE_FEATURES = ["child_age", "n_children", "carer_age", "deprivation_decile", "disability",
                   "reporter_professional", "benefits", "housing_support", "police_contact",
                   "health_contact"]


def risk_ventiles(observed: pd.DataFrame, truth: pd.DataFrame) -> pd.DataFrame:
    """Score referrals as a placement tool would, and put them in twentieths (1 to 20).

    A logistic regression of placement within two years (``would_be_placed_2y`` of the
    truth: the tool's outcome, known here for every referral) on the recorded columns,
    trained on the even households and scoring the odd ones; a referral's score is its
    highest-scoring child's. Returns one row per scored referral: ``ventile`` and
    ``screened_in``.
    """
    X = observed[_SCORE_FEATURES].astype(float).assign(
        log_prior=np.log1p(observed["prior_referrals"]),
        log_prior_in=np.log1p(observed["prior_screened_in"]),
        infant=(observed["child_age"] <= 1).astype(float),
        teen=(observed["child_age"] >= 13).astype(float),
        neglect=(observed["allegation"] == "neglect").astype(float))
    y = truth["would_be_placed_2y"].astype(int)
    train = (observed["household_id"] % 2 == 0).to_numpy()
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=500))
    model.fit(X[train], y[train])
    held = observed.loc[~train, ["referral_id", "screened_in"]].assign(
        score=model.predict_proba(X[~train])[:, 1])
    per_referral = held.groupby("referral_id").agg(score=("score", "max"),
                                                   screened_in=("screened_in", "first"))
    per_referral["ventile"] = (per_referral["score"].rank(pct=True, method="first")
                               .mul(20).apply(np.ceil).clip(1, 20).astype(int))
    return per_referral


_COPY_FEATURES = ["child_age", "n_children", "carer_age", "deprivation_decile", "disability",
                  "reporter_professional", "prior_referrals", "prior_screened_in", "benefits",
                  "housing_support", "police_contact", "health_contact", "year"]


def top_ventile_placement(observed: pd.DataFrame) -> pd.Series:
    """Placement rate by group among the top twentieth of a copy of the AFST's scores.

    As Chouldechova et al. (2018) evaluated the AFST copy: a logistic regression of
    placement within two years on the recorded columns, fitted to screened-in children
    and evaluated on children of other households (even households train, odd ones are
    scored). Returns each group's placement rate among the scored children in the top
    twentieth of scores (the AFST's score 20 of 20).
    """
    s = observed[observed["screened_in"].astype(bool)]
    X = pd.concat([s[_COPY_FEATURES].astype(float),
                   pd.get_dummies(s[["allegation", "reporter"]]).astype(float)], axis=1)
    y = s["placed_2y"].astype(bool).to_numpy()
    train = (s["household_id"] % 2 == 0).to_numpy()
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
    model.fit(X[train], y[train])
    scores = model.predict_proba(X[~train])[:, 1]
    top = scores >= np.quantile(scores, 0.95)
    held = s.loc[~train, "race_ethnicity"]
    return pd.Series(y[~train][top]).groupby(held.to_numpy()[top], observed=True).mean()


def measure(observed: pd.DataFrame, population: pd.DataFrame, scenario: str,
            truth: pd.DataFrame | None = None) -> dict:
    """Compute every target statistic of ``scenario`` on a generated data set."""
    values = {}
    if scenario == "england":
        return _measure_england(observed, population)
    screened = observed["screened_in"]
    victims = observed["substantiated"].fillna(False).astype(bool)
    placed = observed["placed_2y"].fillna(False).astype(bool)
    if scenario == "us":
        values["screen_in"] = _per_referral(observed, "screened_in")
        values["substantiated"] = float(victims[screened].mean())
        values["professional"] = _per_referral(observed, "reporter_professional")
        values["neglect"] = float((observed.loc[victims, "allegation"] == "neglect").mean())
        values["age_0_2"] = float((observed.loc[victims, "child_age"] <= 2).mean())
        rates = _rates(observed, population, victims, "race_ethnicity")
        for group in US_RATES:
            values[f"rate_ratio:{group}"] = float(rates[group] / rates["White"])
        values["victim_rate"] = float(victims.sum() / population["child_years"].sum() * 1000)
        placement = _rates(observed, population, placed, "race_ethnicity")
        overall = placed.sum() / population["child_years"].sum()
        for group in PLACEMENT_RISKS:
            values[f"placement_ratio:{group}"] = float(placement[group] / overall)
        top = top_ventile_placement(observed)
        # A small data set may have no Black or White child among the top scores.
        values["top_ventile_white"] = float(top.get("White", np.nan))
        values["top_ventile_gap"] = float(top.get("Black", np.nan) - top.get("White", np.nan))
        if truth is not None:
            ventiles = risk_ventiles(observed, truth)
            values["screened_out_top"] = float(
                1 - ventiles.loc[ventiles["ventile"] == 20, "screened_in"].mean())
            values["screened_in_bottom"] = float(
                ventiles.loc[ventiles["ventile"] == 1, "screened_in"].mean())
        else:
            values["screened_out_top"] = values["screened_in_bottom"] = float("nan")
    return values


def _measure_england(observed: pd.DataFrame, population: pd.DataFrame) -> dict:
    values = {}
    in_need = observed["child_in_need"].fillna(False).astype(bool)
    placed = observed["looked_after_2y"].fillna(False).astype(bool)
    child_years = population["child_years"].sum()
    values["re_referral"] = re_referral_rate(observed)
    # stock on 31 March: distinct children found in need in the last 12 months
    last = observed["year"] == observed["year"].max()
    children_last_year = child_years / observed["year"].nunique()
    stock = observed.loc[in_need & last, "child_id"].nunique()
    values["cin_rate"] = float(stock / children_last_year * 10_000)
    # DfE counts a referral per child: one row of observed
    values["referral_rate"] = float(len(observed) / child_years * 10_000)
    first_placement = placed & ~observed["child_id"].where(placed).duplicated()
    values["cla_start_rate"] = float(first_placement.sum() / child_years * 10_000)
    by_decile = _rates(observed, population, placed, "deprivation_decile")
    values["care_gradient"] = float(by_decile[10] / by_decile[1])
    values["care_step"] = float(values["care_gradient"] ** (1 / 9) - 1)
    by_group = _rates(observed, population, placed, "race_ethnicity")
    for group in ("Black", "Mixed"):
        values[f"care_ratio:{group}"] = float(by_group[group] / by_group["White"] - 1)
    return values


def _stage_columns(observed: pd.DataFrame) -> dict[str, str]:
    if "screened_in" in observed:
        return dict(screened="screened_in", found="substantiated", placed="placed_2y")
    return dict(screened="assessed", found="child_in_need", placed="looked_after_2y")


def implied_ratios(observed, truth, population, reference: str = "White") -> pd.DataFrame:
    """True harm by group beside every recorded outcome by group, relative to ``reference``.

    Per child-year of the simulated population: ``true_harm`` (child-years in which a
    child was harmed), ``referred`` (children named in referrals), ``screened_in``,
    ``substantiated`` (victims; in England, children found in need) and ``placed``.
    Among referred or screened-in children: the rate of each decision beside the rate
    of true harm in the same rows (``*_given_*``), which is what neutrality means: a
    recorded outcome that tracks harm has the same ratio as harm. Every column is the
    group's rate over the reference group's.
    """
    c = _stage_columns(observed)
    screened = observed[c["screened"]].astype(bool)
    found = observed[c["found"]].fillna(False).astype(bool)
    placed = observed[c["placed"]].fillna(False).astype(bool)
    harm = truth["harm"].astype(bool)
    group = observed["race_ethnicity"]
    years = population.groupby("race_ethnicity", observed=False)["child_years"].sum()
    harmed = population.groupby("race_ethnicity", observed=False)["harmed_child_years"].sum()

    def per_year(flag):
        return flag.groupby(group, observed=False).sum() / years

    def rate(flag, among):
        return flag[among].groupby(group[among], observed=False).mean()

    frame = pd.DataFrame({
        "true_harm": harmed / years,
        "referred": per_year(pd.Series(True, index=observed.index)),
        "screened_in": per_year(screened),
        "substantiated": per_year(found),
        "placed": per_year(placed),
        "harm_among_referred": rate(harm, slice(None)),
        "screened_in_given_referred": rate(screened, slice(None)),
        "harm_among_screened_in": rate(harm, screened),
        "substantiated_given_screened_in": rate(found, screened),
        "placed_given_screened_in": rate(placed, screened),
    })
    return (frame / frame.loc[reference]).astype(float)


def outcomes_at_equal_need(observed, truth) -> pd.DataFrame:
    """Each group's recorded outcome rate over the rate expected from its harm and need.

    For each decision (screen-in among referred children; substantiation and placement
    among screened-in children), rows are put in cells of the same true harm and the
    same tenth of true need; a row's expected rate is its cell's rate over all groups.
    A ratio of 1 means the group's outcomes are what its true harm and need predict;
    above 1, the system records more for the group than its need explains.
    """
    c = _stage_columns(observed)
    screened = observed[c["screened"]].astype(bool)
    need_decile = pd.qcut(truth["true_need"].rank(method="first"), 10, labels=False)
    cell = truth["harm"].astype(int) * 10 + need_decile
    group = observed["race_ethnicity"]
    out = {}
    stages = [("screened_in", screened, pd.Series(True, index=observed.index)),
              ("substantiated", observed[c["found"]].fillna(False).astype(bool), screened),
              ("placed", observed[c["placed"]].fillna(False).astype(bool), screened)]
    for name, outcome, among in stages:
        y = outcome[among].astype(float)
        expected = y.groupby(cell[among]).transform("mean")
        g = group[among]
        out[name] = (y.groupby(g, observed=False).sum()
                     / expected.groupby(g, observed=False).sum())
    return pd.DataFrame(out).astype(float)


def _group_noise(observed: pd.DataFrame) -> dict[str, float]:
    """Standard error of each group's log ratio, from the data, clustered by household.

    A ratio target compares a group's count of events (victims or placements, per
    child-year) with the reference's (White children, or all children). The child-years
    are fixed, so the ratio's sampling error on the log scale comes from the two counts:
    var(log ratio) = var(count) / count**2 for the group plus the same for the
    reference. Siblings share outcomes and households are referred again, so a count is
    a sum over independent households, not over independent children: its variance is
    estimated by the sum of squared household totals (the cluster-robust, "sandwich"
    estimate; for single events it is the Poisson variance, the count itself). Ignoring
    that the reference "all children" contains the group makes the error slightly too
    large, which only matters for groups that are a large share of all children.
    """
    c = _stage_columns(observed)
    out = {}
    group = observed["race_ethnicity"].to_numpy()
    household = observed["household_id"].to_numpy()
    for prefix, column in (("rate_ratio", c["found"]), ("placement_ratio", c["placed"]),
                           ("care_ratio", c["placed"])):
        flag = observed[column].fillna(False).astype(bool).astype(np.int64)
        per_household = flag.groupby([group, household]).sum()
        count = per_household.groupby(level=0).sum().astype(float)
        squares = per_household.pow(2).groupby(level=0).sum().astype(float)
        # a group without events carries no information: treated as a single event
        relative_variance = (squares / count.clip(lower=1) ** 2).where(count > 0, 1.0)
        total_variance = float(per_household.groupby(level=1).sum().pow(2).sum()
                               / max(float(count.sum()), 1.0) ** 2)
        reference = (total_variance if prefix == "placement_ratio"
                     else float(relative_variance.get("White", total_variance)))
        for g, variance in relative_variance.items():
            out[f"{prefix}:{g}"] = float(np.sqrt(variance + reference))
    return out


def table(observed, population, scenario: str, truth=None) -> pd.DataFrame:
    """The calibration table: target, accepted range, value, whether met, source."""
    if scenario not in TARGETS:
        raise ValueError(
            f"There are published targets for the scenarios 'us' and 'england' only, "
            f"not for {scenario!r}."
        )
    values = measure(observed, population, scenario, truth)
    noise = _group_noise(observed)
    rows = []
    for t in TARGETS[scenario]:
        value = values[t["key"]]
        # a small group's ratio varies by chance more than the tolerance allows: the
        # accepted range widens by two standard errors of the ratio (see _group_noise)
        ratio = t["target"] + 1 if t["key"].startswith("care_ratio") else t["target"]
        margin = 2 * noise.get(t["key"], 0.0) * ratio
        met = bool(t["low"] - margin <= value <= t["high"] + margin)
        rows.append({**t, "value": value, "chance_margin": margin, "met": met})
    frame = pd.DataFrame(rows)
    frame["value"] = frame["value"].astype(float)
    return frame[["statistic", "target", "low", "high", "value", "met", "chance_margin", "year",
                  "source", "status", "note", "key"]]


__all__ = ["TARGETS", "implied_ratios", "measure", "outcomes_at_equal_need", "re_referral_rate",
           "risk_ventiles", "table", "top_ventile_placement"]
