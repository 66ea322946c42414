"""Published figures the synthetic child-welfare data reproduces, and how to measure them.

Each target has the statistic, the published value, the accepted range, the year and
the source. ``measure`` computes the same statistic on a generated data set, in the
way the note of each target explains.
"""

from __future__ import annotations

import pandas as pd

CM2023 = "Children's Bureau, Child Maltreatment 2023 (CWLA summary)"
CM2020 = "Child Maltreatment 2020 abstract; CWLA summary 2022"
CBX = "Children's Bureau Express"
FAM7A = "childstats.gov indicator FAM7.A"
DFE_RE = "DfE, Children in need: a focus on re-referrals"
DFE_CIN = "DfE, Children in need 2024"
CWIP = "Bywaters et al., Child Welfare Inequalities Project"
CWIP19 = "Bywaters et al. 2019, cited by Webb & Thomas 2021"

# US victimization rates per 1,000 children (FAM7.A, 2022) relative to White children (6.6)
US_RATES = {
    "American Indian or Alaska Native": 14.3,
    "Black": 12.1,
    "Two or more races": 9.4,
    "Native Hawaiian or Pacific Islander": 9.3,
    "Hispanic": 7.0,
    "Asian": 1.3,
}


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
    ],
    "england": [
        _relative("re_referral", "referrals re-referred within 12 months", 0.22, 0.10,
                  "2023/24", DFE_RE, "V",
                  "referrals whose household is referred again within the next 12 months"),
        _relative("cin_rate", "children in need per 10,000 children", 332.9, 0.15, 2024,
                  DFE_CIN, "V",
                  "children assessed as in need in a year per 10,000 child-years"),
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


def _rates(observed, population, flag, by):
    """Events per child-year by ``by``, using the simulated population as denominator."""
    events = observed.loc[flag].groupby(by, observed=False).size()
    years = population.groupby(by, observed=False)["child_years"].sum()
    return (events.reindex(years.index, fill_value=0) / years).astype(float)


def measure(observed: pd.DataFrame, population: pd.DataFrame, scenario: str) -> dict:
    """Compute every target statistic of ``scenario`` on a generated data set."""
    values = {}
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
    elif scenario == "england":
        values["re_referral"] = _per_referral(observed, "re_referred_12m")
        values["cin_rate"] = float(victims.sum() / population["child_years"].sum() * 10_000)
        by_decile = _rates(observed, population, placed, "deprivation_decile")
        values["care_gradient"] = float(by_decile[10] / by_decile[1])
        values["care_step"] = float(values["care_gradient"] ** (1 / 9) - 1)
        by_group = _rates(observed, population, placed, "race_ethnicity")
        for group in ("Black", "Mixed"):
            values[f"care_ratio:{group}"] = float(by_group[group] / by_group["White"] - 1)
    return values


def table(observed, population, scenario: str) -> pd.DataFrame:
    """The calibration table: target, accepted range, value, whether met, source."""
    if scenario not in TARGETS:
        raise ValueError(
            f"There are published targets for the scenarios 'us' and 'england' only, "
            f"not for {scenario!r}."
        )
    values = measure(observed, population, scenario)
    rows = []
    for t in TARGETS[scenario]:
        value = values[t["key"]]
        rows.append({**t, "value": value, "met": bool(t["low"] <= value <= t["high"])})
    frame = pd.DataFrame(rows)
    frame["value"] = frame["value"].astype(float)
    return frame[["statistic", "target", "low", "high", "value", "met", "year", "source",
                  "status", "note", "key"]]


__all__ = ["TARGETS", "measure", "table"]
