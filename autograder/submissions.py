"""Finding each student's notebook in a submissions folder.

Accepted layouts, per student:
  DIR/<student_id>/<chapter>.ipynb                 (flat)
  DIR/<student_id>/<chapter>/<chapter>.ipynb       (nbgrader's submitted/ layout)
  DIR/<student_id>.zip or DIR/<student_id>/*.zip   (a zip holding either layout, or a lone notebook)
A single other .ipynb in the student's folder is accepted and flagged `renamed_notebook`.
Other files are never used (only the notebook reaches the grader) and are flagged `extra_files`;
symbolic links are never followed (`symlink_not_followed`). Nothing here writes to the folder.
Student ids are the folder (or zip) names, escaped (`safe.escape`: a non-UTF-8 name or a backslash is shown
escaped); a name holding a control character (a newline could forge a line in the log) is refused: one row,
flag `malformed_submission`, nothing graded.
"""
from __future__ import annotations

import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from autograder import safe

MAX_NOTEBOOK_BYTES = 20 * 1024 * 1024


@dataclass
class Submission:
    student_id: str
    raw: bytes | None = None          # the notebook's bytes, None if missing
    origin: str = ""                  # where it came from, for the log
    flags: list = field(default_factory=list)


def _pick(names: list[str], chapter: str) -> tuple[str | None, list[str]]:
    """Choose the chapter's notebook among candidate paths (POSIX strings)."""
    wanted = [f"{chapter}.ipynb", f"{chapter}/{chapter}.ipynb"]
    notebooks = [n for n in names if n.endswith(".ipynb") and "/." not in "/" + n
                 and ".ipynb_checkpoints" not in n]
    for suffix in wanted:
        exact = [n for n in notebooks if n == suffix or n.endswith("/" + suffix)]
        if exact:
            return sorted(exact, key=len)[0], []
    if len(notebooks) == 1:
        return notebooks[0], ["renamed_notebook"]
    return None, []


def _ignored(name: str) -> bool:
    parts = name.split("/")
    return any(p.startswith(".") or p == "__MACOSX" for p in parts)


def _from_zip(path: Path, chapter: str, student_id: str) -> Submission:
    sub = Submission(student_id, origin=path.name)
    try:
        with zipfile.ZipFile(path) as zf:
            infos = {i.filename: i for i in zf.infolist() if not i.is_dir() and not _ignored(i.filename)}
            name, flags = _pick(list(infos), chapter)
            if name is not None and len(infos) > 1:
                flags = flags + ["extra_files"]
            if name is None:
                sub.flags.append("missing_notebook")
                return sub
            if infos[name].file_size > MAX_NOTEBOOK_BYTES:
                sub.flags.append("notebook_too_large")
                return sub
            sub.raw = zf.read(name)
            sub.origin = f"{path.name}:{name}"
            sub.flags += flags
    except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError):
        sub.flags.append("malformed_zip")
    return sub


def _from_folder(folder: Path, chapter: str) -> Submission:
    student_id = folder.name
    entries = list(folder.rglob("*"))
    links = any(p.is_symlink() for p in entries)
    files = [p for p in entries if not p.is_symlink() and p.is_file()
             and not _ignored(p.relative_to(folder).as_posix())]
    rel = [p.relative_to(folder).as_posix() for p in files]
    name, flags = _pick(rel, chapter)
    flags = list(flags) + (["symlink_not_followed"] if links else [])
    if name is not None and len(files) > 1:
        flags.append("extra_files")
    if name is None:
        zips = sorted(p for p in files if p.suffix == ".zip")
        if zips:
            return _from_zip(zips[0], chapter, student_id)
        return Submission(student_id, origin=str(folder.name), flags=["missing_notebook"] + flags)
    path = folder / name
    if path.stat().st_size > MAX_NOTEBOOK_BYTES:
        return Submission(student_id, origin=name, flags=["notebook_too_large"])
    return Submission(student_id, raw=path.read_bytes(), origin=f"{student_id}/{name}", flags=list(flags))


def discover(submissions_dir: Path, chapter: str) -> list[Submission]:
    """One Submission per student found in the folder, sorted by student id."""
    submissions_dir = Path(submissions_dir)
    if not submissions_dir.is_dir():
        raise FileNotFoundError(f"submissions folder not found: {submissions_dir}")
    found: dict[str, Submission] = {}
    for entry in sorted(submissions_dir.iterdir()):
        if entry.name.startswith(".") or entry.name == "__MACOSX":
            continue
        if entry.is_symlink():
            student = entry.stem if entry.name.endswith(".zip") else entry.name
            found.setdefault(student, Submission(student, origin=entry.name,
                                                 flags=["missing_notebook", "symlink_not_followed"]))
            continue
        student = entry.name if entry.is_dir() else entry.stem
        if safe.unprintable(student):
            found.setdefault(student, Submission(student, origin=entry.name, flags=["malformed_submission"]))
            continue
        try:
            if entry.is_dir():
                found[student] = _from_folder(entry, chapter)
            elif entry.suffix == ".zip" and student not in found:
                found[student] = _from_zip(entry, chapter, student)
        except OSError as exc:          # unreadable folder or file: still one row
            found[student] = Submission(student, origin=entry.name, flags=["unreadable_submission"])
            found[student].origin += f" ({exc.strerror})"
    subs = [found[k] for k in sorted(found)]
    for sub in subs:
        sub.student_id, sub.origin = safe.escape(sub.student_id), safe.escape(sub.origin)
    return subs
