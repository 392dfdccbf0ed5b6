"""Make an executed submission safe to open: nothing a student wrote can run in the browser that shows it.

The executed notebook is what formgrader renders (nbconvert's classic template puts text/html, SVG and
application/javascript outputs into the page as they are, and image metadata into attributes) and what the
feedback page is built from. Before it leaves the job:
  - outputs keep only inert kinds: stream text, text/plain, error name and message, and image/png
    that decodes as a real PNG of bounded size, re-encoded by Pillow (so no crafted bytes or quotes survive);
    an output with nothing inert left says what was removed, as text;
  - markdown and raw cells the student could have written (every one without the course's exact text) keep their
    Markdown but no raw HTML (`markdown`); attachments other than re-encoded PNGs go;
  - cell metadata that renderers read (attachments, raw formats, image sizes) is reduced to plain values.
"""
from __future__ import annotations

import base64
import binascii
import io
import re

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
MAX_PNG_BYTES = 8 << 20
MAX_SIDE = 8000
MAX_PIXELS = 16_000_000
TEXT_KINDS = ("text/plain",)
_ESCAPES = re.compile(r"\x1b(\[[0-9;?]*[A-Za-z]|\][^\x07\x1b]*(\x07|\x1b\\)?|[@-Z\\-_])")
_SGR = re.compile(r"\x1b\[[0-9;]*m")
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1a\x1c-\x1f\x7f]")
_TAG_START = re.compile(r"<(?=[A-Za-z/!?])")      # how every piece of raw HTML begins


def png(data) -> str | None:
    """The base64 text of `data` re-encoded as a fresh PNG, or None when it is not a real PNG of bounded size."""
    if isinstance(data, list):
        data = "".join(str(x) for x in data)
    if not isinstance(data, str) or len(data) > MAX_PNG_BYTES * 4 // 3 + 4096:
        return None
    try:
        raw = base64.b64decode("".join(data.split()), validate=True)
    except (binascii.Error, ValueError):
        return None
    if not raw.startswith(PNG_SIGNATURE):
        return None
    from PIL import Image
    try:
        with Image.open(io.BytesIO(raw), formats=["PNG"]) as image:
            if image.width > MAX_SIDE or image.height > MAX_SIDE or image.width * image.height > MAX_PIXELS:
                return None
            image.load()
            if image.mode not in ("1", "L", "LA", "RGB", "RGBA", "P"):
                image = image.convert("RGBA")
            buffer = io.BytesIO()
            image.save(buffer, format="PNG")
    except Exception:                     # anything Pillow cannot read cleanly is not shown
        return None
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def text(value) -> str:
    """Plain text: control characters and terminal escapes other than colours removed."""
    if isinstance(value, list):
        value = "".join(str(x) for x in value)
    value = str(value)
    kept = []
    last = 0
    for match in _ESCAPES.finditer(value):
        kept.append(value[last:match.start()])
        if _SGR.fullmatch(match.group(0)):
            kept.append(match.group(0))
        last = match.end()
    kept.append(value[last:])
    return _CONTROLS.sub("", "".join(kept))


MESSAGE_MAX_CHARS = 600          # a test's message in feedback, grades and the report
LONG_VALUE_CHARS = 80            # a bracketed run of numbers longer than this is summarised
_NUMBER_TOKEN = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|nan|inf", re.I)


def _nested(span: str):
    """`[[1 2] [3 4]]` (NumPy, lists, tensors' printouts) as nested lists of number strings, or None."""
    stack, current = [], []
    for token in re.finditer(r"\[|\]|" + _NUMBER_TOKEN.pattern, span, re.I):
        t = token.group(0)
        if t == "[":
            stack.append(current)
            current = []
        elif t == "]":
            if not stack:
                return None
            done, current = current, stack.pop()
            current.append(done)
        else:
            current.append(t)
    return current[0] if len(current) == 1 and not stack and isinstance(current[0], list) else None


def _summary(span: str) -> str:
    tree = _nested(span)
    flat = _NUMBER_TOKEN.findall(span)
    if tree is None or len(flat) < 4:
        return span
    shape, level = [], tree
    while isinstance(level, list):
        shape.append(len(level))
        level = level[0] if level else None
    kind = "float" if any(ch in "".join(flat).lower() for ch in ".ein") else "int"
    first = ", ".join(_NUMBER_TOKEN.findall(span.split("...")[0])[:4])      # the values before any "..."
    if "..." in span:               # NumPy printed it abbreviated: the shape of the printout is not the array's
        return f"[{kind} values, printed abbreviated: {first}, ...]"
    return f"[{kind} values, shape ({', '.join(map(str, shape))}{',' if len(shape) == 1 else ''}): {first}, ...]"


def _long_values(text: str) -> str:
    """Each bracketed run of numbers longer than LONG_VALUE_CHARS replaced by its shape, kind and first values."""
    out, depth, start, last = [], 0, 0, 0
    for i, ch in enumerate(text):
        if ch == "[":
            if depth == 0:
                start = i
            depth += 1
        elif ch == "]" and depth:
            depth -= 1
            if depth == 0 and i + 1 - start > LONG_VALUE_CHARS:
                out += [text[last:start], _summary(text[start:i + 1])]
                last = i + 1
    out.append(text[last:])
    return "".join(out)


def plain_text(value) -> str:
    """`text` without colour codes either: for pages that show text, not a terminal."""
    return _SGR.sub("", text(value))


def message(value, limit: int = MESSAGE_MAX_CHARS) -> str:
    """A failure message as plain text for people: every terminal escape (colours too) and control character
    removed, long arrays summarised (shape, kind, first values), runs of blank space folded, at most `limit`
    characters."""
    plain = _long_values(plain_text(value))
    plain = re.sub(r"[ \t]*\n\s*", " | ", plain.strip()) if plain.count("\n") > 3 else plain.strip()
    plain = re.sub(r"[ \t]{2,}", " ", plain)
    if len(plain) > limit:
        plain = plain[:limit - 1].rstrip() + f"... ({len(plain) - limit + 1} more characters)"
    return plain


def _removed(kinds) -> dict:
    from nbformat.v4 import new_output
    names = ", ".join(sorted(str(k)[:60] for k in kinds)) or "an unknown kind"
    return new_output("display_data", data={"text/plain": f"[output of type {names} removed by the grader]"})


def output(out) -> dict | None:
    """One output reduced to inert kinds, or None to drop it."""
    from nbformat.v4 import new_output
    if not isinstance(out, dict):
        return None
    kind = out.get("output_type")
    if kind == "stream":
        name = out.get("name") if out.get("name") in ("stdout", "stderr") else "stdout"
        return new_output("stream", name=name, text=text(out.get("text", "")))
    if kind == "error":        # name and message only: a traceback quotes the grader's lines and hidden tests
        ename, evalue = text(out.get("ename", "Error"))[:200], text(out.get("evalue", ""))
        return new_output("error", ename=ename, evalue=evalue, traceback=[f"{ename}: {evalue}"])
    if kind not in ("display_data", "execute_result"):
        return None
    data = out.get("data") if isinstance(out.get("data"), dict) else {}
    kept, metadata = {}, {}
    if "text/plain" in data:
        kept["text/plain"] = text(data["text/plain"])
    if "image/png" in data:
        image = png(data["image/png"])
        if image is not None:
            kept["image/png"] = image
            size = (out.get("metadata") or {}).get("image/png") if isinstance(out.get("metadata"), dict) else None
            size = {k: v for k, v in size.items() if k in ("width", "height") and type(v) is int
                    and 0 < v < 100_000} if isinstance(size, dict) else {}
            if size:
                metadata["image/png"] = size
    dropped = [k for k in data if k not in kept]
    if not kept:
        return _removed(dropped) if dropped else None
    if dropped and "text/plain" not in kept:
        kept["text/plain"] = f"[output of type {', '.join(sorted(str(k)[:60] for k in dropped))} removed by the grader]"
    if kind == "execute_result":
        count = out.get("execution_count")
        return new_output("execute_result", data=kept, metadata=metadata,
                          execution_count=count if type(count) is int else None)
    return new_output("display_data", data=kept, metadata=metadata)


def markdown(source: str) -> str:
    """Markdown with no raw HTML: a `<` that could open a tag, comment or declaration becomes `&lt;` (everywhere,
    code spans included: guessing where a renderer sees code is how sanitisers get fooled); `x < y` stays."""
    return _TAG_START.sub("&lt;", source)


def _attachments(cell) -> None:
    found = cell.get("attachments")
    if found is None:
        return
    kept = {}
    for name, bundle in (found.items() if isinstance(found, dict) else []):
        image = png(bundle.get("image/png")) if isinstance(bundle, dict) else None
        if image is not None and re.fullmatch(r"[\w.\- ]{1,100}", str(name)):
            kept[str(name)] = {"image/png": image}
    if kept:
        cell["attachments"] = kept
    else:
        cell.pop("attachments", None)


def notebook(nb, course_texts=frozenset()) -> None:
    """Sanitise `nb` in place. `course_texts`: sources of the course's own markdown cells (shown as they are)."""
    for cell in nb.cells:
        kind = cell.get("cell_type")
        if kind == "code":
            cell["outputs"] = [o for o in (output(o) for o in cell.get("outputs", [])) if o is not None]
            cell.get("metadata", {}).pop("attachments", None)
        elif kind in ("markdown", "raw"):
            if kind == "raw":                       # a raw cell with an HTML format is pasted into the page
                for key in ("format", "raw_mimetype"):
                    cell.get("metadata", {}).pop(key, None)
            if cell.get("source", "") not in course_texts:
                cell["source"] = markdown(str(cell.get("source", "")))
                _attachments(cell)
