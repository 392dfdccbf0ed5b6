"""Grading one notebook: small steps composed in order (nbgrader's preprocessor style).

    restore_cells  -> the notebook to run: the student's answers, every test and locked
                      cell taken from solutions/ (hidden tests included), missing cells re-inserted
    execute        -> fresh kernel, per-cell timeout, errors recorded, not raised
    cap_outputs    -> huge outputs cut down
    score          -> a test cell earns its points when it raised no error

Only `error` outputs fail a test: warnings on stderr (TensorFlow is chatty) never cost points.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass, field

from autograder import notebooks as nbs
from autograder.settings import CELL_TIMEOUT_S, KERNEL_NAME

MAX_OUTPUT_BYTES = 200_000


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


def restore_cells(submission, source) -> tuple:
    """Build the notebook to execute. Returns (notebook, flags).

    `source` is the solutions/ notebook. Solution cells keep the student's code; every other
    cell with a grade_id (tests, locked set-up cells, manual answers' prompts) comes from the
    source. Cells the student added without nbgrader metadata stay where they are.
    """
    flags = []
    src_cells = {nbs.grade_id(c): c for c in source.cells if nbs.grade_id(c)}
    order = [nbs.grade_id(c) for c in source.cells if nbs.grade_id(c)]
    out, seen = [], set()
    for cell in submission.cells:
        gid = nbs.grade_id(cell)
        if cell.get("cell_type") not in ("code", "markdown", "raw"):
            flags.append("malformed_cell")
            continue
        if gid is None:
            if "nbgrader" in cell.get("metadata", {}):
                flags.append("tampered")       # nbgrader metadata without an id: not ours
                cell = copy.deepcopy(cell)
                cell.metadata.pop("nbgrader", None)
            out.append(cell)
            continue
        if gid not in src_cells:
            flags.append("tampered")
            cell = copy.deepcopy(cell)
            cell.metadata.pop("nbgrader", None)
            out.append(cell)
            continue
        if gid in seen:
            flags.append("duplicate_cells")
            continue
        seen.add(gid)
        src = src_cells[gid]
        if _meta_differs(cell, src):
            flags.append("tampered")
        if nbs.is_solution_cell(src):
            restored = copy.deepcopy(src)
            restored.source = cell.get("source", "") if isinstance(cell.get("source"), str) else ""
            out.append(restored)
        else:
            out.append(copy.deepcopy(src))
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
    return result, sorted(set(flags))


_GRADING_KEYS = ("grade", "solution", "locked", "points", "grade_id", "task")


def _meta_differs(cell, src) -> bool:
    a, b = nbs.nbgrader_meta(cell), nbs.nbgrader_meta(src)
    return any(a.get(k) != b.get(k) for k in _GRADING_KEYS if k in b or k in a)


def execute(nb, workdir: str, cell_timeout: int = CELL_TIMEOUT_S, kernel_name: str = KERNEL_NAME) -> list:
    """Run every cell in a fresh kernel whose working directory is `workdir`. Returns flags."""
    from nbclient import NotebookClient
    from nbclient.exceptions import DeadKernelError

    client = NotebookClient(nb, timeout=cell_timeout, kernel_name=kernel_name, allow_errors=True,
                            interrupt_on_timeout=True, record_timing=False,
                            resources={"metadata": {"path": workdir}})
    flags = []
    try:
        client.execute(cwd=workdir)
    except DeadKernelError:
        flags.append("kernel_died")
    except Exception as exc:  # startup failures, protocol errors: the row must still be written
        flags.append(f"execution_error:{type(exc).__name__}")
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error" and "Timeout" in str(out.get("ename", "")):
                flags.append("timeout")
    return flags


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


def score(nb, executed: bool = True) -> Outcome:
    outcome = Outcome()
    for cell in nbs.test_cells(nb):
        gid = nbs.grade_id(cell)
        pts = nbs.points(cell)
        ran = cell.get("execution_count") is not None or bool(cell.get("outputs"))
        msg = error_message(cell)
        if msg is None and not ran:
            msg = "not run (the kernel stopped before this cell)"
        outcome.max_points[gid] = pts
        outcome.scores[gid] = pts if (executed and msg is None) else 0.0
        outcome.messages[gid] = msg or ""
    return outcome
