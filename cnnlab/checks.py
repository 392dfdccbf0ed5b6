"""Checks in test cells: one call that a student, the grader and its judge each read their own way.

    check(value, "message naming the misconception", expect=0.75)   # visible check: a known answer
    check(value, "message naming the misconception")                # hidden check: judged at grading

- Interactively (JupyterLab, Colab, the self-check) a check with `expect` compares at once and raises
  `AssertionError(message)` when the value is wrong; a check without `expect` only makes sure the value is
  something the grader can record.
- At grading the student's kernel only *records* values ("record" mode): nothing is compared there and no
  expected value is needed there.
- The grader's judge, a separate process that never runs student code, runs the same test cell with the
  course's reference solutions ("reference" mode) and compares the two records check by check
  (`autograder/judge.py`). So a test cell needs no reference implementation, and none may appear in it.

Values cross from the student's kernel to the judge as plain data only: exact `bool`, `int`, `float`, `str`,
`None`, NumPy scalars and arrays of numeric or bool dtype, torch tensors (as arrays), and lists, tuples and
dicts of these. Anything else (a subclass of `float` whose `==` lies, a custom object) is recorded as
"unsupported" and never equals a reference.

`hidden_seed(k)` seeds hidden fixtures: `k` interactively, `k` plus a per-batch number at grading, so the
inputs a hidden check uses cannot be known in advance.
"""
from __future__ import annotations

import base64
import hashlib
import math
import random
import sys
import zlib
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

MISSING = object()
MIME = "application/x.cnnlab-observations+json"
MAX_STR = 2000
MAX_ARRAY_BYTES = 64 << 20
ARRAY_KINDS = "biuf"            # bool, int, unsigned, float
INT_TYPES = (np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint32, np.uint64)
FLOAT_TYPES = (np.float16, np.float32, np.float64)


@dataclass
class Spec:
    """How one check is judged: its message and tolerance, and an optional property of the value."""
    message: str
    rtol: float = 1e-5
    atol: float = 1e-6
    same_type: bool = True
    dtype: bool = False
    judge: Callable | None = None


@dataclass
class _State:
    mode: str = "interactive"           # interactive | record | reference
    seed: int = 0
    nonce: str = ""
    test: str | None = None
    digest: str = ""                    # of the source the current test runs
    values: list = field(default_factory=list)     # encoded values of the current test
    specs: list = field(default_factory=list)      # reference mode: the Spec of each check


STATE = _State()


# --------------------------------------------------------------------------- the calls in test cells

def check(value: Any, message: str, *, expect: Any = MISSING, rtol: float = 1e-5, atol: float = 1e-6,
          same_type: bool = True, dtype: bool = False, judge: Callable | None = None) -> None:
    """One check of a test cell (see the module docstring).

    rtol/atol: tolerance for floats and float arrays (NaN equals NaN). same_type: the kind of value must match
    (float vs int vs array vs tensor...). dtype: arrays must have the same dtype too. judge: a property
    `judge(value, reference) -> bool` used instead of equality (for example "at most 35% of the float size").
    """
    spec = Spec(str(message), rtol, atol, same_type, dtype, judge)
    if STATE.mode == "record":
        STATE.values.append(_encode_safely(value))
        return
    encoded = encode(value)
    if STATE.mode == "reference":
        STATE.values.append(encoded)
        STATE.specs.append(spec)
        if expect is not MISSING:
            problem = compare(encoded, encode(expect), spec)
            if problem:
                raise AssertionError(f"the reference solution fails a visible check: {message} ({problem})")
        return
    if encoded["t"] == "unsupported":
        raise AssertionError(f"{message} (got an object of type {encoded['type']}: return plain Python, NumPy "
                             "or torch values)")
    if expect is not MISSING:
        problem = compare(encoded, encode(expect), spec)
        if problem:
            raise AssertionError(f"{message} ({problem})")


def hidden_seed(k: int = 0) -> int:
    """A seed for hidden fixtures: `k`, plus the batch's own number when the work is graded."""
    return int(STATE.seed) + int(k)


# --------------------------------------------------------------------------- plain-data encoding

def _exact(value, *types) -> bool:
    return type(value) in types


def _array(a: np.ndarray) -> dict:
    a = np.ascontiguousarray(a)
    return {"t": "ndarray", "dtype": a.dtype.str, "shape": list(a.shape),
            "b64": base64.b64encode(zlib.compress(a.tobytes(), 1)).decode("ascii")}


def encode(value: Any) -> dict:
    """`value` as JSON-ready plain data with a type tag (see the module docstring)."""
    if value is None:
        return {"t": "none"}
    if _exact(value, bool, np.bool_):
        return {"t": "bool", "v": bool(value)}
    if _exact(value, int, *INT_TYPES):
        return {"t": "int", "v": int(value)}
    if _exact(value, float, *FLOAT_TYPES):
        return {"t": "float", "v": _float(float(value)), "np": type(value) is not float}
    if _exact(value, str):
        return {"t": "str", "v": value[:MAX_STR]}
    if _exact(value, bytes):
        return {"t": "bytes", "len": len(value), "crc": zlib.crc32(value)}
    if _exact(value, np.ndarray) and value.dtype.kind in ARRAY_KINDS:
        return _array(value)
    torch = sys.modules.get("torch")
    if torch is not None and type(value) in (torch.Tensor, torch.nn.Parameter):
        t = value.detach().cpu()
        if t.is_quantized:
            t = t.dequantize()
        if t.dtype in (torch.bfloat16, torch.float16):
            t = t.float()
        return {"t": "tensor", "dtype": str(t.dtype).replace("torch.", ""), "requires_grad": bool(value.requires_grad),
                "array": _array(t.numpy())}
    if _exact(value, list, tuple):
        return {"t": type(value).__name__, "v": [encode(v) for v in value]}
    if _exact(value, dict):
        items = []
        for k, v in value.items():
            key = encode(k)
            if key["t"] not in ("str", "int", "bool", "none"):
                return {"t": "unsupported", "type": "dict with keys of type " + _type_name(k)}
            items.append([key, encode(v)])
        items.sort(key=lambda kv: (kv[0]["t"], str(kv[0].get("v"))))
        return {"t": "dict", "v": items}
    return {"t": "unsupported", "type": _type_name(value)}


def _encode_safely(value) -> dict:
    try:
        return encode(value)
    except Exception as exc:          # a value that breaks while being read is a value the judge rejects
        return {"t": "unsupported", "type": f"{_type_name(value)} ({type(exc).__name__} while reading it)"}


def _type_name(value) -> str:
    cls = type(value)
    module = getattr(cls, "__module__", "") or ""
    return cls.__name__ if module in ("builtins", "") else f"{module}.{cls.__name__}"


def _float(x: float):
    return x if math.isfinite(x) else repr(x)        # JSON has no NaN or inf: keep them as text


def decode(enc: dict) -> Any:
    """The plain value an encoding stands for (arrays and tensors become NumPy arrays)."""
    t = enc.get("t")
    if t == "none":
        return None
    if t in ("bool", "int", "str"):
        return enc["v"]
    if t == "float":
        return float(enc["v"])
    if t == "bytes":
        return enc
    if t == "ndarray":
        dtype = np.dtype(enc["dtype"])
        if dtype.kind not in ARRAY_KINDS:
            raise ValueError(f"array dtype {dtype} not accepted")
        shape = [int(n) for n in enc["shape"]]
        size = math.prod(shape) * dtype.itemsize
        if any(n < 0 for n in shape) or size > MAX_ARRAY_BYTES:
            raise ValueError(f"array of shape {shape} not accepted")
        raw = zlib.decompressobj().decompress(base64.b64decode(enc["b64"]), size + 1)
        if len(raw) != size:
            raise ValueError("array data does not match its shape")
        return np.frombuffer(raw, dtype=dtype).reshape(shape).copy()
    if t == "tensor":
        return decode(enc["array"])
    if t in ("list", "tuple"):
        items = [decode(v) for v in enc["v"]]
        return items if t == "list" else tuple(items)
    if t == "dict":
        return {decode(k): decode(v) for k, v in enc["v"]}
    raise ValueError(f"cannot decode a value of kind {t!r}")


# --------------------------------------------------------------------------- comparison

KIND_NAMES = {"none": "None", "bool": "a bool", "int": "an int", "float": "a float", "str": "a string",
              "bytes": "bytes", "ndarray": "a NumPy array", "tensor": "a torch tensor", "list": "a list",
              "tuple": "a tuple", "dict": "a dict"}


def _kind(enc: dict) -> str:
    return KIND_NAMES.get(enc.get("t"), f"an object of type {enc.get('type', '?')}")


def _short(x) -> str:
    if isinstance(x, float):
        return f"{x:.6g}"
    text = repr(x)
    return text if len(text) <= 60 else text[:57] + "..."


def compare(got: dict, ref: dict, spec: Spec, where: str = "") -> str | None:
    """None when `got` matches `ref` under `spec`, else a short description of the difference."""
    at = f" at {where}" if where else ""
    if got.get("t") == "unsupported":
        return f"got an object of type {got.get('type')}{at}: return plain Python, NumPy or torch values"
    if spec.judge is not None and not where:
        try:
            ok = bool(spec.judge(decode(got), decode(ref)))
        except Exception as exc:
            return f"could not be judged ({type(exc).__name__}: {exc})"
        return None if ok else f"got {_describe(got)}"
    gt, rt = got.get("t"), ref.get("t")
    numeric = {"int", "float"}
    if gt != rt and not (not spec.same_type and {gt, rt} <= numeric | {"bool"}) \
            and not (not spec.same_type and {gt, rt} <= {"ndarray", "tensor", "list", "tuple"}):
        return f"expected {_kind(ref)}{at}, got {_kind(got)}"
    if rt in ("none",):
        return None
    if {gt, rt} <= numeric | {"bool"}:
        g, r = float(decode(got)), float(decode(ref))
        if rt in ("bool", "int") and gt == rt:
            return None if g == r else f"got {_short(decode(got))}{at}, expected {_short(decode(ref))}"
        if (math.isnan(g) and math.isnan(r)) or g == r or abs(g - r) <= spec.atol + spec.rtol * abs(r):
            return None
        return f"got {_short(g)}{at}, expected {_short(r)}"
    if rt in ("str",):
        return None if got["v"] == ref["v"] else f"got {_short(got['v'])}{at}, expected {_short(ref['v'])}"
    if rt == "bytes":
        return None if (got["len"], got["crc"]) == (ref["len"], ref["crc"]) else f"different bytes{at}"
    if rt in ("ndarray", "tensor") or gt in ("ndarray", "tensor"):
        return _compare_arrays(got, ref, spec, at)
    if rt in ("list", "tuple"):
        if len(got["v"]) != len(ref["v"]):
            return f"expected {len(ref['v'])} items{at}, got {len(got['v'])}"
        for i, (g, r) in enumerate(zip(got["v"], ref["v"])):
            problem = compare(g, r, spec, f"{where}[{i}]")
            if problem:
                return problem
        return None
    if rt == "dict":
        gk = [_short(decode(k)) for k, _ in got["v"]]
        rk = [_short(decode(k)) for k, _ in ref["v"]]
        if gk != rk:
            return f"expected keys {rk}{at}, got {gk}"
        for (k, g), (_, r) in zip(got["v"], ref["v"]):
            problem = compare(g, r, spec, f"{where}[{_short(decode(k))}]")
            if problem:
                return problem
        return None
    return f"cannot compare {_kind(got)} with {_kind(ref)}{at}"


def _as_array(enc: dict):
    return np.asarray(decode(enc))


def _compare_arrays(got: dict, ref: dict, spec: Spec, at: str) -> str | None:
    try:
        g, r = _as_array(got), _as_array(ref)
    except (ValueError, TypeError):
        return f"expected {_kind(ref)}{at}, got {_kind(got)}"
    if g.shape != r.shape:
        return f"shape {tuple(g.shape)}{at}, expected {tuple(r.shape)}"
    gd = got["array"]["dtype"] if got["t"] == "tensor" else got.get("dtype", str(g.dtype))
    rd = ref["array"]["dtype"] if ref["t"] == "tensor" else ref.get("dtype", str(r.dtype))
    if spec.dtype and np.dtype(gd) != np.dtype(rd):
        return f"dtype {np.dtype(gd)}{at}, expected {np.dtype(rd)}"
    if got["t"] == ref["t"] == "tensor" and got.get("requires_grad") != ref.get("requires_grad"):
        return f"requires_grad={got.get('requires_grad')}{at}, expected {ref.get('requires_grad')}"
    if r.dtype.kind == "f" or g.dtype.kind == "f":
        gf, rf = g.astype(np.float64), r.astype(np.float64)
        close = np.isclose(gf, rf, rtol=spec.rtol, atol=spec.atol, equal_nan=True)
        if close.all():
            return None
        idx = np.unravel_index(int(np.argmin(close)), close.shape) if close.ndim else ()
        worst = float(np.nanmax(np.abs(gf - rf))) if np.isfinite(gf - rf).any() else float("nan")
        return (f"{int((~close).sum())} of {close.size} values differ{at} (first at index {tuple(int(i) for i in idx)}: "
                f"got {_short(float(gf[idx]))}, expected {_short(float(rf[idx]))}; largest difference {worst:.3g})")
    if np.array_equal(g, r):
        return None
    diff = g != r
    idx = np.unravel_index(int(np.argmax(diff)), diff.shape) if diff.ndim else ()
    return f"{int(diff.sum())} of {diff.size} values differ{at} (first at index {tuple(int(i) for i in idx)})"


def _describe(enc: dict) -> str:
    try:
        value = decode(enc)
    except Exception:
        return _kind(enc)
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape}"
    return _short(value)


# --------------------------------------------------------------------------- used by the grader

def start(mode: str, seed: int = 0, nonce: str = "") -> None:
    """Switch this process to "record" (a graded kernel) or "reference" (the judge) mode."""
    if mode not in ("interactive", "record", "reference"):
        raise ValueError(f"unknown mode {mode!r}")
    STATE.mode, STATE.seed, STATE.nonce = mode, int(seed), nonce
    if mode == "record":
        _keep_builtins()


def _keep_builtins() -> None:
    """After every cell of a graded run, put back any builtin a cell replaced: a kernel whose `isinstance` or
    `print` is gone cannot even answer the grader, and would only time out. (The grade never depends on it:
    the judge decides outside the kernel.)"""
    import builtins
    try:
        from IPython import get_ipython
        shell = get_ipython()
    except ImportError:
        return
    if shell is None:
        return
    pristine = dict(vars(builtins))

    def restore(*_):
        current = vars(builtins)
        for name, value in pristine.items():
            if current.get(name) is not value:
                current[name] = value
    shell.events.register("post_run_cell", restore)


def digest(source: str) -> str:
    """Short fingerprint of a test's source: the grader compares it with the source it sent."""
    return hashlib.sha256(source.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def begin(test: str, source: str = "") -> None:
    """Start recording one test cell and seed every random generator the same way in kernel and judge."""
    STATE.test, STATE.values, STATE.specs, STATE.digest = test, [], [], digest(source)
    seed = (zlib.crc32(test.encode()) + STATE.seed) % 2**31
    random.seed(seed)
    np.random.seed(seed)
    torch = sys.modules.get("torch")
    if torch is not None:
        torch.manual_seed(seed)
    keras = sys.modules.get("keras")
    if keras is not None:
        keras.utils.set_random_seed(seed)


def finish(finished: bool) -> dict:
    """The record of the current test: what travels to the judge (record mode), or the reference's values
    and how each is judged (reference mode)."""
    record = {"nonce": STATE.nonce, "test": STATE.test, "finished": bool(finished), "values": STATE.values,
              "digest": STATE.digest}
    if STATE.mode == "reference":
        record["specs"] = STATE.specs
    STATE.test, STATE.values, STATE.specs = None, [], []
    return record


SETUP: dict = {}          # what the locked set-up cells bound, kept before any student code can rebind it


def snapshot(namespace: dict, names) -> None:
    """Keep the names a set-up cell bound (the tests run with these, whatever student code rebinds later)."""
    SETUP.update({n: namespace[n] for n in names if n in namespace})


def run_test(test: str, source: str, namespace: dict, exercise_names=()) -> dict:
    """Run one test cell the way the grader does, in a namespace of its own.

    The namespace holds what the set-up cells bound and the exercises' functions (taken from `namespace`, the
    student's, or in the judge the reference solutions) and nothing else, so a test never depends on demo cells
    or on names a student rebound. Returns the test's record; in record mode it is displayed instead (raw, in the
    grader's own MIME type: that is how it reaches the grader) and None is returned, so the cell shows no copy of
    it as text. An error in the test is raised again after the record is sent.
    """
    scope = {"__name__": "__main__", "__builtins__": __builtins__, **SETUP}
    scope.update({n: namespace[n] for n in exercise_names if n in namespace})
    begin(test, source)
    try:
        exec(compile(source, f"<{test}>", "exec"), scope)
    except BaseException:
        _send(finish(False))
        raise
    record = _send(finish(True))
    return None if STATE.mode == "record" else record


def _send(record: dict) -> dict:
    if STATE.mode == "record":
        from IPython.display import display
        display({MIME: record}, raw=True)
    return record
