"""The judge's references, shared by every grading process on one machine.

Each grading process computes a chapter's references once (judge.py); with several workers on a machine (a pool,
a Dask node) each of them would pay the same reference run and the imports of both frameworks before it. This
store lets the first process that needs a key compute it under a file lock while the others wait, then load it.
It also serves a later `grade` command on the same machine (late submissions, a regrade).

The store is a private folder of the grader's user (mode 700; one that others can open is not used). It is used
only where the kernels cannot see it (`bwrap`: a kernel sees none of the host's home or temporary folders); under
weaker isolation a kernel runs with the grader's rights and could read the reference values or forge them, so the
judge keeps them in memory only.

Entries are cloudpickle files (a check's `judge=` may be a lambda from a test cell), written atomically. The key
holds everything a reference value depends on: the solution notebook, the seed, the grader's code, the library
versions, the numerics settings of the environment and the processor. An entry that cannot be read is computed
again; one that cannot be written is only not shared.
"""
from __future__ import annotations

import fcntl
import hashlib
import os
import platform
import sys
import time
from pathlib import Path

MAX_AGE_S = 30 * 24 * 3600             # entries unused this long are removed when a new one is written
LIBRARIES = ("torch", "tensorflow", "keras", "numpy", "cloudpickle")


def folder() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(os.environ.get("AUTOGRADER_REFERENCE_CACHE") or os.path.join(base, "cnn-autograder", "references"))


def hidden_from_kernels(where: Path) -> bool:
    """True when no folder a bwrap kernel is given (sandbox.trusted_roots: read-only, but readable) holds `where`:
    a grader started from the home folder would otherwise put the store in a kernel's sight."""
    from autograder.sandbox import trusted_roots
    real = os.path.realpath(where)
    return not any(real == root or real.startswith(root.rstrip("/") + "/") for root in trusted_roots())


def _versions() -> list[str]:
    from importlib import metadata
    found = []
    for name in LIBRARIES:
        try:
            found.append(f"{name}={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            found.append(f"{name}=-")
    return found


def _cpu() -> str:
    """The processor's model and instruction sets (a home folder shared by a cluster's nodes must not hand one
    CPU's references to another)."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as handle:
            lines = [line for line in handle if line.startswith(("model name", "flags", "Features"))]
        return hashlib.sha256("".join(sorted(set(lines))).encode()).hexdigest()[:16]
    except OSError:
        return platform.processor()


def key(solution_fingerprint: str, seed: int) -> str:
    from autograder.fingerprint import grader_fingerprint
    from autograder.sandbox import ENV_ALLOW
    parts = [solution_fingerprint, str(int(seed)), grader_fingerprint(), sys.version, platform.machine(), _cpu(),
             *_versions(), *(f"{k}={os.environ.get(k, '')}" for k in ENV_ALLOW if k not in ("PATH", "LANG", "TZ"))]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:32]


def _load(path: Path):
    import cloudpickle
    try:
        with open(path, "rb") as handle:
            value = cloudpickle.load(handle)
    except Exception:                     # absent, truncated, or written by other library versions: compute again
        return None
    os.utime(path)                        # in use: not old
    return value if isinstance(value, dict) else None


def _store(path: Path, value) -> None:
    import cloudpickle
    partial = path.with_suffix(f".{os.getpid()}.part")
    try:
        with open(partial, "wb") as handle:
            cloudpickle.dump(value, handle)
        os.replace(partial, path)
    except Exception:                     # a full or read-only disk: the references are just not shared
        partial.unlink(missing_ok=True)
        return
    _forget_old(path.parent)


def _forget_old(where: Path) -> None:
    now = time.time()
    for entry in where.glob("*.pickle"):
        try:
            if now - entry.stat().st_mtime > MAX_AGE_S:
                entry.unlink()
                entry.with_suffix(".lock").unlink(missing_ok=True)
        except OSError:
            pass


def get_or_compute(solution_fingerprint: str, seed: int, compute):
    """The references for this key: loaded when a process on this machine computed them, else `compute()`d
    (under the key's lock, so the other processes wait for it instead of computing them too) and stored."""
    where = folder()
    if not hidden_from_kernels(where):
        return compute()
    try:
        where.mkdir(mode=0o700, parents=True, exist_ok=True)
        info = where.stat()
    except OSError:
        return compute()
    if info.st_uid != os.getuid() or info.st_mode & 0o077:      # not a private folder of ours (/tmp, say)
        return compute()
    name = key(solution_fingerprint, seed)
    path = where / f"{name}.pickle"
    try:
        lock = open(path.with_suffix(".lock"), "a+b")
    except OSError:
        return compute()
    with lock:                            # closing it releases the lock, whatever happens in compute()
        fcntl.flock(lock, fcntl.LOCK_EX)
        value = _load(path)
        if value is None:
            value = compute()
            _store(path, value)
        return value
