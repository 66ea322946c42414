"""Helpers for grading the course's exercises with nbgrader.

nbgrader puts the hidden tests back into a submission before it runs them, and its
feedback shows each test cell's output. When a hidden test fails, the traceback
quotes the hidden test's code, so students would see it. The preprocessor here
replaces the traceback of a cell with hidden tests by the error's own message (the
assertion text, written as feedback), before ``ClearHiddenTests`` removes the hidden
code from the cell's source. ``exercises/nbgrader_config.py`` uses both.

Introduced with the graded exercise of {ref}`lesson-risk-model` (first-audit).
"""

from __future__ import annotations

from nbconvert.preprocessors import Preprocessor
from traitlets import Bool, Unicode

__all__ = ["HideHiddenTestTracebacks"]


class HideHiddenTestTracebacks(Preprocessor):
    """Keep only ``ErrorName: message`` in the error output of cells with hidden tests."""

    enabled = Bool(True).tag(config=True)  # nbconvert's preprocessors are off by default
    begin_test_delimiter = Unicode("BEGIN HIDDEN TESTS").tag(config=True)

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type != "code" or self.begin_test_delimiter not in cell.source:
            return cell, resources
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                message = f"{output.get('ename', 'Error')}: {output.get('evalue', '')}".rstrip(": ")
                output["traceback"] = [message]
            elif output.get("output_type") == "stream" and output.get("name") == "stderr":
                output["text"] = "(error details from the hidden checks are not shown)\n"
        return cell, resources
