"""`python -m autograder leaks [CHAPTER ...]`: prove no student notebook hands out an exercise's answer.

For every function defined in a cell of the student notebook that is not an exercise (demos and visible
tests), and every exercise whose signature it can take: use that function as the student's answer and judge
the exercise's tests (visible and hidden) with the grader's own judge. None may earn full marks: a demo that
can be pasted as a solution is a leak.

The student notebook runs once, top to bottom, in one kernel (its demos define the candidates and whatever
they rely on); then each candidate is bound to the exercise's name, adapted to its parameters by position,
and the exercise's test cells run in record mode, exactly as at grading.
"""
from __future__ import annotations

import ast
import tempfile
from dataclasses import dataclass

from autograder import bank, judge, notebooks as nbs
from autograder.instrument import CHECKS
from autograder.settings import release_path, solution_path


@dataclass
class Leak:
    chapter: str
    exercise: str
    candidate: str        # "cell N: name"
    earned_full_marks: bool
    detail: str = ""


def _arity(fn: ast.FunctionDef) -> tuple[int, int, bool]:
    args = fn.args
    positional = args.posonlyargs + args.args
    if positional and positional[0].arg in ("self", "cls"):
        positional = positional[1:]
    return len(positional) - len(args.defaults), len(positional), args.vararg is not None


def candidates(nb) -> list[tuple[int, str, tuple]]:
    """(cell index, function name, arity) of every function a non-exercise code cell defines at top level."""
    found = []
    for i, cell in enumerate(nb.cells):
        if cell.get("cell_type") != "code" or nbs.is_solution_cell(cell):
            continue
        try:
            tree = ast.parse(cell.source)
        except SyntaxError:
            continue
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                found.append((i, node.name, _arity(node)))
    return found


def exercise_signatures(source) -> dict[str, tuple[str, tuple]]:
    """exercise id -> (function name, arity) from the solution cells."""
    result = {}
    for cell in source.cells:
        if cell.get("cell_type") == "code" and nbs.is_solution_cell(cell):
            for node in ast.parse(cell.source).body:
                if isinstance(node, ast.FunctionDef):
                    result[nbs.grade_id(cell)] = (node.name, _arity(node))
                    break
    return result


def matches(candidate: tuple, exercise: tuple) -> bool:
    c_req, c_total, c_var = candidate
    e_req, e_total, _ = exercise
    return c_req <= e_total and (c_var or c_total >= e_req)


ADAPTER = '''
def {name}(*args, **kwargs):
    import inspect as _inspect
    bound = _inspect.signature(_leak_signature).bind(*args, **kwargs)
    bound.apply_defaults()
    values = list(bound.arguments.values())
    if {var}:
        return {candidate}(*values)
    return {candidate}(*values[:{total}])
'''


def check(chapter: str, log=print, seed: int = 0, student_path=None) -> list[Leak]:
    """Every (exercise, candidate) pair of `chapter`'s student notebook (or the one at `student_path`)."""
    source = nbs.read(solution_path(chapter))
    student = nbs.read(student_path or release_path(chapter))
    refs = judge.references(source, seed)
    names = judge.exercise_names(source)
    signatures = exercise_signatures(source)
    tests = {ex: cells for ex, (_, cells) in bank.exercises(source).items()}
    # as at grading, a set-up cell runs as the solution has it, whatever the student notebook holds
    locked = {nbs.grade_id(c): c.source for c in source.cells if c.cell_type == "code" and nbs.is_setup_cell(c)}
    found = []
    with tempfile.TemporaryDirectory() as tmp:
        kernel = bank.Kernel(tmp)
        try:
            kernel.run(f"{CHECKS}.start('record', {seed!r}, 'leaks')")
            for cell in student.cells:
                if cell.cell_type != "code":
                    continue
                if nbs.is_test_cell(cell) or "self_check(" in cell.source:
                    continue
                code = locked.get(nbs.grade_id(cell), cell.source) if nbs.is_setup_cell(cell) else cell.source
                kernel.run(code)
                if nbs.is_setup_cell(cell):
                    kernel.run(f"{CHECKS}.snapshot(globals(), {nbs.bound_names(code)!r})")
            for exercise, (function, arity) in signatures.items():
                solution_src = next(c.source for c in source.cells if nbs.grade_id(c) == exercise)
                # the text before the marker ends with the marker's own indentation: drop it, or "pass" is
                # indented twice, the signature never compiles and every candidate fails with a NameError
                signature_src = solution_src.split("### BEGIN SOLUTION")[0].rstrip(" \t") + "    pass\n"
                for index, name, c_arity in candidates(student):
                    if not matches(c_arity, arity):
                        continue
                    for code in (signature_src.replace(f"def {function}(", "def _leak_signature(", 1),
                                 ADAPTER.format(name=function, candidate=name, total=c_arity[1], var=c_arity[2])):
                        err = kernel.run(code)
                        if err:         # a broken adapter would make every candidate look harmless
                            raise RuntimeError(f"{chapter}: the leak check could not adapt {name} to {function}: {err}")
                    failures = []
                    for test in tests.get(exercise, []):
                        gid = nbs.grade_id(test)
                        records: list = []
                        err = kernel.run(f"{CHECKS}.run_test({gid!r}, {test.source!r}, globals(), {names!r})",
                                         records)
                        mine = [r for r in records if isinstance(r, dict) and r.get("test") == gid]
                        msg = judge.verdict(mine[0] if len(mine) == 1 else None, refs[gid], err)
                        if msg:
                            failures.append(msg)
                    leak = Leak(chapter, exercise, f"cell {index}: {name}", not failures,
                                failures[0][:120] if failures else "")
                    found.append(leak)
                    log(f"[{'LEAK' if leak.earned_full_marks else 'ok  '}] {exercise} <- {leak.candidate}"
                        + (f" ({leak.detail})" if leak.detail else ""))
        finally:
            kernel.close()
    return found
