"""Fast checks of the grader's single-purpose steps (no kernel is started here)."""
from __future__ import annotations

import copy
import json
import os
import zipfile
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
TOY = ROOT / "tests" / "fixtures" / "toycourse"
SOLUTION = TOY / "solutions" / "toy" / "toy.ipynb"
RELEASE = TOY / "notebooks" / "toy" / "toy.ipynb"


def _nb(path=SOLUTION):
    from autograder import notebooks as nbs
    return nbs.read(path)


def _cell(nb, gid):
    from autograder import notebooks as nbs
    return next(c for c in nb.cells if nbs.grade_id(c) == gid)


# --------------------------------------------------------------------------- reading submissions

@pytest.mark.parametrize("transform, flag", [
    (lambda b: b, None),
    (lambda b: b"\xef\xbb\xbf" + b, "bom"),
    (lambda b: b.decode().encode("utf-16"), "wrong_encoding"),
    (lambda b: b.decode().replace("Toy chapter", "Toy chapitre \u00e9t\u00e9").encode("cp1252"), "wrong_encoding"),
])
def test_read_submission_accepts_odd_encodings(transform, flag):
    from autograder import notebooks as nbs
    raw = json.dumps(json.loads(SOLUTION.read_bytes()), ensure_ascii=False).encode()
    nb, flags = nbs.read_submission(transform(raw))
    assert len(nb.cells) == len(_nb().cells)
    assert flags == ([flag] if flag else [])


@pytest.mark.parametrize("raw", [b"", b"{", b"[]", b'{"a": 1}', bytes(range(256))])
def test_read_submission_refuses_non_notebooks(raw):
    from autograder import notebooks as nbs
    with pytest.raises(nbs.NotebookError):
        nbs.read_submission(raw)


def test_old_nbformat_is_converted_and_flagged():
    from autograder import notebooks as nbs
    v3 = nbformat.v3.writes_json(nbformat.convert(nbformat.read(str(SOLUTION), as_version=4), 3))
    nb, flags = nbs.read_submission(v3.encode())
    assert nb.nbformat == 4 and flags == ["old_nbformat"]


# --------------------------------------------------------------------------- restoring cells

def test_tests_and_their_metadata_always_come_from_solutions():
    from autograder import notebooks as nbs, restore
    student = _nb(RELEASE)
    test = _cell(student, "toy_add_tests")
    test.source = "pass"
    test.metadata["nbgrader"]["points"] = 100
    restored, flags = restore.restore_cells(student, _nb())
    assert "tampered" in flags
    original = _cell(_nb(), "toy_add_tests")
    assert _cell(restored, "toy_add_tests").source == original.source          # hidden tests included
    assert nbs.points(_cell(restored, "toy_add_tests")) == 2


def test_duplicated_answer_stays_as_plain_cell_and_grader_metadata_is_stripped():
    from autograder import notebooks as nbs, restore
    student = _nb(RELEASE)
    answer = _cell(student, "toy_add")
    dup = copy.deepcopy(answer)
    dup.source = "def add(a, b):\n    return a + b"
    dup.metadata["autograder_role"] = "test"
    student.cells.insert(student.cells.index(answer) + 1, dup)
    restored, flags = restore.restore_cells(student, _nb())
    assert "duplicate_cells" in flags
    plain = [c for c in restored.cells if c.source == dup.source]
    assert len(plain) == 1 and "nbgrader" not in plain[0].metadata and "autograder_role" not in plain[0].metadata


def test_deleted_cells_come_back_in_order():
    from autograder import notebooks as nbs, restore
    student = _nb(RELEASE)
    student.cells = [c for c in student.cells if nbs.grade_id(c) not in ("toy_mean", "toy_mean_tests")]
    restored, flags = restore.restore_cells(student, _nb())
    ids = [nbs.grade_id(c) for c in restored.cells if nbs.grade_id(c)]
    assert "cells_missing" in flags
    assert ids == [nbs.grade_id(c) for c in _nb().cells if nbs.grade_id(c)]


# --------------------------------------------------------------------------- records and the judge

def _run_fake(nb, plan, outputs: dict):
    """Pretend to execute: give each cell the outputs listed by its role or grade_id."""
    from autograder import notebooks as nbs
    from autograder.instrument import ROLE
    for cell in nb.cells:
        key = nbs.grade_id(cell) if cell.metadata.get(ROLE) == "test" else cell.metadata.get(ROLE)
        if cell.cell_type == "code":
            cell.outputs = [nbformat.from_dict(o) for o in outputs.get(key, [])]
            cell.execution_count = 1
    return nb


def _record(plan, test, values, finished=True, nonce=None):
    from cnnlab.checks import MIME, digest, encode
    payload = {"nonce": plan.nonce if nonce is None else nonce, "test": test, "finished": finished,
               "values": [encode(v) for v in values], "digest": digest(_cell(_nb(), test).source)}
    return {"output_type": "display_data", "data": {MIME: payload}, "metadata": {}}


def _toy_source():
    from autograder import notebooks as nbs
    return nbs.read(SOLUTION)


def test_a_test_earns_its_points_only_with_a_record_matching_the_reference():
    import numpy as np
    from autograder import instrument, judge, restore
    restored, _ = restore.restore_cells(_nb(), _nb())
    to_run, plan = instrument.instrument(restored, ["add", "mean", "scale"], seed=5)
    assert to_run.cells[0].metadata[instrument.ROLE] == "bootstrap"
    refs = judge.references(_toy_source(), 5)
    add_values = [judge.checks.decode(v) for v in refs["toy_add_tests"]["values"]]
    executed = _run_fake(to_run, plan, {
        "toy_add_tests": [_record(plan, "toy_add_tests", add_values)],
        "toy_mean_tests": [_record(plan, "toy_mean_tests", [1.0, 2.0, 2.0, 1.5, 2.0], nonce="guess")],
        "toy_scale_tests": [_record(plan, "toy_scale_tests", [np.array([3.0, 6.0]), True, np.array([1.0])])]})
    back, records, errors, flags = instrument.read_records(executed, plan)
    assert [c.source for c in back.cells] == [c.source for c in restored.cells]     # the grader's lines are gone
    assert not any(judge.checks.MIME in str(o) for c in back.cells for o in c.get("outputs", []))
    outcome = judge.score(_toy_source(), 5, records, errors)
    assert outcome.scores == {"toy_add_tests": 2.0, "toy_mean_tests": 0.0, "toy_scale_tests": 0.0}
    assert "tampered" in flags                                   # a record with another nonce is forged
    assert "negative factors" in outcome.messages["toy_scale_tests"]


def test_a_record_sent_twice_or_unfinished_earns_nothing():
    from autograder import instrument, judge, restore
    restored, _ = restore.restore_cells(_nb(), _nb())
    to_run, plan = instrument.instrument(restored, ["add", "mean", "scale"], seed=5)
    refs = judge.references(_toy_source(), 5)
    add_values = [judge.checks.decode(v) for v in refs["toy_add_tests"]["values"]]
    mean_values = [judge.checks.decode(v) for v in refs["toy_mean_tests"]["values"]]
    executed = _run_fake(to_run, plan, {
        "toy_add_tests": [_record(plan, "toy_add_tests", add_values)] * 2,
        "toy_mean_tests": [_record(plan, "toy_mean_tests", mean_values, finished=False)]})
    _, records, errors, flags = instrument.read_records(executed, plan)
    outcome = judge.score(_toy_source(), 5, records, errors)
    assert outcome.score == 0 and "tampered" in flags
    assert "stopped before its end" in outcome.messages["toy_mean_tests"]


def test_values_cross_only_as_plain_data():
    import numpy as np
    from cnnlab.checks import Spec, compare, decode, encode

    class Liar(float):
        def __eq__(self, other):
            return True
    assert encode(Liar(1.0))["t"] == "unsupported"
    assert compare(encode(Liar(2.0)), encode(2.0), Spec("m")).startswith("got an object of type")
    assert compare(encode(np.float32(0.5)), encode(0.5), Spec("m")) is None
    assert compare(encode(1), encode(1.0), Spec("m")) == "expected a float, got an int"
    assert compare(encode([1, 2]), encode((1, 2)), Spec("m")) == "expected a tuple, got a list"
    bomb = encode(np.zeros(4))
    bomb["shape"] = [10**9]
    try:
        decode(bomb)
        raise AssertionError("a forged shape must be refused")
    except ValueError:
        pass


def test_the_reference_must_meet_the_visible_expectations():
    from autograder import judge, notebooks as nbs
    nb = _toy_source()
    for cell in nb.cells:
        if nbs.grade_id(cell) == "toy_add":
            cell.source = "def add(a, b):\n    return a - b"
    import pytest
    with pytest.raises(judge.JudgeError, match="fails a visible check"):
        judge.references(nb, 0)


def test_student_code_above_the_setup_cell_runs_after_it():
    from autograder import instrument
    from nbformat.v4 import new_code_cell
    nb = _nb()
    nb.cells.insert(0, new_code_cell("print('student first')"))
    to_run, _ = instrument.instrument(nb, [], seed=0)
    sources = [c.source for c in to_run.cells]
    assert sources.index("print('student first')") > sources.index(_cell(nb, "toy_setup").source)


def test_bound_names_of_a_setup_cell():
    from autograder.notebooks import bound_names
    assert bound_names("import numpy as np\nfrom cnnlab import data, models\nENV = 1\ndef f(): pass") == \
        ["ENV", "data", "f", "models", "np"]


# --------------------------------------------------------------------------- static scan

def test_scan_flags_subversion_but_not_ordinary_answers():
    from autograder import scan
    from nbformat.v4 import new_code_cell, new_notebook
    bad = new_notebook(cells=[new_code_cell(src) for src in (
        "get_ipython().ast_transformers.append(x)", "import ctypes", "import sys\nsys.settrace(f)",
        "np.allclose = lambda *a: True", "open('/work/main/solutions/x.ipynb')", "!curl http://x", "import socket")])
    good = new_notebook(cells=[new_code_cell(src) for src in (
        "model.eval()\nmodel.compile(optimizer='adam')\nx = np.asarray(x, dtype=float)",
        "import torch\nwith torch.no_grad():\n    y = model(x)", "open('figure.png', 'wb')")])
    bad_findings = scan.scan(bad)
    assert {f.cell for f in bad_findings if f.severity == "high"} == {f"cell {i}" for i in range(7)}
    assert scan.flags(bad_findings) == ["suspicious_code"]
    assert scan.scan(good) == []


def test_scan_ignores_the_course_cells():
    from autograder import scan
    assert scan.scan(_nb()) == []


# --------------------------------------------------------------------------- sandbox

def test_sandbox_hides_the_course_and_the_environment(monkeypatch):
    from autograder import sandbox
    monkeypatch.setenv("GITHUB_TOKEN", "secret")
    env = sandbox.kernel_env(sandbox.HOME, "/tmp/home/.matplotlib")
    assert "GITHUB_TOKEN" not in env and env["HOME"] == sandbox.HOME
    args = sandbox.bwrap_prefix(["/tmp/ag-x/ipc"], env)
    visible = {args[i + 2] for i, a in enumerate(args) if a in ("--ro-bind", "--ro-bind-try", "--bind")}
    assert str(ROOT) not in visible and str(TOY) not in visible
    for path in visible:
        assert not path.startswith(str(ROOT)) or path.startswith((str(ROOT / "cnnlab"), str(ROOT / "data"),
                                                                   str(ROOT / "notebooks"),
                                                                   os.path.realpath(os.sys.prefix))), path
    assert "--unshare-all" in args and "--clearenv" in args and "/etc/shadow" not in args


# --------------------------------------------------------------------------- discovering submissions

def test_discover_layouts(tmp_path):
    from autograder.submissions import discover
    raw = SOLUTION.read_bytes()
    (tmp_path / "flat").mkdir()
    (tmp_path / "flat" / "toy.ipynb").write_bytes(raw)
    (tmp_path / "nested" / "toy").mkdir(parents=True)
    (tmp_path / "nested" / "toy" / "toy.ipynb").write_bytes(raw)
    (tmp_path / "extra").mkdir()
    (tmp_path / "extra" / "toy.ipynb").write_bytes(raw)
    (tmp_path / "extra" / "numpy.py").write_text("x = 1")
    with zipfile.ZipFile(tmp_path / "zipped.zip", "w") as zf:
        zf.writestr("toy/toy.ipynb", raw)
    (tmp_path / "linked").symlink_to(tmp_path / "flat")
    (tmp_path / ".hidden").mkdir()
    found = {s.student_id: s for s in discover(tmp_path, "toy")}
    assert sorted(found) == ["extra", "flat", "linked", "nested", "zipped"]
    assert found["flat"].raw == raw and found["nested"].raw == raw and found["zipped"].raw == raw
    assert "extra_files" in found["extra"].flags
    assert found["linked"].raw is None and "symlink_not_followed" in found["linked"].flags
