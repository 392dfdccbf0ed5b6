"""`python -m autograder grade CHAPTER --submissions DIR|ZIP --out DIR [--workers N] ...`: the coordinator.

Every student found in DIR gets exactly one row in OUT/grades.csv, whatever their file holds. Each submission
becomes a job (`job.run_job`: bytes and settings in, a result out) submitted to an executor, a local process
pool by default; see executors.py. Only this process writes OUT, and it writes each result the moment it
arrives (atomically), so an interrupted batch keeps everything that finished and the next run grades only the
rest.
Ctrl-C stops the batch cleanly (interrupt.py): the first lets running submissions finish, the second kills them;
grades.csv is written either way. A failure writing one student's files costs that student alone.

Outputs in OUT (<student> is the id itself, or a hash of it when the id cannot be a file name: student_dir):
grades.csv, feedback/<student>/<chapter>.html, executed/<student>/<chapter>.ipynb (and, for formgrader, the
same in nbgrader's autograded/<student>/<chapter>/ layout with each hand-graded answer followed by its model
answer), results/<student>.json (the cache: an unchanged submission graded by the same grader, solution and
seed is not graded again), review.csv (what a human should look at), grading.log, grading_seed (the seed of
the hidden fixtures, kept for every later run over this OUT), students.json (names and submission times from
the LMS, for the export), late_policy.json, solution_time.json (with --timeout Nx), and the nbgrader gradebook
(OUT/gradebook.db unless --gradebook URL says otherwise).
After the batch (and on every `export`) the hand grades are read back from the gradebook and the late policy is
applied: grades.csv's manual_score, total and late_penalty, the feedback page's late note and nbgrader's late
penalty follow, without running any notebook again.
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

from autograder import flags as flagdefs, interrupt, late as latework, notebooks as nbs, safe, sandbox
from autograder.fingerprint import grader_fingerprint
from autograder.settings import (PLAN, CELL_TIMEOUT_S, MAX_PROCESSES, MEMORY_LIMIT_MB, MIN_RELATIVE_TIMEOUT_S,
                                 NOTEBOOK_TIMEOUT_S, SLOW_FACTOR, solution_path)
from autograder.submissions import Found, Submission, find
from autograder.watchdog import kill_tree

FIXED_COLUMNS = ["student_id", "assignment", "status", "score", "max_score", "flags"]
# after FIXED_COLUMNS, before one column per test and one per answer graded by hand
TOTAL_COLUMNS = ["submitted_at", "late_penalty", "manual_score", "total", "max_total"]
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
    plan: str = PLAN                   # pruned | full: which cells the kernel runs (prune.py)
    timeout_factor: float | None = None   # timeout_s = this many times the solution's measured time (see measure)
    seed: int | None = None            # hidden fixtures' seed; None: OUT/grading_seed (made on the first run)


def cache_key(raw: bytes, solution: bytes, seed: int, options: Options) -> str:
    h = hashlib.sha256(raw)
    h.update(solution)
    h.update(grader_fingerprint().encode())
    h.update(json.dumps([seed, options.isolation, options.memory_mb, options.max_procs, options.cell_timeout,
                         options.timeout_s, options.plan]).encode())      # not show_hidden: feedback is re-rendered (refeed)
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


@dataclass
class Totals:
    """What grades.csv adds to the automatic scores for one student: hand grades and the late penalty."""
    hand: dict = field(default_factory=dict)          # grade_id -> points given by hand (formgrader)
    submitted: str = latework.UNKNOWN_TIME
    penalty: float = 0.0
    late_note: str = ""

    def test_points(self, row: Row, tests) -> list[float]:
        """Each test's points: the automatic score, or the instructor's where they overrode it."""
        return [self.hand.get(t, float(row.scores.get(t, 0.0))) for t in tests]

    def manual_points(self, manual) -> list[float | None]:
        """Each hand-graded answer's points, None where nobody has graded it yet."""
        return [self.hand.get(m) for m in manual]

    def total(self, row: Row, tests, manual) -> float:
        earned = sum(self.test_points(row, tests)) + sum(p for p in self.manual_points(manual) if p is not None)
        return max(0.0, earned - self.penalty)


def manual_ids(chapter: str) -> dict:
    from autograder.gradebook import manual_cells
    return manual_cells(nbs.read(solution_path(chapter)))


def student_totals(row: Row, tests: dict, manual: dict, hand: dict, sub_info: dict,
                   policy: latework.Policy) -> Totals:
    """Hand grades (an instructor's score on a test overrides the automatic one) and the late penalty."""
    totals = Totals(hand, latework.submitted_label(sub_info.get("submitted_at"), bool(sub_info.get("late"))))
    if row.status == "graded":
        totals.penalty, totals.late_note = latework.penalty(policy, row.student_id, sub_info.get("submitted_at"),
                                                            bool(sub_info.get("late")), totals.total(row, tests, manual))
    return totals


def write_csv(path: Path, chapter: str, rows: list[Row], totals: dict | None = None) -> None:
    """grades.csv: one row per student; `totals` {student: Totals} adds hand grades and late penalties."""
    ids, pts = test_ids(chapter)
    manual = manual_ids(chapter)
    max_score = sum(pts.values())
    totals = totals or {}
    with path.open("w", newline="", encoding="utf-8", errors="backslashreplace") as fh:
        writer = safe.csv_writer(fh)
        writer.writerow(FIXED_COLUMNS + TOTAL_COLUMNS + ids + list(manual))
        for row in rows:
            extra = totals.get(row.student_id) or Totals()
            earned, hand = extra.test_points(row, ids), extra.manual_points(manual)
            manual_score = sum(h for h in hand if h is not None)
            writer.writerow([row.student_id, chapter, row.status, f"{sum(earned):g}", f"{max_score:g}",
                             ";".join(sorted(set(row.flags))), extra.submitted, f"{extra.penalty:g}",
                             f"{manual_score:g}" if any(h is not None for h in hand) else "",
                             f"{extra.total(row, ids, manual):g}", f"{max_score + sum(manual.values()):g}"]
                            + [f"{e:g}" for e in earned] + ["" if h is None else f"{h:g}" for h in hand])


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


MODEL_ANSWER_TITLE = "**Model answer (instructor only)**"


def with_model_answers(executed: str, source) -> str:
    """The executed notebook for formgrader: after each answer graded by hand, a locked markdown cell with the
    model answer from solutions/ (never in executed/ or the feedback, which students may see)."""
    from nbformat.v4 import new_markdown_cell
    from autograder.gradebook import manual_cells
    manual = manual_cells(source)
    if not manual:
        return executed
    answers = {nbs.grade_id(c): c for c in source.cells if nbs.grade_id(c) in manual}
    nb = nbs.reads(executed.encode("utf-8"), "executed.ipynb")
    cells = []
    for cell in nb.cells:
        cells.append(cell)
        model = answers.get(nbs.grade_id(cell))
        if model is not None:
            text = model.source if model.cell_type == "markdown" else f"```python\n{model.source}\n```"
            cells.append(new_markdown_cell(f"{MODEL_ANSWER_TITLE}\n\n{text}",
                                           metadata={"editable": False, "deletable": False,
                                                     "autograder": {"model_answer": nbs.grade_id(cell)}}))
    nb.cells = cells
    return nbs.dumps(nb)


def _store(out: Path, chapter: str, row: Row, result: dict, source=None) -> None:
    """Write one student's files, each atomically: a crash between two results loses neither."""
    folder = student_dir(row.student_id)
    for kind, suffix in (("executed", "ipynb"), ("feedback", "html")):        # no stale pages from a past run
        (out / kind / folder / f"{chapter}.{suffix}").unlink(missing_ok=True)
    if result.get("executed"):
        data = result["executed"].encode("utf-8")
        _write_atomic(out / "executed" / folder / f"{chapter}.ipynb", data)
        graded = with_model_answers(result["executed"], source).encode("utf-8") if source is not None else data
        _write_atomic(out / "autograded" / folder / chapter / f"{chapter}.ipynb", graded)
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


def _progress(done: int, total: int, row: Row, eta_s: float | None) -> str:
    width = 20
    filled = int(width * done / max(total, 1))
    state = "cached" if row.cached else f"{row.seconds:.1f} s"
    eta = "?" if eta_s is None else f"{eta_s:.0f} s"
    return (f"[{'#' * filled}{'.' * (width - filled)}] {done}/{total} {row.student_id}: {row.status} "
            f"{sum(row.scores.values()):g} pts {';'.join(sorted(set(row.flags)))} ({state}) eta {eta}")


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

    def __init__(self, out: Path, chapter: str, book, total: int, log, logger, workers: int = 1, source=None):
        self.out, self.chapter, self.book, self.total, self.log, self.logger = out, chapter, book, total, log, logger
        self.workers, self.source = workers, source
        self.rows: dict[str, Row] = {}
        self.unwritten: list[tuple[Submission, Row, dict]] = []
        self.started = time.monotonic()
        self.to_execute = 0                 # jobs handed to the executor (set once they are known)
        self.executed: list[float] = []     # seconds of each one that came back

    def eta(self) -> float | None:
        """Seconds left: the jobs not back yet times the mean time of those back, over the workers (cached rows
        and rows without a notebook cost nothing, so they do not skew it)."""
        if not self.executed:
            return None
        left = max(0, self.to_execute - len(self.executed))
        return sum(self.executed) / len(self.executed) * left / max(1, min(self.workers, left or 1))

    def finish(self, sub: Submission, row: Row, result: dict | None) -> bool:
        if row.student_id in self.rows or any(r.student_id == row.student_id for _, r, _ in self.unwritten):
            self.logger.info("%s: a second result arrived and was ignored (%s)", row.student_id, row.status)
            return False
        try:
            if result is not None:
                _store(self.out, self.chapter, row, result, self.source)
        except Exception as exc:
            self.logger.warning("%s: could not write the results (%s); trying again at the end", row.student_id, exc)
            self.unwritten.append((sub, row, result))
            return True
        self.record(sub, row)
        return True

    def record(self, sub: Submission, row: Row, to_gradebook: bool = True) -> None:
        self.rows[row.student_id] = row
        if to_gradebook:
            self.book.submit(row.student_id, row.scores, sub.raw is not None and row.status == "graded")
        if not row.cached and row.seconds and sub.raw is not None and "interrupted" not in row.flags:
            self.executed.append(row.seconds)
        line = _progress(len(self.rows), self.total, row, self.eta())
        _say(self.log, line)
        why = "; ".join(f"{test}: {message}" for test, message in sorted(row.messages.items()) if message)
        self.logger.info("%s origin=%s %s%s", line, sub.origin, row.detail.replace("\n", " | ")[:2000],
                         f" tests failed: {why[:4000]}" if why else "")

    def retry_unwritten(self) -> None:
        for sub, row, result in self.unwritten:
            try:
                _store(self.out, self.chapter, row, result, self.source)
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


def check_inputs(chapter: str, submissions: Path, out: Path) -> None:
    """Bad input stops here with a message naming what was expected and the valid choices (no traceback)."""
    import zipfile
    from autograder.settings import chapters
    if not solution_path(chapter).exists():
        valid = chapters()
        raise SystemExit(f"unknown chapter {chapter!r}: choose one of {', '.join(valid) or '(no chapter has a solution)'}")
    submissions, out = Path(submissions), Path(out)
    if not submissions.exists():
        raise SystemExit(f"--submissions {submissions}: no such folder or file; expected a folder of submissions "
                         "(<student_id>/<chapter>.ipynb) or a Canvas or Moodle download (folder or zip)")
    if submissions.is_file() and not zipfile.is_zipfile(submissions):
        raise SystemExit(f"--submissions {submissions} is a file but not a zip: expected a folder of submissions or "
                         "the zip a Canvas or Moodle download gives")
    if out.exists() and not out.is_dir():
        raise SystemExit(f"--out {out} is a file: expected a folder (created if missing) for grades.csv, feedback/ "
                         "and the log")
    try:
        (out / "results").mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise SystemExit(f"--out {out}: cannot create this folder ({exc.strerror or exc}); expected a folder "
                         "that can be written") from None


def grade(chapter: str, submissions: Path, out: Path, workers: int | None = None, log=print,
          options: Options | None = None, gradebook_url: str | None = None, force: bool = False,
          executor=None, executor_name: str = "local", scheduler: str | None = None,
          policy: latework.Policy | None = None, only: list[str] | None = None) -> list[Row]:
    """Grade every submission of `chapter` in `submissions` (a folder, or an LMS download zip) into `out`.
    `executor`: any concurrent.futures.Executor; else one of executors.EXECUTORS by name (a local process pool of
    `workers` processes by default; `dask` with `scheduler` for a Dask cluster's address). `policy`: late work
    (late.py). `only`: grade just these students again (forced); every other row and gradebook entry stays.
    Ctrl-C stops it cleanly (see interrupt.py); rows of students it did not grade carry the flag `interrupted`."""
    import tempfile
    from autograder.submissions import unpack
    check_inputs(chapter, submissions, out)
    submissions = Path(submissions)
    with tempfile.TemporaryDirectory(prefix="ag-submissions-") as unpacked:
        skipped: list = []
        if submissions.is_file():
            try:
                skipped = unpack(submissions, Path(unpacked))
            except ValueError as exc:
                raise SystemExit(f"--submissions: {exc}") from None
            submissions = Path(unpacked)
        with interrupt.Interrupts(log) as stop:
            return _grade(chapter, submissions, out, workers, log, options, gradebook_url, force, executor,
                          executor_name, scheduler, stop, policy or latework.Policy(), only, skipped)


def read_students(out: Path) -> dict:
    """OUT/students.json: {student id: {name, layout, late, submitted_at, origin}} from every run over OUT."""
    try:
        data = json.loads((out / "students.json").read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def refeed(out: Path, chapter: str, row: Row, source, show_hidden: bool) -> None:
    """Render a cached student's feedback page again when it should now show (or hide) the hidden tests' code
    (--reveal-hidden-after): from the executed notebook and the stored result, without running anything."""
    from autograder import feedback, judge
    folder = student_dir(row.student_id)
    page = out / "feedback" / folder / f"{chapter}.html"
    try:
        if feedback.shows_hidden(page.read_text(encoding="utf-8")) == show_hidden:
            return
        executed = nbs.read(out / "executed" / folder / f"{chapter}.ipynb")
    except (OSError, ValueError, nbs.NotebookError):
        return
    points = test_ids(chapter)[1]
    outcome = judge.Outcome(scores=dict(row.scores), max_points={t: points.get(t, 0.0) for t in row.scores},
                            messages=dict(row.messages))
    _write_atomic(page, feedback.render(row.student_id, chapter, executed, outcome, row.flags,
                                        show_hidden=show_hidden).encode("utf-8"))


def solution_time_key(solution: bytes, options: Options) -> str:
    return hashlib.sha256(solution + grader_fingerprint().encode() + options.isolation.encode()
                          + options.plan.encode()).hexdigest()


def measure_solution(pool, out: Path, chapter: str, solution: bytes, seed: int, options: Options, log, logger) -> float:
    """Seconds the model solution takes to grade on this machine now, measured once per OUT, solution and grader
    (OUT/solution_time.json), so the limits it sets and the cache keys they enter stay the same on every re-run."""
    from autograder.job import new_job, run_job_safely
    key = solution_time_key(solution, options)
    path = out / "solution_time.json"
    try:
        known = json.loads(path.read_text(encoding="utf-8"))
        return float(known[key])
    except (OSError, ValueError, KeyError, TypeError):
        pass
    log("measuring the model solution's time on this machine (for --timeout "
        f"{options.timeout_factor:g}x)")
    job = new_job(chapter, solution, solution, seed, "model solution", isolation=options.isolation,
                  memory_mb=options.memory_mb, max_procs=options.max_procs, cell_timeout=options.cell_timeout,
                  timeout_s=options.timeout_s, plan=options.plan)
    result = pool.submit(run_job_safely, job).result()
    if result.get("status") != "graded" or result.get("flags") and set(result["flags"]) - {"not_isolated"}:
        raise SystemExit(f"--timeout {options.timeout_factor:g}x: the model solution could not be measured "
                         f"({result.get('status')}, flags {result.get('flags')}: {str(result.get('detail'))[-300:]}); "
                         "give the limit in seconds instead")
    seconds = float(result["seconds"])
    _write_atomic(path, json.dumps({key: seconds}).encode())
    logger.info("model solution graded in %.1f s on this machine", seconds)
    return seconds


def _remember_students(out: Path, subs: list[Submission]) -> dict:
    known = read_students(out)
    for sub in subs:
        known[sub.student_id] = {"name": sub.name, "layout": sub.layout, "late": sub.late,
                                 "submitted_at": sub.submitted_at, "origin": sub.origin}
    _write_atomic(out / "students.json", json.dumps(known, indent=1, sort_keys=True).encode("utf-8", "backslashreplace"))
    return known


def _previous(out: Path, sub: Submission) -> Row:
    """The row a student had before (a run with --only that does not name them leaves it as it was)."""
    try:
        data = json.loads((out / "results" / f"{student_dir(sub.student_id)}.json").read_text(encoding="utf-8"))
        row = Row(**{k: v for k, v in data.items() if k in Row.__dataclass_fields__})
        row.cached = True
        return row
    except (OSError, ValueError, TypeError):
        return Row(sub.student_id, flags=sorted(set(sub.flags) | {"not_selected"}),
                   detail="not graded yet: this run graded only the students named by --only")


def _select(subs: list[Submission], only: list[str] | None) -> set:
    if only is None:
        return {sub.student_id for sub in subs}
    known = {sub.student_id for sub in subs}
    unknown = [sid for sid in only if sid not in known]
    if unknown:
        import difflib
        hints = [f"{sid!r} (did you mean {', '.join(map(repr, difflib.get_close_matches(sid, known, 2)))}?)"
                 if difflib.get_close_matches(sid, known, 2) else repr(sid) for sid in unknown]
        raise SystemExit(f"--only: no submission for {', '.join(hints)}; the ids are those grades.csv shows "
                         f"({len(known)} students found, e.g. {', '.join(sorted(known)[:5])})")
    return set(only)


def summary(rows: list[Row], skipped: list, max_score: float, slowest: int = 3) -> list[str]:
    """The table printed after a batch: rows, graded, failed by flag, score distribution, slowest, not graded."""
    graded = [r for r in rows if r.status == "graded"]
    counts: dict = {}
    for row in rows:
        for flag in set(row.flags):
            counts[flag] = counts.get(flag, 0) + 1
    lines = ["", "summary", f"  rows                       {len(rows)}",
             f"  graded                     {len(graded)}", f"  not graded                 {len(rows) - len(graded)}"]
    for flag, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        lines.append(f"  flag {flag:<21} {n}")
    if graded and max_score:
        bands = [0] * 5                                # 0-25%, 25-50%, 50-75%, 75-<100%, full
        for row in graded:
            share = sum(row.scores.values()) / max_score
            bands[4 if share >= 1 else min(3, int(share * 4))] += 1
        labels = ["0-25%", "25-50%", "50-75%", "75-99%", "100%"]
        lines.append(f"  scores (of {max_score:g})")
        lines += [f"    {label:<8} {'#' * n}{' ' if n else ''}{n}" for label, n in zip(labels, bands)]
    ran = sorted((r for r in rows if not r.cached and r.seconds), key=lambda r: -r.seconds)[:slowest]
    if ran:
        lines.append("  slowest                    " + ", ".join(f"{r.student_id} {r.seconds:.1f} s" for r in ran))
    if skipped:
        lines.append(f"  files not graded           {len(skipped)} (each with its reason in grading.log)")
        lines += [f"    {path}: {why}" for path, why in skipped[:10]]
        if len(skipped) > 10:
            lines.append(f"    ... and {len(skipped) - 10} more")
    return lines


def remember_policy(out: Path, policy: latework.Policy) -> None:
    """OUT/late_policy.json: the late policy of the last run, so `export` computes the same totals."""
    data = {"kind": policy.kind, "percent": policy.percent, "cap": policy.cap,
            "deadline": policy.deadline.isoformat() if policy.deadline else None,
            "extensions": {k: v.isoformat() for k, v in policy.extensions.items()}}
    _write_atomic(out / "late_policy.json", json.dumps(data, indent=1, sort_keys=True).encode("utf-8", "backslashreplace"))


def read_policy(out: Path) -> latework.Policy:
    try:
        data = json.loads((out / "late_policy.json").read_text(encoding="utf-8"))
        return latework.Policy(data["kind"], float(data["percent"]), float(data["cap"]),
                               latework.parse_time(data["deadline"]) if data.get("deadline") else None,
                               {k: latework.parse_time(v) for k, v in (data.get("extensions") or {}).items()})
    except (OSError, ValueError, KeyError, TypeError):
        return latework.Policy()


def rows_from_csv(out: Path) -> tuple[str, list[Row]]:
    """(chapter, rows) as grades.csv holds them; ids back as they were (grades.csv shows them neutralised)."""
    import csv
    path = out / "grades.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        data = list(reader)
    if not data:
        raise ValueError(f"{path} has no rows")
    chapter = data[0]["assignment"]
    ids = {safe.csv_cell(sid): sid for sid in read_students(out)}
    tests = test_ids(chapter)[1]
    rows = []
    for item in data:
        sid = ids.get(item["student_id"], item["student_id"])
        rows.append(Row(sid, status=item["status"], flags=[f for f in item["flags"].split(";") if f],
                        scores={t: float(item.get(t) or 0) for t in tests}))
    return chapter, rows


def refresh(out: Path, gradebook_url: str | None = None) -> tuple[str, list[Row], dict]:
    """Read the hand grades back from the gradebook and rewrite grades.csv with them (no notebook runs):
    (chapter, rows, {student: Totals})."""
    from autograder.gradebook import default_url, read_hand_grades
    out = Path(out)
    chapter, rows = rows_from_csv(out)
    tests, manual = test_ids(chapter)[1], manual_ids(chapter)
    hand = read_hand_grades(gradebook_url or default_url(out), chapter, [r.student_id for r in rows],
                            list(tests) + list(manual))
    students, policy = read_students(out), read_policy(out)
    totals = {r.student_id: student_totals(r, tests, manual, hand.get(r.student_id, {}),
                                           students.get(r.student_id, {}), policy) for r in rows}
    write_csv(out / "grades.csv", chapter, rows, totals)
    _late_notes(out, chapter, rows, totals, set(totals))
    from autograder.gradebook import write_late
    write_late(gradebook_url or default_url(out), chapter,
               {sid: (students.get(sid, {}).get("submitted_at"), t.penalty) for sid, t in totals.items()})
    return chapter, rows, totals


def _late_notes(out: Path, chapter: str, rows: list[Row], totals: dict, selected: set) -> None:
    """The late penalty in each graded student's feedback page (re-applied on every run, no re-execution)."""
    from autograder.feedback import with_late_note
    for row in rows:
        if row.student_id not in selected or row.status != "graded":
            continue
        page = out / "feedback" / student_dir(row.student_id) / f"{chapter}.html"
        try:
            text = page.read_text(encoding="utf-8")
        except OSError:
            continue
        updated = with_late_note(text, totals[row.student_id].late_note)
        if updated != text:
            _write_atomic(page, updated.encode("utf-8"))


def _grade(chapter, submissions, out, workers, log, options, gradebook_url, force, executor, executor_name,
           scheduler, stop: interrupt.Interrupts, policy: latework.Policy, only, skipped) -> list[Row]:
    from autograder import executors, lms, preflight
    from autograder.job import new_job
    options = options or Options()
    found: Found = find(Path(submissions), chapter)
    subs = found.submissions
    skipped = skipped + found.skipped
    selected = _select(subs, only)
    out = Path(out)
    seed = batch_seed(out, options)
    solution = solution_path(chapter).read_bytes()
    source = nbs.reads(solution, chapter)
    logger, handler = _start_log(out, chapter)
    layouts = ", ".join(f"{lms.LAYOUT_NAMES.get(k, k)} ({n})" for k, n in sorted(found.layouts.items()))
    log(f"submissions: {layouts or 'none found'}" + (f"; {len(skipped)} file(s) not graded, listed below"
                                                     if skipped else ""))
    logger.info("submissions in %s: %s", submissions, layouts or "none found")
    for path, why in skipped:
        logger.info("not graded: %s: %s", path, why)
    students = _remember_students(out, subs)
    workers = max(1, workers or default_workers())
    owned = executor is None
    try:
        pool = (executors.start(executor_name, workers, scheduler, log=log, logs=out / "slurm",
                                timeout_s=options.timeout_s, memory_mb=options.memory_mb) if owned else executor)
    except ValueError as exc:                  # a wrong executor, scheduler address or Slurm setting
        logger.removeHandler(handler)
        handler.close()
        raise SystemExit(str(exc)) from None
    from autograder.gradebook import GradebookWriter, default_url, read_hand_grades, write_late
    url = gradebook_url or default_url(out)
    book = GradebookWriter(url, chapter, source)
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
        log(f"grading {len(selected)} submission(s) of {chapter} on {executors.describe(pool, workers)}, "
            f"isolation: {options.isolation}" + (f" (--only: the other {len(subs) - len(selected)} rows stay "
                                                  "as they were)" if only is not None else ""))
        solution_s = None
        if options.timeout_factor and any(s.raw is not None and s.student_id in selected for s in subs):
            solution_s = measure_solution(pool, out, chapter, solution, seed, options, log, logger)
            options.timeout_s = int(max(MIN_RELATIVE_TIMEOUT_S, options.timeout_factor * solution_s))
            log(f"time limit per submission: {options.timeout_s} s ({options.timeout_factor:g} x the model "
                f"solution's {solution_s:.1f} s on this machine)")
        ledger = Ledger(out, chapter, book, len(subs), log, logger, workers, source)
        jobs: dict[str, dict] = {}
        todo: dict[str, tuple[Submission, str]] = {}
        for sub in subs:
            if sub.student_id not in selected:
                ledger.record(sub, _previous(out, sub), to_gradebook=False)
                continue
            if sub.raw is None:
                ledger.finish(sub, Row(sub.student_id, flags=sorted(set(sub.flags)),
                                       detail="; ".join(flagdefs.text(f) for f in sub.flags) or "no notebook found"),
                              {})
                continue
            key = cache_key(sub.raw, solution, seed, options)
            cached = None if (force or only is not None) else _cached(out / "results", sub, key, out, chapter)
            if cached is not None:
                cached.flags = sorted(set(cached.flags) | set(sub.flags))
                refeed(out, chapter, cached, source, options.show_hidden)
                ledger.finish(sub, cached, None)
                continue
            jobs[sub.student_id] = new_job(chapter, sub.raw, solution, seed, sub.student_id,
                                           isolation=options.isolation, memory_mb=options.memory_mb,
                                           max_procs=options.max_procs, cell_timeout=options.cell_timeout,
                                           timeout_s=options.timeout_s, show_hidden=options.show_hidden,
                                           plan=options.plan)
            todo[sub.student_id] = (sub, key)
        ledger.to_execute = len(jobs)

        def on_result(sid: str, result: dict) -> None:
            sub, key = todo[sid]
            row = _row(sub, result, key)
            ran_in_full = {"ran_in_full", "regraded_in_full"} & set(row.flags)   # the grader's choice, not slowness
            if solution_s and row.status == "graded" and row.seconds > SLOW_FACTOR * solution_s and not ran_in_full:
                row.flags = sorted(set(row.flags) | {"slow"})
            ledger.finish(sub, row, result)

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
    tests = test_ids(chapter)[1]
    manual = manual_ids(chapter)
    hand = read_hand_grades(url, chapter, [r.student_id for r in rows], list(tests) + list(manual))
    totals = {r.student_id: student_totals(r, tests, manual, hand.get(r.student_id, {}), students.get(r.student_id, {}),
                                           policy) for r in rows}
    # always written: a policy removed since the last run clears its penalties too
    for problem in write_late(url, chapter, {sid: (students.get(sid, {}).get("submitted_at"), t.penalty)
                                             for sid, t in totals.items() if sid in selected}):
        log(f"WARNING: {problem}")
        logger.warning(problem)
    _late_notes(out, chapter, rows, totals, selected)
    remember_policy(out, policy)
    write_csv(out / "grades.csv", chapter, rows, totals)
    flagged = write_review(out / "review.csv", rows)
    elapsed = time.monotonic() - ledger.started
    max_score = sum(tests.values())
    for line in summary(rows, skipped, max_score):
        _say(log, line)
        if line.strip():
            logger.info("summary: %s", line.strip())
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
