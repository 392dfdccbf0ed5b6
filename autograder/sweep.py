"""`python -m autograder sweep [CHAPTER ...]`: run every solution notebook under environments that stand in
for other machines, and print which cells fail where.

A figure that changes when the instruction set, the thread count, the seed or the quantised backend changes
is not a fact of the course: demos may assert only what holds in every column of this table. Each notebook
runs under `pytest --nbval-lax` (nbval executes every cell and fails the ones that raise) in a fresh kernel
that inherits the environment's variables.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from autograder import notebooks as nbs
from autograder.settings import ROOT, chapters, solution_path

# name -> (what it stands in for, variables)
ENVIRONMENTS = {
    "default": ("this machine as it is", {}),
    "seed-1": ("another global seed", {"CNNLAB_SEED": "1"}),
    "seed-2": ("a third global seed", {"CNNLAB_SEED": "2"}),
    "avx2": ("a CPU without AVX-512", {"ONEDNN_MAX_CPU_ISA": "AVX2", "MKL_ENABLE_INSTRUCTIONS": "AVX2"}),
    "sse41": ("an old CPU (SSE4.1 only)", {"ONEDNN_MAX_CPU_ISA": "SSE41", "MKL_ENABLE_INSTRUCTIONS": "SSE4_2"}),
    "mac-like": ("Apple silicon: no oneDNN in TensorFlow, one thread, qnnpack for int8",
                 {"TF_ENABLE_ONEDNN_OPTS": "0", "OMP_NUM_THREADS": "1", "CNNLAB_QENGINE": "qnnpack"}),
    "onednn-tf": ("TensorFlow with its oneDNN kernels on", {"TF_ENABLE_ONEDNN_OPTS": "1"}),
}
# What CI runs besides the default on every push: several stand-ins at once.
CI_ENVIRONMENT = ("ci-other", "seed 3, AVX2 only, qnnpack",
                  {"CNNLAB_SEED": "3", "ONEDNN_MAX_CPU_ISA": "AVX2", "MKL_ENABLE_INSTRUCTIONS": "AVX2",
                   "CNNLAB_QENGINE": "qnnpack"})


def run_nbval(notebooks: list[Path], env: dict, junit: Path, timeout: int = 900) -> dict[str, list[str]]:
    """Execute `notebooks` with nbval under `env`; {notebook name: ['cell N: Error: message', ...]}."""
    variables = dict(os.environ, **env, PYTHONUNBUFFERED="1")
    variables.pop("NBGRADER_EXECUTION", None)
    cmd = [sys.executable, "-m", "pytest", "--nbval-lax", "-p", "no:cacheprovider", "-p", "no:xdist", "-q",
           f"--nbval-cell-timeout={timeout}", f"--junitxml={junit}", "--rootdir", str(junit.parent),
           "-c", os.devnull, *map(str, notebooks)]
    done = subprocess.run(cmd, env=variables, capture_output=True, text=True, cwd=junit.parent)
    failures: dict[str, list[str]] = {p.name: [] for p in notebooks}
    if not junit.exists():
        for p in notebooks:
            failures[p.name].append(f"nbval did not run: {done.stdout[-400:]}{done.stderr[-400:]}")
        return failures
    for case in ET.parse(junit).getroot().iter("testcase"):
        problem = case.find("failure") if case.find("failure") is not None else case.find("error")
        if problem is None:
            continue
        path = next((p for p in notebooks if p.stem in case.get("classname", "") + case.get("file", "")),
                    notebooks[0] if len(notebooks) == 1 else None)
        where = _cell(case.get("name", ""), path)
        failures.setdefault(path.name if path else "?", []).append(
            f"{where}: {_last_error(problem.text or problem.get('message', ''))}")
    return failures


def _cell(name: str, path: Path | None) -> str:
    """nbval counts code cells; people count every cell (as the notebook's cell index does)."""
    m = re.search(r"Cell (\d+)", name)
    if not m:
        return name
    if path is not None:
        code = [i for i, c in enumerate(nbs.read(path).cells) if c.cell_type == "code"]
        if int(m.group(1)) < len(code):
            return f"cell {code[int(m.group(1))]}"
    return f"code cell {m.group(1)}"


def _last_error(text: str) -> str:
    text = re.sub(r"(\x1b|#x1B)\[[0-9;]*m", "", text)
    lines = [ln.strip() for ln in text.splitlines() if re.match(r"^\s*\w*(Error|Exception|Interrupt)\b", ln)]
    line = lines[-1] if lines else (text.strip().splitlines() or [""])[-1]
    return line[:300]


def solution_views(folder: Path, selected: list[str] | None = None) -> list[Path]:
    """The one-framework views of the *solution* notebooks, written into `folder` (they run end to end)."""
    from autograder.views import FRAMEWORKS, view
    paths = []
    for chapter in selected or chapters():
        nb = nbs.read(solution_path(chapter))
        for fw in FRAMEWORKS:
            path = folder / f"{chapter}_{fw}.ipynb"
            nbs.write(view(nb, chapter, fw), path)
            paths.append(path)
    return paths


def sweep(selected: list[str] | None = None, environments: list[str] | None = None, jobs: int = 2,
          log=print) -> dict:
    """{chapter: {environment: [failures]}}; prints the table as it goes."""
    chs = selected or chapters()
    envs = {name: ENVIRONMENTS[name] for name in (environments or ENVIRONMENTS)}
    table: dict = {c: {} for c in chs}
    with tempfile.TemporaryDirectory(prefix="sweep-") as tmp:
        def one(item):
            env_name, chapter = item
            folder = Path(tmp) / env_name / chapter
            folder.mkdir(parents=True)
            notebook = folder / f"{chapter}.ipynb"
            notebook.write_bytes(solution_path(chapter).read_bytes())
            result = run_nbval([notebook], envs[env_name][1], folder / "junit.xml")
            return env_name, chapter, result.get(notebook.name, [])
        items = [(e, c) for e in envs for c in chs]
        with ThreadPoolExecutor(max_workers=jobs) as pool:
            for env_name, chapter, failures in pool.map(one, items):
                table[chapter][env_name] = failures
                log(f"{chapter} under {env_name}: " + ("pass" if not failures else "; ".join(failures)))
    return table


def format_table(table: dict, environments: list[str] | None = None) -> str:
    envs = environments or list(next(iter(table.values()), {}).keys())
    lines = ["| chapter | " + " | ".join(envs) + " |", "|---|" + "---|" * len(envs)]
    for chapter, row in table.items():
        cells = ["pass" if not row.get(e) else "<br>".join(row[e]).replace("|", "\\|") for e in envs]
        lines.append(f"| {chapter} | " + " | ".join(cells) + " |")
    legend = [f"- `{name}`: {what}" + (f" ({', '.join(f'{k}={v}' for k, v in env.items())})" if env else "")
              for name, (what, env) in ENVIRONMENTS.items() if name in envs]
    return "\n".join(lines + [""] + legend)


def main(argv=None) -> int:
    import argparse
    p = argparse.ArgumentParser(prog="python -m autograder sweep", description=__doc__.splitlines()[0])
    p.add_argument("chapters", nargs="*")
    p.add_argument("--env", action="append", choices=list(ENVIRONMENTS), help="environments (default: all)")
    p.add_argument("--jobs", type=int, default=2, help="notebooks run at once (default 2)")
    args = p.parse_args(argv)
    table = sweep(args.chapters or None, args.env, args.jobs)
    print()
    print(format_table(table, args.env or list(ENVIRONMENTS)))
    return 0 if all(not f for row in table.values() for f in row.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
