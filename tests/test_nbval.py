"""nbval, as the course's design names it: the notebooks execute, here and under a stand-in for another machine.

- The one-framework views of every chapter (made from the solution notebooks, so every exercise is solved) run
  top to bottom under `pytest --nbval-lax` (ch00 and ch16's views also run in test_views.py, with the
  self-check's verdict).
- Every solution notebook runs under the sweep's CI environment (another seed, AVX2 only, qnnpack): the
  default environment is covered by grading the solution (test_chapters.py). `make sweep` runs the full matrix.
"""
from __future__ import annotations

import pytest

from autograder.sweep import CI_ENVIRONMENT, run_nbval, solution_views
from autograder.settings import solution_path
from conftest import chapter_params

pytestmark = pytest.mark.slow
VIEW_CHAPTERS = [p for p in chapter_params() if p.values[0] != "ch16_train_vs_eval"]


@pytest.mark.parametrize("chapter", VIEW_CHAPTERS)
def test_solved_views_execute(chapter, tmp_path):
    views = solution_views(tmp_path, [chapter])
    failures = run_nbval(views, {}, tmp_path / "junit.xml")
    assert not any(failures.values()), failures


@pytest.mark.parametrize("chapter", chapter_params(graded_only=False))
def test_solution_runs_under_another_machine(chapter, tmp_path):
    name, what, env = CI_ENVIRONMENT
    notebook = tmp_path / f"{chapter}.ipynb"
    notebook.write_bytes(solution_path(chapter).read_bytes())
    failures = run_nbval([notebook], env, tmp_path / "junit.xml")[notebook.name]
    assert not failures, f"{chapter} under {name} ({what}): {failures}"
