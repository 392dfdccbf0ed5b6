"""Grading at scale, with real processes on 127.0.0.1: the Dask executors (a LocalCluster, and a `dask scheduler`
with two `dask worker` processes, one killed mid-batch), resumed runs, a PostgreSQL gradebook on a throwaway
server, and the sandbox preflight. The class is the toy course's (imports only numpy), a handful of students.

tests/servers/install.sh (run by `make test`) installs PostgreSQL, Dask and psycopg; without them the tests that
need them skip, saying what to run.
"""
from __future__ import annotations

import concurrent.futures as cf
import csv
import os
import shutil
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import nbformat
import pytest

import servers

ROOT = Path(__file__).resolve().parent.parent
TOY = ROOT / "tests" / "fixtures" / "toycourse"
SOLUTION = TOY / "solutions" / "toy" / "toy.ipynb"
RELEASE = TOY / "notebooks" / "toy" / "toy.ipynb"
ENV = dict(os.environ, AUTOGRADER_COURSE_ROOT=str(TOY), PYTHONPATH=str(ROOT))
# toy_add's answer per student (None: the notebook as released; "SOLUTION": the whole solution notebook)
ANSWERS = {
    "correct": "SOLUTION",
    "partial": "def add(a, b):\n    return a + b\n",
    "blank": None,
    "wrong": "def add(a, b):\n    return a - b\n",
    "spinning": "def add(a, b):\n    while True:\n        pass\n\nadd(1, 2)\n",
}


def needs(*what):
    reason = servers.missing(*what)
    return pytest.mark.skipif(reason is not None, reason=reason or "")


def write_student(subs: Path, name: str, answer: str | None) -> None:
    folder = subs / name
    folder.mkdir(parents=True, exist_ok=True)
    if answer == "SOLUTION":
        shutil.copyfile(SOLUTION, folder / "toy.ipynb")
        return
    nb = nbformat.read(str(RELEASE), as_version=4)
    for cell in nb.cells:
        if answer is not None and cell.metadata.get("nbgrader", {}).get("grade_id") == "toy_add":
            cell.source = answer
    nbformat.write(nb, str(folder / "toy.ipynb"))


def make_class(subs: Path, answers: dict) -> None:
    for name, answer in answers.items():
        write_student(subs, name, answer)


def autograder(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    done = subprocess.run([sys.executable, "-m", "autograder", *args], cwd=ROOT, env=ENV, capture_output=True,
                          text=True, timeout=600)
    if check:
        assert done.returncode == 0, done.stdout + done.stderr
    return done


def grade_args(subs: Path, out: Path, *more: str) -> list[str]:
    return ["grade", "toy", "--submissions", str(subs), "--out", str(out), "--workers", "2", "--cell-timeout", "8",
            *more]


def grades(out: Path) -> list[dict]:
    with (out / "grades.csv").open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def gradebook_counts(url: str) -> tuple[Counter, Counter]:
    """(students, submissions of toy per student) in an nbgrader gradebook."""
    from autograder.gradebook import engine_url
    from nbgrader.api import Gradebook
    with Gradebook(engine_url(url)) as gb:
        students = Counter(s.id for s in gb.students)
        submissions = Counter(s.student.id for s in gb.find_assignment("toy").submissions)
    return students, submissions


# --------------------------------------------------------------------------- the coordinator's bookkeeping

class FakeBook:
    def __init__(self):
        self.entries = []

    def submit(self, student_id, scores, has_notebook):
        self.entries.append(student_id)


def test_a_result_that_arrives_twice_makes_one_row_and_one_gradebook_entry(tmp_path):
    import logging
    from autograder.grade import Ledger, Row
    from autograder.submissions import Submission
    book = FakeBook()
    ledger = Ledger(tmp_path, "toy", book, 1, log=lambda *_: None, logger=logging.getLogger("test"))
    sub = Submission("ada", raw=b"{}")
    result = {"status": "graded", "flags": [], "scores": {"toy_add_tests": 2.0}, "executed": None, "feedback": None}
    assert ledger.finish(sub, Row("ada", status="graded", scores={"toy_add_tests": 2.0}), result)
    assert not ledger.finish(sub, Row("ada", status="graded", scores={"toy_add_tests": 0.0}), result)
    assert [r.student_id for r in ledger.sorted_rows()] == ["ada"] and book.entries == ["ada"]
    assert ledger.rows["ada"].scores == {"toy_add_tests": 2.0}


class Scripted(cf.Executor):
    """An executor whose n-th result for a student is script[student](n): a result dict or an exception."""

    def __init__(self, script):
        self.script, self.calls = script, Counter()

    def submit(self, fn, job):
        sid = job["label"]
        self.calls[sid] += 1
        future = cf.Future()
        outcome = self.script[sid](self.calls[sid])
        future.set_exception(outcome) if isinstance(outcome, BaseException) else future.set_result(outcome)
        return future


def test_only_infrastructure_failures_are_tried_again_and_a_bounded_number_of_times():
    import logging
    from autograder.grade import MAX_ATTEMPTS, run_jobs
    graded = {"status": "graded", "flags": []}
    script = {
        "flaky": lambda n: {"status": "failed", "flags": ["grader_error"]} if n == 1 else graded,
        "lost": lambda n: RuntimeError("worker lost"),
        "slow": lambda n: {"status": "graded", "flags": ["timeout"]},
        "greedy": lambda n: {"status": "graded", "flags": ["memory_limit"]},
    }
    pool, results = Scripted(script), {}

    def on_result(sid, result):
        assert sid not in results
        results[sid] = result

    run_jobs(pool, {sid: {"label": sid} for sid in script}, on_result, logging.getLogger("test"), workers=2)
    assert pool.calls == {"flaky": 2, "lost": MAX_ATTEMPTS, "slow": 1, "greedy": 1}
    assert results["flaky"] == graded and results["lost"]["flags"] == ["worker_lost"]
    assert results["slow"]["flags"] == ["timeout"] and results["greedy"]["flags"] == ["memory_limit"]


def test_a_broken_local_pool_is_replaced_and_the_batch_goes_on():
    import logging
    from concurrent.futures.process import BrokenProcessPool
    from autograder.grade import run_jobs
    graded = {"status": "graded", "flags": []}
    broken = Scripted({sid: (lambda n: BrokenProcessPool("a worker died")) for sid in ("a", "b")})
    fresh = Scripted({sid: (lambda n: graded) for sid in ("a", "b")})
    results = {}
    final, not_graded = run_jobs(broken, {sid: {"label": sid} for sid in ("a", "b")}, results.__setitem__,
                     logging.getLogger("test"), workers=2, replace_pool=lambda old: fresh)
    assert final is fresh and results == {"a": graded, "b": graded} and not_graded == []


def test_a_worker_with_another_grader_refuses_the_job():
    from autograder.job import new_job, run_job_safely
    job = new_job("toy", SOLUTION.read_bytes(), SOLUTION.read_bytes(), 1, "ada")
    job["grader"] = "0123456789abcdef"
    result = run_job_safely(job)
    assert result["flags"] == ["grader_error"] and "another grader" in result["detail"]


@needs("dask")
def test_slurm_workers_retire_before_their_walltime_with_one_thread_each(monkeypatch):
    import dask
    from autograder import daskexec
    assert [daskexec.walltime_seconds(t) for t in ("90", "10:30", "02:00:00", "1-0", "1-02:03:04")] == \
        [5400, 630, 7200, 86400, 93784]
    with dask.config.set({"jobqueue.slurm.walltime": "02:00:00", "jobqueue.slurm.cores": 4}):
        settings = daskexec.slurm_settings(10, timeout_s=600, memory_mb=2048)
    assert settings["processes"] == settings["cores"] == 4 and settings["jobs"] == 3
    assert settings["memory"] == f"{4 * (2048 + daskexec.WORKER_MB)}MB"
    lifetime = settings["worker_extra_args"][settings["worker_extra_args"].index("--lifetime") + 1]
    assert int(lifetime.rstrip("s")) + 120 <= 7200 - 300
    with dask.config.set({"jobqueue.slurm.walltime": "00:30:00"}), pytest.raises(ValueError, match="at least 35"):
        daskexec.slurm_settings(1, timeout_s=900)


# --------------------------------------------------------------------------- the sandbox preflight

def fake_host(tmp_path: Path, bwrap_says: str | None = None, **proc_files: str) -> tuple[Path, Path]:
    """A bin/ folder with a bwrap that fails saying `bwrap_says`, and a /proc stand-in with `proc_files`."""
    bin_dir, proc = tmp_path / "bin", tmp_path / "proc"
    bin_dir.mkdir()
    if bwrap_says is not None:
        (bin_dir / "bwrap").write_text(f"#!/bin/sh\necho '{bwrap_says}' >&2\nexit 1\n")
        (bin_dir / "bwrap").chmod(0o755)
    for name, value in proc_files.items():
        path = proc / name.replace("__", "/")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(value + "\n")
    (proc / "1").mkdir(parents=True, exist_ok=True)
    (proc / "1" / "cgroup").write_text("0::/\n")
    return bin_dir, proc


def test_preflight_names_the_cause_and_the_fix_on_ubuntu_24_04(tmp_path, monkeypatch):
    from autograder import preflight
    bin_dir, proc = fake_host(tmp_path, "bwrap: setting up uid map: Permission denied",
                              sys__kernel__apparmor_restrict_unprivileged_userns="1")
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setattr(preflight, "PROC", proc)
    with pytest.raises(preflight.PreflightError) as caught:
        preflight.check("bwrap")
    message = str(caught.value)
    assert "setting up uid map" in message and "/etc/apparmor.d/bwrap" in message and "userns," in message
    verdict = preflight.check("auto")                  # auto grades anyway, one level down, and says why
    assert verdict.level in ("unshare", "none") and "apparmor" in verdict.notes[0]


def test_preflight_in_a_default_kubernetes_pod_points_to_the_pod_settings_or_container(tmp_path, monkeypatch):
    from autograder import preflight
    bin_dir, proc = fake_host(tmp_path, "bwrap: Can't mount proc on /newroot/proc: Operation not permitted")
    monkeypatch.setattr(preflight, "PROC", proc)
    monkeypatch.setattr(preflight, "ROOTFS", tmp_path)
    monkeypatch.setenv("KUBERNETES_SERVICE_HOST", "10.0.0.1")
    fix = preflight.bwrap_fix("bwrap: Can't mount proc on /newroot/proc: Operation not permitted")
    assert "Kubernetes pod" in fix and "procMount: Unmasked" in fix and "--isolation container" in fix


def test_isolation_container_is_refused_outside_a_container_and_says_what_it_relies_on(tmp_path, monkeypatch):
    from autograder import preflight
    _, proc = fake_host(tmp_path)
    monkeypatch.setattr(preflight, "PROC", proc)
    monkeypatch.setattr(preflight, "ROOTFS", tmp_path)
    monkeypatch.delenv("KUBERNETES_SERVICE_HOST", raising=False)
    with pytest.raises(preflight.PreflightError, match="does not look like a container"):
        preflight.check("container")
    token = tmp_path / "var" / "run" / "secrets" / "kubernetes.io" / "serviceaccount" / "token"
    token.parent.mkdir(parents=True)
    token.write_text("secret")
    monkeypatch.setenv("KUBERNETES_SERVICE_HOST", "10.0.0.1")
    verdict = preflight.check("container")
    notes = " ".join(verdict.notes)
    assert verdict.level == "container"
    for expected in ("readOnlyRootFilesystem", "resources.limits.memory", "automountServiceAccountToken",
                     "NetworkPolicy"):
        assert expected in notes, expected


@pytest.mark.slow
def test_grade_stops_before_the_batch_when_the_isolation_cannot_work(tmp_path):
    bin_dir, _ = fake_host(tmp_path, "bwrap: No permissions to creating new namespace")
    make_class(tmp_path / "subs", {"correct": "SOLUTION"})
    env = dict(ENV, PATH=f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    done = subprocess.run([sys.executable, "-m", "autograder", *grade_args(tmp_path / "subs", tmp_path / "out"),
                           "--isolation", "bwrap"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode != 0
    assert "preflight: isolation bwrap does not work" in done.stderr and "fix:" in done.stderr, done.stderr
    assert not (tmp_path / "out" / "grades.csv").exists()
    wrong = autograder(*grade_args(tmp_path / "subs", tmp_path / "out"), "--scheduler", "tcp://127.0.0.1:1",
                       check=False)
    assert wrong.returncode == 2 and "--scheduler tcp://127.0.0.1:1 needs --executor dask" in wrong.stderr


# --------------------------------------------------------------------------- Dask

@pytest.mark.slow
@pytest.mark.xdist_group("grader_scale")
@needs("dask")
def test_local_and_dask_give_the_same_grades_and_a_timeout_is_a_grade(tmp_path):
    make_class(tmp_path / "subs", ANSWERS)
    (tmp_path / "subs" / "broken").mkdir()
    (tmp_path / "subs" / "broken" / "toy.ipynb").write_text("{")
    autograder(*grade_args(tmp_path / "subs", tmp_path / "local"))
    done = autograder(*grade_args(tmp_path / "subs", tmp_path / "dask", "--executor", "dask"))
    assert "on Dask at tcp://127.0.0.1:" in done.stdout
    local, dask = grades(tmp_path / "local"), grades(tmp_path / "dask")
    assert local == dask                               # grades.csv holds no timings
    by_name = {r["student_id"]: r for r in dask}
    assert by_name["correct"]["score"] == "7" and by_name["wrong"]["score"] == "0"
    assert by_name["broken"]["status"] == "failed" and "malformed_notebook" in by_name["broken"]["flags"]
    assert by_name["spinning"]["status"] == "graded" and "timeout" in by_name["spinning"]["flags"]
    log = (tmp_path / "dask" / "grading.log").read_text()
    assert "trying again" not in log                   # a timeout in the sandbox is the student's grade


@pytest.fixture(scope="module")
def killed_batch(tmp_path_factory):
    """Eight students graded by a real `dask scheduler` and two `dask worker`s; one worker is SIGKILLed as soon
    as the first result is written. Yields (tmp, cluster, subs, out, run, results_when_killed)."""
    if servers.missing("dask"):
        pytest.skip(servers.missing("dask"))
    tmp = tmp_path_factory.mktemp("killed")
    subs, out = tmp / "subs", tmp / "out"
    names = [f"s{i}" for i in range(8)]
    make_class(subs, {name: ("SOLUTION" if i % 2 else ANSWERS["partial"]) for i, name in enumerate(names)})
    with servers.dask_cluster(2, ENV) as cluster:
        cmd = [sys.executable, "-m", "autograder", *grade_args(subs, out, "--executor", "dask", "--scheduler",
                                                                 cluster.address)]
        proc = subprocess.Popen(cmd, cwd=ROOT, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 300
        while not list((out / "results").glob("*.json")) and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.05)
        while not cluster.processing("w0") and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.05)                     # killed while it holds a submission
        cluster.kill("w0")
        when_killed = len(list((out / "results").glob("*.json")))
        stdout, stderr = proc.communicate(timeout=600)
        run = subprocess.CompletedProcess(cmd, proc.returncode, stdout, stderr)
        yield tmp, cluster, subs, out, run, when_killed


@pytest.mark.slow
@pytest.mark.xdist_group("grader_scale")
def test_a_worker_killed_mid_batch_loses_no_student_and_doubles_none(killed_batch):
    _, _, subs, out, run, when_killed = killed_batch
    assert run.returncode == 0, run.stdout + run.stderr
    assert 0 < when_killed < 8, f"the worker was killed after {when_killed} of 8 results: not mid-batch"
    rows = grades(out)
    assert sorted(r["student_id"] for r in rows) == sorted(p.name for p in subs.iterdir())      # one row each
    assert all(r["status"] == "graded" for r in rows), rows
    assert {r["score"] for r in rows} == {"2", "7"}
    students, submissions = gradebook_counts(f"sqlite:///{out / 'gradebook.db'}")
    assert set(students) == {r["student_id"] for r in rows} and set(students.values()) == {1}
    assert set(submissions) == set(students) and set(submissions.values()) == {1}


@pytest.mark.slow
@pytest.mark.xdist_group("grader_scale")
def test_a_second_run_grades_nothing_and_a_new_student_alone(killed_batch):
    _, cluster, subs, out, first, _ = killed_batch
    assert first.returncode == 0
    before = grades(out)
    again = autograder(*grade_args(subs, out, "--executor", "dask", "--scheduler", cluster.address))
    assert again.stdout.count("(cached)") == 8, again.stdout
    assert grades(out) == before
    write_student(subs, "late", ANSWERS["wrong"])
    late = autograder(*grade_args(subs, out, "--executor", "dask", "--scheduler", cluster.address))
    assert late.stdout.count("(cached)") == 8 and "late: graded 0 pts" in late.stdout, late.stdout
    students, submissions = gradebook_counts(f"sqlite:///{out / 'gradebook.db'}")
    assert len(students) == 9 and set(submissions.values()) == {1}


# --------------------------------------------------------------------------- PostgreSQL

@pytest.fixture(scope="module")
def postgres_server():
    reason = servers.missing("postgres", "psycopg")
    if reason:
        pytest.skip(reason)
    with servers.postgres() as url:
        yield url


@pytest.mark.slow
@pytest.mark.xdist_group("grader_scale")
def test_grades_land_in_postgres_and_a_manual_grade_survives_a_rerun(postgres_server, tmp_path):
    from autograder.gradebook import engine_url
    from nbgrader.api import Gradebook
    url = servers.create_database(postgres_server, "course")
    make_class(tmp_path / "subs", {k: ANSWERS[k] for k in ("correct", "partial", "blank")})
    first = autograder(*grade_args(tmp_path / "subs", tmp_path / "out"), "--gradebook", url)
    assert "unavailable" not in first.stdout, first.stdout
    with Gradebook(engine_url(url)) as gb:
        assert gb.find_submission("toy", "correct").code_score == 7
        assert gb.find_submission("toy", "partial").code_score == 2
        test = gb.find_grade("toy_add_tests", "toy", "toy", "correct")
        test.manual_score = 1.5                              # the instructor overrides a test's points
        written = gb.find_grade("toy_manual_why", "toy", "toy", "partial")
        written.manual_score = 1.0                           # and grades a written answer
        gb.db.commit()
    autograder(*grade_args(tmp_path / "subs", tmp_path / "out"), "--gradebook", url, "--force")
    with Gradebook(engine_url(url)) as gb:
        test = gb.find_grade("toy_add_tests", "toy", "toy", "correct")
        assert test.manual_score == 1.5 and test.auto_score == 2 and test.score == 1.5
        assert gb.find_grade("toy_manual_why", "toy", "toy", "partial").manual_score == 1.0
        assert len(gb.find_assignment("toy").submissions) == 3


@pytest.mark.slow
@pytest.mark.xdist_group("grader_scale")
def test_four_graders_opening_one_empty_postgres_gradebook_at_once_all_succeed(postgres_server, tmp_path):
    url = servers.create_database(postgres_server, "empty")
    go = tmp_path / "go"
    script = ("import sys, time, pathlib\n"
              "from autograder import gradebook, notebooks as nbs\n"
              "from autograder.settings import solution_path\n"
              "nb = nbs.read(solution_path('toy'))\n"
              "gradebook._alembic_on_path()\n"
              "import nbgrader.api, nbgrader.preprocessors\n"
              "pathlib.Path(sys.argv[2] + sys.argv[3]).touch()\n"
              "while not pathlib.Path(sys.argv[2]).exists(): time.sleep(0.005)\n"
              "gradebook.CourseGradebook(sys.argv[1], 'toy', nb).close()\n")
    procs = [subprocess.Popen([sys.executable, "-c", script, url, str(go), f".ready{i}"], cwd=ROOT, env=ENV,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for i in range(4)]
    deadline = time.monotonic() + 120                # all four imported and waiting, then released at once
    while len(list(tmp_path.glob("go.ready*"))) < 4 and time.monotonic() < deadline:
        time.sleep(0.05)
    go.touch()
    failures = [p.communicate(timeout=120)[1][-1500:] for p in procs if p.wait(timeout=120) != 0]
    assert not failures, failures
