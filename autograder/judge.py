"""The judge: decides every grade outside the student's kernel.

The student's kernel only records what the checks of each test cell saw (`cnnlab.checks`, record mode). The
judge runs in the grader's own process, which never executes student code: it runs the chapter's set-up cells,
defines the course's reference solutions (the solution cells of `solutions/`) and runs every test cell again
with them (reference mode, same seeds), so it knows what each check should have seen. Then it compares the two
records check by check. A test earns its points when its record arrived once, ran to its end, and every value
matches the reference within the check's tolerance (or has the check's property). The first check that does
not match gives the test's message.

References are computed once per chapter, seed and version of the solution, and kept for the process; a worker
starts computing them while the first submission's kernel runs (`prefetch`). Where the kernels cannot see the
host's folders (`shared`: bwrap), the processes of a machine also share them on disk (refcache.py): one computes,
the others load.
"""
from __future__ import annotations

import contextlib
import hashlib
import io
import threading
import warnings
from concurrent.futures import Future
from dataclasses import dataclass, field

from autograder import notebooks as nbs, refcache, sanitize
from cnnlab import checks


class JudgeError(RuntimeError):
    """The reference solution itself fails a test: an error in the course, not in the submission."""


@dataclass
class Outcome:
    scores: dict = field(default_factory=dict)       # test grade_id -> points earned
    max_points: dict = field(default_factory=dict)   # test grade_id -> points available
    messages: dict = field(default_factory=dict)     # test grade_id -> why it failed, "" when passed

    @property
    def score(self) -> float:
        return float(sum(self.scores.values()))

    @property
    def max_score(self) -> float:
        return float(sum(self.max_points.values()))


def setup_cells(source) -> list:
    return [c for c in source.cells if c.get("cell_type") == "code" and nbs.is_setup_cell(c)]


def exercise_names(source) -> list[str]:
    """The names the exercises define (what a test may call besides the set-up cells' names)."""
    names = []
    for cell in source.cells:
        if cell.get("cell_type") == "code" and nbs.is_solution_cell(cell):
            names += nbs.bound_names(cell.source)
    return sorted(set(names))


@contextlib.contextmanager
def _mode(mode: str, seed: int):
    saved = (checks.STATE.mode, checks.STATE.seed, checks.STATE.nonce, dict(checks.SETUP))
    checks.start(mode, seed)
    checks.SETUP.clear()
    try:
        yield
    finally:
        checks.STATE.mode, checks.STATE.seed, checks.STATE.nonce = saved[:3]
        checks.SETUP.clear()
        checks.SETUP.update(saved[3])


def _quietly(code: str, name: str, namespace: dict) -> None:
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()), \
            warnings.catch_warnings():
        warnings.simplefilter("ignore")
        exec(compile(code, name, "exec"), namespace)


_CACHE: dict = {}
_PENDING: dict = {}                     # key -> Future of a reference run started by prefetch()
_LOCK = threading.Lock()


def fingerprint(source) -> str:
    return hashlib.sha256(nbs.dumps(source).encode("utf-8")).hexdigest()


def _key(source, seed: int) -> tuple:
    return fingerprint(source), int(seed)


def prefetch(source, seed: int, shared: bool = False) -> None:
    """Start computing the references in a thread of this process, while the student's kernel runs (the grader
    mostly waits on the kernel), so a worker's first submission does not pay for them on top. `shared`: through
    the machine's store (refcache.py), which only a level of isolation that hides it from kernels may use."""
    key = _key(source, seed)
    with _LOCK:
        if key in _CACHE or key in _PENDING:
            return
        future = _PENDING[key] = Future()

    def work():
        try:
            future.set_result(_computed(source, seed, shared))
        except BaseException as exc:        # handed to whoever asks for the references
            future.set_exception(exc)
    threading.Thread(target=work, name="judge-references", daemon=True).start()


def references(source, seed: int, shared: bool = False) -> dict:
    """{test grade_id: reference record (values and specs)} for the solution notebook `source`."""
    key = _key(source, seed)
    with _LOCK:
        refs, future = _CACHE.get(key), _PENDING.get(key)
    if refs is not None:
        return refs
    try:
        refs = future.result() if future is not None else _computed(source, seed, shared)
    finally:
        with _LOCK:
            _PENDING.pop(key, None)
    with _LOCK:
        if len(_CACHE) > 16:
            _CACHE.clear()
        _CACHE[key] = refs
    return refs


def _computed(source, seed: int, shared: bool) -> dict:
    if not shared:
        return _compute(source, seed)
    return refcache.get_or_compute(fingerprint(source), seed, lambda: _compute(source, seed))


def _compute(source, seed: int) -> dict:
    import matplotlib
    matplotlib.use("Agg")
    refs = {}
    with _mode("reference", seed):
        namespace: dict = {"__name__": "__main__"}
        for cell in setup_cells(source):
            try:
                _quietly(cell.source, f"<{nbs.grade_id(cell)}>", namespace)
            except Exception as exc:
                raise JudgeError(f"set-up cell {nbs.grade_id(cell)} failed in the judge: {exc!r}") from exc
            checks.snapshot(namespace, nbs.bound_names(cell.source))
        for cell in source.cells:
            if cell.get("cell_type") == "code" and nbs.is_solution_cell(cell):
                _quietly(cell.source, f"<{nbs.grade_id(cell)}>", namespace)
        names = exercise_names(source)
        for cell in nbs.test_cells(source):
            gid = nbs.grade_id(cell)
            try:
                with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    refs[gid] = checks.run_test(gid, cell.source, namespace, names)
            except Exception as exc:
                raise JudgeError(f"the reference solution fails {gid} (seed {seed}): "
                                 f"{type(exc).__name__}: {exc}") from exc
            if not refs[gid]["values"]:
                raise JudgeError(f"{gid} makes no check: every test cell needs at least one check(...)")
    return refs


def predictable_tests(source, seeds=(0, 1)) -> list[str]:
    """Tests whose checks record the same reference values at two seeds. The judge sees only a record's values,
    and a kernel can forge a record: a test is safe from a forger who knows an earlier batch's answers only when at
    least one of its checks depends on `hidden_seed`."""
    first, second = (references(source, seed) for seed in seeds)
    return [test for test in first if first[test]["values"] == second[test]["values"]]


NOT_ANSWERED = "not answered yet: the exercise cell still raises NotImplementedError"


def verdict(record: dict | None, reference: dict, error: str | None) -> str:
    """'' when the record matches the reference, else the message for the student."""
    if error and error.startswith("NotImplementedError"):
        error = NOT_ANSWERED
    if record is None:
        return error or "the test did not run (the kernel stopped before it)"
    values, specs = record.get("values"), reference["specs"]
    if not isinstance(values, list):
        return "the test's record was unreadable"
    for i, (got, ref) in enumerate(zip(values, reference["values"])):
        if not isinstance(got, dict):
            return "the test's record was unreadable"
        try:
            problem = checks.compare(got, ref, specs[i])
        except Exception as exc:           # malformed data from the kernel: never the grader's crash
            problem = f"the recorded value could not be read ({type(exc).__name__})"
        if problem:
            return f"{specs[i].message} ({problem})"
    if not record.get("finished"):
        return error or "the test stopped before its end"
    if len(values) != len(reference["values"]):
        return (f"the test recorded {len(values)} checks where the reference records {len(reference['values'])}: "
                "did your function change the tests?")
    return ""


def score(source, seed: int, records: dict, errors: dict) -> Outcome:
    """Points and messages per test cell. `records`: {test id: record or None}; `errors`: {test id: 'Name: msg'}."""
    refs = references(source, seed)
    outcome = Outcome()
    for cell in nbs.test_cells(source):
        gid = nbs.grade_id(cell)
        pts = nbs.points(cell)
        message = sanitize.message(verdict(records.get(gid), refs[gid], errors.get(gid)))
        outcome.max_points[gid] = pts
        outcome.scores[gid] = 0.0 if message else pts
        outcome.messages[gid] = message
    return outcome
