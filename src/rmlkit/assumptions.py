"""Conclusions that depend on an assumption of the synthetic world, shown across its range.

A simulation answers "is the tool better than the workers?" only under its own
assumptions: how much the screeners know, how much of a recorded disparity is bias,
how strongly the label records the system rather than the child. No published figure
fixes these exactly, so a conclusion drawn from the simulation is only as strong as its
behaviour across the plausible range of each one. :func:`sweep` re-runs an analysis at
several values of one assumption, holding everything else (the seed included) fixed,
and returns a tidy table, a figure with alt text, and the values between which a
conclusion changes.

All data made here is synthetic.

Introduced in lesson 6, Where bias comes from.
"""

from __future__ import annotations

import base64
import html
import inspect
import io
import numbers
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ._checks import check_choice, check_count

__all__ = ["AssumptionSweep", "assumption_range", "sweep"]


def _registry() -> Mapping[str, Mapping]:
    """The assumptions of the child-welfare world: default, plausible range, source."""
    from .datasets import ASSUMPTIONS

    return ASSUMPTIONS


def assumption_range(assumption: str, n_points: int = 5) -> np.ndarray:
    """Evenly spaced values across an assumption's plausible range, with its default.

    Introduced in lesson 6, Where bias comes from.

    Parameters
    ----------
    assumption : str
        A name from ``rmlkit.datasets.ASSUMPTIONS``, for example ``"screener_accuracy"``.
    n_points : int
        How many evenly spaced values (at least 2); the default value is added if it
        is not among them.

    Returns
    -------
    numpy.ndarray
        The values, sorted.
    """
    registry = _registry()
    check_choice("assumption", assumption, registry)
    n_points = check_count("n_points", n_points, minimum=2, maximum=50)
    info = registry[assumption]
    values = np.linspace(info["low"], info["high"], n_points)
    return np.unique(np.round(np.append(values, info["default"]), 6))


@dataclass
class AssumptionSweep:
    """What :func:`sweep` returns: one analysis at several values of one assumption.

    Introduced in lesson 6, Where bias comes from.

    Attributes
    ----------
    assumption : str
        The assumption that was varied.
    default : float or None
        Its default value in the scenario (None when it has no registered default).
    plausible : tuple of float or None
        The plausible range ``(low, high)`` from ``rmlkit.datasets.ASSUMPTIONS``.
    table : pandas.DataFrame
        Tidy: one row per value and quantity, with columns ``assumption``,
        ``assumption_value``, ``quantity``, ``estimate`` and ``is_default`` (the names
        of :data:`rmlkit.metrics.COLUMNS`).
    """

    assumption: str
    default: float | None
    plausible: tuple[float, float] | None
    table: pd.DataFrame = field(repr=False)

    def wide(self) -> pd.DataFrame:
        """The estimates with one row per value (indexed by the assumption's name) and
        one column per quantity."""
        wide = self.table.pivot(index="assumption_value", columns="quantity", values="estimate")
        wide.columns.name, wide.index.name = None, self.assumption
        return wide[list(dict.fromkeys(self.table["quantity"]))]

    def flips(self, quantity: str, *, against: float = 0.0) -> list[tuple[float, float]]:
        """Where ``quantity`` crosses ``against``: pairs of neighbouring values between
        which its sign (relative to ``against``) changes. Empty if it never does."""
        values = self._series(quantity)
        side = np.sign(values.to_numpy() - against)
        return [(float(values.index[k]), float(values.index[k + 1]))
                for k in range(len(side) - 1) if side[k] * side[k + 1] < 0
                or (side[k] != 0 and side[k + 1] == 0)]

    def describe(self, quantity: str, *, against: float = 0.0,
                 above: str | None = None, below: str | None = None) -> str:
        """One sentence: for which values ``quantity`` is above or below ``against``, and
        whether the conclusion therefore depends on the assumption. ``above`` and
        ``below`` say what each side means in the reader's words (for example "the tool
        finds more harmed children")."""
        values = self._series(quantity)
        above = above or f"{quantity} is above {against:g}"
        below = below or f"{quantity} is below {against:g}"
        name = self.assumption.replace("_", " ")
        runs = []  # (side, first value, last value)
        for value, estimate in values.items():
            side = above if estimate > against else below if estimate < against else "neither"
            if runs and runs[-1][0] == side:
                runs[-1][2] = value
            else:
                runs.append([side, value, value])
        default = "" if self.default is None else f" (the scenario's default is {self.default:g})"
        if len(runs) == 1:
            lo, hi = float(values.index.min()), float(values.index.max())
            return (f"At every {name} tried, from {lo:g} to {hi:g}{default}, {runs[0][0]}: "
                    "the conclusion holds across this range.")
        pieces = [f"{side} at {name} {a:g}" + ("" if a == b else f" to {b:g}")
                  for side, a, b in runs]
        text = f"{'; '.join(pieces)}{default}. The conclusion changes between "
        return (text[0].upper() + text[1:]
                + ", and between ".join(f"{a:g} and {b:g}" for a, b in
                                        self.flips(quantity, against=against))
                + f": it depends on how much {name} the world assumes.")

    def plot(self, quantities: Iterable[str] | None = None, *, against: float | None = None,
             ax=None):
        """Each quantity against the assumption's value; the default and the plausible
        range are marked. Returns the matplotlib Axes."""
        import matplotlib.pyplot as plt

        wide = self.wide()
        quantities = list(wide.columns if quantities is None else quantities)
        for q in quantities:
            self._series(q)
        if ax is None:
            _, ax = plt.subplots(figsize=(7, 3.6))
        if self.plausible is not None:
            ax.axvspan(*self.plausible, color="#eeeeee", zorder=0, label="plausible range")
        for q in quantities:
            ax.plot(wide.index, wide[q], marker="o", label=q)
        if self.default is not None:
            ax.axvline(self.default, color="#333333", linestyle=":", linewidth=1,
                       label="scenario default")
        if against is not None:
            ax.axhline(against, color="#999999", linewidth=0.8)
        ax.set_xlabel(self.assumption.replace("_", " "))
        ax.legend(frameon=False, fontsize=9)
        ax.spines[["top", "right"]].set_visible(False)
        return ax

    def alt_text(self, quantities: Iterable[str] | None = None) -> str:
        """A text description of :meth:`plot`, with every value it shows."""
        wide = self.wide()
        quantities = list(wide.columns if quantities is None else quantities)
        parts = []
        for q in quantities:
            points = ", ".join(f"{v:g}: {e:.3g}" for v, e in self._series(q).items())
            parts.append(f"{q} at {self.assumption.replace('_', ' ')} {points}")
        default = ("" if self.default is None
                   else f" The scenario's default is {self.default:g}.")
        return (f"Line chart of {len(quantities)} quantit{'y' if len(quantities) == 1 else 'ies'}"
                f" across values of {self.assumption.replace('_', ' ')}. "
                + "; ".join(parts) + "." + default)

    def figure_html(self, quantities: Iterable[str] | None = None, *,
                    against: float | None = None) -> str:
        """The figure as an HTML ``<img>`` whose alt text is :meth:`alt_text`, so that
        the description always matches the numbers."""
        import matplotlib.pyplot as plt

        ax = self.plot(quantities, against=against)
        buffer = io.BytesIO()
        ax.figure.tight_layout()
        ax.figure.savefig(buffer, format="png", dpi=100)
        plt.close(ax.figure)
        data = base64.b64encode(buffer.getvalue()).decode("ascii")
        alt = html.escape(self.alt_text(quantities), quote=True)
        return f'<img src="data:image/png;base64,{data}" alt="{alt}">'

    def _repr_html_(self) -> str:
        return self.wide().to_html(float_format=lambda v: f"{v:.3g}")

    def _series(self, quantity: str) -> pd.Series:
        wide = self.wide()
        check_choice("quantity", quantity, wide.columns)
        return wide[quantity]


def sweep(analysis: Callable, assumption: str, values: Iterable[float] | None = None, *,
          generator: Callable | None = None, **settings) -> AssumptionSweep:
    """Re-run ``analysis`` on data generated at several values of one assumption.

    Every run uses the same ``settings`` (the seed included), so the runs differ only
    in the assumption: differences between them are its effect, not chance.

    Introduced in lesson 6, Where bias comes from.

    Parameters
    ----------
    analysis : callable
        Takes what ``generator`` returns and returns the quantities to compare, as a
        dict or a pandas Series of numbers (for example ``{"tool minus workers": 12}``).
    assumption : str
        The keyword of ``generator`` to vary, for example ``"screener_accuracy"``,
        ``"bias_share"`` or ``"label_bias"`` (see ``rmlkit.datasets.ASSUMPTIONS``).
    values : iterable of float, optional
        The values to try. By default, five values across the assumption's plausible
        range and its default (:func:`assumption_range`).
    generator : callable, optional
        What makes the data: by default ``rmlkit.datasets.make_child_welfare``; also
        ``rmlkit.feedback.simulate_feedback_loop``, or any function that accepts the
        assumption as a keyword.
    **settings
        Passed to ``generator`` at every value, for example ``n_referrals=40_000,
        random_state=2024``. Give ``random_state``: without it each run has new data.

    Returns
    -------
    AssumptionSweep
        ``table`` (tidy), ``wide()``, ``plot()``, ``alt_text()``, ``flips()`` and
        ``describe()``.

    Examples
    --------
    >>> from rmlkit.assumptions import sweep
    >>> def placed_rate(data):
    ...     return {"placed": data.observed["placed_2y"].mean()}
    >>> result = sweep(placed_rate, "label_bias", [0.0, 1.0],
    ...                n_referrals=2_000, random_state=0)
    >>> list(result.wide().index)
    [0.0, 1.0]
    """
    if not callable(analysis):
        raise TypeError(
            "analysis must be a function that takes the generated data and returns a dict "
            f"of numbers, but you gave a {type(analysis).__name__}."
        )
    if generator is None:
        from .datasets import make_child_welfare as generator
    elif not callable(generator):
        raise TypeError(
            "generator must be a function that makes the data, such as make_child_welfare, "
            f"but you gave a {type(generator).__name__}."
        )
    registry = _registry()
    accepted = _keywords(generator)
    if not isinstance(assumption, str) or (accepted is not None and assumption not in accepted):
        names = ", ".join(sorted(k for k in registry if accepted is None or k in accepted))
        raise ValueError(
            f"assumption must be a keyword of {_name(generator)}() to vary, but you gave "
            f"{assumption!r}. Assumptions with a plausible range: {names}."
        )
    values = _values(assumption, values, registry)
    info = registry.get(assumption)
    rows = []
    for value in values:
        result = analysis(generator(**settings, **{assumption: value}))
        for quantity, estimate in _quantities(result).items():
            rows.append({"assumption": assumption, "assumption_value": value,
                         "quantity": quantity, "estimate": estimate})
    table = pd.DataFrame(rows)
    default = None if info is None else float(info["default"])
    table["is_default"] = (np.isclose(table["assumption_value"], default)
                           if default is not None else False)
    plausible = None if info is None else (float(info["low"]), float(info["high"]))
    return AssumptionSweep(assumption, default, plausible, table)


def _keywords(generator) -> set[str] | None:
    try:
        parameters = inspect.signature(generator).parameters.values()
    except (TypeError, ValueError):
        return None
    if any(p.kind is p.VAR_KEYWORD for p in parameters):
        return None
    return {p.name for p in parameters if p.kind in (p.KEYWORD_ONLY, p.POSITIONAL_OR_KEYWORD)}


def _name(generator) -> str:
    return getattr(generator, "__name__", "the generator")


def _values(assumption: str, values, registry) -> list[float]:
    if values is None:
        if assumption not in registry:
            raise ValueError(
                f"{assumption!r} has no registered plausible range, so give the values to "
                f"try, for example values=[0, 0.5, 1]."
            )
        return [float(v) for v in assumption_range(assumption)]
    if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
        raise TypeError(
            f"values must be a list of numbers to try for {assumption}, but you gave "
            f"{values!r}. For example values=[0, 0.5, 1]."
        )
    values = list(values)
    bad = [v for v in values if isinstance(v, bool) or not isinstance(v, numbers.Real)
           or not np.isfinite(v)]
    if bad or not values:
        raise ValueError(
            f"values must be a non-empty list of finite numbers, but it holds {bad or values!r}."
        )
    if len(set(values)) != len(values):
        raise ValueError(f"values has repeated entries ({values!r}); give each value once.")
    return sorted(float(v) for v in values)


def _quantities(result) -> dict[str, float]:
    if isinstance(result, pd.Series):
        result = result.to_dict()
    if not isinstance(result, Mapping) or not result:
        raise TypeError(
            "analysis must return a dict (or pandas Series) of named numbers, for example "
            f"{{'tool minus workers': 12.0}}, but it returned a {type(result).__name__}."
        )
    out = {}
    for name, value in result.items():
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise TypeError(
                f"analysis returned {value!r} for {name!r}; every value must be a number."
            )
        out[str(name)] = float(value)
    return out
