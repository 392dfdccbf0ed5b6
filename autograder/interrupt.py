"""Ctrl-C during a batch: the first stops starting new work and lets the running submissions finish (each is
bounded by its time limit); the second kills them at once. Either way the coordinator keeps what finished and
writes grades.csv; students not graded get a row with the flag `interrupted` and are graded by the next run.

The coordinator alone decides: pool workers are started with SIGINT held off and then ignore it (a terminal
sends Ctrl-C to the whole process group), and kernels run in sessions of their own.
"""
from __future__ import annotations

import contextlib
import signal
import threading
from concurrent.futures import FIRST_COMPLETED, wait

POLL_S = 0.5


class Interrupts:
    """Counts SIGINTs while a batch runs (in the main thread; elsewhere it counts nothing)."""

    def __init__(self, log=print):
        self.log = log
        self.count = 0
        self._previous = None
        self._announced = 0

    @property
    def requested(self) -> bool:
        return self.count >= 1

    @property
    def aborted(self) -> bool:
        return self.count >= 2

    def _handle(self, signum, frame) -> None:
        self.count += 1
        if self.count >= 3:                      # the batch is stuck writing: give the terminal its Ctrl-C back
            signal.signal(signal.SIGINT, signal.default_int_handler)
            raise KeyboardInterrupt

    def __enter__(self) -> "Interrupts":
        if threading.current_thread() is threading.main_thread():
            self._previous = signal.signal(signal.SIGINT, self._handle)
        return self

    def __exit__(self, *exc) -> None:
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)
            self._previous = None

    @contextlib.contextmanager
    def deferred(self):
        """Hold SIGINT off while pool workers are started: they inherit the mask and start without being
        interrupted (job.prepare_process then ignores SIGINT and unblocks it). A Ctrl-C pressed meanwhile is
        delivered when this ends."""
        blocked = threading.current_thread() is threading.main_thread() and hasattr(signal, "pthread_sigmask")
        if blocked:
            signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        try:
            yield
        finally:
            if blocked:
                signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})

    def announce(self, running: int, cancelled: int) -> None:
        if self.count == self._announced:
            return
        self._announced = self.count
        if self.count == 1:
            self.log(f"Ctrl-C: stopping. {cancelled} submission(s) not started will not start; the {running} already "
                     "handed to a worker will finish (each within its time limit) and be kept. Press Ctrl-C again to "
                     "kill them now.")
        else:
            self.log(f"Ctrl-C again: killing the {running} running submission(s) now; they get the flag "
                     "`interrupted`. Everything that finished is kept.")


def completed(futures, stop: Interrupts):
    """Like concurrent.futures.as_completed, but watching `stop`: after the first Ctrl-C the futures that have not
    started are cancelled (and still yielded, cancelled); after the second it returns at once."""
    waiting = set(futures)
    cancelled = None
    while waiting:
        done, waiting = wait(waiting, timeout=POLL_S, return_when=FIRST_COMPLETED)
        yield from done
        if stop.requested and cancelled is None:
            cancelled = sum(f.cancel() for f in waiting)
            if not stop.aborted:
                stop.announce(sum(not f.cancelled() for f in waiting), cancelled)
        if stop.aborted:
            stop.announce(sum(1 for f in waiting if not f.done()), 0)
            return
