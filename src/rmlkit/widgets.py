"""Interactive explorers for the lessons.

Each explorer is a thin layer over a plain function in :mod:`rmlkit.tradeoffs` that
gives the same numbers and figure. Each has two versions, and one function per explorer
chooses (:func:`rmlkit.explorers.explorer_mode`): in a kernel, ipywidgets whose sliders
recompute the numbers (``mode="live"``, the default); in the published book, which has no
kernel, a declarative twin from :mod:`rmlkit.explorers` whose numbers are computed ahead
and whose sliders are declared in Vega-Lite (``mode="declarative"``; the book build sets
``RMLKIT_EXPLORERS=declarative``).

Introduced in lesson 4, Building and evaluating a risk model honestly.
"""

from __future__ import annotations

import base64
import html
import io

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from IPython.display import HTML, display

from . import explorers
from ._checks import (
    as_binary,
    as_scores,
    check_count,
    check_number,
    check_probability,
    check_same_length,
)
from .tradeoffs import (
    plot_cost_and_capacity,
    plot_impossibility,
    plot_rates_by_group,
    rates_at_threshold,
)

__all__ = ["cost_explorer", "deference_explorer", "impossibility_explorer",
           "threshold_explorer"]


def _table_html(table) -> str:
    # A rate with no rows to count from (no placed child in a group: no miss rate) is NaN,
    # shown as "n/a", not as 0.
    return table.to_html(float_format=lambda v: f"{v:.2f}", na_rep="n/a",
                         classes="rmlkit-table", border=0)


def _slider(description, value, low=0.0, high=1.0, step=0.01):
    return widgets.FloatSlider(
        value=value, min=low, max=high, step=step, description=description,
        continuous_update=False, readout_format=".2f",
        style={"description_width": "initial"}, layout=widgets.Layout(width="420px"),
    )


def _redraw(output: widgets.Output, draw, alt):
    """Run ``draw(ax)`` into ``output`` as an image with alt text ``alt(result)``.

    The figure is shown as an HTML <img> so that its alt text travels with it, also in
    the widget state saved in the static book.
    """
    fig, ax = plt.subplots(figsize=(7, 3.5))
    result = draw(ax)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=90, bbox_inches="tight")
    plt.close(fig)
    encoded = base64.b64encode(buffer.getvalue()).decode()
    with output:
        output.clear_output(wait=True)
        display(HTML(f'<img src="data:image/png;base64,{encoded}" '
                     f'alt="{html.escape(alt(result), quote=True)}">'))
    return result


def _figure_explorer(controls: list, draw, alt):
    """Controls above a figure that ``draw(ax)`` redraws whenever a control moves.

    ``draw`` returns ``(ax, table)``; the box's ``current_table()`` gives the table now
    shown, the same one the static plotting function returns.
    """
    output = widgets.Output()
    state = {}

    def update(change=None):
        state["table"] = _redraw(output, draw, alt)[1]

    for control in controls:
        control.observe(update, names="value")
    update()
    box = widgets.VBox([*controls, output])
    box.current_table = lambda: state["table"]
    return box


def _rates_alt(result) -> str:
    _, table = result
    fmt = explorers._fmt  # "n/a" where a rate is undefined
    parts = "; ".join(f"{g}: share flagged {fmt(r['selection_rate'])}, "
                      f"FPR {fmt(r['false_positive_rate'])}, FNR {fmt(r['false_negative_rate'])}"
                      for g, r in table.iterrows())
    return f"Bar chart of share flagged, false positive and false negative rates by group. {parts}."


def threshold_explorer(y_true, scores, *, sensitive_features, threshold: float = 0.5,
                       per_group: bool = False, mode: str | None = None):
    """A threshold slider (or one per group) and live rates by group.

    Without ``per_group``, moving the slider recomputes
    :func:`rmlkit.tradeoffs.rates_at_threshold` and shows it as a table. With
    ``per_group=True`` there is one slider per group, and a bar chart of share flagged,
    FPR and FNR by group (``rmlkit.tradeoffs.plot_rates_by_group``).

    Introduced in lesson 4, Building and evaluating a risk model honestly.

    ``mode`` is ``"live"`` (ipywidgets) or ``"declarative"``
    (:func:`rmlkit.explorers.threshold_twin`, for the book); by default
    :func:`rmlkit.explorers.explorer_mode` decides.

    Returns
    -------
    ipywidgets.VBox or rmlkit.explorers.DeclarativeExplorer
        The slider(s) above the table (``.children[-1]`` is the output).
    """
    if explorers.explorer_mode(mode) == "declarative":
        return explorers.threshold_twin(y_true, scores, sensitive_features=sensitive_features,
                                        threshold=threshold, per_group=per_group)
    y = as_binary("y_true", y_true)
    s = as_scores("scores", scores)
    check_same_length(y_true=y, scores=s, sensitive_features=sensitive_features)
    threshold = check_number("threshold", threshold, low=0.0, high=1.0)
    if not per_group:
        slider = _slider("Threshold", threshold)
        output = widgets.HTML()

        def update(change=None):
            table = rates_at_threshold(y, s, sensitive_features=sensitive_features,
                                       threshold=slider.value)
            output.value = _table_html(table)

        slider.observe(update, names="value")
        update()
        return widgets.VBox([slider, output])

    names = sorted(pd.Series(np.asarray(sensitive_features)).astype(str).unique())
    sliders = {name: _slider(f"Threshold for {name}", threshold) for name in names}
    return _figure_explorer(
        list(sliders.values()),
        lambda ax: plot_rates_by_group(y, s, sensitive_features=sensitive_features,
                                       thresholds={n: sl.value for n, sl in sliders.items()},
                                       ax=ax),
        _rates_alt,
    )


def impossibility_explorer(base_rate_a: float = 0.2, base_rate_b: float = 0.35, *,
                           precision: float = 0.6, false_negative_rate: float = 0.3,
                           mode: str | None = None):
    """Sliders for two groups' base rates, precision and miss rate; the forced FPRs.

    Uses ``rmlkit.tradeoffs.plot_impossibility``; in the book
    (``mode="declarative"``), :func:`rmlkit.explorers.impossibility_twin`.

    Introduced in lesson 7, Fairness criteria and why they conflict.
    """
    base_rate_a = check_probability("base_rate_a", base_rate_a)
    base_rate_b = check_probability("base_rate_b", base_rate_b)
    precision = check_probability("precision", precision)
    false_negative_rate = check_probability("false_negative_rate", false_negative_rate)
    if explorers.explorer_mode(mode) == "declarative":
        return explorers.impossibility_twin(base_rate_a, base_rate_b, precision=precision,
                                            false_negative_rate=false_negative_rate)
    sliders = {
        "a": _slider("Base rate, group A", base_rate_a, 0.01, 0.99),
        "b": _slider("Base rate, group B", base_rate_b, 0.01, 0.99),
        "ppv": _slider("Precision (both groups)", precision, 0.01, 1.0),
        "fnr": _slider("Miss rate, FNR (both groups)", false_negative_rate, 0.0, 1.0),
    }
    return _figure_explorer(
        list(sliders.values()),
        lambda ax: plot_impossibility(
            {"A": sliders["a"].value, "B": sliders["b"].value},
            precision=sliders["ppv"].value, false_negative_rate=sliders["fnr"].value, ax=ax),
        lambda result: "Bar chart of the false positive rate each group must have: "
        + ", ".join(f"{g} {v:.2f}" for g, v in result[1]["false_positive_rate"].items()) + ".",
    )


def cost_explorer(y_true, scores, *, sensitive_features, periods=None, capacity: int = 50,
                  cost_false_negative: float = 10.0, cost_false_positive: float = 1.0,
                  mode: str | None = None):
    """Sliders for capacity and the costs of errors; expected cost by group.

    Uses ``rmlkit.tradeoffs.plot_cost_and_capacity``; in the book
    (``mode="declarative"``), :func:`rmlkit.explorers.cost_twin`.

    Introduced in lesson 8, Decisions and trade-offs: thresholds, costs and capacity.
    """
    n_max = check_same_length(y_true=as_binary("y_true", y_true),
                              scores=as_scores("scores", scores),
                              sensitive_features=sensitive_features)
    capacity = check_count("capacity", capacity, minimum=0)
    cost_false_negative = check_number("cost_false_negative", cost_false_negative, low=0)
    cost_false_positive = check_number("cost_false_positive", cost_false_positive, low=0)
    if explorers.explorer_mode(mode) == "declarative":
        return explorers.cost_twin(y_true, scores, sensitive_features=sensitive_features,
                                   periods=periods, capacity=capacity,
                                   cost_false_negative=cost_false_negative,
                                   cost_false_positive=cost_false_positive)
    capacity_slider = widgets.IntSlider(value=min(capacity, n_max), min=0, max=n_max,
                                        description="Capacity", continuous_update=False,
                                        layout=widgets.Layout(width="420px"))
    fn_slider = _slider("Cost of a missed child", cost_false_negative, 0, 50, 0.5)
    fp_slider = _slider("Cost of an unnecessary investigation", cost_false_positive, 0, 50, 0.5)
    return _figure_explorer(
        [capacity_slider, fn_slider, fp_slider],
        lambda ax: plot_cost_and_capacity(
            y_true, scores, sensitive_features=sensitive_features, periods=periods,
            capacity=capacity_slider.value, cost_false_negative=fn_slider.value,
            cost_false_positive=fp_slider.value, ax=ax),
        lambda result: "Bar chart of the expected cost per referral by group: "
        + ", ".join(f"{g} {v:.2f}" for g, v in result[1]["cost_per_row"].drop("all").items())
        + ".",
    )


def deference_explorer(by_deference, *, deference: float | None = None,
                       mode: str | None = None):
    """A deference slider over the lesson's runs; every measure with the setting marked.

    ``by_deference`` has one row per deference value (evenly spaced between 0 and 1) and
    one column per measure, as built in the lesson from
    :func:`rmlkit.feedback.simulate_feedback_loop`. The figure is
    :func:`rmlkit.explorers.plot_deference_sweep`; in the book (``mode="declarative"``),
    :func:`rmlkit.explorers.deference_twin`.

    Introduced in lesson 10, People and models together.
    """
    if explorers.explorer_mode(mode) == "declarative":
        return explorers.deference_twin(by_deference, deference=deference)
    table, _ = explorers._check_sweep(by_deference)
    values = list(table.index)
    start = values[len(values) // 2] if deference is None else check_number(
        "deference", deference, low=values[0], high=values[-1])
    slider = widgets.SelectionSlider(
        options=[(f"{v:.2f}", v) for v in values],
        value=min(values, key=lambda v: abs(v - start)), continuous_update=False,
        description="Deference (share of disagreements settled in the model's favour)",
        style={"description_width": "initial"}, layout=widgets.Layout(width="620px"))

    def draw(ax):
        fig = ax.figure
        ax.remove()
        rows = (table.shape[1] + 1) // 2
        fig.set_size_inches(7, 2.8 * rows)
        axes = fig.subplots(rows, 2, squeeze=False)
        _, shown = explorers.plot_deference_sweep(table, deference=slider.value, axes=axes)
        return ax, shown.loc[[slider.value]]

    return _figure_explorer(
        [slider], draw,
        lambda result: f"Line charts of each measure against deference, marked at "
        f"{slider.value:.2f}: " + ", ".join(f"{c} {v:.2f}" for c, v in
                                             result[1].iloc[0].items()) + ".",
    )
