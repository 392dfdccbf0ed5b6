"""Throwaway servers for the grading-at-scale tests, on 127.0.0.1 only, started and stopped by the tests.

- `postgres()`: a PostgreSQL server in a temporary folder (Debian's `postgresql` package; initdb refuses to run
  as root, so as root it runs as the `postgres` user).
- `dask_cluster(n)`: a real `dask scheduler` and n `dask worker` processes (one thread each).

tests/servers/install.sh installs what they need; `missing()` says what is still missing, for a skip reason.
"""
from __future__ import annotations

import contextlib
import glob
import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
INSTALL = "tests/servers/install.sh"


def stop_group(proc: subprocess.Popen) -> None:
    """Stop a server started in a process group of its own: SIGTERM, then SIGKILL if it lingers."""
    if proc.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(20)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(10)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pg_bin(name: str) -> str | None:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=lambda p: int(p.split("/")[4]))
    return found[-1] if found else shutil.which(name)


def missing(*what: str) -> str | None:
    """Why a test that needs `what` ("postgres", "dask", "psycopg") cannot run here, or None."""
    import importlib.util
    for need in what:
        if need == "postgres" and not pg_bin("initdb"):
            return f"PostgreSQL's initdb not found: run {INSTALL}"
        if need in ("dask", "psycopg") and importlib.util.find_spec({"dask": "distributed"}.get(need, need)) is None:
            return f"Python package for {need} missing: run {INSTALL}"
    return None


@contextlib.contextmanager
def postgres():
    """Yields the URL of a fresh PostgreSQL server's `postgres` database (user postgres, no password)."""
    folder = Path(tempfile.mkdtemp(prefix="ag-pg-"))
    data, run = folder / "data", folder / "run"
    as_root = os.geteuid() == 0
    user = "postgres" if as_root else None
    for path in (data, run):
        path.mkdir()
    if as_root:                                     # the postgres user must reach and own its folders
        folder.chmod(0o755)
        uid, gid = pwd.getpwnam("postgres")[2:4]
        for path in (data, run):
            os.chown(path, uid, gid)
    port = free_port()
    subprocess.run([pg_bin("initdb"), "-D", str(data), "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8"],
                   check=True, capture_output=True, user=user, cwd=folder)
    options = f"-c listen_addresses=127.0.0.1 -p {port} -k {run} -c fsync=off -c full_page_writes=off"
    try:
        subprocess.run([pg_bin("pg_ctl"), "-D", str(data), "-o", options, "-l", str(run / "server.log"), "-w",
                        "-t", "60", "start"], check=True, capture_output=True, user=user, cwd=folder)
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run([pg_bin("pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"], capture_output=True,
                       user=user, cwd=folder)
        shutil.rmtree(folder, ignore_errors=True)


def create_database(url: str, name: str) -> str:
    """A new empty database on the server of `url`; its URL."""
    import psycopg
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return url.rsplit("/", 1)[0] + f"/{name}"


class DaskCluster:
    """A `dask scheduler` and its `dask worker` processes on 127.0.0.1, each in its own process group."""

    def __init__(self, folder: Path, env: dict):
        self.folder, self.env = folder, env
        self.scheduler_file = folder / "scheduler.json"
        self.procs: dict[str, subprocess.Popen] = {}

    def _start(self, name: str, args: list[str]) -> subprocess.Popen:
        log = open(self.folder / f"{name}.log", "wb")
        proc = subprocess.Popen([sys.executable, "-m", "dask", *args], stdout=log, stderr=subprocess.STDOUT,
                                env=self.env, cwd=self.folder, start_new_session=True)
        self.procs[name] = proc
        return proc

    def start_scheduler(self) -> str:
        self._start("scheduler", ["scheduler", "--host", "127.0.0.1", "--port", str(free_port()), "--no-dashboard",
                                  "--scheduler-file", str(self.scheduler_file)])
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                return json.loads(self.scheduler_file.read_text())["address"]
            except (OSError, ValueError, KeyError):
                time.sleep(0.2)
        raise RuntimeError(f"dask scheduler did not start: {(self.folder / 'scheduler.log').read_text()[-2000:]}")

    def start_worker(self, name: str) -> subprocess.Popen:
        return self._start(name, ["worker", "--scheduler-file", str(self.scheduler_file), "--nthreads", "1",
                                  "--nworkers", "1", "--host", "127.0.0.1", "--no-dashboard", "--memory-limit", "0",
                                  "--name", name, "--local-directory", str(self.folder / name)])

    def wait_for_workers(self, n: int, timeout: float = 90) -> None:
        from distributed import Client
        with Client(self.address, timeout="30s") as client:
            client.wait_for_workers(n, timeout=timeout)

    def processing(self, name: str) -> list:
        """The keys of the tasks the scheduler has given worker `name` to run."""
        from distributed import Client
        with Client(self.address, timeout="30s") as client:
            address = next(a for a, w in client.scheduler_info(n_workers=-1)["workers"].items() if w["name"] == name)
            return list(client.processing([address]).get(address, ()))

    def kill(self, name: str) -> None:
        """SIGKILL a worker and everything it started (its process group)."""
        os.killpg(self.procs[name].pid, signal.SIGKILL)
        self.procs[name].wait(30)

    def stop(self) -> None:
        for proc in reversed(list(self.procs.values())):
            stop_group(proc)


@contextlib.contextmanager
def dask_cluster(workers: int, env: dict):
    """Yields a DaskCluster with a scheduler and `workers` workers (named w0, w1, ...) that have joined it."""
    folder = Path(tempfile.mkdtemp(prefix="ag-dask-"))
    cluster = DaskCluster(folder, env)
    try:
        cluster.address = cluster.start_scheduler()
        for i in range(workers):
            cluster.start_worker(f"w{i}")
        cluster.wait_for_workers(workers)
        yield cluster
    finally:
        cluster.stop()
        shutil.rmtree(folder, ignore_errors=True)
