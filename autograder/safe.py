"""Text from submissions made safe to show: in logs, in CSV files, as file names.

- `escape`: control characters (newlines included), line separators, bidi overrides, unpaired surrogates (the
  bytes of a non-UTF-8 folder name) and the backslash itself written as backslash escapes. Ordinary ids are
  unchanged; the mapping is one-to-one, so two different ids never print the same.
- `unprintable`: an id holding any of those is refused by discover (one row, flag `malformed_submission`).
- `csv_cell` / `csv_writer`: every CSV the grader writes goes through these: a cell that a spreadsheet would read
  as a formula (it begins with = + - @, a tab or a carriage return) gets a leading apostrophe.
- `file_name`: a name that can be a file name on any system (else a hash of the id).
"""
from __future__ import annotations

import csv
import hashlib
import re
import unicodedata

_BIDI = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
MAX_NAME_BYTES = 120
HASHED_PREFIX = "~id-"
# names some systems cannot create (Windows devices), whatever the extension
_RESERVED = re.compile(r"^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$", re.I)
_NAME_UNSAFE = re.compile(r'[/\\:*?"<>|\x00]')


def _odd(ch: str) -> bool:
    return (unicodedata.category(ch) in ("Cc", "Zl", "Zp", "Cs") or ch in _BIDI
            or "\ud800" <= ch <= "\udfff")


def unprintable(text: str) -> bool:
    """True when `text` holds a character that can forge or hide a line (control, line separator, bidi)."""
    return any(_odd(ch) and not ("\udc80" <= ch <= "\udcff") for ch in text)


def escape(text: str, backslash: bool = True) -> str:
    """`text` with every odd character (see the module docstring) and the backslash written as an escape.
    backslash=False leaves backslashes alone (a log line: one line, not a one-to-one mapping)."""
    if ("\\" not in text or not backslash) and not any(_odd(ch) for ch in text):
        return text
    out = []
    for ch in text:
        if ch == "\\" and backslash:
            out.append("\\\\")
        elif "\udc80" <= ch <= "\udcff":                 # a byte that was not UTF-8 (surrogateescape)
            out.append(f"\\x{ord(ch) - 0xdc00:02x}")
        elif _odd(ch):
            code = ord(ch)         # \xNN below 0x80 only: bytes above are the non-UTF-8 ones
            out.append(f"\\x{code:02x}" if code < 0x80 else f"\\u{code:04x}")
        else:
            out.append(ch)
    return "".join(out)


def csv_cell(value):
    """A CSV cell that no spreadsheet runs as a formula; numbers and plain numeric text stay as they are."""
    if not isinstance(value, str):
        return value
    if value.startswith(FORMULA_START) and not _NUMBER.match(value) and value != "-":   # Moodle's "never"
        return "'" + value
    return value


class _Writer:
    def __init__(self, writer):
        self._writer = writer

    def writerow(self, row):
        return self._writer.writerow([csv_cell(v) for v in row])

    def writerows(self, rows):
        for row in rows:
            self.writerow(row)


class _DictWriter(csv.DictWriter):
    def _dict_to_list(self, rowdict):
        return [csv_cell(v) for v in super()._dict_to_list(rowdict)]


def csv_writer(fh) -> _Writer:
    """csv.writer whose cells go through `csv_cell`."""
    return _Writer(csv.writer(fh))


def csv_dict_writer(fh, fieldnames) -> csv.DictWriter:
    """csv.DictWriter whose cells (and header) go through `csv_cell`."""
    return _DictWriter(fh, fieldnames=fieldnames)


def file_name(student_id: str) -> str:
    """`student_id` itself when it is a portable file name, else `~id-<hash of the id>`."""
    try:
        size = len(student_id.encode("utf-8"))
    except UnicodeEncodeError:                           # a non-UTF-8 folder name
        size = None
    if (size is not None and 0 < size <= MAX_NAME_BYTES and not student_id.startswith((".", HASHED_PREFIX))
            and not _NAME_UNSAFE.search(student_id) and not _RESERVED.match(student_id)
            and student_id == student_id.strip() and not student_id.endswith(".")
            and not any(_odd(ch) for ch in student_id)):
        return student_id
    digest = hashlib.sha256(student_id.encode("utf-8", "surrogateescape")).hexdigest()[:24]
    return HASHED_PREFIX + digest
