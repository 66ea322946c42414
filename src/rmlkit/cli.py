"""The ``rmlkit`` command: ``rmlkit course <step>`` runs the instructor's workflow.

Each step has ``--help``. See :mod:`rmlkit.course` for what each step does.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

STEPS = {
    "init": "create a course directory from the kit's exercises",
    "release": "make the student version of an assignment (and a zip for your LMS)",
    "collect": "collect submissions from a folder or an LMS zip export",
    "remove": "remove one student's submission (files and grades), e.g. before collecting "
              "it again",
    "autograde": "grade the submissions safely, in parallel",
    "feedback": "make feedback pages for students (never with hidden tests; exit status "
                "100 + N when N pages were withheld)",
    "formgrader": "hand-grade written answers: nbgrader's formgrader on this course",
    "export": "write the grades to a CSV file (nbgrader's, or for Canvas or Moodle)",
    "report": "write an HTML report: score distributions and an item analysis",
    "protections": "show which sandbox protections work on this machine",
}


def _positive(name):
    def parse(text):
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"{name} must be a whole number, not {text!r}") from None
        if value < 1:
            raise argparse.ArgumentTypeError(f"{name} must be at least 1, not {value}")
        return value
    return parse


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="rmlkit", description="Tools for the course "
                                     "Responsible ML for the Social Sciences.")
    commands = parser.add_subparsers(dest="command", required=True)
    course = commands.add_parser("course", help="the instructor's grading workflow",
                                 description="The instructor's workflow: init, release, "
                                 "collect, autograde, feedback, export, report.")
    steps = course.add_subparsers(dest="step", required=True, metavar="STEP")
    parsers = {}
    for name, text in STEPS.items():
        step = steps.add_parser(name, help=text, description=text[0].upper() + text[1:] + ".")
        if name != "init":
            step.add_argument("--course", default=".", metavar="DIR",
                              help="the course directory (default: the current folder)")
        parsers[name] = step
    p = parsers["init"]
    p.add_argument("directory", help="the new course directory")
    p.add_argument("--from", dest="exercises", metavar="DIR", default=None,
                   help="the kit's exercises folder (default: $RMLKIT_EXERCISES, else "
                   "exercises/ in the current folder)")
    p.add_argument("--assignment", action="append", metavar="NAME",
                   help="copy only this assignment (repeat for more; default: all)")
    for name in ["release", "collect", "autograde", "feedback"]:
        parsers[name].add_argument("assignment", help="the assignment, e.g. first-audit")
    p = parsers["collect"]
    p.add_argument("source", help="a folder of submissions or a zip file exported by your LMS")
    p.add_argument("--regexp", default=None, help="regular expression for the file names, "
                   "with (?P<student_id>...) and (?P<file_id>...) groups (nbgrader's "
                   "FileNameCollectorPlugin.named_regexp); by default rmlkit reads the "
                   "names of Canvas, Moodle and Blackboard downloads")
    p.add_argument("--student", action="append", metavar="ID",
                   help="collect only this student's files (repeat for more)")
    for name in ["collect", "export"]:
        parsers[name].add_argument(
            "--roster", default=None, metavar="FILE", help="the class list, a CSV file with "
            "the columns id,name,email,lms_id (default: COURSE/roster.csv if it exists)")
    p = parsers["remove"]
    p.add_argument("assignment", help="the assignment, e.g. first-audit")
    p.add_argument("--student", required=True, metavar="ID", help="the student's course id")
    p = parsers["formgrader"]
    p.add_argument("--port", type=_positive("--port"), default=8765,
                   help="the port on 127.0.0.1 (default: 8765)")
    p.add_argument("--print-command", action="store_true",
                   help="print the command instead of starting the server")
    p = parsers["autograde"]
    p.add_argument("--workers", type=_positive("--workers"), default=min(2, os.cpu_count() or 1),
                   help="how many submissions run at once (default: 2; at most the number "
                   f"of cores, {os.cpu_count()} here)")
    p.add_argument("--student", action="append", metavar="ID",
                   help="grade only this student (repeat for more; default: everyone)")
    p.add_argument("--force", action="store_true", help="grade again submissions that "
                   "were graded already")
    p.add_argument("--cell-timeout", type=_positive("--cell-timeout"), default=120,
                   metavar="S", help="seconds a cell may run (default: 120)")
    p.add_argument("--total-timeout", type=_positive("--total-timeout"), default=900,
                   metavar="S", help="seconds a whole submission may run (default: 900)")
    p.add_argument("--cpu-seconds", type=_positive("--cpu-seconds"), default=900,
                   metavar="S", help="CPU seconds a submission may use (default: 900)")
    p.add_argument("--memory-mb", type=_positive("--memory-mb"), default=4096, metavar="MB",
                   help="address space of the kernel in MB (default: 4096)")
    p.add_argument("--processes", type=_positive("--processes"), default=256, metavar="N",
                   help="processes and threads of the kernel (default: 256; needs namespaces)")
    p.add_argument("--output-bytes", type=_positive("--output-bytes"), default=2_000_000,
                   metavar="N", help="output kept per notebook (default: 2000000)")
    p.add_argument("--allow-network", action="store_true",
                   help="let student code use the network (off by default)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    for name in ["export", "report"]:
        default = "grades.csv" if name == "export" else "report.html"
        parsers[name].add_argument("--to", default=None, metavar="FILE",
                                   help=f"where to write it (default: COURSE/{default})")
    p = parsers["export"]
    p.add_argument("--format", choices=["nbgrader", "canvas", "moodle"], default="nbgrader",
                   help="nbgrader's CSV (default), or the gradebook import file of Canvas "
                   "or Moodle")
    p.add_argument("--column", action="append", metavar="ASSIGNMENT=HEADER", default=[],
                   help="the LMS's column for an assignment, e.g. "
                   "first-audit='First audit (1234)' (Canvas wants its assignment id)")
    parsers["feedback"].add_argument(
        "--allow-ungraded", action="store_true",
        help="make feedback even though written answers wait for a grader (they show 0)")
    return parser


def _run(args) -> int:
    from rmlkit import course
    from rmlkit.sandbox import Limits

    if args.step == "init":
        kwargs = {"assignments": args.assignment}
        if args.exercises:
            kwargs["exercises"] = args.exercises
        root = course.init_course(args.directory, **kwargs)
        print(f"Course directory ready: {root}\nNext: rmlkit course release ASSIGNMENT "
              f"--course {root}")
    elif args.step == "release":
        archive = course.release(args.course, args.assignment)
        print(f"Student version: {archive.parent / args.assignment}\nZip for your LMS: "
              f"{archive}")
    elif args.step == "collect":
        return _collect(args)
    elif args.step == "remove":
        removed = course.remove_submission(args.course, args.assignment, args.student)
        print(f"Removed {args.student}'s submission of {args.assignment}:")
        for path in removed:
            print(f"    {path}")
        print(f"To collect it again: rmlkit course collect {args.assignment} SOURCE "
              f"--student {args.student}")
    elif args.step == "formgrader":
        return _formgrader(args)
    elif args.step == "autograde":
        limits = Limits(cell_timeout=args.cell_timeout, total_timeout=args.total_timeout,
                        cpu_seconds=args.cpu_seconds, memory_mb=args.memory_mb,
                        processes=args.processes, output_bytes=args.output_bytes,
                        network=args.allow_network)
        print("Protections:\n" + course.protections_summary(limits))
        results = course.autograde(args.course, args.assignment, workers=args.workers,
                                   limits=limits, students=args.student, force=args.force,
                                   progress=not args.quiet)
        for result in results:
            print(f"{result.student}: {result.score:g} / {result.max_score:g}")
            for reason in result.reasons:
                print(f"    - {reason}")
        skipped = course.skipped_submissions(args.course, args.assignment)
        for student, reason in sorted(skipped.items()):
            print(f"{student}: SKIPPED: {reason}")
        if not results and not skipped:
            print("Nothing to grade.")
    elif args.step == "feedback":
        pages = course.feedback(args.course, args.assignment,
                                allow_ungraded=args.allow_ungraded)
        print(f"{len(pages)} feedback pages in {Path(args.course).resolve() / 'feedback'}")
        withheld = getattr(pages, "withheld", {})
        for page, reason in withheld.items():
            print(f"WITHHELD {page}: {reason}", file=sys.stderr)
        if withheld:
            status = 100 + min(len(withheld), 99)
            print(f"{len(withheld)} feedback page(s) withheld; exit status {status} "
                  "(100 + the number withheld)", file=sys.stderr)
            return status
    elif args.step == "export":
        columns = dict(item.split("=", 1) for item in args.column if "=" in item)
        if len(columns) != len(args.column):
            raise ValueError("--column: write ASSIGNMENT=HEADER, for example "
                             "first-audit='First audit (1234)'.")
        to = course.export(args.course, args.to or Path(args.course) / "grades.csv",
                           format=args.format, roster=args.roster, column_names=columns)
        print(f"Grades written to {to}")
    elif args.step == "report":
        to = course.report(args.course, args.to or Path(args.course) / "report.html")
        for assignment in sorted(course._grade_table(course._root(args.course))["assignment"]
                                 .unique()):
            print(f"{assignment}:")
            print(course.format_student_table(course.student_table(args.course, assignment)))
        print(f"Report written to {to}")
    elif args.step == "protections":
        print(course.protections_summary())
    return 0


def _collect(args) -> int:
    from rmlkit import course
    from rmlkit.lms import summary_table

    kwargs = {"regexp": args.regexp} if args.regexp else {}
    students = course.collect(args.course, args.assignment, args.source, roster=args.roster,
                              students=args.student, **kwargs)
    decisions = course.last_collection
    print(summary_table(decisions))
    rejected = [d for d in decisions if d.status == "rejected"]
    print(f"Collected {len(students)} submissions: {', '.join(students) or '(none)'}")
    if rejected:
        print(f"rmlkit course collect: {len(rejected)} files were not collected (see the "
              "reasons above). Fix them and collect again (add --student ID to collect one "
              "student only).", file=sys.stderr)
        return 1
    return 0


def _formgrader(args) -> int:
    import shlex
    import subprocess

    from rmlkit import course
    from rmlkit.handgrading import formgrader_command

    root = course._root(args.course)
    command, env = formgrader_command(root, port=args.port)
    if args.print_command:
        print(f"cd {shlex.quote(str(root))} && JUPYTER_CONFIG_DIR="
              f"{shlex.quote(env['JUPYTER_CONFIG_DIR'])} {shlex.join(command)}")
        return 0
    print(f"The formgrader on {root}: http://127.0.0.1:{args.port}/formgrader "
          "(stop it with Ctrl-C)")
    return subprocess.call(command, cwd=root, env=env)


def main(argv=None) -> int:
    args = _parser().parse_args(argv)
    import logging
    import warnings

    from rmlkit.grading import use_environment_tools

    use_environment_tools()  # nbgrader runs alembic: found next to this Python

    # nbgrader's gradebook triggers these inside SQLAlchemy; they are not the user's to fix
    warnings.filterwarnings("ignore", message="Object of type <.*> not in session")
    logging.getLogger("ZipCollectApp").setLevel(logging.WARNING)
    from rmlkit.course import CourseError

    try:
        return _run(args)
    except (CourseError, ValueError) as error:
        print(f"rmlkit course {args.step}: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
