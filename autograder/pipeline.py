"""Grading one notebook: small steps composed in order (nbgrader's preprocessor style).

    restore_cells  -> the notebook to run: the student's answers, every test and locked
                      cell taken from solutions/ (hidden tests included), missing cells re-inserted
    scan           -> (scan.py) suspicious code flagged for a human, nothing changed
    instrument     -> (instrument.py) the watchman installed first, a guard around each test
    execute        -> (executor.py) fresh sandboxed kernel, per-cell timeout, outputs capped on arrival
    read_reports   -> (instrument.py) the grader's cells removed, each test's report read
    cap_outputs    -> huge outputs cut down
    score          -> a test earns its points when it raised no error, its reply was 'ok', and
                      the watchman saw it run to its last line with nothing subverted

Only `error` outputs fail a test: warnings on stderr (TensorFlow is chatty) never cost points.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass, field

from autograder import notebooks as nbs
from autograder.settings import MAX_OUTPUT_BYTES


@dataclass
class Outcome:
    scores: dict = field(default_factory=dict)       # test grade_id -> points earned
    max_points: dict = field(default_factory=dict)   # test grade_id -> points available
    messages: dict = field(default_factory=dict)     # test grade_id -> error message, "" when passed
    flags: list = field(default_factory=list)

    @property
    def score(self) -> float:
        return float(sum(self.scores.values()))

    @property
    def max_score(self) -> float:
        return float(sum(self.max_points.values()))


def _student_cell(cell):
    """A cell the student added, kept as it is but without any grading metadata."""
    cell = copy.deepcopy(cell)
    if not isinstance(cell.get("metadata"), dict):
        cell["metadata"] = {}
    for key in [k for k in cell.metadata if k == "nbgrader" or str(k).startswith("autograder")]:
        cell.metadata.pop(key)
    if not isinstance(cell.get("source"), str):
        cell["source"] = ""
    return cell


def restore_cells(submission, source) -> tuple:
    """Build the notebook to execute. Returns (notebook, flags).

    `source` is the solutions/ notebook. Solution cells keep the student's code; every other
    cell with a grade_id (tests, locked set-up cells, manual answers' prompts) comes from the
    source, metadata included. Cells the student added stay where they are, as plain cells.
    A duplicated answer cell stays too (the student ran it), as a plain cell.
    """
    flags = []
    src_cells = {nbs.grade_id(c): c for c in source.cells if nbs.grade_id(c)}
    order = [nbs.grade_id(c) for c in source.cells if nbs.grade_id(c)]
    out, seen = [], set()
    for cell in submission.cells:
        if not isinstance(cell, dict) or cell.get("cell_type") not in ("code", "markdown", "raw"):
            flags.append("malformed_cell")
            continue
        gid = nbs.grade_id(cell)
        if gid is None or gid not in src_cells:
            if "nbgrader" in (cell.get("metadata") or {}):
                flags.append("tampered")       # grading metadata that is not the course's
            out.append(_student_cell(cell))
            continue
        src = src_cells[gid]
        if gid in seen:
            flags.append("duplicate_cells")
            if nbs.is_solution_cell(src) and cell.get("cell_type") == "code":
                out.append(_student_cell(cell))
            continue
        seen.add(gid)
        if _meta_differs(cell, src) or (cell.get("cell_type") != src.cell_type and not nbs.is_solution_cell(src)):
            flags.append("tampered")
        elif any(nbs.nbgrader_meta(cell).get(k) != v for k, v in nbs.nbgrader_meta(src).items()):
            flags.append("edited_metadata")
        restored = copy.deepcopy(src)
        if nbs.is_solution_cell(src):
            restored.source = cell.get("source", "") if isinstance(cell.get("source"), str) else ""
        out.append(restored)
    # put back grade cells the student deleted, after the source cell that precedes them
    for i, gid in enumerate(order):
        if gid in seen:
            continue
        flags.append("cells_missing")
        src = copy.deepcopy(src_cells[gid])
        if nbs.is_solution_cell(src):
            src.source = ""           # a deleted answer is an empty answer
        prev = order[:i]
        pos = 0
        for j, c in enumerate(out):
            if nbs.grade_id(c) in prev:
                pos = j + 1
        out.insert(pos, src)
        seen.add(gid)
    result = copy.deepcopy(source)
    result.cells = out
    for cell in result.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
        else:
            cell.pop("outputs", None)
            cell.pop("execution_count", None)
    return result, sorted(set(flags))


_GRADING_KEYS = ("grade", "solution", "locked", "points", "grade_id", "task")


def _meta_differs(cell, src) -> bool:
    a, b = nbs.nbgrader_meta(cell), nbs.nbgrader_meta(src)
    return any(a.get(k) != b.get(k) for k in _GRADING_KEYS if k in b or k in a)


def cap_outputs(nb, limit: int = MAX_OUTPUT_BYTES) -> list:
    """Cut each cell's outputs to `limit` bytes of text; drop images past it."""
    truncated = False
    for cell in nb.cells:
        budget = limit
        kept = []
        for out in cell.get("outputs", []):
            size = len(str(out))
            if size <= budget:
                kept.append(out)
                budget -= size
            elif out.get("output_type") == "stream":
                out["text"] = str(out.get("text", ""))[:max(budget, 0)] + "\n[output truncated by the grader]\n"
                kept.append(out)
                budget = 0
                truncated = True
            elif out.get("output_type") == "error":
                kept.append(out)
            else:
                truncated = True
        if cell.get("cell_type") == "code":
            cell["outputs"] = kept
    return ["output_truncated"] if truncated else []


def error_message(cell) -> str | None:
    """The error a cell raised, as 'Name: message', or None."""
    for out in cell.get("outputs", []):
        if out.get("output_type") == "error":
            return f"{out.get('ename', 'Error')}: {out.get('evalue', '')}".strip()
    return None


def score(nb, executed: bool = True, reports: dict | None = None) -> Outcome:
    """Points per test cell. With `reports` (instrument.TestReport per test), a test also needs an
    'ok' reply and the watchman's word that it ran to its end with nothing subverted."""
    outcome = Outcome()
    for cell in nbs.test_cells(nb):
        gid = nbs.grade_id(cell)
        pts = nbs.points(cell)
        ran = cell.get("execution_count") is not None or bool(cell.get("outputs"))
        msg = error_message(cell)
        if msg is None and not ran:
            msg = "not run (the kernel stopped before this cell)"
        if msg is None and reports is not None:
            report = reports.get(gid)
            if report is None or not report.finished:
                msg = "the grader could not confirm that this test ran to its end"
            elif not report.clean:
                msg = "the test environment was tampered with while this test ran"
            elif report.reply != "ok":
                msg = f"the kernel reported status {report.reply!r} for this test"
        outcome.max_points[gid] = pts
        outcome.scores[gid] = pts if (executed and msg is None) else 0.0
        outcome.messages[gid] = msg or ""
    return outcome
