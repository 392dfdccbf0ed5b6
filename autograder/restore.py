"""The notebook to grade, rebuilt from the student's file and the course's source.

The student's answers come from their exercise cells; every test and locked cell comes from solutions/
(hidden tests included), whatever the submission holds; cells the student added stay, as plain cells.
"""
from __future__ import annotations

import copy

from autograder import notebooks as nbs

SAVED_OUTPUTS = "autograder_saved_outputs"     # a plain cell's outputs from the student's own run


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
            if not nbs.grade_id(cell) and cell.get("outputs"):   # shown if the pruned plan does not run the cell
                cell.metadata[SAVED_OUTPUTS] = cell.outputs
            cell.outputs, cell.execution_count = [], None
        else:
            cell.pop("outputs", None)
            cell.pop("execution_count", None)
    return result, sorted(set(flags))


_GRADING_KEYS = ("grade", "solution", "locked", "points", "grade_id", "task")


def _meta_differs(cell, src) -> bool:
    a, b = nbs.nbgrader_meta(cell), nbs.nbgrader_meta(src)
    return any(a.get(k) != b.get(k) for k in _GRADING_KEYS if k in b or k in a)
