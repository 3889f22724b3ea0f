"""Remove entries from YAML text by splicing the original bytes (docs/architecture.md: never re-dump YAML).

Works from the positions ``sourcemap.load_yaml`` records (a mapping entry spans its key to the
end of its value; a sequence item spans itself), in block and flow style. Each function returns
the edit (a removed span) of the text it is given; everything outside it stays byte-identical,
comments included.
"""
from __future__ import annotations

from .edits import TextEdit
from .ir import Location, Position, SourceIndex


class SpliceError(Exception):
    pass


def _offsets(text: str) -> list[int]:
    starts = [0]
    for i, ch in enumerate(text):
        if ch == "\n":
            starts.append(i + 1)
    return starts


def _span(text: str, index: SourceIndex, pointer: tuple) -> tuple[int, int, Position]:
    position = index.resolve(Location(pointer))
    if position.end_line is None or position.end_column is None:
        raise SpliceError(f"no position for {'/'.join(map(str, pointer))}")
    starts = _offsets(text)

    def offset(line: int, column: int) -> int:
        return starts[line - 1] + column - 1 if line - 1 < len(starts) else len(text)

    return offset(position.line, position.column), offset(position.end_line, position.end_column), position


def _before(text: str, offset: int) -> tuple[str, int]:
    """The first non-blank character before ``offset`` on the same logical run, and where it is."""
    i = offset - 1
    while i >= 0 and text[i] in " \t":
        i -= 1
    return (text[i] if i >= 0 else "\n"), i


def _whole_lines(text: str, start: int, end: int) -> tuple[int, int]:
    """Widen [start, end) to whole lines, taking the line break after them."""
    line_start = text.rfind("\n", 0, start) + 1
    if text[line_start:start].strip() not in ("", "-"):
        raise SpliceError("the entry shares its line with other content")
    end_line_start = text.rfind("\n", 0, end) + 1
    if end_line_start > start and not text[end_line_start:end].strip():
        return line_start, end_line_start  # a block value ends where the next line's key begins
    line_end = text.find("\n", end)
    if text[end:line_end if line_end >= 0 else len(text)].strip() and not text[end:line_end].lstrip().startswith("#"):
        raise SpliceError("the entry shares its line with other content")
    return line_start, (line_end + 1 if line_end >= 0 else len(text))


def remove_key(text: str, index: SourceIndex, pointer: tuple) -> TextEdit:
    """Remove the mapping entry at ``pointer`` (key and value)."""
    start, end, _ = _span(text, index, pointer)
    mark, at = _before(text, start)
    if mark == ",":  # flow mapping, not the first entry: drop ", key: value"
        return TextEdit(at, end, "")
    if mark == "{":  # flow mapping, first entry: drop "key: value, "
        rest = end
        while rest < len(text) and text[rest] in " \t":
            rest += 1
        if rest < len(text) and text[rest] == ",":
            rest += 1
            while rest < len(text) and text[rest] in " \t":
                rest += 1
        return TextEdit(start, rest, "")
    line_start, line_end = _whole_lines(text, start, end)
    return TextEdit(line_start, line_end, "")


def remove_item(text: str, index: SourceIndex, sequence: tuple, position: int, length: int) -> TextEdit:
    """Remove item ``position`` of the sequence at ``sequence`` (which has ``length`` items);
    the last item takes its key with it."""
    if length == 1:
        return remove_key(text, index, sequence)
    start, end, _ = _span(text, index, sequence + (position,))
    mark, at = _before(text, start)
    if mark == "-":  # block sequence: drop the item's lines
        line_start, line_end = _whole_lines(text, at, end)
        return TextEdit(line_start, line_end, "")
    if mark not in "[,":
        raise SpliceError("unrecognised sequence layout")
    if position < length - 1:  # flow, not last: up to the next item
        next_start, _, _ = _span(text, index, sequence + (position + 1,))
        return TextEdit(start, next_start, "")
    previous_end = _span(text, index, sequence + (position - 1,))[1]
    return TextEdit(previous_end, end, "")
