"""Argument checks shared by the public functions.

Every check raises an error that names the argument, says what was wrong and what
to do instead, in words a learner can act on.
"""

from __future__ import annotations

import numbers
import os
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
        if isinstance(value, numbers.Real) and not np.isfinite(value):
            raise TypeError(f"{name} must be a whole number, but you gave {value!r}.")
        if isinstance(value, numbers.Real) and not isinstance(value, bool):
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
    if np.ndim(values) > 1:
        raise ValueError(
            f"{name} must be one 0/1 value per row (a single column), but it has shape "
            f"{np.shape(values)}. Pass one column, for example df['placed']."
        )
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
    for name, a in arrays.items():
        if np.ndim(a) == 0:
            raise TypeError(
                f"{name} must have one entry per row (a column, a list or an array), but "
                f"you gave a single {type(a).__name__} ({a!r})."
            )
    lengths = {name: len(a) for name, a in arrays.items()}
    if len(set(lengths.values())) > 1:
        described = ", ".join(f"{name} has {n:_}" for name, n in lengths.items())
        raise ValueError(
            f"These must have one entry per row, but {described}. "
            "Check that they all come from the same rows of the same table."
        )
    return next(iter(lengths.values()))


def check_list(name: str, values) -> list:
    """Return ``values`` as a list if it is a list (or another collection), else raise."""
    if isinstance(values, str) or not isinstance(values, Iterable):
        raise TypeError(
            f"{name} must be a list, but you gave {values!r}. "
            f"Put it in brackets, for example {name}=[{values!r}]."
        )
    return list(values)


def check_names(name: str, values, allowed: Iterable[str]) -> list[str]:
    """Return ``values`` as a list if it is a list of names from ``allowed``, else raise."""
    return [check_choice(name, value, allowed) for value in check_list(name, values)]


def as_thresholds(name: str, values) -> np.ndarray:
    """Return a non-empty 1-D float array of thresholds in [0, 1], else raise."""
    try:
        array = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a list of numbers between 0 and 1.") from None
    if array.ndim != 1 or array.size == 0 or np.isnan(array).any() or (
        array.min() < 0 or array.max() > 1
    ):
        raise ValueError(
            f"{name} must be a list of numbers between 0 and 1, for example "
            f"{name}=[0.1, 0.2, 0.3]."
        )
    return array


def as_features(name: str, values) -> np.ndarray:
    """Return a 2-D float array of features without missing values, else raise."""
    try:
        array = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(
            f"{name} must hold numbers only; turn categories into numbers first "
            "(for example with pd.get_dummies)."
        ) from None
    if array.ndim != 2 or array.shape[0] == 0:
        raise ValueError(
            f"{name} must be a table with one row per person and one column per feature, "
            f"but it has shape {array.shape}."
        )
    if np.isnan(array).any():
        raise ValueError(
            f"{name} has missing values (NaN). Fill them in or drop those rows first."
        )
    return array


def check_path(name: str, value) -> str | os.PathLike:
    """Return ``value`` if it is a path (a str or a pathlib.Path), else raise."""
    if not isinstance(value, (str, os.PathLike)):
        raise TypeError(
            f"{name} must be a folder or file path (a str or a pathlib.Path), but you gave "
            f"a {type(value).__name__} ({value!r})."
        )
    return value


def check_type(name: str, value, kind: type, what: str):
    """Return ``value`` if it is a ``kind``, else raise saying ``what`` it must be."""
    if not isinstance(value, kind):
        raise TypeError(f"{name} must be {what}, but you gave a {type(value).__name__}.")
    return value


def check_columns(name: str, frame, columns) -> pd.DataFrame:
    """Return ``frame`` if it is a DataFrame with these columns, else raise."""
    check_type(name, frame, pd.DataFrame, "a table (a pandas DataFrame)")
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{name} has no column {', '.join(map(repr, missing))}; it needs "
                         f"{', '.join(map(repr, columns))}.")
    return frame


def check_texts(name: str, values, what: str = "text") -> list[str]:
    """Return ``values`` as a list of str if it is a list of text, else raise."""
    if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
        raise TypeError(
            f"{name} must be a list of {what}, but you gave a {type(values).__name__} "
            f"({values!r}). Put it in brackets, for example {name}=[{values!r}]."
        )
    values = list(values)
    bad = [v for v in values if not isinstance(v, str)]
    if bad:
        raise TypeError(f"{name} must hold {what} (str), but it holds {bad[:3]!r}.")
    return values


def check_paths(name: str, values, *, exist: bool = False) -> list:
    """Return ``values`` as a list of paths (str or pathlib.Path), else raise.

    With ``exist``, every path must name an existing file or folder.
    """
    if isinstance(values, (str, bytes, os.PathLike)) or not isinstance(values, Iterable):
        raise TypeError(
            f"{name} must be a list of paths, but you gave a {type(values).__name__} "
            f"({values!r}). Put it in brackets, for example {name}=[{str(values)!r}]."
        )
    values = list(values)
    bad = [v for v in values if not isinstance(v, (str, os.PathLike))]
    if bad:
        raise TypeError(f"{name} must hold paths (str or pathlib.Path), but it holds "
                        f"{bad[:3]!r}.")
    missing = [str(v) for v in values if exist and not os.path.exists(v)]
    if missing:
        raise FileNotFoundError(f"{name}: {missing[0]} does not exist. Check the path.")
    return values


def check_folder(name: str, value, what: str = "a folder"):
    """Return ``value`` as a pathlib.Path if it names an existing folder, else raise."""
    from pathlib import Path

    path = Path(check_path(name, value))
    if not path.is_dir():
        raise FileNotFoundError(
            f"{name} must be {what}, but {path} is not a folder"
            f"{'' if path.exists() else ' (it does not exist)'}. Check the path.")
    return path
