"""Where jobs run: any `concurrent.futures.Executor` that can call `job.run_job_safely`.

EXECUTORS is the registry the command line offers (`--executor NAME`):

- `local`: a pool of `workers` processes on this machine (the default; needs nothing installed).
  Each process grades one submission at a time and lives for many, so the judge's imports and reference
  results are paid once per process, not once per student (and, under bwrap, once per machine: refcache.py).
- `dask`: Dask (see daskexec.py): a LocalCluster of `workers` single-threaded processes on 127.0.0.1, or, with
  `scheduler`, the workers of the Dask cluster at that address (a laptop, a lab's machines, Kubernetes).
- `slurm`: Dask workers started as Slurm jobs by dask-jobqueue (see daskexec.slurm).

Dask is imported only when one of its executors is chosen.
"""
from __future__ import annotations

import multiprocessing
from concurrent.futures import Executor, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

TASKS_PER_PROCESS = 50          # a fresh process now and then bounds what a long batch can leak
EXECUTORS = {
    "local": "a pool of processes on this machine (default; needs nothing installed)",
    "dask": "Dask: a LocalCluster on 127.0.0.1, or the cluster at --scheduler tcp://HOST:PORT",
    "slurm": "Dask workers started as Slurm jobs by dask-jobqueue (settings: ~/.config/dask/jobqueue.yaml)",
}
DASK_MISSING = ("the {name} executor needs Dask: pip install 'dask[distributed]>=2024.1'"
                " (and dask-jobqueue for slurm)")


def local(workers: int) -> ProcessPoolExecutor:
    from autograder.job import prepare_process
    return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                               initializer=prepare_process, max_tasks_per_child=TASKS_PER_PROCESS)


def start(name: str, workers: int, scheduler: str | None = None, log=print, logs=None, **limits) -> Executor:
    """The executor called `name` (see EXECUTORS), ready to take jobs. For Slurm: `logs`, a folder for the jobs'
    logs, and `limits` (timeout_s, memory_mb: a submission's) to size the jobs."""
    if name not in EXECUTORS:
        raise ValueError(f"unknown executor {name!r}; choose from {', '.join(EXECUTORS)}")
    if scheduler and name != "dask":
        raise ValueError(f"--scheduler {scheduler} is for --executor dask, not {name}")
    if name == "local":
        return local(workers)
    try:
        from autograder import daskexec
    except ImportError as exc:
        raise SystemExit(f"{DASK_MISSING.format(name=name)} ({exc})") from None
    if name == "slurm":
        return daskexec.slurm(workers, log=log, logs=logs, **limits)
    return daskexec.connect(scheduler, log=log) if scheduler else daskexec.local_cluster(workers)


def describe(pool: Executor, workers: int) -> str:
    return pool.describe() if hasattr(pool, "describe") else f"{workers} worker(s)"


def capacity(pool: Executor, workers: int) -> int:
    """How many jobs can run at once now (Dask clusters grow and shrink)."""
    return max(1, pool.capacity()) if hasattr(pool, "capacity") else workers


def preflight(pool: Executor, wanted: str):
    """The isolation level jobs will use, checked where they run (preflight.Verdict)."""
    if hasattr(pool, "preflight"):
        return pool.preflight(wanted)
    from autograder import preflight as checks
    return checks.check(wanted)


def broken(exc: BaseException) -> bool:
    """True when `exc` says the pool lost a process (a crash or a kill): the pool must be replaced."""
    return isinstance(exc, BrokenProcessPool)
