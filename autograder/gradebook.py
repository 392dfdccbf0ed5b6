"""Merge per-submission results into an nbgrader gradebook (what formgrader and `nbgrader export` read).

SQLite in the output folder by default (`OUT/gradebook.db`); any SQLAlchemy URL works, so a course
can keep one PostgreSQL gradebook (`--gradebook postgresql://USER@HOST/DB`, driver psycopg 3 or psycopg2).
Only the grading process writes to it, one submission at a time in its own transaction, after that
submission's worker has finished: a submission can only ever change its own student's grades, and the kernel
that ran it cannot see the database at all. Manual grades an instructor gave are never overwritten.

The schema, the assignment and its cells are created before any job is submitted, under a lock (an advisory
lock in PostgreSQL, a file lock next to a SQLite file): nbgrader creates them without one, so several graders
opening one empty database at once (four chapters graded in parallel) would otherwise collide.
"""
from __future__ import annotations

import contextlib
import copy
import fcntl
import logging
import os
import queue
import re
import sys
import threading
import zlib
from pathlib import Path

SCHEMA_LOCK = zlib.crc32(b"autograder gradebook schema")     # the advisory lock's number in PostgreSQL
POSTGRES_DRIVERS = (("psycopg2", "postgresql+psycopg2"), ("psycopg", "postgresql+psycopg"))


def default_url(out: Path) -> str:
    return f"sqlite:///{(Path(out) / 'gradebook.db').resolve()}"


def shown(url: str) -> str:
    """The URL without its password, for messages and logs."""
    return re.sub(r"(://[^:/@]+):[^@/]*@", r"\1:***@", url)


def engine_url(url: str) -> str:
    """A bare postgresql:// URL names whichever PostgreSQL driver is installed (SQLAlchemy assumes psycopg2)."""
    scheme, sep, rest = url.partition("://")
    if scheme not in ("postgresql", "postgres"):
        return url
    import importlib.util
    for module, dialect in POSTGRES_DRIVERS:
        if importlib.util.find_spec(module) is not None:
            return f"{dialect}{sep}{rest}"
    raise RuntimeError("a PostgreSQL gradebook needs a driver: pip install 'psycopg[binary]>=3.1'")


@contextlib.contextmanager
def schema_lock(url: str):
    """Held while the gradebook's schema and structure are created (see the module docstring)."""
    if url.startswith("sqlite:///") and not url.endswith(":memory:"):
        path = Path(url[len("sqlite:///"):])
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path.with_name(path.name + ".lock"), "a") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            yield
        return
    if not url.startswith("postgresql"):
        yield
        return
    from sqlalchemy import create_engine, text
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": SCHEMA_LOCK})
            try:
                yield
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": SCHEMA_LOCK})
    finally:
        engine.dispose()


def _alembic_on_path() -> None:
    """nbgrader runs the `alembic` command to stamp a new database: ask alembic in-process instead
    (faster, and works when the environment's bin/ is not on PATH)."""
    import nbgrader.api
    from nbgrader.dbutil import ALEMBIC_DIR

    def head() -> str:
        from alembic.script import ScriptDirectory
        return ScriptDirectory(ALEMBIC_DIR).get_current_head()
    nbgrader.api.get_alembic_version = head
    bindir = os.path.dirname(sys.executable)
    if bindir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = bindir + os.pathsep + os.environ.get("PATH", "")


class CourseGradebook:
    def __init__(self, url: str, chapter: str, source_nb):
        _alembic_on_path()
        from nbgrader.api import Gradebook
        self.url, self.chapter = engine_url(url), chapter
        with schema_lock(self.url):
            self._structure(source_nb)
            self.gb = Gradebook(self.url)

    def _structure(self, source_nb) -> None:
        """The assignment, notebook and cells, as nbgrader's generate_assignment records them."""
        from nbgrader.preprocessors import SaveCells
        nb = copy.deepcopy(source_nb)
        resources = {"nbgrader": {"db_url": self.url, "assignment": self.chapter, "notebook": self.chapter}}
        from nbgrader.api import Gradebook
        with Gradebook(self.url) as gb:
            gb.update_or_create_assignment(self.chapter)
        saver = SaveCells()
        saver.log.setLevel(logging.WARNING)
        try:
            saver.preprocess(nb, resources)
        except RuntimeError as exc:           # cells changed after submissions were recorded
            logging.getLogger("autograder").warning("gradebook structure kept as it was: %s", exc)

    def merge(self, student_id: str, scores: dict, has_notebook: bool) -> None:
        """Record one student's automatic scores (manual grades an instructor gave are kept)."""
        import warnings
        from nbgrader.api import MissingEntry
        gb = self.gb
        warnings.filterwarnings("ignore", message=".*not in session.*")   # nbgrader's own add_submission
        try:
            gb.update_or_create_student(student_id)
            if not has_notebook:
                return
            try:
                gb.find_submission(self.chapter, student_id)
            except MissingEntry:
                gb.add_submission(self.chapter, student_id)
            for grade_id, points in scores.items():
                grade = gb.find_grade(grade_id, self.chapter, self.chapter, student_id)
                grade.auto_score = float(points)
                grade.needs_manual_grade = grade.manual_score is not None
            gb.db.commit()
        except Exception:
            gb.db.rollback()
            raise

    def close(self) -> None:
        self.gb.close()


class GradebookWriter(threading.Thread):
    """All gradebook work on one thread; `open()` returns once the schema exists (before fan-out)."""

    def __init__(self, url: str, chapter: str, source_nb):
        super().__init__(daemon=True)
        self.url, self.chapter, self.source_nb = url, chapter, source_nb
        self.jobs: queue.Queue = queue.Queue()
        self.errors: list[str] = []
        self._opened = threading.Event()

    def open(self) -> list[str]:
        """Start the thread and wait until the gradebook is open; the problems so far (none: all is well)."""
        self.start()
        self._opened.wait()
        return list(self.errors)

    def run(self) -> None:
        try:
            book = CourseGradebook(self.url, self.chapter, self.source_nb)
        except Exception as exc:       # grades.csv is the record: a broken gradebook never stops grading
            first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
            self.errors.append(f"gradebook {shown(self.url)} unavailable ({type(exc).__name__}: "
                               f"{shown(first_line)[:300]})")
            book = None
        self._opened.set()
        while True:
            job = self.jobs.get()
            if job is None:
                break
            if book is not None:
                try:
                    book.merge(*job)
                except Exception as exc:
                    self.errors.append(f"gradebook: {job[0]} not recorded ({type(exc).__name__}: "
                                       f"{shown(str(exc))[:300]})")
        if book is not None:
            book.close()

    def submit(self, student_id: str, scores: dict, has_notebook: bool) -> None:
        self.jobs.put((student_id, scores, has_notebook))

    def finish(self) -> list[str]:
        if not self.is_alive() and not self._opened.is_set():
            return self.errors
        self.jobs.put(None)
        self.join()
        return self.errors


def manual_cells(source_nb) -> dict:
    """{grade_id: points} of the answers graded by hand (graded cells that are also answers, and tasks)."""
    from autograder import notebooks as nbs
    found = {}
    for cell in source_nb.cells:
        meta = nbs.nbgrader_meta(cell)
        if (meta.get("grade") and meta.get("solution")) or meta.get("task"):
            found[nbs.grade_id(cell)] = nbs.points(cell)
    return found


def read_hand_grades(url: str, chapter: str, students, cells) -> dict:
    """{student: {grade_id: points}} of every score an instructor set by hand (formgrader writes `manual_score`,
    also over an automatic one); cells not graded by hand yet are absent. {} when the gradebook cannot be read."""
    import warnings
    _alembic_on_path()
    from nbgrader.api import Gradebook, MissingEntry
    found: dict = {}
    try:
        with Gradebook(engine_url(url)) as gb:
            for student in students:
                try:
                    notebook = gb.find_submission_notebook(chapter, chapter, student)
                except MissingEntry:
                    continue
                given = {g.name: float(g.manual_score) for g in notebook.grades if g.manual_score is not None}
                if given:
                    found[student] = given
    except Exception as exc:            # grades.csv is still written, from the automatic scores
        with warnings.catch_warnings():
            logging.getLogger("autograder").warning("gradebook %s: hand grades not read (%s)", shown(url), exc)
        return {}
    return found


def write_late(url: str, chapter: str, late: dict) -> list[str]:
    """Record {student: (submitted_at ISO or None, penalty points)} as nbgrader's timestamp and late penalty.
    Returns the problems (none: all recorded)."""
    _alembic_on_path()
    from nbgrader.api import Gradebook, MissingEntry
    from autograder.late import parse_time
    problems = []
    try:
        with Gradebook(engine_url(url)) as gb:
            for student, (submitted_at, points) in late.items():
                try:
                    submission = gb.find_submission(chapter, student)
                    notebook = gb.find_submission_notebook(chapter, chapter, student)
                except MissingEntry:
                    continue
                if submitted_at:
                    submission.timestamp = parse_time(submitted_at).replace(tzinfo=None)
                notebook.late_submission_penalty = float(points)
            gb.db.commit()
    except Exception as exc:
        problems.append(f"gradebook {shown(url)}: late penalties not recorded ({type(exc).__name__}: {exc})")
    return problems
