import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

if os.environ.get("PYTEST_XDIST_WORKER"):
    # Two test workers share two cores: one thread per kernel avoids oversubscription.
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS"):
        os.environ.setdefault(var, "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")


def chapters_with_solutions() -> list[str]:
    from autograder.settings import chapters
    return [c for c in chapters()]


def chapter_params(graded_only: bool = True):
    """One pytest param per chapter, grouped so xdist runs a chapter's tests on one worker."""
    from contracts import EXERCISES
    chs = [c for c in chapters_with_solutions() if not graded_only or c in EXERCISES]
    return [pytest.param(c, id=c, marks=pytest.mark.xdist_group(c)) for c in chs]


def reference_solutions(chapter: str, grade_ids: list[str], namespace: dict) -> dict:
    """Define the chapter's reference solutions (its solution cells) in `namespace` and return it.

    Lets fast tests check the claims a chapter relies on without executing the notebook."""
    from autograder import notebooks as nbs
    from autograder.settings import solution_path
    path = solution_path(chapter)
    if not path.exists():
        pytest.skip(f"{chapter} has no solution notebook")
    cells = {nbs.grade_id(c): c.source for c in nbs.read(path).cells if nbs.is_solution_cell(c) and c.cell_type == "code"}
    for grade_id in grade_ids:
        exec(compile(cells[grade_id], f"<{grade_id}>", "exec"), namespace)
    return namespace
