"""Watch the processes one submission runs: memory, process count, and the final kill.

The grading process (it runs one job at a time) watches its own descendants: the sandbox, the kernel and
whatever the kernel started. Memory is their resident size together, virtual size is not limited because
TensorFlow reserves far more than it uses. Both are polled every 20 ms (every 2 ms once past half the process
limit) by walking only our own subtree (/proc/<pid>/task/<tid>/children), so a poll costs well under a
millisecond. A breach kills the sandbox's pid namespace at once (nothing can fork into a dying namespace), then
freezes (SIGSTOP) and kills whatever else is left. Inside a user namespace the sandbox also caps tasks with
RLIMIT_NPROC (sandbox.launcher), a hard ceiling that no poll can give; it never applies to root.
"""
from __future__ import annotations

import os
import signal
import threading
import time

import psutil

PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
_HAS_CHILDREN_FILES = os.path.exists(f"/proc/{os.getpid()}/task/{os.getpid()}/children")


def descendants(pid: int) -> list[int]:
    """Pids of every descendant of `pid` (not `pid` itself), read from /proc without scanning other processes."""
    if not _HAS_CHILDREN_FILES:
        try:
            return [p.pid for p in psutil.Process(pid).children(recursive=True)]
        except psutil.Error:
            return []
    found, stack = [], [pid]
    while stack:
        kids = _children(stack.pop())
        found += kids
        stack += kids
    return found


def resident_bytes(pids) -> int:
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/statm", "rb") as fh:
                total += int(fh.read().split()[1]) * PAGE
        except (OSError, ValueError, IndexError):
            pass
    return total


def _children(pid: int) -> list[int]:
    kids = []
    try:
        threads = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return kids
    for tid in threads:
        try:
            with open(f"/proc/{pid}/task/{tid}/children", "rb") as fh:
                kids += [int(k) for k in fh.read().split()]
        except (OSError, ValueError):
            pass
    return kids


def namespace_inits(pid: int, depth: int = 3) -> list[int]:
    """Descendants of `pid`, at most `depth` levels down, that are pid 1 of a pid namespace (the sandbox's init):
    killing one kills its whole namespace at once, and nothing can fork into a dying namespace."""
    inits, level = [], [pid]
    for _ in range(depth):
        level = [k for p in level for k in _children(p)]
        for child in level:
            try:
                with open(f"/proc/{child}/status", "rb") as fh:
                    line = next((l for l in fh if l.startswith(b"NSpid:")), b"")
            except OSError:
                continue
            if len(line.split()) > 2 and line.split()[-1] == b"1":
                inits.append(child)
    return inits


def tree(pid: int) -> list:
    try:
        root = psutil.Process(pid)
        return [root] + root.children(recursive=True)
    except psutil.Error:
        return []


def _signal_all(pids, sig) -> None:
    for pid in pids:
        try:
            os.kill(pid, sig)
        except OSError:
            pass


def kill_tree(pid: int, include_root: bool = True) -> int:
    """Kill the process `pid` (unless include_root is False) and all its descendants, and reap them; returns how
    many descendants there were.

    A sandbox's pid namespace is killed first, whole; the rest of the subtree is frozen (SIGSTOP until no new
    process appears), so nothing in it can fork while it dies."""
    inits = namespace_inits(pid) if _HAS_CHILDREN_FILES else []
    _signal_all(inits, signal.SIGKILL)
    frozen: set[int] = set(inits)
    for _ in range(50):
        found = set(descendants(pid)) - frozen
        if not found:
            break
        _signal_all(found, signal.SIGSTOP)
        frozen |= found
    _signal_all(frozen, signal.SIGKILL)
    procs = []
    for p in frozen:
        try:
            procs.append(psutil.Process(p))
        except psutil.Error:
            pass
    if include_root:
        try:
            root = psutil.Process(pid)
            root.kill()
            procs.append(root)
        except psutil.Error:
            pass
    psutil.wait_procs(procs, timeout=5)
    for _ in range(20):                                # what was still forking when we looked
        left = descendants(pid)
        if not left:
            break
        _signal_all(left, signal.SIGKILL)
        time.sleep(0.01)
    return len(frozen)


class Watchdog(threading.Thread):
    """Kills the descendants of `pid` when together they use more than `memory_mb` or number more than
    `max_procs` (`pid` itself, the grading process, is not counted and not killed). `peak_procs` and `peak_mb`
    are the most it saw."""

    def __init__(self, pid: int, memory_mb: int, max_procs: int, interval: float = 0.02, close_interval: float = 0.002):
        super().__init__(daemon=True)
        self.pid, self.memory_mb, self.max_procs, self.interval = pid, memory_mb, max_procs, interval
        self.close_interval = close_interval            # once past half the process limit: a flood is coming
        self.reason: str | None = None
        self.peak_mb = 0.0
        self.peak_procs = 0
        self._halt = threading.Event()

    def run(self) -> None:
        wait = self.interval
        while not self._halt.wait(wait):
            procs = descendants(self.pid)
            wait = self.close_interval if len(procs) * 2 > self.max_procs else self.interval
            self.peak_procs = max(self.peak_procs, len(procs))
            if len(procs) > self.max_procs:
                self.reason = "process_limit"
            else:
                rss = resident_bytes(procs)
                self.peak_mb = max(self.peak_mb, rss / 2**20)
                if rss > self.memory_mb * 2**20:
                    self.reason = "memory_limit"
            if self.reason:             # what it killed is the true count, not what the last poll saw
                self.peak_procs = max(self.peak_procs, kill_tree(self.pid, include_root=False))
                return

    def stop(self) -> None:
        self._halt.set()
