"""cnnlab.self_check: the student's view of which exercises pass their visible tests."""
from __future__ import annotations

import json

import pytest

from cnnlab import selfcheck
from contracts import EXERCISES


def _cell(source, **nbgrader):
    meta = {"nbgrader": {"schema_version": 3, "grade": False, "solution": False, "locked": False, **nbgrader}} \
        if nbgrader else {}
    return {"cell_type": "code", "metadata": meta, "source": source, "outputs": [], "execution_count": None}


@pytest.fixture()
def released(tmp_path, monkeypatch):
    """A released notebook with five small exercises, standing in for notebooks/ch16_train_vs_eval."""
    cells = []
    for name, test in [("double", "assert double(2) == 4, 'double(2) should be 4'"),
                       ("half", "assert half(4) == 2, 'half(4) should be 2'"),
                       ("noisy", "print('chatty'); import sys; print('x', file=sys.stderr)\nassert noisy() == 1"),
                       ("quits", "quits()"),
                       ("absent", "assert absent() == 0, 'absent'")]:
        cells.append(_cell(f"def {name}():\n    raise NotImplementedError()", solution=True, grade_id=f"ch16_{name}"))
        cells.append(_cell("leaked = 1\n" + test, grade=True, locked=True, points=1, grade_id=f"ch16_{name}_tests"))
    cells[-2]["metadata"]["tags"] = ["tensorflow"]
    path = tmp_path / "released.ipynb"
    path.write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 4}))
    monkeypatch.setattr(selfcheck, "released_notebook", lambda chapter: path)
    return path


def test_table_says_pass_fail_and_not_run(released, capsys):
    def quits():
        raise SystemExit(3)
    namespace = {"double": lambda x: 2 * x, "half": lambda x: x / 3, "noisy": lambda: 1, "quits": quits}
    selfcheck.self_check("ch16_train_vs_eval", namespace=namespace)
    out = capsys.readouterr().out
    rows = {line.split()[0]: line for line in out.splitlines() if line.split() and line.split()[0] in
            ("double", "half", "noisy", "quits", "absent")}
    assert "pass" in rows["double"] and "pass" in rows["noisy"]
    assert "FAIL" in rows["half"] and "half(4) should be 2" in rows["half"]
    assert "FAIL" in rows["quits"] and "SystemExit" in rows["quits"]
    assert "not run" in rows["absent"] and "absent() first" in rows["absent"]
    assert "2/5 exercises pass" in out and "chatty" not in out
    assert "leaked" not in namespace, "the tests run in a copy of the student's namespace"


def test_blank_exercises_are_reported_as_not_solved(released):
    def stub(*_):
        raise NotImplementedError()
    results = selfcheck.run_checks("ch16_train_vs_eval", {"double": stub})
    assert results[0].status == "FAIL" and "NotImplementedError" in results[0].message


def test_a_view_reports_only_its_framework(released):
    ids = [r.exercise for r in selfcheck.run_checks("ch16_train_vs_eval", {}, framework="pytorch")]
    assert "ch16_absent" not in ids and "ch16_double" in ids


def test_self_check_never_raises(capsys, monkeypatch):
    selfcheck.self_check("ch99_nonsense", namespace={})
    assert "unknown chapter" in capsys.readouterr().out
    monkeypatch.setattr(selfcheck, "exercises", lambda chapter: 1 / 0)
    selfcheck.self_check("ch16_train_vs_eval", namespace={})
    assert "could not run" in capsys.readouterr().out
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    selfcheck.self_check("ch16_train_vs_eval", namespace={})
    assert "skipped" in capsys.readouterr().out


@pytest.mark.parametrize("chapter", sorted(c for c in EXERCISES if selfcheck.released_notebook(c).exists()))
def test_real_chapters_expose_each_exercise_with_visible_tests_only(chapter):
    found = {e: tests for e, _, tests in selfcheck.exercises(chapter)}
    assert set(EXERCISES[chapter]) <= set(found)
    for exercise in EXERCISES[chapter]:
        assert found[exercise], f"{exercise}: no visible test"
        assert not any("BEGIN HIDDEN TESTS" in t for t in found[exercise])


@pytest.mark.parametrize("chapter", __import__("autograder.settings", fromlist=["chapters"]).chapters())
def test_every_chapter_ends_with_the_self_check(chapter):
    from autograder import notebooks as nbs
    from autograder.settings import solution_path
    code = [c for c in nbs.read(solution_path(chapter)).cells if c.cell_type == "code"]
    assert code[-1].source.strip() == f'cnnlab.self_check("{chapter}")', \
        f"{chapter}: the last code cell must be the self-check (nbb: `nb.self_check()` before '## Common mistakes')"
