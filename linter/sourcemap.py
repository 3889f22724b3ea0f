"""Load YAML or JSON keeping where every value sits, for line:column in findings.

YAML is composed with libyaml (fast, and keys stay literal text, so GitHub's ``on:`` stays
``"on"``); JSON is parsed by the standard library and its positions are found only when a finding
needs one. Both raise ``ParseError`` with the file's line and column.
"""
from __future__ import annotations

import json
import re
from typing import Any, Callable

from .errors import ParseError
from .ir import Position, SourceIndex

Pointer = tuple


class LazyIndex(SourceIndex):
    """A SourceIndex filled on first use by ``build`` (most runs never resolve a position)."""

    def __init__(self, build: Callable[[], dict[Pointer, Position]]) -> None:
        super().__init__()
        self._build: Callable[[], dict[Pointer, Position]] | None = build

    def resolve(self, location):  # type: ignore[override]
        if self._build is not None:
            for pointer, position in self._build().items():
                self.add(pointer, position)
            self._build = None
        return super().resolve(location)


# --------------------------------------------------------------------------- YAML

def load_yaml(text: str, path: str, *, reject_merge_keys: bool = False) -> tuple[Any, SourceIndex]:
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        root = yaml.compose(text, Loader=loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        reason = (exc.problem or exc.context or "invalid YAML").strip()
        raise ParseError(path, f"invalid YAML: {reason}", mark.line + 1 if mark else 1,
                         mark.column + 1 if mark else 1) from None
    except yaml.YAMLError as exc:
        raise ParseError(path, f"invalid YAML: {exc}") from None
    if root is None:
        return None, SourceIndex()
    positions: dict[Pointer, Position] = {}
    value = _construct(root, (), positions, path, reject_merge_keys)
    return value, SourceIndex(positions)


def _construct(node, pointer: Pointer, positions: dict, path: str, reject_merge: bool) -> Any:
    import yaml

    positions.setdefault(pointer, _pos(node))
    if isinstance(node, yaml.MappingNode):
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node.value)
            if key == "<<" and key_node.tag == "tag:yaml.org,2002:merge" and reject_merge:
                raise ParseError(path, "YAML merge keys (<<) are not supported", *_line_col(key_node))
            if key in out:
                raise ParseError(path, f"duplicate key {key!r}", *_line_col(key_node))
            positions[pointer + (key,)] = _pos(key_node, value_node)
            out[key] = _construct(value_node, pointer + (key,), positions, path, reject_merge)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_construct(item, pointer + (i,), positions, path, reject_merge) for i, item in enumerate(node.value)]
    return _scalar(node)


_INT = re.compile(r"^[-+]?(0|[1-9][0-9_]*)$")
_FLOAT = re.compile(r"^[-+]?(\.[0-9]+|[0-9][0-9_]*(\.[0-9_]*)?)([eE][-+]?[0-9]+)?$")


def _scalar(node) -> Any:
    tag, text = node.tag, node.value
    if tag == "tag:yaml.org,2002:null":
        return None
    if tag == "tag:yaml.org,2002:bool":
        return text.lower() in ("true", "yes", "on", "y")
    if tag == "tag:yaml.org,2002:int" and _INT.match(text):
        return int(text.replace("_", ""))
    if tag == "tag:yaml.org,2002:float" and _FLOAT.match(text):
        return float(text.replace("_", ""))
    return text


def _line_col(node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


def _pos(node, end_node=None) -> Position:
    end = (end_node or node).end_mark
    return Position(node.start_mark.line + 1, node.start_mark.column + 1, end.line + 1, end.column + 1)


# --------------------------------------------------------------------------- JSON

def load_json(text: str, path: str) -> tuple[Any, SourceIndex]:
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ParseError(path, f"invalid JSON: {exc.msg}", exc.lineno, exc.colno) from None
    return value, LazyIndex(lambda: json_positions(text))


_TOKEN = re.compile(r'\s*(?:("(?:[^"\\]|\\.)*")|([{}\[\],:])|(-?[0-9][-+0-9.eE]*|true|false|null))', re.S)


def json_positions(text: str) -> dict[Pointer, Position]:
    """Position of every value (and key) by JSON pointer, from one scan of valid JSON text."""
    line_starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def where(offset: int) -> tuple[int, int]:
        lo, hi = 0, len(line_starts) - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if line_starts[mid] <= offset:
                lo = mid
            else:
                hi = mid - 1
        return lo + 1, offset - line_starts[lo] + 1

    positions: dict[Pointer, Position] = {}
    stack: list[list] = []  # [pointer, kind, next key or index]
    pending_key: str | None = None
    pos = 0
    pointer: Pointer = ()
    while True:
        m = _TOKEN.match(text, pos)
        if not m:
            break
        pos = m.end()
        start = m.start(m.lastindex)
        string, punct, literal = m.groups()
        if punct == "," or punct == ":":
            continue
        if stack and stack[-1][1] == "object" and string is not None and pending_key is None:
            pending_key = json.loads(string)
            line, col = where(start)
            positions[stack[-1][0] + (pending_key,)] = Position(line, col)
            continue
        if punct in ("}", "]"):
            stack.pop()
            continue
        if stack:
            frame = stack[-1]
            if frame[1] == "object":
                pointer = frame[0] + (pending_key,)
                pending_key = None
            else:
                pointer = frame[0] + (frame[2],)
                frame[2] += 1
        else:
            pointer = ()
        if pointer not in positions:
            positions[pointer] = Position(*where(start))
        if punct == "{":
            stack.append([pointer, "object", None])
        elif punct == "[":
            stack.append([pointer, "array", 0])
    return positions
