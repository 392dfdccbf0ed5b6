"""Reading, normalising and inspecting nbgrader notebooks.

Normalised JSON (sorted keys, one-space indent, no outputs, no execution counts, trailing
newline) keeps diffs small and makes the release byte-for-byte reproducible.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat

from cnnlab.course import REPO_URL, colab_badge
from autograder.settings import COURSE

BADGE_RE = re.compile(r"\[!\[Open In Colab\]\([^)]*\)\]\([^)]*\)")
REPO_IN_SETUP_RE = re.compile(r'(COURSE_REPO = ")[^"]*(")')
HIDDEN_RE = re.compile(r"^[ \t]*### BEGIN HIDDEN TESTS.*?^[ \t]*### END HIDDEN TESTS[^\n]*\n?", re.S | re.M)


class NotebookError(ValueError):
    """A file is not a readable notebook."""


def read(path: Path | str) -> nbformat.NotebookNode:
    """Read any notebook a student might hand in (BOM, old nbformat) as nbformat 4, or raise NotebookError."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise NotebookError(f"cannot read {path.name}: {exc.strerror}") from exc
    return reads(raw, path.name)


def reads(raw: bytes, name: str = "notebook") -> nbformat.NotebookNode:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise NotebookError(f"{name} is not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise NotebookError(f"{name} is not valid JSON (line {exc.lineno}: {exc.msg})") from exc
    if not isinstance(data, dict) or "cells" not in data and "worksheets" not in data:
        raise NotebookError(f"{name} is JSON but not a notebook (no cells)")
    try:
        nb = nbformat.reads(json.dumps(data), as_version=4)
    except Exception as exc:  # nbformat raises many kinds of errors for odd input
        raise NotebookError(f"{name} could not be read as a notebook: {exc}") from exc
    if not isinstance(nb.get("cells"), list):
        raise NotebookError(f"{name} has no list of cells")
    for cell in nb.cells:
        if isinstance(cell, dict) and isinstance(cell.get("source"), list):
            cell["source"] = "".join(str(x) for x in cell["source"])
    return nb


def read_submission(raw: bytes, name: str = "notebook") -> tuple:
    """A student's notebook as nbformat 4 plus what was odd about the file, or NotebookError.

    Accepts a UTF-8 byte-order mark, UTF-16 (Windows editors) and Latin-1/cp1252 text, and old
    nbformat versions; each is flagged (`bom`, `wrong_encoding`, `old_nbformat`).
    """
    flags = []
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        text, flags = raw.decode("utf-16", "replace"), ["wrong_encoding"]
    else:
        if raw.startswith(b"\xef\xbb\xbf"):
            flags.append("bom")
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = raw.decode("cp1252", "replace")
            flags.append("wrong_encoding")
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as exc:
        raise NotebookError(f"{name} is not valid JSON ({exc})") from exc
    if isinstance(data, dict) and isinstance(data.get("nbformat"), int) and data["nbformat"] < 4:
        flags.append("old_nbformat")
    nb = reads(json.dumps(data).encode("utf-8"), name)
    return nb, flags


def dumps(nb) -> str:
    """Stable JSON text of a notebook: nbformat's own writer (sorted keys, sources as line lists)."""
    from nbformat.v4.nbjson import writes
    return writes(nb) + "\n"


def write(nb, path: Path | str) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dumps(nb), encoding="utf-8")


def strip_outputs(nb) -> None:
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
        cell.metadata.pop("execution", None)
        cell.metadata.pop("collapsed", None)
        cell.metadata.pop("scrolled", None)
        cell.pop("id", None)
    nb.metadata.pop("widgets", None)


def set_badge(nb, path: Path) -> bool:
    """Point the Colab badge in the first markdown cell at `path` (relative to the repo). True if changed."""
    rel = Path(path).resolve().relative_to(COURSE).as_posix()
    for cell in nb.cells:
        if cell.cell_type == "markdown" and BADGE_RE.search(cell.source):
            new = BADGE_RE.sub(colab_badge(rel), cell.source)
            changed = new != cell.source
            cell.source = new
            return changed
    return False


def set_repo_url(nb) -> None:
    """The setup cell clones the course on Colab; its URL comes from cnnlab.course.REPO_URL."""
    for cell in nb.cells:
        if cell.cell_type == "code" and "COURSE_REPO" in cell.source:
            cell.source = REPO_IN_SETUP_RE.sub(lambda m: m.group(1) + REPO_URL + m.group(2), cell.source)


def normalise(nb, path: Path) -> None:
    """Canonical form of a course notebook stored at `path`."""
    strip_outputs(nb)
    set_badge(nb, path)
    set_repo_url(nb)
    nb.metadata["kernelspec"] = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
    nb.metadata["language_info"] = {"name": "python"}
    # nbformat 4.4 has no cell ids: leaving them out keeps the JSON stable across saves
    nb.nbformat, nb.nbformat_minor = 4, 4


# --------------------------------------------------------------------------- nbgrader cell metadata

def nbgrader_meta(cell) -> dict:
    meta = cell.get("metadata", {}) if isinstance(cell, dict) else {}
    meta = meta.get("nbgrader", {}) if isinstance(meta, dict) else {}
    return meta if isinstance(meta, dict) else {}


def grade_id(cell) -> str | None:
    gid = nbgrader_meta(cell).get("grade_id")
    return gid if isinstance(gid, str) else None


def is_test_cell(cell) -> bool:
    """An autograded test cell: graded code cell that is not a solution."""
    m = nbgrader_meta(cell)
    return cell.get("cell_type") == "code" and bool(m.get("grade")) and not m.get("solution")


def is_solution_cell(cell) -> bool:
    return bool(nbgrader_meta(cell).get("solution"))


def points(cell) -> float:
    try:
        return float(nbgrader_meta(cell).get("points", 0) or 0)
    except (TypeError, ValueError):
        return 0.0


def is_setup_cell(cell) -> bool:
    """A locked code cell that is neither an answer nor a test: the chapter's set-up."""
    m = nbgrader_meta(cell)
    return (cell.get("cell_type") == "code" and bool(m.get("locked")) and not m.get("grade")
            and not m.get("solution"))


def bound_names(source: str) -> list[str]:
    """Names a cell binds at top level (imports, assignments, defs)."""
    import ast
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    names = []
    for node in tree.body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names += [(a.asname or a.name).split(".")[0] for a in node.names if a.name != "*"]
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.append(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign, ast.For, ast.With)):
            targets = (node.targets if isinstance(node, ast.Assign) else
                       [node.target] if not isinstance(node, ast.With) else
                       [i.optional_vars for i in node.items if i.optional_vars is not None])
            for t in targets:
                names += [n.id for n in ast.walk(t) if isinstance(n, ast.Name)]
    return sorted(set(names))


def error_message(cell) -> str | None:
    """The error a cell raised, as 'Name: message', or None."""
    for out in cell.get("outputs", []):
        if out.get("output_type") == "error":
            return f"{out.get('ename', 'Error')}: {out.get('evalue', '')}".strip()
    return None


def without_hidden_tests(source: str) -> str:
    return HIDDEN_RE.sub("", source)


def test_cells(nb) -> list:
    return [c for c in nb.cells if is_test_cell(c)]
