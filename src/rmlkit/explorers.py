"""Explorers that work without a kernel: the published book's twins of :mod:`rmlkit.widgets`.

In JupyterLab an explorer is a set of ipywidgets whose callbacks recompute its numbers in
the kernel. A static page has no kernel, so here every number an explorer can show is
computed ahead by rmlkit's own functions, at every setting its sliders can take (a
threshold sweep is about a hundred thresholds times a handful of groups), and the sliders
are declared in Vega-Lite through Altair: a parameter bound to a range input filters or
looks up the precomputed numbers, so moving a slider in the page redraws the figure and
the numbers beside it, with no kernel and no network. The book serves vega, vega-lite and
vega-embed itself (from npm, in its ``vendor/`` folder); ``book/_ext/rml_offline.py``
draws each explorer and keeps a text description of the current setting (an aria-live
region) up to date.

Which version a lesson shows is decided by :func:`explorer_mode`: the live ipywidgets in
a kernel, the declarative twin when the book is built (the book's Sphinx extension sets
``RMLKIT_EXPLORERS=declarative`` for the kernels it starts). Lessons call the functions
of :mod:`rmlkit.widgets`, which choose.

Introduced in the book page "Instructor's guide" (Adapting the course).
"""

from __future__ import annotations

import base64
import html
import io
import json
import os

import numpy as np
import pandas as pd

from ._checks import (
    as_binary,
    as_scores,
    check_choice,
    check_count,
    check_number,
    check_same_length,
)
from .tradeoffs import (
    capacity_decisions,
    expected_cost,
    impossibility_table,
    plot_cost_and_capacity,
    plot_impossibility,
    plot_rates_by_group,
    threshold_sweep,
)

__all__ = [
    "MODE_VARIABLE", "DeclarativeExplorer", "cost_twin", "deference_twin", "explorer_mode",
    "impossibility_twin", "plot_deference_sweep", "threshold_twin",
]

#: The environment variable that chooses the explorers: ``live`` or ``declarative``.
MODE_VARIABLE = "RMLKIT_EXPLORERS"
MODES = ("live", "declarative")
#: The book's sliders for the impossibility explorer move in steps of 1/IMPOSSIBILITY_STEPS.
IMPOSSIBILITY_STEPS = 20
COLOURS = ["#4477aa", "#cc6677", "#ddaa33", "#228833"]


def explorer_mode(mode: str | None = None) -> str:
    """``"live"`` (ipywidgets, in a kernel) or ``"declarative"`` (Vega-Lite, in the book).

    ``mode`` wins when given; otherwise the environment variable ``RMLKIT_EXPLORERS``
    decides, and without it the explorers are live. The book build sets it to
    ``declarative`` (``book/_ext/rml_offline.py``), because a static page cannot run
    the widgets' callbacks.

    Introduced in the book page "Instructor's guide" (Adapting the course).
    """
    if mode is None:
        mode = os.environ.get(MODE_VARIABLE) or "live"
        if mode not in MODES:
            raise ValueError(f"The environment variable {MODE_VARIABLE} must be 'live' or "
                             f"'declarative', but it is {mode!r}. Unset it to get live "
                             "explorers.")
        return mode
    return check_choice("mode", mode, MODES)


def _alt():
    import altair as alt

    return alt


def _png(fig) -> str:
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=90, bbox_inches="tight")
    plt.close(fig)
    return base64.b64encode(buffer.getvalue()).decode()


def _fmt(value) -> str:
    return "n/a" if value is None or not np.isfinite(value) else f"{value:.2f}"


class DeclarativeExplorer:
    """An explorer as a Vega-Lite chart with bound sliders, for a page with no kernel.

    Shown in the book as HTML: the chart's specification (drawn by vega-embed from the
    book's vendor folder), a live text description of the current setting, and a static
    figure at the starting setting (for print, and for readers without JavaScript). In
    JupyterLab the same chart renders through Vega-Lite's own mimetype.

    Introduced in the book page "Instructor's guide" (Adapting the course).

    Attributes
    ----------
    chart : altair chart
        The Vega-Lite chart; its parameter ``description`` is the text description of
        the current setting, which the page copies into its live region.
    table : pandas.DataFrame
        Every number the explorer can show, as computed by rmlkit (one row per setting,
        group and quantity).
    description : str
        The description at the starting setting.
    alt_text : str
        The alt text of the static figure.
    """

    def __init__(self, chart, *, table: pd.DataFrame, description: str, alt_text: str,
                 figure_png: str, label: str):
        self.chart, self.table, self.description = chart, table, description
        self.alt_text, self.figure_png, self.label = alt_text, figure_png, label

    def spec(self) -> dict:
        return self.chart.to_dict()

    def _repr_html_(self) -> str:
        spec = json.dumps(self.spec(), allow_nan=False).replace("</", "<\\/")
        label = html.escape(self.label, quote=True)
        return (
            f'<div class="rmlkit-explorer" role="group" aria-label="{label}">'
            f'<script type="application/json" class="rmlkit-explorer-spec">{spec}</script>'
            '<div class="rmlkit-explorer-controls"></div>'
            '<div class="rmlkit-explorer-chart"></div>'
            '<p class="rmlkit-explorer-status" aria-live="polite">'
            f"{html.escape(self.description)}</p>"
            '<figure class="rmlkit-explorer-static">'
            f'<img src="data:image/png;base64,{self.figure_png}" '
            f'alt="{html.escape(self.alt_text, quote=True)}">'
            "<figcaption>The explorer at its starting setting. In the online book its "
            "sliders move the figure and the numbers; in JupyterLab, run the notebook."
            "</figcaption></figure></div>"
        )

    def _repr_mimebundle_(self, include=None, exclude=None):
        alt = _alt()
        major = alt.SCHEMA_VERSION.lstrip("v").split(".")[0]
        return {
            "text/html": self._repr_html_(),
            f"application/vnd.vegalite.v{major}+json": self.spec(),
            "text/plain": self.description,
        }


def _slider(alt, name: str, label: str, value: float, low: float, high: float, step: float):
    return alt.param(name=name, value=value,
                     bind=alt.binding_range(min=low, max=high, step=step, name=f"{label} "))


def _describe_param(alt, expression: str):
    return alt.param(name="description", expr=expression)


def _array(values) -> str:
    """A JSON array literal, which Vega's expression language reads as an array."""
    return json.dumps(list(values), allow_nan=False)


def _table_chart(alt, data: pd.DataFrame, groups: list, metrics: list, name: str):
    """The numbers as text: one row per group, one column per quantity."""
    return alt.Chart(data, name=name).mark_text(align="center", fontSize=13).encode(
        y=alt.Y("group:N", sort=groups, title=None),
        x=alt.X("metric:N", sort=metrics, title=None,
                axis=alt.Axis(orient="top", labelAngle=0, labelLimit=200)),
        text="label:N",
    ).properties(width=110 * len(metrics), height=24 * len(groups))


def _bar_chart(alt, data: pd.DataFrame, groups: list, metrics: list, *, x_title: str,
               x_max: float | None = 1.0):
    scale = alt.Scale(domain=[0, x_max]) if x_max is not None else alt.Undefined
    return alt.Chart(data).mark_bar().encode(
        y=alt.Y("group:N", sort=groups, title=None),
        yOffset=alt.YOffset("metric:N", sort=metrics),
        x=alt.X("value:Q", scale=scale, title=x_title),
        color=alt.Color("metric:N", sort=metrics, title=None,
                        scale=alt.Scale(domain=metrics, range=COLOURS[:len(metrics)]),
                        legend=alt.Legend(orient="top")),
    ).properties(width=420, height=30 * len(metrics) * len(groups))


#: The quantities the threshold explorer shows, in words: the columns ``selection_rate``,
#: ``false_positive_rate`` and ``false_negative_rate`` of
#: :func:`rmlkit.tradeoffs.rates_at_threshold` (which the live explorer shows).
RATE_NAMES = ["share flagged", "false positive rate", "false negative rate"]


def _sweep_rates(y, s, groups, thresholds) -> pd.DataFrame:
    """Rates by group at every threshold, long: step, group, metric, value.

    From :func:`rmlkit.tradeoffs.threshold_sweep` (one sort per group; the tests check
    it against ``rates_at_threshold``): the share flagged, the false positive rate and
    the false negative rate (1 - TPR).
    """
    sweep = threshold_sweep(y, s, sensitive_features=groups, thresholds=thresholds)
    sweep = sweep.assign(step=np.round(sweep["threshold"] * (len(thresholds) - 1)).astype(int))
    # A group with no placed (or no unplaced) children has no false negative (or false
    # positive) rate: NaN, shown as "n/a", as rates_at_threshold gives it.
    rates = pd.DataFrame({
        "step": sweep["step"], "group": sweep["group"].astype(str),
        RATE_NAMES[0]: sweep["selection_rate"],
        RATE_NAMES[1]: sweep["false_positive_rate"],
        RATE_NAMES[2]: 1 - sweep["true_positive_rate"],
    })
    long = rates.melt(id_vars=["step", "group"], var_name="metric", value_name="value")
    long["value"] = long["value"].astype(float)
    long["label"] = long["value"].map(_fmt)
    long["m"] = long["metric"].map({m: i for i, m in enumerate(RATE_NAMES)})
    return (long.sort_values(["step", "group", "m"], kind="mergesort")
            .drop(columns="m").reset_index(drop=True))


def _group_sentence(rows: pd.DataFrame) -> str:
    return ", ".join(f"{m} {label}" for m, label in zip(rows["metric"], rows["label"],
                                                          strict=True))


def threshold_twin(y_true, scores, *, sensitive_features, threshold: float = 0.5,
                   per_group: bool = False) -> DeclarativeExplorer:
    """The threshold explorer for the book: rates by group at 101 thresholds, precomputed.

    The numbers are those of :func:`rmlkit.tradeoffs.rates_at_threshold` at every
    threshold 0.00, 0.01, ..., 1.00 (computed at once by
    :func:`rmlkit.tradeoffs.threshold_sweep`). Without ``per_group`` one slider moves
    every group's threshold (and the row ``all``); with ``per_group=True`` each group has its own
    slider (a group's rates depend only on its own threshold).

    Introduced in the book page "Instructor's guide" (Adapting the course).
    """
    alt = _alt()
    y = as_binary("y_true", y_true)
    s = as_scores("scores", scores)
    check_same_length(y_true=y, scores=s, sensitive_features=sensitive_features)
    threshold = round(check_number("threshold", threshold, low=0.0, high=1.0), 2)
    groups_of_rows = pd.Series(np.asarray(sensitive_features)).astype(str).to_numpy()
    names = sorted(set(groups_of_rows))
    thresholds = np.round(np.linspace(0, 1, 101), 2)
    sweep = _sweep_rates(y, s, groups_of_rows, thresholds)
    metrics = list(dict.fromkeys(sweep["metric"]))
    shown = names if per_group else [*names, "all"]
    sweep = sweep[sweep["group"].isin(shown)].reset_index(drop=True)
    sweep["g"] = sweep["group"].map({n: i for i, n in enumerate(shown)})

    def sentences(group, named=True):
        rows = sweep[sweep["group"] == group]
        return [(f"{group}: " if named else "") + _group_sentence(rows[rows["step"] == k])
                for k in range(len(thresholds))]

    if per_group:
        params = [_slider(alt, f"t{i}", f"Threshold for {n}", threshold, 0, 1, 0.01)
                  for i, n in enumerate(names)]
        keep = " || ".join(f"(datum.g == {i} && datum.step == round(t{i} * 100))"
                           for i in range(len(names)))
        parts = " + '; ' + ".join(
            f"'{n} at threshold ' + format(t{i}, '.2f') + ': ' + "
            f"{_array(sentences(n, named=False))}[round(t{i} * 100)]"
            for i, n in enumerate(names))
        label = "Threshold explorer, one threshold per group"
    else:
        params = [_slider(alt, "t", "Threshold", threshold, 0, 1, 0.01)]
        keep = "datum.step == round(t * 100)"
        per_step = ["; ".join(parts) for parts in zip(*(sentences(n) for n in shown),
                                                       strict=True)]
        parts = (f"'At threshold ' + format(t, '.2f') + ' — ' + "
                 f"{_array(per_step)}[round(t * 100)]")
        label = "Threshold explorer"
    params.append(_describe_param(alt, parts))
    bars = _bar_chart(alt, sweep[sweep["group"].isin(names)], names, metrics,
                      x_title="rate").transform_filter(keep)
    numbers = _table_chart(alt, sweep, shown, metrics, "numbers").transform_filter(keep)
    chart = alt.vconcat(bars, numbers).add_params(*params).properties(
        description=f"{label}: bars of {', '.join(metrics)} by group; the numbers follow "
                    "the sliders.")

    k = round(threshold * 100)  # the description at the start, as the page writes it
    description = ("; ".join(f"{n} at threshold {threshold:.2f}: "
                             + sentences(n, named=False)[k] for n in names) if per_group
                   else f"At threshold {threshold:.2f} — {per_step[k]}")
    ax, _ = plot_rates_by_group(y, s, sensitive_features=groups_of_rows, thresholds=threshold)
    return DeclarativeExplorer(
        chart, table=sweep.assign(threshold=thresholds[sweep["step"]]),
        description=description, figure_png=_png(ax.figure), label=label,
        alt_text=f"Bar chart of {', '.join(metrics)} by group at threshold {threshold:.2f}. "
                 + description + ".")


def impossibility_twin(base_rate_a: float = 0.2, base_rate_b: float = 0.35, *,
                       precision: float = 0.6,
                       false_negative_rate: float = 0.3) -> DeclarativeExplorer:
    """The impossibility explorer for the book, on a grid of steps of 0.05.

    :func:`rmlkit.tradeoffs.impossibility_table` gives the false positive rate forced
    on a group for every base rate 0.05, ..., 0.95, precision 0.05, ..., 1.00 and miss
    rate 0.00, ..., 1.00 (7,980 settings); the sliders look them up. The starting
    values are rounded to the grid.

    Introduced in the book page "Instructor's guide" (Adapting the course).
    """
    alt = _alt()
    k = IMPOSSIBILITY_STEPS
    start = {
        "a": check_number("base_rate_a", base_rate_a, low=1e-9, high=1 - 1e-9),
        "b": check_number("base_rate_b", base_rate_b, low=1e-9, high=1 - 1e-9),
        "ppv": check_number("precision", precision, low=1e-9, high=1.0),
        "fnr": check_number("false_negative_rate", false_negative_rate, low=0.0, high=1.0),
    }
    lows = {"a": 1, "b": 1, "ppv": 1, "fnr": 0}
    highs = {"a": k - 1, "b": k - 1, "ppv": k, "fnr": k}
    snap = {n: min(max(round(v * k), lows[n]), highs[n]) / k for n, v in start.items()}
    bases = [i / k for i in range(1, k)]
    rows = []
    for iv in range(1, k + 1):
        for jf in range(0, k + 1):
            table = impossibility_table({f"{p:.2f}": p for p in bases}, precision=iv / k,
                                        false_negative_rate=jf / k)
            rows.extend({"base": ib + 1, "ppv": iv, "fnr": jf,
                         "false_positive_rate": float(fpr)}
                        for ib, fpr in enumerate(table["false_positive_rate"]))
    grid = pd.DataFrame(rows)
    # the page shows rmlkit's numbers as Python formats them (2 decimals)
    flat = [_fmt(v) for v in grid["false_positive_rate"]]
    # the grid runs over precision, then miss rate, then base rate: its flat index
    index = {name: f"((round(ppv * {k}) - 1) * {(k + 1) * (k - 1)} + round(fnr * {k}) * "
                   f"{k - 1} + round({name} * {k}) - 1)" for name in ("a", "b")}
    labels = {
        "a": "Base rate, group A", "b": "Base rate, group B",
        "ppv": "Precision (both groups)", "fnr": "Miss rate, FNR (both groups)",
    }
    params = [_slider(alt, n, labels[n], snap[n], lows[n] / k, highs[n] / k, 1 / k)
              for n in ("a", "b", "ppv", "fnr")]
    params.append(alt.param(name="fpr_grid", value=flat))
    params.append(_describe_param(
        alt, "'With precision ' + format(ppv, '.2f') + ' and miss rate ' + format(fnr, '.2f')"
             " + ' in both groups, group A (base rate ' + format(a, '.2f') + ') must have a "
             "false positive rate of ' + fpr_grid[" + index["a"] + "] + ' and "
             "group B (base rate ' + format(b, '.2f') + ') of ' + fpr_grid["
             + index["b"] + "] + '.'"))
    base = pd.DataFrame({"group": ["A", "B"], "g": [0, 1]})
    calc = alt.Chart(base).transform_calculate(
        label=f"datum.g == 0 ? fpr_grid[{index['a']}] : fpr_grid[{index['b']}]",
    ).transform_calculate(
        shown="min(toNumber(datum.label), 1)", metric="'false positive rate forced'")
    bars = calc.mark_bar(color=COLOURS[1]).encode(
        x=alt.X("group:N", title=None, axis=alt.Axis(labelAngle=0)),
        y=alt.Y("shown:Q", scale=alt.Scale(domain=[0, 1]), title="false positive rate forced"),
    ).properties(width=260, height=220)
    text = calc.mark_text(dy=-8, fontSize=13).encode(
        x="group:N", y="shown:Q", text="label:N").properties(name="numbers")
    chart = alt.layer(bars, text).add_params(*params).properties(
        description="Impossibility explorer: bars of the false positive rate each group "
                    "must have, given the base rates, precision and miss rate.")
    table = impossibility_table({"A": snap["a"], "B": snap["b"]}, precision=snap["ppv"],
                                false_negative_rate=snap["fnr"])
    description = (f"With precision {snap['ppv']:.2f} and miss rate {snap['fnr']:.2f} in both "
                   f"groups, group A (base rate {snap['a']:.2f}) must have a false positive "
                   f"rate of {_fmt(table.loc['A', 'false_positive_rate'])} and group B (base rate "
                   f"{snap['b']:.2f}) of {_fmt(table.loc['B', 'false_positive_rate'])}.")
    ax, _ = plot_impossibility({"A": snap["a"], "B": snap["b"]}, precision=snap["ppv"],
                               false_negative_rate=snap["fnr"])
    return DeclarativeExplorer(
        chart, table=grid.assign(base_rate=grid["base"] / k, precision=grid["ppv"] / k,
                                 false_negative_rate=grid["fnr"] / k),
        description=description, figure_png=_png(ax.figure),
        label="Impossibility explorer",
        alt_text="Bar chart of the false positive rate each group must have. " + description)


def cost_twin(y_true, scores, *, sensitive_features, periods=None, capacity: int = 50,
              cost_false_negative: float = 10.0,
              cost_false_positive: float = 1.0) -> DeclarativeExplorer:
    """The cost-and-capacity explorer for the book.

    For every capacity from 0 to the largest number of referrals in one period,
    :func:`rmlkit.tradeoffs.capacity_decisions` and :func:`rmlkit.tradeoffs.expected_cost`
    give the missed children and the unnecessary investigations of each group; the page
    weighs those counts by the costs on the sliders (cost = misses x cost of a miss +
    false alarms x cost of a false alarm, per referral), as ``expected_cost`` does.

    Introduced in the book page "Instructor's guide" (Adapting the course).
    """
    alt = _alt()
    y = as_binary("y_true", y_true)
    s = as_scores("scores", scores)
    check_same_length(y_true=y, scores=s, sensitive_features=sensitive_features)
    c_fn = check_number("cost_false_negative", cost_false_negative, low=0, high=50)
    c_fp = check_number("cost_false_positive", cost_false_positive, low=0, high=50)
    groups = pd.Series(np.asarray(sensitive_features)).astype(str).to_numpy()
    per_period = (len(s) if periods is None
                  else int(pd.Series(np.asarray(periods)).value_counts().max()))
    capacity = min(check_count("capacity", capacity, minimum=0), per_period)
    frames = []
    for c in range(per_period + 1):
        d = capacity_decisions(s, c, periods=periods).astype(int)
        table = expected_cost(y, d, cost_false_negative=1.0, cost_false_positive=0.0,
                              sensitive_features=groups)
        frames.append(table[["false_negatives", "false_positives", "n"]]
                      .rename_axis("group").reset_index().assign(capacity=c))
    counts = pd.concat(frames, ignore_index=True)
    names = [n for n in dict.fromkeys(counts["group"]) if n != "all"]
    shown = [*names, "all"]
    wide = {col: [[int(v) for v in counts[counts["group"] == g].sort_values("capacity")[col]]
                  for g in shown] for col in ("false_negatives", "false_positives")}
    n_rows = [int(counts[counts["group"] == g]["n"].iloc[0]) for g in shown]
    params = [
        _slider(alt, "capacity", "Capacity (referrals investigated per period)", capacity,
                0, per_period, 1),
        _slider(alt, "cfn", "Cost of a missed child", c_fn, 0, 50, 0.5),
        _slider(alt, "cfp", "Cost of an unnecessary investigation", c_fp, 0, 50, 0.5),
        alt.param(name="fn_counts", value=wide["false_negatives"]),
        alt.param(name="fp_counts", value=wide["false_positives"]),
        alt.param(name="n_rows", value=n_rows),
    ]
    cost = ("(fn_counts[{g}][capacity] * cfn + fp_counts[{g}][capacity] * cfp) / n_rows[{g}]")
    params.append(_describe_param(alt, (
        "'Capacity ' + capacity + ', a miss costs ' + format(cfn, '.1f') + ', a false alarm "
        "' + format(cfp, '.1f') + ' — ' + "
        + " + '; ' + ".join(f"'{g}: ' + fn_counts[{i}][capacity] + ' missed children, ' + "
                            f"fp_counts[{i}][capacity] + ' unnecessary investigations, cost "
                            f"per referral ' + format({cost.format(g=i)}, '.2f')"
                            for i, g in enumerate(shown)))))
    base = pd.DataFrame({"group": shown, "g": range(len(shown))})
    calc = alt.Chart(base).transform_calculate(
        fn="fn_counts[datum.g][capacity]", fp="fp_counts[datum.g][capacity]",
        n="n_rows[datum.g]",
    ).transform_calculate(cost="(datum.fn * cfn + datum.fp * cfp) / datum.n")
    bars = calc.transform_filter("datum.group != 'all'").mark_bar(color=COLOURS[0]).encode(
        y=alt.Y("group:N", sort=names, title=None),
        x=alt.X("cost:Q", title="expected cost per referral"),
    ).properties(width=420, height=28 * len(names))
    metrics = ["missed children", "unnecessary investigations", "cost per referral"]
    long = calc.transform_calculate(
        **{metrics[0]: "format(datum.fn, 'd')", metrics[1]: "format(datum.fp, 'd')",
           metrics[2]: "format(datum.cost, '.2f')"},
    ).transform_fold(metrics, as_=["metric", "label"])
    numbers = long.mark_text(fontSize=13).encode(
        y=alt.Y("group:N", sort=shown, title=None),
        x=alt.X("metric:N", sort=metrics, title=None,
                axis=alt.Axis(orient="top", labelAngle=0, labelLimit=200)),
        text="label:N",
    ).properties(width=150 * len(metrics), height=24 * len(shown), name="numbers")
    chart = alt.vconcat(bars, numbers).add_params(*params).properties(
        description="Cost-and-capacity explorer: the expected cost per referral by group, "
                    "for the capacity and costs on the sliders.")
    d = capacity_decisions(s, capacity, periods=periods).astype(int)
    table = expected_cost(y, d, cost_false_negative=c_fn, cost_false_positive=c_fp,
                          sensitive_features=groups)
    description = (f"Capacity {capacity}, a miss costs {c_fn:.1f}, a false alarm {c_fp:.1f} — "
                   + "; ".join(f"{g}: {table.loc[g, 'false_negatives']} missed children, "
                               f"{table.loc[g, 'false_positives']} unnecessary investigations, "
                               f"cost per referral {_fmt(table.loc[g, 'cost_per_row'])}"
                               for g in shown))
    ax, _ = plot_cost_and_capacity(y, s, sensitive_features=groups, periods=periods,
                                   capacity=capacity, cost_false_negative=c_fn,
                                   cost_false_positive=c_fp)
    return DeclarativeExplorer(
        chart, table=counts, description=description, figure_png=_png(ax.figure),
        label="Cost-and-capacity explorer",
        alt_text="Bar chart of the expected cost per referral by group. " + description + ".")


def _check_sweep(table) -> tuple[pd.DataFrame, float]:
    if not isinstance(table, pd.DataFrame) or table.empty:
        raise TypeError("by_deference must be a non-empty pandas DataFrame with one row per "
                        "deference value, as the lesson builds it.")
    index = np.asarray(table.index, dtype=float)
    if len(index) < 2 or np.isnan(index).any() or (index < 0).any() or (index > 1).any():
        raise ValueError("by_deference must have at least two rows, indexed by deference "
                         "values between 0 and 1.")
    order = np.sort(index)
    steps = np.diff(order)
    if not np.allclose(steps, steps[0]) or steps[0] <= 0:
        raise ValueError("by_deference must be indexed by evenly spaced deference values, "
                         f"for example 0, 0.25, 0.5, 0.75, 1; it has {list(order)}.")
    return table.set_axis(index).sort_index(), float(steps[0])


def plot_deference_sweep(by_deference, *, deference: float | None = None, axes=None):
    """One small plot per column of ``by_deference`` against deference, with a marker.

    ``by_deference`` is indexed by deference (the share of disagreements settled in the
    model's favour) with one column per measure, as built in
    lesson 10. The marker shows ``deference``.

    Introduced in lesson 10, People and models together.
    """
    import matplotlib.pyplot as plt

    table, _ = _check_sweep(by_deference)
    if deference is not None:
        values = list(table.index)
        deference = check_number("deference", deference, low=values[0], high=values[-1])
        deference = min(values, key=lambda v: abs(v - deference))
    if axes is None:
        rows = (table.shape[1] + 1) // 2
        _, axes = plt.subplots(rows, 2, figsize=(7, 2.8 * rows), squeeze=False)
    axes = np.atleast_1d(axes).ravel()
    for ax in axes[table.shape[1]:]:
        ax.set_visible(False)
    for ax, column, colour in zip(axes, table.columns, COLOURS * 4, strict=False):
        ax.plot(table.index, table[column], marker="o", color=colour)
        if deference is not None:
            ax.axvline(deference, color="grey", linewidth=0.8)
            ax.plot([deference], [table.loc[deference, column]], marker="o", markersize=11,
                    color=colour, markerfacecolor="white")
        ax.set_title(str(column), fontsize=10)
        ax.set_ylim(0, None)
        ax.set_xlabel("deference")
        ax.spines[["top", "right"]].set_visible(False)
    axes[0].figure.tight_layout()
    return axes, table


def _deference_sentence(table, d) -> str:
    return (f"At deference {d:.2f}: "
            + ", ".join(f"{c} {_fmt(float(table.loc[d, c]))}" for c in table.columns))


def deference_twin(by_deference, *, deference: float | None = None) -> DeclarativeExplorer:
    """The deference sweep of the feedback-loop lesson for the book: one slider.

    The numbers are the rows of ``by_deference`` (the lesson's runs of
    :func:`rmlkit.feedback.simulate_feedback_loop`, one per deference value); the slider
    moves along them.

    Introduced in the book page "Instructor's guide" (Adapting the course).
    """
    alt = _alt()
    table, step = _check_sweep(by_deference)
    values = list(table.index)
    if deference is None:
        deference = values[len(values) // 2]
    deference = check_number("deference", deference, low=values[0], high=values[-1])
    deference = min(values, key=lambda v: abs(v - deference))
    columns = [str(c) for c in table.columns]
    long = (table.set_axis(columns, axis=1).rename_axis("deference").reset_index()
            .melt(id_vars="deference", var_name="metric", value_name="value"))
    long["label"] = long["value"].map(_fmt)
    long["step"] = np.round((long["deference"] - values[0]) / step).astype(int)
    sentences = [_deference_sentence(table.set_axis(columns, axis=1), v) for v in values]
    at = f"round((deference - {values[0]}) / {step})"
    params = [
        _slider(alt, "deference", "Deference (share of disagreements settled in the "
                "model's favour)", deference, values[0], values[-1], step),
        _describe_param(alt, f"{_array(sentences)}[{at}]"),
    ]
    def panel(column, colour):
        one = alt.Chart(long).transform_filter(alt.datum.metric == column)
        line = one.mark_line(point=True, color=colour).encode(
            x=alt.X("deference:Q", title="deference"),
            y=alt.Y("value:Q", title=column))
        marker = one.transform_filter(f"datum.step == {at}").mark_point(
            size=180, filled=False, strokeWidth=2, color="black",
        ).encode(x="deference:Q", y="value:Q")
        return alt.layer(line, marker).properties(width=210, height=140)

    charts = [panel(c, colour) for c, colour in zip(columns, COLOURS * 4, strict=False)]
    panels = alt.vconcat(*(alt.hconcat(*charts[i:i + 2]) for i in range(0, len(charts), 2)))
    numbers = alt.Chart(long, name="numbers").transform_filter(
        f"datum.step == {at}").mark_text(fontSize=13).encode(
        y=alt.Y("metric:N", sort=columns, title=None,
                axis=alt.Axis(labelLimit=400, orient="right")),
        text="label:N",
    ).properties(width=80, height=24 * len(columns))
    chart = alt.vconcat(panels, numbers).add_params(*params).properties(
        description="Deference explorer: each measure against deference, with the chosen "
                    "deference marked and its numbers below.")
    axes, _ = plot_deference_sweep(table, deference=deference)
    description = _deference_sentence(table.set_axis(columns, axis=1), deference)
    return DeclarativeExplorer(
        chart, table=long, description=description, figure_png=_png(axes[0].figure),
        label="Deference explorer",
        alt_text="Line charts of " + ", ".join(columns) + " against deference, marked at "
                 f"{deference:.2f}. " + description + ".")
