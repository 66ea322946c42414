"""The committed data snapshots match their checksums and their generators."""

from __future__ import annotations

import gzip
import hashlib
import shutil
import subprocess
import sys
import zipfile
from importlib import resources

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


def test_snapshots_are_package_data():
    """Found with importlib.resources in rmlkit/datasets/data, which is datasets/ here."""
    shipped = resources.files("rmlkit.datasets") / "data"
    assert _snapshots.DATA_DIR == shipped
    assert (shipped / "SHA256SUMS").read_text() == (FOLDER / "SHA256SUMS").read_text()


def test_a_data_dir_that_does_not_exist_is_refused(tmp_path):
    with pytest.raises(FileNotFoundError, match="data_dir must be a folder of snapshots"):
        datasets.load_care_needs(data_dir=tmp_path / "nowhere")


def test_the_built_wheel_ships_the_snapshots_and_reads_them_outside_the_checkout(tmp_path):
    kit = tmp_path / "kit"  # built from a copy, so that the build leaves the checkout alone
    for name in ("src", "datasets"):
        shutil.copytree(ROOT / name, kit / name, symlinks=True,
                        ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, kit / name)
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
                    "--no-build-isolation", "--wheel-dir", str(tmp_path), str(kit)],
                   check=True, capture_output=True, cwd=tmp_path)
    (wheel,) = tmp_path.glob("rmlkit-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for file in _snapshots.read_checksums(FOLDER):
        assert f"rmlkit/datasets/data/{file}" in names, f"the wheel has no {file}"
    assert "rmlkit/datasets/data/SHA256SUMS" in names
    unpacked = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(unpacked)
    code = ("import sys; sys.path.insert(0, sys.argv[1]); import rmlkit, pathlib; "
            "from rmlkit.datasets import _snapshots, load_dropout; "
            "assert pathlib.Path(rmlkit.__file__).is_relative_to(sys.argv[1]), rmlkit.__file__; "
            "assert (_snapshots.DATA_DIR / 'dropout.csv.gz').is_file(); d = load_dropout(); "
            "print(_snapshots.DATA_DIR, _snapshots.snapshot_checksum(d.observed))")
    out = subprocess.run([sys.executable, "-c", code, str(unpacked)], check=True,
                         capture_output=True, text=True, cwd=tmp_path).stdout.split()
    assert out[0] == str(unpacked / "rmlkit" / "datasets" / "data")
    assert out[1] == _snapshots.read_checksums(FOLDER)["dropout.csv.gz"]


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
