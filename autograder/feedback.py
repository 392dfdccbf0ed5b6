"""Per-student feedback as one self-contained HTML page.

The page starts with a table of the tests (points, passed or the error message) and then shows
each cell. By default test cells show only their visible part: hidden tests stay hidden, their
messages do not, so a student learns what was wrong without seeing the hidden code (stock
nbgrader reveals them). `show_hidden=True` (`grade --show-hidden-tests`) shows them whole.
"""
from __future__ import annotations

import html
import re

from autograder import flags as flagdefs, notebooks as nbs, sanitize

# The page is built from a sanitised notebook (sanitize.py); the policy is a second wall: no script, no request.
POLICY = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"
_BASE64 = re.compile(r"[A-Za-z0-9+/]+={0,2}")

STYLE = """
body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
table{border-collapse:collapse}td,th{border:1px solid #bbb;padding:.3rem .6rem;text-align:left;vertical-align:top}
.pass{color:#1a7f37}.fail{color:#b35900}pre{background:#f6f8fa;padding:.6rem;overflow-x:auto;white-space:pre-wrap}
.err{background:#fff1e5}.cell{margin:1rem 0;border-left:4px solid #ddd;padding-left:.6rem}
.test{border-left-color:#0969da}.answer{border-left-color:#8250df}
"""


def _outputs_html(cell) -> str:
    parts = []
    for out in cell.get("outputs", []):
        kind = out.get("output_type")
        if kind == "stream":
            parts.append(f"<pre>{html.escape(sanitize.plain_text(out.get('text', '')))}</pre>")
        elif kind == "error":
            parts.append(f"<pre class='err'>{html.escape(sanitize.message(out.get('ename', '')))}: "
                         f"{html.escape(sanitize.message(out.get('evalue', '')))}</pre>")
        elif kind in ("execute_result", "display_data"):
            data = out.get("data", {})
            png = "".join(str(data.get("image/png", "")).split())
            if png and _BASE64.fullmatch(png):
                parts.append(f"<img alt='figure' src='data:image/png;base64,{png}'>")
            elif "text/plain" in data:
                parts.append(f"<pre>{html.escape(sanitize.plain_text(data['text/plain']))}</pre>")
    return "".join(parts)


def _notes(flags: list, notes: list) -> str:
    items = [f"<li><b>{html.escape(f)}</b>: {html.escape(flagdefs.text(f))}</li>" for f in flags]
    items += [f"<li>{html.escape(n)}</li>" for n in notes[:20]]
    return f"<p>Notes from the grader:</p><ul>{''.join(items)}</ul>" if items else ""


def render(student_id: str, chapter: str, executed_nb, outcome, flags: list, show_hidden: bool = False,
           notes: list | None = None) -> str:
    rows = []
    for gid, earned in outcome.scores.items():
        msg = outcome.messages.get(gid, "")
        state = ("<span class='pass'>passed</span>" if not msg
                 else f"<span class='fail'>{html.escape(msg)}</span>")
        rows.append(f"<tr><td>{html.escape(gid)}</td><td>{earned:g} / {outcome.max_points[gid]:g}</td>"
                    f"<td>{state}</td></tr>")
    cells = []
    for cell in executed_nb.cells if executed_nb is not None else []:
        gid = nbs.grade_id(cell)
        if cell.get("cell_type") == "markdown":
            continue
        if nbs.is_test_cell(cell):
            cls, src = "cell test", cell.source if show_hidden else nbs.without_hidden_tests(cell.source)
        elif nbs.is_solution_cell(cell):
            cls, src = "cell answer", cell.source
        else:
            continue
        title = html.escape(gid or "")
        cells.append(f"<div class='{cls}'><h3>{title}</h3><pre>{html.escape(src)}</pre>{_outputs_html(cell)}</div>")
    flag_line = _notes(flags, notes or [])
    return (f"<!doctype html><html><head><meta charset='utf-8'>"
            f"<meta http-equiv='Content-Security-Policy' content=\"{POLICY}\"><title>{html.escape(chapter)} feedback: "
            f"{html.escape(student_id)}</title><style>{STYLE}</style></head><body>"
            f"<h1>{html.escape(chapter)}: {html.escape(student_id)}</h1>"
            f"<p><b>Score: {outcome.score:g} / {outcome.max_score:g}</b> (automatically graded tests; "
            f"written answers are graded by hand)</p><!--late--><!--/late-->{flag_line}{hidden_marker(show_hidden)}"
            f"<table><tr><th>test</th><th>points</th><th>result</th></tr>{''.join(rows)}</table>"
            f"<h2>Your answers and the tests</h2>{''.join(cells)}</body></html>")


_LATE = re.compile(r"<!--late-->.*?<!--/late-->", re.S)


def with_late_note(page: str, note: str) -> str:
    """The page with its late-work paragraph set to `note` ('' removes it): the coordinator applies the late
    policy after grading, so a new deadline or extension changes the page without running anything again."""
    block = f"<!--late-->{f'<p><b>{html.escape(note)}</b></p>' if note else ''}<!--/late-->"
    if _LATE.search(page):
        return _LATE.sub(lambda _: block, page, count=1)
    return page.replace("</h1>", "</h1>" + block, 1) if note else page


def hidden_marker(show_hidden: bool) -> str:
    return f"<!--hidden-tests:{'shown' if show_hidden else 'hidden'}-->"


def shows_hidden(page: str) -> bool:
    return hidden_marker(True) in page
