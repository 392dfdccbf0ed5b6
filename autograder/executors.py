"""Where jobs run: any `concurrent.futures.Executor` that can call `job.run_job_safely`.

- `local(workers)`: a pool of `workers` processes on this machine (the default; needs nothing installed).
  Each process grades one submission at a time and lives for many, so the judge's imports and reference
  results are paid once per process, not once per student.
"""
from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

TASKS_PER_PROCESS = 50          # a fresh process now and then bounds what a long batch can leak


def local(workers: int) -> ProcessPoolExecutor:
    from autograder.job import prepare_process
    return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                               initializer=prepare_process, max_tasks_per_child=TASKS_PER_PROCESS)


def broken(exc: BaseException) -> bool:
    """True when `exc` says the pool lost a process (a crash or a kill): the pool must be replaced."""
    return isinstance(exc, BrokenProcessPool)
