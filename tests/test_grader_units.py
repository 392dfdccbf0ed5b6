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
    from autograder import notebooks as nbs, pipeline
    student = _nb(RELEASE)
    test = _cell(student, "toy_add_tests")
    test.source = "pass"
    test.metadata["nbgrader"]["points"] = 100
    restored, flags = pipeline.restore_cells(student, _nb())
    assert "tampered" in flags
    original = _cell(_nb(), "toy_add_tests")
    assert _cell(restored, "toy_add_tests").source == original.source          # hidden tests included
    assert nbs.points(_cell(restored, "toy_add_tests")) == 2


def test_duplicated_answer_stays_as_plain_cell_and_grader_metadata_is_stripped():
    from autograder import notebooks as nbs, pipeline
    student = _nb(RELEASE)
    answer = _cell(student, "toy_add")
    dup = copy.deepcopy(answer)
    dup.source = "def add(a, b):\n    return a + b"
    dup.metadata["autograder_role"] = "test"
    student.cells.insert(student.cells.index(answer) + 1, dup)
    restored, flags = pipeline.restore_cells(student, _nb())
    assert "duplicate_cells" in flags
    plain = [c for c in restored.cells if c.source == dup.source]
    assert len(plain) == 1 and "nbgrader" not in plain[0].metadata and "autograder_role" not in plain[0].metadata


def test_deleted_cells_come_back_in_order():
    from autograder import notebooks as nbs, pipeline
    student = _nb(RELEASE)
    student.cells = [c for c in student.cells if nbs.grade_id(c) not in ("toy_mean", "toy_mean_tests")]
    restored, flags = pipeline.restore_cells(student, _nb())
    ids = [nbs.grade_id(c) for c in restored.cells if nbs.grade_id(c)]
    assert "cells_missing" in flags
    assert ids == [nbs.grade_id(c) for c in _nb().cells if nbs.grade_id(c)]


# --------------------------------------------------------------------------- the watchman's reports

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


def _marker(payload):
    from autograder.instrument import MIME
    return {"output_type": "display_data", "data": {MIME: payload}, "metadata": {}}


def test_a_test_counts_only_with_the_report_from_its_own_last_line():
    from autograder import instrument, pipeline
    restored, _ = __import__("autograder.pipeline", fromlist=["x"]).restore_cells(_nb(), _nb())
    to_run, plan = instrument.instrument(restored, [])
    assert to_run.cells[0].metadata[instrument.ROLE] == "bootstrap"
    token = plan.tokens["toy_add_tests"]
    guard = _marker({"kind": "guard", "nonce": plan.nonce, "test": "toy_add_tests", "findings": []})
    done = _marker({"kind": "done", "nonce": plan.nonce, "test": "toy_add_tests", "token": token, "findings": []})
    forged = _marker({"kind": "done", "nonce": "guess", "test": "toy_mean_tests", "token": "guess", "findings": []})
    executed = _run_fake(to_run, plan, {"guard": [guard], "toy_add_tests": [done], "toy_mean_tests": [forged]})
    replies = {i: "ok" for i in range(len(executed.cells))}
    back, reports, _ = instrument.read_reports(executed, plan, replies)
    assert [c.source for c in back.cells] == [c.source for c in restored.cells]     # the grader's lines are gone
    outcome = pipeline.score(back, reports=reports)
    assert outcome.scores == {"toy_add_tests": 2.0, "toy_mean_tests": 0.0, "toy_scale_tests": 0.0}


def test_tampering_while_a_test_runs_costs_that_test():
    from autograder import instrument, pipeline
    restored, _ = pipeline.restore_cells(_nb(), _nb())
    to_run, plan = instrument.instrument(restored, [])
    done = _marker({"kind": "done", "nonce": plan.nonce, "test": "toy_add_tests", "token": plan.tokens["toy_add_tests"],
                    "findings": [{"severity": "tamper", "what": "builtins.float was replaced"}]})
    executed = _run_fake(to_run, plan, {"toy_add_tests": [done]})
    back, reports, findings = instrument.read_reports(executed, plan, {i: "ok" for i in range(len(executed.cells))})
    assert pipeline.score(back, reports=reports).scores["toy_add_tests"] == 0
    assert ("tamper", "builtins.float was replaced") in findings


def test_student_code_above_the_setup_cell_runs_after_it():
    from autograder import instrument
    from nbformat.v4 import new_code_cell
    nb = _nb()
    nb.cells.insert(0, new_code_cell("print('student first')"))
    to_run, _ = instrument.instrument(nb, [])
    sources = [c.source for c in to_run.cells]
    assert sources.index("print('student first')") > sources.index(_cell(nb, "toy_setup").source)


def test_bound_names_of_a_setup_cell():
    from autograder.instrument import bound_names
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
