"""Late work: `--deadline`, `--late-policy`, `--late-cap`, `--extensions`.

The penalty is decided by the coordinator from what the submissions folder says about the time (nbgrader's
timestamp.txt; Canvas's `LATE` mark when no time is known, unless the student has an extension: the mark compares
with the course's deadline, not theirs) and the deadline in force for that student (their
extension, else the deadline). It is points taken off the student's earned total (automatic and manual), is
never cached with a grade: changing a deadline or an extension and running `grade` again re-applies it without
executing any notebook.

Policies: `none`; `zero` (a late submission earns nothing); `per-day:PCT` and `per-hour:PCT` (PCT percent of the
earned points per started day or hour late), never more than `--late-cap` percent (default 100).
"""
from __future__ import annotations

import csv
import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

POLICIES = ("none", "zero", "per-day:PCT", "per-hour:PCT")
PERIODS = {"per-day": timedelta(days=1), "per-hour": timedelta(hours=1)}
UNKNOWN_TIME = "unknown"
LATE_TIME_UNKNOWN = "late (time unknown)"


def parse_time(text: str) -> datetime:
    """An ISO 8601 time (or nbgrader's `2024-05-01 12:00:00.000000 UTC`), as an aware UTC datetime; a time
    without a zone is taken as UTC. ValueError with what was expected."""
    value = str(text).strip()
    cleaned = value[:-4].strip() if value.upper().endswith(" UTC") else value
    try:
        moment = datetime.fromisoformat(cleaned.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"{value!r} is not a time: expected ISO 8601 such as 2026-03-01T23:59:00+01:00") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


@dataclass
class Policy:
    kind: str = "none"                   # none, zero, per-day, per-hour
    percent: float = 0.0                 # per period
    cap: float = 100.0                   # percent at most
    deadline: datetime | None = None
    extensions: dict = field(default_factory=dict)     # student id -> datetime

    def deadline_for(self, student_id: str) -> datetime | None:
        return self.extensions.get(student_id, self.deadline)

    @property
    def active(self) -> bool:
        return self.kind != "none" and (self.deadline is not None or bool(self.extensions))


def parse_policy(text: str) -> tuple[str, float]:
    """('per-day', 10.0) from 'per-day:10'; ValueError naming the valid choices."""
    kind, _, pct = str(text).partition(":")
    if kind in ("none", "zero") and not pct:
        return kind, 0.0
    if kind in PERIODS:
        try:
            value = float(pct)
        except ValueError:
            value = -1.0
        if 0 <= value <= 100:
            return kind, value
    raise ValueError(f"late policy {text!r} not understood: choose one of {', '.join(POLICIES)} "
                     "(PCT a percentage between 0 and 100, e.g. per-day:10)")


def read_extensions(path: Path) -> dict:
    """{student id: new deadline} from a CSV of `student_id,deadline` rows (a header row is allowed)."""
    extensions = {}
    try:
        with Path(path).open(encoding="utf-8-sig", newline="") as fh:
            rows = list(csv.reader(fh))
    except (OSError, UnicodeError) as exc:
        raise ValueError(f"--extensions {path}: cannot read it ({exc})") from None
    for number, row in enumerate(rows, 1):
        cells = [c.strip() for c in row]
        if not any(cells) or (number == 1 and cells[0].lower() in ("student_id", "id", "student")):
            continue
        if len(cells) < 2:
            raise ValueError(f"--extensions {path} line {number}: expected two columns, student_id,deadline")
        try:
            extensions[cells[0]] = parse_time(cells[1])
        except ValueError as exc:
            raise ValueError(f"--extensions {path} line {number}: {exc}") from None
    return extensions


def make_policy(policy: str = "none", deadline: str | None = None, cap: float = 100.0,
                extensions: Path | None = None) -> Policy:
    kind, percent = parse_policy(policy)
    if not 0 <= cap <= 100:
        raise ValueError(f"--late-cap {cap:g}: expected a percentage between 0 and 100")
    result = Policy(kind, percent, cap, parse_time(deadline) if deadline else None,
                    read_extensions(extensions) if extensions else {})
    if result.kind != "none" and result.deadline is None:
        raise ValueError(f"--late-policy {policy} needs --deadline ISO-8601 (the time after which work is late)")
    return result


def submitted_label(submitted_at: str | None, marked_late: bool) -> str:
    return submitted_at or (LATE_TIME_UNKNOWN if marked_late else UNKNOWN_TIME)


def penalty(policy: Policy, student_id: str, submitted_at: str | None, marked_late: bool,
            earned: float) -> tuple[float, str]:
    """(points taken off, a sentence for the student and the instructor; '' when on time or no policy)."""
    deadline = policy.deadline_for(student_id)
    if policy.kind == "none" or deadline is None:
        return 0.0, ""
    if submitted_at:
        late_by = parse_time(submitted_at) - deadline
        if late_by <= timedelta(0):
            return 0.0, ""
        how_late = f"handed in {_duration(late_by)} after the deadline ({deadline.isoformat()})"
    elif marked_late and student_id in policy.extensions:
        return 0.0, ""                 # the LMS compared with the course's deadline, not this student's extension
    elif marked_late:                  # Canvas says late but not by how much: the smallest lateness it can be
        late_by = timedelta(microseconds=1)
        how_late = "marked late by the LMS (the submission time is not in the export: counted as one period late)"
    else:
        return 0.0, ""
    if policy.kind == "zero":
        percent = 100.0
    else:
        periods = math.ceil(late_by / PERIODS[policy.kind])
        percent = min(policy.cap, periods * policy.percent)
    percent = min(percent, policy.cap)
    points = round(max(0.0, earned) * percent / 100, 4)
    return points, f"late: {how_late}; {percent:g}% of the earned points taken off ({points:g} points)"


def _duration(delta: timedelta) -> str:
    hours = delta.total_seconds() / 3600
    return f"{hours:.1f} hours" if hours < 48 else f"{hours / 24:.1f} days"
