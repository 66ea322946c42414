"""Find, and optionally link, the first mention of each glossary term in book order.

The book is read in table-of-contents order. For every term in book/glossary.md, its
first mention must link to the glossary ({term} role). `tests/test_glossary.py` checks
this; authors run

    .venv/bin/python scripts/glossary_links.py          # list unlinked first mentions
    .venv/bin/python scripts/glossary_links.py --fix    # link them in place

and then read the changed sentences (the fix wraps the first mention, which may sit in
a bullet that would read better with the link one sentence later).
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat
import yaml

ROOT = Path(__file__).resolve().parents[1]
ROLE = re.compile(r"\{term\}`([^`]*)`")
# Text that is not prose a reader meets as a term: code, math, citations, references,
# labels, directive lines and options, link targets and headings.
NOT_PROSE = [
    re.compile(r"^(```+|:::+)\{[^}]*\}.*$|^(```+|:::+)\s*$", re.M),  # directive fences
    re.compile(r"```.*?```", re.S),
    re.compile(r"\$\$.*?\$\$", re.S),
    re.compile(r"\$[^$\n]+\$"),
    re.compile(r"\{[a-z:]+\}`[^`]*`"),  # every role: term, cite, ref, doc, download
    re.compile(r"`[^`]*`"),
    re.compile(r"^\(.*\)=\s*$", re.M),
    re.compile(r"^:[a-z-]+:.*$", re.M),
    re.compile(r"^#+ .*$", re.M),
    re.compile(r"\]\([^)]*\)"),
    re.compile(r"<[^>\n]+>"),  # HTML tags and autolinks
]
SKIP_PAGES = {"glossary", "references"}


@dataclass
class Mention:
    term: str
    page: Path
    cell: int  # markdown cell index (0 for .md pages)
    start: int
    end: int
    linked: bool

    @property
    def key(self):
        return (self.page_index, self.cell, self.start)

    page_index: int = 0


def glossary_terms() -> list[str]:
    text = (ROOT / "book" / "glossary.md").read_text()
    block = text.split("```{glossary}", 1)[1].split("\n```", 1)[0]
    return [line.strip() for line in block.splitlines() if line and not line[0].isspace()]


def _toc_entries(entries) -> list[str]:
    names = []
    for entry in entries:
        if "file" in entry:
            names.append(entry["file"])
        elif "glob" in entry:
            names += sorted({str(p.relative_to(ROOT).with_suffix(""))
                             for p in ROOT.glob(entry["glob"] + ".*")
                             if p.suffix in (".md", ".ipynb")} - set(names))
        names += _toc_entries(entry.get("sections", []))
    return names


def toc_pages() -> list[str]:
    """The book's pages in reading order (chapters, their sections and globs), as the
    table of contents names them ("notebooks/04-risk-model")."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    entries = [toc["root"]]
    for part in toc.get("parts", []):
        entries += _toc_entries(part.get("chapters", []))
    return list(dict.fromkeys(entries))


def toc_files() -> list[Path]:
    """The source file of each page of the book, in reading order."""
    files = []
    for entry in toc_pages():
        for suffix in (".md", ".ipynb"):
            path = ROOT / f"{entry}{suffix}"
            if path.exists():
                files.append(path)
                break
    return files


def _texts(path: Path) -> list[tuple[int, str]]:
    if path.suffix == ".ipynb":
        nb = nbformat.read(path, as_version=4)
        return [(i, c.source) for i, c in enumerate(nb.cells) if c.cell_type == "markdown"]
    return [(0, path.read_text())]


def _blank(match: re.Match) -> str:
    return re.sub(r"[^\n]", " ", match.group(0))


def _pattern(term: str) -> re.Pattern:
    words = r"\s+".join(re.escape(w) for w in term.split())
    return re.compile(rf"(?<![\w-]){words}(?:s|es)?(?![\w-])", re.I)


def _target(inner: str) -> str:
    match = re.search(r"<([^>]+)>\s*$", inner)
    return (match.group(1) if match else inner).strip().lower()


def first_mentions() -> dict[str, Mention]:
    terms = glossary_terms()
    patterns = {term: _pattern(term) for term in terms}
    found: dict[str, Mention] = {}
    for page_index, path in enumerate(toc_files()):
        if path.stem in SKIP_PAGES:
            continue
        for cell, text in _texts(path):
            mentions = []
            for match in ROLE.finditer(text):
                target = _target(match.group(1))
                mentions += [Mention(t, path, cell, match.start(), match.end(), True, page_index)
                             for t in terms if t.lower() == target]
            plain = text
            for pattern in NOT_PROSE:
                plain = pattern.sub(_blank, plain)
            for term, pattern in patterns.items():
                match = pattern.search(plain)
                if match:
                    mentions.append(
                        Mention(term, path, cell, match.start(), match.end(), False, page_index)
                    )
            for mention in sorted(mentions, key=lambda m: m.key):
                found.setdefault(mention.term, mention)
    return found


def link(mention: Mention) -> None:
    """Wrap an unlinked first mention in a {term} role, in place."""
    def wrap(text: str) -> str:
        shown = text[mention.start:mention.end]
        role = (f"{{term}}`{shown}`" if shown.lower() == mention.term.lower()
                else f"{{term}}`{shown} <{mention.term}>`")
        return text[:mention.start] + role + text[mention.end:]

    if mention.page.suffix == ".ipynb":
        nb = nbformat.read(mention.page, as_version=4)
        nb.cells[mention.cell].source = wrap(nb.cells[mention.cell].source)
        nbformat.write(nb, mention.page)
    else:
        mention.page.write_text(wrap(mention.page.read_text()))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--fix", action="store_true", help="link the unlinked first mentions")
    parser.add_argument("--skip", action="append", default=[], metavar="TEXT",
                        help="with --fix, leave pages whose path contains TEXT alone")
    args = parser.parse_args(argv)
    unlinked = 0
    # One at a time: linking a mention shifts the offsets of later ones in the same text.
    while True:
        pending = [m for m in first_mentions().values() if not m.linked
                   and not any(text in str(m.page) for text in args.skip)]
        if not pending:
            break
        mention = min(pending, key=lambda m: m.key)
        print(f"{mention.page.relative_to(ROOT)}: {mention.term!r}")
        unlinked += 1
        if not args.fix:
            for other in pending:
                if other is not mention:
                    print(f"{other.page.relative_to(ROOT)}: {other.term!r}")
                    unlinked += 1
            break
        link(mention)
    return 1 if unlinked and not args.fix else 0


if __name__ == "__main__":
    sys.exit(main())
