"""`python -m autograder grade CHAPTER --submissions DIR --out DIR [--workers N]`.

Every student found in DIR gets exactly one row in OUT/grades.csv, whatever their file holds.
Each submission is graded by a separate worker process in a private temporary folder that
holds only a copy of the notebook; the submissions folder is only ever read.
"""
from __future__ import annotations

import csv
import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from autograder import notebooks as nbs
from autograder.settings import NOTEBOOK_TIMEOUT_S, ROOT, solution_path
from autograder.submissions import Submission, discover

FIXED_COLUMNS = ["student_id", "assignment", "status", "score", "max_score", "flags"]


@dataclass
class Row:
    student_id: str
    status: str = "failed"
    flags: list = field(default_factory=list)
    scores: dict = field(default_factory=dict)
    detail: str = ""
    seconds: float = 0.0


def _kill_tree(pid: int) -> None:
    import psutil
    try:
        parent = psutil.Process(pid)
        procs = parent.children(recursive=True) + [parent]
    except psutil.NoSuchProcess:
        return
    for p in procs:
        try:
            p.kill()
        except psutil.NoSuchProcess:
            pass
    psutil.wait_procs(procs, timeout=5)


def grade_submission(sub: Submission, chapter: str, out_dir: Path, timeout_s: int = NOTEBOOK_TIMEOUT_S) -> Row:
    row = Row(sub.student_id, flags=list(sub.flags))
    if sub.raw is None:
        row.detail = "no notebook found"
        return row
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="grade-") as tmp:
        tmp = Path(tmp)
        work = tmp / "work"
        work.mkdir()
        notebook = work / f"{chapter}.ipynb"
        notebook.write_bytes(sub.raw)
        job = {"chapter": chapter, "notebook": str(notebook), "workdir": str(work),
               "student_id": sub.student_id, "result": str(tmp / "result.json")}
        (tmp / "job.json").write_text(json.dumps(job), encoding="utf-8")
        env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", PYTHONDONTWRITEBYTECODE="1")
        proc = subprocess.Popen([sys.executable, "-m", "autograder.worker", str(tmp / "job.json")],
                                cwd=str(ROOT), env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        try:
            log_text, _ = proc.communicate(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            _kill_tree(proc.pid)
            proc.communicate()
            row.flags.append("timeout")
            row.detail = f"grading took longer than {timeout_s} s"
            return row
        finally:
            _kill_tree(proc.pid)
        row.seconds = time.monotonic() - started
        result_path = tmp / "result.json"
        if proc.returncode != 0 or not result_path.exists():
            row.flags.append("grader_error")
            row.detail = log_text.decode("utf-8", "replace")[-2000:]
            return row
        result = json.loads(result_path.read_text(encoding="utf-8"))
        row.status = result["status"]
        row.flags += result.get("flags", [])
        row.scores = result.get("scores", {})
        row.detail = result.get("detail", "")
        for name, dest in (("executed.ipynb", out_dir / "executed" / sub.student_id / f"{chapter}.ipynb"),
                           ("feedback.html", out_dir / "feedback" / sub.student_id / f"{chapter}.html")):
            if (tmp / name).exists():
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(tmp / name, dest)
    return row


def test_ids(chapter: str) -> tuple[list[str], dict]:
    source = nbs.read(solution_path(chapter))
    cells = nbs.test_cells(source)
    return [nbs.grade_id(c) for c in cells], {nbs.grade_id(c): nbs.points(c) for c in cells}


def write_csv(path: Path, chapter: str, rows: list[Row]) -> None:
    ids, pts = test_ids(chapter)
    max_score = sum(pts.values())
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(FIXED_COLUMNS + ids)
        for row in rows:
            earned = [float(row.scores.get(i, 0.0)) for i in ids]
            writer.writerow([row.student_id, chapter, row.status, f"{sum(earned):g}", f"{max_score:g}",
                             ";".join(sorted(set(row.flags)))] + [f"{e:g}" for e in earned])


def grade(chapter: str, submissions: Path, out: Path, workers: int | None = None, log=print) -> list[Row]:
    if not solution_path(chapter).exists():
        raise SystemExit(f"unknown chapter {chapter!r}: no {solution_path(chapter).relative_to(ROOT)}")
    subs = discover(Path(submissions), chapter)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    logger = logging.getLogger(f"autograder.{chapter}")
    handler = logging.FileHandler(out / "grading.log", mode="w", encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    workers = max(1, workers or os.cpu_count() or 1)
    log(f"grading {len(subs)} submission(s) of {chapter} with {workers} worker(s)")
    done = 0

    def one(sub: Submission) -> Row:
        nonlocal done
        row = grade_submission(sub, chapter, out)
        done += 1
        line = (f"[{done}/{len(subs)}] {row.student_id}: {row.status} "
                f"{sum(row.scores.values()):g} pts {';'.join(sorted(set(row.flags)))} ({row.seconds:.1f} s)")
        log(line)
        logger.info("%s origin=%s %s", line, sub.origin, row.detail.replace("\n", " | "))
        return row

    with ThreadPoolExecutor(max_workers=workers) as pool:
        rows = list(pool.map(one, subs))
    write_csv(out / "grades.csv", chapter, rows)
    logger.removeHandler(handler)
    handler.close()
    log(f"wrote {out / 'grades.csv'}, feedback in {out / 'feedback'}, log in {out / 'grading.log'}")
    return rows
