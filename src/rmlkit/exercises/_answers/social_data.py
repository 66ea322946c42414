"""Answers of the exercise ``social-data`` (see :mod:`rmlkit.exercises._answers`)."""

from __future__ import annotations

from rmlkit.check import Answer, KnownMistake
from rmlkit.exercises._answers import mean_by

CONTACTS = ["benefits", "housing_support", "police_contact", "health_contact"]


def _group(df):
    return df["race_ethnicity"].astype(str).to_numpy()


def _screened(df):
    return df["screened_in"].to_numpy(dtype=bool)


def _harm(truth):
    return truth["harm"].to_numpy(dtype=bool)


def _substantiated(df):
    return df["substantiated"].fillna(False).astype(bool).to_numpy()


def _n_contacts(df):
    return df[CONTACTS].astype(int).to_numpy().sum(axis=1)


def harm_rate(df, truth, main_groups):
    return mean_by(_harm(truth), _group(df), main_groups, keep=_screened(df))


def substantiation_rate(df, main_groups, keep=None):
    keep = _screened(df) if keep is None else keep
    return mean_by(_substantiated(df), _group(df), main_groups, keep=keep)


def substantiation_gap(df, truth, main_groups):
    return substantiation_rate(df, main_groups) - harm_rate(df, truth, main_groups)


def contacts_without_harm(df, truth, main_groups):
    return mean_by(_n_contacts(df), _group(df), main_groups, keep=~_harm(truth))


q1 = Answer(
    expected=harm_rate,
    mistakes=[
        KnownMistake(
            "harm_rate looks computed over every referred child. The task asks for "
            "screened-in referrals only (`screened`): only they are investigated, so the "
            "proxy and the truth are compared on the same children.",
            wrong_value=lambda df, truth, main_groups: mean_by(_harm(truth), _group(df),
                                                               main_groups)),
        KnownMistake(
            "harm_rate looks like the share substantiated, the recorded proxy. This task "
            "asks for the truth: `truth[\"harm\"]`.",
            wrong_value=lambda df, main_groups: substantiation_rate(df, main_groups)),
    ],
    solution=(
        'group = df["race_ethnicity"].astype(str)\n'
        'harm_rate = truth.loc[screened, "harm"].groupby(group[screened]).mean().loc[main_groups]'
    ),
)

q2 = Answer(
    expected=substantiation_gap,
    mistakes=[
        KnownMistake(
            "substantiation_gap has the right size but the wrong sign: it is the truth "
            "minus the proxy. Take the substantiation rate minus the harm rate, so that a "
            "positive gap means substantiation overstates harm.",
            wrong_value=lambda df, truth, main_groups: -substantiation_gap(df, truth,
                                                                           main_groups)),
        KnownMistake(
            "substantiation_gap looks computed over every referred child. Only "
            "screened-in referrals can be substantiated: compare both rates among them.",
            wrong_value=lambda df, truth, main_groups: (
                mean_by(_substantiated(df), _group(df), main_groups)
                - mean_by(_harm(truth), _group(df), main_groups))),
        KnownMistake(
            "substantiation_gap looks like a ratio, the substantiation rate divided by the "
            "harm rate. The task asks for a difference of shares: the substantiation rate "
            "*minus* the harm rate.",
            wrong_value=lambda df, truth, main_groups: (substantiation_rate(df, main_groups)
                                                        / harm_rate(df, truth, main_groups))),
    ],
    solution=(
        'group = df["race_ethnicity"].astype(str)\n'
        'substantiated = df.loc[screened, "substantiated"].astype(bool)\n'
        'substantiation_rate = substantiated.groupby(group[screened]).mean().loc[main_groups]\n'
        'substantiation_gap = substantiation_rate - harm_rate'
    ),
)

q3 = Answer(
    expected=contacts_without_harm,
    mistakes=[
        KnownMistake(
            "contacts_without_harm looks computed over every referred child, including "
            "the children who were being harmed. Keep only those who were not "
            "(`~truth[\"harm\"]`): the question is how closely families are watched when "
            "there is no harm.",
            wrong_value=lambda df, main_groups: mean_by(_n_contacts(df), _group(df),
                                                        main_groups)),
        KnownMistake(
            "contacts_without_harm looks like the share of children with at least one "
            "recorded contact. The task asks for the average *number* of contacts, from 0 "
            "to 4: add up the four columns for each child first.",
            wrong_value=lambda df, truth, main_groups: mean_by(
                _n_contacts(df) > 0, _group(df), main_groups, keep=~_harm(truth))),
        KnownMistake(
            "contacts_without_harm looks computed among screened-in referrals only. This "
            "task asks about all referred children who were not being harmed.",
            wrong_value=lambda df, truth, main_groups: mean_by(
                _n_contacts(df), _group(df), main_groups, keep=~_harm(truth) & _screened(df))),
        KnownMistake(
            "contacts_without_harm looks computed for the children who *were* being "
            "harmed: keep those who were not, `~truth[\"harm\"]`.",
            wrong_value=lambda df, truth, main_groups: mean_by(
                _n_contacts(df), _group(df), main_groups, keep=_harm(truth))),
        KnownMistake(
            "contacts_without_harm looks like the average *share* of the four contacts "
            "(a mean across the columns, from 0 to 1). The task asks for the number of "
            "contacts, from 0 to 4: add the four columns up for each child "
            "(`.sum(axis=1)`), then take the mean by group.",
            wrong_value=lambda df, truth, main_groups: mean_by(
                _n_contacts(df) / len(CONTACTS), _group(df), main_groups,
                keep=~_harm(truth))),
    ],
    solution=(
        'group = df["race_ethnicity"].astype(str)\n'
        'not_harmed = ~truth["harm"].to_numpy()\n'
        'n_contacts = df[contacts].sum(axis=1)\n'
        'contacts_without_harm = n_contacts[not_harmed].groupby(group[not_harmed])'
        '.mean().loc[main_groups]'
    ),
)

w4 = (
    "Substantiation is a record of an investigator's decision, not a measurement of harm."
    " In this synthetic data it understates true harm in every group: among screened-in "
    "referrals, the share substantiated is about a third below the share of children "
    "truly harmed, for children from White, Hispanic and Black families alike. The gaps "
    "differ between the groups by only a point or two, which a sample of this size could "
    "give by chance, so they do not show that the label is much less valid for one group;"
    " but they show that a model trained on it learns a measure that misses much of the "
    "harm. Task 3 points to a difference by group elsewhere: children who were not being "
    "harmed have more recorded contact with benefits, housing, police and health services"
    " if they are from Hispanic or Black families. Those four features record how closely"
    " a family is watched by public services, a trace of poverty and of surveillance, as "
    "much as a child's need. A model trained on them would learn that families with more "
    "contact are riskier, and would score children from the more watched groups higher at"
    " the same level of need; its errors would look like accuracy wherever the label "
    "shares the distortion. With real data the truth is unknown, so the agency could not "
    "measure these gaps: the validity of the label and of each feature has to be argued "
    "and checked with other evidence (case-file reviews, families' and practitioners' "
    "accounts), and documented."
)

__all__ = ["q1", "q2", "q3", "w4"]
