#!/bin/sh
# Make a copy of the kit the students' edition: remove everything a graded student must
# not be able to read. Run by deploy/Dockerfile for the students' image (the default,
# EDITION=student), and by tests/test_graded_student_kernel.py on a temporary copy, so
# that the test checks what the image holds.
#
#   deploy/student_edition.sh /opt/rml-course
#
# It removes the exercises' answers (expected values, known mistakes, solutions and
# model answers: src/rmlkit/exercises/_answers) and the nbgrader source notebooks
# (exercises/source: solutions, hidden tests and rubrics). The questions and their
# visible checks stay: in graded mode (RMLKIT_GRADED=1) rmlkit.check needs nothing else.
# Instructors, the formgrader and self-learners use the full kit (EDITION=instructor).
set -eu
kit="${1:?usage: student_edition.sh KIT_DIRECTORY}"
test -d "$kit/src/rmlkit" || { echo "student_edition.sh: $kit/src/rmlkit is not a folder" >&2; exit 2; }
rm -rf "$kit/src/rmlkit/exercises/_answers" "$kit/exercises/source"
find "$kit/src" -name __pycache__ -type d -prune -exec rm -rf {} +
