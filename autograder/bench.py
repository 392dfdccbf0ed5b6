"""`python -m autograder bench [CHAPTER ...]`: time and peak memory per notebook, and grading overhead.

Each solution notebook runs top to bottom in a fresh kernel, in a child process whose peak resident
memory (the kernel included) the operating system reports when it exits. Then the same notebook is
graded as a submission, and the grading time is compared with the bare run. Budgets (course spec):
a notebook <= 60 s and <= 3 GiB, all chapters <= 5 min, grading <= 1.2 x bare execution.

The scale section (scalebench.py, `--scale N`, 0 to skip) grades the toy chapter's class of N through Dask on
this machine and projects 10,000 students on N cores.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from autograder.settings import chapters, solution_path

NOTEBOOK_BUDGET_S, MEMORY_BUDGET_MIB, TOTAL_BUDGET_S, GRADING_RATIO = 60, 3 * 1024, 300, 1.2


def execute_bare(path: Path) -> None:
    """Run a notebook in a fresh kernel (used in the measured child process)."""
    import nbclient
    import nbformat
    nb = nbformat.read(path, as_version=4)
    with tempfile.TemporaryDirectory() as tmp:
        nbclient.NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": tmp}}).execute()


def _measured(args: list[str]) -> tuple[float, float, int]:
    """Run `python -m autograder.bench ARGS` in a child; (seconds, peak MiB of child + kernel, exit code)."""
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "autograder.bench", *args],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    scale = 1 if sys.platform == "darwin" else 1024          # ru_maxrss: bytes on macOS, KiB on Linux
    return seconds, usage.ru_maxrss * scale / 2 ** 20, os.waitstatus_to_exitcode(status)


def grading_seconds(chapter: str) -> float:
    from autograder.grade import grade
    with tempfile.TemporaryDirectory() as tmp:
        subs = Path(tmp) / "subs" / "solution"
        subs.mkdir(parents=True)
        shutil.copyfile(solution_path(chapter), subs / f"{chapter}.ipynb")
        start = time.perf_counter()
        rows = grade(chapter, subs.parent, Path(tmp) / "out", workers=1, log=lambda *_: None)
        elapsed = time.perf_counter() - start
    if rows[0].status != "graded":
        raise RuntimeError(f"{chapter}: grading the solution failed: {rows[0].flags}")
    return elapsed


def bench(selected: list[str] | None, out: Path, throughput_chapter: str | None = "ch16_train_vs_eval",
          n_submissions: int = 4, log=print, scale: int = 1000) -> list[dict]:
    rows = []
    for chapter in selected or chapters():
        seconds, peak, code = _measured(["--execute", str(solution_path(chapter))])
        row = {"chapter": chapter, "seconds": round(seconds, 1), "peak_mib": round(peak), "ok": code == 0}
        if code == 0 and chapter != "ch00_start_here":
            graded = grading_seconds(chapter)
            row.update(grading_seconds=round(graded, 1), grading_ratio=round(graded / seconds, 2))
        rows.append(row)
        log(f"  {chapter}: {row}")
    table = format_table(rows)
    if throughput_chapter:
        from autograder.throughput import throughput
        t = throughput(throughput_chapter, n_submissions, workers=2, log=lambda *_: None)
        table += "\n\n" + format_throughput(throughput_chapter, n_submissions, t)
        rows.append({"throughput": t})
    if scale:
        import importlib.util
        if importlib.util.find_spec("distributed") is None:
            table += "\n\nScale section skipped: Dask is not installed (pip install -r requirements-scale.txt)."
        else:
            from autograder import scalebench
            measured = scalebench.measure(n=scale, log=log)
            table += "\n\n" + scalebench.format_tables(measured)
            rows.append({"scale": measured})
    log(table)
    out.mkdir(parents=True, exist_ok=True)
    (out / "bench.json").write_text(json.dumps(rows, indent=1, default=str), encoding="utf-8")
    (out / "bench.md").write_text(table + "\n", encoding="utf-8")
    return rows


def format_throughput(chapter: str, n: int, t: dict) -> str:
    return "\n".join([
        f"Grading {n} copies of {chapter}'s solution (isolation: {t.get('isolation', '?')}):",
        "",
        "| this grader, 2 workers | stock `nbgrader autograde`, sequential | speedup | one submission graded / bare |",
        "|---:|---:|---:|---:|",
        f"| {t['ours_s']:.1f} s | {t['stock_s']:.1f} s | {t['speedup']:.2f}x | {t['overhead']:.2f} |"])


def format_table(rows: list[dict]) -> str:
    lines = ["| notebook | seconds | peak memory (MiB) | graded in (s) | grading / bare | within budget |",
             "|---|---:|---:|---:|---:|---|"]
    for r in rows:
        ratio = r.get("grading_ratio")
        ok = (r["ok"] and r["seconds"] <= NOTEBOOK_BUDGET_S and r["peak_mib"] <= MEMORY_BUDGET_MIB
              and (ratio is None or ratio <= GRADING_RATIO))
        lines.append(f"| {r['chapter']} | {r['seconds']:.1f} | {r['peak_mib']} | {r.get('grading_seconds', '-')} "
                     f"| {ratio if ratio is not None else '-'} | {'yes' if ok else 'NO'} |")
    total = sum(r["seconds"] for r in rows)
    lines.append(f"| **all** | {total:.1f} | {max((r['peak_mib'] for r in rows), default=0)} | | | "
                 f"{'yes' if total <= TOTAL_BUDGET_S else 'NO'} |")
    return "\n".join(lines)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--execute":
        execute_bare(Path(sys.argv[2]))
