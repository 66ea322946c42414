"""Teaching-size snapshots of every generator, shipped with rmlkit as package data.

The snapshots are found with :mod:`importlib.resources` in the package's ``data``
folder (in a checkout, a link to the repository's ``datasets/`` folder; in an installed
wheel, a copy of it), so rmlkit reads them wherever it is installed. Each snapshot is a
gzip-compressed CSV of ``observed`` and of ``truth`` (written with mtime 0, so the files
are identical on every machine), a datasheet with the published figures it reproduces,
and a line in ``SHA256SUMS`` with the checksum of the uncompressed CSV. The lessons use
the same settings as the snapshots.
"""

from __future__ import annotations

import gzip
import hashlib
import io
from importlib import resources
from pathlib import Path

import pandas as pd

from .._checks import check_choice, check_folder, check_path, check_type
from ._dataset import Dataset
from .care_needs import care_needs_table, make_care_needs
from .child_welfare import (
    calibration_table,
    implied_ratios,
    make_child_welfare,
    mechanism_effects,
)
from .dropout import dropout_findings, make_dropout

#: The snapshots shipped with rmlkit: ``rmlkit/datasets/data`` (package data).
DATA_DIR = resources.files(__package__) / "data"
SEED = 2024

#: name -> (generator, its arguments). The lessons use the same settings.
SNAPSHOTS = {
    "child_welfare_us": (make_child_welfare,
                         dict(n_referrals=30_000, scenario="us", random_state=SEED)),
    "child_welfare_england": (make_child_welfare,
                              dict(n_referrals=30_000, scenario="england", random_state=SEED)),
    "care_needs": (make_care_needs, dict(n_patients=30_000, random_state=SEED)),
    "dropout": (make_dropout, dict(n_students=30_000, random_state=SEED)),
}
#: Rows of the large samples on which the datasheets measure the published figures.
FINDINGS_ROWS = {make_child_welfare: 400_000, make_care_needs: 400_000, make_dropout: 100_000}


def snapshot_checksum(frame: pd.DataFrame) -> str:
    """SHA-256 of a table written as CSV (the bytes the snapshots store, uncompressed).

    Introduced in the book page "Data: synthetic child-welfare referrals".
    """
    check_type("frame", frame, pd.DataFrame, "a table (a pandas DataFrame)")
    return hashlib.sha256(_csv_bytes(frame)).hexdigest()


def _csv_bytes(frame: pd.DataFrame) -> bytes:
    return frame.to_csv(index=False, lineterminator="\n").encode()


def _paths(name: str, folder) -> dict:
    return {part: folder / f"{name}{suffix}.csv.gz"
            for part, suffix in (("observed", ""), ("truth", "_truth"))}


def read_checksums(folder) -> dict[str, str]:
    """The checksums in ``folder/SHA256SUMS`` (a Path or an importlib.resources folder)."""
    sums = folder / "SHA256SUMS"
    if not sums.is_file():
        return {}
    pairs = (line.split() for line in sums.read_text().splitlines() if line.strip())
    return {file: digest for digest, file in pairs}


def load(name: str, data_dir=None) -> Dataset:
    """Read snapshot ``name`` (checking its checksums), or generate it if it is absent."""
    check_choice("name", name, SNAPSHOTS)
    maker, kwargs = SNAPSHOTS[name]
    data = maker(**kwargs)
    folder = check_folder("data_dir", data_dir, "a folder of snapshots") \
        if data_dir is not None else DATA_DIR
    paths = _paths(name, folder)
    if not all(path.is_file() for path in paths.values()):
        return data
    sums = read_checksums(folder)
    for part, path in paths.items():
        raw = gzip.decompress(path.read_bytes())
        if hashlib.sha256(raw).hexdigest() != sums.get(path.name):
            raise ValueError(
                f"The snapshot {path} does not match its checksum in SHA256SUMS: it was "
                "changed or damaged. Run `make datasets` to write it again."
            )
        template = getattr(data, part)
        setattr(data, part, pd.read_csv(io.BytesIO(raw)).astype(template.dtypes.to_dict()))
    return data


def load_child_welfare(scenario: str = "us", *, data_dir=None) -> Dataset:
    """Load the teaching-size child-welfare snapshot (30,000 rows, seed 2024).

    Reads ``child_welfare_<scenario>.csv.gz`` and its truth table from the snapshots
    shipped with rmlkit (or from ``data_dir``), checks their SHA-256 checksums and gives
    the columns their types. Without the files it generates the same data from the same
    seed.

    Introduced in lesson 1, Welcome.
    """
    check_choice("scenario", scenario, ["us", "england"])
    return load(f"child_welfare_{scenario}", data_dir)


def load_care_needs(*, data_dir=None) -> Dataset:
    """Load the care-needs snapshot (30,000 patients, seed 2024).

    Introduced in lesson 13, Beyond child welfare.
    """
    return load("care_needs", data_dir)


def load_dropout(*, data_dir=None) -> Dataset:
    """Load the dropout snapshot (30,000 students, seed 2024).

    Introduced in lesson 13, Beyond child welfare.
    """
    return load("dropout", data_dir)


def _findings(name: str) -> pd.DataFrame:
    """The published figures, measured on a large sample made with the same settings."""
    maker, kwargs = SNAPSHOTS[name]
    size_argument = next(k for k in kwargs if k.startswith("n_"))
    big = maker(**{**kwargs, size_argument: FINDINGS_ROWS[maker]})
    if maker is make_child_welfare:
        table = calibration_table(big)
        table["met"] = [_met_words(row) for row in table.itertuples()]
        return table[["statistic", "target", "low", "high", "value", "met", "source",
                      "status"]]
    if maker is make_care_needs:
        return care_needs_table(big)[["statistic", "target", "low", "high", "value", "met",
                                      "source"]]
    return pd.Series(dropout_findings(big)).rename("value").rename_axis("statistic").reset_index()


def _met_words(row) -> str:
    """'yes', 'no', or, for a value met only within the range widened for chance, the margin."""
    if not row.met:
        return "no"
    if row.low <= row.value <= row.high:
        return "yes"
    return (f"yes, within the range widened by the chance margin ({row.low - row.chance_margin:.3g}"
            f" to {row.high + row.chance_margin:.3g}, margin {row.chance_margin:.3g})")


def _disparities(kwargs: dict) -> str:
    """Implied ratios and each mechanism's part of the Black-White gaps, at 400,000 rows."""
    rows = FINDINGS_ROWS[make_child_welfare]
    big = make_child_welfare(**{**kwargs, "n_referrals": rows})
    ratios = implied_ratios(big)[["true_harm", "referred", "screened_in", "substantiated",
                                  "placed"]]
    effects = mechanism_effects(rows, scenario=kwargs["scenario"],
                                random_state=kwargs["random_state"])
    pivot = effects.pivot(index="switched_off", columns="stage", values="ratio")[
        ["referred", "screened_in", "substantiated", "placed"]]
    shares = effects.pivot(index="switched_off", columns="stage", values="share_of_gap")[
        ["referred", "screened_in", "substantiated", "placed"]]
    return (
        f"\n## Implied ratios at {rows:,} rows\nEach group's rate relative to White "
        "children per child-year: true harm beside each recorded outcome.\n\n"
        + ratios.to_markdown(floatfmt=".2f")
        + "\n\n## Where the Black-White gaps come from\nBlack over White children's "
        "recorded ratio at each stage, with each bias mechanism switched off alone "
        "(`(none)`: the scenario as it is):\n\n"
        + pivot.to_markdown(floatfmt=".2f")
        + "\n\nThe share of each stage's gap (log of the recorded ratio over the "
        "true-harm ratio) that disappears when the mechanism alone is switched off "
        "(shares need not add up to 1: mechanisms interact; empty where the recorded ratio "
        "is within 5 % of the true one, so there is no gap to share):\n\n"
        + shares.drop(index="(none)").to_markdown(floatfmt=".2f") + "\n"
    )


def _writable(folder) -> Path:
    """The package's data folder as a real folder (rmlkit installed from a zip has none)."""
    if not isinstance(folder, Path):
        raise ValueError(f"folder: rmlkit's data folder ({folder}) is not a folder on disk. "
                         "Give the folder to write to, for example folder='datasets'.")
    return folder


def write_snapshots(folder=None) -> dict[str, str]:
    """Write every snapshot, its datasheet and SHA256SUMS (what `make datasets` runs).

    Introduced in the book page "Data: synthetic child-welfare referrals".
    """
    folder = Path(check_path("folder", folder) if folder is not None else _writable(DATA_DIR))
    folder.mkdir(parents=True, exist_ok=True)
    sums = {}
    for name, (maker, kwargs) in SNAPSHOTS.items():
        data = maker(**kwargs)
        for part, path in _paths(name, folder).items():
            raw = _csv_bytes(getattr(data, part))
            with open(path, "wb") as handle, gzip.GzipFile(
                fileobj=handle, mode="wb", mtime=0, filename=""
            ) as gz:
                gz.write(raw)
            sums[path.name] = hashlib.sha256(raw).hexdigest()
        sheet = data.DESCR + (
            f"\n## Published figures\nMeasured on {FINDINGS_ROWS[maker]:,} rows made with "
            "the same settings "
            "(small samples vary by chance):\n\n"
            + _findings(name).to_markdown(index=False, floatfmt=".3g") + "\n"
        )
        if maker is make_child_welfare:
            sheet += _disparities(kwargs)
        (folder / f"{name}.md").write_text(sheet)
    (folder / "SHA256SUMS").write_text(
        "".join(f"{digest}  {file}\n" for file, digest in sorted(sums.items()))
    )
    return sums
