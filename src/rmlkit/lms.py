"""Learning management systems: the names of their submission downloads, the course
roster, and the gradebook files they import.

``rmlkit course collect`` reads the file names of a "download all submissions" zip
(:func:`parse_submission_name`), maps each student to a course id with the roster
(:class:`Roster`) and decides, for every file, whether it is collected, an older
version of a resubmission, or rejected, and why (:func:`plan_collection`).
``rmlkit course export --format canvas|moodle`` writes the grades in the CSV layout
that Canvas's and Moodle's gradebooks import (:func:`canvas_gradebook`,
:func:`moodle_grades`).

The file names, as these systems write them:

- Canvas: ``<name>_<userid>_<attachmentid>_<file>``, with ``late_`` before the user id
  when the work was late, ``<name>`` the student's sortable name in lower case without
  spaces or punctuation (``obrientom``), and ``-1``, ``-2`` added to ``<file>`` when a
  student hands in a file of the same name again.
- Moodle: ``<Full Name>_<participantid>_assignsubmission_file_<file>`` (or a folder
  ``<Full Name>_<participantid>_assignsubmission_file_/`` holding ``<file>``, when
  "download submissions in folders" is on); the participant id is the assignment's own
  number for the student, not the user id.
- Blackboard Learn: ``<Assignment>_<username>_attempt_<YYYY-MM-DD-HH-MM-SS>_<file>``,
  with a receipt ``<Assignment>_<username>_attempt_<date>.txt`` for every attempt.

Introduced in the book page "Instructor's guide" (Grading).
"""

from __future__ import annotations

import csv
import dataclasses
import re
import unicodedata
from pathlib import Path

from ._checks import check_type

__all__ = ["Roster", "SubmissionFile", "Decision", "parse_submission_name", "plan_collection",
           "canvas_gradebook", "moodle_grades"]

_CANVAS = re.compile(r"^(?P<name>[a-z0-9]+)_(?P<late>late_)?(?P<lms_id>\d+)_(?P<attachment>\d+)"
                     r"_(?P<file>.+)$", re.IGNORECASE)
_MOODLE = re.compile(r"^(?P<name>.+?)_(?P<lms_id>\d+)_assign(?:submission|feedback)_"
                     r"(?P<plugin>[a-z]+)_/?(?P<file>.+)$")
_BLACKBOARD = re.compile(r"^(?P<prefix>.+)_attempt_(?P<stamp>\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2})"
                         r"(?:_(?P<file>.+)|\.txt)?$")
_VERSION = re.compile(r"^(?P<stem>.+?)-(?P<version>\d+)$")
# Files that operating systems and LMSs add and nobody handed in.
_NOISE = re.compile(r"(^|/)(__MACOSX/|\.DS_Store$|Thumbs\.db$|\.ipynb_checkpoints/)")


@dataclasses.dataclass
class SubmissionFile:
    """One file of a submission download, as its name describes it.

    Introduced in the book page "Instructor's guide".
    """

    path: str            # the name in the download (zip member or relative path)
    lms: str             # "canvas", "moodle", "blackboard", "folder" or "plain"
    name: str            # the student's name or user name as the file gives it
    lms_id: str          # the LMS's id for the student ("" when the name has none)
    file: str            # the notebook's own name, resubmission suffix removed
    version: tuple = ()  # larger is newer: Canvas's -N suffix, Blackboard's attempt time
    late: bool = False


def _split_version(file: str, notebooks) -> tuple[str, int]:
    stem, suffix = file.rsplit(".", 1) if "." in file else (file, "")
    match = _VERSION.match(stem)
    if match and f"{match['stem']}.{suffix}" in notebooks and file not in notebooks:
        return f"{match['stem']}.{suffix}", int(match["version"])
    return file, 0


def parse_submission_name(path: str, notebooks=()) -> SubmissionFile | None:
    """What an LMS's file name says: the student, the notebook, the version.

    ``path`` is the name inside the download, with ``/`` between folders;
    ``notebooks`` the released notebooks' names, used to find ``<file>`` in plain
    names (``ada_lovelace_first-audit.ipynb``) and to tell Canvas's resubmission
    suffix (``first-audit-1.ipynb``) from a notebook that ends in a number. Returns
    None when the name follows none of the known layouts.

    Introduced in the book page "Instructor's guide".
    """
    check_type("path", path, str, "a file name as the LMS download gives it, such as "
               "'lovelaceada_1001_70001_first-audit.ipynb'")
    notebooks = set(_names("notebooks", notebooks))
    parts = path.split("/")
    base = parts[-1]
    if len(parts) >= 2 and (match := _MOODLE.match("/".join(parts[-2:]))):
        pass
    else:
        match = _MOODLE.match(base)
    if match:
        return SubmissionFile(path, "moodle", match["name"], match["lms_id"], match["file"])
    if match := _BLACKBOARD.match(base):
        file = match["file"] or ""
        prefix = match["prefix"]
        stamp = tuple(int(x) for x in match["stamp"].split("-"))
        # The user name is the part after the assignment's title: the last "_" field
        # unless the roster says otherwise (see Roster.resolve).
        return SubmissionFile(path, "blackboard", prefix, prefix.rsplit("_", 1)[-1], file,
                              stamp)
    if match := _CANVAS.match(base):
        file, version = _split_version(match["file"], notebooks)
        return SubmissionFile(path, "canvas", match["name"], match["lms_id"], file,
                              (version, int(match["attachment"])), bool(match["late"]))
    if len(parts) >= 2 and base.endswith(".ipynb"):  # <student>/<notebook> or deeper
        return SubmissionFile(path, "folder", parts[0], "", base)
    for notebook in sorted(notebooks, key=len, reverse=True):  # <student>_<notebook>
        if base.endswith("_" + notebook) and len(base) > len(notebook) + 1:
            return SubmissionFile(path, "plain", base[: -len(notebook) - 1], "", notebook)
    return None


def _name_key(text: str) -> str:
    """A name reduced to its letters and digits, lower case, accents removed."""
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if c.isalnum() and not unicodedata.combining(c)).lower()


def _slug(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return re.sub(r"[^a-z0-9_.-]+", "-", text).strip("-")


ROSTER_COLUMNS = ["id", "name", "email", "lms_id"]


@dataclasses.dataclass
class Student:
    id: str
    name: str = ""
    email: str = ""
    lms_id: str = ""


class Roster:
    """The class list: course id, name, email and LMS id of every student.

    A CSV file with the header ``id,name,email,lms_id`` (``lms_id`` is the Canvas
    user id, the Blackboard user name or, for Moodle, may stay empty: Moodle's file
    names are matched by the student's full name). ``collect`` uses it to give every
    submission its course id; ``export`` to fill names and emails and to list the
    students who submitted nothing.

    Introduced in the book page "Instructor's guide".
    """

    def __init__(self, students):
        self.students = list(students)
        ids = [s.id for s in self.students]
        doubles = sorted({i for i in ids if ids.count(i) > 1})
        if doubles:
            raise ValueError(f"roster: the id {doubles[0]!r} is on more than one row. "
                             "Every student needs an id of their own.")
        bad = [i for i in ids if not i or _slug(i) != i.lower() or "/" in i]
        if bad:
            raise ValueError(f"roster: {bad[0]!r} cannot be a course id: use lower-case "
                             "letters, digits, '_', '-' or '.' (for example 'ada_lovelace').")

    @classmethod
    def read(cls, path) -> Roster:
        """Read a roster CSV (columns id, name, email, lms_id; only id is required)."""
        path = Path(path)
        if not path.is_file():
            raise ValueError(f"roster: {path} does not exist. Give a CSV file with the "
                             f"columns {', '.join(ROSTER_COLUMNS)}.")
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            if not reader.fieldnames or "id" not in reader.fieldnames:
                raise ValueError(f"roster: {path} has no 'id' column. Its first line must be "
                                 f"{','.join(ROSTER_COLUMNS)}.")
            rows = [Student(**{k: (row.get(k) or "").strip() for k in ROSTER_COLUMNS})
                    for row in reader if any((v or "").strip() for v in row.values())]
        return cls(rows)

    def write(self, path) -> Path:
        path = Path(path)
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, ROSTER_COLUMNS)
            writer.writeheader()
            for s in self.students:
                writer.writerow(dataclasses.asdict(s))
        return path

    def get(self, student_id: str) -> Student:
        for s in self.students:
            if s.id == student_id:
                return s
        return Student(student_id)

    def _by_name(self, name: str) -> list[Student]:
        key = _name_key(name)
        found = []
        for s in self.students:
            words = s.name.split()
            keys = {_name_key(s.name)}
            if len(words) > 1:  # Canvas writes the sortable name: last name first
                keys.add(_name_key(" ".join(words[-1:] + words[:-1])))
            if key and key in keys:
                found.append(s)
        return found

    def resolve(self, item: SubmissionFile) -> tuple[str | None, str]:
        """The course id of the file's student, or None and why not."""
        if item.lms == "blackboard":
            fields = item.name.split("_")
            for start in range(len(fields)):  # the longest user name the roster knows
                candidate = "_".join(fields[start:])
                hits = [s for s in self.students if candidate in (s.lms_id, s.id)]
                if hits:
                    return hits[0].id, ""
        elif item.lms_id:
            hits = [s for s in self.students if s.lms_id and s.lms_id == item.lms_id]
            if hits:
                return hits[0].id, ""
        if item.lms in ("folder", "plain"):
            hits = [s for s in self.students if item.name in (s.id, s.lms_id)]
            if hits:
                return hits[0].id, ""
        hits = self._by_name(item.name)
        if len(hits) == 1:
            return hits[0].id, ""
        if len(hits) > 1:
            return None, (f"the name {item.name!r} fits {len(hits)} students in the roster "
                          f"({', '.join(s.id for s in hits)}): add their LMS ids to the "
                          "roster's lms_id column")
        return None, (f"{item.name!r} (LMS id {item.lms_id or 'none'}) is not in the roster: "
                      "add a row for this student, with the LMS id")


def default_id(item: SubmissionFile) -> str:
    """The course id of a file's student when there is no roster."""
    if item.lms in ("folder", "plain"):
        return item.name
    if item.lms == "blackboard":
        return item.lms_id
    return _slug(item.name)


@dataclasses.dataclass
class Decision:
    """What collecting does with one file of a download, and why.

    ``status`` is "collected", "older version", "rejected" or "ignored"; ``reason`` says
    why a file was not collected.

    Introduced in the book page "Instructor's guide".
    """

    path: str
    status: str          # "collected", "older version", "rejected", "ignored"
    student: str = ""
    notebook: str = ""
    reason: str = ""


def plan_collection(paths, notebooks, roster: Roster | None = None, *, students=None,
                    times=None) -> list[Decision]:
    """Decide for every file of a download what happens to it, and why.

    ``paths`` are the names in the download, ``notebooks`` the released notebooks'
    names; ``students`` limits collection to these course ids (re-collecting one
    student); ``times`` maps a path to its modification time, used to order two
    versions the names cannot order. Raises ValueError when two files would become
    the same student's same notebook and nothing says which is newer.

    Introduced in the book page "Instructor's guide".
    """
    paths = _names("paths", paths)
    notebooks = set(_names("notebooks", notebooks))
    times = times or {}
    decisions: list[Decision] = []
    candidates: dict[tuple[str, str], list[tuple[SubmissionFile, Decision]]] = {}
    for path in paths:
        if _NOISE.search(path):
            decisions.append(Decision(path, "ignored", reason="added by the operating system"))
            continue
        item = parse_submission_name(path, notebooks)
        if item is None:
            decisions.append(Decision(path, "rejected", reason=(
                "the name follows none of the layouts rmlkit knows (Canvas, Moodle, "
                "Blackboard, <student>/<notebook>, <student>_<notebook>): rename it "
                "<student>_<notebook> or give --regexp")))
            continue
        if item.lms == "blackboard" and not item.file:
            decisions.append(Decision(path, "ignored", reason="Blackboard's attempt receipt"))
            continue
        if roster is not None:
            student, why = roster.resolve(item)
        else:
            student, why = default_id(item), ""
        decision = Decision(path, "", student or "", item.file)
        decisions.append(decision)
        if student is None:
            decision.status, decision.reason = "rejected", why
            continue
        if item.file not in notebooks:
            decision.status = "rejected"
            decision.reason = (f"{item.file!r} is not a notebook of this assignment "
                               f"({', '.join(sorted(notebooks))}): the student may have "
                               "renamed it; rename the file and collect again")
            continue
        if students is not None and student not in students:
            decision.status, decision.reason = "ignored", "not one of the students asked for"
            continue
        candidates.setdefault((student, item.file), []).append((item, decision))
    for (student, notebook), group in candidates.items():
        senders = {(i.lms, i.lms_id) for i, _ in group if i.lms_id}
        if len(senders) > 1 and roster is None:
            a, b = group[0][0], group[1][0]
            raise ValueError(
                f"source: {a.path!r} and {b.path!r} both become {student}'s {notebook} "
                f"but come from two different LMS accounts ({a.lms_id} and {b.lms_id}): "
                "two students with the same name. Give a roster (--roster FILE) whose "
                "lms_id column tells them apart.")
        def order(pair):
            item, _ = pair
            return (item.version, times.get(item.path, 0))
        ranked = sorted(group, key=order)
        if len(ranked) > 1 and order(ranked[-1]) == order(ranked[-2]):
            a, b = ranked[-1][0], ranked[-2][0]
            raise ValueError(
                f"source: {a.path!r} and {b.path!r} are both {student}'s {notebook} and "
                "nothing says which is newer. Remove the one that should not be graded "
                "from the download (or folder) and collect again.")
        newest = ranked[-1]
        newest[1].status = "collected"
        if newest[0].late:
            newest[1].reason = "marked late by the LMS"
        if len(ranked) > 1:
            newest[1].reason = "; ".join(filter(None, [
                newest[1].reason, f"the newest of {len(ranked)} versions"]))
        for _, decision in ranked[:-1]:
            decision.status = "older version"
            decision.reason = f"replaced by {newest[0].path}"
    return decisions


def summary_table(decisions) -> str:
    """The decisions as a plain-text table, one file a line."""
    rows = [("file", "status", "student", "reason")] + [
        (d.path, d.status, d.student, d.reason) for d in decisions]
    widths = [min(48, max(len(r[i]) for r in rows)) for i in range(3)]
    lines = []
    for row in rows:
        cells = [row[i].ljust(widths[i]) for i in range(3)] + [row[3]]
        lines.append("  ".join(cells).rstrip())
    counts = {s: sum(d.status == s for d in decisions)
              for s in ("collected", "older version", "ignored", "rejected")}
    lines.append(", ".join(f"{n} {s}" for s, n in counts.items()) + f" of {len(decisions)} files")
    return "\n".join(lines)


# --------------------------------------------------------------------------------------
# Gradebook files for the LMS


def _points(value) -> str:
    return "" if value is None else f"{value:g}"


def canvas_gradebook(totals, roster: Roster, assignments: dict[str, float], path,
                     *, column_names=None) -> Path:
    """Write a CSV that Canvas's gradebook imports (Grades > Import).

    Canvas's own export layout: the columns ``Student``, ``ID``, ``SIS User ID``,
    ``SIS Login ID``, ``Section`` and one column per assignment, whose header should
    be the Canvas assignment's name with its Canvas id in brackets
    (``First audit (1234)``: pass ``column_names``); the second row, "Points
    Possible", holds each assignment's maximum. ``totals`` maps (student, assignment)
    to points; a student without a submission gets an empty cell (not submitted),
    never 0. ``ID`` is the roster's lms_id (the Canvas user id).

    Introduced in the book page "Instructor's guide".
    """
    column_names = column_names or {}
    path = Path(path)
    header = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"] + [
        column_names.get(a, a) for a in assignments]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerow(["Points Possible", "", "", "", ""] + [
            _points(m) for m in assignments.values()])
        for s in roster.students:
            name = s.name or s.id
            words = name.split()
            sortable = f"{words[-1]}, {' '.join(words[:-1])}" if len(words) > 1 else name
            writer.writerow([sortable, s.lms_id, s.id, s.email, ""] + [
                _points(totals.get((s.id, a))) for a in assignments])
    return path


def moodle_grades(totals, roster: Roster, assignments: dict[str, float], path,
                  *, column_names=None) -> Path:
    """Write a CSV that Moodle's gradebook imports (Grades > Import > CSV file).

    One row per student, identified by the column ``Email address`` (map it to the
    user field "Email address" in the import form), with the name for the reader and
    one column per grade item, which the import form maps to the Moodle grade item.
    A student without a submission gets an empty cell, which Moodle's import leaves
    ungraded, never 0.

    Introduced in the book page "Instructor's guide".
    """
    column_names = column_names or {}
    path = Path(path)
    missing = [s.id for s in roster.students if not s.email]
    if missing:
        raise ValueError(f"roster: Moodle identifies students by email, and "
                         f"{', '.join(missing[:3])} have none. Fill the roster's email "
                         "column.")
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["First name", "Last name", "Email address"] + [
            column_names.get(a, a) for a in assignments])
        for s in roster.students:
            words = (s.name or s.id).split()
            first, last = " ".join(words[:-1]) or words[0], words[-1] if len(words) > 1 else ""
            writer.writerow([first, last, s.email] + [
                _points(totals.get((s.id, a))) for a in assignments])
    return path


def _names(name: str, values) -> list[str]:
    """``values`` as a list of file names, or a TypeError that says what was wrong."""
    if isinstance(values, (str, bytes)) or not hasattr(values, "__iter__"):
        raise TypeError(f"{name} must be a list of file names, but you gave a "
                        f"{type(values).__name__} ({values!r}).")
    values = list(values)
    bad = [v for v in values if not isinstance(v, str)]
    if bad:
        raise TypeError(f"{name} must hold file names (text), but it holds {bad[:3]!r}.")
    return values
