"""rmlkit.widgets: each explorer updates when a slider moves, and matches its static
counterpart in rmlkit.tradeoffs."""

from __future__ import annotations

import re

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest

from rmlkit.tradeoffs import (
    impossibility_table,
    plot_cost_and_capacity,
    plot_rates_by_group,
)
from rmlkit.widgets import (
    _rates_alt,
    cost_explorer,
    impossibility_explorer,
    threshold_explorer,
)


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(2)
    n = 2_000
    g = rng.choice(["A", "B"], n)
    y = (rng.random(n) < np.where(g == "A", 0.2, 0.35)).astype(int)
    s = np.clip(0.3 + 0.3 * y + rng.normal(0, 0.2, n), 0, 1)
    return y, s, g


def test_per_group_threshold_explorer(data):
    y, s, g = data
    box = threshold_explorer(y, s, sensitive_features=g, per_group=True)
    sliders = [c for c in box.children if hasattr(c, "value") and "Threshold" in c.description]
    assert [sl.description for sl in sliders] == ["Threshold for A", "Threshold for B"]
    before = box.current_table().copy()
    sliders[1].value = 0.9
    after = box.current_table()
    assert after.loc["A", "false_positive_rate"] == before.loc["A", "false_positive_rate"]
    assert after.loc["B", "selection_rate"] < before.loc["B", "selection_rate"]
    _, static = plot_rates_by_group(y, s, sensitive_features=g, thresholds={"A": 0.5, "B": 0.9})
    assert static.equals(after)


def test_impossibility_explorer_follows_the_identity():
    box = impossibility_explorer(0.2, 0.35, precision=0.6, false_negative_rate=0.3)
    pd_table = box.current_table()
    expected = impossibility_table({"A": 0.2, "B": 0.35}, precision=0.6, false_negative_rate=0.3)
    assert np.allclose(pd_table["false_positive_rate"], expected["false_positive_rate"])
    box.children[1].value = 0.2  # group B's base rate equal to A's: equal FPRs
    table = box.current_table()
    fpr = table["false_positive_rate"]
    assert fpr["A"] == pytest.approx(fpr["B"])


def test_cost_explorer_updates_and_matches_static(data):
    y, s, g = data
    box = cost_explorer(y, s, sensitive_features=g, capacity=100)
    capacity, fn_cost = box.children[0], box.children[1]
    first = box.current_table().copy()
    capacity.value = 400
    fn_cost.value = 20.0
    table = box.current_table()
    assert table.loc["all", "false_positives"] > first.loc["all", "false_positives"]
    _, static = plot_cost_and_capacity(y, s, sensitive_features=g, capacity=400,
                                       cost_false_negative=20.0, cost_false_positive=1.0)
    assert static.equals(table)


def test_bad_thresholds_are_explained(data):
    y, s, g = data
    with pytest.raises(ValueError, match="no value for these groups: B"):
        plot_rates_by_group(y, s, sensitive_features=g, thresholds={"A": 0.5})


# The declarative twins of rmlkit.explorers (the book's explorers) and the choice between
# them and the live widgets. Their behaviour in a real browser: tests/test_book_explorers.py.

import ipywidgets  # noqa: E402
import pandas as pd  # noqa: E402

from rmlkit.explorers import (  # noqa: E402
    MODE_VARIABLE,
    RATE_NAMES,
    DeclarativeExplorer,
    explorer_mode,
)
from rmlkit.tradeoffs import capacity_decisions, expected_cost, rates_at_threshold  # noqa: E402
from rmlkit.widgets import deference_explorer  # noqa: E402


@pytest.fixture
def by_deference():
    return pd.DataFrame({"disparity (%)": [12.0, 20.0, 31.0, 40.0, 52.0],
                         "precision": [0.41, 0.37, 0.33, 0.29, 0.24]},
                        index=[0.0, 0.25, 0.5, 0.75, 1.0])


def test_explorer_mode_follows_the_argument_then_the_environment(monkeypatch):
    monkeypatch.delenv(MODE_VARIABLE, raising=False)
    assert explorer_mode() == "live"
    monkeypatch.setenv(MODE_VARIABLE, "declarative")
    assert explorer_mode() == "declarative"
    assert explorer_mode("live") == "live"
    monkeypatch.setenv(MODE_VARIABLE, "static")
    with pytest.raises(ValueError, match=MODE_VARIABLE):
        explorer_mode()
    with pytest.raises(ValueError, match="mode"):
        explorer_mode("kernel")


def test_each_explorer_is_live_in_a_kernel_and_declarative_in_the_book(
        data, by_deference, monkeypatch):
    y, s, g = data
    calls = [
        lambda: threshold_explorer(y, s, sensitive_features=g),
        lambda: threshold_explorer(y, s, sensitive_features=g, per_group=True),
        lambda: impossibility_explorer(0.2, 0.35),
        lambda: cost_explorer(y, s, sensitive_features=g, periods=np.arange(len(y)) % 40,
                              capacity=10),
        lambda: deference_explorer(by_deference, deference=0.75),
    ]
    monkeypatch.delenv(MODE_VARIABLE, raising=False)
    for call in calls:
        assert isinstance(call(), ipywidgets.VBox)
    monkeypatch.setenv(MODE_VARIABLE, "declarative")
    for call in calls:
        twin = call()
        assert isinstance(twin, DeclarativeExplorer)
        bundle = twin._repr_mimebundle_()
        page = bundle["text/html"]
        assert 'class="rmlkit-explorer-spec"' in page and 'aria-live="polite"' in page
        assert 'alt="' in page and "data:image/png;base64," in page
        assert "http://" not in page.replace("http://www.w3.org", "")
        spec = twin.spec()
        bound = [p for p in spec["params"] if "bind" in p]
        assert bound and all(p["bind"]["input"] == "range" and p["bind"]["name"].strip()
                             for p in bound)
        assert any(p["name"] == "description" and "expr" in p for p in spec["params"])


def test_threshold_twin_holds_rates_at_threshold_at_every_step(data):
    y, s, g = data
    twin = threshold_explorer(y, s, sensitive_features=g, threshold=0.37, mode="declarative")
    assert sorted(twin.table["step"].unique()) == list(range(101))
    for threshold in (0.0, 0.37, 0.5, 0.99, 1.0):
        expected = rates_at_threshold(y, s, sensitive_features=g, threshold=threshold)
        rows = twin.table[np.isclose(twin.table["threshold"], threshold)]
        for name, column in zip(RATE_NAMES, expected.columns.drop("n"), strict=True):
            got = rows[rows["metric"] == name].set_index("group")["value"]
            assert np.allclose(got.loc[expected.index], expected[column], equal_nan=True)
    assert "At threshold 0.37" in twin.description


def test_impossibility_twin_holds_the_identity_on_its_grid():
    twin = impossibility_explorer(0.22, 0.33, precision=0.6, false_negative_rate=0.3,
                                  mode="declarative")
    grid = twin.table
    assert len(grid) == 19 * 20 * 21
    for _, row in grid.sample(50, random_state=1).iterrows():
        expected = impossibility_table({"g": row["base_rate"]}, precision=row["precision"],
                                       false_negative_rate=row["false_negative_rate"])
        assert row["false_positive_rate"] == pytest.approx(
            expected.loc["g", "false_positive_rate"])
    start = impossibility_table({"A": 0.2, "B": 0.35}, precision=0.6, false_negative_rate=0.3)
    assert f"{start.loc['A', 'false_positive_rate']:.2f}" in twin.description  # rounded to the grid


def test_cost_twin_holds_the_counts_of_expected_cost(data):
    y, s, g = data
    weeks = np.arange(len(y)) % 40
    twin = cost_explorer(y, s, sensitive_features=g, periods=weeks, capacity=10,
                         mode="declarative")
    assert twin.table["capacity"].max() == pd.Series(weeks).value_counts().max()
    for capacity in (0, 10, 33):
        expected = expected_cost(y, capacity_decisions(s, capacity, periods=weeks),
                                 cost_false_negative=10, cost_false_positive=1,
                                 sensitive_features=g)
        got = twin.table[twin.table["capacity"] == capacity].set_index("group")
        assert (got.loc[expected.index, "false_negatives"] == expected["false_negatives"]).all()
        assert (got.loc[expected.index, "false_positives"] == expected["false_positives"]).all()
    at_start = expected_cost(y, capacity_decisions(s, 10, periods=weeks),
                             cost_false_negative=10, cost_false_positive=1, sensitive_features=g)
    assert f"cost per referral {at_start.loc['all', 'cost_per_row']:.2f}" in twin.description


def test_deference_explorer_moves_along_the_runs(by_deference):
    box = deference_explorer(by_deference, deference=0.75, mode="live")
    assert box.current_table().index.tolist() == [0.75]
    box.children[0].value = 0.25
    assert box.current_table().loc[0.25, "precision"] == 0.37
    twin = deference_explorer(by_deference, deference=0.75, mode="declarative")
    assert twin.description == "At deference 0.75: disparity (%) 40.00, precision 0.29"


def test_deference_explorer_explains_uneven_steps(by_deference):
    with pytest.raises(ValueError, match="evenly spaced"):
        deference_explorer(by_deference.drop(index=0.25), mode="declarative")


def test_threshold_twin_gives_no_rate_where_a_rate_is_undefined():
    y = np.array([0, 0, 1, 0, 1, 1])  # group A has no placed child, so no miss rate
    s = np.array([0.1, 0.6, 0.7, 0.2, 0.4, 0.9])
    g = np.array(["A", "A", "B", "B", "B", "B"])
    twin = threshold_explorer(y, s, sensitive_features=g, mode="declarative")
    for threshold in (0.3, 0.5, 0.8):
        expected = rates_at_threshold(y, s, sensitive_features=g, threshold=threshold)
        rows = twin.table[np.isclose(twin.table["threshold"], threshold)]
        got = rows[rows["metric"] == RATE_NAMES[2]].set_index("group")["value"]
        assert np.allclose(got.loc[expected.index], expected["false_negative_rate"],
                           equal_nan=True)
        assert np.isnan(got["A"])  # no placed child in A: no miss rate, not 0



def test_threshold_explorer_shows_an_undefined_rate_as_na():
    y = np.array([0, 0, 1, 0, 1, 1])  # group A has no placed child, so no miss rate
    s = np.array([0.1, 0.6, 0.7, 0.2, 0.4, 0.9])
    g = np.array(["A", "A", "B", "B", "B", "B"])
    live = threshold_explorer(y, s, sensitive_features=g, threshold=0.5, mode="live")
    row_a = live.children[-1].value.split("<th>A</th>")[1].split("</tr>")[0]
    assert re.findall(r"<td>(.*?)</td>", row_a) == ["0.50", "0.50", "n/a", "2"]
    per_group_alt = _rates_alt(plot_rates_by_group(y, s, sensitive_features=g, thresholds=0.5))
    assert "A: share flagged 0.50, FPR 0.50, FNR n/a" in per_group_alt
    twin = threshold_explorer(y, s, sensitive_features=g, threshold=0.5, mode="declarative")
    assert "A: share flagged 0.50, false positive rate 0.50, false negative rate n/a" in (
        twin.description)
    assert "false negative rate n/a" in twin._repr_html_()  # the page's live region
