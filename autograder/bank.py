"""`python -m autograder bank CHAPTER`: prove the tests tell right answers from wrong ones.

The bank lives in tests/bank/<chapter>/<exercise_id>/: each `correct_*.py` or `wrong_*.py`
holds what a student might put in the exercise cell. In one kernel we run the chapter's
locked set-up cell(s), then for every answer: the answer, then every test cell of that
exercise (hidden tests included). A correct answer must pass them all; a wrong answer and the
blank student stub must fail at least one.
"""
from __future__ import annotations

import queue
from dataclasses import dataclass, field
from pathlib import Path

from autograder import notebooks as nbs
from autograder.settings import COURSE, solution_path

BANK = COURSE / "tests" / "bank"


@dataclass
class Verdict:
    exercise: str
    answer: str                      # file name, "reference" or "blank"
    expected: str                    # "correct" or "wrong"
    failures: dict = field(default_factory=dict)   # test grade_id -> message
    tests: list = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures if self.expected == "correct" else bool(self.failures)

    def describe(self) -> str:
        state = "ok " if self.ok else "BAD"
        if self.expected == "correct":
            detail = "passes all tests" if not self.failures else f"fails {self.failures}"
        else:
            detail = ("caught by " + ", ".join(f"{k} ({v[:90]})" for k, v in self.failures.items())
                      if self.failures else "NOT caught: passes every test")
        return f"[{state}] {self.exercise} / {self.answer}: {detail}"


class Kernel:
    """A Jupyter kernel we can send code to and collect the error, if any."""

    def __init__(self, cwd: str, timeout: int = 300):
        from jupyter_client.manager import start_new_kernel
        self.km, self.kc = start_new_kernel(kernel_name="python3", cwd=cwd)
        self.timeout = timeout

    def run(self, code: str, records: list | None = None) -> str | None:
        """Execute `code`; return 'Name: message' of the error it raised, or None. The tests' records it
        displays are appended to `records`."""
        from cnnlab.checks import MIME
        error = []

        def hook(msg):
            kind = msg["header"]["msg_type"]
            if kind == "error":
                error.append(f"{msg['content']['ename']}: {msg['content']['evalue']}")
            elif kind == "display_data" and records is not None and MIME in msg["content"].get("data", {}):
                records.append(msg["content"]["data"][MIME])
        try:
            reply = self.kc.execute_interactive(code, timeout=self.timeout, output_hook=hook, store_history=False)
        except (TimeoutError, queue.Empty):
            self.km.interrupt_kernel()
            return "Timeout: the cell did not finish"
        if reply["content"]["status"] == "error" and not error:
            error.append(f"{reply['content'].get('ename')}: {reply['content'].get('evalue')}")
        return error[0] if error else None

    def close(self):
        self.kc.stop_channels()
        self.km.shutdown_kernel(now=True)


def exercises(source) -> dict:
    """exercise id -> (solution cell, [test cells]) in notebook order."""
    result = {}
    for cell in source.cells:
        if nbs.is_solution_cell(cell) and cell.cell_type == "code":
            result[nbs.grade_id(cell)] = (cell, [])
    for cell in nbs.test_cells(source):
        gid = nbs.grade_id(cell)
        owners = [e for e in result if gid.startswith(e + "_")]
        if owners:
            result[max(owners, key=len)][1].append(cell)
    return result


def setup_cells(source) -> list:
    return [c for c in source.cells if c.cell_type == "code" and nbs.nbgrader_meta(c).get("locked")
            and not nbs.nbgrader_meta(c).get("grade") and not nbs.is_solution_cell(c)]


def answers(chapter: str, exercise: str) -> list[tuple[str, str, str]]:
    """(name, expected, source) for each bank file of the exercise."""
    folder = BANK / chapter / exercise
    found = []
    for path in sorted(folder.glob("*.py")) if folder.is_dir() else []:
        kind = path.name.split("_", 1)[0]
        if kind in ("correct", "wrong"):
            found.append((path.name, kind, path.read_text(encoding="utf-8")))
    return found


def blank_stub(solution_source: str) -> str:
    from autograder.settings import CODE_STUB
    import re
    return re.sub(r"[ \t]*### BEGIN SOLUTION.*?### END SOLUTION[^\n]*", lambda m: "\n".join(
        m.group(0)[:len(m.group(0)) - len(m.group(0).lstrip())] + line for line in CODE_STUB.splitlines()),
        solution_source, flags=re.S)


def check(chapter: str, only: list[str] | None = None, log=print, seed: int = 0) -> list[Verdict]:
    """Judge every bank answer of `chapter` (hidden fixtures drawn with `seed`)."""
    import tempfile
    from autograder import judge
    from autograder.instrument import CHECKS
    source = nbs.read(solution_path(chapter))
    refs = judge.references(source, seed)
    names = judge.exercise_names(source)
    verdicts = []
    with tempfile.TemporaryDirectory() as tmp:
        kernel = Kernel(tmp)
        try:
            kernel.run(f"{CHECKS}.start('record', {seed!r}, 'bank')")
            for cell in setup_cells(source):
                err = kernel.run(cell.source)
                if err:
                    raise RuntimeError(f"{chapter}: set-up cell {nbs.grade_id(cell)} failed: {err}")
                kernel.run(f"{CHECKS}.snapshot(globals(), {nbs.bound_names(cell.source)!r})")
            for exercise, (sol_cell, tests) in exercises(source).items():
                if only and exercise not in only:
                    continue
                candidates = [("reference", "correct", sol_cell.source), ("blank", "wrong", blank_stub(sol_cell.source))]
                candidates += answers(chapter, exercise)
                for name, expected, code in candidates:
                    verdict = Verdict(exercise, name, expected, tests=[nbs.grade_id(t) for t in tests])
                    err = kernel.run(code)
                    for test in tests:
                        gid = nbs.grade_id(test)
                        if err:
                            verdict.failures[gid] = f"answer cell failed: {err}"
                            continue
                        records: list = []
                        test_err = kernel.run(f"{CHECKS}.run_test({gid!r}, {test.source!r}, globals(), {names!r})",
                                              records)
                        mine = [r for r in records if isinstance(r, dict) and r.get("test") == gid]
                        msg = judge.verdict(mine[0] if len(mine) == 1 else None, refs[gid], test_err)
                        if msg:
                            verdict.failures[gid] = msg
                    verdicts.append(verdict)
                    log(verdict.describe())
                kernel.run(sol_cell.source)           # leave the reference in place for later exercises
        finally:
            kernel.close()
    return verdicts
