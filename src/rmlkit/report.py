"""Model cards (Mitchell et al. 2019) filled in from an audit.

Introduced in lesson 11, Transparency and accountability.
"""

from __future__ import annotations

import html
from pathlib import Path

import numpy as np
import pandas as pd

from .audit import AuditResult
from .metrics import label

__all__ = ["model_card"]

_KEY_METRICS = ["base_rate", "selection_rate", "true_positive_rate", "false_positive_rate",
                "precision", "roc_auc"]


def _fmt(value) -> str:
    return "" if value is None or (isinstance(value, float) and np.isnan(value)) else f"{value:.3f}"


def _results_table(result: AuditResult) -> pd.DataFrame:
    t = result.table[result.table["metric"].isin(_KEY_METRICS)].copy()
    has_ci = t["ci_low"].notna().any()
    t["shown"] = t["estimate"].map(_fmt)
    if has_ci:
        t["shown"] = [f"{v} ({_fmt(lo)}\u2013{_fmt(hi)})" if np.isfinite(lo) else v
                      for v, lo, hi in zip(t["shown"], t["ci_low"], t["ci_high"], strict=True)]
    wide = t.pivot(index="group", columns="metric", values="shown")
    wide = wide[[m for m in _KEY_METRICS if m in wide.columns]]
    wide.columns = [label(m) for m in wide.columns]
    wide.insert(0, "n", t.groupby("group")["n"].first())
    return wide


def _automatic_caveats(result: AuditResult) -> list[str]:
    caveats = []
    if result.small_groups:
        caveats.append("Groups with too few rows for reliable estimates: "
                       + ", ".join(map(str, result.small_groups)) + ".")
    d = result.disparities
    low, high = d["ratio_to_reference_ci_low"], d["ratio_to_reference_ci_high"]
    if low.notna().any():
        clear = d[(d["metric"].isin(["false_positive_rate", "selection_rate"]))
                  & ((low > 1) | (high < 1))]
        for _, row in clear.iterrows():
            caveats.append(
                f"The {label(row['metric'])} for {row['group']} is {row['ratio_to_reference']:.2f} "
                f"times that for {row['reference']} ({result.confidence:.0%} CI "
                f"{row['ratio_to_reference_ci_low']:.2f}\u2013"
                f"{row['ratio_to_reference_ci_high']:.2f}): a disparity unlikely to be chance."
            )
    if result.truth_gap is not None:
        gap = result.truth_gap.set_index("group")
        worst = gap["label_minus_true"].abs().idxmax()
        caveats.append(
            f"The label differs from the true outcome most for {worst} (label rate "
            f"{gap.loc[worst, 'label_rate']:.3f}, true rate "
            f"{gap.loc[worst, 'true_rate']:.3f}): some of the measured "
            "disparity is measurement."
        )
    return caveats


def model_card(result: AuditResult, *, model_name: str, intended_use: str,
               out_of_scope: str = "", training_data: str = "", evaluation_data: str = "",
               ethical_considerations: str = "", caveats=(), fmt: str = "markdown",
               path=None) -> str:
    """Write a model card with the disaggregated results and caveats from an audit.

    The sections follow Mitchell et al. (2019): model details, intended use, factors,
    metrics, evaluation and training data, quantitative analyses, ethical
    considerations, caveats and recommendations. Caveats found in the audit (small
    groups, disparities whose confidence interval excludes parity, the gap between
    label and truth) are added to those you give.

    Introduced in lesson 11, Transparency and accountability.

    Parameters
    ----------
    result : AuditResult
        From :func:`rmlkit.audit.audit` (with ``n_bootstrap`` for intervals).
    fmt : {"markdown", "html"}
    path : str or Path, optional
        Also write the card to this file.
    """
    if not isinstance(result, AuditResult):
        raise TypeError("result must be what rmlkit.audit.audit() returns (an AuditResult), "
                        f"but you gave a {type(result).__name__}.")
    if fmt not in ("markdown", "html"):
        raise ValueError(f"fmt must be 'markdown' or 'html', but you gave {fmt!r}.")
    for name, text in (("model_name", model_name), ("intended_use", intended_use)):
        if not isinstance(text, str) or not text.strip():
            raise ValueError(f"{name} must be a non-empty text: a model card without it "
                             "cannot tell a reader what the model is for.")
    groups = [g for g in result.table["group"].unique() if g != "all"]
    all_caveats = [*caveats, *_automatic_caveats(result)]
    table = _results_table(result)
    ci_note = (f" Values in brackets are {result.confidence:.0%} bootstrap confidence intervals."
               if result.table["ci_low"].notna().any() else "")
    sections = [
        ("Model details", model_name),
        ("Intended use", intended_use + (f"\n\nOut of scope: {out_of_scope}" if out_of_scope
                                         else "")),
        ("Factors", "Results are reported for each group: " + ", ".join(map(str, groups))
         + f". Disparities are measured against {result.reference}."),
        ("Metrics", "Base rate, selection rate, true and false positive rates, precision and "
         "AUC, each by group." + ci_note),
        ("Evaluation data", evaluation_data or "Not described."),
        ("Training data", training_data or "Not described."),
        ("Quantitative analyses", None),
        ("Ethical considerations", ethical_considerations or "Not described."),
        ("Caveats and recommendations",
         "\n".join(f"- {c}" for c in all_caveats) or "None recorded."),
    ]
    if fmt == "markdown":
        parts = [f"# Model card: {model_name}"]
        for title, body in sections:
            parts.append(f"## {title}")
            parts.append(table.to_markdown() if body is None else body)
        text = "\n\n".join(parts) + "\n"
    else:
        parts = [f"<h1>Model card: {html.escape(model_name)}</h1>"]
        for title, body in sections:
            parts.append(f"<h2>{html.escape(title)}</h2>")
            if body is None:
                parts.append(table.to_html(border=0))
            elif body.startswith("- "):
                items = "".join(f"<li>{html.escape(line[2:])}</li>" for line in body.splitlines())
                parts.append(f"<ul>{items}</ul>")
            else:
                parts.append("".join(f"<p>{html.escape(p)}</p>" for p in body.split("\n\n")))
        text = ("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>"
                f"Model card: {html.escape(model_name)}</title></head><body>"
                + "\n".join(parts) + "</body></html>\n")
    if path is not None:
        Path(path).write_text(text)
    return text
