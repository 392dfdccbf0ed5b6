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


def test_a_record_from_a_failed_or_rewritten_cell_is_tampered():
    from autograder import instrument, judge, restore
    restored, _ = restore.restore_cells(_nb(), _nb())
    to_run, plan = instrument.instrument(restored, ["add", "mean", "scale"], seed=5)
    refs = judge.references(_toy_source(), 5)
    values = {t: [judge.checks.decode(v) for v in refs[t]["values"]] for t in refs}
    failed = {"output_type": "error", "ename": "KeyboardInterrupt", "evalue": "", "traceback": []}
    rewritten = _record(plan, "toy_scale_tests", values["toy_scale_tests"])
    rewritten["data"][judge.checks.MIME]["digest"] = "0" * 16
    executed = _run_fake(to_run, plan, {
        "toy_add_tests": [_record(plan, "toy_add_tests", values["toy_add_tests"]), failed],   # claimed its end
        "toy_mean_tests": [_record(plan, "toy_mean_tests", values["toy_mean_tests"])],
        "toy_scale_tests": [rewritten]})
    mean_index = next(i for i, c in enumerate(executed.cells) if c.metadata.get("nbgrader", {}).get("grade_id")
                      == "toy_mean_tests")
    _, records, errors, flags = instrument.read_records(executed, plan, {mean_index: "error"})   # error hidden
    outcome = judge.score(_toy_source(), 5, records, errors)
    assert outcome.score == 0 and flags == ["tampered"], outcome.messages
    assert "yet its cell failed" in outcome.messages["toy_add_tests"]
    assert "without showing its error" in outcome.messages["toy_mean_tests"]
    assert "another source" in outcome.messages["toy_scale_tests"]


# --------------------------------------------------------------------------- what the grader writes

def test_ids_are_escaped_one_to_one_and_control_characters_refused():
    from autograder import safe
    assert safe.escape("alice") == "alice" and safe.escape("Zoë") == "Zoë"
    odd = ["a\nb", "a\\x0ab", "a\\b", "caf\udce9", "caf\\xe9", "x\u0085", "x\\u0085", "\u202eevil", "tab\tid"]
    assert len({safe.escape(i) for i in odd}) == len(odd)
    assert all("\n" not in safe.escape(i) and "\u202e" not in safe.escape(i) for i in odd)
    assert [safe.unprintable(i) for i in ("a\nb", "\u202eevil", "tab\tid", "caf\udce9", "a\\b", "Zoë")] == \
        [True, True, True, False, False, False]


def test_file_names_are_the_id_or_a_hash_of_it():
    from autograder import grade, safe
    assert grade.student_dir("alice") == "alice" and grade.student_dir("Zoë") == "Zoë"
    hashed = ["a/b", "..", ".hidden", "CON", "con.txt", "s" * 300, "a\\b", "caf\\xe9", "trailing.", " x",
              safe.HASHED_PREFIX + "0123"]
    names = [grade.student_dir(i) for i in hashed]
    assert all(n.startswith(safe.HASHED_PREFIX) and len(n) < 40 and "/" not in n for n in names), names
    assert len(set(names)) == len(names)


def test_every_csv_cell_that_starts_a_formula_is_neutralised(tmp_path):
    import csv as csvmod
    import io
    from autograder import safe
    cells = ["=1+1", "+cmd", "-2+3", "@SUM(A1)", "\tx", "\rx", "plain", "-1.5", "+2", "3e-4", 7, -2.0]
    buffer = io.StringIO()
    safe.csv_writer(buffer).writerow(cells)
    back = next(csvmod.reader(io.StringIO(buffer.getvalue())))
    assert back == ["'=1+1", "'+cmd", "'-2+3", "'@SUM(A1)", "'\tx", "'\rx", "plain", "-1.5", "+2", "3e-4", "7", "-2.0"]


def test_a_log_record_is_one_line():
    import logging
    from autograder.grade import OneLineFormatter
    record = logging.LogRecord("x", logging.INFO, "f", 1, "student %s done", ("eve\n2026-01-01 forged",), None)
    assert "\n" not in OneLineFormatter("%(message)s").format(record)


def test_discover_refuses_control_characters_and_escapes_the_rest(tmp_path):
    import os
    from autograder.submissions import discover
    raw = SOLUTION.read_bytes()
    for name in ("plain", "new\nline", "back\\slash"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "toy.ipynb").write_bytes(raw)
    os.mkdir(os.path.join(os.fsencode(tmp_path), b"caf\xe9"))
    open(os.path.join(os.fsencode(tmp_path), b"caf\xe9", b"toy.ipynb"), "wb").write(raw)
    found = {s.student_id: s for s in discover(tmp_path, "toy")}
    assert sorted(found) == ["back\\\\slash", "caf\\xe9", "new\\x0aline", "plain"]
    assert found["new\\x0aline"].raw is None and found["new\\x0aline"].flags == ["malformed_submission"]
    assert found["caf\\xe9"].raw == raw and not found["caf\\xe9"].flags


# --------------------------------------------------------------------------- outputs safe to open

def _png_b64(size=(3, 2)) -> str:
    import base64
    import io
    from PIL import Image
    buffer = io.BytesIO()
    Image.new("RGBA", size, (1, 2, 3, 4)).save(buffer, format="PNG")
    return base64.b64encode(buffer.getvalue()).decode()


def test_only_real_bounded_pngs_survive_and_are_re_encoded():
    import base64
    from autograder import sanitize
    good = _png_b64()
    again = sanitize.png(good)
    assert again is not None and base64.b64decode(again).startswith(b"\x89PNG")
    assert sanitize.png("\n".join([good[:10], good[10:]])) is not None        # line-wrapped base64 is fine
    for bad in ("iVBORw0KGgo=' onerror='x", base64.b64encode(b"<svg onload=alert(1)/>").decode(),
                base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"garbage").decode(), 42, None, "not base64 !"):
        assert sanitize.png(bad) is None, bad
    assert sanitize.png(_png_b64((9000, 1))) is None                            # too wide: not decoded


def test_outputs_keep_only_inert_kinds():
    from autograder import sanitize
    from nbformat.v4 import new_output
    html = new_output("display_data", data={"text/html": "<script>x</script>", "text/plain": "table"})
    js = new_output("display_data", data={"application/javascript": "x()"})
    svg = new_output("display_data", data={"image/svg+xml": "<svg onload='x'/>"})
    image = new_output("execute_result", data={"image/png": _png_b64()}, execution_count=3,
                       metadata={"image/png": {"width": "1 onerror=x", "height": 20}})
    error = new_output("error", ename="ValueError", evalue="<b>x</b>", traceback=["\x1b]8;;javascript:x\x1b\\link"])
    stream = new_output("stream", name="stdout", text="\x1b[31mred\x1b[0m\x07 \x1b]0;title\x07")
    outs = [sanitize.output(o) for o in (html, js, svg, image, error, stream)]
    assert outs[0]["data"] == {"text/plain": "table"}
    assert "removed by the grader" in outs[1]["data"]["text/plain"] and list(outs[1]["data"]) == ["text/plain"]
    assert list(outs[2]["data"]) == ["text/plain"]
    assert set(outs[3]["data"]) == {"image/png"} and outs[3]["metadata"] == {"image/png": {"height": 20}}
    assert outs[4]["traceback"] == ["ValueError: <b>x</b>"]
    assert outs[5]["text"] == "\x1b[31mred\x1b[0m "
    assert sanitize.output({"output_type": "update_display_data", "data": {}}) is None


def test_student_markdown_keeps_no_raw_html():
    from autograder import sanitize
    assert sanitize.markdown("x < y, **bold**, <script>a</script> <img src=x> <!-- c -->") == \
        "x < y, **bold**, &lt;script>a&lt;/script> &lt;img src=x> &lt;!-- c -->"


def test_feedback_page_forbids_scripts():
    from autograder import feedback, notebooks as nbs
    from autograder.judge import Outcome
    nb = nbs.read(SOLUTION)
    cell = _cell(nb, "toy_add")
    cell.outputs = [nbformat.from_dict({"output_type": "display_data", "metadata": {},
                                        "data": {"image/png": "iVBORw0KGgo=' onerror='alert(1)"}})]
    page = feedback.render("<script>x</script>", "toy", nb, Outcome({"toy_add_tests": 0.0}, {"toy_add_tests": 2.0},
                                                                    {"toy_add_tests": "<b>wrong</b>"}), [])
    assert "Content-Security-Policy" in page and "script-src" not in page and "default-src 'none'" in page
    assert "onerror" not in page and "<script>x" not in page and "<b>wrong" not in page


# --------------------------------------------------------------------------- what the kernel can write

def test_the_sandbox_shares_nothing_writable_with_the_host():
    from autograder import sandbox
    env = sandbox.kernel_env(sandbox.HOME, "/tmp/home/.matplotlib")
    args = sandbox.bwrap_prefix([], env, readonly=["/tmp/ag-x/ipc"])
    assert "--bind" not in args and ["--ro-bind", "/tmp/ag-x/ipc", "/tmp/ag-x/ipc"] == \
        args[args.index("/tmp/ag-x/ipc") - 1:args.index("/tmp/ag-x/ipc") + 2]
    tmpfs = [args[i + 1] for i, a in enumerate(args) if a == "--tmpfs"]
    sizes = [args[i + 1] for i, a in enumerate(args) if a == "--size"]
    assert set(tmpfs) == {sandbox.SANDBOX_TMP, "/dev/shm", sandbox.IPC_INSIDE} and len(sizes) == len(tmpfs)
    assert args.index("/dev", args.index("--remount-ro")) > args.index("/dev/shm")   # /dev read-only, after /dev/shm


def test_kernels_start_through_the_launcher(tmp_path):
    import os
    import sys
    from autograder import sandbox
    argv, _, _ = sandbox.launch("none", [str(tmp_path)], str(tmp_path), max_procs=10)
    assert argv[:3] == [sys.executable, "-I", "-S"] and argv[5] == str(os.getpid()) and argv[6] == "0"
    argv, _, _ = sandbox.launch("bwrap", [], str(tmp_path), readonly=[str(tmp_path)], max_procs=10)
    start = argv.index("--") + 1
    assert argv[start:start + 3] == [sys.executable, "-I", "-S"] and argv[start + 6] == str(sandbox.task_limit(10))
    assert "ipykernel_launcher" in argv


def test_every_toy_test_depends_on_the_hidden_seed():
    from autograder import judge
    assert judge.predictable_tests(_toy_source()) == []
    nb = _toy_source()
    for cell in nb.cells:                       # without its seeded checks, a test's answers are known in advance
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "toy_add_tests":
            cell.source = cell.source.split("_a, _b")[0]
    assert judge.predictable_tests(nb) == ["toy_add_tests"]
