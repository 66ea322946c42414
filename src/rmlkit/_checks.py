"""Argument checks shared by the public functions.

Every check raises an error that names the argument, says what was wrong and what
to do instead, in words a learner can act on.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable

import numpy as np
import pandas as pd


def check_count(name: str, value, *, minimum: int = 1, maximum: int | None = None) -> int:
    """Return ``value`` as an int if it is a whole number in range, else raise.

    Suggestions in the errors always lie between ``minimum`` and ``maximum``.
    """
    def within(number: int) -> int:
        number = max(minimum, number)
        return number if maximum is None else min(maximum, number)

    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        if (isinstance(value, numbers.Real) and not isinstance(value, bool)
                and np.isfinite(float(value))):
            raise TypeError(
                f"{name} must be a whole number, but you gave {value!r}. "
                f"Round it first, for example {name}={within(int(round(float(value)))):_}."
            )
        raise TypeError(
            f"{name} must be a whole number, but you gave a {type(value).__name__} "
            f"({value!r}). Try {name}={within(1000):_}."
        )
    value = int(value)
    if value < minimum:
        raise ValueError(
            f"{name} must be at least {minimum:_}, but you gave {value:_}. "
            f"Ask for {minimum:_} or more."
        )
    if maximum is not None and value > maximum:
        raise ValueError(
            f"{name} must be at most {maximum:_}, but you gave {value:_}. "
            f"Ask for fewer, or generate the data in several parts."
        )
    return value


def check_number(
    name: str, value, *, low: float | None = None, high: float | None = None
) -> float:
    """Return ``value`` as a float if it is a finite number in [low, high], else raise."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(
            f"{name} must be a number, but you gave a {type(value).__name__} ({value!r})."
        )
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"{name} must be a finite number, but you gave {value!r}.")
    if (low is not None and value < low) or (high is not None and value > high):
        span = f"between {low:g} and {high:g}" if high is not None else f"at least {low:g}"
        raise ValueError(f"{name} must be {span}, but you gave {value:g}.")
    return value


def check_probability(name: str, value) -> float:
    """Return ``value`` as a float if it is a probability in [0, 1], else raise."""
    try:
        return check_number(name, value, low=0.0, high=1.0)
    except ValueError:
        raise ValueError(
            f"{name} is a probability, so it must be between 0 and 1, but you gave "
            f"{value!r}. A percentage such as 40 % is written 0.4."
        ) from None


def check_choice(name: str, value, allowed: Iterable[str]) -> str:
    """Return ``value`` if it is one of ``allowed``, else raise with the allowed list."""
    allowed = list(allowed)
    if not isinstance(value, str) or value not in allowed:
        options = ", ".join(repr(a) for a in allowed)
        raise ValueError(f"{name} must be one of {options}, but you gave {value!r}.")
    return value


def check_random_state(value) -> np.random.Generator:
    """Turn ``random_state`` (None, an int or a numpy Generator) into a Generator."""
    if value is None or isinstance(value, np.random.Generator):
        return np.random.default_rng(value)
    if isinstance(value, numbers.Integral) and not isinstance(value, bool) and value >= 0:
        return np.random.default_rng(int(value))
    raise TypeError(
        "random_state must be None, a whole number of 0 or more, or a "
        f"numpy.random.Generator, but you gave {value!r}. Use, for example, random_state=42 "
        "to get the same data every time."
    )


def as_binary(name: str, values) -> np.ndarray:
    """Return a 0/1 integer array from a 0/1 or boolean vector, else raise."""
    series = pd.Series(values)
    if series.isna().any():
        n_missing = int(series.isna().sum())
        raise ValueError(
            f"{name} has {n_missing} missing value(s). Drop those rows, or keep only the "
            "rows whose outcome was observed, before you call this function."
        )
    uniques = set(pd.unique(series).tolist())
    if not uniques <= {0, 1}:
        shown = sorted(map(repr, uniques))[:5]
        raise ValueError(
            f"{name} must hold only 0 and 1 (or False and True), but it holds "
            f"{', '.join(shown)}. Turn it into a yes/no outcome first, "
            "for example (y == 'placed').astype(int)."
        )
    return series.to_numpy().astype(np.int8)


def as_scores(name: str, values) -> np.ndarray:
    """Return a float array of scores in [0, 1], else raise."""
    try:
        array = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must hold numbers between 0 and 1.") from None
    if array.ndim != 1:
        raise ValueError(
            f"{name} must be one score per row (a 1-D array), but it has shape {array.shape}. "
            "With predict_proba, take the second column: model.predict_proba(X)[:, 1]."
        )
    if np.isnan(array).any():
        raise ValueError(f"{name} has missing values (NaN); every row needs a score.")
    if array.size and (array.min() < 0 or array.max() > 1):
        raise ValueError(
            f"{name} must be between 0 and 1 (probabilities), but they run from "
            f"{array.min():g} to {array.max():g}."
        )
    return array


def check_same_length(**arrays) -> int:
    """Raise unless every argument has the same number of rows; return that number."""
    lengths = {name: len(a) for name, a in arrays.items()}
    if len(set(lengths.values())) > 1:
        described = ", ".join(f"{name} has {n:_}" for name, n in lengths.items())
        raise ValueError(
            f"These must have one entry per row, but {described}. "
            "Check that they all come from the same rows of the same table."
        )
    return next(iter(lengths.values()))
