"""Self-check: which exercises of a chapter pass their visible tests, without nbgrader.

In a notebook (the last code cell of every chapter):

    cnnlab.self_check("ch16_train_vs_eval")

From a shell, for a whole notebook (it is executed first, in a fresh kernel):

    python -m cnnlab.selfcheck notebooks/ch16_train_vs_eval/ch16_train_vs_eval.ipynb

The visible tests are read from the released notebook in the course repository
(`notebooks/<chapter>/<chapter>.ipynb`, next to this package; on Colab the set-up cell cloned it), so a
student who edited or deleted a test cell still gets the real checks. Hidden tests are not in that notebook:
they run only when the work is graded. Nothing here raises: every problem becomes a line of the table.
"""
from __future__ import annotations

import contextlib
import io
import json
import os
import re
import sys
import warnings
from pathlib import Path
from typing import NamedTuple

from cnnlab.course import CHAPTERS

ROOT = Path(__file__).resolve().parent.parent
FRAMEWORK_NAMES = {"pytorch": "PyTorch", "tensorflow": "TensorFlow"}
MARKER = "<<cnnlab-self-check>>"


class Result(NamedTuple):
    exercise: str      # exercise id, e.g. ch16_evaluate_torch
    function: str      # the function the student writes, e.g. evaluate_torch
    status: str        # "pass", "FAIL" or "not run"
    message: str = ""


def released_notebook(chapter: str) -> Path:
    return ROOT / "notebooks" / chapter / f"{chapter}.ipynb"


def _meta(cell) -> dict:
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return meta if isinstance(meta, dict) else {}


def _source(cell) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else str(src)


def _tag(cell) -> str | None:
    return next((t for t in cell.get("metadata", {}).get("tags", []) if t in FRAMEWORK_NAMES), None)


def exercises(chapter: str) -> list[tuple[str, str | None, list[str]]]:
    """[(exercise id, framework tag, [visible test sources])] in notebook order."""
    nb = json.loads(released_notebook(chapter).read_text(encoding="utf-8"))
    found: dict[str, tuple] = {}
    for cell in nb["cells"]:
        m = _meta(cell)
        if cell.get("cell_type") == "code" and m.get("solution") and m.get("grade_id"):
            found[m["grade_id"]] = (_tag(cell), [])
    for cell in nb["cells"]:
        m = _meta(cell)
        gid = m.get("grade_id") or ""
        if cell.get("cell_type") == "code" and m.get("grade") and not m.get("solution"):
            owner = max((e for e in found if gid.startswith(e + "_")), key=len, default=None)
            if owner:
                found[owner][1].append(_source(cell))
    return [(e, tag, tests) for e, (tag, tests) in found.items()]


def _first_line(text: str, limit: int = 110) -> str:
    line = next((ln.strip() for ln in str(text).splitlines() if ln.strip()), "")
    return line if len(line) <= limit else line[:limit - 1] + "…"


def _message(exc: BaseException) -> str:
    if isinstance(exc, NotImplementedError):
        return "not solved yet: the exercise cell still raises NotImplementedError"
    if isinstance(exc, AssertionError):
        return _first_line(exc) or "an assertion failed (no message)"
    return f"{type(exc).__name__}: {_first_line(exc)}"


def _run_test(source: str, namespace: dict, name: str) -> str | None:
    """Run one visible test in a copy of the namespace; the error message, or None when it passes."""
    plt = sys.modules.get("matplotlib.pyplot")
    figures = set(plt.get_fignums()) if plt else set()
    try:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()), \
                warnings.catch_warnings():
            warnings.simplefilter("ignore")
            exec(compile(source, f"<visible tests of {name}>", "exec"), dict(namespace))
        return None
    except (Exception, SystemExit) as exc:   # a test may fail in any way; the table says how
        return _message(exc)
    finally:
        if plt:
            for num in set(plt.get_fignums()) - figures:
                plt.close(num)


def run_checks(chapter: str, namespace: dict, framework: str | None = None) -> list[Result]:
    """Run every exercise's visible tests against the functions defined in `namespace`."""
    results = []
    for exercise, tag, tests in exercises(chapter):
        if framework and tag and tag != framework:
            continue
        function = re.sub(r"^ch\d+_", "", exercise)
        if not callable(namespace.get(function)):
            results.append(Result(exercise, function, "not run", f"run the cell that defines {function}() first"))
            continue
        errors = [e for e in (_run_test(src, namespace, exercise) for src in tests) if e]
        results.append(Result(exercise, function, "FAIL" if errors else "pass", errors[0] if errors else ""))
    return results


def format_table(chapter: str, results: list[Result], framework: str | None = None) -> str:
    title = f"Self-check of {chapter}"
    if framework:
        title += f" ({FRAMEWORK_NAMES.get(framework, framework)} exercises)"
    if not results:
        return f"{title}: this chapter has no graded exercises."
    width = max(len(r.function) for r in results) + 2
    lines = [f"{title}: visible tests only (hidden tests run when your work is graded)", "",
             f"{'exercise':<{width}}{'result':<9}message", f"{'-' * (width - 2):<{width}}{'-' * 7:<9}{'-' * 7}"]
    lines += [f"{r.function:<{width}}{r.status:<9}{r.message}".rstrip() for r in results]
    passed = sum(r.status == "pass" for r in results)
    lines += ["", f"{passed}/{len(results)} exercises pass their visible tests."]
    return "\n".join(lines)


def self_check(chapter: str, framework: str | None = None, namespace: dict | None = None) -> None:
    """Print, for each exercise of `chapter`, whether its visible tests pass in this notebook. Never raises."""
    try:
        if os.environ.get("NBGRADER_EXECUTION"):
            print("Self-check skipped: the notebook is being graded.")
            return
        if chapter not in CHAPTERS:
            print(f"Self-check: unknown chapter {chapter!r}; chapters are {', '.join(CHAPTERS)}.")
            return
        if not released_notebook(chapter).exists():
            print(f"Self-check: cannot find {released_notebook(chapter)}. It reads the visible tests from the course "
                  "repository: on Colab run the set-up cell first; locally install the course with `make lab`.")
            return
        if namespace is None:
            namespace = _caller_namespace()
        print(format_table(chapter, run_checks(chapter, namespace, framework), framework))
    except Exception as exc:  # never let the self-check itself stop a notebook
        print(f"Self-check could not run: {type(exc).__name__}: {exc}")


def _caller_namespace() -> dict:
    try:
        from IPython import get_ipython
        shell = get_ipython()
        if shell is not None:
            return shell.user_ns
    except ImportError:
        pass
    frame = sys._getframe(2)       # self_check's caller
    return frame.f_globals


# --------------------------------------------------------------------------- command line

def _chapter_of(nb: dict, path: Path) -> str | None:
    stem = re.sub(r"_(pytorch|tensorflow)$", "", path.stem)
    if stem in CHAPTERS:
        return stem
    prefixes = {m.group(1) for c in nb.get("cells", [])
                for m in [re.match(r"(ch\d+)_", str(_meta(c).get("grade_id", "")))] if m}
    matches = [c for c in CHAPTERS if c.split("_")[0] in prefixes]
    return matches[0] if len(matches) == 1 else None


def _progress(nb, enabled: bool):
    """A callback that prints which cell runs now (on one line when stderr is a terminal)."""
    code = [i for i, c in enumerate(nb.cells) if c.cell_type == "code"]
    started = __import__("time").monotonic()

    def report(cell, cell_index, execute_reply=None, **_):
        if not enabled or cell_index not in code:
            return
        done = code.index(cell_index) + 1
        elapsed = __import__("time").monotonic() - started
        line = f"ran code cell {done}/{len(code)} ({elapsed:.0f} s)"
        if sys.stderr.isatty():
            print("\r" + line, end="", file=sys.stderr, flush=True)
        elif done == len(code) or done % 10 == 0:
            print(line, file=sys.stderr, flush=True)
    return report


def check_notebook(path: Path, chapter: str | None = None, timeout: int = 600, progress: bool = False) -> tuple:
    """Execute a student's notebook in a fresh kernel, then run the self-check in it.

    Returns (chapter, framework of a one-framework view or None, results, errors outside the exercises)."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(str(path), as_version=4)
    chapter = chapter or _chapter_of(nb, path)
    if chapter is None:
        raise SystemExit(f"cannot tell which chapter {path} is: pass --chapter")
    framework = nb.metadata.get("cnnlab_view")
    nb.cells = [c for c in nb.cells if not (c.cell_type == "code" and "self_check(" in c.source)]
    nb.cells.append(nbformat.v4.new_code_cell(
        "import json as _json\nimport cnnlab.selfcheck as _sc\n"
        f"print({MARKER!r} + _json.dumps(_sc.run_checks({chapter!r}, get_ipython().user_ns, {framework!r})))"))
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", allow_errors=True,
                            resources={"metadata": {"path": str(path.parent.resolve())}})
    client.on_cell_executed = _progress(nb, progress)
    client.execute()
    if progress:
        print(file=sys.stderr)
    results, errors = None, []
    for i, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream" and MARKER in out.get("text", ""):
                text = out["text"]
                results = [Result(*r) for r in json.loads(text[text.index(MARKER) + len(MARKER):].splitlines()[0])]
            elif out.get("output_type") == "error" and not (_meta(cell).get("solution") or _meta(cell).get("grade")):
                errors.append(f"cell {i + 1}: {out.get('ename')}: {_first_line(out.get('evalue', ''))}")
    if results is None:
        raise SystemExit("the notebook's kernel did not finish: " + ("; ".join(errors) or "no output"))
    return chapter, framework, results, errors


def main(argv=None) -> int:
    import argparse
    p = argparse.ArgumentParser(prog="python -m cnnlab.selfcheck",
                                description="Run a notebook and show which exercises pass their visible tests.")
    p.add_argument("notebook", type=Path)
    p.add_argument("--chapter", choices=CHAPTERS, help="chapter id (default: read from the notebook)")
    p.add_argument("--timeout", type=int, default=600, help="seconds per cell (default 600)")
    args = p.parse_args(argv)
    if not args.notebook.is_file():
        p.error(f"{args.notebook} is not a file")
    print(f"Running {args.notebook} in a fresh kernel (a chapter takes about a minute)...", file=sys.stderr)
    chapter, framework, results, errors = check_notebook(args.notebook, args.chapter, args.timeout, progress=True)
    print(format_table(chapter, results, framework))
    if errors:
        print("\nCells outside the exercises that raised an error (fix these first):")
        print("\n".join(f"  {e}" for e in errors))
    return 0 if all(r.status == "pass" for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
