"""A single-node Slurm cluster on 127.0.0.1 in a temporary folder, for `make test-slurm`.

munged (as the `munge` user, its socket in the folder), slurmctld and slurmd (as root, in the foreground, as
child processes of the test) share one slurm.conf; sbatch and squeue find it through SLURM_CONF. Needs Debian's
`slurm-wlm` and `munge` (tests/servers/install.sh --slurm) and root.
"""
from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from servers import free_port, stop_group

PROGRAMS = ("munged", "slurmctld", "slurmd", "sbatch", "squeue", "sinfo")
CONF = """ClusterName=grader
SlurmctldHost={host}(127.0.0.1)
SlurmctldPort={ctld_port}
SlurmdPort={d_port}
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket={run}/munge.socket
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
StateSaveLocation={run}/state
SlurmdSpoolDir={run}/slurmd
SlurmctldPidFile={run}/slurmctld.pid
SlurmdPidFile={run}/slurmd.pid
SlurmctldLogFile={run}/slurmctld.log
SlurmdLogFile={run}/slurmd.log
NodeName={host} NodeAddr=127.0.0.1 CPUs={cpus} RealMemory={memory_mb} State=UNKNOWN
PartitionName=debug Nodes={host} Default=YES MaxTime=INFINITE State=UP
"""


def missing() -> str | None:
    if os.geteuid() != 0:
        return "the Slurm test runs slurmctld and slurmd as root"
    absent = [p for p in PROGRAMS if not (shutil.which(p) or Path(f"/usr/sbin/{p}").exists())]
    return f"{', '.join(absent)} missing: run tests/servers/install.sh --slurm" if absent else None


def _program(name: str) -> str:
    return shutil.which(name) or f"/usr/sbin/{name}"


def _wait(what: str, ready, timeout: float = 60, logs: list[Path] = ()) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if ready():
            return
        time.sleep(0.3)
    tails = "\n".join(f"--- {p}\n{p.read_text(errors='replace')[-2000:]}" for p in logs if p.exists())
    raise RuntimeError(f"{what} did not come up in {timeout:.0f} s\n{tails}")


def wait_for_empty_queue(env: dict, timeout: float = 60) -> str:
    """Wait until no job is queued or running; what is still there after `timeout` (empty: none)."""
    deadline = time.monotonic() + timeout
    while True:
        left = subprocess.run([_program("squeue"), "-h"], env=env, capture_output=True, text=True).stdout.strip()
        if not left or time.monotonic() > deadline:
            return left
        time.sleep(1)


@contextlib.contextmanager
def cluster(cpus: int = 2, memory_mb: int = 8000):
    """Yields the environment (SLURM_CONF and the rest) under which sbatch and squeue use the cluster."""
    run = Path(tempfile.mkdtemp(prefix="ag-slurm-"))
    run.chmod(0o755)
    for sub in ("state", "slurmd"):
        (run / sub).mkdir()
    munge_dir = run / "munge"
    munge_dir.mkdir()
    munge_user = pwd.getpwnam("munge")
    os.chown(munge_dir, munge_user.pw_uid, munge_user.pw_gid)
    host = socket.gethostname().split(".")[0]
    conf = run / "slurm.conf"
    conf.write_text(CONF.format(host=host, run=run, ctld_port=free_port(), d_port=free_port(), cpus=cpus,
                                memory_mb=memory_mb).replace(f"socket={run}/munge.socket",
                                                             f"socket={munge_dir}/munge.socket"))
    env = dict(os.environ, SLURM_CONF=str(conf))
    procs: list[subprocess.Popen] = []

    def start(argv, user=None, log="x.log"):
        out = open(run / log, "wb")
        procs.append(subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, env=env, user=user,
                                      start_new_session=True))

    try:
        start([_program("munged"), "--foreground", f"--socket={munge_dir}/munge.socket",
               f"--pid-file={munge_dir}/munged.pid", f"--seed-file={munge_dir}/munged.seed",
               f"--log-file={munge_dir}/munged.log"], user="munge", log="munged.out")
        _wait("munged", lambda: (munge_dir / "munge.socket").exists(), logs=[run / "munged.out"])
        start([_program("slurmctld"), "-D", "-f", str(conf)], log="slurmctld.out")
        start([_program("slurmd"), "-D", "-f", str(conf), "-N", host], log="slurmd.out")

        def idle() -> bool:
            done = subprocess.run([_program("sinfo"), "-h", "-o", "%t"], env=env, capture_output=True, text=True)
            return done.returncode == 0 and done.stdout.strip() in ("idle", "mix", "alloc")

        _wait("the Slurm node", idle, logs=[run / n for n in ("slurmctld.out", "slurmctld.log", "slurmd.out",
                                                                "slurmd.log")])
        env["AG_SLURM_FOLDER"] = str(run)
        yield env
    finally:
        subprocess.run([_program("scancel"), "--full", "-u", "root"], env=env, capture_output=True)
        for proc in reversed(procs):
            stop_group(proc)
        shutil.rmtree(run, ignore_errors=True)
