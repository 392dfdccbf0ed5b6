"""Finding each student's notebook in a submissions folder.

Accepted layouts, per student:
  DIR/<student_id>/<chapter>.ipynb                 (flat)
  DIR/<student_id>/<chapter>/<chapter>.ipynb       (nbgrader's submitted/ layout)
  DIR/<student_id>.zip or DIR/<student_id>/*.zip   (a zip holding either layout, or a lone notebook)
A single other .ipynb in the student's folder is accepted and flagged `renamed_notebook`.
Other files are never used (only the notebook reaches the grader) and are flagged `extra_files`;
symbolic links are never followed (`symlink_not_followed`). Nothing here writes to the folder.
Or the download of an LMS (lms.py), as a folder or as the zip itself: a Canvas export (flat files
`<name>_[LATE_]<user id>_<attachment id>_<file>`) or a Moodle one (`<Full Name>_<id>_assignsubmission_file_`
folders, or files so prefixed); the student id is then the LMS's id, the name is kept for the export, and of
several notebooks from one student the newest is graded (flag `several_submissions`). Every file that is not
graded is listed with the reason (`find(...).skipped`): the log and the batch summary show them.
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
    name: str = ""                    # the student's name, when the LMS export gives one (for the export only)
    layout: str = "folders"           # lms.LAYOUT_NAMES
    late: bool = False                # the LMS marked it late (Canvas `LATE`)
    submitted_at: str | None = None   # ISO 8601, when the export says (nbgrader's timestamp.txt)


@dataclass
class Found:
    """What a submissions folder holds: one Submission per student, and every file not graded with the reason."""
    submissions: list
    skipped: list = field(default_factory=list)        # (path relative to the folder, why it was not graded)
    layouts: dict = field(default_factory=dict)        # layout -> number of students found in it


def _pick(names: list[str], chapter: str, times: dict | None = None) -> tuple[str | None, list[str]]:
    """Choose the chapter's notebook among candidate paths (POSIX strings); of several notebooks none of which
    is named after the chapter, the newest by `times` ({name: mtime}) is graded (flag `several_submissions`)."""
    wanted = [f"{chapter}.ipynb", f"{chapter}/{chapter}.ipynb"]
    notebooks = [n for n in names if n.endswith(".ipynb") and "/." not in "/" + n
                 and ".ipynb_checkpoints" not in n]
    for suffix in wanted:
        exact = [n for n in notebooks if n == suffix or n.endswith("/" + suffix)]
        if exact:
            return sorted(exact, key=len)[0], []
    if len(notebooks) == 1:
        return notebooks[0], ["renamed_notebook"]
    if notebooks and times:
        return max(notebooks, key=lambda n: (times.get(n, 0), n)), ["renamed_notebook", "several_submissions"]
    return None, []


def _ignored(name: str) -> bool:
    parts = name.split("/")
    return any(p.startswith(".") or p == "__MACOSX" for p in parts)


def _from_zip(path: Path, chapter: str, student_id: str, skipped: list | None = None) -> Submission:
    sub = Submission(student_id, origin=path.name)
    try:
        with zipfile.ZipFile(path) as zf:
            infos = {i.filename: i for i in zf.infolist() if not i.is_dir() and not _ignored(i.filename)}
            name, flags = _pick(list(infos), chapter, {k: i.date_time for k, i in infos.items()})
            if skipped is not None:
                skipped += [(f"{path.name}:{other}", f"not the notebook graded for {student_id}")
                            for other in sorted(infos) if other != name]
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


def _timestamp(notebook: Path) -> str | None:
    """nbgrader's submitted/ layout keeps the submission time in timestamp.txt beside the notebook."""
    for folder in (notebook.parent, notebook.parent.parent):
        try:
            text = (folder / "timestamp.txt").read_text(encoding="utf-8").strip()
        except (OSError, UnicodeError):
            continue
        from autograder.late import parse_time
        try:
            return parse_time(text).isoformat()
        except ValueError:
            return None
    return None


def _from_folder(folder: Path, chapter: str, student_id: str | None = None,
                 skipped: list | None = None) -> Submission:
    student_id = student_id or folder.name
    entries = list(folder.rglob("*"))
    links = any(p.is_symlink() for p in entries)
    files = [p for p in entries if not p.is_symlink() and p.is_file()
             and not _ignored(p.relative_to(folder).as_posix())]
    rel = [p.relative_to(folder).as_posix() for p in files]
    name, flags = _pick(rel, chapter, {r: p.stat().st_mtime for r, p in zip(rel, files)})
    if skipped is not None:
        used = name if name is not None else min((r for r in rel if r.endswith(".zip")), default=None)
        skipped += [(f"{folder.name}/{r}", HIDDEN_REASON if _ignored(r) else f"not the notebook graded for {student_id}")
                    for r in sorted(p.relative_to(folder).as_posix() for p in entries if not p.is_dir())
                    if r != used and r != "timestamp.txt" and not r.endswith("/timestamp.txt")]
    flags = list(flags) + (["symlink_not_followed"] if links else [])
    if name is not None and len(files) > 1:
        flags.append("extra_files")
    if name is None:
        zips = sorted(p for p in files if p.suffix == ".zip")
        if zips:
            return _from_zip(zips[0], chapter, student_id, skipped)
        return Submission(student_id, origin=str(folder.name), flags=["missing_notebook"] + flags)
    path = folder / name
    if path.stat().st_size > MAX_NOTEBOOK_BYTES:
        return Submission(student_id, origin=name, flags=["notebook_too_large"])
    return Submission(student_id, raw=path.read_bytes(), origin=f"{folder.name}/{name}", flags=list(flags),
                      submitted_at=_timestamp(path))


HIDDEN_REASON = "hidden or system file, ignored"
LOOSE_REASON = ("a file outside any student folder: expected <student_id>/<chapter>.ipynb, <student_id>.zip, or "
                "the files of a Canvas or Moodle submissions download")


def _lms_student(files: list, chapter: str, skipped: list) -> Submission:
    """One student's files from a flat LMS export: the newest notebook is graded (else the newest zip)."""
    first = files[0][1]
    files = sorted(files, key=lambda f: f[1].order)
    notebooks = [f for f in files if f[1].file.endswith(".ipynb")] or [f for f in files if f[1].file.endswith(".zip")]
    if not notebooks:
        for path, _ in files:
            skipped.append((path.name, f"not a notebook or zip ({first.layout} student {first.student_id})"))
        return Submission(first.student_id, origin=files[-1][0].name, flags=["missing_notebook"], name=first.name,
                          layout=first.layout)
    path, info = notebooks[-1]
    for other, _ in files:
        if other != path:
            why = "an older upload" if other.suffix == path.suffix else "not a notebook"
            skipped.append((other.name, f"{why} ({first.layout} student {first.student_id}, whose {path.name} "
                                        "is graded)"))
    if path.suffix == ".zip":
        sub = _from_zip(path, chapter, info.student_id, skipped)
    elif path.stat().st_size > MAX_NOTEBOOK_BYTES:
        sub = Submission(info.student_id, origin=path.name, flags=["notebook_too_large"])
    else:
        sub = Submission(info.student_id, raw=path.read_bytes(), origin=path.name)
    if len(notebooks) > 1:
        sub.flags.append("several_submissions")
    if len(files) > len(notebooks):
        sub.flags.append("extra_files")
    sub.name, sub.layout, sub.late = info.name, info.layout, any(f[1].late for f in notebooks[-1:])
    return sub


def find(submissions_dir: Path, chapter: str) -> Found:
    """One Submission per student found in the folder (sorted by id), and every file that was not graded."""
    from autograder import lms
    submissions_dir = Path(submissions_dir)
    if not submissions_dir.is_dir():
        raise FileNotFoundError(f"submissions folder not found: {submissions_dir}")
    found: dict[str, Submission] = {}
    skipped: list = []
    lms_files: dict[str, list] = {}
    for entry in sorted(submissions_dir.iterdir()):
        if entry.name.startswith(".") or entry.name == "__MACOSX":
            skipped.append((entry.name, HIDDEN_REASON))
            continue
        if entry.is_symlink():
            student = entry.stem if entry.name.endswith(".zip") else entry.name
            found.setdefault(student, Submission(student, origin=entry.name,
                                                 flags=["missing_notebook", "symlink_not_followed"]))
            continue
        named = lms.parse(entry.name, entry.is_dir())
        student = named.student_id if named else entry.name if entry.is_dir() else entry.stem
        if safe.unprintable(student):
            found.setdefault(student, Submission(student, origin=entry.name, flags=["malformed_submission"]))
            continue
        try:
            if named is not None and entry.is_dir():            # a Moodle folder
                if named.plugin != "file" or (student in found and found[student].raw is not None):
                    why = ("a Moodle online-text submission: only files are graded" if named.plugin != "file"
                           else f"a second folder of Moodle student {student}, whose file submission is graded")
                    skipped += [(f"{entry.name}/{p.relative_to(entry).as_posix()}", why)
                                for p in sorted(entry.rglob("*")) if not p.is_dir()]
                    found.setdefault(student, Submission(student, origin=entry.name, flags=["missing_notebook"],
                                                         name=named.name, layout=named.layout))
                    continue
                sub = _from_folder(entry, chapter, named.student_id, skipped)
                sub.name, sub.layout = named.name, named.layout
                found[student] = sub
            elif named is not None:
                lms_files.setdefault(student, []).append((entry, named))
            elif entry.is_dir():
                found[student] = _from_folder(entry, chapter, skipped=skipped)
            elif entry.suffix == ".zip" and student not in found:
                found[student] = _from_zip(entry, chapter, student, skipped)
            else:
                skipped.append((entry.name, LOOSE_REASON if entry.suffix != ".zip" else
                                f"a second submission for {student} (its folder is graded)"))
        except OSError as exc:          # unreadable folder or file: still one row
            found[student] = Submission(student, origin=entry.name, flags=["unreadable_submission"])
            found[student].origin += f" ({exc.strerror})"
    for student, files in lms_files.items():
        if student in found:
            skipped += [(path.name, f"{student} also has a folder, which is graded") for path, _ in files]
            continue
        try:
            found[student] = _lms_student(files, chapter, skipped)
        except OSError as exc:
            found[student] = Submission(student, origin=files[0][0].name, flags=["unreadable_submission"])
            found[student].origin += f" ({exc.strerror})"
    subs = [found[k] for k in sorted(found)]
    layouts: dict = {}
    for sub in subs:
        sub.student_id, sub.origin, sub.name = safe.escape(sub.student_id), safe.escape(sub.origin), safe.escape(sub.name)
        layouts[sub.layout] = layouts.get(sub.layout, 0) + 1
    return Found(subs, [(safe.escape(path), why) for path, why in skipped], layouts)


MAX_UNPACKED_BYTES = 4 << 30
MAX_MEMBERS = 100_000


def unpack(archive: Path, dest: Path) -> list:
    """Extract an LMS download zip into `dest` (a private temporary folder); returns what was left out, with why.
    Only plain files whose every path part is a portable file name are extracted (no `..`, absolute paths or
    links); the sizes are bounded."""
    skipped, total = [], 0
    try:
        with zipfile.ZipFile(archive) as zf:
            infos = zf.infolist()
            if len(infos) > MAX_MEMBERS:
                raise ValueError(f"{archive} holds {len(infos)} files; at most {MAX_MEMBERS} are read")
            for info in infos:
                parts = [p for p in info.filename.split("/") if p]
                if info.is_dir():
                    continue
                if not parts or any(safe.file_name(p) != p for p in parts) or (info.external_attr >> 28) == 0xA:
                    skipped.append((info.filename, "a name that cannot be a file name here (or a link): not extracted"))
                    continue
                total += info.file_size
                if total > MAX_UNPACKED_BYTES:
                    raise ValueError(f"{archive} unpacks to more than {MAX_UNPACKED_BYTES >> 30} GiB")
                target = dest.joinpath(*parts)
                target.parent.mkdir(parents=True, exist_ok=True)
                with zf.open(info) as src, target.open("wb") as out:
                    while chunk := src.read(1 << 20):
                        out.write(chunk)
    except (zipfile.BadZipFile, NotImplementedError, RuntimeError) as exc:
        raise ValueError(f"{archive} is not a readable zip ({exc})") from None
    return skipped


def discover(submissions_dir: Path, chapter: str) -> list[Submission]:
    """One Submission per student found in the folder, sorted by student id."""
    return find(submissions_dir, chapter).submissions
