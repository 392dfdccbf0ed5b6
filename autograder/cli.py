"""Command line: one command per instructor action."""
from __future__ import annotations

import argparse
from pathlib import Path


def _add_grading_options(p) -> None:
    from autograder import settings
    p.add_argument("--workers", type=int, default=None, help="submissions graded in parallel (default: CPU cores)")
    p.add_argument("--isolation", choices=["auto", "bwrap", "unshare", "none", "container"], default=settings.ISOLATION,
                   help="sandbox for student kernels (default auto: bubblewrap if it works; container: the pod or "
                        "container the workers run in is the sandbox, see docs/scale.md)")
    p.add_argument("--memory-limit", type=int, default=settings.MEMORY_LIMIT_MB, metavar="MB",
                   help=f"resident memory of one submission's processes (default {settings.MEMORY_LIMIT_MB})")
    p.add_argument("--max-processes", type=int, default=settings.MAX_PROCESSES, metavar="N",
                   help=f"processes one submission may run (default {settings.MAX_PROCESSES})")
    p.add_argument("--cell-timeout", type=int, default=settings.CELL_TIMEOUT_S, metavar="S",
                   help=f"seconds per cell (default {settings.CELL_TIMEOUT_S})")
    p.add_argument("--timeout", default=str(settings.NOTEBOOK_TIMEOUT_S), metavar="S|Nx",
                   help=f"seconds per submission (default {settings.NOTEBOOK_TIMEOUT_S}), or Nx: N times the model "
                        f"solution's own time measured on this machine at the start of the batch (at least "
                        f"{settings.MIN_RELATIVE_TIMEOUT_S} s); submissions slower than "
                        f"{settings.SLOW_FACTOR:g}x the solution get the flag `slow`")
    p.add_argument("--plan", choices=["pruned", "full"], default=settings.PLAN,
                   help=f"which cells a submission's kernel runs (default {settings.PLAN}): pruned, the student's "
                        "cells and those the grades depend on (demos keep the student's saved outputs); full, all")
    p.add_argument("--show-hidden-tests", action="store_true",
                   help="show hidden test code in feedback (default: hidden, only their messages are shown)")
    p.add_argument("--gradebook", default=None, metavar="URL",
                   help="nbgrader gradebook database URL (default sqlite:///OUT/gradebook.db)")


def parse_timeout(text: str) -> tuple[int, float | None]:
    """(seconds, None) from '900'; (fallback seconds, 10.0) from '10x'. ValueError saying what is expected."""
    from autograder import settings
    value = str(text).strip().lower()
    try:
        if value.endswith("x"):
            factor = float(value[:-1])
            if factor > 0:
                return settings.NOTEBOOK_TIMEOUT_S, factor
        elif int(value) > 0:
            return int(value), None
    except ValueError:
        pass
    raise ValueError(f"--timeout {text!r}: expected seconds (e.g. 900) or a multiple of the model solution's own "
                     "time on this machine (e.g. 10x)")


def _options(args):
    from autograder.grade import Options
    seconds, factor = parse_timeout(args.timeout)
    return Options(isolation=args.isolation, memory_mb=args.memory_limit, max_procs=args.max_processes,
                   cell_timeout=args.cell_timeout, timeout_s=seconds, show_hidden=args.show_hidden_tests,
                   timeout_factor=factor, plan=args.plan)


def _reveal(after: str | None, deadline: str | None) -> bool:
    """True when the hidden tests' code may be shown now: after --reveal-hidden-after, else after --deadline."""
    from datetime import datetime, timezone
    from autograder.late import parse_time
    if after is None:                  # by default the deadline, when there is one
        after = deadline
    if after is None:
        return False
    if after == "deadline":
        if deadline is None:
            raise ValueError("--reveal-hidden-after deadline needs --deadline")
        after = deadline
    return datetime.now(timezone.utc) >= parse_time(after)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m autograder", description="Course autograder (nbgrader-based).")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("release", help="regenerate notebooks/ from solutions/")
    p.add_argument("chapters", nargs="*", help="chapter ids (default: all)")

    p = sub.add_parser("grade", help="grade a folder of submissions")
    p.add_argument("chapter")
    p.add_argument("--submissions", required=True, type=Path,
                   help="folder of <student_id>/<chapter>.ipynb, or a Canvas or Moodle 'download submissions' "
                        "folder or zip (detected automatically)")
    p.add_argument("--out", required=True, type=Path, help="folder for grades.csv, feedback/ and the log")
    p.add_argument("--force", action="store_true", help="grade again even submissions already graded unchanged")
    p.add_argument("--only", nargs="+", metavar="ID", default=None,
                   help="grade just these students again (forced); every other row and gradebook entry stays")
    p.add_argument("--deadline", default=None, metavar="ISO-8601",
                   help="the time after which work is late (e.g. 2026-03-01T23:59:00+01:00; no zone: UTC)")
    p.add_argument("--late-policy", default="none", metavar="POLICY",
                   help="none (default), zero, per-day:PCT or per-hour:PCT (percent of the earned points per "
                        "started day or hour late)")
    p.add_argument("--late-cap", type=float, default=100.0, metavar="PCT",
                   help="the late penalty never takes more than this percent of the earned points (default 100)")
    p.add_argument("--extensions", type=Path, default=None, metavar="FILE.csv",
                   help="CSV of student_id,deadline: each student's own deadline")
    p.add_argument("--reveal-hidden-after", default=None, metavar="ISO-8601",
                   help="feedback produced after this time shows the hidden tests' code too (default: the "
                        "--deadline, when one is given; before it only their messages are shown)")
    from autograder.executors import EXECUTORS
    p.add_argument("--executor", choices=list(EXECUTORS), default="local",
                   help="where submissions are graded: " + "; ".join(f"{k}: {v}" for k, v in EXECUTORS.items()))
    p.add_argument("--scheduler", default=None, metavar="tcp://HOST:PORT",
                   help="with --executor dask: the scheduler of a running Dask cluster (default: start a "
                        "LocalCluster of --workers processes on 127.0.0.1)")
    _add_grading_options(p)

    p = sub.add_parser("export", help="grades for an LMS (Canvas, Moodle) or a plain CSV; feedback as a zip for the "
                                      "LMS's bulk upload")
    from autograder.export import FORMATS
    p.add_argument("out", type=Path, help="the --out folder of a grading run")
    p.add_argument("--format", required=True, choices=list(FORMATS),
                   help="; ".join(f"{k}: {v}" for k, v in FORMATS.items()))
    p.add_argument("--roster", type=Path, default=None, metavar="FILE",
                   help="the LMS's own export (Canvas gradebook CSV, Moodle grading worksheet) or a CSV of "
                        "student_id[,name]: every student in it gets a row")
    p.add_argument("--column", default=None, metavar="NAME",
                   help="the assignment's column in the LMS (default: the roster's column that names the chapter, "
                        "else the chapter)")
    p.add_argument("--output", required=True, type=Path, metavar="FILE", help="the file to write")
    p.add_argument("--gradebook", default=None, metavar="URL",
                   help="nbgrader gradebook database URL (default sqlite:///OUT/gradebook.db)")

    p = sub.add_parser("bank", help="check the exercise bank: right answers pass, wrong ones lose points")
    p.add_argument("chapter")
    p.add_argument("exercises", nargs="*", help="exercise ids (default: all)")
    p.add_argument("--seed", type=int, default=0, help="seed of the hidden fixtures (default 0; grading draws one)")

    p = sub.add_parser("report", help="figures and statistics from a grading run")
    p.add_argument("out", type=Path, help="the --out folder of a grading run")
    p.add_argument("--top", type=int, default=5, help="failure messages shown per exercise (default 5)")

    p = sub.add_parser("demo", help="grade the bundled example class end to end")
    p.add_argument("--chapter", default=None, help="chapter to demonstrate (default: ch16 if written, else the toy)")
    p.add_argument("--out", type=Path, default=Path("demo-out"))
    p.add_argument("--workers", type=int, default=None)

    p = sub.add_parser("throughput", help="grading throughput: this grader vs stock nbgrader autograde")
    p.add_argument("chapter", nargs="?", default="toy")
    p.add_argument("-n", type=int, default=6, help="submissions (default 6)")
    p.add_argument("--workers", type=int, default=2)

    p = sub.add_parser("bench", help="time and peak memory per notebook, and grading overhead")
    p.add_argument("chapters", nargs="*")
    p.add_argument("--out", type=Path, default=Path("bench-out"))
    p.add_argument("--no-stock", action="store_true", help="skip the comparison with stock nbgrader autograde")
    p.add_argument("-n", type=int, default=3, help="copies of each solution graded under each plan (default 3)")
    p.add_argument("--class-size", type=int, default=10,
                   help="submissions graded by this grader (2 workers) and by stock nbgrader (default 10)")
    p.add_argument("--scale", type=int, default=1000, metavar="N",
                   help="toy class graded through Dask for the scale section (default 1000; 0 to skip)")

    p = sub.add_parser("leaks", help="prove no demo or visible test in a student notebook solves an exercise")
    p.add_argument("chapters", nargs="*")
    p.add_argument("--student-notebook", type=Path, default=None, help="check this student notebook instead")

    p = sub.add_parser("sweep", help="run every solution notebook under environments that stand in for other machines")
    p.add_argument("chapters", nargs="*")
    p.add_argument("--env", action="append", help="environments (default: all; see autograder/sweep.py)")
    p.add_argument("--jobs", type=int, default=2, help="notebooks run at once (default 2)")

    args = parser.parse_args(argv)
    if args.command == "release":
        from autograder.release import release
        release(args.chapters or None)
    elif args.command == "grade":
        from autograder.grade import grade
        from autograder import late
        try:
            policy = late.make_policy(args.late_policy, args.deadline, args.late_cap, args.extensions)
            options = _options(args)
            options.show_hidden = options.show_hidden or _reveal(args.reveal_hidden_after, args.deadline)
        except ValueError as exc:
            sub.choices["grade"].error(str(exc))
        if args.scheduler and args.executor != "dask":
            parser.error(f"--scheduler {args.scheduler} needs --executor dask (the executor is {args.executor})")
        rows = grade(args.chapter, args.submissions, args.out, args.workers, options=options,
                     gradebook_url=args.gradebook, force=args.force, executor_name=args.executor,
                     scheduler=args.scheduler, policy=policy, only=args.only)
        if any("interrupted" in r.flags for r in rows):
            return 130                # stopped by Ctrl-C: what finished is written, the rest is not graded

    elif args.command == "export":
        from autograder.export import ExportError, export
        try:
            print(export(args.out, args.format, args.output, roster=args.roster, column=args.column,
                         gradebook_url=args.gradebook))
        except ExportError as exc:
            sub.choices["export"].error(str(exc))
    elif args.command == "bank":
        from autograder.bank import check
        verdicts = check(args.chapter, args.exercises or None, seed=args.seed)
        bad = [v for v in verdicts if not v.ok]
        print(f"{len(verdicts) - len(bad)}/{len(verdicts)} answers judged as expected")
        return 1 if bad else 0
    elif args.command == "report":
        from autograder.report import report
        report(args.out, top=args.top)
    elif args.command == "demo":
        from autograder.demo import demo
        return demo(args.out, args.workers, args.chapter)
    elif args.command == "throughput":
        import json
        from autograder.throughput import throughput
        print(json.dumps(throughput(args.chapter, args.n, args.workers), indent=2))
    elif args.command == "leaks":
        from autograder import leaks
        from autograder.settings import chapters
        found = []
        for chapter in args.chapters or [c for c in chapters() if c != "ch00_start_here"]:
            found += leaks.check(chapter, student_path=args.student_notebook)
        bad = [f for f in found if f.earned_full_marks]
        print(f"{len(found)} (exercise, function) pairs tried; {len(bad)} would earn full marks")
        return 1 if bad else 0
    elif args.command == "sweep":
        from autograder import sweep
        envs = args.env or list(sweep.ENVIRONMENTS)
        unknown = [e for e in envs if e not in sweep.ENVIRONMENTS]
        if unknown:
            parser.error(f"unknown environment {unknown[0]!r}; choose from {', '.join(sweep.ENVIRONMENTS)}")
        table = sweep.sweep(args.chapters or None, envs, args.jobs)
        print("\n" + sweep.format_table(table, envs))
        return 0 if all(not f for row in table.values() for f in row.values()) else 1
    elif args.command == "bench":
        from autograder.bench import bench
        bench(args.chapters or None, args.out, stock=not args.no_stock, n_submissions=args.n, scale=args.scale,
              class_size=args.class_size)
    return 0
