"""No student notebook hands out an answer: every function a demo or a visible test defines, used as the answer to
every exercise whose signature it fits, is judged by the grader's own judge and must not earn full marks."""
from __future__ import annotations

import os
import subprocess
import sys

import nbformat
import pytest

from autograder import leaks
from conftest import ROOT, chapter_params

pytestmark = pytest.mark.slow
TOY = ROOT / "tests" / "fixtures" / "toycourse"


@pytest.mark.parametrize("chapter", chapter_params())
def test_no_demo_or_visible_test_solves_an_exercise(chapter):
    found = leaks.check(chapter, log=lambda *_: None, seed=1)
    full = [f"{f.exercise} <- {f.candidate}" for f in found if f.earned_full_marks]
    assert not full, f"these functions of the student notebook earn full marks as answers: {full}"


def test_the_leak_check_catches_a_demo_that_carries_an_answer(tmp_path):
    """The check has power: a demo with a private copy of an answer (as ch21 once had) is found."""
    nb = nbformat.read(str(TOY / "notebooks" / "toy" / "toy.ipynb"), as_version=4)
    nb.cells.insert(2, nbformat.v4.new_code_cell(
        "def _reference_mean(values):\n    return sum(values) / len(values)\n\n"
        "def _plot_helper(title):\n    return title.upper()"))
    leaky = tmp_path / "toy.ipynb"
    nbformat.write(nb, str(leaky))
    env = dict(os.environ, AUTOGRADER_COURSE_ROOT=str(TOY))
    done = subprocess.run([sys.executable, "-m", "autograder", "leaks", "toy", "--student-notebook", str(leaky)],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 1, done.stdout + done.stderr[-2000:]
    assert "[LEAK] toy_mean <- cell 2: _reference_mean" in done.stdout, done.stdout
    assert "_plot_helper" not in [line for line in done.stdout.splitlines() if "[LEAK]" in line]
