"""What every generator and loader returns: the records, the truth, and how they were made."""

from __future__ import annotations

import html
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ._graph import CausalGraph, child_welfare_graph

__all__ = ["Dataset", "streams"]


def streams(random_state, *tags: str) -> dict[str, np.random.Generator]:
    """Independent random streams, one per named component, from one seed.

    Each stream comes from ``SeedSequence(entropy=seed, spawn_key=(tag_number,))``, so
    the same seed gives the same streams, and none of them is the stream a learner gets
    from ``np.random.default_rng(seed)`` (whose spawn key is empty). The tag numbers are
    fixed hashes of the tag names, so adding a component does not change the others.
    ``random_state`` may be None (fresh entropy), a whole number of 0 or more, or a
    ``numpy.random.Generator`` (its own stream seeds the components).
    """
    if isinstance(random_state, np.random.Generator):
        entropy = int(random_state.integers(2**63))
    elif random_state is None:
        entropy = np.random.SeedSequence().entropy
    else:
        entropy = int(random_state)
    return {tag: np.random.default_rng(
        np.random.SeedSequence(entropy=entropy, spawn_key=(_tag_number(tag),)))
        for tag in tags}


def _tag_number(tag: str) -> int:
    """A stable number for a component's name (FNV-1a, 32 bits)."""
    value = 0x811C9DC5
    for byte in tag.encode():
        value = ((value ^ byte) * 0x01000193) & 0xFFFFFFFF
    return value


@dataclass
class Dataset:
    """What a generator returns: the agency's view, the truth, and how it was made.

    Introduced in the book page "Data: synthetic child-welfare referrals".

    Attributes
    ----------
    observed : pandas.DataFrame
        The columns an agency (or a hospital, or a school) would hold. In the
        child-welfare data, one row per child named in a referral; outcomes after
        screening are missing (``<NA>``) for screened-out referrals.
    truth : pandas.DataFrame
        Row-aligned with ``observed``: the latent true need (and harm), the outcomes
        every row *would* have had, and which mechanisms changed each row.
    params : dict
        Every parameter used, including the mechanism strengths and the assumptions.
    population : pandas.DataFrame
        The simulated population behind the rows (for the child-welfare data: children
        by group and deprivation decile, with the child-years they contribute).
    graph : CausalGraph
        The generating process: ``graph.draw()`` makes a figure; ``graph.to_dot()``
        gives Graphviz text; edges name the bias mechanism acting along them.
    DESCR : str
        A datasheet (Gebru et al., "Datasheets for Datasets") in Markdown.
    """

    observed: pd.DataFrame
    truth: pd.DataFrame
    params: dict
    population: pd.DataFrame
    graph: CausalGraph = field(repr=False, default_factory=child_welfare_graph)
    DESCR: str = field(repr=False, default="")

    @property
    def maker(self) -> str:
        """The generator that made the data (from ``params``)."""
        return self.params.get("maker", "make_child_welfare")

    def _summary(self) -> list[tuple[str, str]]:
        p = self.params
        rows, columns = self.observed.shape
        setting = p.get("scenario", "default settings")
        mechanisms = p.get("mechanisms", {})
        changed = ", ".join(f"{k}={v:g}" for k, v in mechanisms.items() if v != 1.0)
        assumptions = ", ".join(f"{k}={v:g}" for k, v in p.get("assumptions", {}).items())
        lines = [
            ("made by", self.maker),
            ("scenario", str(setting)),
            ("observed", f"{rows:_} rows x {columns} columns"),
            ("truth", ", ".join(self.truth.columns[:6])
             + (", ..." if self.truth.shape[1] > 6 else "")),
        ]
        if changed:
            lines.append(("mechanisms not at 1", changed))
        if assumptions:
            lines.append(("assumptions", assumptions))
        return lines

    def __repr__(self) -> str:
        rows, columns = self.observed.shape
        setting = self.params.get("scenario", "default")
        head = (f"Dataset({self.maker}: {rows:_} rows x {columns} columns, "
                f"scenario={setting!r})")
        return "\n".join([head] + [f"  {k}: {v}" for k, v in self._summary()[3:]])

    def _repr_html_(self) -> str:
        cells = "".join(
            f"<tr><th style='text-align:left'>{html.escape(k)}</th>"
            f"<td style='text-align:left'>{html.escape(v)}</td></tr>"
            for k, v in self._summary())
        return ("<table><caption>Synthetic data set (no row describes a real person)"
                f"</caption>{cells}</table>")
