"""Text from a workflow file, made safe to show: names and messages are one line of visible
characters in every output.

A task name is the file author's text. A newline in it could forge a second finding line in text
output or a heading in a Markdown report; bidirectional controls can make text read differently
from what it is ("Trojan Source"). Every such character is shown as its escape instead.
"""
from __future__ import annotations

_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
_INVISIBLE = [*range(0x20), 0x7F, *range(0x80, 0xA0), 0x2028, 0x2029, *range(0x202A, 0x202F),
              *range(0x2066, 0x206A), 0x200E, 0x200F, 0x061C, 0xFEFF,
              *range(0xD800, 0xE000)]  # a lone surrogate (JSON allows ``"\\ud83d"``) cannot be written as UTF-8
_TABLE = {code: _ESCAPES.get(chr(code), f"\\u{code:04x}" if code > 0xFF else f"\\x{code:02x}") for code in _INVISIBLE}


def printable(text: str) -> str:
    """``text`` with control, line-separator and bidirectional characters shown as escapes."""
    if text.isascii() and text.isprintable():  # the common case, nothing to escape: no translation
        return text
    return text.translate(_TABLE)


def some_of(names: list[str], most: int) -> str:
    """The first ``most`` names joined, the rest counted ("a, b and 3 more"): a sentence or a table
    cell about a group of thousands stays readable."""
    shown = ", ".join(names[:most])
    return shown + (f" and {len(names) - most} more" if len(names) > most else "")


def markdown_safe(text: str) -> str:
    """One Markdown document's text with ``<`` and ``>`` outside code shown as entities, so a name
    cannot open an HTML tag; a leading ``>`` (a quote the report writes) and code stay as they are."""
    out, fenced = [], False
    for line in text.split("\n"):
        if line.startswith("```"):
            fenced = not fenced
            out.append(line)
            continue
        out.append(line if fenced else _escape_outside_code(line))
    return "\n".join(out)


def _escape_outside_code(line: str) -> str:
    if "<" not in line and ">" not in line:  # most lines: nothing to escape
        return line
    quote = "> " if line.startswith("> ") else ""
    parts = line[len(quote):].split("`")
    for i in range(0, len(parts), 2):  # even parts are outside code spans
        parts[i] = parts[i].replace("<", "&lt;").replace(">", "&gt;")
    return quote + "`".join(parts)
