"""Paths and limits shared by every autograder command.

Every limit can be set in the environment (AUTOGRADER_*) and most on the command line.
"""
from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The course whose solutions/ and notebooks/ are used; tests point this at a small fixture course.
COURSE = Path(os.environ.get("AUTOGRADER_COURSE_ROOT", ROOT)).resolve()
SOLUTIONS = COURSE / "solutions"
NOTEBOOKS = COURSE / "notebooks"
TOY_COURSE = ROOT / "tests" / "fixtures" / "toycourse"

# nbgrader's 30 s per cell is too short for the cells that train a model on a laptop CPU.
CELL_TIMEOUT_S = int(os.environ.get("AUTOGRADER_CELL_TIMEOUT", "300"))
NOTEBOOK_TIMEOUT_S = int(os.environ.get("AUTOGRADER_NOTEBOOK_TIMEOUT", "900"))
MIN_RELATIVE_TIMEOUT_S = int(os.environ.get("AUTOGRADER_MIN_RELATIVE_TIMEOUT", "60"))   # floor of `--timeout Nx`
SLOW_FACTOR = 3.0             # with `--timeout Nx`: slower than this many times the solution gets the flag `slow`
KERNEL_NAME = "python3"
CODE_STUB = "# YOUR CODE HERE\nraise NotImplementedError()"

# Per-submission limits. Memory is watched as the resident size of the whole process tree
# (TensorFlow reserves far more virtual memory than it uses, so RLIMIT_AS would break it).
MEMORY_LIMIT_MB = int(os.environ.get("AUTOGRADER_MEMORY_MB", "4096"))
MAX_PROCESSES = int(os.environ.get("AUTOGRADER_MAX_PROCESSES", "64"))
FILE_SIZE_LIMIT_MB = int(os.environ.get("AUTOGRADER_FILE_SIZE_MB", "256"))
SCRATCH_MB = int(os.environ.get("AUTOGRADER_SCRATCH_MB", "512"))      # the kernel's private /tmp
MAX_OUTPUT_BYTES = int(os.environ.get("AUTOGRADER_MAX_OUTPUT_BYTES", "200000"))   # per cell
# auto: bubblewrap if it works, else unshare (network and processes only), else none (warned)
ISOLATION = os.environ.get("AUTOGRADER_ISOLATION", "auto")
PLAN = os.environ.get("AUTOGRADER_PLAN", "pruned")      # pruned: only the cells grades depend on (prune.py); full
GRADER_VERSION = "2"          # part of the cache key: bump when grading semantics change


def chapters() -> list[str]:
    """Chapters that have a solution notebook, in order."""
    return sorted(p.name for p in SOLUTIONS.iterdir() if (p / f"{p.name}.ipynb").exists())


def solution_path(chapter: str) -> Path:
    return SOLUTIONS / chapter / f"{chapter}.ipynb"


def release_path(chapter: str) -> Path:
    return NOTEBOOKS / chapter / f"{chapter}.ipynb"


def nbgrader_config():
    """The traitlets Config that makes stock nbgrader see solutions/ as source and notebooks/ as release."""
    from traitlets.config import Config
    c = Config()
    c.CourseDirectory.root = str(COURSE)
    c.CourseDirectory.source_directory = "solutions"
    c.CourseDirectory.release_directory = "notebooks"
    c.ClearSolutions.code_stub = {"python": CODE_STUB}
    c.Execute.timeout = CELL_TIMEOUT_S
    c.ExecutePreprocessor.timeout = CELL_TIMEOUT_S
    return c
