"""The scale section of `make bench`: how fast a class is graded through Dask on this machine, and what that
means for 10,000 students.

Measured, each run a fresh `python -m autograder grade` (start-up included) on a generated class whose students
cycle through the demo's honest variants (the solution, the bank's other right answers, a partial answer, the
blank notebook, the bank's wrong answers):

  - the toy chapter's class of N (1,000) through the Dask executor with every core of this machine;
  - a slice of it through Dask with one worker (the baseline of parallel efficiency), and through the local pool;
  - one real chapter (ch16_train_vs_eval) with 20 submissions, local vs Dask, once its tests use check();
and, from those figures, the hours 10,000 students take on N cores, and the coordinator's memory.

Parallel efficiency = rows per minute with W workers / (W x rows per minute with one worker). Worker utilization
= the submissions' own grading seconds / (W x wall seconds): how busy the executor kept its workers, start-up
included, whatever else the machine was running (on a shared machine the efficiency also measures the
neighbours; utilization much less so). The coordinator's peak memory is its own maximum resident size (the
LocalCluster's scheduler runs inside it; the workers do not).
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from autograder.settings import COURSE, ROOT, TOY_COURSE

PROJECTED_STUDENTS = 10_000
PROJECTED_CORES = (2, 16, 64, 256)
REAL_CHAPTER = "ch16_train_vs_eval"
PEAK_RE = re.compile(r"coordinator peak memory (\d+(?:\.\d+)?) MiB")


def course_of(chapter: str) -> Path:
    return TOY_COURSE.resolve() if chapter == "toy" else COURSE


def make_class(chapter: str, n: int, folder: Path) -> None:
    """n students in `folder`, cycling through the demo's honest variants (run with the chapter's course root)."""
    from autograder import demo, notebooks as nbs
    from autograder.settings import release_path, solution_path
    variants = [nbs.read(solution_path(chapter)), demo._answers(chapter, "correct", 0),
                demo._answers(chapter, "reference", 0, only_first=True), nbs.read(release_path(chapter)),
                demo._answers(chapter, "wrong", 0), demo._answers(chapter, "wrong", 1)]
    raw = [nbs.dumps(nb).encode("utf-8") for nb in variants]
    for i in range(n):
        (folder / f"s{i:05d}").mkdir(parents=True, exist_ok=True)
        (folder / f"s{i:05d}" / f"{chapter}.ipynb").write_bytes(raw[i % len(raw)])


def tests_use_check(chapter: str) -> bool:
    """True when every test cell of the chapter records its verdicts with cnnlab.checks.check (the new format)."""
    from autograder import notebooks as nbs
    from autograder.settings import solution_path
    path = COURSE / "solutions" / chapter / f"{chapter}.ipynb"
    if not path.exists():
        return False
    cells = nbs.test_cells(nbs.read(solution_path(chapter)))
    return bool(cells) and all("check(" in c.source and not re.search(r"^\s*assert\b", c.source, re.M)
                               for c in cells)


def _env(chapter: str) -> dict:
    return dict(os.environ, AUTOGRADER_COURSE_ROOT=str(course_of(chapter)), PYTHONPATH=str(ROOT))


def generate(chapter: str, n: int, folder: Path) -> None:
    subprocess.run([sys.executable, "-m", "autograder.scalebench", "make-class", chapter, str(n), str(folder)],
                   env=_env(chapter), check=True, cwd=ROOT)


def mean_kib(subs: Path) -> float:
    sizes = [p.stat().st_size for p in subs.glob("*/*.ipynb")]
    return sum(sizes) / max(1, len(sizes)) / 1024


class InstantExecutor:
    """Answers every job at once with a result recorded from a real run: what the coordinator alone can absorb."""

    def __init__(self, template: dict):
        self.template = template

    def submit(self, fn, job):
        import concurrent.futures as cf
        future = cf.Future()
        future.set_result(dict(self.template))
        return future

    def shutdown(self, wait=True, *, cancel_futures=False):
        pass


def coordinator_ceiling(subs: Path, out: Path, recorded: Path) -> dict:
    """Rows per minute the coordinator records (files in OUT, the SQLite gradebook) when results cost nothing."""
    student = sorted((recorded / "results").glob("*.json"))[0].stem
    row = json.loads((recorded / "results" / f"{student}.json").read_text(encoding="utf-8"))
    template = {**row, "executed": (recorded / "executed" / student / "toy.ipynb").read_text(encoding="utf-8"),
                "feedback": (recorded / "feedback" / student / "toy.html").read_text(encoding="utf-8")}
    result = subprocess.run([sys.executable, "-m", "autograder.scalebench", "ceiling", str(subs), str(out)],
                            input=json.dumps(template), env=_env("toy"), cwd=ROOT, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"coordinator ceiling failed:\n{result.stderr[-2000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def _ceiling_child(subs: Path, out: Path) -> None:
    from autograder.grade import grade
    template = json.loads(sys.stdin.read())
    started = time.perf_counter()
    rows = grade("toy", subs, out, workers=1, log=lambda *_: None, executor=InstantExecutor(template))
    seconds = time.perf_counter() - started
    print(json.dumps({"n": len(rows), "seconds": round(seconds, 1), "rows_per_min": round(60 * len(rows) / seconds)}))


def timed(chapter: str, subs: Path, out: Path, executor: str, workers: int, n: int) -> dict:
    """One grading run in a fresh process: wall seconds, rows per minute, the coordinator's peak memory."""
    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "autograder", "grade", chapter, "--submissions", str(subs),
                           "--out", str(out), "--workers", str(workers), "--executor", executor],
                          env=_env(chapter), cwd=ROOT, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"grading {n} x {chapter} with {executor} failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    peak = PEAK_RE.findall((out / "grading.log").read_text(encoding="utf-8"))
    with (out / "grades.csv").open(encoding="utf-8") as fh:
        rows = sum(1 for _ in fh) - 1
    results = [json.loads(p.read_text(encoding="utf-8")) for p in (out / "results").glob("*.json")]
    graded = sum(r.get("status") == "graded" for r in results)
    busy = sum(r.get("seconds", 0.0) for r in results)      # each submission's own time on its worker
    return {"chapter": chapter, "executor": executor, "workers": workers, "n": n, "rows": rows, "graded": graded,
            "seconds": round(seconds, 1), "rows_per_min": round(60 * rows / seconds, 1),
            "coordinator_mib": float(peak[-1]) if peak else None, "submission_kib": round(mean_kib(subs), 1),
            "utilization": round(busy / (workers * seconds), 2),
            "load": f"{load_before:.0f}-{os.getloadavg()[0]:.0f}"}


def measure(n: int = 1000, n_baseline: int = 60, workers: int | None = None, real_n: int = 20, log=print) -> dict:
    """Run the measurements described in the module docstring; returns them with the projection."""
    from autograder.grade import default_workers
    workers = workers or default_workers()
    runs: list[dict] = []
    notes: list[str] = []
    with tempfile.TemporaryDirectory(prefix="scale-bench-") as tmp:
        tmp = Path(tmp)
        generate("toy", n, tmp / "toy")
        generate("toy", n_baseline, tmp / "toy-slice")
        plan = [("toy-slice", "dask", 1, n_baseline), ("toy-slice", "local", workers, n_baseline),
                ("toy-slice", "dask", workers, n_baseline), ("toy", "dask", workers, n)]
        for folder, executor, w, count in plan:
            log(f"scale: {count} x toy, {executor}, {w} worker(s) ...")
            runs.append(timed("toy", tmp / folder, tmp / f"out-{folder}-{executor}-{w}", executor, w, count))
            log(f"scale:   {runs[-1]}")
        log(f"scale: {n} x toy, results that cost nothing (the coordinator's ceiling) ...")
        ceiling = coordinator_ceiling(tmp / "toy", tmp / "out-ceiling", tmp / f"out-toy-dask-{workers}")
        log(f"scale:   {ceiling}")
        if tests_use_check(REAL_CHAPTER):
            generate(REAL_CHAPTER, real_n, tmp / "real")
            for executor in ("local", "dask"):
                log(f"scale: {real_n} x {REAL_CHAPTER}, {executor}, {workers} worker(s) ...")
                runs.append(timed(REAL_CHAPTER, tmp / "real", tmp / f"out-real-{executor}", executor, workers, real_n))
                log(f"scale:   {runs[-1]}")
        else:
            notes.append(f"{REAL_CHAPTER} not measured: its tests are not all in the check() format yet "
                         "(the toy chapter only)")
    return {"runs": runs, "ceiling": ceiling, "notes": notes, "projection": project(runs, workers, ceiling)}


def project(runs: list[dict], workers: int, ceiling: dict) -> list[dict]:
    """Hours for PROJECTED_STUDENTS on N cores, per measured chapter: seconds per submission with one worker (a
    real chapter: W x its seconds per row, no one-worker run of it is made) over N x the parallel efficiency
    measured here, and never faster than the coordinator's ceiling. The coordinator's memory grows linearly with
    the class (it holds every submission's bytes): fitted on the toy runs, shifted by a chapter's notebook size."""
    toy_one = next(r for r in runs if r["chapter"] == "toy" and r["workers"] == 1)
    toy_many = [r for r in runs if r["chapter"] == "toy" and r["executor"] == "dask" and r["workers"] == workers]
    big, small = max(toy_many, key=lambda r: r["n"]), min(toy_many, key=lambda r: r["n"])
    efficiency = min(1.0, big["rows_per_min"] / (workers * toy_one["rows_per_min"])) if workers > 1 else 1.0
    per_row_mib = ((big["coordinator_mib"] - small["coordinator_mib"]) / max(1, big["n"] - small["n"])
                   if big["coordinator_mib"] and small["coordinator_mib"] and big["n"] > small["n"] else 0.0)
    chapters = [("toy", 60 / toy_one["rows_per_min"], big["submission_kib"])]
    chapters += [(r["chapter"], 60 * workers / r["rows_per_min"], r["submission_kib"])
                 for r in runs if r["chapter"] != "toy" and r["executor"] == "dask"]
    floor_h = PROJECTED_STUDENTS / ceiling["rows_per_min"] / 60
    rows = []
    for chapter, seconds_per_row, kib in chapters:
        row_mib = max(0.0, per_row_mib + (kib - big["submission_kib"]) / 1024)
        memory = (big["coordinator_mib"] or 0) + row_mib * (PROJECTED_STUDENTS - big["n"])
        for cores in PROJECTED_CORES:
            hours = max(PROJECTED_STUDENTS * seconds_per_row / (cores * efficiency) / 3600, floor_h)
            rows.append({"chapter": chapter, "cores": cores, "seconds_per_submission": round(seconds_per_row, 2),
                         "efficiency": round(efficiency, 2), "hours": round(hours, 2),
                         "coordinator_bound": hours == floor_h, "coordinator_mib": round(memory)})
    return rows


def format_tables(result: dict) -> str:
    lines = [f"Grading at scale (measured on this machine, {os.cpu_count()} cores; load average at the start and "
             "end of each run):", "",
             "| chapter | executor | workers | submissions | wall (s) | rows/min | parallel efficiency | "
             "worker utilization | coordinator peak (MiB) | load average |",
             "|---|---|---:|---:|---:|---:|---:|---:|---:|---|"]
    runs = result["runs"]
    one = {r["chapter"]: r for r in runs if r["workers"] == 1}
    for r in runs:
        base = one.get(r["chapter"])
        eff = (f"{r['rows_per_min'] / (r['workers'] * base['rows_per_min']):.2f}"
               if base and r["executor"] == "dask" and r["workers"] > 1 else "-")
        lines.append(f"| {r['chapter']} | {r['executor']} | {r['workers']} | {r['n']} | {r['seconds']:.1f} | "
                     f"{r['rows_per_min']:.1f} | {eff} | {r['utilization']:.2f} | {r['coordinator_mib'] or '-'} | "
                     f"{r['load']} |")
    c = result["ceiling"]
    lines += ["", f"Coordinator alone (results that cost nothing, {c['n']} rows written to OUT and the SQLite "
              f"gradebook): {c['rows_per_min']:,} rows/min.",
              "", f"Projection for {PROJECTED_STUDENTS:,} students (seconds per submission with one worker, "
              "divided by cores x the efficiency measured here; * = bound by the coordinator):", "",
              "| chapter | cores | s per submission | efficiency | hours | coordinator memory (MiB) |",
              "|---|---:|---:|---:|---:|---:|"]
    for p in result["projection"]:
        lines.append(f"| {p['chapter']} | {p['cores']} | {p['seconds_per_submission']} | {p['efficiency']} | "
                     f"{p['hours']}{' *' if p['coordinator_bound'] else ''} | {p['coordinator_mib']} |")
    lines += [f"\n{note}" for note in result["notes"]]
    return "\n".join(lines)


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "make-class":
        make_class(sys.argv[2], int(sys.argv[3]), Path(sys.argv[4]))
    elif len(sys.argv) == 4 and sys.argv[1] == "ceiling":
        _ceiling_child(Path(sys.argv[2]), Path(sys.argv[3]))
    else:
        print(format_tables(measure(*(int(a) for a in sys.argv[1:]))))
