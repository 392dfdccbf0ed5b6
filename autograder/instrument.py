"""Wrap the notebook to run with the grader's watchman (kernel_guard.py), then read its reports.

`instrument` returns the notebook to execute and a Plan:
  - a first cell installs the watchman before any student code;
  - student code cells placed above the first set-up cell move just below it (the set-up cell
    imports the libraries the tests rely on; they are snapshotted before student code runs);
  - after each set-up cell, a cell records the names it bound;
  - each test cell is preceded by a guard cell (undo subversion, report) and followed by a
    cell that gives the student's shadowing names back; its own last line reports that the
    test ran to its end, with a token only that cell holds.
`read_reports` takes the executed notebook back to the student's layout (the grader's cells and
lines removed) and returns, per test, whether it was seen to finish cleanly, and what was found.
"""
from __future__ import annotations

import ast
import copy
import json
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from autograder import notebooks as nbs

MIME = "application/x.autograder+json"
GUARD_SOURCE = (Path(__file__).parent / "kernel_guard.py").read_text(encoding="utf-8")
ROLE = "autograder_role"


@dataclass
class Plan:
    nonce: str
    module: str
    tokens: dict = field(default_factory=dict)          # test grade_id -> token of its last line


@dataclass
class TestReport:
    guarded: bool = False          # the guard ran right before the test
    finished: bool = False         # the test's last line ran and reported with the right token
    clean: bool = True             # nothing was subverted while the test ran, nothing left unrestored before it
    before: list = field(default_factory=list)          # (severity, what) found by the guard
    findings: list = field(default_factory=list)        # (severity, what) found at the test's end
    reply: str = "missing"         # the kernel's execute_reply status for the test cell


def is_setup_cell(cell) -> bool:
    m = nbs.nbgrader_meta(cell)
    return (cell.get("cell_type") == "code" and bool(m.get("locked")) and not m.get("grade")
            and not m.get("solution"))


def bound_names(source: str) -> list[str]:
    """Names a cell binds at top level (imports, assignments, defs)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    names = []
    for node in tree.body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names += [(a.asname or a.name).split(".")[0] for a in node.names if a.name != "*"]
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.append(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign, ast.For, ast.With)):
            targets = (node.targets if isinstance(node, ast.Assign) else
                       [node.target] if not isinstance(node, ast.With) else
                       [i.optional_vars for i in node.items if i.optional_vars is not None])
            for t in targets:
                names += [n.id for n in ast.walk(t) if isinstance(n, ast.Name)]
    return sorted(set(names))


def _call(plan: Plan, expr: str) -> str:
    return f"__import__('sys').modules[{plan.module!r}].{expr}"


def _grader_cell(source: str, role: str):
    from nbformat.v4 import new_code_cell
    cell = new_code_cell(source)
    cell.metadata[ROLE] = role
    return cell


def bootstrap_source(plan: Plan, trusted_roots: list[str]) -> str:
    config = {"nonce": plan.nonce, "roots": trusted_roots}
    return (
        "def _autograder_boot():\n"
        "    import builtins, sys, types\n"
        f"    m = types.ModuleType({plan.module!r})\n"
        "    m.__dict__['__builtins__'] = dict(vars(builtins))\n"
        f"    sys.modules[{plan.module!r}] = m\n"
        f"    exec(compile({GUARD_SOURCE!r}, '<autograder>', 'exec'), m.__dict__)\n"
        f"    m.install({json.dumps(config)})\n"
        "_autograder_boot()\n"
        "del _autograder_boot"
    )


def instrument(nb, trusted_roots: list[str]):
    """The notebook to execute and its Plan. `nb` itself is not changed."""
    plan = Plan(nonce=secrets.token_hex(16), module=f"_autograder_{secrets.token_hex(6)}")
    cells = [copy.deepcopy(c) for c in nb.cells]
    first_setup = next((i for i, c in enumerate(cells) if is_setup_cell(c)), None)
    if first_setup is not None:
        early = [c for c in cells[:first_setup] if c.get("cell_type") == "code"]
        rest = [c for c in cells[:first_setup] if c.get("cell_type") != "code"]
        cells = rest + [cells[first_setup]] + early + cells[first_setup + 1:]
    out = [_grader_cell(bootstrap_source(plan, trusted_roots), "bootstrap")]
    for cell in cells:
        if nbs.is_test_cell(cell):
            gid = nbs.grade_id(cell)
            out.append(_grader_cell(_call(plan, f"before_test({gid!r})"), "guard"))
            original = cell.source
            if not original.lstrip().startswith("%%"):
                token = secrets.token_hex(12)
                plan.tokens[gid] = token
                cell.source = original.rstrip() + "\n" + _call(plan, f"done({gid!r}, {token!r})")
            cell.metadata[ROLE] = "test"
            cell.metadata["autograder_source"] = original
            out.append(cell)
            out.append(_grader_cell(_call(plan, f"after_test({gid!r})"), "after"))
        elif is_setup_cell(cell):
            out.append(cell)
            out.append(_grader_cell(_call(plan, f"snapshot_setup({bound_names(cell.source)!r})"), "snapshot"))
        else:
            out.append(cell)
    result = copy.deepcopy(nb)
    result.cells = out
    return result, plan


def _payloads(cell, nonce: str) -> list[dict]:
    found = []
    for out in cell.get("outputs", []):
        data = out.get("data", {}) if out.get("output_type") == "display_data" else {}
        payload = data.get(MIME)
        if isinstance(payload, str):
            try:
                payload = json.loads(payload)
            except ValueError:
                payload = None
        if isinstance(payload, dict) and payload.get("nonce") == nonce:
            found.append(payload)
    return found


def _strip_markers(cell) -> None:
    cell["outputs"] = [o for o in cell.get("outputs", []) if MIME not in o.get("data", {})]


def read_reports(executed, plan: Plan, replies: dict | None = None):
    """(the notebook in the student's layout, {test grade_id: TestReport}, [all findings]).

    `replies` maps a cell's index in the executed notebook to its execute_reply status."""
    replies = replies or {}
    reports: dict[str, TestReport] = {}
    loose = []               # findings from guard cells, by test
    kept = []
    pending_guard = None
    for index, cell in enumerate(executed.cells):
        role = cell.get("metadata", {}).get(ROLE)
        if role in ("bootstrap", "snapshot", "after", "guard"):
            payloads = _payloads(cell, plan.nonce)
            if role == "guard":
                pending_guard = payloads[0] if payloads else None
            for p in payloads:
                loose += [(f["severity"], f["what"]) for f in p.get("findings", [])]
            err = _error(cell)
            if err and role != "after":
                loose.append(("grader", f"{role} cell failed: {err}"))
            continue
        if role == "test":
            gid = nbs.grade_id(cell)
            report = TestReport(guarded=pending_guard is not None and pending_guard.get("test") == gid,
                                reply=replies.get(index, "missing"))
            if report.guarded:
                report.before = [(f["severity"], f["what"]) for f in pending_guard.get("findings", [])]
            pending_guard = None
            token = plan.tokens.get(gid)
            for p in _payloads(cell, plan.nonce):
                if p.get("kind") == "done" and p.get("test") == gid and token and p.get("token") == token:
                    report.finished = True
                    report.findings = [(f["severity"], f["what"]) for f in p.get("findings", [])]
                    report.clean = (not any(s in ("tamper", "unrestorable") for s, _ in report.findings)
                                    and not any(s == "unrestorable" for s, _ in report.before))
            if token is None:                     # a cell magic: no last line could be added
                report.finished = _error(cell) is None and cell.get("execution_count") is not None
            loose += report.findings
            reports[gid] = report
            cell.source = cell.metadata.pop("autograder_source")
            cell.metadata.pop(ROLE, None)
            _strip_markers(cell)
        kept.append(cell)
    result = copy.copy(executed)
    result.cells = kept
    return result, reports, loose


def _error(cell) -> str | None:
    for out in cell.get("outputs", []):
        if out.get("output_type") == "error":
            return f"{out.get('ename', 'Error')}: {out.get('evalue', '')}"
    return None
