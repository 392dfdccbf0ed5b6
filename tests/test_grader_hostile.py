"""A class of hostile and broken submissions, graded in one batch through the real grader.

Every case is one student. Around them sit honest students whose grades are known (full marks,
partial, blank): whatever the others do, those grades must not move. For every case: the batch
finishes, the student has exactly one row, nothing escaped (no file written outside the sandbox,
no network, no process left behind, no secret read), and no points came without solving.

The toy course (tests/fixtures/toycourse) imports no framework, so a whole class grades in a
minute or so. Escape cases that would do damage without a sandbox (kill every process, write into
the Python environment) run only when bubblewrap isolation is available.
"""
from __future__ import annotations

import csv
import hashlib
import json
import os
import socket
import subprocess
import sys
import threading
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import psutil
import pytest

ROOT = Path(__file__).resolve().parent.parent
TOY = ROOT / "tests" / "fixtures" / "toycourse"
SOLUTION = TOY / "solutions" / "toy" / "toy.ipynb"
RELEASE = TOY / "notebooks" / "toy" / "toy.ipynb"
FULL, ADD, MEAN, SCALE = 7.0, 2.0, 3.0, 2.0
SECRET = "s3cr3t-token-for-the-hostile-suite"
MARK = "hostile-suite-marker"

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("grader_hostile")]


@dataclass
class Case:
    name: str
    write: object                          # function(student folder) -> None
    status: str = "graded"
    score: float | None = 0.0              # expected score; None: not checked
    max_score: float | None = None         # upper bound on the score (no points without solving)
    flags: tuple = ()                      # flags the row must carry
    not_flags: tuple = ()
    needs: str | None = None               # isolation it needs: "bwrap" (files), "unshare" (network, processes)
    review: bool = False                   # must be listed in review.csv
    extra: dict = field(default_factory=dict)


# --------------------------------------------------------------------------- building notebooks

def _nb(path: Path = RELEASE):
    return nbformat.read(str(path), as_version=4)


def _answer(nb, exercise: str, source: str):
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == exercise:
            cell.source = source
            return cell
    raise KeyError(exercise)


def _cell(nb, grade_id: str):
    return next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


def _save(nb, folder: Path, name: str = "toy.ipynb") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    nbformat.write(nb, str(path))
    return path


WRONG_ADD = "def add(a, b):\n    return 0\n"
RIGHT_ADD = "def add(a, b):\n    return a + b\n"


def tamper(code: str, add: str = WRONG_ADD):
    """A student whose add() is wrong (others blank) and whose answer cell also runs `code`."""
    def write(folder: Path):
        nb = _nb()
        _answer(nb, "toy_add", add + "\n" + code)
        _save(nb, folder)
    return write


def solution(transform=None, name="toy.ipynb", layout=None):
    def write(folder: Path):
        raw = SOLUTION.read_bytes()
        if transform:
            raw = transform(raw)
        target = folder / (layout or "") / name if layout else folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(raw)
    return write


def raw_file(content: bytes, name="toy.ipynb"):
    def write(folder: Path):
        folder.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(content)
    return write


def _with_cafe(raw: bytes) -> bytes:
    nb = json.loads(raw)
    nb["cells"][0]["source"] = ["# Café crème: non-ASCII text\n"] + nb["cells"][0]["source"]
    return json.dumps(nb, ensure_ascii=False).encode("utf-8")


def _old_nbformat(folder: Path):
    v3 = nbformat.convert(_nb(SOLUTION), 3)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "toy.ipynb").write_text(nbformat.v3.writes_json(v3), encoding="utf-8")


def _edit(fn):
    def write(folder: Path):
        nb = _nb()
        fn(nb)
        _save(nb, folder)
    return write


def _duplicate_weakened_test(nb):
    _answer(nb, "toy_add", WRONG_ADD)
    test = _cell(nb, "toy_add_tests")
    copy = nbformat.from_dict(json.loads(json.dumps(test)))
    copy.source = "pass"
    nb.cells.insert(nb.cells.index(test), copy)
    test.source = "pass"


def _delete_tests(nb):
    _answer(nb, "toy_add", WRONG_ADD)
    nb.cells = [c for c in nb.cells if not c.metadata.get("nbgrader", {}).get("grade")
                or c.metadata["nbgrader"].get("solution")]


def _retag_test(nb):
    _answer(nb, "toy_add", WRONG_ADD)
    test = _cell(nb, "toy_add_tests")
    test.metadata["nbgrader"].update(solution=True, grade=False, locked=False)
    test.source = "pass"


def _inflate_points(nb):
    _answer(nb, "toy_add", RIGHT_ADD)
    _cell(nb, "toy_add_tests").metadata["nbgrader"]["points"] = 100


def _schema_version(nb):
    for cell in nb.cells:
        if "nbgrader" in cell.metadata:
            cell.metadata["nbgrader"]["schema_version"] = 99
    _answer(nb, "toy_add", RIGHT_ADD)


def _garbage_metadata(nb):
    cell = _answer(nb, "toy_add", RIGHT_ADD)
    cell.metadata["nbgrader"] = "not a dict"


def _code_above_setup(nb):
    from nbformat.v4 import new_code_cell
    nb.cells.insert(1, new_code_cell(
        "open('numpy.py', 'w').write('import sys\\nclass testing:\\n'\n"
        "    '    assert_allclose = staticmethod(lambda *a, **k: None)\\n"
        "allclose = lambda *a, **k: True\\nasarray = lambda x, dtype=None: x\\n')\n"
        "import importlib, sys\nsys.path.insert(0, '.')\nsys.modules.pop('numpy', None)\n"))
    _answer(nb, "toy_scale", "def scale(xs, k):\n    return xs\n")


def _symlink_to_solution(folder: Path):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "toy.ipynb").symlink_to(SOLUTION)


def _numpy_beside(folder: Path):
    nb = _nb()
    _answer(nb, "toy_scale", "def scale(xs, k):\n    return xs\n")
    _save(nb, folder)
    (folder / "numpy.py").write_text("class testing:\n    assert_allclose = staticmethod(lambda *a, **k: None)\n"
                                     "allclose = lambda *a, **k: True\nasarray = lambda x, dtype=None: x\n")


def _zip(folder: Path):
    with zipfile.ZipFile(folder.with_suffix(".zip"), "w") as zf:
        zf.write(SOLUTION, "toy/toy.ipynb")


def _bad_zip(folder: Path):
    folder.with_suffix(".zip").write_bytes(b"PK\x03\x04 this is not really a zip")


def _huge(folder: Path):
    nb = _nb()
    nb.cells[0].source += "\n" + "x" * (21 * 2**20)
    _save(nb, folder)


# --------------------------------------------------------------------------- in-kernel subversion

BLANK_LATER_CELLS = "get_ipython().input_transformers_post.append(lambda lines: [])"
REWRITE_ASSERTS = ("get_ipython().input_transformers_cleanup.append("
                   "lambda lines: [l.replace('assert ', 'assert True or ') for l in lines])")
STRIP_ASSERTS = """
import ast
class _NoAsserts(ast.NodeTransformer):
    def visit_Assert(self, node):
        return ast.Pass()
get_ipython().ast_transformers.append(_NoAsserts())
"""
SWALLOW_ERRORS = "get_ipython().set_custom_exc((Exception,), lambda shell, etype, evalue, tb, tb_offset=None: None)"
HIDE_TRACEBACKS = ("get_ipython().showtraceback = lambda *a, **k: None\n"
                   "get_ipython()._showtraceback = lambda *a, **k: None")
PATCH_BUILTINS = ("import builtins\nbuiltins.float = lambda x=0: 3.0\nbuiltins.isinstance = lambda *a: True\n"
                  "builtins.AssertionError = type('Nope', (Exception,), {})")
SHADOW_BUILTINS = "float = lambda x=0: 3.0\nisinstance = lambda *a: True"
ALWAYS_EQUAL = """
class Anything(float):
    def __eq__(self, other):
        return True
    __hash__ = float.__hash__
def add(a, b):
    return Anything(3.0)
def mean(xs):
    return Anything(0.0)
"""
PATCH_NUMPY = ("import numpy\nnumpy.testing.assert_allclose = lambda *a, **k: None\n"
               "numpy.allclose = lambda *a, **k: True\n"
               "def scale(xs, k):\n    return xs\n")
SWAP_CODE = ("import numpy\nnumpy.testing.assert_allclose.__code__ = (lambda *a, **k: None).__code__\n"
             "numpy.allclose.__code__ = (lambda *a, **k: True).__code__\n"
             "def scale(xs, k):\n    return xs\n")
PATCH_FLOAT_TYPE = ("import gc\ngc.get_referents(float.__dict__)[0]['__eq__'] = lambda s, o: True\n"
                    "gc.get_referents(float.__dict__)[0]['__float__'] = lambda s: 3.0")
FAKE_NUMPY_MODULE = """
import sys, types
fake = types.ModuleType('numpy')
fake.testing = types.SimpleNamespace(assert_allclose=lambda *a, **k: None)
fake.allclose = lambda *a, **k: True
fake.asarray = lambda x, dtype=None: x
sys.modules['numpy'] = fake
np = fake
def scale(xs, k):
    return xs
"""
DROP_ERROR_MESSAGES = """
session = get_ipython().kernel.session
_send = session.send
def quiet_send(stream, msg_or_type, content=None, *args, **kwargs):
    kind = msg_or_type if isinstance(msg_or_type, str) else msg_or_type.get('msg_type')
    if kind == 'error':
        return None
    if kind == 'execute_reply' and content is not None:
        content = dict(content, status='ok')
    return _send(stream, msg_or_type, content, *args, **kwargs)
session.send = quiet_send
"""
SKIP_ASSERTS_BY_TRACING = """
import linecache, sys
def add(a, b):
    caller = sys._getframe(1)
    def tracer(frame, event, arg):
        if frame is caller and event == 'line':
            line = linecache.getline(frame.f_code.co_filename, frame.f_lineno).strip()
            if line.startswith(('assert', 'np.testing')):
                try:
                    frame.f_lineno = frame.f_lineno + 1
                except ValueError:
                    pass
        return tracer
    caller.f_trace = tracer
    caller.f_trace_lines = True
    sys.settrace(tracer)
    return 3 if (a, b) == (1, 2) else 42
"""
EVENT_HOOKS = """
def _hook(*args, **kwargs):
    import builtins
    builtins.float = lambda x=0: 3.0
get_ipython().events.register('pre_run_cell', _hook)
get_ipython().events.register('post_run_cell', _hook)
"""
FAKE_REPORTS = """
from IPython.display import publish_display_data
for kind in ('guard', 'done'):
    publish_display_data({'application/x.autograder+json': {'kind': kind, 'nonce': 'guess', 'test': 'toy_add_tests',
                                                           'token': 'guess', 'findings': []}})
"""
READ_CALLER = """
import sys
def add(a, b):
    consts = [c for c in sys._getframe(1).f_code.co_consts if isinstance(c, float)]
    return consts[0] if consts else 0
"""


# --------------------------------------------------------------------------- escape attempts

def escape_reads(paths, folders) -> str:
    return ("import os\nfor p in %r:\n    try:\n        data = open(p, 'rb').read(64)\n"
            "        print('ESCAPED read', p)\n    except Exception:\n        pass\n"
            "for p in %r:\n    try:\n        os.listdir(p)\n        print('ESCAPED list', p)\n    except Exception:\n"
            "        pass\n"
            "if %r in repr(dict(os.environ)):\n    print('ESCAPED secret')\n") % (paths, folders, SECRET)


def escape_writes(paths) -> str:
    """Writes that would land outside the sandbox; checked from the host after the batch."""
    return ("import os\nfor p in %r:\n    try:\n        os.makedirs(os.path.dirname(p), exist_ok=True)\n"
            "        open(p, 'w').write('x')\n    except Exception:\n        pass\n") % (paths,)


def escape_network(port: int) -> str:
    return f"""
import socket
for host, port in (('127.0.0.1', {port}), ('1.1.1.1', 53), ('8.8.8.8', 443)):
    try:
        s = socket.create_connection((host, port), timeout=2)
        s.sendall(b'ESCAPED')
        print('ESCAPED network', host)
    except Exception:
        pass
try:
    socket.getaddrinfo('example.com', 80)
    print('ESCAPED dns')
except Exception:
    pass
"""


LINGER = f"""
import os, subprocess, sys
subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)', '{MARK}'], start_new_session=True)
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        os.execv(sys.executable, [sys.executable, '-c', 'import time; time.sleep(600)', '{MARK}'])
    os._exit(0)
"""
KILL_EVERYTHING = "import os, signal\ntry:\n    os.kill(-1, signal.SIGKILL)\nexcept Exception:\n    pass"
MEMORY_HOG = "hog = b'x' * (1500 * 2**20)\nimport time\ntime.sleep(5)"
PROCESS_FLOOD = ("import subprocess, sys, time\n"
                 "procs = [subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'])"
                 " for _ in range(40)]\ntime.sleep(10)")
IGNORE_INTERRUPT = "import signal, time\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True:\n    time.sleep(1)"
KERNEL_EXIT = "import os\nos._exit(1)"
OUTPUT_FLOOD = "for _ in range(300):\n    print('y' * 100_000)"
FILL_DISK = ("try:\n    with open('big.bin', 'wb') as f:\n        for _ in range(700):\n"
             "            f.write(b'z' * 2**20)\n"
             "except OSError as exc:\n    print('write stopped:', exc)")


def gradebook_attack(db: str) -> str:
    return f"""
import sqlite3
try:
    con = sqlite3.connect({db!r})
    con.execute('update grade set auto_score = 0, manual_score = 0')
    con.commit()
    print('ESCAPED gradebook')
except Exception:
    pass
"""


FORGE_RESULTS = """
import glob, json
forged = {'status': 'graded', 'flags': [], 'scores': {'toy_add_tests': 0, 'toy_mean_tests': 0, 'toy_scale_tests': 0}}
for d in glob.glob('/tmp/*') + glob.glob('/tmp/*/*'):
    try:
        open(d + '/result.json', 'w').write(json.dumps(forged))
    except Exception:
        pass
"""


def _later_cell(code: str, add: str = RIGHT_ADD):
    """add() is right; `code` then runs as the mean answer (so the add tests already ran)."""
    def write(folder: Path):
        nb = _nb()
        _answer(nb, "toy_add", add)
        _answer(nb, "toy_mean", code)
        _save(nb, folder)
    return write


# --------------------------------------------------------------------------- the class

@dataclass
class Batch:
    out: Path
    subs: Path
    rows: dict
    results: dict
    review: list
    returncode: int
    stdout: str
    before: dict
    after: dict
    isolation: str
    escaped_files: list
    network_hits: list
    leftovers: list
    seconds: float


def _listen() -> tuple[socket.socket, list]:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    server.settimeout(0.5)
    hits = []

    def accept():
        while True:
            try:
                conn, _ = server.accept()
                hits.append(conn.recv(64))
                conn.close()
            except socket.timeout:
                continue
            except OSError:
                return
    threading.Thread(target=accept, daemon=True).start()
    return server, hits


def _tree_state(folder: Path) -> dict:
    state = {}
    for p in sorted(folder.rglob("*")):
        if p.is_symlink():
            state[str(p)] = ("link", os.readlink(p))
        elif p.is_file():
            st = p.stat()
            state[str(p)] = (hashlib.sha256(p.read_bytes()).hexdigest(), st.st_mtime_ns, st.st_mode)
    return state


def cases(tmp: Path, port: int) -> list[Case]:
    out, subs = tmp / "out", tmp / "subs"
    escape_files = [str(tmp / "ESCAPED_tmp"), str(out / "ESCAPED_out"), str(subs / "ESCAPED_subs"),
                    str(ROOT / "ESCAPED_repo"), os.path.expanduser("~/ESCAPED_home"), "/tmp/ESCAPED_host_tmp",
                    os.path.join(sys.prefix, "lib", f"python{sys.version_info.major}.{sys.version_info.minor}",
                                 "site-packages", "sitecustomize.py"),
                    os.path.expanduser("~/.ipython/profile_default/startup/00-escaped.py")]
    secrets = [str(SOLUTION), str(out / "gradebook.db"), str(subs / "alice" / "toy.ipynb"),
               str(TOY / "tests" / "bank" / "toy" / "toy_add" / "correct_sum.py"), "/etc/shadow",
               os.path.expanduser("~/.bash_history")]
    folders = [str(TOY / "solutions"), str(out), str(subs), str(ROOT / "tests"), "/tmp/" + "ag-probe"]
    return [
        # ---- broken files: every one still gets its row
        Case("malformed_json", raw_file(b'{"cells": [{"cell_type": "code", '), "failed", 0,
             flags=("malformed_notebook",)),
        Case("not_a_notebook", raw_file(b"[1, 2, 3]"), "failed", 0, flags=("malformed_notebook",)),
        Case("binary_garbage", raw_file(bytes(range(256)) * 40), "failed", 0, flags=("malformed_notebook",)),
        Case("cells_garbage", raw_file(json.dumps({"cells": [1, "x", {"cell_type": "code"}], "metadata": {},
                                                   "nbformat": 4, "nbformat_minor": 4}).encode()), None, 0),
        Case("latin1_encoding", solution(lambda r: _with_cafe(r).decode("utf-8").encode("cp1252")), score=FULL,
             flags=("wrong_encoding",)),
        Case("utf16_encoding", solution(lambda r: r.decode("utf-8").encode("utf-16")), score=FULL,
             flags=("wrong_encoding",)),
        Case("byte_order_mark", solution(lambda r: b"\xef\xbb\xbf" + r), score=FULL, flags=("bom",)),
        Case("renamed_notebook", solution(name="my homework (final).ipynb"), score=FULL, flags=("renamed_notebook",)),
        Case("nbgrader_layout", solution(layout="toy"), score=FULL),
        Case("zip_submission", _zip, score=FULL),
        Case("corrupt_zip", _bad_zip, "failed", 0, flags=("malformed_zip",)),
        Case("empty_folder", lambda f: f.mkdir(parents=True), "failed", 0, flags=("missing_notebook",)),
        Case("old_nbformat", _old_nbformat, score=None, flags=("old_nbformat",)),
        Case("notebook_too_large", _huge, "failed", 0, flags=("notebook_too_large",)),
        Case("symlink_to_solution", _symlink_to_solution, "failed", 0, flags=("symlink_not_followed",)),
        Case("numpy_py_beside_notebook", _numpy_beside, score=0, flags=("extra_files",)),
        Case("duplicated_weakened_test", _edit(_duplicate_weakened_test), score=0, flags=("duplicate_cells",)),
        Case("deleted_tests", _edit(_delete_tests), score=0, flags=("cells_missing",)),
        Case("retagged_test_cell", _edit(_retag_test), score=0, flags=("tampered",)),
        Case("inflated_points", _edit(_inflate_points), score=ADD, flags=("tampered",), extra={"max_score": FULL}),
        Case("edited_schema_version", _edit(_schema_version), score=ADD, flags=("edited_metadata",)),
        Case("garbage_nbgrader_metadata", _edit(_garbage_metadata), score=None, max_score=ADD, flags=("tampered",)),
        Case("code_above_setup_fakes_numpy", _edit(_code_above_setup), score=0),
        # ---- subversion inside the kernel: found, undone or refused, flagged
        Case("input_transformer_blanks_cells", tamper(BLANK_LATER_CELLS), score=0, flags=("tampered",), review=True),
        Case("input_transformer_rewrites_asserts", tamper(REWRITE_ASSERTS), score=0, flags=("tampered",), review=True),
        Case("ast_transformer_strips_asserts", tamper(STRIP_ASSERTS), score=0, flags=("tampered",), review=True),
        Case("custom_exception_handler", tamper(SWALLOW_ERRORS), score=0, flags=("tampered",), review=True),
        Case("hidden_tracebacks", tamper(HIDE_TRACEBACKS), score=0, flags=("tampered",), review=True),
        Case("patched_builtins", tamper(PATCH_BUILTINS), score=0, flags=("tampered",), review=True),
        Case("shadowed_builtins", tamper(SHADOW_BUILTINS), score=0, flags=("shadowed_builtins",)),
        Case("always_equal_objects", tamper(ALWAYS_EQUAL), score=0),
        Case("patched_numpy_testing", tamper(PATCH_NUMPY), score=0, flags=("tampered",), review=True),
        Case("swapped_function_code", tamper(SWAP_CODE), score=0, flags=("tampered",), review=True),
        Case("patched_float_type", tamper(PATCH_FLOAT_TYPE), score=0, flags=("tampered",), review=True),
        Case("fake_numpy_in_sys_modules", tamper(FAKE_NUMPY_MODULE), score=0, flags=("tampered",)),
        Case("kernel_drops_error_messages", tamper(DROP_ERROR_MESSAGES), score=0, flags=("tampered",), review=True),
        Case("tracer_skips_assertions", tamper(SKIP_ASSERTS_BY_TRACING, add=""), score=0,
             flags=("tampered", "suspicious_code"), review=True),
        Case("event_hooks", tamper(EVENT_HOOKS), score=0, flags=("tampered",), review=True),
        Case("forged_grader_reports", tamper(FAKE_REPORTS), score=0),
        Case("reads_caller_frame", tamper(READ_CALLER, add=""), score=None, max_score=ADD, flags=("suspicious_code",),
             review=True),
        # ---- escape attempts: nothing leaves the sandbox
        Case("reads_solutions_gradebook_secrets", tamper(escape_reads(secrets, folders)), score=0, review=True,
             needs="bwrap"),
        Case("writes_outside_working_copy", tamper(escape_writes(escape_files)), score=0,
             needs="bwrap", extra={"files": escape_files}),
        Case("network_access", tamper(escape_network(port)), score=0, review=True, needs="unshare"),
        Case("zeroes_the_gradebook", tamper(gradebook_attack(str(out / "gradebook.db"))), score=0, review=True,
             needs="bwrap"),
        Case("forges_other_results", tamper(FORGE_RESULTS), score=0, needs="bwrap"),
        Case("kills_every_process", tamper(KILL_EVERYTHING), score=None, max_score=0, needs="unshare"),
        Case("leaves_processes_behind", _later_cell(LINGER), score=ADD, review=True),
        # ---- resources: stopped, flagged, the batch goes on
        Case("memory_hog", tamper(MEMORY_HOG), "failed", 0, flags=("memory_limit",)),
        Case("process_flood", tamper(PROCESS_FLOOD), "failed", 0, flags=("process_limit",)),
        Case("ignores_interrupts_forever", _later_cell(IGNORE_INTERRUPT), score=ADD, flags=("timeout",)),
        Case("kills_its_kernel", _later_cell(KERNEL_EXIT), score=ADD, flags=("kernel_died",)),
        Case("output_flood", _later_cell(OUTPUT_FLOOD), score=ADD, flags=("output_truncated",)),
        Case("fills_the_disk", _later_cell(FILL_DISK), score=ADD),
    ]


HONEST = {"alice": (solution(), FULL), "bob": (raw_file(RELEASE.read_bytes()), 0.0),
          "carol": (_later_cell("def mean(xs):\n    return sum(xs) // len(xs)\n"), ADD)}


def _run_batch(tmp: Path, level: str) -> Batch:
    server, hits = _listen()
    port = server.getsockname()[1]
    subs = tmp / "subs"
    chosen = [c for c in cases(tmp, port) if _supported(c, level)]
    for name, (write, _) in HONEST.items():
        write(subs / name)
    for case in chosen:
        case.write(subs / case.name)
    before = _tree_state(subs)
    env = dict(os.environ, AUTOGRADER_COURSE_ROOT=str(TOY), AUTOGRADER_TEST_SECRET=SECRET)
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "autograder", "grade", "toy", "--submissions", str(subs),
                           "--out", str(tmp / "out"), "--workers", "2", "--isolation", level,
                           "--cell-timeout", "6", "--timeout", "40", "--memory-limit", "900",
                           "--max-processes", "24"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    seconds = time.monotonic() - started
    server.close()
    leftovers = []
    for p in psutil.process_iter(["cmdline"]):
        if MARK in " ".join(p.info["cmdline"] or []):
            leftovers.append(p.pid)
            p.kill()
    out = tmp / "out"
    rows = {}
    if (out / "grades.csv").exists():
        with (out / "grades.csv").open(encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                rows.setdefault(row["student_id"], []).append(row)
    results = {p.stem: json.loads(p.read_text()) for p in (out / "results").glob("*.json")}
    review = list(csv.DictReader((out / "review.csv").open(encoding="utf-8"))) if (out / "review.csv").exists() else []
    files = [f for c in chosen for f in c.extra.get("files", [])]
    escaped = [f for f in files if os.path.exists(f)]
    for f in escaped:
        os.remove(f)
    return Batch(out, subs, rows, results, review, done.returncode, done.stdout + done.stderr, before,
                 _tree_state(subs), level, escaped, hits, leftovers, seconds)


LEVELS = {"none": 0, "unshare": 1, "bwrap": 2}


def _supported(case: Case, level: str) -> bool:
    return case.needs is None or LEVELS[level] >= LEVELS[case.needs]


@pytest.fixture(scope="session")
def batch(tmp_path_factory) -> Batch:
    from autograder import sandbox
    level = sandbox.detect("auto")
    return _run_batch(tmp_path_factory.mktemp("hostile"), level)


ALL = cases(Path("/nonexistent"), 0)


def _outputs(batch: Batch, student: str) -> str:
    """Everything the student's cells printed or displayed, as text."""
    path = batch.out / "executed" / student / "toy.ipynb"
    if not path.exists():
        return ""
    texts = []
    for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
        for out in cell.get("outputs", []):
            texts.append("".join(out.get("text", "")) + json.dumps(out.get("data", {})) + str(out.get("evalue", "")))
    return "\n".join(texts)


@pytest.mark.parametrize("case", ALL, ids=[c.name for c in ALL])
def test_hostile_case(batch, case):
    if not _supported(case, batch.isolation):
        pytest.skip(f"needs {case.needs} isolation; this machine has {batch.isolation} (install bubblewrap)")
    assert batch.returncode == 0, batch.stdout[-3000:]
    rows = batch.rows.get(case.name, [])
    assert len(rows) == 1, f"{case.name}: expected exactly one row, got {len(rows)}"
    row = rows[0]
    flags = set(filter(None, row["flags"].split(";")))
    score = float(row["score"])
    if case.status:
        assert row["status"] == case.status, (row, batch.results.get(case.name, {}).get("detail"))
    if case.score is not None:
        assert score == case.score, (row, batch.results.get(case.name, {}).get("messages"))
    if case.max_score is not None:
        assert score <= case.max_score, row
    if "max_score" in case.extra:
        assert float(row["max_score"]) == case.extra["max_score"], row
    for flag in case.flags:
        assert flag in flags, f"{case.name}: flag {flag!r} missing from {sorted(flags)}"
    for flag in case.not_flags:
        assert flag not in flags, f"{case.name}: unexpected flag {flag!r}"
    leaks = [line for line in _outputs(batch, case.name).splitlines() if "ESCAPED" in line]
    assert not leaks, f"{case.name} reached something outside its sandbox: {leaks}"
    if case.review:
        assert case.name in {r["student_id"] for r in batch.review}, f"{case.name} not listed in review.csv"


def test_honest_students_keep_their_grades(batch):
    for student, (_, expected) in HONEST.items():
        rows = batch.rows[student]
        assert len(rows) == 1 and rows[0]["status"] == "graded", rows
        assert float(rows[0]["score"]) == expected, (student, rows[0], batch.results[student].get("messages"))
        assert "tampered" not in rows[0]["flags"] and "suspicious_code" not in rows[0]["flags"], rows[0]


def test_honest_grades_in_the_gradebook_survive(batch):
    from nbgrader.api import Gradebook
    with Gradebook(f"sqlite:///{batch.out / 'gradebook.db'}") as gb:
        for student, (_, expected) in HONEST.items():
            assert gb.find_submission("toy", student).code_score == expected


def test_every_student_has_exactly_one_row(batch):
    expected = {c.name for c in ALL if _supported(c, batch.isolation)} | set(HONEST)
    assert set(batch.rows) == expected
    assert all(len(v) == 1 for v in batch.rows.values())


def test_submissions_are_never_modified(batch):
    assert batch.before == batch.after


def test_nothing_escaped(batch):
    assert not batch.escaped_files, f"files written outside the sandbox: {batch.escaped_files}"
    assert not batch.leftovers, "processes outlived their submission"
    if LEVELS[batch.isolation] >= LEVELS["unshare"]:
        assert not batch.network_hits, f"a submission reached the network: {batch.network_hits}"


def test_whole_class_fits_the_time_budget(batch):
    # the class is about 55 students; this is a generous bound for a loaded 2-core CI machine
    assert batch.seconds < 420, f"the hostile class took {batch.seconds:.0f} s"
