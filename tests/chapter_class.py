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
# Every chapter sends one correct and one wrong bank answer per exercise through the real grader, under both plans
# (every answer is also judged by the real judge in test_exercise_bank_has_power). `make test-full-bank` (opt-in, it
# adds minutes) sends every answer of the bank of the chapters named in FULL_BANK_CHAPTERS through the grader.
FULL_BANK_CHAPTERS = set(os.environ.get("FULL_BANK_CHAPTERS", "").split())


def composites(chapter: str) -> dict:
    """student id -> (kind, index) of the bank answers the composite submission uses. With the chapter in
    FULL_BANK_CHAPTERS, enough composites that every answer of the bank is in one."""
    if chapter in FULL_BANK_CHAPTERS:
        return {f"{kind}_{i}": (kind, i) for kind in ("correct", "wrong") for i in range(_most(chapter, kind))}
    return {"correct_1": ("correct", 1), "wrong_0": ("wrong", 0)}


def _most(chapter: str, kind: str) -> int:
    """The largest number of `kind` answers the bank holds for one exercise of the chapter."""
    nb = nbs.read(release_path(chapter))
    return max(sum(1 for _, k, _ in bank.answers(chapter, nbs.grade_id(c)) if k == kind)
               for c in nb.cells if nbs.is_solution_cell(c) and c.cell_type == "code")


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
def graded(chapter: str, plan: str | None = None):
    """Grade the class once per plan; returns (rows by student, output folder). The default plan grades the whole
    class; `plan="full"` (every cell executed) only the composites, for the both-plans comparison."""
    from autograder.grade import Options, grade
    base = _TMP / chapter / (plan or "default")
    subs, out = base / "submissions", base / "out"
    students = (("solution", "blank") if plan is None else ()) + tuple(composites(chapter))
    for student in students:
        (subs / student).mkdir(parents=True, exist_ok=True)
    if plan is None:
        shutil.copyfile(solution_path(chapter), subs / "solution" / f"{chapter}.ipynb")
        shutil.copyfile(release_path(chapter), subs / "blank" / f"{chapter}.ipynb")
    for student, (kind, index) in composites(chapter).items():
        nbs.write(composite(chapter, kind, index), subs / student / f"{chapter}.ipynb")
    workers = 1 if os.environ.get("PYTEST_XDIST_WORKER") else 2
    options = Options(seed=7) if plan is None else Options(seed=7, plan=plan)
    rows = grade(chapter, subs, out, workers=workers, log=lambda *_: None, options=options)
    return {r.student_id: r for r in rows}, out


def executed(chapter: str, student: str):
    _, out = graded(chapter)
    return nbs.read(out / "executed" / student / f"{chapter}.ipynb")
