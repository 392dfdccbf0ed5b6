"""Grading throughput: this grader against stock sequential `nbgrader autograde`, same submissions.

`throughput(chapter_or_toy, n_submissions, workers)` is what `make bench` calls; it is also
`python -m autograder throughput [CHAPTER] [-n N] [--workers W]`.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from autograder.settings import COURSE, ROOT, TOY_COURSE


def _course_root(chapter: str) -> Path:
    if (COURSE / "solutions" / chapter / f"{chapter}.ipynb").exists():
        return COURSE
    if (TOY_COURSE / "solutions" / chapter / f"{chapter}.ipynb").exists():
        return TOY_COURSE.resolve()
    raise ValueError(f"no chapter {chapter!r} in {COURSE} or in the toy course")


def _timed(cmd: list[str], cwd: Path, env: dict, timeout: int) -> float:
    started = time.perf_counter()
    done = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd[:4])} failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    return time.perf_counter() - started


def _bare_seconds(notebook: Path, timeout: int) -> float:
    """Execute the notebook once in a fresh kernel, as `jupyter nbconvert --execute` would: no grader."""
    import nbformat
    from nbclient import NotebookClient
    nb = nbformat.read(str(notebook), as_version=4)
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        NotebookClient(nb, timeout=timeout, allow_errors=True, kernel_name="python3").execute(cwd=tmp)
        return time.perf_counter() - started


def throughput(chapter_or_toy: str = "toy", n_submissions: int = 6, workers: int = 2, timeout: int = 1800,
               log=print, single: bool = True) -> dict:
    """Time grading `n_submissions` copies of a chapter's solution (the toy course's for "toy").

    Measures, each from a fresh start (process start-up included on both sides):
      ours_s         `python -m autograder grade --workers W` on the n submissions, isolation on
      stock_s        stock `nbgrader autograde` (one after another) on the same n submissions
      single_s       our grader on one submission with one worker (the whole command)
      single_row_s   the same submission's own time inside that batch (worker, sandbox, kernel, guard)
      bare_s         the notebook executed once in a fresh kernel with nbclient, no grader at all
    Returns a dict with those, the isolation level, throughput in submissions per minute,
    `speedup` = stock_s / ours_s (the issue asks >= 1.8 with 2 workers on 2 cores) and
    `overhead` = single_row_s / bare_s (the course budget is <= 1.2 for a real chapter).
    """
    from autograder import sandbox
    chapter = chapter_or_toy
    course = _course_root(chapter)
    solution = course / "solutions" / chapter / f"{chapter}.ipynb"
    env = dict(os.environ, AUTOGRADER_COURSE_ROOT=str(course),
               PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""))
    result = {"chapter": chapter, "n": n_submissions, "workers": workers, "isolation": sandbox.detect()}
    with tempfile.TemporaryDirectory(prefix="throughput-") as tmp:
        tmp = Path(tmp)
        env["AUTOGRADER_REFERENCE_CACHE"] = str(tmp / "references")     # cold: each command computes them once
        subs = tmp / "subs"
        stock = tmp / "stock"
        shutil.copytree(course / "solutions" / chapter, stock / "solutions" / chapter)
        for i in range(n_submissions):
            (subs / f"s{i:03d}").mkdir(parents=True)
            shutil.copy(solution, subs / f"s{i:03d}" / f"{chapter}.ipynb")
            (stock / "submitted" / f"s{i:03d}" / chapter).mkdir(parents=True)
            shutil.copy(solution, stock / "submitted" / f"s{i:03d}" / chapter / f"{chapter}.ipynb")
        grade = [sys.executable, "-m", "autograder", "grade", chapter, "--submissions"]
        log(f"throughput: {n_submissions} x {chapter}, our grader with {workers} workers ...")
        result["ours_s"] = _timed(grade + [str(subs), "--out", str(tmp / "ours"), "--workers", str(workers)],
                                  ROOT, env, timeout)
        nbg = [sys.executable, "-m", "nbgrader"]
        course_args = [f"--CourseDirectory.root={stock}", "--CourseDirectory.source_directory=solutions",
                       "--CourseDirectory.release_directory=notebooks", f"--Execute.timeout={timeout}",
                       f"--ExecutePreprocessor.timeout={timeout}"]
        _timed(nbg + ["generate_assignment", chapter, "--force"] + course_args, stock, env, timeout)
        log("throughput: stock nbgrader autograde ...")
        result["stock_s"] = _timed(nbg + ["autograde", chapter] + course_args, stock, env, timeout)
        if not single:
            result["single_s"] = result["single_row_s"] = result["bare_s"] = None
        else:
            _single(result, grade, solution, tmp, env, timeout, log)
    result["ours_per_min"] = 60 * n_submissions / result["ours_s"]
    result["stock_per_min"] = 60 * n_submissions / result["stock_s"]
    result["speedup"] = result["stock_s"] / result["ours_s"]
    result["overhead"] = result["single_row_s"] / result["bare_s"] if single else None
    for key in ("ours_s", "stock_s", "single_s", "single_row_s", "bare_s", "ours_per_min", "stock_per_min", "speedup",
                "overhead"):
        result[key] = round(result[key], 2) if result[key] is not None else None
    log(f"throughput: ours {result['ours_s']} s, stock {result['stock_s']} s -> speedup {result['speedup']}x; "
        f"one submission {result['single_s']} s vs bare {result['bare_s']} s -> overhead {result['overhead']}x")
    return result


def _single(result: dict, grade: list, solution: Path, tmp: Path, env: dict, timeout: int, log) -> None:
    """One submission graded alone (the whole command, and the row's own time inside it), and the bare run."""
    (tmp / "one" / "s000").mkdir(parents=True)
    shutil.copy(solution, tmp / "one" / "s000" / solution.name)
    log("throughput: one submission, one worker, and bare execution ...")
    env = dict(env, AUTOGRADER_REFERENCE_CACHE=str(tmp / "references-single"))
    result["single_s"] = _timed(grade + [str(tmp / "one"), "--out", str(tmp / "single"), "--workers", "1"],
                                ROOT, env, timeout)
    row = json.loads((tmp / "single" / "results" / "s000.json").read_text(encoding="utf-8"))
    result["single_row_s"] = row["seconds"]          # inside the batch: worker, sandbox, kernel, judge
    result["bare_s"] = _bare_seconds(solution, timeout)
