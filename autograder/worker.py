"""Grades one submission in its own process: `python -m autograder.worker JOB.json`.

The parent gives it a private folder (mode 700) holding the job, a copy of the notebook and an
`ipc/` folder for the kernel's sockets; only `ipc/` is visible to the kernel's sandbox. The
worker writes result.json, the executed notebook and the feedback page beside the job. It is a
child subreaper: whatever the kernel leaves behind is re-parented to it and killed at the end.
"""
from __future__ import annotations

import json
import os
import resource
import sys
import traceback
from pathlib import Path

from autograder import executor, feedback, instrument, notebooks as nbs, pipeline, sandbox, scan
from autograder.settings import CELL_TIMEOUT_S, FILE_SIZE_LIMIT_MB, NOTEBOOK_TIMEOUT_S, solution_path
from autograder.watchdog import kill_tree

PR_SET_CHILD_SUBREAPER = 36
TAMPER = ("tamper", "unrestorable")


def become_subreaper() -> None:
    try:
        import ctypes
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    except Exception:
        pass


def limit_resources() -> None:
    """Inherited by the kernel: no core dumps, files at most FILE_SIZE_LIMIT_MB."""
    for what, value in ((resource.RLIMIT_CORE, 0), (resource.RLIMIT_FSIZE, FILE_SIZE_LIMIT_MB << 20)):
        try:
            resource.setrlimit(what, (value, value))
        except (ValueError, OSError):
            pass


def _flags_from_findings(findings: list) -> list[str]:
    flags = []
    if any(s in TAMPER for s, _ in findings):
        flags.append("tampered")
    if any(s == "shadowed_builtin" for s, _ in findings):
        flags.append("shadowed_builtins")
    if any(s == "restored_name" for s, _ in findings):
        flags.append("restored_names")
    return flags


def grade_file(job: dict) -> dict:
    chapter, student_id = job["chapter"], job["student_id"]
    tmp = Path(job["tmp"])
    source = nbs.read(solution_path(chapter))
    try:
        submission, flags = nbs.read_submission(Path(job["notebook"]).read_bytes(), f"{chapter}.ipynb")
        nb, restore_flags = pipeline.restore_cells(submission, source)
    except (nbs.NotebookError, Exception) as exc:          # nothing readable: one failed row, no kernel
        return {"status": "failed", "flags": ["malformed_notebook"], "detail": str(exc)[:500]}
    flags += restore_flags
    Path(job["notebook"]).unlink()
    findings = scan.scan(nb)
    flags += scan.flags(findings)
    to_run, plan = instrument.instrument(nb, sandbox.trusted_roots())
    with open(tmp / "kernel.log", "ab") as log:
        run_flags, client = executor.run(to_run, job["isolation"], job["ipc"], str(tmp / "scratch"), log_file=log,
                                         cell_timeout=job.get("cell_timeout", CELL_TIMEOUT_S),
                                         deadline_s=job.get("deadline_s", NOTEBOOK_TIMEOUT_S))
    flags += run_flags
    executed, reports, guard_findings = instrument.read_reports(to_run, plan, client.replies)
    guard_findings = list(dict.fromkeys(guard_findings))
    flags += _flags_from_findings(guard_findings)
    if not ({"kernel_died", "timeout"} & set(flags)) and not all(r.guarded for r in reports.values()):
        flags.append("tampered")       # the guard before a test never ran: later cells were rewritten or blanked
        guard_findings.append(("tamper", "the grader's checks did not run before every test (cells rewritten?)"))
    if any(s == "grader" for s, _ in guard_findings) and "kernel_died" not in flags and "timeout" not in flags:
        flags.append("guard_failed")
    flags += pipeline.cap_outputs(executed)
    outcome = pipeline.score(executed, reports=reports)
    nbs.write(executed, tmp / "executed.ipynb")
    notes = list(dict.fromkeys(w for s, w in guard_findings if s in TAMPER))
    page = feedback.render(student_id, chapter, executed, outcome, sorted(set(flags)),
                           show_hidden=job.get("show_hidden", False), notes=notes)
    (tmp / "feedback.html").write_text(page, encoding="utf-8")
    return {"status": "graded", "flags": sorted(set(flags)), "scores": outcome.scores,
            "max_points": outcome.max_points, "messages": outcome.messages,
            "findings": [{"source": "runtime", "severity": s, "what": w} for s, w in guard_findings]
            + [{"source": "scan", "severity": f.severity, "what": f"{f.cell} line {f.line}: {f.why} ({f.rule})",
                "code": f.code} for f in findings]}


def main(argv=None) -> int:
    job_path = Path((argv or sys.argv[1:])[0])
    job = json.loads(job_path.read_text(encoding="utf-8"))
    become_subreaper()
    limit_resources()
    try:
        result = grade_file(job)
    except Exception:
        result = {"status": "failed", "flags": ["grader_error"], "detail": traceback.format_exc()[-2000:]}
    finally:
        kill_tree(os.getpid(), include_root=False)
    Path(job["tmp"], "result.json").write_text(json.dumps(result), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
