"""rmlkit.report.model_card."""

from __future__ import annotations

import numpy as np
import pytest

from rmlkit.audit import audit
from rmlkit.report import model_card


@pytest.fixture(scope="module")
def result():
    rng = np.random.default_rng(6)
    n = 8_000
    g = rng.choice(["A", "B", "C"], n, p=[0.6, 0.397, 0.003])
    y = (rng.random(n) < np.where(g == "A", 0.2, 0.35)).astype(int)
    s = np.clip(0.3 + 0.3 * y + 0.1 * (g == "B") + rng.normal(0, 0.2, n), 0, 1)
    truth = y.copy()
    truth[(g == "B") & (rng.random(n) < 0.2)] = 0
    with pytest.warns(UserWarning):
        return audit(y, scores=s, threshold=0.5, sensitive_features=g, n_bootstrap=100,
                     random_state=0, true_outcome=truth)


def test_markdown_card_has_every_section_and_the_numbers(result, tmp_path):
    card = model_card(result, model_name="Placement risk model", intended_use="Teaching.",
                      caveats=["Synthetic data."], path=tmp_path / "card.md")
    for section in ("Model details", "Intended use", "Factors", "Metrics", "Evaluation data",
                    "Training data", "Quantitative analyses", "Ethical considerations",
                    "Caveats and recommendations"):
        assert f"## {section}" in card
    assert f"{result.estimate('false_positive_rate', 'B'):.3f}" in card
    assert "Groups with too few rows" in card and "C" in card
    assert "unlikely to be chance" in card  # B's selection rate is clearly higher
    assert "some of the measured disparity is measurement" in card
    assert (tmp_path / "card.md").read_text() == card


def test_html_card_escapes_and_lists(result):
    card = model_card(result, model_name="Model <1>", intended_use="Teaching & research.",
                      fmt="html")
    assert card.startswith("<!DOCTYPE html>") and "Model &lt;1&gt;" in card
    assert "Teaching &amp; research." in card and "<li>" in card and "<table" in card


@pytest.mark.parametrize(
    ("kwargs", "error", "words"),
    [
        (dict(model_name="", intended_use="x"), ValueError, "model_name must be"),
        (dict(model_name="m", intended_use="x", fmt="pdf"), ValueError, "fmt must be"),
    ],
)
def test_bad_input_is_explained(result, kwargs, error, words):
    with pytest.raises(error, match=words):
        model_card(result, **kwargs)
    with pytest.raises(TypeError, match="AuditResult"):
        model_card({}, model_name="m", intended_use="x")


def _book_markdown_parser():
    """The parser the book uses for Markdown that code displays, as myst-nb builds it."""
    import yaml
    from myst_nb.core.config import NbParserConfig
    from myst_parser.config.main import MdParserConfig
    from myst_parser.mdit_to_docutils.base import DocutilsRenderer
    from myst_parser.parsers.mdit import create_md_parser

    from conftest import ROOT

    sphinx = yaml.safe_load((ROOT / "_config.yml").read_text())["sphinx"]["config"]
    fmt = sphinx.get("nb_render_markdown_format", NbParserConfig().render_markdown_format)
    config = {"commonmark": MdParserConfig(commonmark_only=True),
              "gfm": MdParserConfig(gfm_only=True)}.get(fmt, MdParserConfig())
    return create_md_parser(config, DocutilsRenderer)


def test_markdown_card_renders_its_results_as_a_table_in_the_book(result):
    card = model_card(result, model_name="Placement risk model", intended_use="Teaching.")
    tokens = _book_markdown_parser().parse(card)
    types = [t.type for t in tokens]
    assert types.count("table_open") == 1, "the quantitative analyses are not a table"
    headers = [tokens[i + 1].content for i, t in enumerate(tokens) if t.type == "th_open"]
    assert len(headers) >= 4 and all(h.strip() for h in headers[1:]), headers
    # No line of the table is left as text (raw pipes, dashes turned into em dashes).
    assert not any(t.type == "inline" and "|" in t.content for t in tokens)
