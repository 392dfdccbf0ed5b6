"""The course's grading pipeline around nbgrader: release, grade, feedback, report, demo."""
