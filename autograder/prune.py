"""The pruned grading plan: execute only the cells a grade depends on.

A test cell runs in a namespace of its own holding only what the set-up cells bound and the exercises' functions
(`cnnlab.checks.run_test`), so a test never reads a demo's variables. What a grade can depend on is therefore:

  - the set-up cells, every answer cell, every test cell and any other cell with a grade id;
  - every cell the student added or changed (its source is not one of the course's cells): always kept;
  - any cell that binds or changes a name those cells read, transitively (the same static analysis as the
    one-framework views: `views.analyse`, `views.providers`). A name read inside a function is read when the
    function is called, by a later test: for those, every cell up to the last test that binds or changes the name
    is kept as well.

Everything else (the demos, which are the same for every student) is left out: its cells keep the student's own
saved outputs, marked as not re-executed. A cell the analysis cannot follow (`exec`, `eval`, `globals()`,
`locals()`, `vars()`, `get_ipython()`, IPython's `%run`) makes the whole submission run in full. After a pruned run,
a test or kept cell that failed as a missing dependency would (`suspect`: a NameError or AttributeError for what a
left-out cell binds or sets, a missing file) sends the submission to a full run too (job.py); both carry a flag.
"""
from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field

from autograder import notebooks as nbs
from autograder.instrument import NOT_RUN, ROLE
from autograder.views import Names, _python, analyse, module_names, providers

PLANS = ("pruned", "full")
UNFOLLOWABLE = {"exec", "eval", "globals", "locals", "vars", "get_ipython", "__import__", "compile"}
MISSING_NAME = re.compile(r"name '(\w+)' is not defined")
MISSING_ATTRIBUTE = re.compile(r"has no attribute '(\w+)'")


@dataclass
class Pruned:
    run: set = field(default_factory=set)        # indices of the code cells to execute
    left_out: set = field(default_factory=set)   # indices of the code cells left out
    unfollowable: str = ""                       # why the analysis gave up ("" when it did not)


def _normal(source: str) -> str:
    return "\n".join(line.rstrip() for line in str(source).strip().splitlines())


def unfollowable(source: str) -> str:
    """What in this cell's code hides which names it reads or binds, or ''."""
    code = _python(source)
    if "%run" in source or "get_ipython().run_line_magic('run'" in code:
        return "%run"
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return ""                                  # it defines nothing: the grader reports the syntax error
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in UNFOLLOWABLE:
            if node.func.id == "vars" and node.args:
                continue                           # vars(obj) reads one object, not the namespace
            return f"{node.func.id}()"
        if isinstance(node, ast.ImportFrom) and any(a.name == "*" for a in node.names):
            return "import *"
    return ""


def plan(nb, source) -> Pruned:
    """The cells of the restored notebook `nb` that a grade depends on; `source` is the solution notebook."""
    cells = nb.cells
    course = {_normal(c.source) for c in source.cells if c.get("cell_type") == "code" and not nbs.grade_id(c)}
    code = [i for i, c in enumerate(cells) if c.get("cell_type") == "code"]
    kept = {i for i in code if nbs.grade_id(cells[i]) or _normal(cells[i].source) not in course}
    tests = [i for i in code if nbs.is_test_cell(cells[i])]
    if not tests:
        return Pruned(run=set(code), unfollowable="no test cells")
    end = tests[-1]
    infos = [analyse(c.source) if c.get("cell_type") == "code" else Names() for c in cells]
    modules = module_names(cells, infos)
    needed = set(kept)
    todo = [i for i in kept if not nbs.is_test_cell(cells[i])]   # a test reads only set-up names and exercises
    while todo:
        i = todo.pop()
        why = unfollowable(cells[i].source)
        if why:
            return Pruned(run=set(code), unfollowable=f"cell {i}: {why}")
        found = set()
        for name in infos[i].uses:
            found.update(providers(infos, i, name, bindings_only=name in modules))
        for name in infos[i].later - modules:       # read when a later cell calls the function
            found.update(j for j in range(i + 1, end) if name in infos[j].defs or name in infos[j].touches)
        for j in found - needed:
            needed.add(j)
            todo.append(j)
    return Pruned(run=needed, left_out=set(code) - needed)


def mark(nb, pruned: Pruned):
    """A copy of `nb` whose left-out code cells carry the role `not_run` (the executor skips them)."""
    import copy
    out = copy.deepcopy(nb)
    for i in pruned.left_out:
        out.cells[i].metadata[ROLE] = NOT_RUN
    return out


def provided(nb, pruned: Pruned) -> tuple[set, set]:
    """(names bound, attribute names set) by the cells `pruned` leaves out: what their absence can make missing."""
    names, attributes = set(), set()
    for i in pruned.left_out:
        names |= analyse(nb.cells[i].source).defs
        try:
            tree = ast.parse(_python(nb.cells[i].source))
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
                attributes.add(node.attr)
            elif (isinstance(node, ast.Call) and getattr(node.func, "id", None) == "setattr" and len(node.args) > 1
                  and isinstance(node.args[1], ast.Constant)):
                attributes.add(str(node.args[1].value))
    return names, attributes


def suspect(errors: dict, names: set, attributes: set) -> list[str]:
    """The failures of a pruned run that a left-out cell may have caused ({where: 'Name: message'} -> [where]): a
    NameError for a name, or an AttributeError for an attribute, that a left-out cell binds or sets (or that cannot
    be read from the message), and any FileNotFoundError (a left-out cell may have written the file)."""
    found = []
    for where, message in errors.items():
        message = str(message)
        kind = message.split(":", 1)[0]
        if kind == "FileNotFoundError":
            found.append(where)
        elif kind == "NameError":
            m = MISSING_NAME.search(message)
            if m is None or m.group(1) in names:
                found.append(where)
        elif kind == "AttributeError":
            m = MISSING_ATTRIBUTE.search(message)
            if m is None or m.group(1) in attributes:
                found.append(where)
    return sorted(found)
