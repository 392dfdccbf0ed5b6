"""Static scan of the student's code for things a human should look at.

Nothing here changes the grade: grades are decided by the judge outside the kernel (judge.py).
This scan flags for a human what is worth a look anyway (reading the tests from the caller's
frame, escaping the sandbox, patching through ctypes). Each finding says where it is.
"""
from __future__ import annotations

import ast
import re
from dataclasses import dataclass

from autograder import notebooks as nbs

# (rule, severity, what it means). Severity "high" puts the flag `suspicious_code` on the row.
NAME_RULES = {
    "get_ipython": ("high", "reaches into IPython (input transformers, hooks, the test cells)"),
    "__builtins__": ("high", "touches the builtins"),
    "__import__": ("medium", "dynamic import"),
    "_getframe": ("high", "inspects the caller's frame (can read the tests)"),
    "f_back": ("high", "walks up the call stack (can read the tests)"),
    "f_locals": ("high", "reads or writes another frame's variables"),
    "f_globals": ("high", "reads or writes another frame's globals"),
    "f_lineno": ("high", "jumps between lines (can skip assertions)"),
    "settrace": ("high", "installs a trace function (can skip assertions)"),
    "setprofile": ("high", "installs a profile function"),
    "addaudithook": ("high", "installs an audit hook"),
    "__code__": ("high", "swaps a function's code"),
    "ast_transformers": ("high", "rewrites the code of later cells"),
    "input_transformers_post": ("high", "rewrites the text of later cells"),
    "input_transformers_cleanup": ("high", "rewrites the text of later cells"),
    "set_custom_exc": ("high", "swallows exceptions (failed assertions)"),
    "showtraceback": ("high", "hides errors"),
    "meta_path": ("high", "changes the import machinery"),
    "get_referents": ("high", "reaches built-in type dictionaries"),
    "get_objects": ("medium", "walks every object in memory"),
    "_ih": ("high", "reads the input history (the test cells)"),
    "In": ("high", "reads the input history (the test cells)"),
    "linecache": ("high", "reads cell sources (the test cells)"),
    "_exit": ("medium", "kills the kernel"),
}
MODULE_RULES = {
    "ctypes": ("high", "ctypes can patch the interpreter's memory"),
    "socket": ("high", "network access"), "urllib": ("high", "network access"), "requests": ("high", "network access"),
    "http": ("high", "network access"), "ftplib": ("high", "network access"), "smtplib": ("high", "network access"),
    "subprocess": ("high", "runs other programs"), "multiprocessing": ("medium", "starts processes"),
    "inspect": ("medium", "introspection (may read the tests from the caller's frame)"),
    "gc": ("medium", "walks objects in memory"), "signal": ("medium", "changes signal handling"),
    "shutil": ("medium", "copies or deletes files"), "importlib": ("medium", "dynamic imports"),
    "builtins": ("high", "touches the builtins"), "atexit": ("medium", "registers exit handlers"),
    "threading": ("medium", "starts threads"), "sqlite3": ("high", "opens a database (the gradebook?)"),
    "pickle": ("low", "unpickling can run code"),
}
CALL_RULES = {
    "eval": ("medium", "evaluates a string as code"), "exec": ("medium", "runs a string as code"),
    "compile": ("medium", "compiles a string as code"), "globals": ("medium", "reads the module globals"),
    "setattr": ("medium", "sets attributes by name"), "open": ("low", "opens a file"),
}
OS_CALLS = {"system", "popen", "fork", "forkpty", "kill", "killpg", "execv", "execve", "execvp", "spawnv",
            "remove", "unlink", "rmdir", "removedirs", "rename", "chmod", "chown", "symlink", "link", "setsid",
            "listdir", "scandir", "walk"}
PATH_RE = re.compile(r"^(/|~|\.\./|[A-Za-z]:\\)|solutions|gradebook|\.db$|/proc/|/etc/")
LIBRARIES = ("np", "numpy", "torch", "tf", "tensorflow", "keras", "math", "builtins", "sys", "nn", "F", "cnnlab",
             "data", "models", "plotting", "transfer")
DUNDER_EQ = {"__eq__", "__ne__", "__bool__", "__float__", "__index__", "__instancecheck__", "__array__"}


@dataclass
class Finding:
    cell: str          # grade_id or "cell N"
    line: int
    severity: str
    rule: str
    why: str
    code: str


def _line(source: str, lineno: int) -> str:
    lines = source.splitlines()
    return lines[lineno - 1].strip()[:160] if 0 < lineno <= len(lines) else ""


def _scan_tree(tree, source: str, where: str, builtin_names: set) -> list[Finding]:
    found = []

    def add(node, severity, rule, why):
        line = getattr(node, "lineno", 0)
        found.append(Finding(where, line, severity, rule, why, _line(source, line)))

    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id in NAME_RULES:
            add(node, *NAME_RULES[node.id][:1], node.id, NAME_RULES[node.id][1])
        elif isinstance(node, ast.Attribute):
            if node.attr in NAME_RULES:
                add(node, NAME_RULES[node.attr][0], node.attr, NAME_RULES[node.attr][1])
            if isinstance(node.value, ast.Name) and node.value.id == "os" and node.attr in OS_CALLS:
                add(node, "high", f"os.{node.attr}", "processes or files outside the notebook")
            if isinstance(node.value, ast.Name) and node.value.id == "sys" and node.attr == "modules":
                add(node, "high", "sys.modules", "reaches the imported modules (could swap one for a look-alike)")
            if isinstance(node.ctx, ast.Store) and isinstance(node.value, (ast.Name, ast.Attribute)):
                base = ast.unparse(node.value)
                if base.split(".")[0] in LIBRARIES:
                    add(node, "high", "module_patch", f"assigns to {base}.{node.attr} (monkeypatching a library)")
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            mods = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            for mod in mods:
                top = mod.split(".")[0]
                if top in MODULE_RULES:
                    add(node, MODULE_RULES[top][0], f"import {top}", MODULE_RULES[top][1])
                elif top == "IPython":
                    add(node, "high", "import IPython", "reaches into IPython")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in CALL_RULES:
            severity, why = CALL_RULES[node.func.id]
            target = node.args[0] if node.args else None
            if node.func.id == "setattr" and isinstance(target, (ast.Name, ast.Attribute)) \
                    and ast.unparse(target).split(".")[0] in LIBRARIES:
                add(node, "high", "module_patch", f"sets attributes of {ast.unparse(target)} (monkeypatching a library)")
                continue
            if node.func.id == "open":
                arg = node.args[0] if node.args else None
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str) and PATH_RE.search(arg.value):
                    add(node, "high", "open", f"opens {arg.value!r} outside the working folder")
                continue
            add(node, severity, node.func.id, why)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name in DUNDER_EQ:
            add(node, "medium", node.name, "defines a comparison or conversion hook (always-equal objects?)")
        elif isinstance(node, ast.Assign) and node in tree.body:
            for target in node.targets:
                if isinstance(target, ast.Name) and target.id in builtin_names:
                    add(node, "medium", "shadows_builtin", f"rebinds the builtin {target.id!r} for every later cell")
    return found


def scan(nb) -> list[Finding]:
    """Findings in the student's code: answer cells and cells the student added (not the course's)."""
    import builtins
    builtin_names = {n for n in dir(builtins) if not n.startswith("_")}
    found = []
    for i, cell in enumerate(nb.cells):
        if cell.get("cell_type") != "code":
            continue
        meta = nbs.nbgrader_meta(cell)
        if meta and not meta.get("solution"):
            continue                      # a locked cell from solutions/: the course's own code
        source = cell.get("source", "")
        where = nbs.grade_id(cell) or f"cell {i}"
        for n, line in enumerate(source.splitlines(), 1):
            if line.lstrip().startswith(("!", "%%bash", "%%sh", "%%script", "%sx", "%system")):
                found.append(Finding(where, n, "high", "shell", "runs shell commands", line.strip()[:160]))
        try:
            tree = ast.parse(_python_only(source))
        except (SyntaxError, ValueError):
            if re.search(r"get_ipython|__builtins__|ctypes|settrace|_getframe", source):
                found.append(Finding(where, 0, "high", "unparsable", "code that does not parse mentions internals", ""))
            continue
        found += _scan_tree(tree, source, where, builtin_names)
    return found


def _python_only(source: str) -> str:
    """Blank out IPython magics and shell escapes so the rest can be parsed (line numbers kept)."""
    return "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines())


def flags(findings: list[Finding]) -> list[str]:
    return ["suspicious_code"] if any(f.severity == "high" for f in findings) else []
