"""The names Canvas and Moodle give the files of a "Download submissions" export, read back.

Canvas (flat files): `<sortablename>_[LATE_]<user id>_<attachment id>_<original file name>`; a repeated upload
gets `-1`, `-2`... before the extension of the original name; `LATE` marks one handed in after Canvas's due date.
With anonymous grading the name is `anon...` and the id Canvas's anonymous id (letters and digits).
Moodle: one folder per student, `<Full Name>_<participant id>_assignsubmission_file_`, or the same prefix on each
file when the export was downloaded flat. The student id is the LMS's own (Canvas user id, Moodle participant
id): the one its grade import matches on. The name is kept for the export only.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

CANVAS = re.compile(r"^(?P<name>.+?)_(?:(?P<late>LATE)_)?(?P<uid>\d+)_(?P<aid>\d+)_(?P<file>.+)$", re.S)
CANVAS_ANONYMOUS = re.compile(r"^(?P<name>anon[^_]*)_(?:(?P<late>LATE)_)?(?P<uid>[A-Za-z0-9]+)_(?P<aid>\d+)_"
                              r"(?P<file>.+)$", re.S)
MOODLE_FOLDER = re.compile(r"^(?P<name>.+)_(?P<uid>\d+)_assignsubmission_(?P<plugin>[a-z]+)_$", re.S)
MOODLE_FILE = re.compile(r"^(?P<name>.+)_(?P<uid>\d+)_assignsubmission_(?P<plugin>[a-z]+)_(?P<file>.+)$", re.S)
_RESUBMITTED = re.compile(r"-(\d+)(\.[^.]*)?$")


@dataclass
class LmsName:
    layout: str              # "canvas" or "moodle"
    student_id: str          # the LMS's id for the student
    name: str                # as the LMS wrote it (Canvas: the sortable name; Moodle: the full name)
    file: str = ""           # the original file name ("" for a Moodle folder)
    late: bool = False       # Canvas: handed in after the due date
    order: tuple = ()        # larger is newer, among one student's files
    attachment: str = ""     # Canvas: the attachment id (its bulk feedback upload names files with it)
    plugin: str = "file"     # Moodle: the submission plugin ("file"; "onlinetext" holds no notebook)


def canvas(file_name: str) -> LmsName | None:
    match = CANVAS_ANONYMOUS.match(file_name) or CANVAS.match(file_name)
    if not match:
        return None
    resubmitted = _RESUBMITTED.search(match["file"])
    # attachment ids grow with each upload; the -N suffix only breaks ties (a name like hw-2019.ipynb has one too)
    return LmsName("canvas", match["uid"], match["name"], match["file"], bool(match["late"]),
                   (int(match["aid"]), int(resubmitted.group(1)) if resubmitted else 0), attachment=match["aid"])


def moodle_folder(folder_name: str) -> LmsName | None:
    match = MOODLE_FOLDER.match(folder_name)
    return LmsName("moodle", match["uid"], match["name"], plugin=match["plugin"]) if match else None


def moodle_file(file_name: str) -> LmsName | None:
    match = MOODLE_FILE.match(file_name)
    return LmsName("moodle", match["uid"], match["name"], match["file"], plugin=match["plugin"]) if match else None


def parse(name: str, is_dir: bool) -> LmsName | None:
    """The LMS naming of a top-level entry of a submissions folder, or None for our own layouts."""
    if is_dir:
        return moodle_folder(name)
    return moodle_file(name) or canvas(name)


LAYOUT_NAMES = {"canvas": "Canvas 'Download submissions' export", "moodle": "Moodle 'Download all submissions' export",
                "folders": "one folder or zip per student"}
