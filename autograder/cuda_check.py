"""The PyTorch side of every chapter on a machine with a GPU and no TensorFlow or Jupyter.

    python -m autograder.cuda_check prepare DIR     # here: the solutions' PyTorch views as plain cell lists
    python3 -m autograder.cuda_check run DIR/*.json # there: run each chapter, print a table

`prepare` writes, per chapter, the code cells of the PyTorch-only view of the *solution* notebook (every exercise
solved) as JSON. `run` needs only Python, NumPy, PyTorch, matplotlib and this repository's `cnnlab`: each chapter
runs in a fresh process, cell by cell, twice: once with the GPU hidden (CUDA_VISIBLE_DEVICES="") and once with it.
TensorFlow and Keras imports are skipped when absent. A PyTorch view still runs collapsed TensorFlow cells whose
results shared cells compare, so without TensorFlow some later cells fail on the CPU as well: those are counted as
"need TensorFlow". What must be empty is the column of cells that pass on the CPU and fail on the GPU; the table
also says which device PyTorch used and how much GPU memory the chapter took.
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
    namespace: dict = {"__name__": "__main__", "display": print}    # no IPython there
    missing = set(TF_MODULES)                  # names whose absence means "needs TensorFlow"
    missing |= {"tf"}
    result = {"chapter": data["chapter"], "ok": 0, "skipped": 0, "failed": [], "failed_cells": [], "seconds": 0.0}
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
            if len(result["failed"]) > len(result["failed_cells"]):
                result["failed_cells"].append(cell["index"])
            import matplotlib.pyplot as plt
            plt.close("all")
    result["seconds"] = round(time.monotonic() - started, 1)
    import torch
    result["device"] = str(namespace.get("DEVICE", "?"))
    result["gpu"] = torch.cuda.get_device_name(0) if torch.cuda.is_available() else "none"
    result["gpu_peak_mib"] = round(torch.cuda.max_memory_allocated() / 2**20, 1) if torch.cuda.is_available() else 0
    result["torch"] = torch.__version__
    return result


def _one(path: Path, env: dict) -> dict:
    done = subprocess.run([sys.executable, "-m", "autograder.cuda_check", "one", str(path)],
                          capture_output=True, text=True, env=env)
    lines = [ln for ln in done.stdout.splitlines() if ln.startswith("{")]
    if lines:
        return json.loads(lines[-1])
    return {"chapter": Path(path).stem, "ok": 0, "skipped": 0, "seconds": 0, "failed_cells": [-1],
            "failed": [f"the chapter's process failed: {done.stderr[-500:]}"]}


def run(paths: list[Path]) -> list[dict]:
    """Each chapter on the CPU (GPU hidden), then with the GPU: {chapter, cpu: result, gpu: result, gpu_only: [...]}."""
    results = []
    base = dict(os.environ, MPLBACKEND="Agg")
    for path in paths:
        cpu = _one(path, dict(base, CUDA_VISIBLE_DEVICES=""))
        gpu = _one(path, base)
        on_cpu = set(cpu["failed_cells"])
        gpu_only = [f for c, f in zip(gpu["failed_cells"], gpu["failed"]) if c not in on_cpu]
        results.append({"chapter": cpu["chapter"], "cpu": cpu, "gpu": gpu, "gpu_only": gpu_only})
        print(f"{cpu['chapter']}: cpu {cpu['ok']} ok / {len(on_cpu)} failed; {gpu.get('device')}: {gpu['ok']} ok / "
              f"{len(gpu['failed_cells'])} failed; failing only on the GPU: {len(gpu_only)}", flush=True)
    return results


def format_table(results: list[dict]) -> str:
    lines = ["| chapter (PyTorch view, no TensorFlow) | code cells | pass on both | need TensorFlow (fail on CPU too) | "
             "fail only with the GPU | CPU s | GPU s | device | GPU peak MiB |",
             "|---|---:|---:|---:|---|---:|---:|---|---:|"]
    for r in results:
        cpu, gpu = r["cpu"], r["gpu"]
        cells = cpu["ok"] + cpu["skipped"] + len(cpu["failed_cells"])
        passed = cpu["ok"] - sum(1 for _ in r["gpu_only"])
        lines.append(f"| {r['chapter']} | {cells} | {passed} | {cpu['skipped'] + len(cpu['failed_cells'])} | "
                     f"{'<br>'.join(r['gpu_only']) or '0'} | {cpu['seconds']} | {gpu['seconds']} | "
                     f"{gpu.get('device', '?')} | {gpu.get('gpu_peak_mib', 0)} |")
    if results:
        lines.append(f"\nGPU: {results[0]['gpu'].get('gpu')}, torch {results[0]['gpu'].get('torch')}")
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
        return 0 if not any(r["gpu_only"] for r in results) else 1
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main())
