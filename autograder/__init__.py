"""The course's grading pipeline around nbgrader: release, grade, feedback, report, demo."""
import sys

# nbformat validates with jsonschema, which loads an IRI grammar (about a second) when the optional
# rfc3987_syntax package is installed; notebooks never use that format, so every command skips it.
sys.modules.setdefault("rfc3987_syntax", None)
