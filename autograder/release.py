"""`python -m autograder release`: regenerate notebooks/ from solutions/ with nbgrader.

Steps: normalise the source notebook in place (outputs stripped, badge on its own path),
run nbgrader's GenerateAssignment (solutions cleared, hidden tests removed, cells locked,
checksums), then normalise the student notebook so the output is byte-for-byte stable.
"""
from __future__ import annotations

import logging
import shutil
import tempfile
from pathlib import Path

from autograder import notebooks, views
from autograder.settings import COURSE as ROOT, chapters, nbgrader_config, release_path, solution_path


def normalise_file(path: Path) -> bool:
    """Rewrite a notebook file in canonical form; True if its bytes changed."""
    before = path.read_text(encoding="utf-8")
    nb = notebooks.reads(before.encode("utf-8"), path.name)
    notebooks.normalise(nb, path)
    after = notebooks.dumps(nb)
    if after != before:
        path.write_text(after, encoding="utf-8")
    return after != before


def generate(chapter: str, dest_root: Path) -> Path:
    """Run nbgrader's GenerateAssignment for one chapter into dest_root/<chapter>/."""
    from nbgrader.converters import GenerateAssignment
    from nbgrader.coursedir import CourseDirectory

    config = nbgrader_config()
    config.CourseDirectory.release_directory = str(dest_root)
    config.CourseDirectory.assignment_id = chapter
    config.GenerateAssignment.no_database = True
    config.SaveCells.enabled = False
    config.GenerateAssignment.force = True
    config.GenerateAssignment.create_assignment = False
    coursedir = CourseDirectory(config=config)
    converter = GenerateAssignment(coursedir=coursedir, config=config)
    converter.log.setLevel(logging.WARNING)
    converter.start()
    return dest_root / chapter / f"{chapter}.ipynb"


def render(chapter: str) -> str:
    """The student notebook text for `chapter`, as the release writes it (nothing on disk changes)."""
    with tempfile.TemporaryDirectory() as tmp:
        produced = generate(chapter, Path(tmp))
        nb = notebooks.read(produced)
    target = release_path(chapter)
    notebooks.normalise(nb, target)
    return notebooks.dumps(nb)


def release(selected: list[str] | None = None, log=print) -> list[Path]:
    written = []
    for chapter in selected or chapters():
        source = solution_path(chapter)
        if not source.exists():
            raise SystemExit(f"no solution notebook for {chapter!r} at {source.relative_to(ROOT)}")
        if normalise_file(source):
            log(f"normalised {source.relative_to(ROOT)}")
        text = render(chapter)
        target = release_path(chapter)
        target.parent.mkdir(parents=True, exist_ok=True)
        changed = not target.exists() or target.read_text(encoding="utf-8") != text
        if changed:
            target.write_text(text, encoding="utf-8")
        # other files beside the notebook (images, small data) travel with it
        for extra in source.parent.iterdir():
            if extra.name != source.name and extra.is_file() and not extra.name.startswith("."):
                shutil.copy2(extra, target.parent / extra.name)
        log(f"{'wrote' if changed else 'unchanged'} {target.relative_to(ROOT)}")
        written.append(target)
    views.write_views(written, log)          # one-framework views beside each student notebook
    return written
