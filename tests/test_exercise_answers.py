"""The exercises' answers: one source for each solution, and kept apart from the questions.

Each question of ``rmlkit.exercises.<assignment>`` names its answer in
``rmlkit.exercises._answers.<assignment>``; the solution there is the same text as the
``### BEGIN SOLUTION`` region of the notebook's answer cell for that question (the cell
before the check cell that calls ``qN.check``). Edit one, and this test says which other
to change. The question modules themselves hold no solution or model answer.
"""

from __future__ import annotations

import importlib
import inspect

import pytest
from exercise_bank import assignments, checked_question, nbgrader, read_source

from rmlkit import check
from rmlkit.check import Answer, Question, WrittenQuestion

ASSIGNMENTS = assignments()


def public_text(assignment: str) -> str:
    """What students see anyway: the hints and the notebook outside its secret regions."""
    hints = [h for q in questions(assignment).values() for h in getattr(q, "hints", ())]
    nb = read_source(assignment, f"{assignment}.ipynb")
    shown, inside = [], False
    for cell in nb.cells:
        for line in cell.source.splitlines():
            if line.strip() in ("### BEGIN SOLUTION", "### BEGIN HIDDEN TESTS"):
                inside = True
            elif line.strip() in ("### END SOLUTION", "### END HIDDEN TESTS"):
                inside = False
            elif not inside:
                shown.append(line)
    return "\n".join(hints + shown)


def module_name(assignment: str) -> str:
    return assignment.replace("-", "_")


def solution_regions(assignment: str) -> dict[str, str]:
    """{question: the solution region of its answer cell} of the assignment's notebook."""
    nb = read_source(assignment, f"{assignment}.ipynb")
    regions, last = {}, None
    for cell in nb.cells:
        meta = nbgrader(cell)
        if cell.cell_type == "code" and meta.get("solution"):
            lines = cell.source.splitlines()
            last = "\n".join(lines[lines.index("### BEGIN SOLUTION") + 1:
                                   lines.index("### END SOLUTION")])
        elif cell.cell_type == "code" and meta.get("grade") and checked_question(cell):
            if last is not None:
                regions[checked_question(cell)] = last
                last = None
    return regions


def questions(assignment: str) -> dict[str, Question | WrittenQuestion]:
    module = importlib.import_module(f"rmlkit.exercises.{module_name(assignment)}")
    return {name: getattr(module, name) for name in module.__all__
            if isinstance(getattr(module, name), (Question, WrittenQuestion))}


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_each_solution_is_the_notebooks_solution_region(assignment):
    regions = solution_regions(assignment)
    code = {n: q for n, q in questions(assignment).items() if isinstance(q, Question)}
    assert set(regions) == set(code), (assignment, sorted(regions), sorted(code))
    for name, question in code.items():
        stored = check._load(question._answer, Answer)
        assert stored.solution == regions[name], (
            f"{assignment} {name}: the solution in rmlkit.exercises._answers."
            f"{module_name(assignment)} differs from the notebook's solution region; make "
            f"them the same.\n--- answers:\n{stored.solution}\n--- notebook:\n{regions[name]}")


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_every_question_names_its_answer_apart_from_itself(assignment):
    where = f"rmlkit.exercises._answers.{module_name(assignment)}:"
    for name, question in questions(assignment).items():
        assert question._answer == where + name, (assignment, name, question._answer)
        stored = check._load(question._answer, None)
        if isinstance(question, Question):
            assert isinstance(stored, Answer) and stored.mistakes, (assignment, name)
            assert question._solution is None
        else:
            assert isinstance(stored, str) and len(stored.split()) >= question.min_words
            assert question._model_answer is None


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_the_question_modules_hold_no_solution_or_model_answer(assignment):
    module = importlib.import_module(f"rmlkit.exercises.{module_name(assignment)}")
    source = inspect.getsource(module)
    public = public_text(assignment)
    for name, question in questions(assignment).items():
        stored = check._load(question._answer, None)
        text = stored.solution if isinstance(stored, Answer) else stored
        lines = [line.strip() for line in text.splitlines() if len(line.strip()) >= 20
                 and not line.startswith("def ")]  # the task names the function to write
        for line in lines:
            if line not in public:  # a hint may quote part of a solution on purpose
                assert line not in source, f"{assignment} {name}: {line!r} is in the module"
