"""Grading on Slurm for real, through dask-jobqueue's SLURMCluster: a single-node cluster on 127.0.0.1 (munged,
slurmctld, slurmd started here, stopped afterwards) grades a small class of the toy course.

Opt-in (`make test-slurm`, which installs Debian's slurm-wlm and munge and sets AUTOGRADER_SLURM_TEST=1):
`make test` skips it.
"""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from test_grader_scale import ANSWERS, ENV, ROOT, grades, make_class
from servers import slurm

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("grader_slurm"),
              pytest.mark.skipif(os.environ.get("AUTOGRADER_SLURM_TEST") != "1",
                                 reason="opt-in: `make test-slurm` runs it (AUTOGRADER_SLURM_TEST=1)")]


def test_a_class_graded_by_dask_workers_in_slurm_jobs(tmp_path):
    reason = slurm.missing()
    if reason:
        pytest.skip(reason)
    students = {"correct": "SOLUTION", "partial": ANSWERS["partial"], "blank": None, "wrong": ANSWERS["wrong"]}
    make_class(tmp_path / "subs", students)
    out = tmp_path / "out"
    with slurm.cluster() as slurm_env:
        env = dict(ENV, SLURM_CONF=slurm_env["SLURM_CONF"],
                   DASK_JOBQUEUE__SLURM__QUEUE="debug",
                   DASK_JOBQUEUE__SLURM__INTERFACE="lo",            # scheduler and workers on 127.0.0.1 only
                   DASK_JOBQUEUE__SLURM__WALLTIME="00:40:00")
        cmd = [sys.executable, "-m", "autograder", "grade", "toy", "--submissions", str(tmp_path / "subs"),
               "--out", str(out), "--executor", "slurm", "--workers", "2", "--timeout", "600"]
        done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
        left = slurm.wait_for_empty_queue(env)
    print("$ " + " ".join(cmd[1:]) + "\n" + done.stdout + done.stderr[-3000:])
    assert done.returncode == 0, done.stdout + done.stderr
    assert "#SBATCH" in done.stdout and "--nthreads 1" in done.stdout and "--lifetime" in done.stdout
    assert "on Dask at tcp://127.0.0.1:" in done.stdout and "Slurm jobs" in done.stdout
    scores = {r["student_id"]: r["score"] for r in grades(out) if r["status"] == "graded"}
    assert scores == {"correct": "7", "partial": "2", "blank": "0", "wrong": "0"}, grades(out)
    assert list((out / "slurm").glob("*.out")) or list((out / "slurm").glob("*.err")), "no Slurm job logs"
    assert not left, f"Slurm jobs outlived the batch: {left}"
