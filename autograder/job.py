"""`run_job(job) -> result`: grade one submission. The seam every executor submits to.

Plain data in, plain data out: the job carries the notebook's bytes, the chapter's solution notebook and the
settings; the result carries the row (status, flags, scores, messages), the executed notebook and the feedback
page as text. No path of the grading host travels in either direction and nothing is written outside a private
temporary folder, so the same function runs in a local process pool or on a Dask worker on another machine;
only the coordinator (grade.py) writes OUT.

Inside, small steps in order (nbgrader's preprocessor style):

    read_submission -> restore_cells -> scan -> prune -> instrument -> execute (sandbox, watchdog, limits)
                    -> read_records [-> everything again when the pruned run failed as a missing cell would]
                    -> judge -> mark_failures -> sanitize -> feedback

The process running it never executes student code: the kernel does, in its sandbox, as a child process that
the watchdog measures and that is killed, with everything it started, when the job ends.
"""
from __future__ import annotations

import asyncio
import os
import resource
import shutil
import tempfile
import threading
import time
import traceback

from autograder import (executor, feedback, instrument, judge, notebooks as nbs, preflight, prune, restore, sandbox,
                        sanitize, scan)
from autograder.fingerprint import grader_fingerprint
from autograder.settings import PLAN, CELL_TIMEOUT_S, FILE_SIZE_LIMIT_MB, MAX_PROCESSES, MEMORY_LIMIT_MB, NOTEBOOK_TIMEOUT_S
from autograder.watchdog import Watchdog, kill_tree

PR_SET_CHILD_SUBREAPER = 36
PR_SET_PDEATHSIG = 1
_PREPARED = False
_ONE_AT_A_TIME = threading.Lock()   # the watchdog measures all our children: never two jobs at once in a process


def prepare_process() -> None:
    """Once per grading process: orphans of a kernel come back to us to be killed, we die with our parent,
    and the kernel inherits no core dumps and a cap on file size. A pool worker ignores Ctrl-C (the terminal
    sends it to the whole process group; the coordinator decides what stops: interrupt.py)."""
    global _PREPARED
    if _PREPARED:
        return
    _PREPARED = True
    import multiprocessing
    import signal
    parent = multiprocessing.parent_process()
    die_with_parent = os.environ.get("AUTOGRADER_DIE_WITH_PARENT", "1") == "1"
    try:
        import ctypes
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
        if die_with_parent:
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except Exception:
        pass
    if parent is not None:
        if die_with_parent and os.getppid() != parent.pid:     # the coordinator died before the prctl took hold
            os._exit(1)
    # A Dask worker runs jobs in a thread of its own process (whose Ctrl-C is Dask's business): signal handlers
    # can only be set from a main thread.
    if parent is not None and threading.current_thread() is threading.main_thread():
        # ignored, and blocked too: nbclient installs its own SIGINT handler while it runs a notebook. Kernels
        # start through sandbox.launcher, which unblocks it (their interrupts are SIGINTs).
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        if hasattr(signal, "pthread_sigmask"):
            signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    for what, value in ((resource.RLIMIT_CORE, 0), (resource.RLIMIT_FSIZE, FILE_SIZE_LIMIT_MB << 20)):
        try:
            resource.setrlimit(what, (value, value))
        except (ValueError, OSError):
            pass
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def new_job(chapter: str, notebook: bytes, solution: bytes, seed: int, label: str = "", *,
            isolation: str = "auto", memory_mb: int = MEMORY_LIMIT_MB, max_procs: int = MAX_PROCESSES,
            cell_timeout: int = CELL_TIMEOUT_S, timeout_s: int = NOTEBOOK_TIMEOUT_S, show_hidden: bool = False,
            plan: str = PLAN) -> dict:
    return {"grader": grader_fingerprint(), "chapter": chapter, "notebook": notebook, "solution": solution,
            "seed": int(seed), "label": label,
            "isolation": isolation, "memory_mb": memory_mb, "max_procs": max_procs, "cell_timeout": cell_timeout,
            "timeout_s": timeout_s, "show_hidden": show_hidden, "plan": plan}


def _failed(flags: list, detail: str, started: float) -> dict:
    return {"status": "failed", "flags": sorted(set(flags)), "scores": {}, "max_points": {}, "messages": {},
            "findings": [], "detail": detail, "seconds": time.monotonic() - started, "peak_mb": 0.0,
            "executed": None, "feedback": None}


def mark_failures(executed, outcome) -> None:
    """Show the judge's verdict in each failed test cell that shows no error of its own (formgrader and the
    feedback page then say why, as nbgrader would)."""
    for cell in nbs.test_cells(executed):
        gid = nbs.grade_id(cell)
        message = outcome.messages.get(gid)
        if message and not nbs.error_message(cell):
            from nbformat.v4 import new_output
            cell.setdefault("outputs", []).append(new_output("error", ename="AssertionError", evalue=message,
                                                             traceback=[f"AssertionError: {message}"]))


SYNTAX_ERRORS = ("SyntaxError", "IndentationError", "TabError")


def syntax_errors(executed) -> dict:
    """{exercise grade_id: 'SyntaxError: ...'} for every answer cell that could not even be parsed."""
    found = {}
    for cell in executed.cells:
        if cell.get("cell_type") == "code" and nbs.is_solution_cell(cell) and not nbs.is_test_cell(cell):
            message = nbs.error_message(cell) or ""
            if message.startswith(SYNTAX_ERRORS):
                found[nbs.grade_id(cell) or "an exercise"] = message
    return found


def explain_name_errors(outcome, broken: dict) -> None:
    """A test failing with NameError after an answer cell's syntax error says so (the name was never defined)."""
    where = ", ".join(sorted(broken))
    for gid, message in outcome.messages.items():
        if message.startswith("NameError"):
            outcome.messages[gid] = f"{message} (the answer cell {where} has a syntax error, so it defined nothing)"


def _execute(nb, source, job: dict, level: str) -> dict:
    """Run the restored notebook `nb` once in a sandboxed kernel and read its records back: the to_run notebook
    (executed), the client, the watchdog, run flags, and read_records' results; `cell_errors` are the errors of
    the cells that ran besides the tests ({'cell N': 'Name: message'}), for the pruned plan's safety net."""
    to_run, plan = instrument.instrument(nb, judge.exercise_names(source), job["seed"])
    tmp = tempfile.mkdtemp(prefix="ag-")          # mode 700: the kernel's sockets and scratch space
    dog = Watchdog(os.getpid(), job.get("memory_mb", MEMORY_LIMIT_MB), job.get("max_procs", MAX_PROCESSES))
    try:
        os.mkdir(os.path.join(tmp, "ipc"))
        os.mkdir(os.path.join(tmp, "scratch"))
        dog.start()
        deadline = max(10, job.get("timeout_s", NOTEBOOK_TIMEOUT_S) - 15)
        with open(os.path.join(tmp, "kernel.log"), "ab") as log:
            run_flags, client = executor.run(to_run, level, os.path.join(tmp, "ipc"), os.path.join(tmp, "scratch"),
                                             log_file=log, cell_timeout=job.get("cell_timeout", CELL_TIMEOUT_S),
                                             deadline_s=deadline, max_procs=job.get("max_procs", MAX_PROCESSES))
    finally:
        dog.stop()
        kill_tree(os.getpid(), include_root=False)
        shutil.rmtree(tmp, ignore_errors=True)
    cell_errors = {f"cell {i}": nbs.error_message(c) for i, c in enumerate(to_run.cells)
                   if c.get("cell_type") == "code" and not c.get("metadata", {}).get(instrument.ROLE)
                   and nbs.error_message(c)}
    executed, records, errors, record_flags = instrument.read_records(to_run, plan, client.replies)
    return {"to_run": to_run, "client": client, "dog": dog, "run_flags": run_flags, "cell_errors": cell_errors,
            "executed": executed, "records": records, "errors": errors, "record_flags": record_flags}


def run_job(job: dict) -> dict:
    """Grade one submission; always returns a result (see the module docstring)."""
    prepare_process()
    started = time.monotonic()
    chapter = job["chapter"]
    try:
        source = nbs.reads(job["solution"], f"{chapter}.ipynb")
    except nbs.NotebookError as exc:
        return _failed(["grader_error"], f"the course's solution notebook is unreadable: {exc}", started)
    try:
        submission, flags = nbs.read_submission(job["notebook"], f"{chapter}.ipynb")
        nb, restore_flags = restore.restore_cells(submission, source)
    except Exception as exc:               # nothing readable: one failed row, no kernel
        return _failed(["malformed_notebook"], str(exc)[:500], started)
    flags += restore_flags
    findings = scan.scan(nb)
    flags += scan.flags(findings)
    try:
        level = sandbox.detect(job.get("isolation", "auto"))
    except RuntimeError:           # a worker that joined after the preflight: say why, on the worker's terms
        try:
            preflight.check(job.get("isolation", "auto"))
            why = "isolation failed on this worker"
        except preflight.PreflightError as exc:
            why = str(exc)
        return _failed(["grader_error"], why, started)
    judge.prefetch(source, job["seed"], shared=level == "bwrap")      # the store is out of a bwrap kernel's sight
    pruned = None
    if job.get("plan", "full") == "pruned":
        pruned = prune.plan(nb, source)
        if pruned.unfollowable:
            flags.append("ran_in_full")
            pruned = None
    attempt = _execute(prune.mark(nb, pruned) if pruned else nb, source, job, level)
    if pruned and not attempt["dog"].reason:
        suspects = prune.suspect({**attempt["errors"], **attempt["cell_errors"]}, *prune.provided(nb, pruned))
        if suspects:               # a cell left out may be missing: grade again with every cell
            flags.append("regraded_in_full")
            first_peak = attempt["dog"].peak_mb
            attempt = _execute(nb, source, job, level)
            attempt["dog"].peak_mb = max(attempt["dog"].peak_mb, first_peak)
    dog, client, to_run = attempt["dog"], attempt["client"], attempt["to_run"]
    flags += attempt["run_flags"]
    if dog.reason:
        flags.append(dog.reason)
        flags = [f for f in flags if f != "kernel_died"]     # we killed it: the limit is the reason
    problem = instrument.setup_failed(to_run, client.replies)
    if problem and not dog.reason:
        return _failed(flags + ["grader_error"], problem, started)
    executed, records, errors, record_flags = attempt["executed"], attempt["records"], attempt["errors"], \
        attempt["record_flags"]
    flags += record_flags
    if level not in ("bwrap", sandbox.CONTAINER):
        flags.append("not_isolated")
    try:
        outcome = judge.score(source, job["seed"], records, errors)
    except judge.JudgeError as exc:
        return _failed(flags + ["grader_error"], str(exc), started)
    broken = syntax_errors(executed)
    if broken:
        flags.append("syntax_error")
        explain_name_errors(outcome, broken)
    mark_failures(executed, outcome)
    sanitize.notebook(executed, course_texts={c.source for c in source.cells if c.get("cell_type") == "markdown"})
    flags = sorted(set(flags))
    page = feedback.render(job.get("label") or "student", chapter, executed, outcome, flags,
                           show_hidden=job.get("show_hidden", False))
    detail = f"stopped: {dog.reason.replace('_', ' ')}" if dog.reason else ""
    return {"status": "graded", "flags": flags, "scores": outcome.scores, "max_points": outcome.max_points,
            "messages": outcome.messages, "detail": detail, "seconds": time.monotonic() - started,
            "peak_mb": round(dog.peak_mb, 1), "peak_procs": dog.peak_procs, "executed": nbs.dumps(executed), "feedback": page,
            "findings": [{"source": "scan", "severity": f.severity, "what": f"{f.cell} line {f.line}: {f.why} ({f.rule})",
                          "code": f.code} for f in findings]}


def run_job_safely(job: dict) -> dict:
    """run_job, with any failure of the grader itself turned into a `grader_error` result."""
    started = time.monotonic()
    mine = grader_fingerprint()
    if job.get("grader", mine) != mine:
        return _failed(["grader_error"], f"this worker runs another grader (fingerprint {mine}, the coordinator's "
                       f"{job['grader']}): install the coordinator's commit of the course on every worker", started)
    try:
        with _ONE_AT_A_TIME:
            return run_job(job)
    except (Exception, asyncio.CancelledError):
        return _failed(["grader_error"], traceback.format_exc()[-2000:], started)
