"""The coordinator under signals, with real `python -m autograder grade` processes.

- SIGKILL to the coordinator mid-batch: its pool processes and every kernel they started die with it (with and
  without bubblewrap), so a lost coordinator leaves nothing running.
- Ctrl-C (SIGINT to the process group, as a terminal sends it): no new submission starts, the running ones finish
  and are kept, grades.csv is written with a row per student (the rest flagged `interrupted`), and the next run
  grades only the rest. A second Ctrl-C kills the running ones at once and still writes grades.csv.
"""
from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import psutil
import pytest

ROOT = Path(__file__).resolve().parent.parent
TOY = ROOT / "tests" / "fixtures" / "toycourse"
SOLUTION = TOY / "solutions" / "toy" / "toy.ipynb"
ENV = dict(os.environ, AUTOGRADER_COURSE_ROOT=str(TOY))

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("grader_signals")]


def _class(subs: Path, n: int, sleep: float) -> None:
    """`n` correct students whose mean answer first sleeps `sleep` seconds."""
    for i in range(n):
        nb = nbformat.read(str(SOLUTION), as_version=4)
        cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "toy_mean")
        cell.source = f"import time\ntime.sleep({sleep})\n" + cell.source
        (subs / f"student{i}").mkdir(parents=True)
        nbformat.write(nb, str(subs / f"student{i}" / "toy.ipynb"))


def _start(subs: Path, out: Path, isolation: str, log: Path) -> subprocess.Popen:
    """The coordinator in a session of its own: its process group is what a terminal's Ctrl-C reaches."""
    return subprocess.Popen([sys.executable, "-m", "autograder", "grade", "toy", "--submissions", str(subs),
                             "--out", str(out), "--workers", "2", "--isolation", isolation],
                            cwd=ROOT, env=ENV, stdout=log.open("w"), stderr=subprocess.STDOUT, start_new_session=True)


def _kernels(pid: int) -> list[psutil.Process]:
    from autograder.watchdog import descendants
    found = []
    for child in descendants(pid):
        try:
            p = psutil.Process(child)
            if "ipykernel_launcher" in " ".join(p.cmdline()):
                found.append(p)
        except psutil.Error:
            pass
    return found


def _wait_for_kernels(proc: subprocess.Popen, n: int, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while len(_kernels(proc.pid)) < n:
        assert proc.poll() is None, "the batch ended before its kernels started"
        assert time.monotonic() < deadline, f"{n} kernels did not start"
        time.sleep(0.2)
    time.sleep(1.0)                                          # let them get into the sleeping cell


def _snapshot(pid: int) -> dict:
    """{pid: create time} of every descendant of `pid`, to tell a survivor from a reused pid."""
    from autograder.watchdog import descendants
    found = {}
    for child in descendants(pid):
        try:
            found[child] = psutil.Process(child).create_time()
        except psutil.Error:
            pass
    return found


def _survivors(snapshot: dict, timeout: float = 15) -> list:
    deadline = time.monotonic() + timeout
    while True:
        alive = []
        for pid, created in snapshot.items():
            try:
                p = psutil.Process(pid)
                if p.create_time() == created and p.status() != psutil.STATUS_ZOMBIE:
                    alive.append(f"{pid} {' '.join(p.cmdline())[:120]}")
            except psutil.Error:
                pass
        if not alive or time.monotonic() > deadline:
            return alive
        time.sleep(0.2)


def _rows(out: Path) -> dict:
    with (out / "grades.csv").open(encoding="utf-8") as fh:
        return {r["student_id"]: r for r in csv.DictReader(fh)}


def _isolations() -> list[str]:
    from autograder import sandbox
    levels = ["none"]
    try:
        if sandbox.detect("bwrap") == "bwrap":
            levels.append("bwrap")
    except RuntimeError:
        pass
    return levels


@pytest.mark.parametrize("isolation", _isolations())
def test_a_lost_coordinator_takes_its_workers_and_kernels_with_it(tmp_path, isolation):
    subs, out = tmp_path / "subs", tmp_path / "out"
    _class(subs, 2, sleep=120)
    proc = _start(subs, out, isolation, tmp_path / "log.txt")
    try:
        _wait_for_kernels(proc, 2)
        started = _snapshot(proc.pid)
        assert len(started) >= 4, started                     # two workers, two kernels at least
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        survivors = _survivors(started)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert not survivors, f"processes outlived their coordinator ({isolation}): {survivors}"


def test_ctrl_c_lets_running_submissions_finish_then_the_next_run_grades_the_rest(tmp_path):
    subs, out, log = tmp_path / "subs", tmp_path / "out", tmp_path / "log.txt"
    _class(subs, 4, sleep=3)
    proc = _start(subs, out, "auto", log)
    _wait_for_kernels(proc, 2)
    started = _snapshot(proc.pid)
    os.killpg(proc.pid, signal.SIGINT)
    assert proc.wait(timeout=120) == 130, log.read_text()
    printed = log.read_text()
    assert "Ctrl-C: stopping" in printed and "will finish" in printed, printed
    assert "interrupted:" in printed, printed
    assert not _survivors(started), "processes outlived the interrupted batch"
    rows = _rows(out)
    assert len(rows) == 4, rows
    graded = [r for r in rows.values() if r["status"] == "graded"]
    stopped = [r for r in rows.values() if "interrupted" in r["flags"]]
    assert len(graded) >= 2 and stopped and len(graded) + len(stopped) == 4, rows
    assert all(float(r["score"]) == 7 for r in graded), graded     # what was running finished, whole
    assert all(r["status"] == "failed" for r in stopped), stopped
    again = subprocess.run([sys.executable, "-m", "autograder", "grade", "toy", "--submissions", str(subs), "--out",
                            str(out), "--workers", "2"], cwd=ROOT, env=ENV, capture_output=True, text=True,
                           timeout=300)
    assert again.returncode == 0, again.stdout + again.stderr
    assert again.stdout.count("(cached)") == len(graded), again.stdout
    assert all(float(r["score"]) == 7 for r in _rows(out).values())


def test_a_second_ctrl_c_stops_at_once_and_keeps_grades_csv(tmp_path):
    subs, out, log = tmp_path / "subs", tmp_path / "out", tmp_path / "log.txt"
    _class(subs, 3, sleep=120)
    proc = _start(subs, out, "auto", log)
    _wait_for_kernels(proc, 2)
    started = _snapshot(proc.pid)
    os.killpg(proc.pid, signal.SIGINT)
    deadline = time.monotonic() + 10
    while "Ctrl-C: stopping" not in log.read_text():
        assert time.monotonic() < deadline, log.read_text()
        time.sleep(0.1)
    began = time.monotonic()
    os.killpg(proc.pid, signal.SIGINT)
    assert proc.wait(timeout=60) == 130, log.read_text()
    assert time.monotonic() - began < 20, "the second Ctrl-C did not stop the batch at once"
    printed = log.read_text()
    assert "killing" in printed, printed
    assert not _survivors(started), "processes outlived the second Ctrl-C"
    rows = _rows(out)
    assert len(rows) == 3 and all("interrupted" in r["flags"] for r in rows.values()), rows
