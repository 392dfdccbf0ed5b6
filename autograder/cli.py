"""Command line: one command per instructor action."""
from __future__ import annotations

import argparse
from pathlib import Path


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m autograder", description="Course autograder (nbgrader-based).")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("release", help="regenerate notebooks/ from solutions/")
    p.add_argument("chapters", nargs="*", help="chapter ids (default: all)")

    p = sub.add_parser("grade", help="grade a folder of submissions")
    p.add_argument("chapter")
    p.add_argument("--submissions", required=True, type=Path, help="folder of <student_id>/<chapter>.ipynb")
    p.add_argument("--out", required=True, type=Path, help="folder for grades.csv, feedback/ and the log")
    p.add_argument("--workers", type=int, default=None, help="parallel submissions (default: CPU cores)")

    p = sub.add_parser("report", help="figures and statistics from a grading run")
    p.add_argument("out", type=Path)

    p = sub.add_parser("demo", help="grade the bundled example class end to end")
    p.add_argument("--out", type=Path, default=Path("demo-out"))
    p.add_argument("--workers", type=int, default=None)

    p = sub.add_parser("bench", help="time and peak memory per notebook, and grading overhead")
    p.add_argument("chapters", nargs="*")
    p.add_argument("--out", type=Path, default=Path("bench-out"))

    args = parser.parse_args(argv)
    if args.command == "release":
        from autograder.release import release
        release(args.chapters or None)
    elif args.command == "grade":
        from autograder.grade import grade
        if not args.submissions.is_dir():
            parser.error(f"--submissions {args.submissions} is not a folder")
        grade(args.chapter, args.submissions, args.out, args.workers)
    elif args.command == "report":
        from autograder.report import report
        report(args.out)
    elif args.command == "demo":
        from autograder.demo import demo
        demo(args.out, args.workers)
    elif args.command == "bench":
        from autograder.bench import bench
        bench(args.chapters or None, args.out)
    return 0
