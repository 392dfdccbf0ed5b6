"""The notebook the student's kernel runs, and the tests' records read back from it.

`instrument` returns the notebook to execute and its Plan:
  - a first cell switches `cnnlab.checks` to record mode (the batch's seed, a nonce for this run);
  - student code cells placed above the first set-up cell move just below it;
  - after each set-up cell, a cell keeps the names it bound (`checks.snapshot`): the tests run with those;
  - each test cell runs through `checks.run_test`, in a namespace of its own holding only the set-up names
    and the exercises' functions. Its checks record values and decide nothing: the judge does (judge.py).
`read_records` takes the executed notebook back to the student's layout (grader cells removed, test sources
restored, records taken out of the outputs) and returns each test's record and the cell's error, if any.
"""
from __future__ import annotations

import copy
import secrets
from dataclasses import dataclass, field

from nbformat.v4 import new_output

from autograder import notebooks as nbs
from autograder.restore import SAVED_OUTPUTS
from cnnlab.checks import MIME, digest

ROLE = "autograder_role"
NOT_RUN = "not_run"               # a cell the pruned plan leaves out (prune.py)
NOT_RUN_NOTE = "[not re-executed at grading: the output below is from the student's own run]\n"
CHECKS = '__import__("cnnlab.checks", fromlist=["checks"])'


@dataclass
class Plan:
    seed: int
    nonce: str = field(default_factory=lambda: secrets.token_hex(16))


def _grader_cell(source: str, role: str):
    from nbformat.v4 import new_code_cell
    cell = new_code_cell(source)
    cell.metadata[ROLE] = role
    return cell


def instrument(nb, exercise_names: list[str], seed: int):
    """(the notebook to execute, its Plan). `nb` itself is not changed."""
    plan = Plan(seed=int(seed))
    cells = [copy.deepcopy(c) for c in nb.cells]
    first_setup = next((i for i, c in enumerate(cells) if nbs.is_setup_cell(c)), None)
    if first_setup is not None:
        early = [c for c in cells[:first_setup] if c.get("cell_type") == "code"]
        rest = [c for c in cells[:first_setup] if c.get("cell_type") != "code"]
        cells = rest + [cells[first_setup]] + early + cells[first_setup + 1:]
    out = [_grader_cell(f"{CHECKS}.start('record', {plan.seed!r}, {plan.nonce!r})", "bootstrap")]
    for cell in cells:
        if nbs.is_test_cell(cell):
            gid = nbs.grade_id(cell)
            cell.metadata["autograder_source"] = cell.source
            cell.metadata[ROLE] = "test"
            cell.source = f"{CHECKS}.run_test({gid!r}, {cell.source!r}, globals(), {sorted(exercise_names)!r})"
            out.append(cell)
        elif nbs.is_setup_cell(cell):
            out.append(cell)
            out.append(_grader_cell(f"{CHECKS}.snapshot(globals(), {nbs.bound_names(cell.source)!r})", "snapshot"))
        else:
            out.append(cell)
    result = copy.deepcopy(nb)
    result.cells = out
    return result, plan


def _records(cell) -> list:
    found = []
    for out in cell.get("outputs", []):
        data = out.get("data", {}) if out.get("output_type") in ("display_data", "execute_result") else {}
        if isinstance(data, dict) and MIME in data:
            found.append(data[MIME])
    return found


def setup_failed(executed, replies: dict) -> str | None:
    """Why the grader's own first cell failed (a kernel too slow to start, say), or None. It runs before any
    student code, so its failure is the grader's: the job is tried again, never graded as tampering."""
    for index, cell in enumerate(executed.cells):
        if cell.get("metadata", {}).get(ROLE) == "bootstrap":
            error = nbs.error_message(cell)
            if error or replies.get(index) != "ok":
                return f"the grader's first cell did not run ({error or replies.get(index) or 'no reply'})"
    return None


def _tampering(cell, mine: list, found: list, reply: str | None) -> str | None:
    """Why a test cell's record cannot be trusted, or None. Each is something run_test never does; a forger
    who avoids them all still needs the reference's values, which the kernel never has (see judge.py)."""
    error = nbs.error_message(cell)
    if len(mine) != len(found) or len(mine) > 1:
        return "the grader received this test's record more than once or forged: no points"
    if mine and mine[0].get("digest") != digest(cell.metadata.get("autograder_source", "")):
        return "this test ran with another source than the course's (its cell was rewritten): no points"
    if mine and mine[0].get("finished") and error:
        return f"this test reported reaching its end, yet its cell failed ({error[:200]}): no points"
    if reply == "error" and not error:
        return "this test's cell failed without showing its error (the traceback was hidden): no points"
    if not mine and not error and cell.get("execution_count") is not None:
        return "this test ran without sending its record: the test cell was changed while it ran"
    return None


def read_records(executed, plan: Plan, replies: dict | None = None):
    """(notebook in the student's layout, {test id: record or None}, {test id: error}, flags).

    A record counts only inside its own test cell, once, with this run's nonce and the digest of the course's
    source, from a cell that did not fail after claiming its end; a record anywhere else, a cell that failed
    without showing it, or a test that ran to its end without a record, is the student's doing: the flag
    `tampered`, and the test gets nothing. `replies`: {cell index: execute_reply status} (executor.run)."""
    records, errors, flags, kept = {}, {}, [], []
    for index, cell in enumerate(executed.cells):
        role = cell.get("metadata", {}).get(ROLE)
        saved = cell.get("metadata", {}).pop(SAVED_OUTPUTS, None)
        if role == NOT_RUN:               # its outputs are the student's own run: shown as such, never a record
            cell.metadata.pop(ROLE)
            saved = saved if isinstance(saved, list) else []
            cell["outputs"] = [new_output("stream", name="stdout", text=NOT_RUN_NOTE)] + [
                o for o in saved if isinstance(o, dict) and not (isinstance(o.get("data"), dict) and MIME in o["data"])]
            kept.append(cell)
            continue
        found = _records(cell)
        cell["outputs"] = [o for o in cell.get("outputs", []) if MIME not in (o.get("data") or {})]
        if role in ("bootstrap", "snapshot"):
            continue
        if role == "test":
            gid = nbs.grade_id(cell)
            mine = [r for r in found if isinstance(r, dict) and r.get("nonce") == plan.nonce and r.get("test") == gid]
            reply = (replies or {}).get(index)
            problem = _tampering(cell, mine, found, reply)
            if problem:
                flags.append("tampered")
                errors[gid], records[gid] = problem, None
            elif replies is not None and reply is None and mine and not nbs.error_message(cell):
                # a record, but the cell never finished (the kernel stopped or was stopped): no claim to trust
                errors[gid], records[gid] = "the test's cell did not finish (the kernel stopped before it ended)", None
            else:
                records[gid] = mine[0] if mine else None
                if nbs.error_message(cell):
                    errors[gid] = nbs.error_message(cell)
            cell.source = cell.metadata.pop("autograder_source")
            cell.metadata.pop(ROLE, None)
        elif found:
            flags.append("tampered")
        kept.append(cell)
    result = copy.copy(executed)
    result.cells = kept
    return result, records, errors, sorted(set(flags))
