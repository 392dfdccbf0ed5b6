"""One-framework views of the student notebooks: a PyTorch-only and a TensorFlow-only version of each.

    notebooks/<ch>/views/<ch>_pytorch.ipynb
    notebooks/<ch>/views/<ch>_tensorflow.ipynb

They are generated from the released student notebook (`notebooks/<ch>/<ch>.ipynb`, itself generated from
`solutions/`), never edited by hand; `python -m autograder release` writes them and a test keeps them in sync.

How a view is made (for the PyTorch view; the TensorFlow view is the mirror image):

- cells tagged `pytorch` and untagged (shared) cells are kept as they are, in order;
- cells tagged `tensorflow` are left out, *unless* a kept cell needs something they compute: chapters transfer
  weights PyTorch -> Keras and shared comparison cells use both frameworks' results. A static analysis (ast)
  finds, for each kept cell, the names it reads and the earlier cells that bind or modify those names; such
  other-framework cells stay, collapsed (`jupyter.source_hidden`/`outputs_hidden`, Colab's form view), after a
  one-line note naming what they provide. Shared comparison cells therefore keep working and keep showing both
  results: a view hides the other framework's code, it does not change what the chapter computes.
- other-framework exercises and their tests are left out (a needed exercise or test cell is an authoring error:
  demos never use a student's answer, and `ViewError` says so);
- the badge points at the view's own path, a line under it links the full notebook and the other view, and the
  self-check call reports only this framework's exercises.

"Modifies" is judged conservatively: a method call on a name (`rng.normal(...)`, `model.eval()`), an assignment
to its attribute or item, or passing it to a call whose result is thrown away (`transfer.torch_to_keras(a, b)`).
Global random state (`torch.manual_seed` in a left-out cell) is not tracked: a cell that draws random numbers
should seed them itself.
"""
from __future__ import annotations

import argparse
import ast
import builtins
import copy
import re
import symtable
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from autograder import notebooks as nbs
from autograder.settings import COURSE, NOTEBOOKS, chapters, release_path
from cnnlab.course import colab_badge, colab_url

FRAMEWORKS = {"pytorch": "PyTorch", "tensorflow": "TensorFlow"}
OTHER = {"pytorch": "tensorflow", "tensorflow": "pytorch"}
NOT_MUTATING = {"print", "display", "len", "isinstance", "type", "repr", "str", "id", "hash"}
# course helpers called for their effect on one argument only: positions of the arguments they only read
READ_ONLY_ARGS = {"torch_to_keras": {0}, "outputs_max_abs_diff": {0, 1, 2}}
SELF_CHECK_RE = re.compile(r"""(self_check\(\s*(["'])[^"']+\2)\s*\)""")


class ViewError(ValueError):
    """A view cannot be made without running the other framework's exercise or test cells."""


def view_path(chapter: str, framework: str) -> Path:
    return NOTEBOOKS / chapter / "views" / f"{chapter}_{framework}.ipynb"


# --------------------------------------------------------------------------- what a cell reads and binds

@dataclass
class Names:
    uses: set = field(default_factory=set)      # read before the cell binds them itself
    defs: set = field(default_factory=set)      # bound at top level
    touches: set = field(default_factory=set)   # possibly modified in place (not rebound)
    later: set = field(default_factory=set)     # module names read inside its functions and lambdas (when called)


def _python(source: str) -> str:
    """Cell source as plain Python (IPython magics and shell escapes turned into calls)."""
    try:
        from IPython.core.inputtransformer2 import TransformerManager
        return TransformerManager().transform_cell(source)
    except Exception:  # no IPython, or something it cannot transform: parse what is there
        return source


def _nested_globals(table) -> set:
    """Module-level names read inside functions, lambdas, comprehensions and classes of a cell."""
    out = set()
    for child in table.get_children():
        for sym in child.get_symbols():
            if sym.is_referenced() and (sym.is_global() or sym.is_declared_global()):
                out.add(sym.get_name())
            elif child.get_type() == "class" and sym.is_referenced() and not sym.is_assigned():
                out.add(sym.get_name())
        out |= _nested_globals(child)
    return out


_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
_BUILTINS = set(dir(builtins))


def _walk_expr(node):
    """Nodes of an expression evaluated in the cell's own scope: not the bodies of lambdas, and of a
    comprehension only its first iterable (the rest runs in the comprehension's scope)."""
    stack = [node]
    while stack:
        n = stack.pop()
        yield n
        if isinstance(n, ast.Lambda):
            stack.extend(n.args.defaults + [d for d in n.args.kw_defaults if d is not None])
        elif isinstance(n, _COMPREHENSIONS):
            stack.append(n.generators[0].iter)
        else:
            stack.extend(ast.iter_child_nodes(n))


def _root_name(node):
    while isinstance(node, (ast.Attribute, ast.Subscript)):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


class _Walker:
    """Walks a cell's statements in execution order, recording reads, bindings and in-place changes."""

    def __init__(self, nested: set):
        self.nested = nested
        self.names = Names()

    def read(self, node):
        if node is None:
            return
        for n in ast.walk(node):          # module names read inside lambdas and comprehensions
            if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load) and n.id in self.nested:
                self.use(n.id)
        for n in _walk_expr(node):
            if isinstance(n, ast.Name):
                self.use(n.id) if isinstance(n.ctx, ast.Load) else self.bind(n.id)
            elif isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute):
                self.touch(_root_name(n.func))        # obj.method(...) may change obj

    def use(self, name):
        if name not in self.names.defs:
            self.names.uses.add(name)

    def bind(self, name):
        self.names.defs.add(name)

    def touch(self, name):
        if name and name not in self.names.defs and name not in _BUILTINS:
            self.names.touches.add(name)

    def target(self, node):
        for n in _walk_expr(node):
            if isinstance(n, ast.Name):
                self.use(n.id) if isinstance(n.ctx, ast.Load) else self.bind(n.id)
            elif isinstance(n, (ast.Attribute, ast.Subscript)) and not isinstance(n.ctx, ast.Load):
                self.touch(_root_name(n))
            elif isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute):
                self.touch(_root_name(n.func))

    def body(self, stmts):
        for stmt in stmts:
            self.stmt(stmt)

    def stmt(self, s):
        if isinstance(s, (ast.For, ast.AsyncFor)):
            self.read(s.iter), self.target(s.target), self.body(s.body), self.body(s.orelse)
        elif isinstance(s, (ast.While, ast.If)):
            self.read(s.test), self.body(s.body), self.body(s.orelse)
        elif isinstance(s, (ast.With, ast.AsyncWith)):
            for item in s.items:
                self.read(item.context_expr)
                if item.optional_vars is not None:
                    self.target(item.optional_vars)
            self.body(s.body)
        elif isinstance(s, (ast.Try, getattr(ast, "TryStar", ast.Try))):
            self.body(s.body)
            for h in s.handlers:
                self.read(h.type)
                if h.name:
                    self.bind(h.name)
                self.body(h.body)
            self.body(s.orelse), self.body(s.finalbody)
        elif isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            parts = list(s.decorator_list)
            if isinstance(s, ast.ClassDef):
                parts += s.bases + [k.value for k in s.keywords]
            else:
                parts += s.args.defaults + [d for d in s.args.kw_defaults if d is not None]
            for part in parts:
                self.read(part)
            for n in ast.walk(s):             # module names its body reads (when called, or now for a class)
                if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load) and n.id in self.nested:
                    self.use(n.id)
            self.bind(s.name)
        elif isinstance(s, (ast.Import, ast.ImportFrom)):
            for a in s.names:
                if a.name != "*":
                    self.bind((a.asname or a.name).split(".")[0])
        elif isinstance(s, ast.Assign):
            self.read(s.value)
            for t in s.targets:
                self.target(t)
        elif isinstance(s, ast.AugAssign):
            self.read(s.value)
            root = _root_name(s.target)
            if root:
                self.use(root)
                self.touch(root) if not isinstance(s.target, ast.Name) else self.bind(root)
            self.read(s.target) if not isinstance(s.target, ast.Name) else None
        elif isinstance(s, ast.AnnAssign):
            self.read(s.value)
            self.target(s.target)
        elif isinstance(s, ast.Delete):
            for t in s.targets:
                self.target(t)
        elif isinstance(s, ast.Expr):
            self.read(s.value)
            call = s.value
            if isinstance(call, ast.Call) and not (isinstance(call.func, ast.Name) and call.func.id in NOT_MUTATING):
                fname = call.func.attr if isinstance(call.func, ast.Attribute) else getattr(call.func, "id", "")
                read_only = READ_ONLY_ARGS.get(fname, set())
                for k, arg in enumerate([*call.args, *(kw.value for kw in call.keywords)]):
                    if isinstance(arg, ast.Name) and k not in read_only:
                        self.touch(arg.id)        # a call made for its side effect may change its arguments
        else:                                     # return, raise, assert, match, global, pass ...
            for child in ast.iter_child_nodes(s):
                if isinstance(child, ast.stmt):
                    self.stmt(child)
                elif isinstance(child, ast.expr):
                    self.read(child)


def analyse(source: str) -> Names:
    """What a code cell reads from earlier cells, binds, and may change in place."""
    code = _python(source)
    try:
        tree = ast.parse(code)
        table = symtable.symtable(code, "<cell>", "exec")
    except SyntaxError:
        return Names()
    walker = _Walker(_nested_globals(table))
    walker.body(tree.body)
    walker.names.later = walker.nested - _BUILTINS
    return walker.names


def module_names(cells, infos) -> set:
    """Names the code cells bind by importing a module."""
    modules = set()
    for c, n in zip(cells, infos):
        if c.cell_type == "code":
            modules |= {a for a in n.defs if re.search(rf"^\s*(import|from)\b.*\b{re.escape(a)}\b", c.source, re.M)}
    return modules


def providers(infos, i: int, name: str, bindings_only: bool = False) -> list[int]:
    """The earlier cells whose work cell `i` sees under `name`: each that binds or changes it, back to the nearest
    one that binds it afresh (`bindings_only`: only the binding, for module names that every cell "changes")."""
    found = []
    for j in range(i - 1, -1, -1):
        n = infos[j]
        if name in n.defs or (name in n.touches and not bindings_only):
            found.append(j)
        if name in n.defs and (name not in n.uses or bindings_only):
            break                      # rebound here: earlier cells no longer matter
    return found


# --------------------------------------------------------------------------- the view

def _tag(cell) -> str | None:
    tags = cell.get("metadata", {}).get("tags", []) or []
    return next((t for t in tags if t in FRAMEWORKS), None)


def needed_cells(nb, framework: str) -> dict[int, set]:
    """Indices of other-framework code cells the view must still run -> the names they provide."""
    other = OTHER[framework]
    info = [analyse(c.source) if c.cell_type == "code" else Names() for c in nb.cells]
    modules = module_names(nb.cells, info)
    kept = {i for i, c in enumerate(nb.cells) if c.cell_type == "code" and _tag(c) != other}
    pulled: dict[int, set] = {}
    todo = sorted(kept)
    while todo:
        i = todo.pop()
        for name in info[i].uses - modules:
            for j in providers(info, i, name):
                if j not in kept:
                    if j not in pulled:
                        pulled[j] = set()
                        todo.append(j)
                    pulled[j].add(name)
    for j in pulled:
        cell = nb.cells[j]
        if nbs.is_solution_cell(cell) or nbs.is_test_cell(cell):
            raise ViewError(f"the {FRAMEWORKS[framework]} view needs cell {j} ({nbs.grade_id(cell)}), an exercise "
                            f"or test of the other framework, for {sorted(pulled[j])}: demos must not use a "
                            f"student's answer or a test's helpers")
    return pulled


def _note(framework: str, provides: set, count: int = 1) -> str:
    other = FRAMEWORKS[OTHER[framework]]
    names = ", ".join(f"`{n}`" for n in sorted(provides))
    if count == 1:
        return f"<small>▸ A collapsed {other} cell follows. It still runs: later cells use {names}.</small>"
    return f"<small>▸ {count} collapsed {other} cells follow. They still run: later cells use {names}.</small>"


def _header(source: str, chapter: str, framework: str) -> str:
    rel = view_path(chapter, framework).relative_to(COURSE).as_posix()
    other = OTHER[framework]
    full = release_path(chapter).relative_to(COURSE).as_posix()
    line = (f"*{FRAMEWORKS[framework]}-only view* of this chapter: {FRAMEWORKS[other]} cells are left out, or "
            f"collapsed where a later cell needs them. Same exercises, same set-up. Open the "
            f"[full notebook (both frameworks)]({colab_url(full)}) or the "
            f"[{FRAMEWORKS[other]}-only view]({colab_url(view_path(chapter, other).relative_to(COURSE).as_posix())}).")
    m = nbs.BADGE_RE.search(source)
    if not m:
        return source
    return source[:m.start()] + colab_badge(rel) + "\n\n" + line + source[m.end():]


def view(nb, chapter: str, framework: str):
    """The `framework`-only view of the student notebook `nb` (a new notebook; `nb` is not changed)."""
    other = OTHER[framework]
    pulled = needed_cells(nb, framework)
    out = copy.deepcopy(nb)
    cells, run = [], None          # run: [note cell, names, count] of the collapsed cells just added
    for i, cell in enumerate(out.cells):
        if i == 0 and cell.cell_type == "markdown":
            cell.source = _header(cell.source, chapter, framework)
        if _tag(cell) == other:
            if i not in pulled:
                continue
            if run is None:
                note = nbformat.v4.new_markdown_cell("")
                note.pop("id", None)
                cells.append(note)
                run = [note, set(), 0]
            run[1] |= pulled[i]
            run[2] += 1
            run[0].source = _note(framework, run[1], run[2])
            cell.metadata["jupyter"] = {"source_hidden": True, "outputs_hidden": True}
            cell.metadata["cellView"] = "form"          # Colab's way of collapsing code
        else:
            run = None
        if cell.cell_type == "code" and "self_check(" in cell.source:
            cell.source = SELF_CHECK_RE.sub(rf'\1, framework="{framework}")', cell.source)
        cells.append(cell)
    out.cells = cells
    out.metadata["cnnlab_view"] = framework
    return out


def render_views(chapter: str) -> dict[Path, str]:
    """{path: notebook text} of the chapter's views, made from the released notebook on disk."""
    nb = nbs.read(release_path(chapter))
    return {view_path(chapter, fw): nbs.dumps(view(nb, chapter, fw)) for fw in FRAMEWORKS}


def write_views(released: list[Path], log=print) -> list[Path]:
    """Write the views of each released notebook (`release()` calls this with what it wrote)."""
    written = []
    for target in released:
        for path, text in render_views(Path(target).parent.name).items():
            path.parent.mkdir(parents=True, exist_ok=True)
            changed = not path.exists() or path.read_text(encoding="utf-8") != text
            if changed:
                path.write_text(text, encoding="utf-8")
            log(f"{'wrote' if changed else 'unchanged'} {path.relative_to(COURSE)}")
            written.append(path)
    return written


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m autograder.views", description=__doc__.splitlines()[0])
    p.add_argument("chapters", nargs="*", help="chapter ids (default: every released chapter)")
    args = p.parse_args(argv)
    selected = args.chapters or [c for c in chapters() if release_path(c).exists()]
    write_views([release_path(c) for c in selected])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
