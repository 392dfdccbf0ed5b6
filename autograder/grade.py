"""`python -m autograder grade CHAPTER --submissions DIR --out DIR [--workers N] ...`.

Every student found in DIR gets exactly one row in OUT/grades.csv, whatever their file holds.
Each submission is graded by its own worker process (worker.py) in a private temporary folder;
its kernel runs in a sandbox (sandbox.py) and the whole process tree is watched for memory and
process count, and killed at the end (watchdog.py). Submissions are only ever read.

Outputs in OUT: grades.csv, feedback/<student>/<chapter>.html, executed/<student>/<chapter>.ipynb
(and the same in nbgrader's autograded/<student>/<chapter>/ layout, for formgrader), results/<student>.json
(the cache: an unchanged submission graded by the same grader and solutions is not graded again),
review.csv (what a human should look at), grading.log, and the nbgrader gradebook
(OUT/gradebook.db unless --gradebook URL says otherwise).
"""
from __future__ import annotations

import csv
import hashlib
import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from pathlib import Path

from autograder import notebooks as nbs, sandbox
from autograder.settings import (CELL_TIMEOUT_S, GRADER_VERSION, MAX_PROCESSES, MEMORY_LIMIT_MB, NOTEBOOK_TIMEOUT_S,
                                 ROOT, solution_path)
from autograder.submissions import Submission, discover
from autograder.watchdog import Watchdog, kill_tree

FIXED_COLUMNS = ["student_id", "assignment", "status", "score", "max_score", "flags"]
RETRY_FLAGS = {"grader_error", "timeout", "memory_limit", "process_limit"}   # worth grading again next run
GRADER_FILES = ("worker.py", "pipeline.py", "instrument.py", "kernel_guard.py", "executor.py", "scan.py",
                "notebooks.py", "feedback.py", "sandbox.py", "settings.py")


@dataclass
class Row:
    student_id: str
    status: str = "failed"
    flags: list = field(default_factory=list)
    scores: dict = field(default_factory=dict)
    detail: str = ""
    seconds: float = 0.0
    messages: dict = field(default_factory=dict)
    findings: list = field(default_factory=list)
    key: str = ""
    cached: bool = False
    peak_mb: float = 0.0


@dataclass
class Options:
    isolation: str = "auto"
    memory_mb: int = MEMORY_LIMIT_MB
    max_procs: int = MAX_PROCESSES
    cell_timeout: int = CELL_TIMEOUT_S
    timeout_s: int = NOTEBOOK_TIMEOUT_S
    show_hidden: bool = False


def grader_fingerprint() -> str:
    h = hashlib.sha256(GRADER_VERSION.encode())
    for name in GRADER_FILES:
        h.update((Path(__file__).parent / name).read_bytes())
    return h.hexdigest()[:16]


def cache_key(raw: bytes, chapter: str, options: Options) -> str:
    h = hashlib.sha256(raw)
    h.update(solution_path(chapter).read_bytes())
    h.update(grader_fingerprint().encode())
    h.update(json.dumps([options.isolation, options.memory_mb, options.cell_timeout, options.show_hidden]).encode())
    return h.hexdigest()


def grade_submission(sub: Submission, chapter: str, out_dir: Path, timeout_s: int = NOTEBOOK_TIMEOUT_S,
                     options: Options | None = None) -> Row:
    """Grade one submission in a worker process; always returns its row."""
    options = options or Options(isolation=sandbox.detect())
    row = Row(sub.student_id, flags=list(sub.flags))
    if sub.raw is None:
        row.detail = "no notebook found"
        return row
    started = time.monotonic()
    tmp = Path(tempfile.mkdtemp(prefix="ag-"))           # mode 700
    try:
        (tmp / "ipc").mkdir()
        (tmp / "scratch").mkdir()
        notebook = tmp / f"{chapter}.ipynb"
        notebook.write_bytes(sub.raw)
        job = {"chapter": chapter, "notebook": str(notebook), "tmp": str(tmp), "ipc": str(tmp / "ipc"),
               "student_id": sub.student_id, "isolation": options.isolation, "cell_timeout": options.cell_timeout,
               "deadline_s": max(10, timeout_s - 15), "show_hidden": options.show_hidden}
        (tmp / "job.json").write_text(json.dumps(job), encoding="utf-8")
        env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", PYTHONDONTWRITEBYTECODE="1")
        with open(tmp / "worker.log", "wb") as log:
            proc = subprocess.Popen([sys.executable, "-m", "autograder.worker", str(tmp / "job.json")],
                                    cwd=str(ROOT), env=env, stdout=log, stderr=subprocess.STDOUT,
                                    stdin=subprocess.DEVNULL, start_new_session=True)
            dog = Watchdog(proc.pid, options.memory_mb, options.max_procs)
            dog.start()
            try:
                proc.wait(timeout=timeout_s)
            except subprocess.TimeoutExpired:
                row.flags.append("timeout")
                row.detail = f"grading took longer than {timeout_s} s"
            finally:
                dog.stop()
                kill_tree(proc.pid)
                proc.wait()
        row.seconds = time.monotonic() - started
        row.peak_mb = round(dog.peak_mb, 1)
        if dog.reason:
            row.flags.append(dog.reason)
            row.detail = f"stopped: {dog.reason.replace('_', ' ')} (memory {options.memory_mb} MB, " \
                         f"{options.max_procs} processes)"
            return row
        result_path = tmp / "result.json"
        if "timeout" in row.flags:
            return row
        if not result_path.exists():
            row.flags.append("grader_error")
            row.detail = (tmp / "worker.log").read_bytes()[-2000:].decode("utf-8", "replace")
            return row
        result = json.loads(result_path.read_text(encoding="utf-8"))
        row.status = result.get("status", "failed")
        row.flags += result.get("flags", [])
        row.scores = result.get("scores", {})
        row.messages = result.get("messages", {})
        row.findings = result.get("findings", [])
        row.detail = result.get("detail", "")
        # executed/ for people, autograded/ in nbgrader's layout for formgrader's manual grading
        for name, dest in (("executed.ipynb", out_dir / "executed" / sub.student_id / f"{chapter}.ipynb"),
                           ("executed.ipynb", out_dir / "autograded" / sub.student_id / chapter / f"{chapter}.ipynb"),
                           ("feedback.html", out_dir / "feedback" / sub.student_id / f"{chapter}.html")):
            if (tmp / name).exists():
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(tmp / name, dest)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return row


def test_ids(chapter: str) -> tuple[list[str], dict]:
    source = nbs.read(solution_path(chapter))
    cells = nbs.test_cells(source)
    return [nbs.grade_id(c) for c in cells], {nbs.grade_id(c): nbs.points(c) for c in cells}


def write_csv(path: Path, chapter: str, rows: list[Row]) -> None:
    ids, pts = test_ids(chapter)
    max_score = sum(pts.values())
    with path.open("w", newline="", encoding="utf-8", errors="backslashreplace") as fh:
        writer = csv.writer(fh)
        writer.writerow(FIXED_COLUMNS + ids)
        for row in rows:
            earned = [float(row.scores.get(i, 0.0)) for i in ids]
            writer.writerow([row.student_id, chapter, row.status, f"{sum(earned):g}", f"{max_score:g}",
                             ";".join(sorted(set(row.flags)))] + [f"{e:g}" for e in earned])


def write_review(path: Path, rows: list[Row]) -> int:
    """What a human should look at: every static-scan finding and runtime tampering, per student."""
    n = 0
    with path.open("w", newline="", encoding="utf-8", errors="backslashreplace") as fh:
        writer = csv.writer(fh)
        writer.writerow(["student_id", "source", "severity", "what", "code"])
        for row in rows:
            items = [f for f in row.findings if f.get("severity") in ("high", "medium", "tamper", "unrestorable")]
            n += bool(items)
            for f in items:
                writer.writerow([row.student_id, f.get("source", ""), f["severity"], f["what"], f.get("code", "")])
    return n


def _cached(results: Path, sub: Submission, key: str, out: Path, chapter: str) -> Row | None:
    path = results / f"{sub.student_id}.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if data.get("key") != key or data.get("status") != "graded" or RETRY_FLAGS & set(data.get("flags", [])):
        return None
    if not (out / "feedback" / sub.student_id / f"{chapter}.html").exists():
        return None
    data["cached"] = True
    return Row(**{k: v for k, v in data.items() if k in Row.__dataclass_fields__})


def _progress(done: int, total: int, row: Row, started: float) -> str:
    width = 20
    filled = int(width * done / max(total, 1))
    elapsed = time.monotonic() - started
    eta = elapsed / max(done, 1) * (total - done)
    state = "cached" if row.cached else f"{row.seconds:.1f} s"
    return (f"[{'#' * filled}{'.' * (width - filled)}] {done}/{total} {row.student_id}: {row.status} "
            f"{sum(row.scores.values()):g} pts {';'.join(sorted(set(row.flags)))} ({state}) eta {eta:.0f} s")


def default_workers() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def grade(chapter: str, submissions: Path, out: Path, workers: int | None = None, log=print,
          options: Options | None = None, gradebook_url: str | None = None, force: bool = False) -> list[Row]:
    if not solution_path(chapter).exists():
        raise SystemExit(f"unknown chapter {chapter!r}: no {solution_path(chapter)}")
    options = options or Options()
    options.isolation = sandbox.detect(options.isolation)
    subs = discover(Path(submissions), chapter)
    out = Path(out)
    results = out / "results"
    results.mkdir(parents=True, exist_ok=True)
    logger = logging.getLogger(f"autograder.{chapter}")
    handler = logging.FileHandler(out / "grading.log", mode="a", encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    workers = max(1, workers or default_workers())
    warning = sandbox.warning(options.isolation)
    if warning:
        log(warning)
        logger.warning(warning)
    log(f"grading {len(subs)} submission(s) of {chapter} with {workers} worker(s), isolation: {options.isolation}")
    source = nbs.read(solution_path(chapter))
    from autograder.gradebook import GradebookWriter, default_url
    book = GradebookWriter(gradebook_url or default_url(out), chapter, source)
    book.start()
    started = time.monotonic()

    def one(sub: Submission) -> Row:
        key = cache_key(sub.raw, chapter, options) if sub.raw is not None else ""
        row = None if force or not key else _cached(results, sub, key, out, chapter)
        if row is None:
            for kind, suffix in (("executed", "ipynb"), ("feedback", "html")):   # no stale pages from a past run
                (out / kind / sub.student_id / f"{chapter}.{suffix}").unlink(missing_ok=True)
            row = grade_submission(sub, chapter, out, options.timeout_s, options)
            row.key = key
            if options.isolation != "bwrap" and sub.raw is not None:
                row.flags.append("not_isolated")
        return row

    rows = []
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = {pool.submit(one, sub): sub for sub in subs}
        for future in as_completed(futures):
            sub = futures[future]
            try:
                row = future.result()
            except Exception as exc:                 # the row must exist whatever happened
                row = Row(sub.student_id, flags=sub.flags + ["grader_error"], detail=repr(exc))
            row.flags = sorted(set(row.flags))
            rows.append(row)
            if not row.cached:
                (results / f"{row.student_id}.json").write_text(json.dumps(asdict(row)), encoding="utf-8",
                                                                errors="backslashreplace")
            book.submit(row.student_id, row.scores, sub.raw is not None and row.status == "graded")
            line = _progress(len(rows), len(subs), row, started)
            log(line)
            logger.info("%s origin=%s %s", line, sub.origin, row.detail.replace("\n", " | ")[:2000])
    for problem in book.finish():
        log(f"WARNING: {problem}; grades.csv is still written")
        logger.warning(problem)
    rows.sort(key=lambda r: r.student_id)
    write_csv(out / "grades.csv", chapter, rows)
    flagged = write_review(out / "review.csv", rows)
    elapsed = time.monotonic() - started
    logger.info("done: %d rows in %.1f s", len(rows), elapsed)
    logger.removeHandler(handler)
    handler.close()
    log(f"wrote {out / 'grades.csv'} ({len(rows)} rows, {elapsed:.1f} s), feedback in {out / 'feedback'}, "
        f"log in {out / 'grading.log'}" + (f"; {flagged} submission(s) to review in {out / 'review.csv'}"
                                            if flagged else ""))
    return rows
