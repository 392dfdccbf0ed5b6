"""The instructor's round trip with real `python -m autograder` processes and the toy course (issues 16 and 18).

Two small batches are graded once each and then re-run (cached: nothing executes again):
- a Canvas "Download submissions" zip built from Canvas's documented file names: a late upload, a resubmission
  (`-1`), an anonymous id, names with a comma and an apostrophe, a non-ASCII name, a name that is a spreadsheet
  formula, a non-notebook upload;
- a Moodle download in both its forms (folder per student, flat prefixed files) beside a plain student folder,
  a loose Canvas-named notebook and a loose text file, with answers that fail in the ways instructors met
  (a syntax error, a Keras-style failure with colour codes and a huge array).
Then: late penalties and extensions applied and re-applied without re-execution, a score given by hand through
nbgrader's gradebook API (as formgrader does) in grades.csv and the exports, every export re-read column by
column, `--only` touching only its students, and bad input answered by a message, never a traceback.
"""
from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
TOY = ROOT / "tests" / "fixtures" / "toycourse"
SOLUTION = TOY / "solutions" / "toy" / "toy.ipynb"
RELEASE = TOY / "notebooks" / "toy" / "toy.ipynb"
ENV = dict(os.environ, AUTOGRADER_COURSE_ROOT=str(TOY), PYTHONPATH=str(ROOT))
FORMULA_NAME = "=HYPERLINK(x)"

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("grader_instructor")]


def autograder(*args: str, ok: bool = True) -> subprocess.CompletedProcess:
    done = subprocess.run([sys.executable, "-m", "autograder", *map(str, args)], cwd=ROOT, env=ENV,
                          capture_output=True, text=True, timeout=300)
    if ok:
        assert done.returncode == 0, f"rc {done.returncode}\n{done.stderr[-4000:]}\n{done.stdout[-2000:]}"
    return done


def grade(subs, out, *extra) -> subprocess.CompletedProcess:
    return autograder("grade", "toy", "--submissions", subs, "--out", out, "--workers", "2", *extra)


def rows(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def by_id(path: Path, key: str = "student_id") -> dict:
    return {r[key]: r for r in rows(path)}


def notebook(answers: dict | None = None, source: Path = SOLUTION) -> bytes:
    nb = nbformat.read(str(source), as_version=4)
    for cell in nb.cells:
        gid = cell.metadata.get("nbgrader", {}).get("grade_id")
        if answers and gid in answers:
            cell.source = answers[gid]
    return nbformat.writes(nb).encode("utf-8")


CANVAS_FILES = {        # Canvas's names: <sortablename>_[LATE_]<user id>_<attachment id>_<original file name>
    "doejane_LATE_2001_9001_toy.ipynb": notebook(),
    "smithjohn_2002_9002_toy.ipynb": notebook(source=RELEASE),                  # the first upload: nothing done
    "smithjohn_2002_9010_toy-1.ipynb": notebook(),                              # the resubmission: graded
    "smithjohn_2002_9011_notes.txt": b"my notes",
    "o'brien, sean_2003_9003_My Homework.ipynb": notebook(),
    "Ångström Zoë_2004_9004_toy.ipynb": notebook({"toy_add": "def add(a, b):\n    return a - b"}),
    "anonymous_Xa7Q2_9005_toy.ipynb": notebook(),
    f"{FORMULA_NAME}_2006_9006_toy.ipynb": notebook(),
}
HIDDEN_CODE = "fixture(1, size=2)"       # a line of a hidden test of the toy chapter
CANVAS_IDS = {"2001", "2002", "2003", "2004", "Xa7Q2", "2006"}
KERAS_LIKE = ("def mean(xs):\n    import numpy as np\n    raise ValueError('\\x1b[1m\\x1b[31mInput 0 of layer \"dense\" is "
              "incompatible\\x1b[0m: found ' + str(np.arange(2000.0).reshape(40, 50)) + ' of shape (40, 50)')")


@pytest.fixture(scope="module")
def canvas(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("canvas")
    archive = tmp / "submissions.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for name, data in CANVAS_FILES.items():
            zf.writestr(name, data)
    out = tmp / "out"
    first = grade(archive, out)
    return tmp, archive, out, first


@pytest.fixture(scope="module")
def moodle(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("moodle")
    subs = tmp / "submissions"
    folder = subs / "Ana María Pérez_3001_assignsubmission_file_"
    folder.mkdir(parents=True)
    (folder / "toy.ipynb").write_bytes(notebook({"toy_add": "def add(a, b)\n    return a + b"}))   # syntax error
    (subs / "Bob Lee_3002_assignsubmission_file_toy.ipynb").write_bytes(notebook({"toy_mean": KERAS_LIKE}))
    (subs / "carol").mkdir()
    (subs / "carol" / "toy.ipynb").write_bytes(notebook())
    (subs / "daviddoe_4001_9100_toy.ipynb").write_bytes(notebook())         # loose at the top, named by Canvas
    (subs / "readme.txt").write_text("not a submission")
    out = tmp / "out"
    first = grade(subs, out)
    return subs, out, first


# --------------------------------------------------------------------------- submissions from the LMS

def test_canvas_zip_one_row_per_student_with_canvas_ids(canvas):
    _, _, out, first = canvas
    got = by_id(out / "grades.csv")
    assert len(got) == len(CANVAS_IDS)
    assert "Canvas" in first.stdout                                        # the layout found is said
    assert got["2001"]["score"] == "7" and got["2003"]["score"] == "7" and got["Xa7Q2"]["score"] == "7"
    assert got["2004"]["toy_add_tests"] == "0" and got["2004"]["toy_mean_tests"] == "3"
    assert got["2002"]["score"] == "7" and "several_submissions" in got["2002"]["flags"]   # the newest, -1
    assert got["2001"]["submitted_at"] == "late (time unknown)"
    students = json.loads((out / "students.json").read_text(encoding="utf-8"))
    assert students["2003"]["name"] == "o'brien, sean" and students["2004"]["name"] == "Ångström Zoë"
    assert students["2006"]["name"] == FORMULA_NAME
    assert sorted(p.name for p in (out / "feedback").iterdir()) == sorted(CANVAS_IDS)   # ids, never names
    assert HIDDEN_CODE not in (out / "feedback" / "2003" / "toy.html").read_text(encoding="utf-8")


def test_every_file_not_graded_is_listed_with_its_reason(canvas, moodle):
    printed, log = canvas[3].stdout, (canvas[2] / "grading.log").read_text(encoding="utf-8")
    for name in ("smithjohn_2002_9002_toy.ipynb", "smithjohn_2002_9011_notes.txt"):
        assert name in printed and name in log
    assert "older upload" in log
    subs, out, first = moodle
    got = by_id(out / "grades.csv")
    assert set(got) == {"3001", "3002", "carol", "4001"}                  # the loose Canvas file got a row
    assert "readme.txt: a file outside any student folder" in first.stdout
    assert "not graded: readme.txt" in (out / "grading.log").read_text(encoding="utf-8")


def test_summary_table_after_the_batch(canvas):
    printed = canvas[3].stdout
    for part in ("summary", "rows ", "graded ", "flag several_submissions", "scores (of 7)", "100%", "slowest",
                 "files not graded"):
        assert part in printed, part


def test_moodle_folder_and_flat_forms_and_failures_explained(moodle):
    subs, out, _ = moodle
    got = by_id(out / "grades.csv")
    assert got["3002"]["toy_add_tests"] == "2" and got["3002"]["toy_mean_tests"] == "0"
    assert "syntax_error" in got["3001"]["flags"]
    result = json.loads((out / "results" / "3001.json").read_text(encoding="utf-8"))
    assert "syntax error" in result["messages"]["toy_add_tests"]
    keras = json.loads((out / "results" / "3002.json").read_text(encoding="utf-8"))["messages"]["toy_mean_tests"]
    assert "\x1b" not in keras and "[0m" not in keras and len(keras) < 300 and "float values" in keras, keras
    page = (out / "feedback" / "3002" / "toy.html").read_text(encoding="utf-8")
    assert "\x1b" not in page and "float values" in page
    assert "toy_mean_tests: " in (out / "grading.log").read_text(encoding="utf-8")   # each failed test's reason


def test_model_answers_only_in_autograded(canvas):
    out = canvas[2]
    for_formgrader = (out / "autograded" / "2003" / "toy" / "toy.ipynb").read_text(encoding="utf-8")
    assert "Model answer (instructor only)" in for_formgrader and "Rayleigh scattering." in for_formgrader
    assert "Model answer" not in (out / "executed" / "2003" / "toy.ipynb").read_text(encoding="utf-8")
    assert "Model answer" not in (out / "feedback" / "2003" / "toy.html").read_text(encoding="utf-8")


# --------------------------------------------------------------------------- late work, hand grades, exports

def _results_mtimes(out: Path) -> dict:
    return {p.name: p.stat().st_mtime_ns for p in (out / "results").glob("*.json")}


def test_late_policy_extensions_hand_grades_exports_and_only(canvas, tmp_path):
    tmp, archive, out, _ = canvas
    before = _results_mtimes(out)
    late = ("--deadline", "2026-01-10T23:59:00Z", "--late-policy", "per-day:10", "--late-cap", "30")
    second = grade(archive, out, *late)
    assert second.stdout.count("(cached)") == len(CANVAS_IDS) and _results_mtimes(out) == before  # nothing ran
    got = by_id(out / "grades.csv")
    assert got["2001"]["late_penalty"] == "0.7" and got["2001"]["total"] == "6.3"
    assert got["2003"]["late_penalty"] == "0"
    page = (out / "feedback" / "2001" / "toy.html").read_text(encoding="utf-8")
    assert "10% of the earned points" in page
    assert HIDDEN_CODE in page                        # past the deadline: hidden tests' code shown, nothing re-run
    from nbgrader.api import Gradebook
    url = f"sqlite:///{out / 'gradebook.db'}"
    with Gradebook(url) as gb:
        assert gb.find_submission_notebook("toy", "toy", "2001").late_submission_penalty == pytest.approx(0.7)

    extensions = tmp_path / "extensions.csv"                  # 2001 gets a week more: the penalty goes
    extensions.write_text("student_id,deadline\n2001,2026-01-17T23:59:00Z\n", encoding="utf-8")
    third = grade(archive, out, *late, "--extensions", extensions)
    assert third.stdout.count("(cached)") == len(CANVAS_IDS) and _results_mtimes(out) == before
    assert by_id(out / "grades.csv")["2001"]["late_penalty"] == "0"
    assert "late:" not in (out / "feedback" / "2001" / "toy.html").read_text(encoding="utf-8")

    with Gradebook(url) as gb:                                 # what formgrader does when the grader scores by hand
        grade_ = gb.find_grade("toy_manual_why", "toy", "toy", "2003")
        grade_.manual_score = 1.0
        gb.db.commit()
    roster = tmp_path / "canvas_roster.csv"                    # as Canvas's Grades > Export writes it
    roster.write_text("Student,ID,SIS User ID,SIS Login ID,Section,toy (77001),Other (77002)\n"
                      "    Points Possible,,,,,8,10\n"
                      "\"Doe, Jane\",2001,s1,jdoe,A,,5\n\"O'Brien, Sean\",2003,s3,sobrien,A,,5\n"
                      "\"Never, Handed\",2099,s9,nhanded,B,,5\n", encoding="utf-8")
    canvas_csv = tmp_path / "canvas.csv"
    autograder("export", out, "--format", "canvas", "--roster", roster, "--output", canvas_csv)
    exported = rows(canvas_csv)
    assert list(exported[0]) == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "toy (77001)"]
    assert exported[0]["Student"].strip() == "Points Possible" and exported[0]["toy (77001)"] == "8"
    table = {r["ID"]: r for r in exported[1:]}
    assert table["2003"]["toy (77001)"] == "8" and table["2003"]["SIS Login ID"] == "sobrien"   # 7 auto + 1 by hand
    assert table["2001"]["toy (77001)"] == "7" and table["2099"]["toy (77001)"] == "0"
    assert table["2006"]["Student"] == "'" + FORMULA_NAME                                 # added, neutralised
    got = by_id(out / "grades.csv")                             # export read the hand grade back into grades.csv
    assert got["2003"]["manual_score"] == "1" and got["2003"]["total"] == "8" and got["2003"]["toy_manual_why"] == "1"
    assert got["2001"]["manual_score"] == ""

    worksheet = tmp_path / "worksheet.csv"                     # Moodle's grading worksheet, ids are Canvas's here
    worksheet.write_text("Identifier,Full name,Email address,Status,Grade,Maximum Grade,Last modified (grade)\n"
                         "Participant 2003,Sean O'Brien,s@x.org,Submitted,,8,-\n"
                         "Participant 2098,Nobody,n@x.org,No submission,,8,-\n", encoding="utf-8")
    moodle_csv = tmp_path / "moodle.csv"
    autograder("export", out, "--format", "moodle", "--roster", worksheet, "--output", moodle_csv)
    sheet = rows(moodle_csv)
    assert list(sheet[0]) == ["Identifier", "Full name", "Email address", "Status", "Grade", "Maximum Grade",
                              "Last modified (grade)"]
    assert [(r["Identifier"], r["Grade"], r["Last modified (grade)"]) for r in sheet] == [
        ("Participant 2003", "8", "-"), ("Participant 2098", "0", "-")]

    plain = tmp_path / "plain.csv"
    ids = tmp_path / "ids.csv"
    ids.write_text("student_id,name\n2003,Sean\n2097,Absent\n", encoding="utf-8")
    autograder("export", out, "--format", "csv", "--roster", ids, "--output", plain)
    table = by_id(plain)
    assert table["2097"]["total"] == "0" and table["2097"]["flags"] == "missing_notebook"
    assert table["2003"]["manual_score"] == "1" and table["2003"]["total"] == "8"
    assert "not_in_roster" in table["2001"]["flags"]
    assert table["2006"]["name"] == "'" + FORMULA_NAME
    raw = plain.read_text(encoding="utf-8")
    assert "\n=" not in raw and ",=" not in raw and '"=' not in raw

    feedback = tmp_path / "canvas_feedback.zip"
    autograder("export", out, "--format", "canvas-feedback", "--output", feedback)
    names = zipfile.ZipFile(feedback).namelist()
    assert "doejane_2001_9001_toy_feedback.html" in names and len(names) == len(CANVAS_IDS)
    feedback = tmp_path / "moodle_feedback.zip"
    autograder("export", out, "--format", "moodle-feedback", "--output", feedback)
    assert "o'brien, sean_2003_assignfeedback_file_/toy_feedback.html" in zipfile.ZipFile(feedback).namelist()

    with Gradebook(url) as gb:
        grade_ = gb.find_grade("toy_add_tests", "toy", "toy", "2004")
        auto_before = grade_.auto_score
    before = _results_mtimes(out)
    only = grade(archive, out, "--only", "2003")
    after = _results_mtimes(out)
    assert [k for k in before if before[k] != after[k]] == ["2003.json"]
    assert "(cached)" in only.stdout and only.stdout.count(" s) eta") >= 1
    got = by_id(out / "grades.csv")
    assert len(got) == len(CANVAS_IDS) and got["2004"]["toy_add_tests"] == "0" and got["2003"]["manual_score"] == "1"
    with Gradebook(url) as gb:
        assert gb.find_grade("toy_add_tests", "toy", "toy", "2004").auto_score == auto_before


# --------------------------------------------------------------------------- bad input

def test_bad_input_gets_a_message_not_a_traceback(canvas, tmp_path):
    _, archive, out, _ = canvas
    a_file = tmp_path / "a_file"
    a_file.write_text("x")
    cases = [
        (["grade", "no_such_chapter", "--submissions", archive, "--out", tmp_path / "o"], "choose one of toy"),
        (["grade", "toy", "--submissions", archive, "--out", a_file], "is a file: expected a folder"),
        (["grade", "toy", "--submissions", a_file, "--out", tmp_path / "o"], "not a zip"),
        (["grade", "toy", "--submissions", archive, "--out", tmp_path / "o", "--late-policy", "weekly"],
         "choose one of none, zero, per-day:PCT, per-hour:PCT"),
        (["grade", "toy", "--submissions", archive, "--out", out, "--only", "2O03"], "did you mean '2003'"),
        (["export", a_file, "--format", "csv", "--output", tmp_path / "x.csv"], "expected the --out folder"),
    ]
    for args, expected in cases:
        done = autograder(*args, ok=False)
        assert done.returncode != 0 and expected in done.stderr, (args, done.stderr)
        assert "Traceback" not in done.stderr, done.stderr
    make = subprocess.run(["make", "-s", "grade"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert make.returncode != 0 and "CHAPTER=" in make.stderr and "SUBMISSIONS=" in make.stderr


# --------------------------------------------------------------------------- pieces

def test_messages_are_plain_and_long_values_summarised():
    import numpy as np

    from autograder import sanitize
    text = "\x1b[1;31mValueError\x1b[0m: found " + str(np.arange(600.0).reshape(20, 30)) + ", shape=(20, 30)"
    plain = sanitize.message(text)
    assert "\x1b" not in plain and "[float values, shape (20, 30): 0., 1., 2., 3., ...]" in plain
    abbreviated = sanitize.message(str(np.arange(5000).reshape(50, 100)))      # NumPy's own "..." printout
    assert abbreviated == "[int values, printed abbreviated: 0, 1, 2, ...]"
    assert len(plain) < 200
    assert sanitize.message("got 3, expected [1, 2]") == "got 3, expected [1, 2]"


def test_lms_names():
    from autograder import lms
    late = lms.canvas("o'brien, sean_LATE_123_456_hw-2.ipynb")
    assert (late.student_id, late.name, late.late, late.order, late.file) == ("123", "o'brien, sean", True, (456, 2),
                                                                              "hw-2.ipynb")
    assert lms.canvas("anonymous_Xa7Q2_9005_toy.ipynb").student_id == "Xa7Q2"
    assert lms.parse("Zoë Ö_55_assignsubmission_file_", is_dir=True).student_id == "55"
    assert lms.parse("Zoë Ö_55_assignsubmission_file_toy.ipynb", is_dir=False).layout == "moodle"
    assert lms.parse("alice", is_dir=True) is None and lms.parse("toy.ipynb", is_dir=False) is None


def test_late_penalties():
    from autograder import late
    policy = late.make_policy("per-hour:5", "2026-01-01T00:00:00+01:00", cap=20)
    assert late.penalty(policy, "a", "2025-12-31T22:59:00+00:00", False, 10)[0] == 0
    assert late.penalty(policy, "a", "2025-12-31T23:30:00+00:00", False, 10)[0] == 0.5     # one started hour
    assert late.penalty(policy, "a", "2026-01-02T00:00:00Z", False, 10)[0] == 2.0          # capped at 20%
    assert late.penalty(policy, "a", None, False, 10) == (0.0, "")                          # time unknown, not marked
    assert late.penalty(late.make_policy("zero", "2026-01-01"), "a", None, True, 10)[0] == 10
    with pytest.raises(ValueError, match="per-day:PCT"):
        late.parse_policy("per-day:abc")


def test_relative_timeouts(tmp_path):
    from autograder import cli, grade
    assert cli.parse_timeout("10x")[1] == 10.0 and cli.parse_timeout("900") == (900, None)
    for bad in ("0x", "-5", "fast"):
        with pytest.raises(ValueError, match="multiple of the model solution"):
            cli.parse_timeout(bad)
    solution = SOLUTION.read_bytes()
    options = grade.Options(isolation="bwrap", timeout_factor=10.0)
    (tmp_path / "solution_time.json").write_text(json.dumps({grade.solution_time_key(solution, options): 4.5}))
    # measured once per OUT: a re-run reuses it (no pool needed), so limits and cache keys stay the same
    assert grade.measure_solution(None, tmp_path, "toy", solution, 0, options, print, None) == 4.5


def test_submission_time_from_nbgrader_timestamp_and_newest_of_several(tmp_path):
    from autograder.submissions import find
    folder = tmp_path / "alice" / "toy"
    folder.mkdir(parents=True)
    (folder / "toy.ipynb").write_bytes(notebook())
    (folder / "timestamp.txt").write_text("2026-01-11 10:00:00.000000 UTC")
    bob = tmp_path / "bob"
    bob.mkdir()
    (bob / "draft.ipynb").write_bytes(notebook(source=RELEASE))
    (bob / "final.ipynb").write_bytes(notebook())
    os.utime(bob / "draft.ipynb", (1_000_000, 1_000_000))
    with zipfile.ZipFile(tmp_path / "carol.zip", "w") as zf:
        zf.writestr("toy.ipynb", notebook())
        zf.writestr("notes.md", "mine")
    result = find(tmp_path, "toy")
    found = {s.student_id: s for s in result.submissions}
    assert ("carol.zip:notes.md", "not the notebook graded for carol") in result.skipped
    assert ("bob/draft.ipynb", "not the notebook graded for bob") in result.skipped
    assert found["alice"].submitted_at == "2026-01-11T10:00:00+00:00"
    assert found["bob"].raw == notebook() and "several_submissions" in found["bob"].flags


def test_hidden_tests_revealed_only_after_the_given_time():
    from autograder import cli
    assert cli._reveal("2000-01-01T00:00:00Z", None) and not cli._reveal("2999-01-01T00:00:00Z", None)
    assert cli._reveal(None, "2000-01-01") and not cli._reveal(None, "2999-01-01") and not cli._reveal(None, None)
    assert cli._reveal("deadline", "2000-01-01")
    with pytest.raises(ValueError, match="needs --deadline"):
        cli._reveal("deadline", None)


def test_a_moodle_online_text_folder_is_listed_and_the_file_folder_graded(tmp_path):
    from autograder.submissions import find
    for plugin in ("file", "onlinetext"):
        (tmp_path / f"Jo Ng_77_assignsubmission_{plugin}_").mkdir()
    (tmp_path / "Jo Ng_77_assignsubmission_file_" / "toy.ipynb").write_bytes(notebook())
    (tmp_path / "Jo Ng_77_assignsubmission_onlinetext_" / "onlinetext.html").write_text("<p>hi</p>")
    (tmp_path / "Al Bo_78_assignsubmission_onlinetext_").mkdir()
    (tmp_path / "Al Bo_78_assignsubmission_onlinetext_" / "onlinetext.html").write_text("<p>no file</p>")
    found = find(tmp_path, "toy")
    subs = {s.student_id: s for s in found.submissions}
    assert subs["77"].raw == notebook() and subs["77"].name == "Jo Ng"
    assert subs["78"].raw is None and "missing_notebook" in subs["78"].flags           # still one row
    assert {p for p, _ in found.skipped} == {"Jo Ng_77_assignsubmission_onlinetext_/onlinetext.html",
                                             "Al Bo_78_assignsubmission_onlinetext_/onlinetext.html"}


def test_eta_counts_only_the_jobs_that_run():
    from autograder import grade
    from autograder.submissions import Submission

    class Book:
        def submit(self, *args):
            pass

    printed = []
    ledger = grade.Ledger(Path("/nonexistent"), "toy", Book(), total=6, log=printed.append,
                          logger=grade.logging.getLogger("test-eta"), workers=2)
    ledger.to_execute = 4
    for i in range(2):                              # cached rows come back at once and cost nothing
        ledger.record(Submission(f"c{i}", raw=b"{}"), grade.Row(f"c{i}", status="graded", cached=True))
    assert printed[-1].endswith("eta ?")
    for i in range(2):
        ledger.record(Submission(f"r{i}", raw=b"{}"), grade.Row(f"r{i}", status="graded", seconds=10.0))
    assert ledger.eta() == 10.0 and printed[-1].endswith("eta 10 s")   # 2 jobs left x 10 s over 2 workers
