# nbgrader configuration for this course, so stock nbgrader commands work from the repository
# root too (`nbgrader generate_assignment ch16_train_vs_eval`, `nbgrader autograde ...`).
# `python -m autograder` builds the same settings from autograder/settings.py.
import os
import sys

from autograder.settings import nbgrader_config

# nbgrader's gradebook runs the `alembic` command: find it in this environment even when its bin/ is not on
# PATH (`make lab` runs .venv/bin/python without activating the environment), or formgrader cannot load.
_bin = os.path.dirname(sys.executable)
if _bin not in os.environ.get("PATH", "").split(os.pathsep):
    os.environ["PATH"] = _bin + os.pathsep + os.environ.get("PATH", "")

c = get_config()  # noqa: F821  (provided by traitlets when nbgrader loads this file)
c.merge(nbgrader_config())

# `make formgrader OUT=grading/ch18`: manual grading of a graded folder (its gradebook and autograded notebooks)
_out = os.environ.get("AUTOGRADER_OUT")
if _out:
    _out = os.path.abspath(_out)
    c.CourseDirectory.db_url = os.environ.get("AUTOGRADER_GRADEBOOK") or f"sqlite:///{_out}/gradebook.db"
    c.CourseDirectory.autograded_directory = os.path.join(_out, "autograded")
