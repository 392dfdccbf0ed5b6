"""`python -m autograder export OUT --format FORMAT --output FILE [--roster FILE] [--column NAME]`.

Grades go back to the LMS the way it takes them in; feedback pages the way its bulk upload files them:
  canvas            the Canvas gradebook import CSV: Student, ID, SIS User ID, SIS Login ID, Section, then the
                    assignment's column (with --roster, the gradebook CSV downloaded from Canvas: its rows, its
                    "Points Possible" row and its assignment column, found by the chapter's name or --column)
  moodle            the Moodle grading worksheet: Identifier ("Participant <id>"), Full name, Email address, Grade,
                    Last modified (grade) (with --roster, the worksheet downloaded from Moodle, every column kept
                    as it was but Grade, so Moodle's check of the last modification still matches)
  csv               one row per student (of the roster when given: no submission means 0 and `missing_notebook`)
  canvas-feedback   a zip of feedback pages named as Canvas's download named the submissions (user id inside),
                    for "Upload submission comments" / bulk feedback
  moodle-feedback   a zip of `<Full Name>_<id>_assignfeedback_file_/feedback.html` folders, for Moodle's
                    "Upload multiple feedback files in a zip"
Every CSV cell goes through safe.csv_cell (a name or id that starts like a formula is neutralised). The grade is
the total: automatic points, plus the points given by hand in formgrader (read back from the gradebook now),
less the late penalty.
"""
from __future__ import annotations

import csv
import re
import zipfile
from pathlib import Path

from autograder import safe

FORMATS = {
    "canvas": "CSV for the Canvas gradebook import",
    "moodle": "Moodle grading worksheet CSV",
    "csv": "one row per student, roster order",
    "canvas-feedback": "zip of feedback pages for Canvas's bulk upload",
    "moodle-feedback": "zip of feedback folders for Moodle's feedback upload",
}
CANVAS_FIXED = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
MOODLE_COLUMNS = ["Identifier", "Full name", "Email address", "Grade", "Last modified (grade)"]
CSV_COLUMNS = ["student_id", "name", "status", "score", "manual_score", "late_penalty", "total", "max_total", "flags"]
_PARTICIPANT = re.compile(r"^Participant\s+(\d+)$")


class ExportError(ValueError):
    """Bad input to an export: the message names what was expected."""


def _read_csv(path: Path) -> tuple[list[str], list[dict]]:
    try:
        with Path(path).open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            rows = list(reader)
            return list(reader.fieldnames or []), rows
    except (OSError, UnicodeError, csv.Error) as exc:
        raise ExportError(f"--roster {path}: cannot read it as CSV ({exc})") from None


def _write_csv(path: Path, header: list[str], rows: list[list]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = safe.csv_writer(fh)
        writer.writerow(header)
        writer.writerows(rows)


class Grades:
    """Each student's total from OUT (hand grades read back from the gradebook now), and their name."""

    def __init__(self, out: Path, gradebook_url: str | None = None):
        from autograder import grade
        out = Path(out)
        if not (out / "grades.csv").is_file():
            raise ExportError(f"{out / 'grades.csv'} not found: run `python -m autograder grade CHAPTER "
                              f"--submissions DIR --out {out}` first")
        self.out = out
        self.chapter, rows, self.totals = grade.refresh(out, gradebook_url)
        self.rows = {r.student_id: r for r in rows}
        self.students = grade.read_students(out)
        self.tests, self.manual = grade.test_ids(self.chapter)[1], grade.manual_ids(self.chapter)
        self.max_total = sum(self.tests.values()) + sum(self.manual.values())

    def total(self, sid: str) -> float:
        row, extra = self.rows.get(sid), self.totals.get(sid)
        return 0.0 if row is None or extra is None else extra.total(row, self.tests, self.manual)

    def score(self, sid: str) -> float:
        return sum(self.totals[sid].test_points(self.rows[sid], self.tests))

    def manual_score(self, sid: str) -> float | None:
        given = [p for p in self.totals[sid].manual_points(self.manual) if p is not None]
        return sum(given) if given else None

    def name(self, sid: str) -> str:
        return str(self.students.get(sid, {}).get("name") or "")


def _fmt(points: float) -> str:
    return f"{points:.2f}".rstrip("0").rstrip(".")


def _assignment_column(header: list[str], chapter: str, column: str | None, skip: list[str]) -> str:
    if column:
        if column not in header:
            raise ExportError(f"--column {column!r} is not a column of the roster; its columns: {', '.join(header)}")
        return column
    candidates = [h for h in header if h not in skip and chapter.lower() in h.lower()]
    if len(candidates) == 1:
        return candidates[0]
    raise ExportError(f"which roster column is {chapter}? name it with --column; the roster's columns: "
                      f"{', '.join(h for h in header if h not in skip)}")


def canvas(grades: Grades, output: Path, roster: Path | None, column: str | None) -> str:
    if roster is None:
        name = column or grades.chapter
        rows = [[grades.name(sid), sid, "", "", "", _fmt(grades.total(sid))] for sid in sorted(grades.rows)]
        _write_csv(output, CANVAS_FIXED + [name], rows)
        return f"wrote {output}: {len(rows)} students, column {name!r} (no --roster: SIS columns left empty)"
    header, data = _read_csv(roster)
    missing = [c for c in ("Student", "ID") if c not in header]
    if missing:
        raise ExportError(f"--roster {roster}: not a Canvas gradebook export (no {', '.join(missing)} column); "
                          f"expected the CSV from Canvas's Grades > Export, columns {', '.join(CANVAS_FIXED)}, ...")
    fixed = [c for c in CANVAS_FIXED + ["Integration ID"] if c in header]      # as the roster has them
    name = _assignment_column(header, grades.chapter, column, fixed)
    rows, seen = [], set()
    for item in data:
        sid = (item.get("ID") or "").strip()
        if not sid:                                     # "Points Possible" and other rows without a student
            rows.append([item.get(c, "") for c in fixed] + [item.get(name, "")])
            continue
        seen.add(sid)
        rows.append([item.get(c, "") for c in fixed] + [_fmt(grades.total(sid))])
    extra = sorted(set(grades.rows) - seen)
    rows += [[grades.name(sid), sid] + [""] * (len(fixed) - 2) + [_fmt(grades.total(sid))] for sid in extra]
    _write_csv(output, fixed + [name], rows)
    return (f"wrote {output}: {len(seen)} roster students, column {name!r}"
            + (f"; {len(extra)} graded students not in the roster added at the end: {', '.join(extra[:5])}"
               if extra else ""))


def moodle(grades: Grades, output: Path, roster: Path | None, column: str | None) -> str:
    if roster is None:
        rows = [[f"Participant {sid}", grades.name(sid), "", _fmt(grades.total(sid)), ""]
                for sid in sorted(grades.rows)]
        _write_csv(output, MOODLE_COLUMNS, rows)
        return f"wrote {output}: {len(rows)} participants (no --roster: email and dates left empty)"
    header, data = _read_csv(roster)
    missing = [c for c in ("Identifier", column or "Grade") if c not in header]
    if missing:
        raise ExportError(f"--roster {roster}: not a Moodle grading worksheet (no {', '.join(missing)} column); "
                          f"expected the CSV from the assignment's 'Download grading worksheet', columns "
                          f"{', '.join(MOODLE_COLUMNS)}, ...")
    grade_column = column or "Grade"
    rows, seen = [], set()
    for item in data:
        match = _PARTICIPANT.match((item.get("Identifier") or "").strip())
        if match:
            seen.add(match.group(1))
            item = dict(item, **{grade_column: _fmt(grades.total(match.group(1)))})
        rows.append([item.get(c, "") for c in header])
    extra = sorted(set(grades.rows) - seen)
    _write_csv(output, header, rows)
    return (f"wrote {output}: {len(seen)} participants" + (f"; {len(extra)} graded students are not in the worksheet "
                                                          f"and were left out: {', '.join(extra[:5])}" if extra else ""))


def _roster_ids(roster: Path) -> list[tuple[str, str]]:
    """(student id, name) from a roster: our CSV (student_id[,name]), Canvas's gradebook or Moodle's worksheet."""
    header, data = _read_csv(roster)
    found = []
    for item in data:
        if "student_id" in header:
            found.append((item["student_id"].strip(), (item.get("name") or "").strip()))
        elif "Identifier" in header:
            match = _PARTICIPANT.match((item.get("Identifier") or "").strip())
            if match:
                found.append((match.group(1), item.get("Full name", "")))
        elif "ID" in header:
            if (item.get("ID") or "").strip():
                found.append((item["ID"].strip(), item.get("Student", "")))
        else:
            raise ExportError(f"--roster {roster}: no student_id, ID (Canvas) or Identifier (Moodle) column; "
                              f"its columns: {', '.join(header)}")
    return found


def plain_csv(grades: Grades, output: Path, roster: Path | None, column: str | None) -> str:
    students = _roster_ids(roster) if roster else [(sid, grades.name(sid)) for sid in sorted(grades.rows)]
    listed = {sid for sid, _ in students}
    students += [(sid, grades.name(sid)) for sid in sorted(set(grades.rows) - listed)]
    rows = []
    for sid, name in students:
        row, extra = grades.rows.get(sid), grades.totals.get(sid)
        if row is None:
            rows.append([sid, name, "missing", "0", "", "0", "0", _fmt(grades.max_total), "missing_notebook"])
            continue
        manual = grades.manual_score(sid)
        flags = sorted(set(row.flags) | ({"not_in_roster"} if roster and sid not in listed else set()))
        rows.append([sid, name or grades.name(sid), row.status, _fmt(grades.score(sid)),
                     "" if manual is None else _fmt(manual), _fmt(extra.penalty), _fmt(grades.total(sid)),
                     _fmt(grades.max_total), ";".join(flags)])
    _write_csv(output, CSV_COLUMNS, rows)
    return f"wrote {output}: {len(rows)} students"


def _feedback_pages(grades: Grades):
    from autograder.grade import student_dir
    for sid in sorted(grades.rows):
        page = grades.out / "feedback" / student_dir(sid) / f"{grades.chapter}.html"
        if page.is_file():
            yield sid, page


def _entry_part(text: str) -> str:
    """A piece of a zip entry name: the LMS's spelling, with what cannot be in a file name replaced."""
    cleaned = re.sub(r'[/\\:*?"<>|\x00-\x1f\x7f]', "-", text).strip(" .") or "student"
    return cleaned[:100]


def canvas_feedback(grades: Grades, output: Path, roster=None, column=None) -> str:
    from autograder import lms
    written = 0
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as zf:
        for sid, page in _feedback_pages(grades):
            origin = str(grades.students.get(sid, {}).get("origin") or "")
            named = lms.canvas(origin) if grades.students.get(sid, {}).get("layout") == "canvas" else None
            prefix = (f"{_entry_part(named.name)}_{sid}_{named.attachment}" if named
                      else f"{_entry_part(grades.name(sid) or 'student')}_{sid}")
            zf.write(page, f"{prefix}_{grades.chapter}_feedback.html")
            written += 1
    return f"wrote {output}: {written} feedback pages, named <name>_<user id>_... as Canvas's download names them"


def moodle_feedback(grades: Grades, output: Path, roster=None, column=None) -> str:
    written = 0
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as zf:
        for sid, page in _feedback_pages(grades):
            folder = f"{_entry_part(grades.name(sid) or 'Participant')}_{sid}_assignfeedback_file_"
            zf.write(page, f"{folder}/{grades.chapter}_feedback.html")
            written += 1
    return f"wrote {output}: {written} feedback folders <Full Name>_<id>_assignfeedback_file_/"


WRITERS = {"canvas": canvas, "moodle": moodle, "csv": plain_csv, "canvas-feedback": canvas_feedback,
           "moodle-feedback": moodle_feedback}


def export(out: Path, fmt: str, output: Path, roster: Path | None = None, column: str | None = None,
           gradebook_url: str | None = None) -> str:
    if fmt not in WRITERS:
        raise ExportError(f"unknown format {fmt!r}: choose one of {', '.join(WRITERS)}")
    out, output = Path(out), Path(output)
    if out.exists() and not out.is_dir():
        raise ExportError(f"{out} is a file: expected the --out folder of a grading run")
    if roster is not None and not Path(roster).is_file():
        raise ExportError(f"--roster {roster}: no such file")
    if output.is_dir():
        raise ExportError(f"--output {output} is a folder: expected a file name")
    if fmt.endswith("-feedback") and output.suffix != ".zip":
        raise ExportError(f"--output {output}: the {fmt} format writes a zip; name it FILE.zip")
    return WRITERS[fmt](Grades(out, gradebook_url), output, roster, column)
