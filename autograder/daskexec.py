"""Grading on Dask: one Python API for a laptop (LocalCluster), a lab's machines or Kubernetes (a scheduler's
address) and Slurm (dask-jobqueue). Imported only when `--executor dask` or `slurm` is chosen.

What Dask does that the coordinator (grade.py) has to live with, and what this module does about it:

- At least once: Dask runs a task again when its worker dies (and so may the coordinator, for `worker_lost`).
  `run_job` is pure (bytes in, result out, no writes outside a private temporary folder), and the coordinator
  records one row per student whatever arrives, so a second run costs time, never a second row.
- Results held in a dead worker's memory are recomputed: each result is fetched the moment it is ready and
  its key released at once, so nothing finished stays on a worker to be lost and graded again.
- One task at a time per process: `run_job` measures and kills all children of its process, so every worker
  process gets one thread (LocalCluster, SLURMCluster; `--nthreads 1` for workers started by hand, which the
  preflight checks). A lock in job.run_job_safely keeps a worker with more threads correct, only slower.
- Dask's worker memory limit sees the worker process, not its children (the student's kernel): the sandbox's
  watchdog keeps enforcing the per-submission limit; LocalCluster runs with Dask's own limit off.
- Code must live in importable modules: tasks are `autograder.job.run_job_safely`, and every worker must have
  the coordinator's commit installed (its fingerprint is checked before the batch and in every job).
"""
from __future__ import annotations

import concurrent.futures as cf
import logging
import math
import os
import re
import sys
import threading
import time
import uuid
from pathlib import Path

from distributed import Client, LocalCluster

from autograder import preflight as checks, sandbox
from autograder.fingerprint import grader_fingerprint
from autograder.settings import MEMORY_LIMIT_MB, NOTEBOOK_TIMEOUT_S

WAIT_FOR_WORKERS_S = int(os.environ.get("AUTOGRADER_DASK_WAIT_S", "300"))   # a Slurm queue can be slow
WORKER_MB = 2048                 # a worker's own memory (the judge imports the frameworks), besides the kernel's
LIFETIME_MARGIN_S = 300          # a Slurm worker retires this long before its walltime
CAPACITY_TTL_S = 5               # how long the cluster's thread count is trusted (clusters grow and shrink)


class DaskExecutor(cf.Executor):
    """A concurrent.futures.Executor on a distributed.Client (see the module docstring)."""

    def __init__(self, client: Client, cluster=None, where: str = ""):
        self.client, self.cluster, self.where = client, cluster, where
        self._live: set = set()
        self._lock = threading.Lock()
        self._capacity = (0.0, 0)               # (when, threads): asked of the scheduler at most every few seconds

    def submit(self, fn, /, *args, **kwargs) -> cf.Future:
        key = f"{getattr(fn, '__name__', 'task')}-{uuid.uuid4().hex}"
        future = self.client.submit(fn, *args, key=key, pure=False, **kwargs)   # pure=False: a retry is a new task
        out: cf.Future = cf.Future()
        out.set_running_or_notify_cancel()
        with self._lock:
            self._live.add(future)

        def cascade(done) -> None:
            try:
                out.set_result(done.result())
            except Exception as exc:                 # KilledWorker and friends: the coordinator's worker_lost
                out.set_exception(exc)
            except BaseException as exc:             # a cancelled task raises asyncio's CancelledError
                out.set_exception(RuntimeError(f"task {type(exc).__name__}: {exc}"))
            finally:
                with self._lock:
                    self._live.discard(done)
                done.release()                       # nothing finished stays on a worker to be recomputed

        future.add_done_callback(cascade)
        return out

    def workers(self) -> dict:
        return self.client.scheduler_info(n_workers=-1)["workers"]

    def capacity(self) -> int:
        when, threads = self._capacity
        if time.monotonic() - when > CAPACITY_TTL_S:
            threads = sum(w.get("nthreads", 1) for w in self.workers().values())
            self._capacity = (time.monotonic(), threads)
        return threads

    def describe(self) -> str:
        workers = self.workers()
        threads = sum(w.get("nthreads", 1) for w in workers.values())
        return (f"Dask at {self.client.scheduler.address}{self.where}: {len(workers)} worker process(es), "
                f"{threads} thread(s)")

    def wait_for_workers(self) -> None:
        if self.workers():
            return
        try:
            self.client.wait_for_workers(1, timeout=WAIT_FOR_WORKERS_S)
        except (TimeoutError, OSError) as exc:
            raise checks.PreflightError(
                f"no Dask worker joined {self.client.scheduler.address} within {WAIT_FOR_WORKERS_S} s "
                f"({type(exc).__name__}); start workers with `dask worker {self.client.scheduler.address} "
                f"--nthreads 1`, or wait longer with AUTOGRADER_DASK_WAIT_S") from None

    def preflight(self, wanted: str) -> checks.Verdict:
        """On every worker: the same grader as ours, and the isolation level that works there."""
        self.wait_for_workers()
        mine = grader_fingerprint()
        theirs = self.client.run(grader_fingerprint, on_error="return")
        other = {addr: fp for addr, fp in theirs.items() if fp != mine}
        if other:
            addr, fp = next(iter(other.items()))
            raise checks.PreflightError(
                f"{len(other)} of {len(theirs)} Dask worker(s) run another grader (e.g. {addr}: {fp!r}; this one: "
                f"{mine}): install this commit of the course on every worker")
        verdicts = self.client.run(checks.check, wanted, on_error="return")
        failed = {addr: v for addr, v in verdicts.items() if isinstance(v, BaseException)}
        if failed:
            addr, exc = next(iter(failed.items()))
            raise checks.PreflightError(f"isolation {wanted} fails on {len(failed)} of {len(verdicts)} Dask "
                                        f"worker(s); on {addr}: {exc}")
        order = sandbox.LEVELS + (sandbox.CONTAINER,)
        levels = {v.level for v in verdicts.values()}
        level = max(levels, key=order.index)         # the weakest that works everywhere: one level per batch
        notes = sorted({note for v in verdicts.values() for note in v.notes})
        if len(levels) > 1:
            notes.append(f"workers differ in the isolation that works ({', '.join(sorted(levels))}): all grade "
                         f"with {level}; install bubblewrap on every worker")
        busy = [addr for addr, w in self.workers().items() if w.get("nthreads", 1) > 1]
        if busy:
            notes.append(f"{len(busy)} worker(s) run several threads (e.g. {busy[0]}) but grade one submission at a "
                         "time per process: start workers with `--nthreads 1` and more `--nworkers`")
        return checks.Verdict(level, notes)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        with self._lock:
            live = list(self._live)
        if cancel_futures and live:
            self.client.cancel(live)
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()


def local_cluster(workers: int) -> DaskExecutor:
    """A LocalCluster on 127.0.0.1: `workers` processes with one thread each, Dask's memory limit off."""
    cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                           dashboard_address=None, memory_limit=0, silence_logs=logging.ERROR)
    return DaskExecutor(Client(cluster), cluster, " (a LocalCluster)")


def connect(address: str, log=print) -> DaskExecutor:
    """The Dask cluster whose scheduler listens at `address` (tcp://HOST:PORT)."""
    if not re.match(r"^(tcp|tls|ws|wss|inproc|ucx)://", address):
        raise ValueError(f"--scheduler must be a Dask address such as tcp://HOST:8786, not {address!r}")
    try:
        client = Client(address, timeout="30s")
    except OSError as exc:
        raise SystemExit(f"cannot reach the Dask scheduler at {address}: {exc}") from None
    return DaskExecutor(client)


def walltime_seconds(walltime: str) -> int:
    """Slurm's time formats: M, M:S, H:M:S, D-H, D-H:M, D-H:M:S."""
    days, clock = walltime.split("-", 1) if "-" in walltime else ("0", walltime)
    parts = [int(p) for p in clock.split(":")]
    if "-" in walltime:                       # after days, the first field is hours
        h, m, s = (parts + [0, 0])[:3]
    elif len(parts) == 3:
        h, m, s = parts
    else:                                     # M or M:S
        h, m, s = 0, parts[0], (parts[1] if len(parts) > 1 else 0)
    return int(days) * 86400 + h * 3600 + m * 60 + s


def slurm_settings(workers: int, timeout_s: int = NOTEBOOK_TIMEOUT_S, memory_mb: int = MEMORY_LIMIT_MB) -> dict:
    """SLURMCluster arguments: what the course's jobqueue config says, and what grading needs on top of it
    (one thread per worker process, memory for worker plus kernel, workers that retire before their walltime)."""
    import dask
    config = dask.config.get("jobqueue.slurm", default={}) or {}
    cores = int(config.get("cores") or 1)
    walltime = config.get("walltime") or "01:00:00"
    lifetime = walltime_seconds(walltime) - LIFETIME_MARGIN_S
    if lifetime < 2 * timeout_s:
        raise ValueError(f"Slurm walltime {walltime} is too short for submissions of up to {timeout_s} s: set "
                         f"jobqueue.slurm.walltime to at least {math.ceil((2 * timeout_s + LIFETIME_MARGIN_S) / 60)} "
                         f"minutes (~/.config/dask/jobqueue.yaml or DASK_JOBQUEUE__SLURM__WALLTIME)")
    stagger = min(120, LIFETIME_MARGIN_S // 2)
    extra = list(config.get("worker-extra-args") or [])
    extra += ["--lifetime", f"{lifetime - stagger}s", "--lifetime-stagger", f"{stagger}s"]
    return {"cores": cores, "processes": cores, "walltime": walltime, "python": sys.executable,
            "memory": config.get("memory") or f"{cores * (memory_mb + WORKER_MB)}MB",
            "worker_extra_args": extra, "jobs": max(1, math.ceil(workers / cores))}


def slurm(workers: int, log=print, logs: Path | None = None, timeout_s: int = NOTEBOOK_TIMEOUT_S,
          memory_mb: int = MEMORY_LIMIT_MB) -> DaskExecutor:
    """Dask workers in Slurm jobs (dask-jobqueue), kept at `workers` processes while the batch runs: a worker
    that retires at the end of its lifetime is replaced by a fresh job, and its task runs again elsewhere."""
    try:
        from dask_jobqueue import SLURMCluster
    except ImportError as exc:
        raise SystemExit(f"the slurm executor needs dask-jobqueue: pip install dask-jobqueue ({exc})") from None
    settings = slurm_settings(workers, timeout_s, memory_mb)
    jobs = settings.pop("jobs")
    if logs is not None:
        logs.mkdir(parents=True, exist_ok=True)
        settings["log_directory"] = str(logs)
    cluster = SLURMCluster(**settings)
    cluster.adapt(minimum_jobs=jobs, maximum_jobs=jobs)
    log(f"Slurm: {jobs} job(s) of {settings['cores']} worker process(es), walltime {settings['walltime']}, "
        f"memory {settings['memory']} each; job script:\n{cluster.job_script()}")
    return DaskExecutor(Client(cluster), cluster, " (Slurm jobs by dask-jobqueue)")
