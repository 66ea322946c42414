"""Rename the old metric names in notebooks to the vocabulary of rmlkit.metrics.

The library's tables once named the same rates five ways ("FPR", "share flagged",
``screen_in_rate``, ``FPR_gap``, "cost per row" ...). This script rewrites a notebook's
code (and the column names its text quotes in backticks) to the names of
:data:`rmlkit.metrics.METRICS` and :data:`rmlkit.metrics.COLUMNS`, so that a notebook
written against the old names can be brought up to date (or a branch that changed a
lesson re-applied after a merge):

    .venv/bin/python scripts/rename_metric_vocabulary.py notebooks/*.ipynb

Only the library's outputs are renamed: a notebook's own tables (a DataFrame built
with a "TPR" column) keep their names. Read the diff and run the notebook afterwards.
"""

from __future__ import annotations

import re
import sys

import nbformat

LABELS = {"base rate": "base_rate", "selection rate": "selection_rate",
          "TPR": "true_positive_rate", "FPR": "false_positive_rate",
          "FNR": "false_negative_rate", "NPV": "negative_predictive_value",
          "AUC": "roc_auc", "ECE": "expected_calibration_error"}
Q = r'(["\'])'

def metric_name(m):
    return LABELS.get(m, m)

def sub_labels_in_list(text):
    # metrics=[ ... ] lists
    def fix(mo):
        inner = re.sub(r'(["\'])([^"\']+)\1',
                       lambda q: q.group(1) + metric_name(q.group(2)) + q.group(1), mo.group(2))
        return mo.group(1) + inner + "]"
    return re.sub(r'(metrics=\[)([^\]]*)\]', fix, text, flags=re.S)

def sub_accessors(text):
    names = "|".join(map(re.escape, LABELS))
    pats = [
        r'(\.summary\()' + Q + '(' + names + r')\2',
        r'(\.plot\()' + Q + '(' + names + r')\2',
        r'(\.wide\(\)\[)' + Q + '(' + names + r')\2',
        r'(\.wide\(\)\.loc\[[^\]]*?, )' + Q + '(' + names + r')\2',
        r'(metric == )' + Q + '(' + names + r')\2',
        r'(metric\"\] == )' + Q + '(' + names + r')\2',
    ]
    for p in pats:
        text = re.sub(p, lambda m: m.group(1) + m.group(2) + LABELS[m.group(3)] + m.group(2), text)
    text = re.sub(r'\.value\((["\'])(' + names + r'|precision)\1',
                  lambda m: '.estimate(' + m.group(1) + metric_name(m.group(2)) + m.group(1), text)
    return text

COMMON_CODE = [
    # audit tables and disparities
    ('t["value"]', 't["estimate"]'),
    ('[["value", "ci_low", "ci_high"]]', '[["estimate", "ci_low", "ci_high"]]'),
    ('_given["value"]', '_given["estimate"]'), ('_ref["value"]', '_ref["estimate"]'),
    ('r.ratio_ci_low', 'r.ratio_to_reference_ci_low'),
    ('r.ratio_ci_high', 'r.ratio_to_reference_ci_high'),
    ('"ratio": r.ratio,', '"ratio": r.ratio_to_reference,'),
    ('"ratio_ci_low"', '"ratio_to_reference_ci_low"'),
    ("ratio['ratio']", "ratio['ratio_to_reference']"),
    ("ratio['ratio_ci_low']", "ratio['ratio_to_reference_ci_low']"),
    ("ratio['ratio_ci_high']", "ratio['ratio_to_reference_ci_high']"),
    ('sel["ratio"]', 'sel["ratio_to_reference"]'),
    # threshold_sweep, expected_cost, impossibility_table
    ('sweep["share flagged"]', 'sweep["selection_rate"]'),
    ('everyone["share flagged"]', 'everyone["selection_rate"]'),
    ('"cost per row"', '"cost_per_row"'),
    ('table["FPR"]', 'table["false_positive_rate"]'),
    ("false_negative_rate=0.3)['FPR']", "false_negative_rate=0.3)['false_positive_rate']"),
    # compare_mitigations
    ('FPR_gap', 'false_positive_rate_max_min_difference'),
    ('TPR_gap', 'true_positive_rate_max_min_difference'),
    ('selection_rate_gap', 'selection_rate_max_min_difference'),
    ('in_need_flagged', 'true_positive_rate_vs_truth'),
    ('flagged_truly_in_need', 'precision_vs_truth'),
    ('"share_flagged"', '"selection_rate"'),
    # simulate_feedback_loop
    ('mean_prior_screened_in_ratio"', 'mean_prior_screened_in_ratio_to_reference"'),
    ('screen_in_rate_ratio', 'selection_rate_ratio_to_reference'),
]
FEEDBACK_CODE = [  # only where a notebook reads simulate_feedback_loop's columns
    ('"referrals", "true_need_rate", "screen_in_rate",\n         "fpr", "precision",',
     '"n", "base_rate_vs_truth", "selection_rate",\n'
     '         "false_positive_rate_vs_truth", "precision_vs_truth",'),
    ('"decided_by", "referrals", "screen_in_rate",', '"decided_by", "n", "selection_rate",'),
    ('everyone["screen_in_rate"]', 'everyone["selection_rate"]'),
    ('everyone["fpr"]', 'everyone["false_positive_rate_vs_truth"]'),
    ('"precision": everyone["precision"].mean()',
     '"precision": everyone["precision_vs_truth"].mean()'),
    ('everyone[["auc_observed", "auc_true", "label_rate", "precision"]]',
     'everyone[["roc_auc", "roc_auc_vs_truth", "precision", "precision_vs_truth"]]'),
]
MARKDOWN = [
    ('`value`, `ci_low` and `ci_high`', '`estimate`, `ci_low` and `ci_high`'),
    ('`FPR_gap`', '`false_positive_rate_max_min_difference`'),
    ('`in_need_flagged`', '`true_positive_rate_vs_truth`'),
    ('`screen_in_rate_ratio`', '`selection_rate_ratio_to_reference`'),
    ('`mean_prior_screened_in_ratio`', '`mean_prior_screened_in_ratio_to_reference`'),
    ('`share flagged`', '`selection_rate`'),
    ('`cost per row`', '`cost_per_row`'),
    ('`true_need_rate`', '`base_rate_vs_truth`'),
    ('`fpr`', '`false_positive_rate_vs_truth`'),
    ('`screen_in_rate`', '`selection_rate`'),
    ('`auc_observed`', '`roc_auc`'),
    ('`auc_true`', '`roc_auc_vs_truth`'),
    ('`label_rate`', '`precision`'),
]

def rename(path):
    nb = nbformat.read(path, 4)
    feedback = "simulate_feedback_loop" in "".join(c.source for c in nb.cells)
    changed = 0
    for c in nb.cells:
        old = c.source
        s = old
        if c.cell_type == "code":
            s = sub_labels_in_list(s)
            s = sub_accessors(s)
            for a, b in COMMON_CODE + (FEEDBACK_CODE if feedback else []):
                s = s.replace(a, b)
        elif c.cell_type == "markdown":
            for a, b in MARKDOWN:
                if a in ('`fpr`', '`label_rate`', '`screen_in_rate`') and not feedback:
                    continue
                s = s.replace(a, b)
        if s != old:
            c.source = s
            changed += 1
    nbformat.validate(nb)
    nbformat.write(nb, path)
    return changed

if __name__ == "__main__":
    for p in sys.argv[1:]:
        print(f"{p}: {rename(p)} cells changed")
