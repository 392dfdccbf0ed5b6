"""Every flag a grades.csv row can carry: one registry, read by the grader, the feedback page and the report.

`infrastructure` flags mean the grader, not the student, failed: only those are retried (a bounded number of
times) and never cached. A timeout or a memory limit inside the sandbox is the student's grade, never retried.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Flag:
    text: str                      # what it means, for the student and the instructor
    infrastructure: bool = False   # the grader's failure: retry, never keep in the cache


FLAGS = {
    # the submission file
    "missing_notebook": Flag("no notebook for this chapter was found in the submission"),
    "malformed_notebook": Flag("the file is not a readable notebook"),
    "malformed_zip": Flag("the zip file could not be read"),
    "malformed_cell": Flag("some cells were not valid notebook cells and were skipped"),
    "notebook_too_large": Flag("the notebook is larger than the grader accepts"),
    "unreadable_submission": Flag("the submission could not be read"),
    "malformed_submission": Flag("the submission's name holds a control character (a line break, say): it was "
                                 "not graded; hand it in under a plain name"),
    "renamed_notebook": Flag("your notebook had a different name; it was graded anyway"),
    "extra_files": Flag("only the notebook is graded: other files you handed in were not used"),
    "several_submissions": Flag("several notebooks were handed in: the newest one was graded"),
    "symlink_not_followed": Flag("symbolic links in the submission were ignored"),
    "bom": Flag("the file started with a byte-order mark; it was read anyway"),
    "wrong_encoding": Flag("the file was not UTF-8; it was read anyway"),
    "old_nbformat": Flag("the notebook used an old format; it was converted"),
    # the notebook's cells
    "cells_missing": Flag("cells the course needs were missing and were put back"),
    "duplicate_cells": Flag("some cells were duplicated; the copies ran as plain cells"),
    "edited_metadata": Flag("the grading metadata of some cells was edited; the course's was used"),
    "tampered": Flag("grading data was changed or forged in your notebook; the affected tests got no points"),
    "suspicious_code": Flag("some of your code will be looked at by an instructor"),
    "syntax_error": Flag("an answer cell has a syntax error, so it defined nothing and the tests that use it "
                         "failed (often as NameError); its cell in the feedback shows where"),
    # running it
    "timeout": Flag("a cell ran past the time limit and was stopped"),
    "kernel_died": Flag("the Python kernel stopped (crashed or was killed); later tests did not run"),
    "memory_limit": Flag("the notebook used more memory than allowed and was stopped"),
    "process_limit": Flag("the notebook started too many processes and was stopped"),
    "slow": Flag("the notebook took several times as long as the model solution on the same machine: slow, not "
                 "wrong (the points are what the tests gave)"),
    "output_truncated": Flag("very long outputs were cut short"),
    "not_isolated": Flag("graded without the bubblewrap sandbox"),
    "ran_in_full": Flag("every cell was run: your code uses exec, eval, globals() or the like, which the grader's "
                        "reading of which cells a grade needs cannot follow (slower, not wrong)"),
    "regraded_in_full": Flag("graded again running every cell: with only the cells the grade needs, a test or a cell "
                             "failed for a name, attribute or file a left-out cell makes (slower, not wrong)"),
    # the grader itself
    "grader_error": Flag("the grader failed on this submission (not your fault); it will be graded again",
                         infrastructure=True),
    "worker_lost": Flag("the machine grading this submission was lost; it will be graded again",
                        infrastructure=True),
    "not_selected": Flag("not graded yet: the run that wrote this row graded only the students named by --only",
                         infrastructure=True),
    "interrupted": Flag("grading was stopped (Ctrl-C) before this submission was graded; it will be graded by the "
                        "next run", infrastructure=True),
}


def text(flag: str) -> str:
    base = flag.split(":", 1)[0]
    return FLAGS[base].text if base in FLAGS else flag


def infrastructure(flags) -> bool:
    """True when any of `flags` says the grader, not the submission, failed."""
    return any(FLAGS.get(f.split(":", 1)[0], Flag("")).infrastructure or f.startswith("execution_error")
               for f in flags)
