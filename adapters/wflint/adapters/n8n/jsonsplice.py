"""Edits of JSON text that leave every byte outside the edited values as it was.

n8n exports are rewritten in place, not re-serialised: a re-dump would reorder nothing but could
change number formats, escapes and indentation all over the file. New values are written in the
file's own indentation style. Each edit function returns the edit of ``doc.text`` it makes.
"""
from __future__ import annotations

import json
import re

from wflint.edits import TextEdit
from wflint.errors import RewriteError
from wflint.sourcemap import json_offsets

_KEY = re.compile(r'"(?:[^"\\]|\\.)*"\s*:\s*')


class Doc:
    """The text, its parsed value and where each JSON pointer starts (keys for members)."""

    def __init__(self, text: str, prefix: tuple = ()) -> None:
        self.text = text
        self.data = json.loads(text)
        self.offsets = json_offsets(text)
        self.prefix = prefix
        self.root = self.data
        for key in prefix:
            self.root = self.root[key]
        self.unit = indent_unit(text)

    def value_start(self, pointer: tuple) -> int:
        """Offset of the value at ``pointer`` (members are indexed by their key)."""
        offset = self.offsets[pointer]
        if pointer and isinstance(pointer[-1], str):
            m = _KEY.match(self.text, offset)
            if m is None:
                raise RewriteError(f"cannot find the value of {pointer[-1]!r}")
            return m.end()
        return offset

    def value_end(self, pointer: tuple) -> int:
        _, end = json.JSONDecoder().raw_decode(self.text, self.value_start(pointer))
        return end

    def dump(self, value, depth: int) -> str:
        """JSON for a new value, in the file's style, for a value nested in ``depth`` containers."""
        if self.unit is None:
            return json.dumps(value, ensure_ascii=False)
        body = json.dumps(value, ensure_ascii=False, indent=self.unit if self.unit == "\t" else len(self.unit))
        return body.replace("\n", "\n" + self.unit * depth)


def indent_unit(text: str) -> str | None:
    """The file's indentation step: spaces or a tab, "" for one value per line without
    indentation, None for JSON on one line."""
    m = re.search(r"\n([ \t]*)[\"{\[]", text)
    if m is None:
        return None
    first = m.group(1)
    if not first:
        return "" if re.search(r"\n[ \t]+[\"{\[]", text) is None else indent_unit(text[m.end():])
    return "\t" if first.startswith("\t") else " " * min(len(first), 4)


def replace_value(doc: Doc, pointer: tuple, value) -> TextEdit:
    return TextEdit(doc.value_start(pointer), doc.value_end(pointer), json.dumps(value, ensure_ascii=False))


def append_member(doc: Doc, container: tuple, key: str, value) -> TextEdit:
    """``"key": value`` added as the last member of the object at ``container``."""
    member = f"{json.dumps(key, ensure_ascii=False)}: {doc.dump(value, len(container) + 1)}"
    return _append(doc, container, member)


def append_element(doc: Doc, array: tuple, value) -> TextEdit:
    return _append(doc, array, doc.dump(value, len(array) + 1))


def _append(doc: Doc, container: tuple, item: str) -> TextEdit:
    text, unit, depth = doc.text, doc.unit, len(container)  # a pointer's length is its nesting depth
    end = doc.value_end(container) - 1  # the closing bracket
    inner = text[doc.value_start(container) + 1:end]
    if not inner.strip():
        opening = ("\n" + unit * (depth + 1)) if unit is not None else ""
        closing = ("\n" + unit * depth) if unit is not None else ""
        return TextEdit(end - len(inner), end, opening + item + closing)
    last = len(text[:end].rstrip())
    gap = inner[:len(inner) - len(inner.lstrip())]
    return TextEdit(last, last, "," + (gap or " ") + item)
