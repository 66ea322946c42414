"""Write the fillable copy of the ethics review worksheet from its book page.

The book page ``book/ethics-review-worksheet.md`` is the one source of the worksheet's
sections and questions. This script copies its numbered sections ("## 1. ..." onwards)
into ``book/downloads/ethics-review-worksheet.md``, a plain Markdown file with an
``Answer:`` line under every question, so that the two copies cannot drift apart.
``tests/test_worksheet.py`` fails when the downloadable copy is out of date.

Run after editing the page:

    .venv/bin/python scripts/worksheet_download.py          # rewrite the copy
    .venv/bin/python scripts/worksheet_download.py --check  # exit 1 if it is stale
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "book" / "ethics-review-worksheet.md"
DOWNLOAD = ROOT / "book" / "downloads" / "ethics-review-worksheet.md"
SECTION = re.compile(r"^## \d+\. ")

HEADER = """\
<!-- Generated from book/ethics-review-worksheet.md by scripts/worksheet_download.py:
     edit the book page, then run the script. -->

# Ethics review worksheet

Project:

Version and date:

Completed by (names and roles):

This worksheet goes with lesson 12, "Ethics, law and governance", of the course
*Responsible ML for the Social Sciences*. It is built on the framework of ethical values,
principles and professional virtues in Leslie, D., Holmes, L., Hitrova, C. and Ott, E.
(2020), *Ethics review of machine learning in children's social care*, London: What
Works for Children's Social Care.

How to fill it in: write your answer after each "Answer:", tick one box in section 9
(change "[ ]" to "[x]"), and fill in the tables with numbers computed in code, group by
group, with 95 % confidence intervals, at the capacity that really exists. Say what
each benefit was measured against. "We don't know" is an answer: add what you would
need to find out. The questions in section 6 are the course's; read the review's own
values, principles and virtues before answering them. This worksheet is not legal
advice.
"""


def worksheet_sections(page_text: str) -> list[str]:
    """The lines of the page from its first numbered section ("## 1. ...") onwards."""
    lines = page_text.splitlines()
    for i, line in enumerate(lines):
        if SECTION.match(line):
            return lines[i:]
    raise ValueError(f"{PAGE.name} has no numbered section such as '## 1. Project and purpose'.")


def fillable_copy(page_text: str) -> str:
    """The downloadable worksheet: the page's sections with an answer line per question."""
    out = [HEADER]
    for line in worksheet_sections(page_text):
        if "{" in line and "}`" in line:
            raise ValueError(
                "The worksheet's sections must be plain Markdown (no MyST roles such as "
                f"{{term}}), because the download is read outside the book: {line!r}"
            )
        out.append(line)
        if line.startswith("- ") and not line.startswith("- [ ]"):
            out.append("")
            out.append("  Answer:")
            out.append("")
    text = "\n".join(out)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.rstrip("\n") + "\n"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="do not write; exit 1 if the downloadable copy is out of date")
    args = parser.parse_args(argv)
    expected = fillable_copy(PAGE.read_text(encoding="utf-8"))
    if args.check:
        current = DOWNLOAD.read_text(encoding="utf-8") if DOWNLOAD.exists() else ""
        if current != expected:
            print(f"{DOWNLOAD.relative_to(ROOT)} is out of date: run "
                  "`.venv/bin/python scripts/worksheet_download.py`.", file=sys.stderr)
            return 1
        return 0
    DOWNLOAD.parent.mkdir(parents=True, exist_ok=True)
    DOWNLOAD.write_text(expected, encoding="utf-8")
    print(f"Wrote {DOWNLOAD.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
