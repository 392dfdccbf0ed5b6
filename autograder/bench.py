"""`python -m autograder bench [CHAPTER ...]`: time and peak memory per notebook, and what grading costs.

Each solution notebook runs top to bottom in a fresh kernel, in a child process whose peak resident
memory (the kernel included) the operating system reports when it exits. Then copies of the same notebook are
graded under each plan (`--plan pruned|full`, prune.py) and compared with the bare run, and a class of
`--class-size` copies (default 10) is graded by this grader with 2 workers and by stock `nbgrader autograde`
(throughput.py). Budgets (course spec): a notebook <= 60 s
and <= 3 GiB, all chapters <= 5 min, grading <= 1.2 x bare execution; the pruned plan <= 0.4 x bare on average
and >= 4x stock nbgrader.

The scale section (scalebench.py, `--scale N`, 0 to skip) grades the toy chapter's class of N through Dask on
this machine and projects 10,000 students on N cores.
"""
from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from autograder.prune import PLANS
from autograder.settings import chapters, solution_path

NOTEBOOK_BUDGET_S, MEMORY_BUDGET_MIB, TOTAL_BUDGET_S, GRADING_RATIO = 60, 3 * 1024, 300, 1.2
PRUNED_RATIO, STOCK_SPEEDUP = 0.4, 4


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


@contextlib.contextmanager
def _environ(**values):
    """os.environ with `values` (the pool's processes inherit it), restored afterwards."""
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def plan_seconds(chapter: str, plan: str, n: int) -> dict:
    """Grade n copies of the solution with one worker under `plan`: seconds per submission (the batch's wall
    time over n: worker start, the judge's reference run and every kernel included) and the rows' own times."""
    from autograder.grade import Options, grade
    with tempfile.TemporaryDirectory() as tmp, _environ(AUTOGRADER_REFERENCE_CACHE=str(Path(tmp) / "references")):
        for i in range(n):
            (Path(tmp) / "subs" / f"s{i}").mkdir(parents=True)
            shutil.copyfile(solution_path(chapter), Path(tmp) / "subs" / f"s{i}" / f"{chapter}.ipynb")
        start = time.perf_counter()
        rows = grade(chapter, Path(tmp) / "subs", Path(tmp) / "out", workers=1, log=lambda *_: None,
                     options=Options(plan=plan))
        elapsed = time.perf_counter() - start
    bad = [r for r in rows if r.status != "graded" or set(r.flags) - {"not_isolated"}]
    if bad:
        raise RuntimeError(f"{chapter}: grading the solution under --plan {plan} failed: {bad[0].flags} {bad[0].detail}")
    return {"per_submission": elapsed / n, "rows": [round(r.seconds, 1) for r in rows]}


def bench(selected: list[str] | None, out: Path, stock: bool = True, n_submissions: int = 3, log=print,
          scale: int = 1000, class_size: int = 10) -> list[dict]:
    """Per chapter: the bare run; n copies of the solution graded under each plan with one worker; and, with
    `stock`, a class of `class_size` copies graded by this grader (2 workers, default plan) and by stock
    `nbgrader autograde`."""
    from autograder.throughput import throughput
    rows = []
    for chapter in selected or chapters():
        seconds, peak, code = _measured(["--execute", str(solution_path(chapter))])
        row = {"chapter": chapter, "seconds": round(seconds, 1), "peak_mib": round(peak), "ok": code == 0}
        if code == 0 and chapter != "ch00_start_here":
            for plan in PLANS:
                measured = plan_seconds(chapter, plan, n_submissions)
                row[plan] = round(measured["per_submission"], 1)
                row[f"{plan}_rows"] = measured["rows"]
                row[f"{plan}_ratio"] = round(measured["per_submission"] / seconds, 2)
            if stock:
                t = throughput(chapter, class_size, workers=2, log=lambda *_: None, single=False)
                row.update(ours_s=t["ours_s"], stock_s=t["stock_s"], speedup=t["speedup"], isolation=t["isolation"])
        rows.append(row)
        log(f"  {chapter}: {row}")
    table = format_table(rows, n_submissions, class_size)
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


def _cell(value, fmt="{:.1f}") -> str:
    return "-" if value is None else fmt.format(value)


def format_table(rows: list[dict], n: int, class_size: int) -> str:
    lines = [f"Per chapter: the solution executed bare once; {n} copies graded with one worker under each plan "
             f"(seconds per submission: the batch's time over {n}, every start-up included); a class of {class_size} "
             "copies graded by this grader with 2 workers (default plan, isolation on) and by stock "
             "`nbgrader autograde`, one after another.",
             "",
             "| notebook | bare s | peak MiB | pruned s/sub | pruned / bare | full s/sub | full / bare | "
             "ours, 2 workers (s) | stock nbgrader (s) | speedup | within budget |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
    graded = [r for r in rows if r.get("pruned") is not None]
    for r in rows:
        ratio = r.get("pruned_ratio")
        ok = (r["ok"] and r["seconds"] <= NOTEBOOK_BUDGET_S and r["peak_mib"] <= MEMORY_BUDGET_MIB
              and (ratio is None or ratio <= GRADING_RATIO))
        lines.append(f"| {r['chapter']} | {r['seconds']:.1f} | {r['peak_mib']} | {_cell(r.get('pruned'))} | "
                     f"{_cell(ratio, '{:.2f}')} | {_cell(r.get('full'))} | {_cell(r.get('full_ratio'), '{:.2f}')} | "
                     f"{_cell(r.get('ours_s'))} | {_cell(r.get('stock_s'))} | {_cell(r.get('speedup'), '{:.1f}x')} | "
                     f"{'yes' if ok else 'NO'} |")
    total = sum(r["seconds"] for r in rows)
    mean = lambda key: sum(r[key] for r in graded) / len(graded) if graded and all(key in r for r in graded) else None
    stock = [r for r in graded if "stock_s" in r]
    speedup = sum(r["stock_s"] for r in stock) / sum(r["ours_s"] for r in stock) if stock else None
    lines.append(f"| **all** | {total:.1f} | {max((r['peak_mib'] for r in rows), default=0)} | | "
                 f"**{_cell(mean('pruned_ratio'), '{:.2f}')}** (mean) | | {_cell(mean('full_ratio'), '{:.2f}')} (mean) | "
                 f"{_cell(sum(r['ours_s'] for r in stock) if stock else None)} | "
                 f"{_cell(sum(r['stock_s'] for r in stock) if stock else None)} | **{_cell(speedup, '{:.1f}x')}** | "
                 f"{'yes' if total <= TOTAL_BUDGET_S else 'NO'} |")
    lines += ["", f"Budgets: a notebook <= {NOTEBOOK_BUDGET_S} s and <= {MEMORY_BUDGET_MIB} MiB, all <= {TOTAL_BUDGET_S} s, "
              f"grading <= {GRADING_RATIO} x bare; the pruned plan's mean <= {PRUNED_RATIO} x bare and at least "
              f"{STOCK_SPEEDUP:g}x stock nbgrader's throughput."]
    return "\n".join(lines)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--execute":
        execute_bare(Path(sys.argv[2]))
