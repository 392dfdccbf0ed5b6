"""The grader's watchman inside the student's kernel.

Never imported by the grader: `instrument.py` sends this file's text in the first cell of the run,
before any student code, where it becomes a private module with its own copy of the builtins.
Its calls, placed by the grader around the test cells:

  install(config)        remember the pristine state: builtins, IPython's transformers, hooks and
                         methods, the kernel's message path, sys hooks, the testing modules
  snapshot_setup(names)  after each locked set-up cell: remember the names and modules it brought in
  before_test(test_id)   undo any subversion, hide names that shadow builtins, report what was found
  done(test_id, token)   last line of a test cell: report that it ran to the end, and whether anything
                         was subverted while it ran (the grader only credits a test with this report)
  after_test(test_id)    give the student's shadowing names back

It cannot stop a determined attacker who targets this code (everything in one process is
reachable), which is why the grader also scans the source statically and flags it for a human.
"""
import os
import sys
import threading
import types

MIME = "application/x.autograder+json"
WATCH_TREES = ("numpy", "cnnlab")                  # every loaded submodule is watched
WATCH = ("sys", "math", "cmath", "operator", "functools", "numbers", "copy", "json", "random",
         "unittest", "unittest.case", "threading", "importlib",
         "torch", "torch.testing", "torch.nn", "torch.nn.functional", "torch.nn.modules.module", "torch.autograd",
         "tensorflow", "tensorflow.debugging", "tensorflow.math", "tensorflow.experimental.numpy",
         "keras", "keras.ops", "sklearn.metrics", "pandas", "pandas.testing")
CLASSES = ("torch.Tensor", "torch.nn.Module", "torch.nn.modules.module.Module")
BUILTIN_TYPES = (float, int, bool, complex, str, bytes, list, tuple, dict, set, frozenset, type, object,
                 BaseException, Exception, AssertionError, slice, range)
SYS_DATA = {"last_type", "last_value", "last_traceback", "last_exc", "ps1", "ps2", "stdout", "stderr", "stdin",
            "displayhook", "excepthook", "exc_info", "_git", "argv", "path_importer_cache", "dont_write_bytecode"}
SHELL_ATTRS = ("custom_exceptions", "CustomTB", "compile", "display_pub", "displayhook", "display_formatter",
               "events", "input_transformer_manager", "builtin_trap", "kernel", "InteractiveTB", "SyntaxTB",
               "user_ns", "showtraceback", "run_cell", "run_cell_async", "run_ast_nodes", "run_code",
               "transform_cell", "transform_ast", "should_run_async", "_showtraceback", "ex", "ev")
S = {}


# --------------------------------------------------------------------------- origin of objects

def _trusted_file(filename):
    if not filename:
        return False
    if filename.startswith("<frozen"):
        return True
    return os.path.isabs(filename) and filename.startswith(S["roots"])


def _from_student(value):
    """True when `value` is a function, class or callable object defined outside installed code."""
    try:
        func = value
        if isinstance(value, types.MethodType):
            func = value.__func__
        elif type(value).__name__ == "partial" and hasattr(value, "func"):
            func = value.func
        if isinstance(func, types.FunctionType):
            return not _trusted_file(func.__code__.co_filename)
        if isinstance(func, (types.BuiltinFunctionType, types.ModuleType)):
            return False
        cls = func if isinstance(func, type) else type(func)
        name = type.__getattribute__(cls, "__module__")
        mod = sys.modules.get(name)
        if mod is None or name == "__main__":
            return True
        path = getattr(mod, "__file__", None)
        return bool(path) and not _trusted_file(path)
    except Exception:
        return True


def _is_routine(value):
    """Functions, methods, classes and descriptors: what a patch replaces. Data may change freely."""
    return isinstance(value, (types.FunctionType, types.BuiltinFunctionType, types.MethodType, type,
                              types.MethodDescriptorType, types.WrapperDescriptorType, classmethod,
                              staticmethod, property)) or type(value).__name__ in ("ufunc", "_ArrayFunctionDispatcher")


def _unbound(value):
    return value.__func__ if isinstance(value, types.MethodType) else value


def _same_routine(old, new):
    """A library wrapped or re-created the function (torch's dynamo wraps torch.manual_seed): fine."""
    if new is _MISSING or _from_student(new):
        return False
    try:
        inner, seen = new, 0
        while inner is not None and seen < 10:
            if inner is old:
                return True
            inner, seen = getattr(inner, "__wrapped__", None), seen + 1
        name = lambda f: (getattr(f, "__module__", None), getattr(f, "__qualname__", None))  # noqa: E731
        return name(old) == name(new) and name(old) != (None, None)
    except Exception:
        return False


def _record(value):
    """What to remember about a value: itself, plus a function's code and defaults (a code swap keeps identity)."""
    if isinstance(value, types.FunctionType):
        return (value, value.__code__, value.__defaults__, value.__kwdefaults__)
    return (value, None, None, None)


# --------------------------------------------------------------------------- snapshots

def _snap_dict(d):
    return {k: _record(v) for k, v in list(d.items())}


def _watched_modules():
    found = {}
    for name, mod in list(sys.modules.items()):
        if isinstance(mod, types.ModuleType) and (name in WATCH or name.split(".")[0] in WATCH_TREES):
            found[name] = mod
    return found


def _watched_classes():
    found = {}
    for dotted in CLASSES:
        mod, _, attr = dotted.rpartition(".")
        cls = getattr(sys.modules.get(mod), attr, None) if mod in sys.modules else None
        if isinstance(cls, type):
            found[dotted] = cls
    return found


def _snap_modules(first_sight_findings=None):
    """Snapshot modules and classes not yet known; at first sight remove what student code put there."""
    for name, mod in _watched_modules().items():
        if name in S["modules"] and S["modules"][name][0] is mod:
            continue
        d = mod.__dict__
        if first_sight_findings is not None and name != "sys":
            bad = [k for k, v in list(d.items()) if _from_student(v) and not isinstance(v, types.ModuleType)]
            if bad:
                try:                                    # loaded after our snapshot and already patched:
                    import importlib                    # run its own code again to get the originals back
                    importlib.reload(mod)
                except Exception:
                    pass
            for k in [k for k in bad if k in d and _from_student(d[k])]:
                del d[k]
            first_sight_findings += [("tamper", f"{name}.{k} was set by student code") for k in bad]
        S["modules"][name] = (mod, _snap_dict(d))
    for name, cls in _watched_classes().items():
        if name not in S["classes"]:
            S["classes"][name] = (cls, _snap_dict(dict(vars(cls))))


def _objects(ip):
    objs = {"shell": ip, "kernel": getattr(ip, "kernel", None), "compile": ip.compile, "events": ip.events,
            "display_pub": ip.display_pub, "displayhook": ip.displayhook,
            "transformer_manager": ip.input_transformer_manager, "builtin_trap": ip.builtin_trap}
    kernel = objs["kernel"]
    if kernel is not None:
        objs["session"] = getattr(kernel, "session", None)
        objs["iopub"] = getattr(kernel, "iopub_thread", None)
    return {k: v for k, v in objs.items() if v is not None}


def install(config):
    from IPython import get_ipython
    import builtins
    ip = get_ipython()
    S.update(ip=ip, nonce=config["nonce"], roots=tuple(config["roots"]), modules={}, classes={}, setup={},
             stash={}, builtins=builtins, tests_seen=0)
    S["publish"] = ip.display_pub.publish
    S["sys_fns"] = {n: getattr(sys, n) for n in ("gettrace", "settrace", "getprofile", "setprofile")}
    S["builtins_dict"] = dict(vars(builtins))
    S["ns_builtins"] = ip.user_ns.get("__builtins__")
    S["user_ns"] = ip.user_ns
    S["shell"] = {a: _unbound(getattr(ip, a, None)) for a in SHELL_ATTRS}
    S["ns_initial"] = dict(ip.user_ns)
    tm = ip.input_transformer_manager
    S["lists"] = {"cleanup_transforms": (tm, list(tm.cleanup_transforms)),
                  "line_transforms": (tm, list(tm.line_transforms)),
                  "token_transformers": (tm, list(tm.token_transformers)),
                  "input_transformers_post": (ip, list(ip.input_transformers_post)),
                  "ast_transformers": (ip, list(ip.ast_transformers))}
    S["pending"] = []
    ip.events.register("post_run_cell", _after_each_cell)     # first in line: before any student hook
    S["events"] = {k: list(v) for k, v in ip.events.callbacks.items()}
    S["objects"] = {}
    for label, obj in _objects(ip).items():
        classes = [c for c in type(obj).__mro__ if c is not object]
        S["objects"][label] = (obj, {k: v for k, v in vars(obj).items() if callable(v)},
                               [(c, _snap_dict(dict(vars(c)))) for c in classes])
    kernel = getattr(ip, "kernel", None)
    S["handlers"] = {n: dict(getattr(kernel, n)) for n in ("shell_handlers", "control_handlers")
                     if isinstance(getattr(kernel, n, None), dict)}
    S["types"] = [(t, dict(vars(t))) for t in BUILTIN_TYPES]
    S["sys"] = {"meta_path": list(sys.meta_path), "path_hooks": list(sys.path_hooks)}
    cwd = os.getcwd()
    sys.path[:] = [p for p in sys.path if p not in ("", ".", cwd)]   # nothing importable from the work folder
    S["sys"]["path"] = list(sys.path)
    S["threads"] = {t.ident for t in threading.enumerate()}
    S["sys_modules"] = {}
    import numpy  # noqa: F401  (cheap, used by every chapter: snapshot it before any student code)
    import numpy.testing  # noqa: F401  (loaded lazily by numpy, and what tests rely on most)
    _snap_modules()
    S["sys_modules"] = dict(_watched_modules())


def snapshot_setup(names):
    """After a locked set-up cell: its names and the modules it imported are the pristine ones."""
    ns = S["user_ns"]
    for name in names:
        if name in ns:
            S["setup"][name] = ns[name]
    _snap_modules()
    S["sys_modules"].update(_watched_modules())


# --------------------------------------------------------------------------- checks

def _restore_dict(label, d, snap, findings, new_ok):
    """Put back what was replaced in `d` (a module's or class's attributes) since `snap` was taken."""
    for k, (value, code, defaults, kwdefaults) in list(snap.items()):
        cur = d.get(k, _MISSING)
        if cur is not value:
            patched = _is_routine(value) and not isinstance(cur, types.ModuleType) and not _same_routine(value, cur)
            if patched or (cur is not _MISSING and _from_student(cur)):
                d[k] = value
                findings.append(("tamper", f"{label}.{k} was replaced"))
            elif cur is _MISSING:
                del snap[k]
            else:
                snap[k] = _record(cur)           # data, or a lazy loader turned into its module: fine
            continue
        if code is not None and (value.__code__ is not code or value.__defaults__ is not defaults
                                 or value.__kwdefaults__ is not kwdefaults):
            value.__code__, value.__defaults__, value.__kwdefaults__ = code, defaults, kwdefaults
            findings.append(("tamper", f"the code of {label}.{k} was swapped"))
    for k in [k for k in d if k not in snap]:
        v = d.get(k, _MISSING)
        if not new_ok(k, v) and _from_student(v):
            del d[k]
            findings.append(("tamper", f"{label}.{k} was added by student code"))
        else:
            snap[k] = _record(v)


class _Missing:
    pass


_MISSING = _Missing()


def _check_types(findings):
    import gc
    for t, snap in S["types"]:
        cur = vars(t)
        changed = [k for k in set(snap) | set(cur) if cur.get(k, _MISSING) is not snap.get(k, _MISSING)]
        if changed:
            real = gc.get_referents(cur)[0]
            for k in changed:
                if k in snap:
                    real[k] = snap[k]
                else:
                    real.pop(k, None)
            sys._clear_type_cache()
            findings.append(("tamper", f"built-in type {t.__name__} was patched ({', '.join(sorted(changed))})"))


def _check_shell(findings):
    ip = S["ip"]
    for name, value in S["shell"].items():
        try:
            cur = _unbound(getattr(ip, name, None))
        except Exception:
            cur = _MISSING
        if cur is not value:
            try:
                if name in vars(ip) and name not in ("user_ns",):
                    del ip.__dict__[name]
                if _unbound(getattr(ip, name, None)) is not value:
                    setattr(ip, name, value)
            except Exception as exc:
                findings.append(("unrestorable", f"IPython shell attribute {name}: {exc}"))
                continue
            findings.append(("tamper", f"IPython shell attribute {name} was replaced"))
    for label, (owner, pristine) in S["lists"].items():
        current = getattr(owner, label)
        if list(current) != pristine:
            current[:] = pristine
            findings.append(("tamper", f"IPython {label} were changed (cell input rewritten)"))
    callbacks = S["ip"].events.callbacks
    for event, pristine in S["events"].items():
        cur = callbacks.get(event, [])
        extra = [cb for cb in cur if cb not in pristine]
        if any(_from_student(cb) for cb in extra) or any(cb not in cur for cb in pristine):
            callbacks[event] = list(pristine) + [cb for cb in extra if not _from_student(cb)]
            findings.append(("tamper", f"IPython event hook {event} was changed"))
        else:
            pristine.extend(extra)              # matplotlib's inline backend registers hooks: fine
    if S["ip"].user_ns.get("__builtins__") is not S["ns_builtins"]:
        S["ip"].user_ns["__builtins__"] = S["ns_builtins"]
        findings.append(("tamper", "__builtins__ of the notebook namespace was replaced"))


def _check_objects(findings):
    for label, (obj, callables, classes) in S["objects"].items():
        inst = vars(obj)
        for k in list(inst):
            v = inst[k]
            if k in callables:
                if v is not callables[k]:
                    inst[k] = callables[k]
                    findings.append(("tamper", f"{label}.{k} was replaced"))
            elif callable(v) and not isinstance(v, type) and _from_student(v):
                del inst[k]
                findings.append(("tamper", f"{label}.{k} was overridden by student code"))
        for cls, snap in classes:
            try:
                _restore_dict(f"{cls.__name__}", _ClassDict(cls), snap, findings, lambda k, v: False)
            except Exception as exc:
                findings.append(("unrestorable", f"class {cls.__name__}: {exc}"))
    kernel = S["objects"].get("kernel", (None,))[0]
    for name, pristine in S["handlers"].items():
        cur = getattr(kernel, name)
        if cur != pristine:
            cur.clear()
            cur.update(pristine)
            findings.append(("tamper", f"the kernel's {name} were changed"))


class _ClassDict:
    """A class's attributes seen as a dict (setattr and delattr keep the type cache right)."""

    def __init__(self, cls):
        self.cls = cls

    def get(self, k, default=None):
        return vars(self.cls).get(k, default)

    def __iter__(self):
        return iter(list(vars(self.cls)))

    def __getitem__(self, k):
        return vars(self.cls)[k]

    def __setitem__(self, k, v):
        type.__setattr__(self.cls, k, v)

    def __delitem__(self, k):
        type.__delattr__(self.cls, k)


def _check_modules(findings):
    for name, (mod, snap) in S["modules"].items():
        if sys.modules.get(name) is not mod and name in S["sys_modules"]:
            sys.modules[name] = mod
            findings.append(("tamper", f"sys.modules[{name!r}] was replaced"))
        data_ok = (lambda k, v: k in SYS_DATA) if name == "sys" else (lambda k, v: not callable(v))
        if name == "sys":
            snap = {k: v for k, v in snap.items() if k not in SYS_DATA}
            S["modules"][name] = (mod, snap)
        new_ok = (lambda k, v, ok=data_ok: ok(k, v) or isinstance(v, types.ModuleType))  # noqa: E731
        _restore_dict(name, mod.__dict__, snap, findings, new_ok)
    for name, (cls, snap) in S["classes"].items():
        _restore_dict(name, _ClassDict(cls), snap, findings, lambda k, v: False)
    _snap_modules(first_sight_findings=findings)


def _check_sys(findings):
    fns = S["sys_fns"]
    if fns["gettrace"]() is not None or threading._trace_hook is not None:
        fns["settrace"](None)
        threading.settrace(None)
        findings.append(("tamper", "a trace function was installed (it can skip assertions)"))
    if fns["getprofile"]() is not None or threading._profile_hook is not None:
        fns["setprofile"](None)
        threading.setprofile(None)
        findings.append(("tamper", "a profile function was installed"))
    for name in ("meta_path", "path_hooks"):
        current, pristine = getattr(sys, name), S["sys"][name]
        if list(current) != pristine:
            if any(x not in current for x in pristine) or any(_from_student(x) for x in current if x not in pristine):
                current[:] = pristine + [x for x in current if x not in pristine and not _from_student(x)]
                findings.append(("tamper", f"sys.{name} was changed (import machinery)"))
            S["sys"][name] = list(current)          # libraries add finders of their own: fine
    cwd = os.getcwd()
    if any(p in ("", ".", cwd) or not str(p).startswith(S["roots"]) for p in sys.path if p not in S["sys"]["path"]):
        sys.path[:] = [p for p in sys.path if p in S["sys"]["path"]]
        findings.append(("info", "sys.path was extended: reset"))
    extra = [t for t in threading.enumerate() if t.ident not in S["threads"] and t.is_alive()]
    if extra:
        findings.append(("info", "background threads still running: " + ", ".join(t.name for t in extra)))
        S["threads"].update(t.ident for t in extra)


def _after_each_cell(*args, **kwargs):
    """Right after every cell: the builtins the kernel itself relies on are put back at once
    (a cell that breaks `isinstance` would otherwise hang the kernel before the next guard)."""
    try:
        _check_builtins(S["pending"])
    except Exception:
        pass


def check():
    findings, S["pending"] = list(S["pending"]), []
    for step in (_check_builtins, _check_types, _check_modules, _check_sys, _check_shell, _check_objects):
        try:
            step(findings)
        except Exception as exc:
            findings.append(("unrestorable", f"{step.__name__[1:]}: {type(exc).__name__}: {exc}"))
    return findings


# ipykernel rebinds input/getpass on every request; IPython's builtin trap adds and removes
# get_ipython, exit and quit around each cell: present or not, they are fine if installed code set them
KERNEL_BUILTINS = ("input", "raw_input", "getpass", "get_ipython", "exit", "quit")


def _check_builtins(findings):
    b = vars(S["builtins"])
    for k, v in S["builtins_dict"].items():
        cur = b.get(k, _MISSING)
        if cur is not v:
            if k in KERNEL_BUILTINS and (cur is _MISSING or not _from_student(cur)):
                continue
            b[k] = v
            findings.append(("tamper", f"builtins.{k} was replaced"))


# --------------------------------------------------------------------------- around each test cell

def _report(kind, test_id, findings, **extra):
    payload = {"kind": kind, "nonce": S["nonce"], "test": test_id,
               "findings": [{"severity": s, "what": w} for s, w in findings]}
    payload.update(extra)
    S["publish"](data={MIME: payload}, metadata={})


def before_test(test_id):
    findings = check()
    ns = S["user_ns"]
    for name, value in S["setup"].items():
        if ns.get(name, _MISSING) is not value:
            ns[name] = value
            findings.append(("restored_name", name))
    initial = S["ns_initial"]
    shadows = [k for k in list(ns) if k in S["builtins_dict"] and not k.startswith("_")
               and ns[k] is not initial.get(k, _MISSING)]
    S["stash"] = {k: ns.pop(k) for k in shadows}
    findings += [("shadowed_builtin", k) for k in shadows]
    _report("guard", test_id, findings)


def done(test_id, token):
    findings = check()
    _report("done", test_id, findings, token=token)


def after_test(test_id):
    ns = S["user_ns"]
    for k, v in S["stash"].items():
        ns.setdefault(k, v)
    S["stash"] = {}
