"""Where a student's kernel runs: a sandbox that sees only what it needs.

Levels, best first (`detect()` picks the best that works on this machine):

  bwrap    bubblewrap: no network, own process tree, read-only system and Python, the course's
           helper library and data read-only, a private size-limited /tmp holding its working
           folder; solutions/, tests, the gradebook, the submissions and other students'
           folders do not exist in its view. The environment is cleared to an allow-list.
  unshare  util-linux `unshare`: no network and its own process tree, but the file system is the
           grader's (a warning says so and every row carries the flag `not_isolated`).
  none     no sandbox (a warning; flag `not_isolated`).
  container  no sandbox of ours: the pod or container the grader runs in is the sandbox (chosen explicitly,
           never by auto; preflight.py checks what it can of the container and says what it relies on).

The kernel talks to the grader over Unix sockets (ZeroMQ ipc), so it needs no network at all. Under bwrap the
sockets live in a tiny tmpfs of the sandbox's own (IPC_INSIDE), which the grader reaches through
/proc/<pid>/root: nothing the kernel can write is shared with the host, and everything it can write (/tmp, the
sockets' folder, /dev/shm) is a size-limited tmpfs; /dev itself is read-only. The connection file is bound
read-only.

Every kernel starts through `launcher`: it dies with the grading process that started it (PR_SET_PDEATHSIG; under
bwrap, --die-with-parent and the pid namespace take everything else with it) and, inside a user namespace, cannot
run more than `task_limit` tasks (RLIMIT_NPROC counts per user namespace there; it never applies to root).
"""
from __future__ import annotations

import glob
import os
import shutil
import site
import sys
from functools import lru_cache
from pathlib import Path

from autograder.settings import COURSE, ISOLATION, ROOT, SCRATCH_MB

LEVELS = ("bwrap", "unshare", "none")
IPC_INSIDE = "/run/autograder-ipc"
IPC_BYTES = 1 << 20
TASK_HEADROOM = 64             # threads count as tasks: TensorFlow runs dozens on a big machine
CONTAINER = "container"      # the host is the sandbox: like none here, checked by preflight.py
SANDBOX_TMP = "/tmp"
WORK = "/tmp/work"
HOME = "/tmp/home"
UID = "65534"
# /etc holds secrets (shadow, credentials in config files): only what programs need is visible
ETC_ALLOW = ("passwd", "group", "nsswitch.conf", "hosts", "host.conf", "localtime", "timezone", "ssl",
             "ca-certificates", "ld.so.cache", "ld.so.conf", "ld.so.conf.d", "alternatives", "fonts", "mime.types",
             "os-release", "debian_version", "lsb-release", "locale.alias", "gai.conf", "protocols", "services")
# Only these variables reach the kernel: CI secrets and tokens in the grader's environment do not.
ENV_ALLOW = ("PATH", "LANG", "LC_ALL", "TZ", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS",
             "TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS", "TF_CPP_MIN_LOG_LEVEL", "TF_ENABLE_ONEDNN_OPTS",
             "KERAS_BACKEND", "CUDA_VISIBLE_DEVICES", "MPLBACKEND", "PYTHONHASHSEED", "OMP_WAIT_POLICY",
             "CNNLAB_SEED", "CNNLAB_QENGINE", "ONEDNN_MAX_CPU_ISA", "MKL_ENABLE_INSTRUCTIONS")


def kernel_command(connection_file: str = "{connection_file}") -> list[str]:
    return [sys.executable, "-m", "ipykernel_launcher", "-f", connection_file]


# argv: parent pid to die with (0: none), task limit (0: none), "--", the command
_LAUNCHER = """
import os, signal, sys
signal.signal(signal.SIGINT, signal.SIG_DFL)
signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGINT])
parent, tasks = int(sys.argv[1]), int(sys.argv[2])
if parent:
    import ctypes
    ctypes.CDLL(None).prctl(1, int(signal.SIGKILL), 0, 0, 0)
    if os.getppid() != parent:
        os._exit(1)
if tasks:
    import resource
    try:
        resource.setrlimit(resource.RLIMIT_NPROC, (tasks, tasks))
    except (ValueError, OSError):
        pass
os.execvp(sys.argv[4], sys.argv[4:])
"""


def launcher(die_with: int = 0, task_limit: int = 0) -> list[str]:
    """A prefix that makes the command die with process `die_with` and caps its tasks (RLIMIT_NPROC: set it only
    inside a user namespace, where it counts the sandbox alone). It also gives the command back the SIGINT that
    grading workers ignore and block (a kernel is interrupted with SIGINT)."""
    return [sys.executable, "-I", "-S", "-c", _LAUNCHER, str(int(die_with)), str(int(task_limit)), "--"]


def task_limit(max_procs: int) -> int:
    """The RLIMIT_NPROC ceiling for a watchdog limit of `max_procs` processes: room for every thread too."""
    return max(4 * int(max_procs), int(max_procs) + TASK_HEADROOM)


def kernel_env(home: str, mpl_dir: str) -> dict:
    env = {k: os.environ[k] for k in ENV_ALLOW if k in os.environ}
    env.setdefault("PATH", "/usr/local/bin:/usr/bin:/bin")
    env.setdefault("LANG", "C.UTF-8")
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    # the kernel imports the grader's own cnnlab (its checks must match the judge's), bound read-only at ROOT
    env.update(PYTHONPATH=str(ROOT), HOME=home, TMPDIR=SANDBOX_TMP if home == HOME else home, MPLCONFIGDIR=mpl_dir,
               IPYTHONDIR=os.path.join(home, ".ipython"), PYTHONDONTWRITEBYTECODE="1",
               PYDEVD_DISABLE_FILE_VALIDATION="1", JUPYTER_PLATFORM_DIRS="1",
               NBGRADER_EXECUTION="autograde")     # nbgrader's convention: notebooks skip the self-check
    return env


def _hidden() -> list[Path]:
    """Folders the kernel must never see: the course (solutions, tests, gradebooks) and the repository."""
    return [COURSE, ROOT]


def trusted_roots() -> list[str]:
    """Folders the kernel's Python needs: the interpreter, the environment and its site-packages."""
    wanted = {sys.prefix, sys.base_prefix, os.path.dirname(os.path.realpath(sys.executable))}
    wanted.update(p for p in site.getsitepackages() + [site.getusersitepackages()] if p)
    wanted.update(p for p in sys.path if p and os.path.isabs(p))
    keep = []
    for p in sorted(wanted):
        real = os.path.realpath(p)
        if not os.path.isdir(real):
            continue
        inside_course = any(Path(real) == h or h in Path(real).parents or Path(real) in h.parents for h in _hidden())
        if inside_course and not real.startswith(os.path.realpath(sys.prefix)):
            continue
        keep.append(real)
    # the course helper library, its data and the released notebooks (what students have anyway:
    # cnnlab.self_check reads their visible tests), read-only
    keep += [str(ROOT / "cnnlab"), str(ROOT / "data"), str(ROOT / "notebooks")]
    return sorted(set(keep))


def _mpl_font_cache() -> list[str]:
    """matplotlib's font list, so a fresh kernel does not rebuild it (seconds) on first import."""
    base = os.environ.get("MPLCONFIGDIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME", os.path.expanduser("~/.cache")), "matplotlib")
    return sorted(glob.glob(os.path.join(base, "fontlist-*.json")))


def bwrap_prefix(shared: list[str], env: dict, readonly: list[str] = ()) -> list[str]:
    """bubblewrap arguments; `shared` folders are bound read-write and `readonly` ones read-only, each at the
    same path (the connection file). The sockets go in IPC_INSIDE, a tmpfs of the sandbox's own."""
    args = ["bwrap", "--unshare-all", "--die-with-parent", "--new-session", "--cap-drop", "ALL",
            "--uid", UID, "--gid", UID, "--hostname", "grader", "--clearenv"]
    for top in ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"):
        if os.path.islink(top):
            args += ["--symlink", os.readlink(top), top]
        elif os.path.isdir(top):
            args += ["--ro-bind", top, top]
    for name in ETC_ALLOW:
        args += ["--ro-bind-try", f"/etc/{name}", f"/etc/{name}"]
    # the private scratch space first: a course checked out under /tmp (as CI may do) is bound on top of it below
    args += ["--perms", "1777", "--size", str(SCRATCH_MB << 20), "--tmpfs", SANDBOX_TMP]
    for path in trusted_roots():
        if not any(path == t or path.startswith(t + "/") for t in ("/usr", "/bin", "/lib", "/lib64")):
            args += ["--ro-bind-try", path, path]
    args += ["--proc", "/proc", "--dev", "/dev", "--perms", "1777", "--size", str(64 << 20), "--tmpfs", "/dev/shm"]
    for dev in sorted(glob.glob("/dev/nvidia*")):
        args += ["--dev-bind-try", dev, dev]
    if glob.glob("/dev/nvidia*"):
        args += ["--ro-bind-try", "/sys", "/sys"]
    args += ["--remount-ro", "/dev"]                 # a file there would be unlimited host memory
    args += ["--perms", "0700", "--size", str(IPC_BYTES), "--tmpfs", IPC_INSIDE]
    args += ["--dir", WORK, "--dir", HOME, "--dir", env["MPLCONFIGDIR"]]
    for font_list in _mpl_font_cache():
        args += ["--ro-bind", font_list, os.path.join(env["MPLCONFIGDIR"], os.path.basename(font_list))]
    for path in shared:
        args += ["--bind", path, path]
    for path in readonly:
        args += ["--ro-bind", path, path]
    for key, value in env.items():
        args += ["--setenv", key, value]
    return args + ["--remount-ro", "/", "--chdir", WORK, "--"]


def unshare_prefix() -> list[str]:
    return ["unshare", "--user", "--map-root-user", "--net", "--pid", "--fork", "--kill-child", "--mount-proc", "--"]


def launch(level: str, shared: list[str], scratch: str, readonly: list[str] = (),
           max_procs: int = 0) -> tuple[list[str], dict, str]:
    """(kernel argv with '{connection_file}', env, cwd) for a kernel at `level`.

    `scratch` is a private host folder used as home and working folder when there is no bwrap. `max_procs`: the
    watchdog's process limit, from which the task ceiling is derived (0: no ceiling).
    """
    tasks = task_limit(max_procs) if max_procs else 0
    if level == "bwrap":
        env = kernel_env(HOME, os.path.join(HOME, ".matplotlib"))
        return bwrap_prefix(shared, env, readonly) + launcher(0, tasks) + kernel_command(), env, WORK
    home = os.path.join(scratch, "home")
    work = os.path.join(scratch, "work")
    mpl = os.path.join(home, ".matplotlib")
    for d in (home, work, mpl):
        os.makedirs(d, exist_ok=True)
    for font_list in _mpl_font_cache():
        shutil.copy(font_list, mpl)
    env = kernel_env(home, mpl)
    if level == "unshare":        # the task ceiling inside the new user namespace; unshare itself dies with us
        dies = ["setpriv", "--pdeathsig", "KILL", "--"] if shutil.which("setpriv") else []
        return dies + unshare_prefix() + launcher(0, tasks) + kernel_command(), env, work
    # no user namespace here: RLIMIT_NPROC would count every process of the grader's user, so no ceiling
    return launcher(os.getpid()) + kernel_command(), env, work


def _probe(level: str) -> bool:
    from autograder.preflight import probe        # one probe, which also says why a level fails
    return probe(level) is None


@lru_cache(maxsize=None)
def detect(wanted: str = ISOLATION) -> str:
    """The isolation level to use: `wanted` if it works, or the best that works when 'auto'."""
    if wanted not in ("auto", CONTAINER) + LEVELS:
        raise ValueError(f"isolation must be auto, bwrap, unshare, none or container, not {wanted!r}")
    for level in (LEVELS if wanted == "auto" else (wanted,)):
        if _probe(level):
            return level
    raise RuntimeError(f"isolation {wanted!r} does not work on this machine (is `{wanted}` installed?)")


def warning(level: str) -> str | None:
    if level in ("bwrap", CONTAINER):
        return None
    what = ("network and process isolation only (unshare): student code can read and write files the grader can"
            if level == "unshare" else "NO isolation: student code runs with the grader's rights")
    return (f"WARNING: {what}. Install bubblewrap for full isolation "
            f"(Debian/Ubuntu: `sudo apt-get install -y bubblewrap`).")
