"""Synthetic child-welfare referrals with a known ground truth.

Real child-welfare records cannot be shared, and they never tell us what was really
true for a child. The generators here simulate a world in which we *do* know: every
child has a latent true need, and every record an agency would hold is produced from
it by a process with named bias mechanisms that can be switched off one at a time.

All data made here is synthetic. No row describes a real child or family.

Introduced in lesson 1, Welcome.
"""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd

from .._checks import check_choice, check_count, check_number
from . import _targets
from ._dataset import Dataset, streams
from ._simulation import STREAMS, Simulation

__all__ = [
    "ASSUMPTIONS", "BIAS_MECHANISMS", "Dataset", "MECHANISMS", "SCENARIOS",
    "calibration_table", "implied_ratios", "make_child_welfare", "mechanism_effects",
]


#: The mechanisms. Each is a strength: 0 switches it off, 1 is the scenario's default
#: strength, 2 doubles it. ``base_rate_difference`` is a real difference in need; every
#: other one is a bias: it changes the records at the same need.
MECHANISMS = {
    "base_rate_difference": (
        "Real differences in need between groups. Two paths: groups differ in how "
        "deprived their areas are (the group's deprivation shift, which the records "
        "show), and deprivation raises need; and a group offset on need (circumstances "
        "the records do not show), calibrated so that the recorded "
        "victimisation rates by group match the published ones once the bias mechanisms "
        "have acted (see bias_share). At 0 every group has the same deprivation and the "
        "same need. Not a measurement error, but it still shapes what a model learns."
    ),
    "poverty_bias": (
        "'Poverty profiling': at the same need and harm, deprivation raises a family's "
        "contact with services that report (policing and scrutiny of poor families), its "
        "chance of being referred, its recorded history and its chance of a placement. "
        "At 0 deprivation acts only through real need."
    ),
    "surveillance_bias": (
        "Some groups have more contact with public services (benefits, housing, "
        "police, health) at the same deprivation and need, so more of their lives is "
        "recorded and they are referred more often."
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
#: The mechanisms that are biases (all but the real difference in need).
BIAS_MECHANISMS = [name for name in MECHANISMS if name != "base_rate_difference"]

# Which per-group offset vector each group-specific bias mechanism scales.
_MECHANISM_OFFSET = {
    "surveillance_bias": "group_exposure",
    "reporting_bias": "group_reporting",
    "historical_bias": "group_history",
    "screener_bias": "group_screening",
    "label_bias": "group_label",
}

#: The assumptions of the world that no published figure pins down exactly, but that
#: decide conclusions. Each has a default, a plausible range, the reason and sources.
#: ``make_child_welfare`` and ``simulate_feedback_loop`` take each as a keyword.
ASSUMPTIONS = {
    "screener_accuracy": dict(
        default=0.4, low=0.0, high=1.5,
        meaning=(
            "How clearly screeners see harm: the screener's impression of a referral is "
            "harm x screener_accuracy + N(0, 1) (a signal-detection d'), beside what "
            "they read in the record (prior referrals, who reported)."),
        reason=(
            "Calibrated to screening consistency before a tool in Allegheny County: 27 % "
            "of the highest-risk referrals were screened out and 48 % of the lowest-risk "
            "screened in (Dalton 2017). Scored by a model of the records, the default "
            "reproduces both within their tolerance (calibration_table, keys "
            "screened_out_top / screened_in_bottom). Screeners also weigh repeated "
            "referrals and referrals naming a baby, and about a quarter of decisions (28 %) go "
            "the other way from their reading (supervisors overrode about 1 in 4 "
            "'mandatory' screen-ins, Chouldechova et al. 2018). At 0 screeners see no "
            "harm beyond the record; at 1.5 they see it clearly. The published "
            "consistency is met across that whole range (at 300,000 rows: highest-risk "
            "screened out 32 % at 0 and 30 % at 1.5; lowest-risk screened in 36 %, the "
            "edge of its range, and 39 %), because what the record shows, not harm, "
            "drives most of the inconsistency: the figures do not pin down how well "
            "screeners see harm, so every comparison of screeners with a model must "
            "be shown across it."),
        sources=["Dalton 2017",
                 "Chouldechova et al. 2018 (FAT*), on supervisors' overrides"],
    ),
    "bias_share": dict(
        default=0.3, low=0.0, high=0.6,
        meaning=(
            "The share of each group's recorded disparity in victimisation (relative to "
            "White children, on the log scale) that bias mechanisms produce rather than "
            "real differences in need: true-harm ratio = recorded ratio ** (1 - "
            "bias_share). The need offsets and the groups' bias strengths are "
            "calibrated at 0, 0.3 and 0.6 (and interpolated between) so that the "
            "recorded disparities stay at their published values across the range. At 0 "
            "the world is the no-bias world (poverty bias too is off), with need "
            "differences that reproduce the recorded disparities; from 0 to 0.3 poverty "
            "bias grows to its full strength; above 0.3 the group-specific biases grow."),
        reason=(
            "Contested. The Fourth National Incidence Study (NIS-4, 2005-06), which "
            "counts maltreated children known to community professionals as well as "
            "to agencies, found 24.0 per 1,000 Black and 12.6 per 1,000 White children "
            "maltreated under its Harm Standard (about 1.9 times), close to the recorded "
            "ratio of 1.8: that puts the low end at 0. Its supplementary analysis "
            "attributes the gap partly to the gap in income, which this world models "
            "as real need through deprivation. But the study's sentinels are the same "
            "professionals who report, and critics of the system (for example Eubanks "
            "2018 on 'poverty profiling') hold that much of the gap is bias; the high "
            "end, 0.6, is a world in which most of it is, and is not a published "
            "estimate. The default, 0.3, is the middle of the range, not a finding: "
            "show results across the range."),
        sources=["Sedlak et al. 2010 (NIS-4 Report to Congress)",
                 "Sedlak, McPherson & Das 2010 (Supplementary analyses of race "
                 "differences in the NIS-4)", "Eubanks 2018"],
    ),
    "label_bias": dict(
        default=1.0, low=0.0, high=2.0,
        meaning=(
            "Strength of label bias: how much more likely substantiation and placement "
            "are for some groups at the same true harm (1 = the calibrated default)."),
        reason=(
            "Placement rates by group are calibrated to the cumulative risks of foster "
            "care placement (Wildeman & Emanuel 2014): part of the placement disparity "
            "beyond need is label bias. Its placement stage (the decision to remove a "
            "child, group_placement) is what makes a model of the records miscalibrated "
            "by race: among screened-in children in the top twentieth of a logistic "
            "regression's scores, Black children were placed in 50 % of cases and White "
            "children in 30 % (Chouldechova et al. 2018, the AFST copy). The model does "
            "not see race, so a placement decision that depends on it (and a need that "
            "the records do not show) leaves Black children placed more at the same "
            "score. 0 removes it (placement disparities then fall below the published "
            "ones, and the gap at the top scores shrinks to what unrecorded need "
            "explains), 2 doubles it."),
        sources=["Wildeman & Emanuel 2014 (PLoS ONE 9(3):e92785)",
                 "Chouldechova et al. 2018 (FAT*, PMLR 81:134-148), section 3.2"],
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


def _scenario(groups, shares, **values):
    n = len(groups)
    base = dict(
        groups=list(groups),
        group_shares=list(shares),
        process="us",
        group_deprivation_shift=[0.0] * n,
        group_need=[0.0] * n,
        group_exposure=[0.0] * n,
        group_reporting=[0.0] * n,
        group_history=[0.0] * n,
        group_screening=[0.0] * n,
        group_label=[0.0] * n,
        group_placement=[0.0] * n,
        bias_scale=[1.0] * n,
        # poverty bias's strength relative to its mechanism strength (0 at bias_share 0)
        poverty_scale=1.0,
        # bias_share -> {parameter: value}, interpolated linearly between the points
        bias_share_points={},
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
        screen_base=-2.0,
        screener_accuracy=ASSUMPTIONS["screener_accuracy"]["default"],
        screen_prior=3.2,
        screen_young=4.8,
        screen_professional=0.4,
        # decisions that go the other way from the screener's reading: supervisors
        # overrode about 1 in 4 "mandatory" screen-ins (Chouldechova et al. 2018)
        screen_override=0.28,
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
        placement_prior=0.3,
        placement_sibling_share=0.85,
        placement_household_sd=1.0,
        placement_young_carer=0.4,
        # England's stages after an assessment (used when process="england")
        s47_base=-1.5,
        s47_harm=2.0,
        s47_need=0.3,
        cp_base=-0.5,
        cp_harm=1.5,
        cin_plan_share=0.35,
        mechanisms={name: 1.0 for name in MECHANISMS},
        assumptions={"screener_accuracy": ASSUMPTIONS["screener_accuracy"]["default"],
                     "bias_share": ASSUMPTIONS["bias_share"]["default"]},
    )
    base.update(values)
    for key, value in base.items():
        if key.startswith("group_") or key == "bias_scale":
            assert len(value) == n, key
    return base


#: Scenario presets. A scenario is a world (its groups and their sizes, its process)
#: plus default strengths for each mechanism.
SCENARIOS = {
    "us": _scenario(
        _US_GROUPS,
        [0.49, 0.26, 0.13, 0.05, 0.058, 0.01, 0.002],
        group_deprivation_shift=[0.0, 1.2, 0.3, -0.5, 0.7, 2.2, 1.2],
        group_need=[0.0, -0.369, -0.187, -1.489, 0.058, -0.051, -0.047],
        group_exposure=[0.0, 0.1, 0.5, -0.3, 0.2, 0.5, 0.2],
        group_reporting=[0.0, 0.05, 0.25, -0.15, 0.1, 0.25, 0.1],
        group_history=[0.0, 0.1, 0.4, -0.2, 0.15, 0.4, 0.15],
        group_screening=[0.0, 0.05, 0.2, -0.1, 0.1, 0.2, 0.1],
        group_label=[0.0, 0.1, 0.3, -0.2, 0.1, 0.3, 0.1],
        group_placement=[0.0, 0.1, 0.3, -0.2, 0.1, 0.3, 0.1],
        # set by scripts/calibrate_child_welfare.py us: one set per point of
        # bias_share (group_placement at 0 is unused there: the group biases are off).
        # Black children's entries were then moved by hand, to reproduce the gap at the
        # top scores (datasheet, "Miscalibration by race"): their deprivation shift
        # from 1.8 to 0.3 with the need offset raised to keep their true harm, and
        # their placement offset to 0.8 on the log-odds scale at bias_share 0.3; the
        # calibration tests check every target at 400,000 rows for three seeds.
        bias_share_points={
            0.0: dict(
                group_need=[0.0, -0.1815, 0.65, -1.6904, 0.2989, 0.4824, 0.1857],
                bias_scale=[0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
                poverty_scale=0.0,
                group_placement=[0.0, 0.1, 0.3524, -0.2, 0.1, 0.825, 0.1],
                screen_base=-2.0470,
                substantiation_base=-3.0695,
                neglect_base=0.8333,
                child_harm_older=0.6876,
                placement_base=-3.1794,
                referral_base=-1.9631,
            ),
            0.3: dict(
                group_need=[0.0, -0.215, 0.48, -1.2214, 0.1591, 0.2006, 0.0202],
                bias_scale=[0.5, 0.5, 0.2742, 1.5579, 0.698, 0.5038, 0.5],
                poverty_scale=1.0,
                group_placement=[0.0, 0.1, 2.92, -0.2, 0.1, 0.825, 0.1],
                screen_base=-2.2742,
                substantiation_base=-3.0877,
                neglect_base=0.803,
                child_harm_older=0.6677,
                placement_base=-3.6224,
                referral_base=-2.3506,
            ),
            0.6: dict(
                group_need=[0.0, -0.2272, 0.28, -0.6709, 0.0167, -0.1084, -0.0992],
                bias_scale=[0.5, 0.5, 0.825, 4.0, 1.4256, 1.0423, 0.5],
                poverty_scale=1.0,
                group_placement=[0.0, 0.1, 0.97, -0.2, 0.1, 0.5566, 0.1],
                screen_base=-2.3686,
                substantiation_base=-3.0708,
                neglect_base=0.8026,
                child_harm_older=0.6699,
                placement_base=-3.5756,
                referral_base=-2.3375,
            ),
        },
    ),
    "england": _scenario(
        _ENGLAND_GROUPS,
        [0.73, 0.11, 0.055, 0.07, 0.035],
        process="england",
        group_deprivation_shift=[0.0, 1.0, 1.5, 1.0, 0.8],
        group_need=[0.0, -0.4, -0.61, -0.343, -0.1],
        group_exposure=[0.0, -0.2, 0.4, 0.3, 0.0],
        group_reporting=[0.0, -0.1, 0.2, 0.15, 0.0],
        group_history=[0.0, -0.1, 0.3, 0.2, 0.0],
        group_screening=[0.0, -0.05, 0.15, 0.1, 0.0],
        group_label=[0.0, -0.1, 0.25, 0.2, 0.0],
        group_placement=[0.0, -0.1, 0.25, 0.2, 0.0],
        professional_share=0.85,
        # the decision to assess: fewer reversals than Allegheny's screening
        screen_override=0.1,
        screen_prior=2.5,
        screen_young=4.0,
        # In England an assessment finds a "child in need" for reasons beyond harm
        # (disability, family stress), so the in-need finding is common.
        substantiation_harm=2.5,
        placement_prior=0.7,
        # set (with group_need) by scripts/calibrate_child_welfare.py england --rows
        # 200000 --seeds 2026 7 11, to DfE's referral and re-referral counts per child;
        # the calibration tests check every target at 400,000 rows for three seeds
        screen_base=1.56,
        substantiation_base=0.161,
        placement_base=-4.038,
        referral_base=-3.944,
        referral_prior=2.27,
        need_deprivation=0.245,
    ),
}
SCENARIOS["no_bias"] = {
    **copy.deepcopy(SCENARIOS["us"]),
    "mechanisms": {name: float(name == "base_rate_difference") for name in MECHANISMS},
}
SCENARIOS["equal_need"] = {
    **copy.deepcopy(SCENARIOS["us"]),
    "mechanisms": {name: 0.0 for name in MECHANISMS},
}
# Single-mechanism presets: the US world with its real differences in need and one bias
# mechanism switched on (only_base_rate_difference is the same world as no_bias).
for _name in MECHANISMS:
    SCENARIOS[f"only_{_name}"] = {
        **copy.deepcopy(SCENARIOS["us"]),
        "mechanisms": {name: float(name in (_name, "base_rate_difference"))
                       for name in MECHANISMS},
    }


def resolve_parameters(function: str, scenario: str, *, mechanisms: dict,
                       assumptions: dict) -> dict:
    """A scenario's parameters with the given mechanism strengths and assumptions.

    ``mechanisms`` and ``assumptions`` map names to values, None meaning the scenario's
    default. Each value is checked, with an error that names the argument.
    Used by :func:`make_child_welfare` and :func:`rmlkit.feedback.simulate_feedback_loop`.
    """
    check_choice("scenario", scenario, SCENARIOS)
    params = copy.deepcopy(SCENARIOS[scenario])
    params["mechanism_offsets"] = dict(_MECHANISM_OFFSET)
    for name, value in mechanisms.items():
        if name not in MECHANISMS:
            raise TypeError(f"{function}() has no mechanism called {name!r}. "
                            f"The mechanisms are: {', '.join(MECHANISMS)}.")
        if value is not None:
            params["mechanisms"][name] = check_number(name, value, low=0.0, high=5.0)
    accuracy = assumptions.get("screener_accuracy")
    if accuracy is not None:
        spec = ASSUMPTIONS["screener_accuracy"]
        params["screener_accuracy"] = check_number("screener_accuracy", accuracy,
                                                   low=0.0, high=3.0)
        params["assumptions"]["screener_accuracy"] = params["screener_accuracy"]
        del spec
    share = assumptions.get("bias_share")
    points = params["bias_share_points"]
    if share is not None:
        spec = ASSUMPTIONS["bias_share"]
        share = check_number("bias_share", share, low=spec["low"], high=spec["high"])
        if not points:
            raise ValueError(
                f"bias_share can be varied only in the US scenarios, whose victimisation "
                f"rates by group are calibrated; scenario {scenario!r} has no such "
                "calibration. Leave bias_share out, or use scenario='us'.")
        params["assumptions"]["bias_share"] = share
    if points:
        params.update(_interpolate(points, params["assumptions"]["bias_share"]))
    else:
        params["assumptions"].pop("bias_share", None)
    return params


def _interpolate(points: dict, share: float) -> dict:
    """Parameters at ``share``, linear between the calibrated points of bias_share."""
    grid = sorted(points)
    out = {}
    for key in points[grid[0]]:
        values = [points[s][key] for s in grid]
        if isinstance(values[0], list):
            out[key] = [float(np.interp(share, grid, [v[k] for v in values]))
                        for k in range(len(values[0]))]
        else:
            out[key] = float(np.interp(share, grid, values))
    return out


def make_child_welfare(
    n_referrals: int = 10_000,
    *,
    scenario: str = "us",
    random_state=None,
    years: int | None = None,
    policy_shock_year: int | None = None,
    base_rate_difference: float | None = None,
    poverty_bias: float | None = None,
    surveillance_bias: float | None = None,
    reporting_bias: float | None = None,
    historical_bias: float | None = None,
    screener_bias: float | None = None,
    label_bias: float | None = None,
    screener_accuracy: float | None = None,
    bias_share: float | None = None,
) -> Dataset:
    """Simulate referrals to children's social care, with the truth kept beside them.

    Households (with one or more children) live in areas of differing deprivation and
    have differing contact with public services. Each year a household may be referred;
    a screener decides whether to screen the referral in; screened-in referrals are
    investigated and may be substantiated; some children are placed in care within two
    years. Every child also has a latent *true need* that the agency never sees.
    In the England scenario the stages are England's: assessment (or no further
    action), section 47 enquiry, child protection or child-in-need plan, looked after.

    Introduced in lesson 2, Social data and where it comes from.

    Parameters
    ----------
    n_referrals : int
        Number of rows: children named in a referral, over all years.
    scenario : str
        ``"us"``, ``"england"``, ``"no_bias"`` (the US world with its real
        differences in need and every bias mechanism switched off), ``"equal_need"``
        (every mechanism off, real differences too) or ``"only_<mechanism>"`` (the US
        world's real differences in need and one bias mechanism).
    random_state : int, numpy.random.Generator or None
        Seed for reproducible data. The same seed gives the same data; each component
        of the world draws from its own stream of ``numpy.random.SeedSequence(seed)``,
        so the data is independent of a learner's ``numpy.random.default_rng(seed)``.
    years : int, optional
        Number of years simulated (default: the scenario's, 5).
    policy_shock_year : int, optional
        From this calendar year on, more professionals are mandated to report, so
        referrals rise.
    base_rate_difference, poverty_bias, surveillance_bias, reporting_bias, \
historical_bias, screener_bias, label_bias : float, optional
        Strength of each mechanism (see ``MECHANISMS``): 0 switches it off, 1 is the
        strength in the US and England scenarios, up to 5. None (the default) keeps the
        scenario's strength.
    screener_accuracy : float, optional
        How clearly screeners see harm (see ``ASSUMPTIONS``); default 0.6, calibrated
        to screening consistency before a tool (Dalton 2017), plausible 0 to 1.5.
    bias_share : float, optional
        Share of the recorded disparities in victimisation that bias produces (see
        ``ASSUMPTIONS``); default 0.3, plausible 0 to 0.6. US scenarios only.

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
    mechanisms = dict(
        base_rate_difference=base_rate_difference, poverty_bias=poverty_bias,
        surveillance_bias=surveillance_bias, reporting_bias=reporting_bias,
        historical_bias=historical_bias, screener_bias=screener_bias, label_bias=label_bias)
    params = resolve_parameters(
        "make_child_welfare", scenario, mechanisms=mechanisms,
        assumptions=dict(screener_accuracy=screener_accuracy, bias_share=bias_share))
    rngs = _streams(random_state)
    if years is not None:
        params["years"] = check_count("years", years, minimum=1, maximum=30)
    if policy_shock_year is not None:
        first, last = params["first_year"], params["first_year"] + params["years"] - 1
        params["policy_shock_year"] = check_count(
            "policy_shock_year", policy_shock_year, minimum=first, maximum=last
        )
    params["scenario"] = scenario
    params["n_referrals"] = n
    return generate(n, params, rngs)


def _streams(random_state) -> dict:
    from .._checks import check_random_state

    check_random_state(random_state)  # the same clear error for a bad seed
    return streams(random_state, *STREAMS)


_PILOT_HOUSEHOLDS = 5_000


def generate(n: int, params: dict, rngs: dict) -> Dataset:
    """Simulate enough households for ``n`` rows, then keep the first ``n``.

    Each attempt runs on copies of the streams, so the data depends on the seed only.
    The number of households comes from a small pilot run (rows per household differ
    between scenarios by a factor of two), with 8 % to spare.
    """
    pilot = Simulation(_PILOT_HOUSEHOLDS, params, copy.deepcopy(rngs))
    rows_per_household = max(pilot.n_rows, 1) / _PILOT_HOUSEHOLDS
    n_households = int(1.08 * n / rows_per_household) + 500
    while True:
        sim = Simulation(n_households, params, copy.deepcopy(rngs))
        if sim.n_rows >= n:
            break
        n_households = int(n_households * max(1.1, 1.15 * n / max(sim.n_rows, 1)))
    observed, truth = sim.frames(n)
    population = sim.population(last_household=int(observed["household_id"].iloc[-1]) - 1)
    params = {**params, "maker": "make_child_welfare"}
    data = Dataset(observed, truth, params, population)
    data.DESCR = _datasheet(params).replace("{ratios}", _ratios_markdown(data))
    return data


def calibration_table(data: Dataset, scenario: str | None = None) -> pd.DataFrame:
    """Compare a generated data set with the published figures it should reproduce.

    Introduced in lesson 1, Welcome.

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
        (``low`` to ``high``), the value in ``data``, whether it is ``met`` (within the
        range widened by ``chance_margin``: two standard errors of a group's ratio
        in ``data``, on the log scale and clustered by household, so that chance at
        this size is not read as a miss; it matters only for small groups and small
        data sets), the year,
        the source, whether the source was read directly (``V``) or through a secondary
        source (``S``), and how the value is computed (``note``).
    """
    if not isinstance(data, Dataset) or "referral_id" not in data.observed:
        raise TypeError(
            "data must be what make_child_welfare() returns (a Dataset), but you gave a "
            f"{type(data).__name__}."
        )
    scenario = data.params["scenario"] if scenario is None else scenario
    check_choice("scenario", scenario, list(_targets.TARGETS))
    return _targets.table(data.observed, data.population, scenario, data.truth)


def implied_ratios(data: Dataset, reference: str = "White") -> pd.DataFrame:
    """True harm by group beside each recorded outcome by group, relative to White children.

    Introduced in the book page "Data: synthetic child-welfare referrals".

    One row per group; columns ``true_harm``, ``referred``, ``screened_in``,
    ``substantiated`` and ``placed`` (per child-year of the simulated population; in
    England ``screened_in`` is an assessment, ``substantiated`` a child found in need,
    ``placed`` looked after), then rates among referred or screened-in children beside
    the true-harm rate in the same rows. Each value is the group's rate over the
    reference group's. Small groups and small data sets vary a lot by chance.
    """
    if not isinstance(data, Dataset) or "referral_id" not in data.observed:
        raise TypeError("data must be what make_child_welfare() returns (a Dataset).")
    check_choice("reference", reference, data.params["groups"])
    return _targets.implied_ratios(data.observed, data.truth, data.population, reference)


def mechanism_effects(n_referrals: int = 400_000, *, scenario: str = "us", random_state=2024,
                      group: str = "Black", reference: str = "White") -> pd.DataFrame:
    """How much of a group's recorded disparity each bias mechanism produces.

    Introduced in the book page "Data: synthetic child-welfare referrals".

    Generates the scenario, then the same world with one bias mechanism switched off at
    a time, and compares ``group`` with ``reference`` at each recorded stage. For each
    stage, ``gap`` is the log of the recorded ratio over the true-harm ratio (0: the
    records show exactly the real difference in harm); ``share_of_gap`` is the part of
    the default world's gap that disappears when the mechanism alone is switched off
    (empty where the gap is smaller than 0.05: the recorded ratio is then the true one).
    Shares need not add up to 1: mechanisms interact.
    """
    n = check_count("n_referrals", n_referrals, minimum=10_000, maximum=5_000_000)
    base = make_child_welfare(n, scenario=scenario, random_state=random_state)
    check_choice("group", group, base.params["groups"])
    stages = ["referred", "screened_in", "substantiated", "placed"]

    def gaps(data):
        r = implied_ratios(data, reference).loc[group]
        return {stage: float(np.log(r[stage] / r["true_harm"])) for stage in stages}, r

    base_gap, base_ratio = gaps(base)
    rows = [dict(switched_off="(none)", stage=stage, ratio=float(base_ratio[stage]),
                 true_harm_ratio=float(base_ratio["true_harm"]), gap=base_gap[stage],
                 share_of_gap=0.0) for stage in stages]
    for mechanism in BIAS_MECHANISMS:
        if base.params["mechanisms"][mechanism] == 0:
            continue
        off = make_child_welfare(n, scenario=scenario, random_state=random_state,
                                 **{mechanism: 0.0})
        gap, ratio = gaps(off)
        for stage in stages:
            # a share of a gap near 0 means nothing: left empty
            share = ((base_gap[stage] - gap[stage]) / base_gap[stage]
                     if abs(base_gap[stage]) >= 0.05 else float("nan"))
            rows.append(dict(switched_off=mechanism, stage=stage, ratio=float(ratio[stage]),
                             true_harm_ratio=float(ratio["true_harm"]), gap=gap[stage],
                             share_of_gap=share))
    return pd.DataFrame(rows)


# The England datasheet's own words where the shared ones speak of the US scenario's
# calibration (victimisation rates by group, Allegheny's screening, the AFST copy).
_ENGLAND_MECHANISMS = {
    "base_rate_difference": (
        "Real differences in need between groups. Two paths: groups differ in how "
        "deprived their areas are (the group's deprivation shift, which the records "
        "show), and deprivation raises need; and a group offset on need (circumstances "
        "the records do not show), calibrated so that the rates in care of Black and "
        "Mixed-heritage children relative to White children match the published ones "
        "once the bias mechanisms have acted at their default strengths. No English "
        "figure splits that disparity into need and bias, so the split is an assumption "
        "of this world. At 0 every group has the same deprivation and the same need. Not "
        "a measurement error, but it still shapes what a model learns."
    ),
    "screener_bias": (
        "Workers decide to assess referrals about some groups more often on the same "
        "information."
    ),
    "label_bias": (
        "The outcomes used as labels (the child-in-need finding, becoming looked after) "
        "are more likely for some groups at the same true harm: the proxy measures the "
        "system as well as the child."
    ),
}
_ENGLAND_COLLECTION = (
    "need and harm, referral,\nthe decision to assess (a score with a threshold, then "
    "reversals), the assessment\n(child in need or no further action), section 47 "
    "enquiries and plans, re-referral\nwithin 12 months and becoming looked after within "
    "2 years.")
_ENGLAND_ASSUMPTIONS = {
    "screener_accuracy": dict(
        meaning=(
            "How clearly the decision to assess a referral sees harm: the worker's "
            "impression is harm x screener_accuracy + N(0, 1) (a signal-detection d'), "
            "beside what they read in the record (prior referrals, who referred)."),
        reason=(
            "No English figure pins it down. The default is the US scenario's, which is "
            "calibrated to screening consistency before a tool in Allegheny County "
            "(Dalton 2017); England's decision to assess is reversed less often "
            "(screen_override 0.1, against 0.28). Every comparison of workers with a "
            "model must be shown across the plausible range."),
        sources=["Dalton 2017 (the US calibration the default comes from)"],
    ),
    "label_bias": dict(
        meaning=(
            "Strength of label bias: how much more likely the in-need finding and "
            "becoming looked after are for some groups at the same true harm (1 = the "
            "default)."),
        reason=(
            "The rates in care by ethnicity are calibrated (Bywaters et al. 2019: Black "
            "and Mixed-heritage children in care at higher rates than White children) "
            "with label bias at 1 and the group offsets on need adjusted to match; no "
            "English figure says how much of the disparity is label bias, so at 0 or 2 "
            "the rates in care by ethnicity move away from the published ones. No "
            "English figure gives placement by ethnicity at the same score of a risk "
            "model either."),
        sources=["Bywaters et al. 2019 (the rates in care by ethnicity; see the table "
                 "of published figures for what was read)"],
    ),
}


def _assumptions_markdown(params: dict) -> str:
    lines = []
    for name, spec in ASSUMPTIONS.items():
        value = (params["mechanisms"][name] if name in params["mechanisms"]
                 else params["assumptions"].get(name))
        if value is None:
            continue
        words = (_ENGLAND_ASSUMPTIONS.get(name, spec) if params["scenario"] == "england"
                 else spec)
        lines.append(
            f"- `{name}` = {value:g} here (default {spec['default']:g}, plausible "
            f"{spec['low']:g} to {spec['high']:g}). {words['meaning']} {words['reason']} "
            f"Sources: {'; '.join(words['sources'])}.")
    return "\n".join(lines)


def _ratios_markdown(data: Dataset) -> str:
    columns = ["true_harm", "referred", "screened_in", "substantiated", "placed"]
    ratios = implied_ratios(data)[columns].round(2)
    return ratios.to_markdown(floatfmt=".2f")


def _datasheet(params: dict) -> str:
    """A datasheet in the style of Gebru et al. (2021), in Markdown."""
    england = params["scenario"] == "england"
    words = {**MECHANISMS, **_ENGLAND_MECHANISMS} if england else MECHANISMS
    strengths = "\n".join(
        f"- `{name}` = {value:g}: {words[name]}"
        for name, value in params["mechanisms"].items()
    )
    groups = ", ".join(params["groups"])
    by_score, published = (_ENGLAND_SECTIONS if england else _US_SECTIONS)
    collection = _ENGLAND_COLLECTION if england else _US_COLLECTION
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
referrals: the selective-labels problem. In the England scenario the stages are
England's (Children Act 1989): `assessed`, then `assessment_nfa` (no further action) or
`child_in_need`, `section_47` (enquiry), `child_protection_plan` or
`child_in_need_plan`, and `looked_after_2y`; they are missing for referrals that were
not assessed. `re_referred_12m` looks forwards: the household is referred again in the
next simulated year (about 12 months later), known for every referral. DfE's
re-referral rate looks backwards and counts children: the share of children's
referrals that come within 12 months of a previous referral of the same child
(`calibration_table`, England, measures it that way). The two differ when referrals
rise or fall from year to year, and per household or per child. `truth` holds what
the agency never sees:
latent need, harm, every child's outcome had the referral been screened in, the same
without label bias, and flags for the rows each mechanism changed.

## Collection process
Simulated, vectorised over households, one year at a time: {collection} Prior
referrals come from earlier years of the simulation, so feedback loops appear. The
generating graph is `graph`.

Mechanisms and their strengths in this data (0 = off, 1 = scenario default):
{strengths}

## Assumptions
These settings are not pinned down by a published figure but decide conclusions; every
result that depends on one should be shown across its plausible range
(`rmlkit.datasets.ASSUMPTIONS`):
{_assumptions_markdown(params)}

## Implied ratios
Each group's rate relative to White children, per child-year of the simulated
population: true harm beside each recorded outcome (in this data; small groups vary by
chance, so the datasheets in `datasets/` measure them on 400,000 rows, with the part of
each gap every mechanism produces, from `rmlkit.datasets.mechanism_effects`):

{{ratios}}

{by_score}

{published}

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


#: The datasheets' sections that differ between the scenarios: the gap at the same
#: score of a model (US) or the gradients of care (England), and the published figures.
_US_SECTIONS = ("""## Miscalibration by race at the same score
Among screened-in children scored by a copy of the Allegheny Family Screening Tool (a
logistic regression of placement within two years on the recorded columns), those in
the top twentieth of scores were placed in 50 % of cases for Black children and 30 %
for White children (Chouldechova et al. 2018, section 3.2). The model never sees race,
so a gap at the same score means that placement depends on race, or on something that
goes with race and is not recorded, beyond what the recorded columns capture. In this
world two named mechanisms produce it: the placement stage of `label_bias` (the
decision to remove a child is more likely for Black children at the same harm and
need: `group_placement`), and `base_rate_difference` through the part of Black
families' higher need that the records do not show (the group offset on need). That
second path is a choice of this world: Black children's recorded area deprivation is
shifted by only 0.3 deciles (Hispanic children's by 1.2), and the rest of their higher
need is carried by the unrecorded offset, because a need the model could see would
not leave a gap at the same score. The calibration table checks the gap
(`top_ventile_gap`) and White children's rate (`top_ventile_white`). The published
study does not know the cause (its authors were investigating it), so this split is an
assumption; the gap shrinks with `label_bias` and at `bias_share=0` (no bias, where
only unrecorded need remains).""",
                """## Published figures and stages without one
`rmlkit.datasets.calibration_table` compares the data with published figures: the
screen-in rate, substantiation among screened-in children, reporters, neglect, victims'
ages, the victimisation rate overall and by group (US); placement by group (Wildeman &
Emanuel 2014); placement by race at the top scores of a model (Chouldechova et al.
2018); and screening consistency before a tool (Dalton 2017).
A group's ratio counts as met within its accepted range widened by `chance_margin`:
two standard errors of the ratio measured in the data itself (on the log scale; each
count's variance is the sum of its squared household totals, because siblings share
outcomes and households are referred again). It is the error of the value at the size
of the data checked, so it shrinks as the data grows; at 400,000 rows it is small for
every group but Native Hawaiian or Pacific Islander and American Indian or Alaska
Native children (0.2 % and 1 % of children), whose ratios would otherwise miss by chance
alone. It does not widen the target for model error: the tolerance does that.
No published figure constrains: referral rates by group at equal need (the split of a
referral disparity into need and bias is the `bias_share` assumption), screen-in rates
by group, placement within two years of a referral (the US figure is a cumulative
risk by age 18), England's section 47 enquiries and plans by group, and the years'
trend. Those stages follow from the mechanisms and are assumptions, not findings.""")
_US_COLLECTION = (
    "need and harm, referral,\nscreening (a score with a threshold, then supervisors' "
    "overrides), investigation,\nsubstantiation, re-referral within 12 months and "
    "placement within 2 years.")
_ENGLAND_SECTIONS = ("""## Rates in care by ethnicity and deprivation
The England scenario reproduces the Child Welfare Inequalities Project's gradients in
care: children in the most deprived tenth of neighbourhoods in care at about ten
times the rate of the least deprived (about a third more for each step up a decile),
and Black and Mixed-heritage children at higher rates than White children (the table
of published figures, keys `care_gradient`, `care_step`, `care_ratio:Black`,
`care_ratio:Mixed`). No English figure says how much of the ethnic disparity is need
and how much is bias: here the group offsets on need are calibrated to the rates in
care with the bias mechanisms at their default strengths, so the split in the implied
ratios is an assumption of this world, not a finding. Nor is there an English figure
for placement by ethnicity at the same score of a risk model (the American one,
Chouldechova et al. 2018, is checked only in the US scenario): a gap at the same score
in this data follows from the mechanisms and is not calibrated.""",
                """## Published figures and stages without one
`rmlkit.datasets.calibration_table` compares the data with DfE's figures for England:
re-referrals (backwards and per child, as DfE counts them), children in need on 31
March (a stock), children's referrals and starts of being looked after in a year
(flows); and with the Child Welfare Inequalities Project's deprivation and ethnic
gradients of care. A group's rate in care counts as met within its accepted range
widened by `chance_margin`: two standard errors of the ratio measured in the data
itself (on the log scale; each count's variance is the sum of its squared household
totals, because siblings are placed together and households are referred again). It
is the error of the value at the size of the data checked, so it shrinks as the data
grows. Black and Mixed-heritage children are 5.5 % and 7 % of children here and few
children enter care, so at 400,000 rows the margin is still a sizeable part of the
range: where a value is met only within the widened range, the table says so and
gives the margin. It does not widen the target for model error: the tolerance does
that. No published figure constrains: referral and assessment rates by group at equal
need, section 47 enquiries and plans by group, placement by group at the same score of
a model, and the years' trend. Those stages follow from the mechanisms and are
assumptions, not findings.""")
