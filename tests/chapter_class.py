"""A small "class" per chapter, graded once per test session through the real grader:
the full solution, the blank student version, and composites built from the exercise bank."""
from __future__ import annotations

import os
import shutil
import tempfile
from functools import lru_cache
from pathlib import Path

from autograder import bank, notebooks as nbs
from autograder.settings import release_path, solution_path

_TMP = Path(tempfile.mkdtemp(prefix="chapter-class-"))


def composite(chapter: str, kind: str, index: int = 0):
    """The student notebook with every exercise cell replaced by the bank's `index`-th answer of `kind`."""
    nb = nbs.read(release_path(chapter))
    for cell in nb.cells:
        gid = nbs.grade_id(cell)
        if nbs.is_solution_cell(cell) and cell.cell_type == "code":
            options = [src for _, k, src in bank.answers(chapter, gid) if k == kind]
            if options:
                cell.source = options[index % len(options)]
    return nb


@lru_cache(maxsize=None)
def graded(chapter: str):
    """Grade the class once; returns (rows by student, output folder)."""
    from autograder.grade import grade
    subs = _TMP / chapter / "submissions"
    out = _TMP / chapter / "out"
    for student in ("solution", "blank", "alt_correct", "wrong"):
        (subs / student).mkdir(parents=True, exist_ok=True)
    shutil.copyfile(solution_path(chapter), subs / "solution" / f"{chapter}.ipynb")
    shutil.copyfile(release_path(chapter), subs / "blank" / f"{chapter}.ipynb")
    nbs.write(composite(chapter, "correct", 1), subs / "alt_correct" / f"{chapter}.ipynb")
    nbs.write(composite(chapter, "wrong", 0), subs / "wrong" / f"{chapter}.ipynb")
    workers = 1 if os.environ.get("PYTEST_XDIST_WORKER") else 2
    rows = grade(chapter, subs, out, workers=workers, log=lambda *_: None)
    return {r.student_id: r for r in rows}, out


def executed(chapter: str, student: str):
    _, out = graded(chapter)
    return nbs.read(out / "executed" / student / f"{chapter}.ipynb")
