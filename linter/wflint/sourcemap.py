"""Load YAML or JSON keeping where every value sits, for line:column in findings.

YAML is read from libyaml's events (fast, and keys stay literal text, so GitHub's ``on:`` stays
``"on"``), composed only where the events way does not apply; JSON is parsed by the standard
library. Positions are found only when a finding needs one. Both raise ``ParseError`` with the
file's line and column.
"""
from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from typing import Any

from wflint.patterns import lazy

from .errors import ParseError
from .ir import Location, Position, SourceIndex

Pointer = tuple


class SpanIndex(SourceIndex):
    """A SourceIndex over packed spans (``_pack``), each Position made when a finding asks for it:
    made up front, a 100,000-job workflow's 800,000 Positions outweighed the workflow itself."""

    def __init__(self, spans: dict[Pointer, int]) -> None:
        super().__init__()
        self._spans = spans

    def _known(self, pointer: Pointer) -> Position | None:
        found = self._positions.get(pointer)
        if found is not None:
            return found
        span = self._spans.get(pointer)
        return None if span is None else Position(span >> 96, span >> 64 & _MASK, span >> 32 & _MASK, span & _MASK)


_MASK = (1 << 32) - 1


def _pack(line: int, column: int, end_line: int, end_column: int) -> int:
    """A span as one int, 32 bits a field: a third of the memory of a tuple of four."""
    return line << 96 | column << 64 | end_line << 32 | end_column


# --------------------------------------------------------------------------- YAML

_LOADER = None


def _loader():
    """libyaml's safe loader with a leaner tag resolver (no path resolvers: one table lookup)."""
    global _LOADER
    if _LOADER is None:
        import yaml

        base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        table = base.yaml_implicit_resolvers
        scalar, seq = yaml.ScalarNode, yaml.SequenceNode
        str_tag, seq_tag, map_tag = base.DEFAULT_SCALAR_TAG, base.DEFAULT_SEQUENCE_TAG, base.DEFAULT_MAPPING_TAG

        def resolve(self, kind, value, implicit):
            if kind is scalar:
                if implicit[0]:
                    for tag, regexp in table.get(value[:1], ()):
                        if regexp.match(value):
                            return tag
                return str_tag
            return seq_tag if kind is seq else map_tag

        # libyaml's composer calls both path-resolver hooks for every node and ignores what they
        # return: builtins that take those arguments and do nothing cost half a Python lambda.
        _LOADER = type("FastSafeLoader", (base,), {"resolve": resolve, "descend_resolver": slice,
                                                   "ascend_resolver": tuple})
    return _LOADER


def load_yaml(text: str, path: str, *, reject_merge_keys: bool = False) -> tuple[Any, SourceIndex]:
    """The document's values and where each sits. A small file takes the fast way
    (``_plain_values``: values only), its positions built only if a finding asks for one (most
    files have none); a large one, or one that way does not read plainly (an anchor, a duplicate
    key, an error), is built with its spans at once, so it is read once, not twice."""
    values = _plain_values(text) if len(text) <= FAST_WAY_MAX_CHARS else None
    if values is None:
        return _composed(text, path, reject_merge_keys)
    found, value = values
    if not found:
        return None, SourceIndex()
    return value, _DeferredIndex(lambda: _composed(text, path, reject_merge_keys)[1])


FAST_WAY_MAX_CHARS = 256 * 1024  # past this, a second read for positions costs more than the fast way saves


class _DeferredIndex(SourceIndex):
    """A SourceIndex built on first use (most runs never resolve a position)."""

    def __init__(self, build: Callable[[], SourceIndex]) -> None:
        super().__init__()
        self._build = build
        self._index: SourceIndex | None = None

    def resolve(self, location: Location | None) -> Position:
        if self._index is None:
            self._index = self._build()
        return self._index.resolve(location)


def _composed(text: str, path: str, reject_merge_keys: bool) -> tuple[Any, SourceIndex]:
    """The document with every value's span: from libyaml's events where the file allows
    (``_Streamed``), else composed (``_Builder``), with the error composing gives."""
    import yaml

    loader = _loader()
    streamed = _Streamed.build(loader, text, reject_merge_keys)
    if streamed is not None:
        return streamed[0], SpanIndex(streamed[1])
    try:
        root = yaml.compose(text, Loader=loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        reason = (exc.problem or exc.context or "invalid YAML").strip()
        raise ParseError(path, f"invalid YAML: {reason}", mark.line + 1 if mark else 1,
                         mark.column + 1 if mark else 1) from None
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow; ``position`` is an offset
        line = text.count("\n", 0, exc.position) + 1
        column = exc.position - (text.rfind("\n", 0, exc.position) + 1) + 1
        raise ParseError(path, f"invalid YAML: character {exc.character!r} is not allowed", line, column) from None
    except yaml.YAMLError as exc:
        raise ParseError(path, f"invalid YAML: {exc}") from None
    if root is None:
        return None, SourceIndex()
    build = _Builder(path, reject_merge_keys)
    value = build.value(root, ())
    return value, SpanIndex(build.nodes)


_EVENTS = None


def _event_kinds():
    """libyaml's event classes, in the order ``_plain_values`` tells them apart."""
    global _EVENTS
    if _EVENTS is None:
        from yaml import events

        _EVENTS = (events.ScalarEvent, events.MappingStartEvent, events.SequenceStartEvent,
                   events.MappingEndEvent, events.SequenceEndEvent, events.DocumentStartEvent, events.StreamEndEvent)
    return _EVENTS


def _plain_values(text: str) -> tuple[bool, Any] | None:
    """(whether there is a document, its values) from libyaml's events, without composing nodes;
    None for a file this way does not read as composing would: an anchor or alias, an explicit
    or merge key, a duplicate key, nesting or size near the limits, several documents, an error."""
    loader = _loader()
    parser = loader(text)
    try:
        return _walk(parser.get_event, _event_kinds(), loader.yaml_implicit_resolvers)
    except Exception:  # whatever went wrong, composing says it as it always did
        return None
    finally:
        parser.dispose()


def _walk(next_event, kinds, table) -> tuple[bool, Any] | None:
    """``_plain_values``' loop: the open collection in locals, the ones around it on a stack.
    A scalar resolves as ``_loader``'s resolver and ``_scalar`` resolve it; a key stays its text."""
    scalar_event, mapping_start, sequence_start, mapping_end, sequence_end, document_start, stream_end = kinds
    next_event()  # the stream's start
    event = next_event()
    if type(event) is stream_end:
        return False, None
    if type(event) is not document_start:
        return None
    stack: list[tuple[Any, bool, Any]] = []  # the collections around the open one: (value, a mapping, its key)
    current: Any = None  # the open collection (None: the document's top)
    in_map, key, values = False, None, 0
    while True:
        event = next_event()
        kind = type(event)
        if kind is scalar_event:
            text, tag = event.value, event.tag
            if event.anchor is not None:
                return None  # an anchor (or, below, an alias): the composed way counts and checks them
            if in_map and key is None:
                if text in current or text == "<<" or tag not in (None, "!"):
                    return None
                key = text
                continue
            value = text
            if tag is not None and tag != "!":
                value = _scalar_value(tag, text)
            elif event.implicit[0]:
                for implicit_tag, regexp in table.get(text[:1], ()):
                    if regexp.match(text):
                        value = _scalar_value(implicit_tag, text)
                        break
        elif kind is mapping_start or kind is sequence_start:
            if event.anchor is not None or len(stack) >= MAX_YAML_DEPTH or (in_map and key is None):
                return None  # deep, or a collection as a key
            stack.append((current, in_map, key))
            current, in_map, key = ({}, True, None) if kind is mapping_start else ([], False, None)
            continue
        elif kind is mapping_end or kind is sequence_end:
            values += len(current)
            if values > MAX_YAML_VALUES // 2:
                return None
            value = current
            current, in_map, key = stack.pop()
        else:
            return None
        if current is None:
            return (True, value) if _ends_alone(next_event, stream_end) else None
        if in_map:
            current[key] = value
            key = None
        else:
            current.append(value)


def _ends_alone(next_event, stream_end) -> bool:
    """After the document's value: its end, then the stream's (a second document is an error)."""
    next_event()  # the document's end
    return type(next_event()) is stream_end


MAX_YAML_VALUES = 1_000_000  # values after alias expansion: a workflow of 10,000 tasks has ~100,000
MAX_YAML_DEPTH = 200


class _Builder:
    """One document's values from its nodes, each pointer's nodes kept for positions, within bounds:
    aliases can make a few hundred bytes stand for billions of values ("billion laughs"), or for a
    value that contains itself. One recursive method per collection: this runs for every value of
    every file."""

    def __init__(self, path: str, reject_merge: bool) -> None:
        import yaml

        self.path, self.reject_merge = path, reject_merge
        self.nodes: dict[Pointer, int] = {}  # packed spans only: the node tree can go
        self.values = 0
        self.open: set[int] = set()  # ids of the collections being built: one met again is a loop
        self._scalar_node, self._mapping_node = yaml.ScalarNode, yaml.MappingNode

    def value(self, node, pointer: Pointer) -> Any:
        if pointer not in self.nodes:
            self.nodes[pointer] = _span(node)
        if isinstance(node, self._scalar_node):
            return _scalar(node)
        self._enter(node, len(pointer))
        try:
            return self._mapping(node, pointer) if isinstance(node, self._mapping_node) else self._sequence(node, pointer)
        finally:
            self.open.discard(id(node))

    def _enter(self, node, depth: int) -> None:
        self.values += len(node.value)
        if self.values > MAX_YAML_VALUES:
            raise ParseError(self.path, f"YAML expands to more than {MAX_YAML_VALUES:,} values "
                                        "(aliases repeated inside aliases)", *_line_col(node))
        if id(node) in self.open:
            raise ParseError(self.path, "a YAML alias refers to a value that contains it", *_line_col(node))
        if depth > MAX_YAML_DEPTH:
            raise ParseError(self.path, f"YAML nests more than {MAX_YAML_DEPTH} levels deep", *_line_col(node))
        self.open.add(id(node))

    def _mapping(self, node, pointer: Pointer) -> dict[str, Any]:
        out: dict[str, Any] = {}
        nodes, scalar_node = self.nodes, self._scalar_node
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, scalar_node) else str(key_node.value)
            if key == "<<" and key_node.tag == "tag:yaml.org,2002:merge" and self.reject_merge:
                raise ParseError(self.path, "YAML merge keys (<<) are not supported", *_line_col(key_node))
            if key in out:
                raise ParseError(self.path, f"duplicate key {key!r}", *_line_col(key_node))
            child = pointer + (key,)
            nodes[child] = _span(key_node, value_node)
            out[key] = (_scalar(value_node) if isinstance(value_node, scalar_node)  # most values: no call
                        else self.value(value_node, child))
        return out

    def _sequence(self, node, pointer: Pointer) -> list:
        items = []
        nodes, scalar_node = self.nodes, self._scalar_node
        for i, item in enumerate(node.value):
            if isinstance(item, scalar_node):
                if pointer + (i,) not in nodes:
                    nodes[pointer + (i,)] = _span(item)
                items.append(_scalar(item))
            else:
                items.append(self.value(item, pointer + (i,)))
        return items


class _Irregular(Exception):
    """What only the composed tree handles (an anchor, an alias, a value past a bound, an error)."""


class _Streamed:
    """A plain document's values and spans built from libyaml's events as they come, no node tree:
    composed first, a 100,000-job workflow held every node and its marks at once (~0.5 GB).

    Only documents with no anchors, no aliases, no complex keys and nothing ``_Builder`` refuses
    are built here, the same values and spans in the same order; anything else (and every error,
    so that messages stay those of the composed path) gives None and the caller composes.
    """

    def __init__(self, loader, reject_merge: bool) -> None:
        import yaml

        self.next, self.resolve, self.reject_merge = loader.get_event, loader.resolve, reject_merge
        self.implicit = loader.yaml_implicit_resolvers  # ``_loader``'s table: what ``resolve`` reads
        self.nodes: dict[Pointer, int] = {}
        self.values = 0
        self._scalar_event, self._mapping_start = yaml.ScalarEvent, yaml.MappingStartEvent
        self._scalar_node = yaml.ScalarNode

    @classmethod
    def build(cls, loader_class, text: str, reject_merge: bool) -> tuple[Any, dict[Pointer, int]] | None:
        import yaml

        loader = loader_class(text)
        try:
            return cls(loader, reject_merge)._document(yaml.DocumentStartEvent, yaml.StreamEndEvent)
        except Exception:  # the composed path raises it, or its own error, as before
            return None
        finally:
            loader.dispose()

    def _document(self, document_start, stream_end) -> tuple[Any, dict]:
        self.next()  # stream start
        if not isinstance(self.next(), document_start):
            raise _Irregular  # an empty stream: the composed path says what it is
        root = self.next()
        self.nodes[()] = _event_span(root, root)
        value = self._scalar(root) if type(root) is self._scalar_event and root.anchor is None else self._tree(root)
        self.next()  # document end
        if not isinstance(self.next(), stream_end):
            raise _Irregular
        return value, self.nodes

    def _tree(self, root) -> Any:
        """The collection ``root`` starts, read in one loop (the open collections on a stack, not
        one call per value): each value's span kept at its pointer, a collection's end set when
        its end event comes. A key's span runs from the key to its value's end. A scalar resolves
        here as ``_scalar`` resolves it (as ``_walk`` does: three calls a value were a third of the loop)."""
        import yaml

        next_event, nodes, reject_merge, implicit = self.next, self.nodes, self.reject_merge, self.implicit
        scalar_t, map_t, seq_t = self._scalar_event, self._mapping_start, yaml.SequenceStartEvent
        map_end, seq_end = yaml.MappingEndEvent, yaml.SequenceEndEvent
        if root.anchor is not None or type(root) is not map_t and type(root) is not seq_t:
            raise _Irregular
        stack: list[tuple[Any, Pointer, bool]] = []
        container: Any = {} if type(root) is map_t else []
        pointer: Pointer = ()
        is_map = type(root) is map_t
        values = self.values
        while True:
            event = next_event()  # a mapping's key, a sequence's item, or the collection's end
            kind = type(event)
            if kind is map_end or kind is seq_end:
                end = event.end_mark
                nodes[pointer] = nodes[pointer] >> 64 << 64 | (end.line + 1) << 32 | end.column + 1
                if not stack:
                    self.values = values
                    return container
                container, pointer, is_map = stack.pop()
                continue
            if is_map:
                if kind is not scalar_t:
                    raise _Irregular  # a complex key
                key = event.value
                if event.anchor is not None or key in container or key == "<<" and reject_merge:
                    raise _Irregular
                child = pointer + (key,)
                start = event.start_mark
                event = next_event()
                stop = event.end_mark
            else:
                child = pointer + (len(container),)
                start, stop = event.start_mark, event.end_mark
            values += 1
            if values > MAX_YAML_VALUES:
                raise _Irregular
            nodes[child] = (start.line + 1) << 96 | (start.column + 1) << 64 | (stop.line + 1) << 32 | stop.column + 1
            if event.anchor is not None:
                raise _Irregular
            kind = type(event)
            if kind is scalar_t:
                value = text = event.value
                tag = event.tag
                if tag is not None and tag != "!":
                    value = _scalar_value(tag, text)
                elif event.implicit[0]:
                    for implicit_tag, regexp in implicit.get(text[:1], ()):
                        if regexp.match(text):
                            value = _scalar_value(implicit_tag, text)
                            break
            elif kind is map_t or kind is seq_t:
                if len(child) > MAX_YAML_DEPTH:
                    raise _Irregular
                value = {} if kind is map_t else []
            else:
                raise _Irregular  # an alias
            if is_map:
                container[key] = value
            else:
                container.append(value)
            if kind is not scalar_t:
                stack.append((container, pointer, is_map))
                container, pointer, is_map = value, child, kind is map_t

    def _scalar(self, event) -> Any:
        tag = event.tag
        if tag is None or tag == "!":
            tag = self.resolve(self._scalar_node, event.value, event.implicit)
        return _scalar_value(tag, event.value)


def _event_span(start, end) -> int:
    """Like ``_span`` from events; a collection's end is set once its end event comes."""
    return _pack(start.start_mark.line + 1, start.start_mark.column + 1, end.end_mark.line + 1, end.end_mark.column + 1)


_INT = lazy(r"^[-+]?(0|[1-9][0-9_]*)$")
_FLOAT = lazy(r"^[-+]?(\.[0-9]+|[0-9][0-9_]*(\.[0-9_]*)?)([eE][-+]?[0-9]+)?$")


def _scalar(node) -> Any:
    return _scalar_value(node.tag, node.value)


def _scalar_value(tag: str, text: str) -> Any:
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


def _span(node, end_node=None) -> int:
    """A node's 1-based span packed in an int: keeping the nodes themselves for their positions held
    the whole composed tree (marks, tags, values) for the file's lifetime, GBs at 100k jobs."""
    start, end = node.start_mark, (end_node or node).end_mark
    return _pack(start.line + 1, start.column + 1, end.line + 1, end.column + 1)


# --------------------------------------------------------------------------- JSON

def load_json(text: str, path: str) -> tuple[Any, SourceIndex]:
    return parse_json(text, path), JsonIndex(text)


def parse_json(text: str, path: str) -> Any:
    """``json.loads`` with its limits as clean errors: nesting past the recursion limit, integers
    past Python's 4,300-digit conversion limit."""
    import json  # here, not at import: a run that reads only YAML never needs it

    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ParseError(path, f"invalid JSON: {exc.msg}", exc.lineno, exc.colno) from None
    except RecursionError:
        raise ParseError(path, "JSON nests too deeply to be read") from None
    except ValueError as exc:  # an integer literal with more digits than Python converts
        raise ParseError(path, f"invalid JSON: {str(exc).split(';')[0]}") from None


class JsonIndex(SourceIndex):
    """Positions in JSON text, found on demand (``JsonSeeker``): a file usually needs a handful of
    positions (its findings), and each container on their paths is scanned once, by the C decoder."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self._text = text
        self._seeker = JsonSeeker(text)
        self._line_starts: list[int] = []

    def resolve(self, location: Location | None) -> Position:
        if not self._line_starts:
            self._line_starts = [0] + [m.end() for m in re.finditer("\n", self._text)]
        pointer = location.pointer if location is not None else ()
        offset = None
        while offset is None and pointer:
            offset = self._seeker.offset(pointer)
            pointer = pointer[:-1]
        if offset is None:
            offset = self._seeker.root
        line = bisect.bisect_right(self._line_starts, offset)
        return Position(line, offset - self._line_starts[line - 1] + 1)


_SPACE = lazy(r"[ \t\r\n]*")
_STRING = lazy(r'"(?:[^"\\]|\\.)*"')
_DECODER = None


def _decoder():
    global _DECODER
    if _DECODER is None:
        import json

        _DECODER = json.JSONDecoder()
    return _DECODER


def _past_space(text: str, pos: int) -> int:
    """The offset after the JSON whitespace at ``pos`` (``_SPACE`` matches anywhere, maybe empty)."""
    match = _SPACE.match(text, pos)
    if match is None:  # cannot happen: the pattern matches the empty string
        raise AssertionError(f"JSON whitespace pattern failed at offset {pos}")
    return match.end()


class JsonSeeker:
    """Offsets by JSON pointer in valid JSON text, as ``json_offsets`` gives them (an object member
    at its key, an array element at its value), computed lazily: the first lookup through a
    container records where each of its children starts, skipping their values with the C
    decoder, so many lookups cost about one pass over the containers they go through."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.root = _past_space(text, 0)
        self._value: dict[Pointer, int] = {(): self.root}  # where each known value starts
        self._shown: dict[Pointer, int] = {(): self.root}  # the offset to report (key of a member)
        self._scanned: set[Pointer] = set()

    def offset(self, pointer: Pointer) -> int | None:
        for depth in range(len(pointer)):
            container = pointer[:depth]
            if container not in self._value:
                return None
            if container not in self._scanned:
                self._scan(container)
        return self._shown.get(pointer)

    def _scan(self, container: Pointer) -> None:
        import json

        self._scanned.add(container)
        decoder = _decoder()
        text, pos = self.text, self._value[container]
        opener = text[pos] if pos < len(text) else ""
        if opener not in "{[" or not opener:
            return
        pos = _past_space(text, pos + 1)
        index = 0
        while text[pos] not in "}]":
            if opener == "{":
                key = _STRING.match(text, pos)
                if key is None:  # the text is valid JSON: a member starts with its key
                    raise ValueError(f"no JSON object key at offset {pos}")
                name = json.loads(key.group()) if "\\" in key.group() else key.group()[1:-1]
                pos = _past_space(text, _past_space(text, key.end()) + 1)  # past ':'
                child, shown = container + (name,), key.start()  # a later duplicate wins, as in json.loads
            else:
                child, shown = container + (index,), pos
                index += 1
            self._value[child], self._shown[child] = pos, shown
            _, end = decoder.raw_decode(text, pos)
            pos = _past_space(text, end)
            if text[pos] == ",":
                pos = _past_space(text, pos + 1)


def json_seek(text: str, pointer: Pointer) -> int | None:
    """Offset of ``pointer`` in ``text`` (see ``JsonSeeker``); None where it leads nowhere."""
    return JsonSeeker(text).offset(pointer)


_TOKEN = lazy(r'"(?:[^"\\]|\\.)*"|[{}\[\]]|-?[0-9][-+0-9.eE]*|true|false|null|-?Infinity|NaN')


def json_offsets(text: str) -> dict[Pointer, int]:
    """Offset of every value and key by JSON pointer, from one scan of valid JSON text.

    Commas and colons are skipped by the token pattern; whether a string is a key is known from
    the enclosing object's state (a key is always followed by its value).
    """
    import json

    offsets: dict[Pointer, int] = {}
    stack: list[list] = []  # [pointer, is_object, next key or index]
    expect_key = False
    for m in _TOKEN.finditer(text):
        token = m.group()
        first = token[0]
        if first in "}]":
            stack.pop()
            expect_key = bool(stack) and stack[-1][1]  # after a value in an object comes a key
            continue
        if stack:
            frame = stack[-1]
            if frame[1]:
                if expect_key:
                    frame[2] = json.loads(token) if "\\" in token else token[1:-1]
                    offsets[frame[0] + (frame[2],)] = m.start()
                    expect_key = False
                    continue
                pointer = frame[0] + (frame[2],)
                expect_key = True  # for the next member, once this value is done
            else:
                pointer = frame[0] + (frame[2],)
                frame[2] += 1
                offsets.setdefault(pointer, m.start())
        else:
            pointer = ()
            offsets[pointer] = m.start()
        if first == "{":
            stack.append([pointer, True, None])
            expect_key = True
        elif first == "[":
            stack.append([pointer, False, 0])
            expect_key = False
    return offsets
