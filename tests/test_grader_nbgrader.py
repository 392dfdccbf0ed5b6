"""Stock nbgrader still works on this course's notebooks (the toy course stands in for a chapter).

generate_assignment turns solutions/ into the student version, autograde grades submissions in
nbgrader's layout and fills the gradebook that formgrader and `nbgrader export` read (through the
same nbgrader API that test_grader_batch.py uses to read the gradebook our grader writes).
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TOY = ROOT / "tests" / "fixtures" / "toycourse"

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("grader_nbgrader")]


def _nbgrader(course: Path, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""))
    cmd = [sys.executable, "-m", "nbgrader", *args, f"--CourseDirectory.root={course}",
           "--CourseDirectory.source_directory=solutions", "--CourseDirectory.release_directory=notebooks"]
    return subprocess.run(cmd, cwd=course, env=env, capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def stock(tmp_path_factory) -> Path:
    course = tmp_path_factory.mktemp("stock")
    shutil.copytree(TOY / "solutions", course / "solutions")
    done = _nbgrader(course, "generate_assignment", "toy", "--force")
    assert done.returncode == 0, done.stdout + done.stderr
    for student, source in (("alice", course / "solutions" / "toy" / "toy.ipynb"),
                            ("bob", course / "notebooks" / "toy" / "toy.ipynb")):
        (course / "submitted" / student / "toy").mkdir(parents=True)
        shutil.copy(source, course / "submitted" / student / "toy" / "toy.ipynb")
    done = _nbgrader(course, "autograde", "toy")
    assert done.returncode == 0, done.stdout + done.stderr
    return course


def test_generate_assignment_matches_our_release(stock):
    from autograder import notebooks as nbs
    ours = nbs.read(TOY / "notebooks" / "toy" / "toy.ipynb")
    theirs = nbs.read(stock / "notebooks" / "toy" / "toy.ipynb")
    # same cells; only the Colab badge differs (our release points it at the student notebook)
    assert [c.source for c in theirs.cells[1:]] == [c.source for c in ours.cells[1:]]
    assert [nbs.grade_id(c) for c in theirs.cells] == [nbs.grade_id(c) for c in ours.cells]


def test_stock_autograde_fills_the_gradebook(stock):
    from nbgrader.api import Gradebook
    with Gradebook(f"sqlite:///{stock / 'gradebook.db'}") as gb:
        alice = gb.find_submission("toy", "alice")
        bob = gb.find_submission("toy", "bob")
        assert bob.code_score == 0
        assert alice.max_code_score == 7
        # nbgrader 0.9 counts output on stderr as failure: the toy's mean test warns on stderr, so stock
        # nbgrader withholds its 3 points from a correct answer. Our grader does not (see the batch test).
        assert alice.code_score >= 4
        assert gb.find_grade("toy_add_tests", "toy", "toy", "alice").auto_score == 2
