"""`python -m autograder demo [--chapter CH] [--out DIR]`: grade an example class end to end.

The class, built in OUT/submissions from the chapter itself:
  correct_reference        the full solution
  correct_bank             every exercise answered with the bank's alternative correct answer
  partial                  the first exercise solved, the rest left blank
  blank                    the student version as released
  misconceptions_N         every exercise answered with the bank's N-th wrong answer
  broken_json, broken_missing, renamed_notebook, utf16_encoding, zipped_submission
  hostile_*                the student version plus code from autograder/demo_class/hostile_*.py
Then OUT/grades (grades.csv, feedback, gradebook, review.csv) and OUT/grades/report.

Without --chapter: ch16_train_vs_eval when it and its bank exist, else the toy fixture course
(fast: it imports no framework).
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

from autograder import bank, notebooks as nbs
from autograder.settings import COURSE, TOY_COURSE, release_path, solution_path

HOSTILE = Path(__file__).parent / "demo_class"
PREFERRED = "ch16_train_vs_eval"


def _answers(chapter: str, kind: str, index: int, only_first: bool = False):
    """The student version with exercise cells replaced by bank answers of `kind` (or the reference)."""
    nb = nbs.read(release_path(chapter))
    source = {nbs.grade_id(c): c.source for c in nbs.read(solution_path(chapter)).cells if nbs.grade_id(c)}
    done = False
    for cell in nb.cells:
        gid = nbs.grade_id(cell)
        if not (nbs.is_solution_cell(cell) and cell.cell_type == "code") or (only_first and done):
            continue
        if kind == "reference":
            cell.source = source[gid]
        else:
            options = [src for _, k, src in bank.answers(chapter, gid) if k == kind]
            cell.source = options[index % len(options)] if options else source[gid]
        done = True
    return nb


def _hostile(chapter: str, code: str):
    nb = nbs.read(release_path(chapter))
    first = next(c for c in nb.cells if nbs.is_solution_cell(c) and c.cell_type == "code")
    first.source = first.source + "\n\n" + code
    return nb


def build_class(chapter: str, folder: Path) -> list[str]:
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    name = f"{chapter}.ipynb"
    students = {
        "correct_reference": nbs.read(solution_path(chapter)),
        "correct_bank": _answers(chapter, "correct", 0),
        "partial": _answers(chapter, "reference", 0, only_first=True),
        "blank": nbs.read(release_path(chapter)),
        "misconceptions_1": _answers(chapter, "wrong", 0),
        "misconceptions_2": _answers(chapter, "wrong", 1),
    }
    for path in sorted(HOSTILE.glob("hostile_*.py")):
        students[path.stem] = _hostile(chapter, path.read_text(encoding="utf-8"))
    for student, nb in students.items():
        nbs.write(nb, folder / student / name)
    text = solution_path(chapter).read_bytes()
    (folder / "broken_json").mkdir()
    (folder / "broken_json" / name).write_bytes(text[: len(text) // 2])
    (folder / "broken_missing").mkdir()
    (folder / "renamed_notebook").mkdir()
    (folder / "renamed_notebook" / "my homework.ipynb").write_bytes(text)
    (folder / "utf16_encoding").mkdir()
    (folder / "utf16_encoding" / name).write_bytes(text.decode("utf-8").encode("utf-16"))
    with zipfile.ZipFile(folder / "zipped_submission.zip", "w") as zf:
        zf.writestr(f"{chapter}/{name}", text)
    return sorted(p.stem for p in folder.iterdir())


def _default_chapter() -> str:
    if solution_path(PREFERRED).exists() and (bank.BANK / PREFERRED).is_dir():
        return PREFERRED
    return "toy"


def demo(out: Path = Path("demo-out"), workers: int | None = None, chapter: str | None = None, log=print) -> int:
    chapter = chapter or _default_chapter()
    if not solution_path(chapter).exists():
        if (TOY_COURSE / "solutions" / chapter).is_dir() and COURSE != TOY_COURSE.resolve():
            env = dict(os.environ, AUTOGRADER_COURSE_ROOT=str(TOY_COURSE))
            args = [sys.executable, "-m", "autograder", "demo", "--chapter", chapter, "--out", str(Path(out).resolve())]
            args += ["--workers", str(workers)] if workers else []
            return subprocess.call(args, env=env)
        raise SystemExit(f"no chapter {chapter!r} in {COURSE}")
    from autograder.grade import grade
    from autograder.report import report
    out = Path(out)
    students = build_class(chapter, out / "submissions")
    log(f"demo class for {chapter}: {len(students)} students in {out / 'submissions'}")
    rows = grade(chapter, out / "submissions", out / "grades", workers, log=log)
    folder = report(out / "grades", log=log)
    log("")
    log(f"{'student':28} {'status':8} {'score':>7}  flags")
    for row in rows:
        log(f"{row.student_id:28} {row.status:8} {sum(row.scores.values()):7g}  {';'.join(row.flags)}")
    log("")
    log(f"grades.csv:   {out / 'grades' / 'grades.csv'}")
    log(f"feedback:     {out / 'grades' / 'feedback'}/<student>/{chapter}.html")
    log(f"gradebook:    {out / 'grades' / 'gradebook.db'} (nbgrader)")
    log(f"for a human:  {out / 'grades' / 'review.csv'}")
    log(f"report:       {folder}")
    return 0
