"""Interactive explorers for the lessons (ipywidgets).

Each explorer is a thin layer over a plain function in :mod:`rmlkit.tradeoffs` that
gives the same numbers and figure without a running kernel, so the static book can
show them too.

Introduced in {ref}`lesson-risk-model`.
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

from ._checks import as_binary, as_scores, check_number, check_same_length
from .tradeoffs import (
    plot_cost_and_capacity,
    plot_impossibility,
    plot_rates_by_group,
    rates_at_threshold,
)

__all__ = ["cost_explorer", "impossibility_explorer", "threshold_explorer"]


def _table_html(table) -> str:
    return table.to_html(float_format=lambda v: f"{v:.2f}", classes="rmlkit-table", border=0)


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
    parts = "; ".join(f"{g}: share flagged {r['selection_rate']:.2f}, "
                      f"FPR {r['false_positive_rate']:.2f}, FNR {r['false_negative_rate']:.2f}"
                      for g, r in table.iterrows())
    return f"Bar chart of share flagged, false positive and false negative rates by group. {parts}."


def threshold_explorer(y_true, scores, *, sensitive_features, threshold: float = 0.5,
                       per_group: bool = False):
    """A threshold slider (or one per group) and live rates by group.

    Without ``per_group``, moving the slider recomputes
    :func:`rmlkit.tradeoffs.rates_at_threshold` and shows it as a table. With
    ``per_group=True`` there is one slider per group, and a bar chart of share flagged,
    FPR and FNR by group (:func:`rmlkit.tradeoffs.plot_rates_by_group`).

    Introduced in {ref}`lesson-risk-model`.

    Returns
    -------
    ipywidgets.VBox
        The slider(s) above the table (``.children[-1]`` is the output).
    """
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
                           precision: float = 0.6, false_negative_rate: float = 0.3):
    """Sliders for two groups' base rates, precision and miss rate; the forced FPRs.

    Uses :func:`rmlkit.tradeoffs.plot_impossibility`. Introduced in
    {ref}`lesson-fairness-criteria`.
    """
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
                  cost_false_negative: float = 10.0, cost_false_positive: float = 1.0):
    """Sliders for capacity and the costs of errors; expected cost by group.

    Uses :func:`rmlkit.tradeoffs.plot_cost_and_capacity`. Introduced in
    {ref}`lesson-decisions`.
    """
    n_max = len(as_scores("scores", scores))
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
