"""The pruned grading plan (autograder/prune.py): what it keeps, what it leaves out, and its safety net.

The static checks read the real chapters; the graded ones run the toy course's solution with demo cells added in
front of its exercises, through `run_job` (a real sandboxed kernel each), under both plans.
"""
from __future__ import annotations

import copy
from pathlib import Path

import pytest
from nbformat.v4 import new_code_cell, new_output

from autograder import notebooks as nbs, prune, restore
from autograder.instrument import NOT_RUN_NOTE
from autograder.settings import chapters, release_path, solution_path

ROOT = Path(__file__).resolve().parent.parent
TOY_SOLUTION = ROOT / "tests" / "fixtures" / "toycourse" / "solutions" / "toy" / "toy.ipynb"
GRADED = [c for c in chapters() if c != "ch00_start_here"]


def _plan(submission, source):
    nb, _ = restore.restore_cells(submission, source)
    return nb, prune.plan(nb, source)


@pytest.mark.parametrize("chapter", GRADED)
def test_every_graded_cell_runs_and_demos_are_left_out(chapter):
    source = nbs.read(solution_path(chapter))
    nb, pruned = _plan(nbs.read(release_path(chapter)), source)
    assert not pruned.unfollowable, pruned.unfollowable
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and nbs.grade_id(cell):
            assert i in pruned.run, f"cell {i} ({nbs.grade_id(cell)}) must run"
    assert pruned.left_out, "the chapter's demos should not be needed by any grade"
    assert pruned.run | pruned.left_out == {i for i, c in enumerate(nb.cells) if c.cell_type == "code"}


def _with_cells(nb, after_gid: str, *sources: str):
    """A copy of `nb` with plain (demo or student) code cells inserted after the cell `after_gid`."""
    nb = copy.deepcopy(nb)
    at = next(i for i, c in enumerate(nb.cells) if nbs.grade_id(c) == after_gid) + 1
    for k, src in enumerate(sources):
        nb.cells.insert(at + k, new_code_cell(src))
    return nb


def _answer(nb, gid: str, source: str):
    nb = copy.deepcopy(nb)
    next(c for c in nb.cells if nbs.grade_id(c) == gid).source = source
    return nb


DEMOS = ("OFFSET = 0\nprint('an expensive demo')",                        # read by the answer below: kept
         "UNUSED = sum(range(10))\nprint('another demo')",                  # read by nobody: left out
         "with open('offset.txt', 'w') as f:\n    f.write('0')")            # a file: invisible to the analysis


def _course():
    source = _with_cells(nbs.read(TOY_SOLUTION), "toy_setup", *DEMOS)
    return source, [i for i, c in enumerate(source.cells) if c.cell_type == "code" and c.source in DEMOS]


def test_cells_that_answers_read_are_kept_and_unread_ones_left_out():
    source, (offset, unused, file_cell) = _course()
    nb, pruned = _plan(_answer(source, "toy_add", "def add(a, b):\n    return a + b + OFFSET\n"), source)
    assert offset in pruned.run, "the answer's function reads OFFSET when a test calls it"
    assert {unused, file_cell} <= pruned.left_out


def test_student_added_and_changed_cells_always_run_with_what_they_read():
    source, (offset, unused, _) = _course()
    submission = _with_cells(source, "toy_scale_tests", "print(UNUSED)")
    submission.cells[offset].source = "OFFSET = 1  # the student changed a demo"
    nb, pruned = _plan(submission, source)
    added = next(i for i, c in enumerate(nb.cells) if c.source == "print(UNUSED)")
    assert {added, offset, unused} <= pruned.run


@pytest.mark.parametrize("code, why", [
    ("exec('add = lambda a, b: a + b')", "exec()"),
    ("x = eval('1 + 1')", "eval()"),
    ("globals()['add'] = lambda a, b: a + b", "globals()"),
    ("from math import *", "import *"),
    ("%run helper.py", "%run"),
])
def test_code_the_analysis_cannot_follow_runs_everything(code, why):
    source, _ = _course()
    _, pruned = _plan(_answer(source, "toy_add", "def add(a, b):\n    return a + b\n" + code), source)
    assert why in pruned.unfollowable and not pruned.left_out


def test_the_toy_course_has_no_cell_the_plan_could_leave_out():
    """Why the hostile batch (toy course, `make test`, default plan) grades the same under --plan full: every code
    cell of the toy chapter has a grade id, and cells a student adds always run."""
    assert all(nbs.grade_id(c) for c in nbs.read(TOY_SOLUTION).cells if c.cell_type == "code")


def test_method_calls_named_eval_are_not_mistaken_for_eval():
    assert prune.unfollowable("model.eval()\nvars(model)") == ""


def test_only_failures_a_left_out_cell_could_cause_send_the_submission_to_a_full_run():
    source, (offset, unused, file_cell) = _course()
    nb, pruned = _plan(_answer(source, "toy_add", "def add(a, b):\n    return a + b\n"), source)
    names, attributes = prune.provided(nb, pruned)
    assert {"OFFSET", "UNUSED"} <= names
    errors = {"t1": "NameError: name 'UNUSED' is not defined",        # a left-out cell binds it
              "t2": "NameError: name 'totl' is not defined",          # a typo in an answer: nobody binds it
              "t3": "AttributeError: 'list' object has no attribute 'shape'",
              "t4": "FileNotFoundError: [Errno 2] No such file or directory: 'offset.txt'",
              "t5": "UnboundLocalError: cannot access local variable 'x' where it is not associated with a value",
              "t6": "ValueError: shapes differ"}
    assert prune.suspect(errors, names, attributes) == ["t1", "t4"]
    assert prune.suspect({"t": "AttributeError: 'Net' object has no attribute 'head'"}, set(), {"head"}) == ["t"]


def _graded(submission, source, plan: str) -> dict:
    from autograder.job import new_job, run_job
    return run_job(new_job("toy", nbs.dumps(submission).encode(), nbs.dumps(source).encode(), 11, "ada", plan=plan))


@pytest.mark.slow
def test_pruned_plan_grades_like_the_full_plan_and_marks_what_it_did_not_run():
    source, (offset, unused, _) = _course()
    submission = _answer(source, "toy_add", "def add(a, b):\n    return a + b + OFFSET\n")
    submission.cells[unused].outputs = [
        new_output("stream", name="stdout", text="the student's own run\n"),
        new_output("display_data", data={"text/html": "<script>alert(1)</script>",
                                         "application/javascript": "alert(2)", "text/plain": "a table"})]
    pruned, full = _graded(submission, source, "pruned"), _graded(submission, source, "full")
    assert pruned["scores"] == full["scores"] and sum(pruned["scores"].values()) == 7.0
    assert not {"regraded_in_full", "ran_in_full"} & set(pruned["flags"])
    shown = nbs.reads(pruned["executed"].encode(), "toy.ipynb").cells[unused]
    texts = [o.get("text", "") for o in shown.outputs]
    assert texts[:2] == [NOT_RUN_NOTE, "the student's own run\n"], texts
    assert shown.outputs[2]["data"] == {"text/plain": "a table"}, "saved outputs are sanitised like any other"
    ran = nbs.reads(full["executed"].encode(), "toy.ipynb").cells[unused]
    assert [o.get("text") for o in ran.outputs] == ["another demo\n"], "the full plan shows the grading run's output"


@pytest.mark.slow
def test_a_dependency_the_analysis_missed_sends_the_submission_to_a_full_run():
    source, _ = _course()
    submission = _answer(source, "toy_add", "def add(a, b):\n    return a + b + int(open('offset.txt').read())\n")
    pruned, full = _graded(submission, source, "pruned"), _graded(submission, source, "full")
    assert "regraded_in_full" in pruned["flags"]
    assert pruned["scores"] == full["scores"] and pruned["scores"]["toy_add_tests"] == 2.0
