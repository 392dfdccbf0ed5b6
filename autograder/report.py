"""`python -m autograder report OUT`: class analytics from a grading run's folder.

Reads OUT/grades.csv and OUT/results/*.json (each test's failure message) and writes to OUT/report/:
  score_distribution.png   how the class scored (graded submissions), with the maximum marked
  pass_rates.png           per exercise, the share of graded students who passed all its tests
  failure_messages.png     per exercise, the most common failure messages (what to re-teach)
  test_stats.csv           per test: points, how many passed, mean points, most common failure
  failure_messages.csv     every (exercise, test, message, count)
"""
from __future__ import annotations

import csv
import json
import re
from collections import Counter
from pathlib import Path

from autograder import safe
from autograder.grade import FIXED_COLUMNS, TOTAL_COLUMNS

FIXED = tuple(FIXED_COLUMNS + TOTAL_COLUMNS)


def _manual(chapter: str) -> dict:
    """The answers graded by hand (their columns in grades.csv are not tests)."""
    try:
        from autograder.grade import manual_ids
        return manual_ids(chapter)
    except Exception:
        return {}


def _exercise_of(test_id: str, exercises: list[str]) -> str:
    owners = [e for e in exercises if test_id.startswith(e + "_") or test_id == e]
    return max(owners, key=len) if owners else re.sub(r"_tests?(_\w+)?$", "", test_id)


def _exercises(chapter: str) -> list[str]:
    try:
        from autograder import notebooks as nbs
        from autograder.settings import solution_path
        source = nbs.read(solution_path(chapter))
        return [nbs.grade_id(c) for c in source.cells if nbs.is_solution_cell(c) and c.cell_type == "code"]
    except Exception:
        return []


def load(out: Path) -> tuple[list[dict], list[str], dict]:
    """(rows of grades.csv, test ids, {student: {test: message}})."""
    with (out / "grades.csv").open(encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        rows = list(reader)
        manual = _manual(rows[0]["assignment"]) if rows else {}
        tests = [c for c in reader.fieldnames or [] if c not in FIXED and c not in manual]
    by_id = {}              # grades.csv shows each id as safe.csv_cell made it
    for path in (out / "results").glob("*.json"):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            by_id[safe.csv_cell(str(data["student_id"]))] = data.get("messages") or {}
        except (OSError, ValueError, KeyError, AttributeError, TypeError):
            continue
    messages = {row["student_id"]: by_id.get(row["student_id"], {}) for row in rows}
    return rows, tests, messages


def statistics(rows, tests, messages, exercises) -> tuple[list[dict], list[dict]]:
    graded = [r for r in rows if r["status"] == "graded"]
    stats, failures = [], []
    for test in tests:
        earned = [float(r[test]) for r in graded]
        maximum = max([float(m) for m in earned] + [0.0])
        msgs = Counter(" ".join(messages[r["student_id"]].get(test, "").split())[:200] for r in graded
                       if messages[r["student_id"]].get(test))
        passed = sum(1 for r in graded if not messages[r["student_id"]].get(test) and float(r[test]) > 0)
        exercise = _exercise_of(test, exercises)
        top = msgs.most_common(1)
        stats.append({"test_id": test, "exercise": exercise, "max_points_seen": f"{maximum:g}",
                      "graded": len(graded), "passed": passed,
                      "pass_rate": f"{passed / len(graded):.3f}" if graded else "",
                      "mean_points": f"{sum(earned) / len(earned):.3f}" if earned else "",
                      "top_failure": top[0][0] if top else "", "top_failure_count": top[0][1] if top else 0})
        failures += [{"exercise": exercise, "test_id": test, "message": m, "count": n} for m, n in msgs.most_common()]
    return stats, failures


def _write_csv(path: Path, items: list[dict], fields: list[str]) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = safe.csv_dict_writer(fh, fields)
        writer.writeheader()
        writer.writerows(items)


def figures(folder: Path, rows, stats, failures, top: int, chapter: str) -> list[Path]:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import seaborn as sns
    sns.set_theme(style="whitegrid", palette="colorblind")
    written = []
    graded = [r for r in rows if r["status"] == "graded"]

    fig, ax = plt.subplots(figsize=(7, 4))
    if graded:
        scores = [float(r["score"]) for r in graded]
        maximum = float(graded[0]["max_score"])
        whole = all(float(x).is_integer() for x in scores + [maximum]) and maximum <= 60
        sns.histplot(x=scores, discrete=whole, bins="auto" if whole else 20, binrange=None if whole else (0, maximum),
                     ax=ax, color="#0072B2")
        ax.axvline(maximum, color="#D55E00", linestyle="--", label=f"maximum ({maximum:g})")
        ax.legend()
    else:
        ax.text(0.5, 0.5, "no graded submissions", ha="center", transform=ax.transAxes)
    failed = len(rows) - len(graded)
    ax.set(title=f"{chapter}: score distribution\n({len(graded)} graded, {failed} failed)", xlabel="score",
           ylabel="students")
    from matplotlib.ticker import MaxNLocator
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    written.append(_save(fig, folder / "score_distribution.png"))

    by_exercise: dict[str, list] = {}
    for r in graded:
        for s in stats:
            by_exercise.setdefault(s["exercise"], {}).setdefault(r["student_id"], []).append(
                float(r[s["test_id"]]) > 0)
    names = sorted(by_exercise)
    rates = [sum(all(v) for v in by_exercise[e].values()) / max(len(by_exercise[e]), 1) for e in names]
    fig, ax = plt.subplots(figsize=(7, 0.5 * max(len(names), 2) + 1.5))
    if names:
        sns.barplot(x=rates, y=names, hue=names, palette="viridis", legend=False, ax=ax, orient="h")
        for i, rate in enumerate(rates):
            ax.text(min(rate + 0.01, 0.95), i, f"{rate:.0%}", va="center")
    ax.set(xlim=(0, 1), title=f"{chapter}\nshare of graded students passing every test of an exercise",
           xlabel="pass rate", ylabel="exercise")
    written.append(_save(fig, folder / "pass_rates.png"))

    per_ex: dict[str, Counter] = {}
    unsolved: Counter = Counter()
    for f in failures:
        if is_unsolved(f["message"]):
            unsolved[f["exercise"]] += f["count"]
        else:
            per_ex.setdefault(f["exercise"], Counter())[f["message"]] += f["count"]
    shown = [e for e in sorted(per_ex) if per_ex[e]]
    panels = max(len(shown), 1) + bool(unsolved)
    fig, axes = plt.subplots(panels, 1, figsize=(11, 1.6 + 0.75 * top * panels), squeeze=False)
    import textwrap
    from matplotlib.ticker import MaxNLocator
    for ax, exercise in zip(axes[:, 0], shown):
        common = per_ex[exercise].most_common(top)
        labels = [textwrap.fill(m if len(m) <= 110 else m[:107] + "...", 55) for m, _ in common]
        sns.barplot(x=[n for _, n in common], y=labels, hue=labels, palette="cividis", legend=False, ax=ax, orient="h")
        ax.set(title=f"{exercise}: wrong answers", xlabel="students", ylabel="")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    if not shown:
        axes[0, 0].text(0.5, 0.5, "no wrong answers", ha="center", transform=axes[0, 0].transAxes)
        axes[0, 0].set(xlabel="students", ylabel="message")
    if unsolved:
        ax = axes[-1, 0]
        names = sorted(unsolved)
        sns.barplot(x=[unsolved[n] for n in names], y=names, color="#999999", ax=ax, orient="h")
        ax.set(title="not answered yet (NotImplementedError)", xlabel="students", ylabel="")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    fig.suptitle(f"{chapter}: what to re-teach (most common failure messages per exercise)")
    fig.tight_layout(rect=(0, 0, 1, 0.97))
    written.append(_save(fig, folder / "failure_messages.png"))
    return written


def is_unsolved(message: str) -> bool:
    """A test that failed because the exercise was never answered, not because the answer was wrong."""
    return message.startswith(("not answered yet", "NotImplementedError"))


def _save(fig, path: Path) -> Path:
    if not fig.get_tight_layout() and not getattr(fig, "_suptitle", None):
        fig.tight_layout()
    fig.savefig(path, dpi=110)
    import matplotlib.pyplot as plt
    plt.close(fig)
    return path


def report(out: Path, top: int = 5, log=print) -> Path:
    out = Path(out)
    if not (out / "grades.csv").exists():
        raise SystemExit(f"{out / 'grades.csv'} not found: run `python -m autograder grade ... --out {out}` first")
    rows, tests, messages = load(out)
    chapter = rows[0]["assignment"] if rows else "?"
    stats, failures = statistics(rows, tests, messages, _exercises(chapter))
    folder = out / "report"
    folder.mkdir(exist_ok=True)
    _write_csv(folder / "test_stats.csv", stats, list(stats[0]) if stats else ["test_id"])
    _write_csv(folder / "failure_messages.csv", failures, ["exercise", "test_id", "message", "count"])
    paths = figures(folder, rows, stats, failures, top, chapter)
    log(f"report for {len(rows)} submission(s) in {folder}: " + ", ".join(p.name for p in paths)
        + ", test_stats.csv, failure_messages.csv")
    return folder
