"""The grading batch end to end on a small class: rows, gradebook, feedback, re-runs, report, demo."""
from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
TOY = ROOT / "tests" / "fixtures" / "toycourse"
SOLUTION = TOY / "solutions" / "toy" / "toy.ipynb"
RELEASE = TOY / "notebooks" / "toy" / "toy.ipynb"
ENV = dict(os.environ, AUTOGRADER_COURSE_ROOT=str(TOY))

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("grader_batch")]


def autograder(*args: str) -> subprocess.CompletedProcess:
    done = subprocess.run([sys.executable, "-m", "autograder", *args], cwd=ROOT, env=ENV, capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    return done


def rows(out: Path) -> dict:
    with (out / "grades.csv").open(encoding="utf-8") as fh:
        return {r["student_id"]: r for r in csv.DictReader(fh)}


def _student(folder: Path, add: str | None = None, source: Path = RELEASE) -> None:
    nb = nbformat.read(str(source), as_version=4)
    if add is not None:
        for cell in nb.cells:
            if cell.metadata.get("nbgrader", {}).get("grade_id") == "toy_add":
                cell.source = add
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(folder / "toy.ipynb"))


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """The demo class of the toy course, graded by `python -m autograder demo`, then graded again."""
    tmp = tmp_path_factory.mktemp("batch")
    demo = autograder("demo", "--chapter", "toy", "--out", str(tmp / "demo"), "--workers", "2")
    subs, out = tmp / "demo" / "submissions", tmp / "demo" / "grades"
    first_rows = rows(out)
    second = autograder("grade", "toy", "--submissions", str(subs), "--out", str(out), "--workers", "2")
    return tmp, subs, out, demo, first_rows, second


def test_demo_prints_where_the_results_are(graded):
    printed = graded[3].stdout
    for what in ("grades.csv", "feedback", "gradebook.db", "review.csv", "report"):
        assert what in printed, what


def test_rows_scores_and_columns(graded):
    _, subs, out, _, first_rows, _ = graded
    expected = {"correct_reference": 7.0, "correct_bank": 7.0, "partial": 2.0, "blank": 0.0,
                "misconceptions_1": 0.0, "misconceptions_2": 0.0, "renamed_notebook": 7.0,
                "utf16_encoding": 7.0, "zipped_submission": 7.0}
    assert {k: float(first_rows[k]["score"]) for k in expected} == expected
    assert first_rows["broken_json"]["status"] == "failed" and first_rows["broken_missing"]["status"] == "failed"
    assert set(first_rows) == {p.stem for p in subs.iterdir()}
    hostile = {k: r for k, r in first_rows.items() if k.startswith("hostile_")}
    assert len(hostile) >= 4 and all(float(r["score"]) == 0 for r in hostile.values())
    assert all("suspicious_code" in r["flags"] for r in hostile.values())
    assert "tampered" in hostile["hostile_blanks_later_cells"]["flags"]
    honest = [r for k, r in first_rows.items() if k.startswith(("correct", "partial", "blank", "misconceptions"))]
    assert not any("tampered" in r["flags"] or "suspicious" in r["flags"] for r in honest), honest
    with (out / "grades.csv").open() as fh:
        header = next(csv.reader(fh))
    assert header == ["student_id", "assignment", "status", "score", "max_score", "flags", "submitted_at",
                      "late_penalty", "manual_score", "total", "max_total",
                      "toy_add_tests", "toy_mean_tests", "toy_scale_tests", "toy_manual_why"]


def test_a_warning_on_stderr_costs_nothing(graded):
    assert graded[4]["correct_reference"]["toy_mean_tests"] == "3"


def test_progress_line_and_isolation_are_reported(graded):
    printed = graded[3].stdout
    assert "[####" in printed and "isolation:" in printed and "eta" in printed


def test_rerun_skips_unchanged_submissions(graded):
    _, _, out, _, first_rows, second = graded
    graded_before = sum(r["status"] == "graded" for r in first_rows.values())
    assert second.stdout.count("(cached)") == graded_before, second.stdout
    assert rows(out) == first_rows


def test_changed_submission_is_graded_again(graded, tmp_path):
    tmp, subs, out, *_ = graded
    copy_subs, copy_out = tmp_path / "subs", tmp_path / "out"
    shutil.copytree(subs, copy_subs, symlinks=True)
    shutil.copytree(out, copy_out)
    _student(copy_subs / "blank", add="def add(a, b):\n    return b + a\n")
    done = autograder("grade", "toy", "--submissions", str(copy_subs), "--out", str(copy_out), "--workers", "1")
    graded_before = sum(r["status"] == "graded" for r in graded[4].values())
    assert done.stdout.count("(cached)") == graded_before - 1, done.stdout
    assert float(rows(copy_out)["blank"]["score"]) == 2.0


def test_gradebook_holds_the_scores(graded):
    from nbgrader.api import Gradebook
    out = graded[2]
    with Gradebook(f"sqlite:///{out / 'gradebook.db'}") as gb:
        assert gb.find_submission("toy", "correct_reference").code_score == 7
        assert gb.find_submission("toy", "partial").code_score == 2
        assert gb.find_grade("toy_manual_why", "toy", "toy", "partial").needs_manual_grade


def test_feedback_hides_hidden_tests_but_keeps_their_messages(graded):
    out = graded[2]
    page = (out / "feedback" / "misconceptions_1" / "toy.html").read_text(encoding="utf-8")
    assert "### BEGIN HIDDEN TESTS" not in page and "mean([1, 1, 4])" not in page   # hidden source hidden
    assert "add(1, 2) should be 3" in page                    # the visible test source is shown
    messages = json.loads((out / "results" / "misconceptions_1.json").read_text())["messages"]
    hidden_failures = [m for m in messages.values() if "negative" in m or "floor division" in m]
    assert hidden_failures and all(m.split(": ", 1)[-1] in page for m in hidden_failures)   # their messages shown


def test_feedback_can_show_hidden_tests():
    from autograder import feedback, notebooks as nbs
    from autograder.judge import Outcome
    nb = nbs.read(SOLUTION)
    outcome = Outcome({"toy_mean_tests": 0.0}, {"toy_mean_tests": 3.0}, {"toy_mean_tests": "wrong"})
    assert "floor division" in feedback.render("x", "toy", nb, outcome, [], show_hidden=True)
    assert "floor division" not in feedback.render("x", "toy", nb, outcome, [])


def test_report_writes_figures_and_statistics(graded):
    out = graded[2]
    folder = out / "report"                                   # written by the demo
    for name in ("score_distribution.png", "pass_rates.png", "failure_messages.png", "test_stats.csv",
                 "failure_messages.csv"):
        assert (folder / name).stat().st_size > 0, name
    with (folder / "test_stats.csv").open() as fh:
        stats = {r["test_id"]: r for r in csv.DictReader(fh)}
    assert stats["toy_add_tests"]["exercise"] == "toy_add" and int(stats["toy_add_tests"]["passed"]) >= 5
    assert stats["toy_mean_tests"]["top_failure"]


def test_results_cache_records_messages(graded):
    data = json.loads((graded[2] / "results" / "blank.json").read_text())
    assert data["messages"]["toy_add_tests"].startswith("not answered yet")
    assert data["key"]
