"""Watch one grading process tree from the outside: memory, process count, and the final kill.

Memory is the resident size of the whole tree (worker, sandbox, kernel and whatever the kernel
started), polled a few times a second; virtual size is not limited because TensorFlow reserves
far more than it uses.
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
    """Kills the tree rooted at `pid` when it uses more than `memory_mb` or runs more than `max_procs`."""

    def __init__(self, pid: int, memory_mb: int, max_procs: int, interval: float = 0.2):
        super().__init__(daemon=True)
        self.pid, self.memory_mb, self.max_procs, self.interval = pid, memory_mb, max_procs, interval
        self.reason: str | None = None
        self.peak_mb = 0.0
        self._halt = threading.Event()

    def run(self) -> None:
        while not self._halt.wait(self.interval):
            procs = tree(self.pid)
            if not procs:
                return
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
                kill_tree(self.pid)
                return

    def stop(self) -> None:
        self._halt.set()
