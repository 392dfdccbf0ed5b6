"""The PyTorch side of every chapter on a machine with a GPU and no TensorFlow or Jupyter.

    python -m autograder.cuda_check prepare DIR     # here: the solutions' PyTorch views as plain cell lists
    python3 -m autograder.cuda_check run DIR/*.json # there: run each chapter, print a table

`prepare` writes, per chapter, the code cells of the PyTorch-only view of the *solution* notebook (every exercise
solved) as JSON. `run` needs only Python, NumPy, PyTorch, matplotlib, scikit-learn/-image and this repository's
`cnnlab`: each chapter runs in a fresh process, cell by cell; TensorFlow and Keras imports are skipped when absent
and the cells that need them are counted as skipped, not failed. Everything else must pass; the table says which
device PyTorch used and how much GPU memory the chapter took.
"""
from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
import time
from pathlib import Path

TF_MODULES = ("tensorflow", "keras", "tf_keras")


def prepare(folder: Path) -> list[Path]:
    from autograder import notebooks as nbs
    from autograder.settings import chapters, solution_path
    from autograder.views import view
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for chapter in chapters():
        nb = view(nbs.read(solution_path(chapter)), chapter, "pytorch")
        cells = [{"index": i, "source": c.source} for i, c in enumerate(nb.cells) if c.cell_type == "code"]
        path = folder / f"{chapter}.json"
        path.write_text(json.dumps({"chapter": chapter, "cells": cells}), encoding="utf-8")
        written.append(path)
    return written


class _OptionalTF(ast.NodeTransformer):
    """Top-level `import tensorflow` / `import keras` / `from cnnlab import transfer` lines become optional."""

    def _wrap(self, node):
        names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
        if any(n.split(".")[0] in TF_MODULES for n in names):
            return ast.Try(body=[node], handlers=[ast.ExceptHandler(type=ast.Name("ImportError", ast.Load()),
                                                                    name=None, body=[ast.Pass()])],
                           orelse=[], finalbody=[])
        return node

    visit_Import = _wrap
    visit_ImportFrom = _wrap


def _bound(source: str) -> set:
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    names = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
        for t in getattr(node, "targets", []) + [getattr(node, "target", None)]:
            if t is not None:
                names |= {n.id for n in ast.walk(t) if isinstance(n, ast.Name)}
    return names


def run_chapter(path: Path) -> dict:
    """Run one prepared chapter in this process (call it in a fresh one)."""
    import matplotlib
    matplotlib.use("Agg")
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    namespace: dict = {"__name__": "__main__"}
    missing = set(TF_MODULES)                  # names whose absence means "needs TensorFlow"
    missing |= {"tf"}
    result = {"chapter": data["chapter"], "ok": 0, "skipped": 0, "failed": [], "seconds": 0.0}
    started = time.monotonic()
    for cell in data["cells"]:
        tree = ast.fix_missing_locations(_OptionalTF().visit(ast.parse(cell["source"])))
        try:
            exec(compile(tree, f"<cell {cell['index']}>", "exec"), namespace)
            result["ok"] += 1
        except NameError as exc:
            if exc.name in missing:
                result["skipped"] += 1
                missing |= _bound(cell["source"])
            else:
                result["failed"].append(f"cell {cell['index']}: NameError: {exc}")
        except ModuleNotFoundError as exc:
            if (exc.name or "").split(".")[0] in TF_MODULES:
                result["skipped"] += 1
                missing |= _bound(cell["source"])
            else:
                result["failed"].append(f"cell {cell['index']}: {type(exc).__name__}: {exc}")
        except Exception as exc:
            result["failed"].append(f"cell {cell['index']}: {type(exc).__name__}: {str(exc)[:200]}")
        finally:
            import matplotlib.pyplot as plt
            plt.close("all")
    result["seconds"] = round(time.monotonic() - started, 1)
    import torch
    result["device"] = str(namespace.get("DEVICE", "?"))
    result["gpu"] = torch.cuda.get_device_name(0) if torch.cuda.is_available() else "none"
    result["gpu_peak_mib"] = round(torch.cuda.max_memory_allocated() / 2**20, 1) if torch.cuda.is_available() else 0
    result["torch"] = torch.__version__
    return result


def run(paths: list[Path]) -> list[dict]:
    results = []
    for path in paths:
        done = subprocess.run([sys.executable, "-m", "autograder.cuda_check", "one", str(path)],
                              capture_output=True, text=True, env=dict(os.environ, MPLBACKEND="Agg"))
        lines = [ln for ln in done.stdout.splitlines() if ln.startswith("{")]
        if lines:
            results.append(json.loads(lines[-1]))
        else:
            results.append({"chapter": Path(path).stem, "ok": 0, "skipped": 0, "seconds": 0,
                            "failed": [f"the chapter's process failed: {done.stderr[-500:]}"]})
        r = results[-1]
        print(f"{r['chapter']}: {r['ok']} cells ok, {r['skipped']} skipped (TensorFlow), {len(r['failed'])} failed",
              flush=True)
    return results


def format_table(results: list[dict]) -> str:
    lines = ["| chapter (PyTorch view) | cells ok | skipped (need TensorFlow) | failed | seconds | device | GPU peak MiB |",
             "|---|---:|---:|---|---:|---|---:|"]
    for r in results:
        failed = "<br>".join(r["failed"]) or "0"
        lines.append(f"| {r['chapter']} | {r['ok']} | {r['skipped']} | {failed} | {r['seconds']} | "
                     f"{r.get('device', '?')} | {r.get('gpu_peak_mib', 0)} |")
    if results and "gpu" in results[0]:
        lines.append(f"\nGPU: {results[0]['gpu']}, torch {results[0].get('torch')}")
    return "\n".join(lines)


def main(argv=None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["prepare"] and len(args) == 2:
        for p in prepare(Path(args[1])):
            print(p)
        return 0
    if args[:1] == ["one"] and len(args) == 2:
        print(json.dumps(run_chapter(Path(args[1]))))
        return 0
    if args[:1] == ["run"] and len(args) >= 2:
        results = run([Path(a) for a in args[1:]])
        print("\n" + format_table(results))
        return 0 if not any(r["failed"] for r in results) else 1
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main())
