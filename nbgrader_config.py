# nbgrader configuration for this course, so stock nbgrader commands work from the repository
# root too (`nbgrader generate_assignment ch16_train_vs_eval`, `nbgrader autograde ...`).
# `python -m autograder` builds the same settings from autograder/settings.py.
from autograder.settings import nbgrader_config

c = get_config()  # noqa: F821  (provided by traitlets when nbgrader loads this file)
c.merge(nbgrader_config())
