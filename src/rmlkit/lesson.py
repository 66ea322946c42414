"""What every lesson sets up first: the course's figure and table settings, and its seed.

Introduced in lesson 1, Welcome.
"""

from __future__ import annotations

from ._checks import check_count

__all__ = ["SEED", "setup"]

#: The seed every lesson uses, so that a lesson shows the same numbers each time it runs.
SEED = 2024


def setup(seed: int = SEED) -> int:
    """Apply the course's figure and table settings, and return the lesson's seed.

    Figures are 7 by 4 inches at 100 dots per inch with 11-point text; tables show up
    to 30 columns and numbers to 3 decimal places. The seed is what the lesson passes
    as ``random_state`` wherever something is drawn at random.

    Introduced in lesson 1, Welcome.

    Parameters
    ----------
    seed : int
        The seed to return (default 2024, the course's).

    Returns
    -------
    int
        ``seed``.

    Examples
    --------
    >>> from rmlkit.lesson import setup
    >>> setup()
    2024
    """
    import matplotlib.pyplot as plt
    import pandas as pd

    seed = check_count("seed", seed, minimum=0)
    plt.rcParams.update({"figure.figsize": (7, 4), "figure.dpi": 100, "font.size": 11})
    pd.set_option("display.max_columns", 30)
    pd.set_option("display.precision", 3)
    return seed
