"""Grades one submission in its own process: `python -m autograder.worker JOB.json`.

The parent gives it a private working folder holding a copy of the notebook; the worker
writes result.json, the executed notebook and the feedback page, and nothing else.
"""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from autograder import feedback, notebooks as nbs, pipeline
from autograder.settings import solution_path


def grade_file(chapter: str, notebook_path: Path, workdir: Path, student_id: str) -> dict:
    source = nbs.read(solution_path(chapter))
    flags = []
    try:
        submission = nbs.read(notebook_path)
    except nbs.NotebookError as exc:
        return {"status": "failed", "flags": ["malformed_notebook"], "detail": str(exc)}
    nb, restore_flags = pipeline.restore_cells(submission, source)
    flags += restore_flags
    notebook_path.unlink()                     # the kernel sees an empty folder: nothing to read back
    flags += pipeline.execute(nb, str(workdir))
    flags += pipeline.cap_outputs(nb)
    outcome = pipeline.score(nb)
    nbs.write(nb, workdir.parent / "executed.ipynb")
    page = feedback.render(student_id, chapter, nb, outcome, flags)
    (workdir.parent / "feedback.html").write_text(page, encoding="utf-8")
    return {"status": "graded", "flags": sorted(set(flags)), "scores": outcome.scores,
            "max_points": outcome.max_points, "messages": outcome.messages}


def main(argv=None) -> int:
    job = json.loads(Path((argv or sys.argv[1:])[0]).read_text(encoding="utf-8"))
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    result = grade_file(job["chapter"], Path(job["notebook"]), Path(job["workdir"]), job["student_id"])
    Path(job["result"]).write_text(json.dumps(result), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
