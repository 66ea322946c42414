"""The instructor's workflow for the kit's graded exercises, on nbgrader's Python API.

``rmlkit course <step>`` (see ``rmlkit.cli``) runs these functions:

1. :func:`init_course`: a course directory with the kit's assignments and an
   ``nbgrader_config.py`` (the kit's, which keeps hidden tests out of feedback).
2. :func:`release`: the student version of an assignment, and a zip for an LMS.
3. :func:`collect`: submissions from a folder or an LMS zip export, through nbgrader's
   zip collection (``ZipCollectApp`` and its file-name collector plugin).
4. :func:`autograde`: every submission run in a sandbox (:mod:`rmlkit.sandbox`), in
   parallel worker processes; only this process writes to the gradebook, with
   nbgrader's own preprocessors, so the grades equal ``nbgrader autograde``'s.
5. :func:`feedback`: nbgrader's feedback, checked to hold no hidden test.
6. :func:`export`: the grades as CSV.
7. :func:`report`: a self-contained HTML page: the score distribution per assignment
   and an item analysis per question (difficulty, discrimination, hidden tests that
   fail most often).

Introduced in the book page "Instructor's guide" (Grading).
"""

from __future__ import annotations

import base64
import collections
import concurrent.futures
import contextlib
import dataclasses
import html
import io
import json
import multiprocessing
import os
import re
import shutil
import sys
import zipfile
from pathlib import Path

from rmlkit import grading
from rmlkit._checks import check_columns, check_path, check_type
from rmlkit.grading import HIDDEN_BEGIN
from rmlkit.sandbox import Limits, available_protections, detect_tampering, execute_in_sandbox

__all__ = [
    "CourseError",
    "init_course",
    "release",
    "collect",
    "collection_problems",
    "remove_submission",
    "autograde",
    "SubmissionResult",
    "skipped_submissions",
    "feedback",
    "export",
    "report",
    "item_analysis",
    "load_config",
    "protections_summary",
    "student_table",
]


def _kit_exercises() -> Path | None:
    """The kit's ``exercises/`` folder, in the project rmlkit was installed from.

    pip records where a package was installed from (``direct_url.json``); a copy of
    rmlkit from elsewhere has no exercises of its own: pass ``--from DIR`` then.
    """
    import importlib.metadata
    import urllib.parse
    import urllib.request

    try:
        info = json.loads(importlib.metadata.distribution("rmlkit").read_text(
            "direct_url.json") or "{}")
    except (importlib.metadata.PackageNotFoundError, ValueError):
        return None
    url = urllib.parse.urlparse(info.get("url", ""))
    if url.scheme != "file":
        return None
    folder = Path(urllib.request.url2pathname(url.path)) / "exercises"
    return folder if (folder / "source").is_dir() else None


KIT_EXERCISES = _kit_exercises()


class CourseError(Exception):
    """A problem with the course directory or the arguments, with what to do about it.

    Introduced in the book page "Instructor's guide".
    """


@dataclasses.dataclass
class SubmissionResult:
    """One student's autograded submission: the score, what the sandbox saw, the cells that
    failed.

    Introduced in the book page "Instructor's guide".
    """

    student: str
    assignment: str
    score: float
    max_score: float
    events: list[str]
    tampering: list[str]
    failed_cells: dict[str, str]

    @property
    def reasons(self) -> list[str]:
        """Why points were lost or what to look at, in one sentence each."""
        return ([f"tampering: {t}" for t in self.tampering] + self.events
                + [f"{cell}: {message}" for cell, message in self.failed_cells.items()])


# --------------------------------------------------------------------------------------
# Course directory and nbgrader objects


def _root(course) -> Path:
    root = Path(check_path("course", course)).resolve()
    if not (root / "nbgrader_config.py").is_file():
        raise CourseError(
            f"course: {root} is not a course directory (it has no nbgrader_config.py). "
            "Create one with `rmlkit course init DIR`, or pass --course DIR."
        )
    return root


def load_config(course):
    """The course's nbgrader configuration, with its root set to the course directory.

    For calling nbgrader's own Python API on a course made by :func:`init_course`
    (``rmlkit.grading.load_config`` does the work).

    Introduced in the book page "Instructor's guide" (Grading).
    """
    return grading.load_config(_root(course))


def _api(course):
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory

    config = load_config(course)
    grading.use_environment_tools()
    return NbGraderAPI(coursedir=CourseDirectory(config=config), config=config), config


def _check_assignment(root: Path, assignment: str) -> None:
    check_type("assignment", assignment, str, "the name of an assignment, such as 'first-audit'")
    if not (root / "source" / assignment).is_dir():
        found = sorted(p.name for p in (root / "source").iterdir() if p.is_dir())
        raise CourseError(
            f"assignment: there is no assignment {assignment!r} in {root / 'source'}. "
            f"Choose one of: {', '.join(found) or '(none: run `rmlkit course init`)'}."
        )


def init_course(directory, *, exercises=KIT_EXERCISES, assignments=None) -> Path:
    """Create a course directory holding the kit's assignments and its nbgrader config.

    The folder is made readable by its owner only, so that kernels running as another
    user cannot read the hidden tests or the gradebook.

    Introduced in the book page "Instructor's guide".
    """
    directory = Path(check_path("directory", directory)).resolve()
    if exercises is None:
        raise CourseError("exercises: the kit's exercises folder was not found next to "
                          "this copy of rmlkit. Pass --from DIR, the exercises/ folder of "
                          "a checkout of the kit.")
    exercises = Path(check_path("exercises", exercises))
    if not (exercises / "source").is_dir():
        raise CourseError(f"exercises: {exercises} has no source/ folder of assignments. "
                          "Point --from at the kit's exercises/ folder.")
    available = sorted(p.name for p in (exercises / "source").iterdir() if p.is_dir())
    chosen = list(assignments or available)
    unknown = sorted(set(chosen) - set(available))
    if unknown:
        raise CourseError(f"assignment: {', '.join(unknown)} not in {exercises / 'source'}; "
                          f"choose from {', '.join(available)}.")
    if (directory / "nbgrader_config.py").exists():
        raise CourseError(f"directory: {directory} is already a course directory. "
                          "Choose a new folder, or use the one you have.")
    directory.mkdir(parents=True, exist_ok=True)
    os.chmod(directory, 0o700)
    for name in chosen:
        shutil.copytree(exercises / "source" / name, directory / "source" / name,
                        ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    shutil.copy(exercises / "nbgrader_config.py", directory / "nbgrader_config.py")
    (directory / ".gitignore").write_text(
        "release/\nsubmitted/\nautograded/\nfeedback/\ndownloaded/\ngradebook.db\n"
        "exchange/\nreports/\n")
    return directory


def release(course, assignment: str) -> Path:
    """Make the student version (nbgrader generate_assignment) and a zip of it.

    Introduced in the book page "Instructor's guide".
    """
    root = _root(course)
    _check_assignment(root, assignment)
    api, _ = _api(root)
    result = api.generate_assignment(assignment)
    if not result["success"]:
        raise CourseError("release: " + grading.nbgrader_failure(
            result, f"could not generate {assignment!r}"))
    folder = root / "release" / assignment
    archive = shutil.make_archive(str(root / "release" / assignment), "zip", folder)
    return Path(archive)


def collect(course, assignment: str, source, *, regexp: str | None = None, roster=None,
            students=None) -> list[str]:
    """Collect submissions from a folder or an LMS zip export into ``submitted/``.

    Every file is accounted for (:func:`rmlkit.lms.plan_collection`): collected,
    an older version of a resubmission (the newest is kept: Canvas's ``-1`` suffix,
    Blackboard's attempt time, else the file's time), ignored (receipts, system
    files) or rejected with the reason. The file names of Canvas, Moodle and
    Blackboard downloads are understood, as are ``<student>/<notebook>.ipynb`` and
    ``<student>_<notebook>.ipynb``; ``roster`` (a CSV file, see
    :class:`rmlkit.lms.Roster`; default ``COURSE/roster.csv`` when it exists) maps
    LMS ids and names to course ids. With ``regexp`` (groups ``student_id`` and
    ``file_id``), that pattern decides instead. ``students`` re-collects only these
    students. The chosen files are copied by nbgrader's ``ZipCollectApp``. The
    decisions are saved in ``reports/collect-<assignment>.json`` and
    ``rmlkit.course.last_collection``; a file rejected raises nothing here (see
    :func:`collection_problems`). Returns the student ids collected.

    Introduced in the book page "Instructor's guide".
    """
    global last_collection
    from rmlkit import lms

    root = _root(course)
    _check_assignment(root, assignment)
    source = Path(check_path("source", source))
    if not source.exists():
        raise CourseError(f"source: {source} does not exist. Give the folder of "
                          "submissions or the zip file your LMS exported.")
    if not (root / "release" / assignment).is_dir():
        raise CourseError(f"assignment: {assignment!r} has not been released yet. Run "
                          f"`rmlkit course release {assignment}` first.")
    if source.is_file() and not zipfile.is_zipfile(source):
        raise CourseError(f"source: {source} is not a zip file. Give a zip export or a "
                          "folder of submissions.")
    roster = _load_roster(root, roster)
    files = _download_files(source)
    notebooks = sorted(p.name for p in (root / "release" / assignment).glob("*.ipynb"))
    try:
        if regexp:
            decisions = _plan_with_regexp(files, notebooks, regexp)
        else:
            decisions = lms.plan_collection(
                sorted(files), notebooks, roster, students=set(students) if students else None,
                times={path: files[path][1] for path in files})
    except ValueError as error:
        raise CourseError(str(error)) from None
    chosen = [d for d in decisions if d.status == "collected"]
    if chosen:
        _zip_collect(root, assignment, chosen, files)
    last_collection = decisions
    _save_collection(root, assignment, decisions)
    return sorted({d.student for d in chosen})


last_collection: list = []


def _load_roster(root: Path, roster):
    from rmlkit.lms import Roster

    if isinstance(roster, Roster):
        return roster
    path = Path(roster) if roster else root / "roster.csv"
    if roster is None and not path.is_file():
        return None
    try:
        return Roster.read(path)
    except ValueError as error:
        raise CourseError(str(error)) from None


def _download_files(source: Path) -> dict[str, tuple[bytes, float]]:
    """Every file of a zip (zips inside it too) or a folder: name -> (content, time)."""
    import time

    files: dict[str, tuple[bytes, float]] = {}

    def add_zip(data: bytes, prefix: str) -> None:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for info in archive.infolist():
                if info.is_dir():
                    continue
                content = archive.read(info)
                name = prefix + info.filename
                if name.lower().endswith(".zip") and zipfile.is_zipfile(io.BytesIO(content)):
                    add_zip(content, prefix)
                else:
                    files[name] = (content, time.mktime(info.date_time + (0, 0, -1)))

    if source.is_file():
        add_zip(source.read_bytes(), "")
    else:
        for path in sorted(source.rglob("*")):
            if not path.is_file():
                continue
            if path.suffix == ".zip" and zipfile.is_zipfile(path):
                add_zip(path.read_bytes(), "")
            else:
                files[path.relative_to(source).as_posix()] = (path.read_bytes(),
                                                               path.stat().st_mtime)
    return files


def _plan_with_regexp(files, notebooks, regexp: str):
    import re

    from rmlkit.lms import Decision

    try:
        pattern = re.compile(regexp)
    except re.error as error:
        raise CourseError(f"regexp: {regexp!r} is not a regular expression ({error}).") from None
    if not {"student_id", "file_id"} <= set(pattern.groupindex):
        raise CourseError("regexp: it needs the groups (?P<student_id>...) and "
                          "(?P<file_id>...).")
    decisions, seen = [], {}
    for path in sorted(files):
        match = pattern.match("/" + path)
        if not match:
            decisions.append(Decision(path, "rejected", reason=f"does not match {regexp!r}"))
            continue
        decision = Decision(path, "collected", match["student_id"], match["file_id"])
        if decision.notebook not in notebooks:
            decision.status = "rejected"
            decision.reason = f"{decision.notebook!r} is not a notebook of this assignment"
        elif (decision.student, decision.notebook) in seen:
            raise CourseError(
                f"source: {seen[decision.student, decision.notebook]!r} and {path!r} are both "
                f"{decision.student}'s {decision.notebook}. Remove one and collect again.")
        else:
            seen[decision.student, decision.notebook] = path
        decisions.append(decision)
    return decisions


def _zip_collect(root: Path, assignment: str, chosen, files) -> None:
    """Copy the chosen files into submitted/ with nbgrader's ZipCollectApp."""
    from nbgrader.apps import ZipCollectApp

    archive = root / "downloaded" / assignment / "archive"
    if archive.exists():
        shutil.rmtree(archive)
    archive.mkdir(parents=True)
    for decision in chosen:  # staged as <student>/<notebook>: nothing left to guess
        target = archive / decision.student / decision.notebook
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(files[decision.path][0])
    config = load_config(root)
    config.ZipCollectApp.collector_plugin = "nbgrader.plugins.FileNameCollectorPlugin"
    config.FileNameCollectorPlugin.named_regexp = (
        r"^.*/(?P<student_id>[^/]+)/(?P<file_id>[^/]+\.ipynb)$")
    config.ZipCollectApp.force = True
    config.ZipCollectApp.log_level = "ERROR"  # rmlkit checks and reports every file itself
    config.CourseDirectory.assignment_id = assignment
    app = ZipCollectApp(config=config)
    app.initialize([])
    app.coursedir.assignment_id = assignment
    app.start()
    for decision in chosen:
        if not (root / "submitted" / decision.student / assignment / decision.notebook).is_file():
            decision.status = "rejected"
            decision.reason = "nbgrader's ZipCollectApp did not copy it: see .nbgrader.log"


def _save_collection(root: Path, assignment: str, decisions) -> None:
    folder = root / "reports"
    folder.mkdir(exist_ok=True)
    (folder / f"collect-{assignment}.json").write_text(
        json.dumps([dataclasses.asdict(d) for d in decisions], indent=1))


def collection_problems(course, assignment: str) -> list[dict]:
    """The files the last ``collect`` of ``assignment`` rejected, with the reasons.

    Introduced in the book page "Instructor's guide".
    """
    path = _root(course) / "reports" / f"collect-{assignment}.json"
    if not path.is_file():
        return []
    return [d for d in json.loads(path.read_text()) if d["status"] == "rejected"]


def remove_submission(course, assignment: str, student: str) -> list[Path]:
    """Remove one student's submission of ``assignment``: files and gradebook entry.

    For a submission collected by mistake, or before collecting it again. Returns the
    folders removed.

    Introduced in the book page "Instructor's guide".
    """
    from nbgrader.api import Gradebook, MissingEntry

    root = _root(course)
    _check_assignment(root, assignment)
    removed = []
    for step in ("submitted", "autograded", "feedback"):
        folder = root / step / student / assignment
        if folder.is_dir():
            shutil.rmtree(folder)
            removed.append(folder)
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        try:
            gb.remove_submission(assignment, student)
            removed.append(root / "gradebook.db")
        except MissingEntry:
            pass
    if not removed:
        raise CourseError(f"student: {student!r} has no submission of {assignment!r} in "
                          f"{root}. The students with one: "
                          f"{', '.join(_submitted(root, assignment)) or '(none)'}.")
    log = root / "reports" / f"autograde-{assignment}.json"
    if log.is_file():
        entries = json.loads(log.read_text())
        entries.pop(student, None)
        log.write_text(json.dumps(entries, indent=1))
    return removed


def _submitted(root: Path, assignment: str) -> list[str]:
    return sorted(p.parent.name for p in (root / "submitted").glob(f"*/{assignment}"))


# --------------------------------------------------------------------------------------
# Autograding: sanitize here, execute in workers, save grades here.


def _sanitize(config, assignment: str, students, force: bool) -> list[str]:
    """nbgrader autograde's first pass (submission record, files, locked cells restored)."""
    from nbgrader.converters import Autograde
    from nbgrader.converters.base import BaseConverter
    from nbgrader.coursedir import CourseDirectory

    done: list[str] = []

    class SanitizeOnly(Autograde):
        def init_assignment(self, assignment_id, student_id):
            super().init_assignment(assignment_id, student_id)
            done.append(student_id)

        def convert_single_notebook(self, notebook_filename):
            self._sanitizing = True
            self._init_preprocessors()
            BaseConverter.convert_single_notebook(self, notebook_filename)

    for student in students:
        coursedir = CourseDirectory(config=config)
        coursedir.assignment_id = assignment
        coursedir.student_id = student
        converter = SanitizeOnly(coursedir=coursedir, config=config)
        converter.force = force
        with contextlib.suppress(Exception):
            converter.start()  # failures are logged by nbgrader and left ungraded
    return done


_SLOT = 0


def _init_worker(slots) -> None:
    global _SLOT
    _SLOT = slots.get()


def _execute_task(task: dict) -> tuple[str, list[str]]:
    """In a worker process: execute one sanitized notebook in the sandbox."""
    import nbformat
    from nbconvert.preprocessors import ClearMetadataPreprocessor
    from nbformat.v4 import new_output
    from nbgrader.preprocessors import IgnorePattern, LimitOutput

    config = load_config(task["root"])
    nb = nbformat.read(task["notebook"], as_version=nbformat.NO_CONVERT)
    resources = {"nbgrader": task["nbgrader"]}
    try:
        with _environ(NBGRADER_EXECUTION="autograde"):
            nb, events = execute_in_sandbox(
                nb, task["files"], limits=task["limits"], config=config,
                hide=task["hide"], slot=_SLOT)
    except Exception as error:  # the kernel could not start: no cell ran
        events = [f"could not run the notebook: {type(error).__name__}: {error}"]
        for cell in nb.cells:
            if cell.cell_type == "code":
                cell.outputs = [new_output("error", ename="NotRun", evalue=events[0],
                                           traceback=[events[0]])]
    for cls in (IgnorePattern, ClearMetadataPreprocessor, LimitOutput):
        nb, resources = cls(config=config)(nb, resources)
    return nbformat.writes(nb), events


@contextlib.contextmanager
def _environ(**values):
    old = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in old.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _save_grades(config, path: Path, text: str, info: dict) -> None:
    """nbgrader autograde's last steps: save the grades, late penalties, metadata check."""
    import nbformat
    from nbgrader.preprocessors import AssignLatePenalties, CheckCellMetadata, SaveAutoGrades

    nb = nbformat.reads(text, as_version=nbformat.NO_CONVERT)
    resources = {"nbgrader": info, "unique_key": info["notebook"]}
    for cls in (SaveAutoGrades, AssignLatePenalties, CheckCellMetadata):
        nb, resources = cls(config=config)(nb, resources)
    _replace_file(path, nbformat.writes(nb))


def _replace_file(path: Path, text: str) -> None:
    """Write ``path`` anew, keeping its mode: nbgrader leaves autograded files read-only
    (444), which only root may open for writing; replacing needs the folder writable."""
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
    temporary = path.with_name(f".{path.name}.saving")
    temporary.write_text(text)
    os.chmod(temporary, mode)
    os.replace(temporary, path)


def _failed_cells(text: str) -> dict[str, str]:
    import nbformat

    nb = nbformat.reads(text, as_version=nbformat.NO_CONVERT)
    failed = {}
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type == "code" and meta.get("grade_id"):  # tests and answers
            errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
            if errors:
                failed[meta["grade_id"]] = f"{errors[-1].ename}: {errors[-1].evalue}".strip()
    return failed


def _progress(iterable, total: int, desc: str, show: bool):
    from tqdm.auto import tqdm

    return tqdm(iterable, total=total, desc=desc, unit="submission", disable=not show,
                file=sys.stderr)


def autograde(course, assignment: str, *, workers: int = 2, limits: Limits | None = None,
              students=None, force: bool = False, progress: bool = True,
              hide=()) -> list[SubmissionResult]:
    """Autograde every collected submission of ``assignment`` in ``workers`` processes.

    Each notebook is sanitized here as ``nbgrader autograde`` does (its locked and test
    cells restored from the gradebook), executed by nbgrader's ``Execute`` in a sandbox
    in a worker process, and its grades saved here with nbgrader's ``SaveAutoGrades``:
    the gradebook has one writer. Returns one result per submission, with the reasons
    for lost points, the limits hit and any tampering found.

    Introduced in the book page "Instructor's guide".
    """
    import nbformat
    from nbgrader.api import Gradebook

    root = _root(course)
    _check_assignment(root, assignment)
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise CourseError(f"workers: must be a whole number of at least 1, not {workers!r}. "
                          f"This machine has {os.cpu_count()} cores: try --workers "
                          f"{os.cpu_count()}.")
    limits = check_type("limits", limits or Limits(), Limits, "a sandbox.Limits(...)")
    config = load_config(root)
    submitted = root / "submitted"
    available = sorted(p.parent.name for p in submitted.glob(f"*/{assignment}"))
    chosen = list(students) if students else available
    missing = sorted(set(chosen) - set(available))
    if missing:
        raise CourseError(f"student: no submission of {assignment!r} from "
                          f"{', '.join(missing)} in {submitted}. Run `rmlkit course collect`.")
    if not chosen:
        raise CourseError(f"assignment: no submissions of {assignment!r} in {submitted}. "
                          "Run `rmlkit course collect` first.")
    db_url = f"sqlite:///{root / 'gradebook.db'}"
    with Gradebook(db_url) as gb:
        known = assignment in {a.name for a in gb.assignments}
    if not known or not (root / "release" / assignment).is_dir():
        release(root, assignment)
    sanitized = _sanitize(config, assignment, chosen, force)
    _record_skipped(root, assignment, chosen, sanitized, force)
    hidden = [str(root), *([str(KIT_EXERCISES)] if KIT_EXERCISES else []), str(Path.home()),
              *map(str, hide)]
    tasks = []
    for student in sanitized:
        folder = root / "autograded" / student / assignment
        for path in sorted(folder.glob("*.ipynb")):
            tasks.append({
                "root": str(root), "notebook": str(path), "files": str(folder),
                "limits": limits, "hide": hidden,
                "nbgrader": {"student": student, "assignment": assignment,
                             "notebook": path.stem, "db_url": db_url},
            })
    results: dict[str, SubmissionResult] = {}
    for student in sanitized:
        results[student] = SubmissionResult(student, assignment, 0.0, 0.0, [], [], {})
        if not any(task["nbgrader"]["student"] == student for task in tasks):
            results[student].events.append(
                "nbgrader could not read this submission (is it a valid notebook?): "
                f"see {root / '.nbgrader.log'} or run nbgrader autograde on it")
        for path in sorted((submitted / student / assignment).glob("*.ipynb")):
            released = root / "release" / assignment / path.name
            if released.is_file():
                with contextlib.suppress(Exception):
                    results[student].tampering += detect_tampering(
                        nbformat.read(path, as_version=4), nbformat.read(released, as_version=4))
    if tasks:
        context = multiprocessing.get_context("spawn")
        slots = context.Queue()
        for slot in range(workers):
            slots.put(slot)
        with concurrent.futures.ProcessPoolExecutor(
                max_workers=min(workers, len(tasks)), mp_context=context,
                initializer=_init_worker, initargs=(slots,)) as pool:
            futures = {pool.submit(_execute_task, task): task for task in tasks}
            done = concurrent.futures.as_completed(futures)
            for future in _progress(done, len(futures), f"autograde {assignment}", progress):
                task = futures[future]
                student = task["nbgrader"]["student"]
                try:
                    text, events = future.result()
                except Exception as error:  # a worker crashed: grade it as not run
                    results[student].events.append(f"worker failed: {error}")
                    continue
                _save_grades(config, Path(task["notebook"]), text, task["nbgrader"])
                results[student].events += events
                results[student].failed_cells.update(_failed_cells(text))
    with Gradebook(db_url) as gb:
        for student, result in results.items():
            submission = gb.find_submission(assignment, student)
            result.score, result.max_score = submission.score, submission.max_score
    _write_log(root, assignment, results.values())
    _add_rubrics(root, assignment, sanitized)
    return [results[s] for s in sorted(results)]


def _add_rubrics(root: Path, assignment: str, students) -> None:
    """Each written answer's rubric into the autograded notebook, for the formgrader."""
    from rmlkit.handgrading import add_rubrics

    add_rubrics(root, assignment, students)


def _record_skipped(root: Path, assignment: str, chosen, sanitized, force: bool) -> None:
    """Save which submissions autograde did not grade this time, and why."""
    skipped = {}
    for student in chosen:
        if student in sanitized:
            continue
        if not force and (root / "autograded" / student / assignment).is_dir():
            skipped[student] = ("graded already: not graded again (to grade again: "
                                f"rmlkit course autograde {assignment} --student {student} "
                                "--force)")
        else:
            skipped[student] = ("nbgrader could not prepare it (is each notebook a valid "
                                f"notebook of the release?): see {root / '.nbgrader.log'}")
    folder = root / "reports"
    folder.mkdir(exist_ok=True)
    (folder / f"skipped-{assignment}.json").write_text(json.dumps(skipped, indent=1))


def skipped_submissions(course, assignment: str) -> dict[str, str]:
    """The submissions the last ``autograde`` of ``assignment`` skipped, with the reason.

    Introduced in the book page "Instructor's guide".
    """
    path = _root(course) / "reports" / f"skipped-{assignment}.json"
    return json.loads(path.read_text()) if path.is_file() else {}


def _write_log(root: Path, assignment: str, results) -> None:
    folder = root / "reports"
    folder.mkdir(exist_ok=True)
    path = folder / f"autograde-{assignment}.json"
    log = json.loads(path.read_text()) if path.is_file() else {}
    for result in results:
        log[result.student] = dataclasses.asdict(result)
    path.write_text(json.dumps(log, indent=1))


def protections_summary(limits: Limits | None = None) -> str:
    """Which sandbox protections work here, one line each (``rmlkit course protections``).

    Introduced in the book page "Instructor's guide" (Grading).
    """
    return "\n".join(str(p) for p in available_protections(limits))


# --------------------------------------------------------------------------------------
# Feedback, export, report


def _hidden_test_lines(root: Path, assignment: str) -> list[str]:
    """Hidden-test lines of the assignment that its released version does not show."""
    import nbformat

    released = "".join(re.sub(r"\s+", "", cell.source)
                       for path in (root / "release" / assignment).glob("*.ipynb")
                       for cell in nbformat.read(path, as_version=4).cells)
    return [line for line in grading.hidden_test_lines(
        sorted((root / "source" / assignment).glob("*.ipynb")))
        if re.sub(r"\s+", "", line) not in released]


class FeedbackPages(list):
    """The feedback pages made, as paths; ``withheld`` maps a page kept back to why."""

    def __init__(self, pages=(), withheld=None):
        super().__init__(pages)
        self.withheld: dict[Path, str] = dict(withheld or {})


def feedback(course, assignment: str, *, allow_ungraded: bool = False) -> list[Path]:
    """Generate feedback (nbgrader), make every page safe, and hold back any that leaks.

    Every page is cleaned of scripts (:func:`rmlkit.grading.sanitize_page`) and checked
    for hidden-test code, as written or encoded (:func:`rmlkit.grading.leaked_secrets`).
    A page that shows any is deleted, so that student gets no feedback until the
    instructor has looked; the others are kept. Returns the pages kept, with
    ``.withheld`` naming each page held back and why.

    Refuses while written answers wait for a grader (their score would show as 0),
    unless ``allow_ungraded``. The pages hold no rubric and render the exercises'
    MyST admonitions.

    Introduced in the book page "Instructor's guide".
    """
    root = _root(course)
    _check_assignment(root, assignment)
    _check_hand_graded(root, assignment, allow_ungraded)
    api, config = _api(root)
    _feedback_preprocessors(config)
    names = [getattr(p, "__name__", str(p)) for p in config.GenerateFeedback.get(
        "preprocessors", [])]
    if "ClearHiddenTests" not in names:
        raise CourseError("course: nbgrader_config.py does not clear hidden tests from the "
                          "feedback (c.GenerateFeedback.preprocessors). Copy the kit's "
                          "exercises/nbgrader_config.py into the course.")
    result = api.generate_feedback(assignment)
    pages = _checked_pages(root, assignment)  # also those made before nbgrader failed
    if not result["success"]:
        raise CourseError("feedback: " + grading.nbgrader_failure(
            result, "could not make every feedback page") + f" ({len(pages)} pages made "
            "and checked).")
    return pages


def _checked_pages(root: Path, assignment: str) -> FeedbackPages:
    pages = sorted((root / "feedback").glob(f"*/{assignment}/*.html"))
    _check_no_rubric(root, assignment, pages)
    secrets = _hidden_test_lines(root, assignment)
    kept, withheld = [], {}
    for page in pages:
        text = grading.sanitize_page(page.read_text())
        leaked = grading.leaked_secrets(text, secrets)
        if leaked:
            page.unlink()
            withheld[page] = (f"it showed hidden-test code ({len(leaked)} line(s), e.g. "
                              f"{leaked[0][:60]!r}), perhaps encoded; it was deleted. Look "
                              f"at {page.parent.relative_to(root / 'feedback')} in "
                              "autograded/ before you give this student feedback")
            continue
        _replace_file(page, text)
        kept.append(page)
    return FeedbackPages(kept, withheld)


def _check_hand_graded(root: Path, assignment: str, allow_ungraded: bool) -> None:
    from rmlkit.handgrading import ungraded_answers

    waiting = ungraded_answers(root, assignment)
    if waiting and not allow_ungraded:
        students = sorted({s for s, _ in waiting})
        raise CourseError(
            f"feedback: {len(waiting)} written answers of {assignment!r} wait for a grader "
            f"({', '.join(students[:5])}{' and others' if len(students) > 5 else ''}); their "
            "feedback would show 0 points for them. Grade them first (`rmlkit course "
            "formgrader`), or pass --allow-ungraded to send feedback that says so.")
    if waiting:
        print(f"Warning: {len(waiting)} written answers of {assignment!r} are not graded yet; "
              "their feedback shows 0 for them.", file=sys.stderr)


def _feedback_preprocessors(config) -> None:
    """Add the rubric remover and the MyST admonitions to nbgrader's feedback steps."""
    from rmlkit.handgrading import MystAdmonitions, RemoveRubrics

    steps = list(config.GenerateFeedback.get("preprocessors", []))
    for extra in (RemoveRubrics, MystAdmonitions):
        if extra not in steps:
            steps.insert(0, extra)
    config.GenerateFeedback.preprocessors = steps


def _check_no_rubric(root: Path, assignment: str, pages) -> None:
    import re

    from rmlkit.handgrading import rubrics

    lines = [piece.strip() for source in (root / "source" / assignment).glob("*.ipynb")
             for text in rubrics(source).values() for line in text.splitlines()
             for piece in re.split(r"[*_`]", line) if len(piece.strip()) > 30]
    for page in pages:
        text = html.unescape(page.read_text())
        if any(line in text for line in lines):
            page.unlink()
            raise CourseError(f"feedback: {page} showed a grader's rubric; it was deleted. "
                              "Check c.GenerateFeedback.preprocessors.")


EXPORT_FORMATS = ("nbgrader", "canvas", "moodle")


def export(course, to, *, format: str = "nbgrader", roster=None, column_names=None) -> Path:
    """Write the grades to a CSV file: nbgrader's layout, or one Canvas or Moodle imports.

    ``format="nbgrader"`` is nbgrader's CSV export, with names and emails from the
    roster and a ``status`` column: a student who submitted nothing has
    ``not submitted`` and an empty score, never 0. ``"canvas"`` and ``"moodle"``
    write the gradebook import files of :func:`rmlkit.lms.canvas_gradebook` and
    :func:`rmlkit.lms.moodle_grades`, one column per assignment (``column_names``
    maps an assignment to the LMS's column header, such as ``First audit (1234)``
    for Canvas). ``roster`` is a CSV file (default ``COURSE/roster.csv``).

    Introduced in the book page "Instructor's guide".
    """
    from nbgrader.api import Gradebook

    from rmlkit import lms

    if format not in EXPORT_FORMATS:
        raise CourseError(f"format: {format!r} is not one of {', '.join(EXPORT_FORMATS)}.")
    root = _root(course)
    roster = _load_roster(root, roster)
    to = Path(check_path("to", to)).resolve()
    to.parent.mkdir(parents=True, exist_ok=True)
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        if roster is not None:
            for s in roster.students:  # names and emails into the gradebook
                first, _, last = s.name.rpartition(" ")
                gb.update_or_create_student(s.id, first_name=first or None,
                                            last_name=last or None, email=s.email or None)
        assignments = {a.name: float(a.max_score) for a in gb.assignments}
        totals = {(sub.student_id, a.name): float(sub.score)
                  for a in gb.assignments for sub in a.submissions}
        if format == "nbgrader":
            _export_nbgrader(root, gb, to, totals)
            return to
        students = [lms.Student(s.id, " ".join(filter(None, [s.first_name, s.last_name])),
                                s.email or "", "") for s in gb.students]
    if roster is None:
        if format == "canvas":
            raise CourseError("roster: Canvas imports grades by its user id, which only the "
                              "roster knows. Write COURSE/roster.csv (id,name,email,lms_id) or "
                              "pass --roster FILE.")
        roster = lms.Roster(students)
    try:
        if format == "canvas":
            lms.canvas_gradebook(totals, roster, assignments, to, column_names=column_names)
        else:
            lms.moodle_grades(totals, roster, assignments, to, column_names=column_names)
    except ValueError as error:
        raise CourseError(str(error)) from None
    return to


def _export_nbgrader(root: Path, gb, to: Path, totals) -> None:
    import pandas as pd
    from nbgrader.plugins import CsvExportPlugin

    CsvExportPlugin(config=load_config(root), to=str(to)).export(gb)
    table = pd.read_csv(to, dtype={"student_id": str})
    submitted = [(s, a) in totals for s, a in zip(table["student_id"], table["assignment"],
                                                         strict=True)]
    table["status"] = ["submitted" if x else "not submitted" for x in submitted]
    for column in ("raw_score", "score", "late_submission_penalty"):
        if column in table:
            table[column] = table[column].where(submitted)
    table.to_csv(to, index=False)


def _grade_table(root: Path):
    """One row per (assignment, student, grade cell) with the score and maximum."""
    import pandas as pd
    from nbgrader.api import Gradebook

    rows = []
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        for assignment in gb.assignments:
            for submission in assignment.submissions:
                for notebook in submission.notebooks:
                    for grade in notebook.grades:
                        rows.append({
                            "assignment": assignment.name, "student": submission.student_id,
                            "notebook": notebook.name, "item": grade.name,
                            "score": float(grade.score), "max_score": float(grade.max_score),
                            "auto": grade.auto_score is not None,
                            "needs_manual_grade": bool(grade.needs_manual_grade),
                        })
    return pd.DataFrame(rows, columns=["assignment", "student", "notebook", "item", "score",
                                       "max_score", "auto", "needs_manual_grade"])


def item_analysis(grades):
    """Difficulty and discrimination of every question (grade cell).

    ``difficulty`` is the mean share of the points students got (1 = everyone got full
    marks); ``discrimination`` the correlation of the item's score with the rest-score
    (total minus the item) across students: near 0 or negative means the question does
    not separate stronger from weaker submissions. ``ungraded`` counts written answers
    still waiting for a grader.

    Introduced in the book page "Instructor's guide".
    """
    import numpy as np
    import pandas as pd

    check_columns("grades", grades, ["assignment", "item", "student", "score", "max_score"])
    out = []
    for (assignment, item), rows in grades.groupby(["assignment", "item"], sort=False):
        totals = grades[grades["assignment"] == assignment].groupby("student")["score"].sum()
        item_scores = rows.set_index("student")["score"]
        rest = totals.loc[item_scores.index] - item_scores
        if item_scores.nunique() > 1 and rest.nunique() > 1:
            discrimination = float(np.corrcoef(item_scores, rest)[0, 1])
        else:
            discrimination = float("nan")
        maximum = rows["max_score"].iloc[0]
        out.append({
            "assignment": assignment, "item": item, "points": maximum,
            "students": len(rows),
            "difficulty": float(rows["score"].mean() / maximum) if maximum else float("nan"),
            "discrimination": discrimination,
            "ungraded": int(rows["needs_manual_grade"].sum()),
        })
    return pd.DataFrame(out)


def _answer_names(root: Path, assignment: str) -> set[str]:
    """The names the answer cells of ``assignment`` define (``fpr_by_group``)."""
    import ast

    import nbformat

    names = set()
    for path in (root / "source" / assignment).glob("*.ipynb"):
        for cell in nbformat.read(path, as_version=4).cells:
            meta = cell.metadata.get("nbgrader", {})
            if cell.cell_type != "code" or not meta.get("solution"):
                continue
            try:
                tree = ast.parse(cell.source)
            except SyntaxError:
                continue
            for node in ast.walk(tree):
                if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                    names.add(node.id)
                elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
                    names.add(node.name)
    return names


def _is_knock_on(message: str, answer_names) -> bool:
    """A test that failed only because an answer it checks was never defined."""
    import re

    match = re.match(r"NameError: name '([^']+)' is not defined", message)
    return bool(match and match[1] in answer_names)


def _hidden_failures(root: Path, assignment: str):
    """For each grade cell with hidden tests: how many submissions failed it, and how.

    Knock-on failures (a ``NameError`` for a name an answer cell should have
    defined: the answer is blank or crashed) are counted apart from real ones.
    """
    import nbformat

    hidden_cells = set()
    for path in (root / "source" / assignment).glob("*.ipynb"):
        for cell in nbformat.read(path, as_version=4).cells:
            meta = cell.metadata.get("nbgrader", {})
            if meta.get("grade") and HIDDEN_BEGIN in cell.source:
                hidden_cells.add(meta["grade_id"])
    names = _answer_names(root, assignment)
    counts, knock_on = collections.Counter(), collections.Counter()
    messages: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    total = 0
    for path in (root / "autograded").glob(f"*/{assignment}/*.ipynb"):
        total += 1
        for grade_id, message in _failed_cells(path.read_text()).items():
            if grade_id not in hidden_cells:
                continue
            if _is_knock_on(message, names):
                knock_on[grade_id] += 1
            else:
                counts[grade_id] += 1
                messages[grade_id][message[:160]] += 1
    return [(g, counts[g], knock_on[g], total,
             messages[g].most_common(1)[0][0] if messages[g] else "")
            for g in sorted(hidden_cells, key=lambda g: (-counts[g], -knock_on[g]))]


def student_table(course, assignment: str):
    """One row per student of ``assignment``: score, what failed, what to look at.

    ``failed`` lists the grade cells that really failed, ``knock_on`` those that failed
    only because an earlier answer is missing, ``exceptions`` the answers that raised
    an error other than the blank answer's ``NotImplementedError``; ``events`` holds
    limits hit, tampering, autograde's reason for skipping and collect's rejections.
    Students in the roster without a submission have the status "not submitted".

    Introduced in the book page "Instructor's guide".
    """
    import nbformat
    import pandas as pd

    check_type("assignment", assignment, str, "the name of an assignment, such as 'first-audit'")

    root = _root(course)
    grades = _grade_table(root)
    grades = grades[grades["assignment"] == assignment]
    names = _answer_names(root, assignment)
    answers = set()
    for path in (root / "source" / assignment).glob("*.ipynb"):
        for cell in nbformat.read(path, as_version=4).cells:
            meta = cell.metadata.get("nbgrader", {})
            if meta.get("solution") and cell.cell_type == "code":
                answers.add(meta.get("grade_id"))
    log_path = root / "reports" / f"autograde-{assignment}.json"
    log = json.loads(log_path.read_text()) if log_path.is_file() else {}
    skipped = skipped_submissions(root, assignment)
    rejected = collections.defaultdict(list)
    for problem in collection_problems(root, assignment):
        rejected[problem["student"] or "(unknown)"].append(
            f"collect rejected {problem['path']}: {problem['reason']}")
    roster = _load_roster(root, None)
    students = set(grades["student"]) | set(_submitted(root, assignment)) | set(skipped) \
        | set(rejected) | ({s.id for s in roster.students} if roster else set())
    rows = []
    for student in sorted(students):
        mine = grades[grades["student"] == student]
        failed, knock_on, exceptions = [], [], []
        for path in sorted((root / "autograded" / student / assignment).glob("*.ipynb")):
            for grade_id, message in _failed_cells(path.read_text()).items():
                if _is_knock_on(message, names):
                    knock_on.append(grade_id)
                elif grade_id in answers:
                    if not message.startswith("NotImplementedError"):
                        exceptions.append(f"{grade_id}: {message[:160]}")
                else:
                    failed.append(grade_id)
        entry = log.get(student, {})
        submitted = not mine.empty
        # a submission graded before and skipped now ("graded already") has its grades
        events = ([f"tampering: {t}" for t in entry.get("tampering", [])]
                  + entry.get("events", [])
                  + ([f"autograde skipped it: {skipped[student]}"]
                     if student in skipped and not submitted else [])
                  + rejected.get(student, []))
        rows.append({
            "student": student,
            "name": roster.get(student).name if roster else "",
            "status": "graded" if submitted else (
                "skipped" if student in skipped or student in rejected else "not submitted"),
            "score": float(mine["score"].sum()) if submitted else None,
            "max_score": float(mine["max_score"].sum()) if submitted else None,
            "waiting_for_grader": int(mine["needs_manual_grade"].sum()) if submitted else 0,
            "failed": failed, "knock_on": knock_on, "exceptions": exceptions,
            "events": events,
        })
    return pd.DataFrame(rows, columns=["student", "name", "status", "score", "max_score",
                                       "waiting_for_grader", "failed", "knock_on",
                                       "exceptions", "events"])


def format_student_table(table) -> str:
    """The per-student table as plain text (for the terminal and the guide)."""
    lines = []
    for row in table.itertuples():
        score = "not submitted" if row.score is None or row.score != row.score else \
            f"{row.score:g} / {row.max_score:g}"
        parts = [f"{row.student:<16} {row.status:<13} {score:<13}"]
        if row.failed:
            parts.append("failed: " + ", ".join(row.failed))
        if row.knock_on:
            parts.append("knock-on: " + ", ".join(row.knock_on))
        if row.exceptions:
            parts.append("exceptions: " + "; ".join(row.exceptions))
        if row.waiting_for_grader:
            parts.append(f"{row.waiting_for_grader} waiting for a grader")
        if row.events:
            parts.append("events: " + "; ".join(row.events))
        lines.append(" | ".join(parts))
    return "\n".join(lines)


def _figure_png(scores, maximum: float, assignment: str) -> tuple[str, str]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    fig, ax = plt.subplots(figsize=(6, 3.2))
    # one bar per whole point (half points fall in with the point below them)
    bins = np.arange(-0.5, maximum + 1) if 0 < maximum <= 40 else 20
    ax.hist(scores, bins=bins, color="#3b6ea8", edgecolor="white")
    ax.yaxis.get_major_locator().set_params(integer=True)
    ax.set_xlabel("score (points)")
    ax.set_ylabel("submissions")
    ax.set_title(f"Scores in {assignment}")
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110)
    plt.close(fig)
    alt = (f"Histogram of the scores of {len(scores)} submissions of {assignment}, out of "
           f"{maximum:g} points: median {np.median(scores):.1f}, lowest {min(scores):.1f}, "
           f"highest {max(scores):.1f}.")
    return base64.b64encode(buffer.getvalue()).decode(), alt


def _student_table_html(root: Path, assignment: str) -> str:
    table = student_table(root, assignment)
    out = ["<h3>Students</h3><table><tr><th>student</th><th>name</th><th>status</th>"
           "<th>score</th><th>failed</th><th>knock-on</th><th>exceptions</th>"
           "<th>waiting for a grader</th><th>events</th></tr>"]
    for row in table.itertuples():
        score = "not submitted" if row.score is None or row.score != row.score else \
            f"{row.score:g} / {row.max_score:g}"
        cells = [row.student, row.name, row.status, score, ", ".join(row.failed),
                 ", ".join(row.knock_on), "; ".join(row.exceptions),
                 str(row.waiting_for_grader or ""), "; ".join(row.events)]
        out.append("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in cells) + "</tr>")
    out.append("</table>")
    return "".join(out)


def report(course, to) -> Path:
    """Write a self-contained HTML page: score distributions and an item analysis.

    Introduced in the book page "Instructor's guide".
    """
    root, to = _root(course), check_path("to", to)
    grades = _grade_table(root)
    if grades.empty:
        raise CourseError("course: the gradebook has no graded submission yet. Run "
                          "`rmlkit course autograde ASSIGNMENT` first.")
    items = item_analysis(grades)
    parts = ["<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
             "<title>Course report</title><style>body{font-family:sans-serif;max-width:60em;"
             "margin:2em auto;padding:0 1em}table{border-collapse:collapse}td,th{border:1px "
             "solid #999;padding:.25em .6em;text-align:left}</style></head><body>",
             "<h1>Course report</h1>",
             "<p>Difficulty is the mean share of the points students got on a question (1: "
             "everyone got full marks). Discrimination is the correlation of the question's "
             "score with the rest of the assignment's score: near zero or negative means the "
             "question does not separate stronger from weaker work. Written answers that "
             "wait for a grader count as 0 until graded.</p>"]
    for assignment, rows in grades.groupby("assignment"):
        totals = rows.groupby("student")["score"].sum()
        maximum = rows.groupby("student")["max_score"].sum().max()
        png, alt = _figure_png(totals.to_numpy(), float(maximum), assignment)
        parts.append(f"<h2>{html.escape(assignment)}</h2>")
        parts.append(f"<p>{len(totals)} submissions, mean {totals.mean():.2f} of "
                     f"{maximum:g} points.</p>")
        parts.append(f"<figure><img src='data:image/png;base64,{png}' alt='{html.escape(alt)}'>"
                     f"<figcaption>{html.escape(alt)}</figcaption></figure>")
        table = items[items["assignment"] == assignment]
        parts.append("<h3>Item analysis</h3><table><tr><th>question</th><th>points</th>"
                     "<th>difficulty</th><th>discrimination</th><th>waiting for a grader"
                     "</th></tr>")
        for row in table.itertuples():
            disc = "–" if row.discrimination != row.discrimination else \
                f"{row.discrimination:.2f}"
            parts.append(f"<tr><td>{html.escape(row.item)}</td><td>{row.points:g}</td>"
                         f"<td>{row.difficulty:.2f}</td><td>{disc}</td>"
                         f"<td>{row.ungraded}</td></tr>")
        parts.append("</table><h3>Hidden tests that fail most</h3><p>Knock-on failures are "
                     "tests that failed only because the answer they check was never defined "
                     "(a blank or crashed answer cell): they are counted apart, so that the "
                     "real mistakes show.</p><table><tr><th>test cell</th><th>failed</th>"
                     "<th>knock-on</th><th>most common message</th></tr>")
        for grade_id, failed, knock_on, total, message in _hidden_failures(root, assignment):
            parts.append(f"<tr><td>{html.escape(grade_id)}</td><td>{failed} of {total}</td>"
                         f"<td>{knock_on}</td><td>{html.escape(message)}</td></tr>")
        parts.append("</table>")
        parts.append(_student_table_html(root, assignment))
        log = root / "reports" / f"autograde-{assignment}.json"
        if log.is_file():
            flagged = {s: r for s, r in json.loads(log.read_text()).items()
                       if r["tampering"] or r["events"]}
            if flagged:
                parts.append("<h3>Submissions to look at</h3><ul>")
                for student, result in sorted(flagged.items()):
                    notes = "; ".join(result["tampering"] + result["events"])
                    parts.append(f"<li>{html.escape(student)}: {html.escape(notes)}</li>")
                parts.append("</ul>")
    parts.append("</body></html>")
    to = Path(check_path("to", to)).resolve()
    to.parent.mkdir(parents=True, exist_ok=True)
    to.write_text("\n".join(parts))
    return to

