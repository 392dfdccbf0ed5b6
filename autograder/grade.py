"""`python -m autograder grade CHAPTER --submissions DIR --out DIR [--workers N] ...`: the coordinator.

Every student found in DIR gets exactly one row in OUT/grades.csv, whatever their file holds. Each submission
becomes a job (`job.run_job`: bytes and settings in, a result out) submitted to an executor, a local process
pool by default; see executors.py. Only this process writes OUT, and it writes each result the moment it
arrives (atomically), so an interrupted batch keeps everything that finished and the next run grades only the
rest.
Ctrl-C stops the batch cleanly (interrupt.py): the first lets running submissions finish, the second kills them;
grades.csv is written either way. A failure writing one student's files costs that student alone.

Outputs in OUT (<student> is the id itself, or a hash of it when the id cannot be a file name: student_dir):
grades.csv, feedback/<student>/<chapter>.html, executed/<student>/<chapter>.ipynb (and the same
in nbgrader's autograded/<student>/<chapter>/ layout, for formgrader), results/<student>.json (the cache: an
unchanged submission graded by the same grader, solution and seed is not graded again), review.csv (what a
human should look at), grading.log, grading_seed (the seed of the hidden fixtures, kept for every later run
over this OUT), and the nbgrader gradebook (OUT/gradebook.db unless --gradebook URL says otherwise).
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import secrets
import time
from concurrent.futures import FIRST_COMPLETED, wait
from dataclasses import asdict, dataclass, field
from pathlib import Path

from autograder import flags as flagdefs, interrupt, notebooks as nbs, safe, sandbox
from autograder.fingerprint import grader_fingerprint
from autograder.settings import CELL_TIMEOUT_S, MAX_PROCESSES, MEMORY_LIMIT_MB, NOTEBOOK_TIMEOUT_S, solution_path
from autograder.submissions import Submission, discover
from autograder.watchdog import kill_tree

FIXED_COLUMNS = ["student_id", "assignment", "status", "score", "max_score", "flags"]
MAX_ATTEMPTS = 3          # a job whose grading failed for infrastructure reasons is tried this often


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
    peak_procs: int = 0


@dataclass
class Options:
    isolation: str = "auto"
    memory_mb: int = MEMORY_LIMIT_MB
    max_procs: int = MAX_PROCESSES
    cell_timeout: int = CELL_TIMEOUT_S
    timeout_s: int = NOTEBOOK_TIMEOUT_S
    show_hidden: bool = False
    seed: int | None = None            # hidden fixtures' seed; None: OUT/grading_seed (made on the first run)


def cache_key(raw: bytes, solution: bytes, seed: int, options: Options) -> str:
    h = hashlib.sha256(raw)
    h.update(solution)
    h.update(grader_fingerprint().encode())
    h.update(json.dumps([seed, options.isolation, options.memory_mb, options.max_procs, options.cell_timeout,
                         options.timeout_s, options.show_hidden]).encode())
    return h.hexdigest()


def batch_seed(out: Path, options: Options) -> int:
    """The seed of the hidden fixtures for this OUT: fixed by --seed, else drawn once and kept in OUT."""
    if options.seed is not None:
        return int(options.seed)
    path = out / "grading_seed"
    try:
        return int(path.read_text().strip())
    except (OSError, ValueError):
        seed = secrets.randbelow(2**31 - 1)
        _write_atomic(path, f"{seed}\n".encode())
        return seed


def test_ids(chapter: str) -> tuple[list[str], dict]:
    source = nbs.read(solution_path(chapter))
    cells = nbs.test_cells(source)
    return [nbs.grade_id(c) for c in cells], {nbs.grade_id(c): nbs.points(c) for c in cells}


def _write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def student_dir(student_id: str) -> str:
    """The folder name of a student's files in OUT: the id, or a hash of it when the id is too long, holds `/`
    or escapes, or is a name some system reserves (the row keeps the id)."""
    return safe.file_name(student_id)


def write_csv(path: Path, chapter: str, rows: list[Row]) -> None:
    ids, pts = test_ids(chapter)
    max_score = sum(pts.values())
    with path.open("w", newline="", encoding="utf-8", errors="backslashreplace") as fh:
        writer = safe.csv_writer(fh)
        writer.writerow(FIXED_COLUMNS + ids)
        for row in rows:
            earned = [float(row.scores.get(i, 0.0)) for i in ids]
            writer.writerow([row.student_id, chapter, row.status, f"{sum(earned):g}", f"{max_score:g}",
                             ";".join(sorted(set(row.flags)))] + [f"{e:g}" for e in earned])


def write_review(path: Path, rows: list[Row]) -> int:
    """What a human should look at: every static-scan finding, per student."""
    n = 0
    with path.open("w", newline="", encoding="utf-8", errors="backslashreplace") as fh:
        writer = safe.csv_writer(fh)
        writer.writerow(["student_id", "source", "severity", "what", "code"])
        for row in rows:
            items = [f for f in row.findings if f.get("severity") in ("high", "medium")]
            if "tampered" in row.flags:
                items.append({"source": "runtime", "severity": "high", "what": flagdefs.text("tampered")})
            n += bool(items)
            for f in items:
                writer.writerow([row.student_id, f.get("source", ""), f["severity"], f["what"], f.get("code", "")])
    return n


def _cached(results: Path, sub: Submission, key: str, out: Path, chapter: str) -> Row | None:
    path = results / f"{student_dir(sub.student_id)}.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if data.get("key") != key or data.get("status") != "graded" or flagdefs.infrastructure(data.get("flags", [])):
        return None
    if not (out / "feedback" / student_dir(sub.student_id) / f"{chapter}.html").exists():
        return None
    data["cached"] = True
    return Row(**{k: v for k, v in data.items() if k in Row.__dataclass_fields__})


def _store(out: Path, chapter: str, row: Row, result: dict) -> None:
    """Write one student's files, each atomically: a crash between two results loses neither."""
    folder = student_dir(row.student_id)
    for kind, suffix in (("executed", "ipynb"), ("feedback", "html")):        # no stale pages from a past run
        (out / kind / folder / f"{chapter}.{suffix}").unlink(missing_ok=True)
    if result.get("executed"):
        data = result["executed"].encode("utf-8")
        _write_atomic(out / "executed" / folder / f"{chapter}.ipynb", data)
        _write_atomic(out / "autograded" / folder / chapter / f"{chapter}.ipynb", data)
    if result.get("feedback"):
        _write_atomic(out / "feedback" / folder / f"{chapter}.html", result["feedback"].encode("utf-8"))
    _write_atomic(out / "results" / f"{folder}.json",
                  json.dumps(asdict(row)).encode("utf-8", "backslashreplace"))


def _row(sub: Submission, result: dict, key: str) -> Row:
    row = Row(sub.student_id, status=result.get("status", "failed"), flags=list(sub.flags) + result.get("flags", []),
              scores=result.get("scores", {}), detail=result.get("detail", ""), seconds=result.get("seconds", 0.0),
              messages=result.get("messages", {}), findings=result.get("findings", []), key=key,
              peak_mb=result.get("peak_mb", 0.0), peak_procs=result.get("peak_procs", 0))
    row.flags = sorted(set(row.flags))
    return row


def _progress(done: int, total: int, row: Row, started: float) -> str:
    width = 20
    filled = int(width * done / max(total, 1))
    elapsed = time.monotonic() - started
    eta = elapsed / max(done, 1) * (total - done)
    state = "cached" if row.cached else f"{row.seconds:.1f} s"
    return (f"[{'#' * filled}{'.' * (width - filled)}] {done}/{total} {row.student_id}: {row.status} "
            f"{sum(row.scores.values()):g} pts {';'.join(sorted(set(row.flags)))} ({state}) eta {eta:.0f} s")


def peak_mib() -> float:
    """This process's peak resident memory (the coordinator's, without its workers)."""
    import resource
    import sys
    scale = 1 if sys.platform == "darwin" else 1024          # ru_maxrss: bytes on macOS, KiB on Linux
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale / 2 ** 20


def default_workers() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


class OneLineFormatter(logging.Formatter):
    """One record, one line: a newline or control character in an id or a message cannot forge another."""

    def format(self, record) -> str:
        return safe.escape(super().format(record), backslash=False)


def _say(log, line: str) -> None:
    """Print a progress line; a terminal that cannot show it never stops the batch."""
    try:
        log(line)
    except (OSError, UnicodeError):
        try:
            log(line.encode("ascii", "backslashreplace").decode("ascii"))
        except (OSError, UnicodeError):
            pass


class Ledger:
    """One row per student, whatever arrives: each result is written to OUT and merged into the gradebook the
    moment it arrives, once; a second result for a student already recorded (a task that ran twice, a retry
    that raced its original) changes nothing. A failure writing one student's files is that student's alone:
    it is tried again at the end (`retry_unwritten`; a full disk may have cleared)."""

    def __init__(self, out: Path, chapter: str, book, total: int, log, logger):
        self.out, self.chapter, self.book, self.total, self.log, self.logger = out, chapter, book, total, log, logger
        self.rows: dict[str, Row] = {}
        self.unwritten: list[tuple[Submission, Row, dict]] = []
        self.started = time.monotonic()

    def finish(self, sub: Submission, row: Row, result: dict | None) -> bool:
        if row.student_id in self.rows or any(r.student_id == row.student_id for _, r, _ in self.unwritten):
            self.logger.info("%s: a second result arrived and was ignored (%s)", row.student_id, row.status)
            return False
        try:
            if result is not None:
                _store(self.out, self.chapter, row, result)
        except Exception as exc:
            self.logger.warning("%s: could not write the results (%s); trying again at the end", row.student_id, exc)
            self.unwritten.append((sub, row, result))
            return True
        self.record(sub, row)
        return True

    def record(self, sub: Submission, row: Row) -> None:
        self.rows[row.student_id] = row
        self.book.submit(row.student_id, row.scores, sub.raw is not None and row.status == "graded")
        line = _progress(len(self.rows), self.total, row, self.started)
        _say(self.log, line)
        self.logger.info("%s origin=%s %s", line, sub.origin, row.detail.replace("\n", " | ")[:2000])

    def retry_unwritten(self) -> None:
        for sub, row, result in self.unwritten:
            try:
                _store(self.out, self.chapter, row, result)
            except Exception as exc:
                row = Row(row.student_id, flags=sorted(set(row.flags) | {"grader_error"}), key=row.key,
                          detail=f"could not write this student's results: {type(exc).__name__}: {exc}")
            self.record(sub, row)
        self.unwritten = []

    def sorted_rows(self) -> list[Row]:
        return [self.rows[k] for k in sorted(self.rows)]


def _lost(exc: BaseException) -> dict:
    return {"status": "failed", "flags": ["worker_lost"], "detail": f"{type(exc).__name__}: {exc}"}


def run_jobs(pool, jobs: dict, on_result, logger, workers: int, replace_pool=None, stop=None):
    """Submit every job in `jobs` ({student: job}) to `pool`, a bounded number at a time, and call
    `on_result(student, result)` once per student as results arrive. A result carrying an infrastructure flag
    (or a lost worker) is tried again, up to MAX_ATTEMPTS times; a grade (timeouts and limits included) is
    final. `replace_pool(pool)`: a fresh pool when a local pool broke. `stop` (interrupt.Interrupts): after a
    Ctrl-C nothing new starts. Returns the pool in use at the end and the students never graded."""
    from autograder import executors
    from autograder.job import run_job_safely
    stop = stop or interrupt.Interrupts()
    queue = list(jobs)[::-1]                     # popped from the end: students in order
    attempts = {sid: 0 for sid in jobs}
    inflight: dict = {}
    while (queue or inflight) and not stop.aborted:
        if not stop.requested:
            window = max(64, 4 * executors.capacity(pool, workers))
            with stop.deferred():                # workers start with Ctrl-C held off: only this process decides
                while queue and len(inflight) < window:
                    sid = queue.pop()
                    inflight[pool.submit(run_job_safely, jobs[sid])] = sid
        broken = False
        for future in _first_done(inflight, stop):
            sid = inflight.pop(future)
            if future.cancelled():
                queue.append(sid)
                continue
            attempts[sid] += 1
            try:
                result = future.result()
            except (KeyboardInterrupt, SystemExit):
                raise
            except BaseException as exc:             # the worker itself was lost, or its job died oddly
                result = _lost(exc)
                broken = broken or executors.broken(exc)
            if not isinstance(result, dict):
                result = {"status": "failed", "flags": ["grader_error"], "detail": f"not a result: {result!r:.200}"}
            if flagdefs.infrastructure(result.get("flags", [])) and attempts[sid] < MAX_ATTEMPTS \
                    and not stop.requested:
                logger.info("%s: %s, trying again (%s)", sid, ";".join(result.get("flags", [])),
                            str(result.get("detail", ""))[-300:].replace("\n", " | "))
                queue.append(sid)
                continue
            on_result(sid, result)
        if stop.requested:                           # nothing new starts; what is running may finish
            cancelled = [future for future in inflight if future.cancel()]
            queue.extend(inflight.pop(future) for future in cancelled)
            stop.announce(len(inflight), len(queue))
            if not inflight:
                break
        if broken and replace_pool is not None and (queue or inflight) and not stop.requested:
            queue.extend(inflight.values())          # they fail with the broken pool anyway: submit them again
            inflight.clear()
            pool = replace_pool(pool)
    return pool, sorted(set(queue) | set(inflight.values()))


def _first_done(inflight: dict, stop) -> list:
    """The futures done now, waiting for at least one (waking every POLL_S to notice a Ctrl-C)."""
    while True:
        done, _ = wait(inflight, timeout=interrupt.POLL_S, return_when=FIRST_COMPLETED)
        if done or stop.requested:
            return list(done)


def _start_log(out: Path, chapter: str):
    logger = logging.getLogger(f"autograder.{chapter}")
    handler = logging.FileHandler(out / "grading.log", mode="a", encoding="utf-8")
    handler.setFormatter(OneLineFormatter("%(asctime)s %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    return logger, handler


def grade(chapter: str, submissions: Path, out: Path, workers: int | None = None, log=print,
          options: Options | None = None, gradebook_url: str | None = None, force: bool = False,
          executor=None, executor_name: str = "local", scheduler: str | None = None) -> list[Row]:
    """Grade every submission of `chapter` in `submissions` into `out`. `executor`: any
    concurrent.futures.Executor; else one of executors.EXECUTORS by name (a local process pool of `workers`
    processes by default; `dask` with `scheduler` for a Dask cluster's address).
    Ctrl-C stops it cleanly (see interrupt.py); rows of students it did not grade carry the flag `interrupted`."""
    with interrupt.Interrupts(log) as stop:
        return _grade(chapter, submissions, out, workers, log, options, gradebook_url, force, executor,
                      executor_name, scheduler, stop)


def _grade(chapter, submissions, out, workers, log, options, gradebook_url, force, executor, executor_name,
           scheduler, stop: interrupt.Interrupts) -> list[Row]:
    from autograder import executors, preflight
    from autograder.job import new_job
    if not solution_path(chapter).exists():
        raise SystemExit(f"unknown chapter {chapter!r}: no {solution_path(chapter)}")
    options = options or Options()
    subs = discover(Path(submissions), chapter)
    out = Path(out)
    (out / "results").mkdir(parents=True, exist_ok=True)
    seed = batch_seed(out, options)
    solution = solution_path(chapter).read_bytes()
    logger, handler = _start_log(out, chapter)
    workers = max(1, workers or default_workers())
    owned = executor is None
    try:
        pool = (executors.start(executor_name, workers, scheduler, log=log, logs=out / "slurm",
                                timeout_s=options.timeout_s, memory_mb=options.memory_mb) if owned else executor)
    except ValueError as exc:                  # a wrong executor, scheduler address or Slurm setting
        logger.removeHandler(handler)
        handler.close()
        raise SystemExit(str(exc)) from None
    from autograder.gradebook import GradebookWriter, default_url
    book = GradebookWriter(gradebook_url or default_url(out), chapter, nbs.reads(solution, chapter))
    try:
        try:
            verdict = executors.preflight(pool, options.isolation)
        except preflight.PreflightError as exc:
            logger.error("preflight: %s", exc)
            raise SystemExit(f"preflight: {exc}") from None
        options.isolation = verdict.level
        for note in filter(None, [sandbox.warning(verdict.level)] + verdict.notes):
            log(note if note.startswith("WARNING") else f"note: {note}")
            logger.warning(note)
        for problem in book.open():                  # schema and structure exist before any job is submitted
            log(f"WARNING: {problem}; grading goes on, grades.csv is the record")
            logger.warning(problem)
        log(f"grading {len(subs)} submission(s) of {chapter} on {executors.describe(pool, workers)}, "
            f"isolation: {options.isolation}")
        ledger = Ledger(out, chapter, book, len(subs), log, logger)
        jobs: dict[str, dict] = {}
        todo: dict[str, tuple[Submission, str]] = {}
        for sub in subs:
            if sub.raw is None:
                ledger.finish(sub, Row(sub.student_id, flags=sorted(set(sub.flags)),
                                       detail="; ".join(flagdefs.text(f) for f in sub.flags) or "no notebook found"),
                              {})
                continue
            key = cache_key(sub.raw, solution, seed, options)
            cached = None if force else _cached(out / "results", sub, key, out, chapter)
            if cached is not None:
                ledger.finish(sub, cached, None)
                continue
            jobs[sub.student_id] = new_job(chapter, sub.raw, solution, seed, sub.student_id,
                                           isolation=options.isolation, memory_mb=options.memory_mb,
                                           max_procs=options.max_procs, cell_timeout=options.cell_timeout,
                                           timeout_s=options.timeout_s, show_hidden=options.show_hidden)
            todo[sub.student_id] = (sub, key)

        def on_result(sid: str, result: dict) -> None:
            sub, key = todo[sid]
            ledger.finish(sub, _row(sub, result, key), result)

        def replace_pool(old):
            old.shutdown(wait=False, cancel_futures=True)
            return executors.local(workers)

        pool, not_graded = run_jobs(pool, jobs, on_result, logger, workers,
                                    replace_pool if owned and executor_name == "local" else None, stop)
    finally:
        if owned:
            if stop.aborted:                # the second Ctrl-C: the workers and their kernels go now
                kill_tree(os.getpid(), include_root=False)
            pool.shutdown(wait=not stop.aborted, cancel_futures=True)
    ledger.retry_unwritten()
    for sid in not_graded:                  # what an interrupted batch did not grade
        sub = todo[sid][0]
        ledger.record(sub, Row(sid, flags=sorted(set(sub.flags) | {"interrupted"}), detail="the batch was interrupted"))
    for problem in book.finish():
        log(f"WARNING: {problem}; grades.csv is still written")
        logger.warning(problem)
    rows = ledger.sorted_rows()
    write_csv(out / "grades.csv", chapter, rows)
    flagged = write_review(out / "review.csv", rows)
    elapsed = time.monotonic() - ledger.started
    logger.info("done: %d rows in %.1f s%s; coordinator peak memory %.0f MiB", len(rows), elapsed,
                " (interrupted)" if stop.requested else "", peak_mib())
    logger.removeHandler(handler)
    handler.close()
    log(f"wrote {out / 'grades.csv'} ({len(rows)} rows, {elapsed:.1f} s), feedback in {out / 'feedback'}, "
        f"log in {out / 'grading.log'}" + (f"; {flagged} submission(s) to review in {out / 'review.csv'}"
                                            if flagged else ""))
    if stop.requested:
        left = sum("interrupted" in r.flags for r in rows)
        log(f"interrupted: {left} submission(s) not graded (flag `interrupted`); run the same command again "
            "to grade them (what finished is kept)")
    return rows
