"""Synthetic data with a known ground truth.

Real records about children, students and patients cannot be shared, and they never
tell us what was really true. The generators here simulate worlds in which we *do*
know: every person has a latent true need, and every record is produced from it by a
process with named bias mechanisms that can be switched off one at a time.

- :mod:`rmlkit.datasets.child_welfare`: referrals to children's social care.
- :mod:`rmlkit.datasets.care_needs`: patients, their health needs and the cost of care.
- :mod:`rmlkit.datasets.dropout`: students, schools and dropout early warning.

All data made here is synthetic. No row describes a real person.

Introduced in lesson 1, Welcome.
"""

from ._dataset import Dataset
from ._graph import CausalGraph
from ._snapshots import (
    SNAPSHOTS,
    load_care_needs,
    load_child_welfare,
    load_dropout,
    snapshot_checksum,
    write_snapshots,
)
from .care_needs import care_needs_findings, care_needs_table, make_care_needs
from .child_welfare import (
    ASSUMPTIONS,
    BIAS_MECHANISMS,
    MECHANISMS,
    SCENARIOS,
    calibration_table,
    implied_ratios,
    make_child_welfare,
    mechanism_effects,
)
from .dropout import dropout_findings, make_dropout

__all__ = [
    "ASSUMPTIONS", "BIAS_MECHANISMS", "CausalGraph", "Dataset", "MECHANISMS", "SCENARIOS",
    "SNAPSHOTS",
    "calibration_table",
    "implied_ratios", "mechanism_effects",
    "load_child_welfare", "make_child_welfare", "snapshot_checksum", "write_snapshots",
    "make_care_needs", "care_needs_findings", "care_needs_table", "load_care_needs",
    "make_dropout", "dropout_findings", "load_dropout",
]
