"""Watch the processes one submission runs: memory, process count, and the final kill.

The grading process (it runs one job at a time) watches its own descendants: the sandbox, the kernel and
whatever the kernel started. Memory is their resident size together, polled several times a second; virtual
size is not limited because TensorFlow reserves far more than it uses.
"""
from __future__ import annotations

import threading

import psutil


def tree(pid: int) -> list:
    try:
        root = psutil.Process(pid)
        return [root] + root.children(recursive=True)
    except psutil.Error:
        return []


def kill_tree(pid: int, include_root: bool = True) -> None:
    """Kill the process `pid` (unless include_root is False) and all its descendants, and reap them."""
    procs = tree(pid) if include_root else tree(pid)[1:]
    for p in procs:
        try:
            p.kill()
        except psutil.Error:
            pass
    psutil.wait_procs(procs, timeout=5)


class Watchdog(threading.Thread):
    """Kills the descendants of `pid` when together they use more than `memory_mb` or number more than
    `max_procs` (`pid` itself, the grading process, is not counted and not killed)."""

    def __init__(self, pid: int, memory_mb: int, max_procs: int, interval: float = 0.05):
        super().__init__(daemon=True)
        self.pid, self.memory_mb, self.max_procs, self.interval = pid, memory_mb, max_procs, interval
        self.reason: str | None = None
        self.peak_mb = 0.0
        self._halt = threading.Event()

    def run(self) -> None:
        while not self._halt.wait(self.interval):
            procs = tree(self.pid)[1:]
            rss = 0
            for p in procs:
                try:
                    rss += p.memory_info().rss
                except psutil.Error:
                    pass
            self.peak_mb = max(self.peak_mb, rss / 2**20)
            if rss > self.memory_mb * 2**20:
                self.reason = "memory_limit"
            elif len(procs) > self.max_procs:
                self.reason = "process_limit"
            if self.reason:
                kill_tree(self.pid, include_root=False)
                return

    def stop(self) -> None:
        self._halt.set()
