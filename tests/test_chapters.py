"""Every chapter: release in sync, conventions, executes, grades right, and its tests have power."""
from __future__ import annotations

import re

import pytest

from autograder import bank, notebooks as nbs
from autograder.instrument import NOT_RUN_NOTE
from autograder.release import render
from autograder.settings import release_path, solution_path
from chapter_class import composites, executed, graded
from conftest import chapter_params
from contracts import EXERCISES

CHAPTERS = chapter_params()
pytestmark = pytest.mark.slow


def _errors(nb) -> dict:
    return {i: nbs.error_message(c) for i, c in enumerate(nb.cells) if nbs.error_message(c)}


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_student_notebook_equals_a_fresh_release(chapter):
    assert release_path(chapter).read_text(encoding="utf-8") == render(chapter), \
        f"notebooks/{chapter} is stale: run `python -m autograder release {chapter}`"


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_solution_is_stored_canonically(chapter):
    text = solution_path(chapter).read_text(encoding="utf-8")
    nb = nbs.reads(text.encode(), chapter)
    nbs.normalise(nb, solution_path(chapter))
    assert nbs.dumps(nb) == text, f"solutions/{chapter} is not normalised (outputs or badge): run the release"


def _checks(source: str) -> list:
    """The check(...) calls of a test cell's source."""
    import ast
    return [n for n in ast.walk(ast.parse(source))
            if isinstance(n, ast.Call) and getattr(n.func, "id", None) == "check"]


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_exercise_ids_and_test_cells_follow_the_contract(chapter):
    import ast
    nb = nbs.read(solution_path(chapter))
    ids = {nbs.grade_id(c) for c in nb.cells if nbs.grade_id(c)}
    missing = [e for e in EXERCISES[chapter] if e not in ids]
    assert not missing, f"exercise cells missing: {missing}"
    tests = bank.exercises(nb)
    for exercise in EXERCISES[chapter]:
        cells = tests[exercise][1]
        assert cells, f"{exercise} has no test cell"
        for cell in cells:
            gid = nbs.grade_id(cell)
            assert "### BEGIN HIDDEN TESTS" in cell.source, f"{gid} has no hidden tests"
            visible = nbs.without_hidden_tests(cell.source)
            assert any(any(k.arg == "expect" for k in c.keywords) for c in _checks(visible)), \
                f"{gid}: the visible part needs a check(..., expect=<known answer>) a student can run"
            hidden = cell.source[cell.source.index("### BEGIN HIDDEN TESTS"):]
            assert _checks(hidden), f"{gid}: the hidden part makes no check(...)"
            for call in _checks(cell.source):
                assert len(call.args) >= 2 and isinstance(call.args[1], (ast.Constant, ast.JoinedStr)), \
                    f"{gid} line {call.lineno}: every check needs a message naming the misconception"
            asserts = [n.lineno for n in ast.walk(ast.parse(cell.source)) if isinstance(n, ast.Assert)]
            assert not asserts, (f"{gid} lines {asserts}: test cells decide nothing in the student's kernel: "
                                 "use check(...) instead of assert")
            assert nbs.points(cell) > 0


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_the_judge_runs_every_test_with_the_reference_at_any_seed(chapter):
    from autograder import judge
    source = nbs.read(solution_path(chapter))
    for seed in (0, 123457):
        refs = judge.references(source, seed)
        assert set(refs) == {nbs.grade_id(c) for c in nbs.test_cells(source)}


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_notebook_layout(chapter):
    nb = nbs.read(solution_path(chapter))
    first = nb.cells[0].source
    assert first.startswith("# "), "first cell starts with the title"
    assert f"blob/main/solutions/{chapter}/{chapter}.ipynb" in first, "badge must point at this notebook"
    objectives = re.search(r"## What you will learn\n+((?:- .*\n?)+)", first)
    assert objectives and 3 <= len(re.findall(r"^- ", objectives.group(1), re.M)) <= 6
    assert nbs.grade_id(nb.cells[1]) == chapter.split("_")[0] + "_setup", "second cell is the locked set-up cell"
    prose = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert re.search(r"^## Common mistakes", prose, re.M), "the chapter ends with '## Common mistakes'"
    assert re.search(r"^## Further reading", prose, re.M), "the chapter ends with '## Further reading'"
    tags = [next((t for t in c.metadata.get("tags", []) if t in ("pytorch", "tensorflow")), None) for c in nb.cells]
    for i, tag in enumerate(tags):
        # exercises may exist in one framework only (the contracts say which); demos must come in pairs
        cell = nb.cells[i]
        if tag == "pytorch" and cell.cell_type == "code" and not (nbs.is_solution_cell(cell) or nbs.is_test_cell(cell)):
            assert "tensorflow" in tags[i + 1:i + 4], f"cell {i} (pytorch) has no tensorflow twin right after it"


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_exercise_bank_has_power(chapter):
    verdicts = bank.check(chapter, log=lambda *_: None, seed=1)     # hidden fixtures differ from seed 0
    bad = [v.describe() for v in verdicts if not v.ok]
    assert not bad, "\n".join(bad)
    for exercise in EXERCISES[chapter]:
        kinds = [v.expected for v in verdicts if v.exercise == exercise and v.answer.endswith(".py")]
        assert kinds.count("correct") >= 2, f"{exercise}: bank needs at least two alternative correct answers"
        assert kinds.count("wrong") >= 3, f"{exercise}: bank needs at least three plausible wrong answers"


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_solution_runs_clean_and_gets_full_marks(chapter):
    rows, _ = graded(chapter)
    row = rows["solution"]
    assert row.status == "graded", row.detail
    assert not _errors(executed(chapter, "solution")), _errors(executed(chapter, "solution"))
    assert sum(row.scores.values()) > 0 and all(v > 0 for v in row.scores.values()), row.messages
    assert not row.flags, f"grading the course's own solution raised flags: {row.flags}"


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_blank_student_version_scores_zero_and_only_exercises_fail(chapter):
    rows, _ = graded(chapter)
    assert rows["blank"].status == "graded"
    assert sum(rows["blank"].scores.values()) == 0, rows["blank"].scores
    nb = executed(chapter, "blank")
    failing = {nbs.grade_id(nb.cells[i]) for i in _errors(nb)}
    exercise_cells = {nbs.grade_id(c) for c in nb.cells if nbs.is_solution_cell(c) or nbs.is_test_cell(c)}
    assert failing <= exercise_cells, f"cells other than exercises fail in the student version: {failing - exercise_cells}"
    assert {e + "_tests" for e in EXERCISES[chapter]} & failing, "visible tests must fail on the blank version"


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_alternative_correct_answers_keep_full_marks_through_the_grader(chapter):
    rows, _ = graded(chapter)
    for student, (kind, _) in composites(chapter).items():
        if kind == "correct":
            lost = {k: v for k, v in rows[student].scores.items() if v == 0}
            assert rows[student].status == "graded" and not lost, \
                f"{student}: correct bank answers lost points in the real grader: {lost}"


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_wrong_answers_lose_points_in_every_exercise_through_the_grader(chapter):
    rows, _ = graded(chapter)
    for student, (kind, _) in composites(chapter).items():
        if kind != "wrong":
            continue
        for exercise in EXERCISES[chapter]:
            earned = {k: v for k, v in rows[student].scores.items() if k.startswith(exercise + "_")}
            assert earned and min(earned.values()) == 0, f"{student}, {exercise}: a wrong answer kept every point {earned}"


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_pruned_and_full_plans_give_the_same_points(chapter):
    """The default plan executes only the cells grades depend on (autograder/prune.py); grading the same bank
    composites with every cell executed must give every test the same points. (Not always the same message: a
    message may quote a Keras layer's automatic name, numbered by the models built before, or a measured time.)"""
    default, _ = graded(chapter)
    full, _ = graded(chapter, "full")
    for student, (kind, _) in composites(chapter).items():
        assert full[student].status == default[student].status == "graded"
        assert default[student].scores == full[student].scores, f"{student}: the plans disagree"
        if kind == "correct":      # else the comparison would be the full plan against itself
            assert "regraded_in_full" not in default[student].flags and "ran_in_full" not in default[student].flags
    shown = executed(chapter, "solution")
    assert any(NOT_RUN_NOTE in "".join(o.get("text", "") for o in c.get("outputs", [])) for c in shown.cells), \
        "the pruned plan left no cell out: the comparison proves nothing"


UNGRADED = [pytest.param(c, id=c, marks=pytest.mark.xdist_group(c))
            for c in __import__("autograder.settings", fromlist=["chapters"]).chapters() if c not in EXERCISES]


@pytest.mark.parametrize("chapter", UNGRADED)
def test_ungraded_notebook_is_released_and_runs(chapter):
    import nbclient
    assert release_path(chapter).read_text(encoding="utf-8") == render(chapter), f"run `python -m autograder release {chapter}`"
    nb = nbs.read(solution_path(chapter))
    nbclient.NotebookClient(nb, timeout=600, kernel_name="python3", allow_errors=True).execute()
    assert not _errors(nb), _errors(nb)
