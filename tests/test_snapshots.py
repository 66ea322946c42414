"""The committed data snapshots match their checksums and their generators."""

from __future__ import annotations

import gzip
import hashlib

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rmlkit import datasets
from rmlkit.datasets import _snapshots

from conftest import ROOT

FOLDER = ROOT / "datasets"


def test_every_snapshot_matches_its_checksum():
    sums = _snapshots.read_checksums(FOLDER)
    assert len(sums) == 2 * len(datasets.SNAPSHOTS)
    for file, digest in sums.items():
        raw = gzip.decompress((FOLDER / file).read_bytes())
        assert hashlib.sha256(raw).hexdigest() == digest, f"{file} does not match SHA256SUMS"


@pytest.mark.parametrize("name", list(datasets.SNAPSHOTS))
def test_snapshots_are_what_the_generators_make(name):
    maker, kwargs = datasets.SNAPSHOTS[name]
    fresh = maker(**kwargs)
    loaded = _snapshots.load(name)
    pd.testing.assert_frame_equal(loaded.observed, fresh.observed)
    pd.testing.assert_frame_equal(loaded.truth, fresh.truth)
    sums = _snapshots.read_checksums(FOLDER)
    assert datasets.snapshot_checksum(fresh.observed) == sums[f"{name}.csv.gz"]
    sheet = (FOLDER / f"{name}.md").read_text()
    assert "synthetic" in sheet and "## Published figures" in sheet


def test_public_loaders():
    assert datasets.load_child_welfare("england").params["scenario"] == "england"
    assert "race" in datasets.load_care_needs().observed
    assert "dropped_out" in datasets.load_dropout().observed
    with pytest.raises(ValueError, match="scenario must be one of"):
        datasets.load_child_welfare("wales")


def test_a_damaged_snapshot_is_refused(tmp_path):
    datasets.write_snapshots(tmp_path)
    path = tmp_path / "child_welfare_us.csv.gz"
    raw = gzip.decompress(path.read_bytes()).replace(b"True", b"False", 1)
    path.write_bytes(gzip.compress(raw))
    with pytest.raises(ValueError, match="does not match its checksum"):
        datasets.load_child_welfare("us", data_dir=tmp_path)


def test_without_files_the_same_data_is_generated(tmp_path):
    loaded = datasets.load_child_welfare("england", data_dir=tmp_path)
    assert len(loaded.observed) == datasets.SNAPSHOTS["child_welfare_england"][1]["n_referrals"]


strengths = st.floats(min_value=0.0, max_value=3.0, allow_nan=False)


@settings(max_examples=20, deadline=None)
@given(
    n=st.integers(min_value=1, max_value=3_000),
    seed=st.integers(min_value=0, max_value=2**32 - 1),
    scenario=st.sampled_from(["us", "england", "no_bias"]),
    label=strengths, screener=strengths, surveillance=strengths,
)
def test_invariants_hold_for_any_size_seed_and_strength(
    n, seed, scenario, label, screener, surveillance
):
    d = datasets.make_child_welfare(n, scenario=scenario, random_state=seed, label_bias=label,
                                    screener_bias=screener, surveillance_bias=surveillance)
    o, t = d.observed, d.truth
    assert len(o) == len(t) == n
    # the funnel: nothing after screening (in England, an assessment) without it
    if scenario == "england":
        screened, placed = o["assessed"], "looked_after_2y"
        later = ["child_in_need", "section_47", "child_protection_plan", placed]
    else:
        screened, placed = o["screened_in"], "placed_2y"
        later = ["substantiated", placed]
        assert (o["investigated"] == o["screened_in"]).all()
    assert o.loc[~screened, later].isna().all().all()
    # siblings share their household's features
    household = ["race_ethnicity", "deprivation_decile", "area", "n_children", "benefits"]
    assert (o.groupby("household_id", observed=True)[household].nunique() <= 1).all().all()
    # a switched-off mechanism leaves no trace; the label agrees with its unbiased version
    if label == 0:
        assert not t["touched_label_bias"].any()
        assert (t["would_be_placed_2y"] == t["would_be_placed_2y_without_label_bias"]).all()
    if screener == 0:
        assert (screened == t["screened_in_without_screener_bias"]).all()
    if surveillance == 0:
        assert not t["touched_surveillance_bias"].any()
