"""Interactive explorers for the lessons (ipywidgets).

Each explorer is a thin layer over a plain function that gives the same numbers
without a running kernel, so the static book can show them too.

Introduced in {ref}`lesson-first-model`.
"""

from __future__ import annotations

import ipywidgets as widgets

from ._checks import as_binary, as_scores, check_number, check_same_length
from .tradeoffs import rates_at_threshold

__all__ = ["threshold_explorer"]


def _table_html(table) -> str:
    return table.to_html(
        float_format=lambda v: f"{v:.2f}", classes="rmlkit-table", border=0
    )


def threshold_explorer(y_true, scores, *, sensitive_features, threshold: float = 0.5):
    """A slider for the flagging threshold and a live table of rates by group.

    Moving the slider recomputes :func:`rmlkit.tradeoffs.rates_at_threshold`.

    Introduced in {ref}`lesson-first-model`.

    Returns
    -------
    ipywidgets.VBox
        The slider (``.children[0]``) above the table (``.children[1]``).
    """
    y = as_binary("y_true", y_true)
    s = as_scores("scores", scores)
    check_same_length(y_true=y, scores=s, sensitive_features=sensitive_features)
    threshold = check_number("threshold", threshold, low=0.0, high=1.0)
    slider = widgets.FloatSlider(
        value=threshold,
        min=0.0,
        max=1.0,
        step=0.01,
        description="Threshold",
        continuous_update=False,
        readout_format=".2f",
        style={"description_width": "initial"},
        layout=widgets.Layout(width="420px"),
    )
    output = widgets.HTML()

    def update(change=None):
        table = rates_at_threshold(
            y, s, sensitive_features=sensitive_features, threshold=slider.value
        )
        output.value = _table_html(table)

    slider.observe(update, names="value")
    update()
    return widgets.VBox([slider, output])
