"""rmlkit: the helper library of *Responsible ML for the Social Sciences*.

Modules are named after what the course teaches:

- :mod:`rmlkit.datasets`: synthetic data with a known ground truth.
- :mod:`rmlkit.audit`: disaggregated evaluation of a model, group by group.
- :mod:`rmlkit.metrics`: the metric vocabulary, and the engine that computes metrics by group.
- :mod:`rmlkit.tradeoffs`: thresholds, capacity, costs, and the impossibility result.
- :mod:`rmlkit.mitigation`: what fairlearn's mitigations change, and what they cost.
- :mod:`rmlkit.feedback`: feedback loops, a model retrained on records its decisions shaped.
- :mod:`rmlkit.widgets`: interactive explorers for the lessons.
- :mod:`rmlkit.report`: model cards filled in from an audit.

All data made by this library is synthetic.
"""

__version__ = "0.1.0"
