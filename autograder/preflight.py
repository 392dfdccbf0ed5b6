"""Before a batch: does the chosen isolation work where the jobs will run? If not, say why and how to fix it.

`check(wanted)` runs on each machine that will grade (the coordinator's for the local executor, every Dask
worker's otherwise) and returns a `Verdict`: the level jobs will use and notes worth printing, or raises
`PreflightError` whose message names the cause and the fix. Known causes of a failing bubblewrap:

  - not installed;
  - the kernel refuses unprivileged user namespaces: Ubuntu 24.04's AppArmor restriction
    (kernel.apparmor_restrict_unprivileged_userns=1), Debian's kernel.unprivileged_userns_clone=0,
    user.max_user_namespaces=0;
  - inside a container (a default Kubernetes pod, Docker): the runtime's seccomp and AppArmor profiles forbid
    new namespaces and mounts, and its masked /proc cannot be mounted again.

`--isolation container` is for hosts where the pod or container is the sandbox: the kernel runs there without a
sandbox of ours, so the check refuses a host that is not a container and names what the container must provide.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from autograder import sandbox

PROC = Path("/proc")
ROOTFS = Path("/")          # both moved by tests to stand in for other hosts
APPARMOR_PROFILE = """abi <abi/4.0>,
include <tunables/global>
profile bwrap /usr/bin/bwrap flags=(unconfined) {
  userns,
}"""
BWRAP_IN_KUBERNETES = ("in Kubernetes, give the grading pod `securityContext: {seccompProfile: {type: Unconfined}, "
                       "appArmorProfile: {type: Unconfined}, procMount: Unmasked}` with `hostUsers: false`; "
                       "with Docker, `docker run --security-opt seccomp=unconfined --security-opt apparmor=unconfined`")
USE_CONTAINER = ("or, where the pod or container itself is the sandbox, grade with `--isolation container` "
                 "(see docs/scale.md for what it then relies on)")


class PreflightError(RuntimeError):
    """The chosen isolation cannot work here; the message says why and how to fix it."""


@dataclass
class Verdict:
    level: str                                   # what jobs will use
    notes: list = field(default_factory=list)    # worth printing once before the batch


def _read(path: Path) -> str | None:
    try:
        return path.read_text().strip()
    except OSError:
        return None


def in_container(proc: Path | None = None, root: Path | None = None) -> str | None:
    """Why this host looks like a container (a short reason), or None."""
    proc, root = proc or PROC, root or ROOTFS
    if os.environ.get("KUBERNETES_SERVICE_HOST"):
        return "a Kubernetes pod (KUBERNETES_SERVICE_HOST is set)"
    for marker in (".dockerenv", "run/.containerenv"):
        if (root / marker).exists():
            return f"a container (/{marker} exists)"
    cgroup = _read(proc / "1" / "cgroup") or ""
    for word in ("kubepods", "docker", "containerd", "libpod", "lxc"):
        if word in cgroup:
            return f"a container ({word} in /proc/1/cgroup)"
    return None


def probe(level: str) -> str | None:
    """Start a tiny Python inside the sandbox at `level`: None when it works, else what went wrong."""
    if level in ("none", sandbox.CONTAINER):
        return None
    if shutil.which(level) is None:
        return f"`{level}` is not installed"
    with tempfile.TemporaryDirectory(prefix="ag-preflight-") as tmp:
        argv, env, cwd = sandbox.launch(level, [tmp], tmp)
        argv = argv[:argv.index(sys.executable)] + [sys.executable, "-c", "import socket, os; os.listdir('.')"]
        try:
            done = subprocess.run(argv, env=env, cwd=cwd if level != "bwrap" else tmp, capture_output=True,
                                  timeout=60)
        except (OSError, subprocess.TimeoutExpired) as exc:
            return f"{type(exc).__name__}: {exc}"
    if done.returncode == 0:
        return None
    return done.stderr.decode("utf-8", "replace").strip()[-500:] or f"exit status {done.returncode}"


def bwrap_fix(error: str, proc: Path | None = None, root: Path | None = None) -> str:
    """The fix for a bubblewrap that failed with `error` on this host."""
    proc, root = proc or PROC, root or ROOTFS
    if "not installed" in error:
        return "install it (Debian/Ubuntu: `sudo apt-get install -y bubblewrap`)"
    if _read(proc / "sys" / "kernel" / "apparmor_restrict_unprivileged_userns") == "1":
        return ("this host's AppArmor forbids unprivileged user namespaces (Ubuntu 24.04 default): allow them for "
                "bubblewrap with the profile /etc/apparmor.d/bwrap\n" + APPARMOR_PROFILE +
                "\nthen `sudo systemctl reload apparmor` (or, for the whole host, "
                "`sudo sysctl kernel.apparmor_restrict_unprivileged_userns=0`)")
    if _read(proc / "sys" / "kernel" / "unprivileged_userns_clone") == "0":
        return "the kernel forbids unprivileged user namespaces: `sudo sysctl kernel.unprivileged_userns_clone=1`"
    if _read(proc / "sys" / "user" / "max_user_namespaces") == "0":
        return "user namespaces are disabled: `sudo sysctl user.max_user_namespaces=15000`"
    where = in_container(proc, root)
    if where:
        return (f"this is {where}, whose runtime forbids the namespaces and mounts bubblewrap needs: "
                f"{BWRAP_IN_KUBERNETES}; {USE_CONTAINER}")
    return f"see bubblewrap's message above; {USE_CONTAINER}"


def container_notes(proc: Path | None = None, root: Path | None = None) -> list[str]:
    """What a container used as the sandbox should provide and, as far as can be seen from inside, does not."""
    proc, root = proc or PROC, root or ROOTFS
    notes = []
    if os.geteuid() == 0:
        notes.append("the kernel runs as root in the container: run the pod as a non-root user")
    try:
        if not os.statvfs(root).f_flag & os.ST_RDONLY:
            notes.append("the root file system is writable: set readOnlyRootFilesystem: true")
    except OSError:
        pass
    cgroup = root / "sys" / "fs" / "cgroup"
    memory = _read(cgroup / "memory.max") or _read(cgroup / "memory" / "memory.limit_in_bytes")   # v2, v1
    if memory is None or memory == "max" or (memory.isdigit() and int(memory) >= 1 << 60):
        notes.append("no memory limit on the container's cgroup: set resources.limits.memory on the pod")
    if (root / "var" / "run" / "secrets" / "kubernetes.io" / "serviceaccount" / "token").exists():
        notes.append("a Kubernetes service-account token is mounted, and student code can read it: set "
                     "automountServiceAccountToken: false")
    if _read(proc / "sys" / "kernel" / "yama" / "ptrace_scope") in (None, "0"):
        notes.append("kernel.yama.ptrace_scope is 0: student code could read the worker's memory (the job holds the "
                     "reference solution)")
    notes.append("student code shares the worker's network: a NetworkPolicy must deny all egress but the Dask "
                 "scheduler, which student code can then reach too")
    return notes


def check(wanted: str) -> Verdict:
    """The level jobs will use for `wanted` (auto, bwrap, unshare, none, container) on this machine."""
    if wanted not in ("auto", sandbox.CONTAINER) + sandbox.LEVELS:
        raise PreflightError(f"isolation must be one of auto, {', '.join(sandbox.LEVELS)}, {sandbox.CONTAINER}; "
                             f"not {wanted!r}")
    if wanted == sandbox.CONTAINER:
        where = in_container()
        if where is None:
            raise PreflightError("--isolation container is for hosts where the pod or container is the sandbox, and "
                                 "this host does not look like a container (no KUBERNETES_SERVICE_HOST, "
                                 "/.dockerenv, /run/.containerenv or container cgroup): use bwrap here")
        return Verdict(wanted, [f"isolation container: {where} is the sandbox; check: {note}"
                                for note in container_notes()])
    if wanted != "auto":
        error = probe(wanted)
        if error is None:
            return Verdict(wanted)
        fix = bwrap_fix(error) if wanted == "bwrap" else "install util-linux and allow user namespaces"
        raise PreflightError(f"isolation {wanted} does not work on this machine: {error}\nfix: {fix}")
    error = probe("bwrap")
    if error is None:
        return Verdict("bwrap")
    level = next(lvl for lvl in sandbox.LEVELS[1:] if probe(lvl) is None)
    return Verdict(level, [f"bubblewrap does not work here ({error.splitlines()[-1] if error else '?'}); "
                           f"fix: {bwrap_fix(error)}"])
