"""Find the nodes an n8n expression or Code-node source refers to (research/n8n.md §3).

Names are read as parsed string literals (all three JS quote kinds, escapes decoded) and compared
with the set of node names by the caller: never by substring, since "HTTP Request" is a prefix of
"HTTP Request1". A reference whose name is not a plain literal (``$(name)``, ``$('A' + x)``,
a template with ``${}``) is *dynamic*: it could name any node.
"""
from __future__ import annotations

import bisect
import dataclasses
import re

from wflint.records import dataclass

# Forms whose argument is a string literal: $('X') / $("X") / $(`X`), $node['X'], $items('X', ...).
# The look-behind keeps identifiers such as `jQuery$(` or `my$node[` out.
_CALL = re.compile(r"(?<![\w$])(\$\(|\$node\s*\[|\$items\s*\()")
_PY_CALL = re.compile(r"(?<![\w$])(_\(|_node\s*\[|_items\s*\()")
# The legacy dot form $node.Name: n8n's DOT_NOTATION_BANNED_CHARS rule out digits first, and
# punctuation including '_' and '$', so a name here is letters and digits only.
_DOT = re.compile(r"(?<![\w$])\$node\.([^\W\d_][^\W_]*)")
_PY_DOT = re.compile(r"(?<![\w$])_node\.([^\W\d_][^\W_]*)")
# Reads of the direct input (the main parent): $json, $binary, $input, $item(..) etc.
_INPUT = re.compile(r"(?<![\w$])\$(json|binary|input|itemIndex|runIndex|prevNode|thisItem|data|item)\b")
_PY_INPUT = re.compile(r"(?<![\w$])_(json|binary|input)\b")
_CLOSERS = {"$(": ")", "$node[": "]", "$items(": (")", ","), "_(": ")", "_node[": "]", "_items(": (")", ",")}
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "v": "\v", "0": "\0"}


# Accessors that n8n resolves through item lineage (each item's ``pairedItem`` chain back to the
# node), not by position: they need the named node on the item's path, not just run before.
_PAIRED = re.compile(r"\s*\.\s*(item|itemMatching|pairedItem)\b")
# ``$('X').isExecuted`` asks whether X has run in this execution: no data is read, and it is how
# n8n's own error message says to guard a read of a node that may not have run yet.
_STATUS = re.compile(r"\s*\.\s*isExecuted\b(?!\s*\()")


@dataclass(frozen=True)
class Reference:
    """One reference to another node's output in an expression, resolved to its name where that is static."""

    name: str | None  # None: dynamic (could not be resolved statically)
    text: str  # the reference as written, for messages
    paired: bool = False  # read through item lineage: ``$('X').item``, ``.itemMatching(i)``
    status_only: bool = False  # ``$('X').isExecuted``: whether X ran, not what it output
    caught: bool = False  # inside a ``try { }`` with a ``catch``: a missing node's error is handled there
    # after a ``||`` or ``??`` of its own expression (``$json.id || $('X').first().json.id``): read
    # only where what comes before it is empty
    fallback: bool = False


@dataclass
class Scan:
    """What scanning a node's parameters found: the nodes it reads and whether it reads its input items."""

    references: list[Reference]
    reads_input: bool


def scan(source: str, python: bool = False) -> Scan:
    """Every node reference in one expression or code string. In JavaScript, text inside a string
    literal or a comment is no reference (a shell ``$(uname -r)`` in a command being built, an
    old ``$('Node')`` commented out); where the source does not lex cleanly, everything counts."""
    refs: list[Reference] = []
    own_input = False
    tries: list[tuple[int, int]] = []
    calls = list((_PY_CALL if python else _CALL).finditer(source))
    dots = list((_PY_DOT if python else _DOT).finditer(source))
    # where no reference is written, what is string text or comment decides nothing: not lexed
    inert = None if python or not (calls or dots) else _inert_spans(source, tries)
    for m in calls:
        if inert and _inside(inert, m.start()):
            continue
        opener = re.sub(r"\s+", "", m.group(1))
        if opener.endswith("items(") and source.startswith(")", _skip_space(source, m.end())):
            own_input = True  # `$items()`: the node's own input items, no other node's
            continue
        ref = _literal_argument(source, m.start(), m.end(), _CLOSERS[opener])
        if inert is not None and any(a <= m.start() < b for a, b in tries):
            ref = dataclasses.replace(ref, caught=True)
        if not python and _after_alternative(source, m.start(), inert):
            ref = dataclasses.replace(ref, fallback=True)
        refs.append(ref)
    for m in dots:
        if not (inert and _inside(inert, m.start())):
            fallback = not python and _after_alternative(source, m.start(), inert)
            refs.append(Reference(m.group(1), m.group(0), fallback=fallback))
    reads_input = own_input or bool((_PY_INPUT if python else _INPUT).search(source))
    return Scan(refs, reads_input)


def _after_alternative(source: str, at: int, inert: list[tuple[int, int]] | None) -> bool:
    """Is there a ``||`` or ``??`` (outside string text) between the start of the expression or
    statement holding offset ``at`` (its line, or the last ``;``) and ``at``?"""
    start = max(source.rfind("\n", 0, at), source.rfind(";", 0, at)) + 1
    for op in ("||", "??"):
        i = source.find(op, start, at)
        while i >= 0:
            if not (inert and _inside(inert, i)):
                return True
            i = source.find(op, i + 2, at)
    return False


def _literal_argument(source: str, start: int, pos: int, closer) -> Reference:
    closers = closer if isinstance(closer, tuple) else (closer,)
    pos = _skip_space(source, pos)
    if pos >= len(source) or source[pos] not in "'\"`":
        return Reference(None, _snippet(source, start))
    value, end = _read_string(source, pos)
    if value is None:
        return Reference(None, _snippet(source, start))
    end = _skip_space(source, end)
    if end >= len(source) or source[end] not in closers:
        return Reference(None, _snippet(source, start))  # e.g. $('Prefix ' + x)
    called = source[start] in "$_" and source[start + 1:start + 2] == "("
    paired = called and _PAIRED.match(source, end + 1) is not None
    status_only = called and _STATUS.match(source, end + 1) is not None
    return Reference(value, source[start:end + 1], paired, status_only)


# One JavaScript token at a time, outside template text: a comment, a quoted string, a template's
# backtick, a brace, a slash (a regex or a division), a word, or any other single character.
_JS_TOKEN = re.compile(r"""(?P<comment>//[^\n]*|/\*[\s\S]*?\*/)|(?P<string>'(?:[^'\\\n]|\\[\s\S])*'|"(?:[^"\\\n]|\\[\s\S])*")"""
                       r"|(?P<tick>`)|(?P<open>\{)|(?P<close>\})|(?P<slash>/)|(?P<word>[\w$]+)|(?P<space>\s+)|(?P<other>[\s\S])")
_TEMPLATE_TEXT = re.compile(r"(?:[^`\\$]|\\[\s\S]|\$(?!\{))*")
# Bounded, so that a line of slashes that close nothing costs a constant per slash, not the line:
# a longer regex is read as code, which at worst leaves the source unlexed (everything counts).
_REGEX_BODY = re.compile(r"(?:[^/\\\[\n]|\\.|\[(?:[^\]\\\n]|\\.){0,100}\]){1,100}/[a-z]*")
_BEFORE_REGEX = set("(,=:[!&|?{};+-*%<>~^") | {"", "return", "typeof", "case", "do", "else", "in", "of", "new",
                                                "delete", "void", "throw", "instanceof", "yield", "await"}


_CATCH = re.compile(r"\s*catch\b")


def _inert_spans(source: str, tries: list[tuple[int, int]] | None = None) -> list[tuple[int, int]] | None:
    """Where a JavaScript source holds string text or comments, as (start, end) offsets in order;
    None where it does not lex cleanly (an unterminated string, comment or template). ``tries``
    collects the bodies of ``try { }`` blocks a ``catch`` follows."""
    spans: list[tuple[int, int]] = []
    stack: list[str] = []  # "{" for a brace, "${" for a template substitution
    opened: list[int] = []  # where each open brace's body starts, ``-1 - start`` for a try's
    pos, last = 0, ""
    while pos < len(source):
        if stack and stack[-1] == "`":  # template text, up to its end or a substitution
            end = _matched(_TEMPLATE_TEXT, source, pos).end()
            spans.append((pos, end))
            if source.startswith("${", end):
                stack[-1:] = ["`", "${"]
                pos, last = end + 2, "{"
            elif end < len(source):
                stack.pop()
                pos, last = end + 1, "`"
            else:
                return None
            continue
        m = _matched(_JS_TOKEN, source, pos)
        kind, text = m.lastgroup, m.group()
        if kind in ("comment", "string"):
            spans.append((pos, m.end()))
        elif kind == "tick":
            stack.append("`")
        elif kind == "open":
            stack.append("{")
            opened.append(-1 - m.end() if last == "try" else m.end())
        elif kind == "close" and stack:
            if stack.pop() == "{" and opened:
                start = opened.pop()
                if start < 0 and tries is not None and _CATCH.match(source, m.end()):
                    tries.append((-1 - start, pos))
        elif kind == "slash" and last in _BEFORE_REGEX:
            body = _REGEX_BODY.match(source, m.end())
            if body:
                spans.append((pos, body.end()))
                pos, last = body.end(), "/re"
                continue
        elif kind == "other" and text in "'\"":
            return None  # a quote that opens no string on its line: not plain JavaScript
        if kind not in ("space", "comment"):  # a comment leaves what a slash after it means as it was
            last = text if kind == "word" else text[-1:] if kind in ("open", "close", "slash", "other") else ")"
        pos = m.end()
    return None if stack and "`" in stack else spans


def _matched(pattern: re.Pattern, source: str, pos: int) -> re.Match:
    """A match of a pattern that matches anywhere (a catch-all branch, or an empty match)."""
    m = pattern.match(source, pos)
    assert m is not None
    return m


def _inside(spans: list[tuple[int, int]], at: int) -> bool:
    """Is offset ``at`` within one of ``spans`` (ordered, disjoint)?"""
    i = bisect.bisect_right(spans, (at, float("inf"))) - 1
    return i >= 0 and spans[i][0] <= at < spans[i][1]


def _skip_space(source: str, pos: int) -> int:
    while pos < len(source) and source[pos] in " \t\r\n":
        pos += 1
    return pos


def _read_string(source: str, pos: int) -> tuple[str | None, int]:
    """Decode the JS string literal starting at ``pos``; (None, pos) if unterminated or templated."""
    quote = source[pos]
    out: list[str] = []
    i = pos + 1
    while i < len(source):
        c = source[i]
        if c == quote:
            return _utf16("".join(out)), i + 1
        if c == "\\" and i + 1 < len(source):
            nxt = source[i + 1]
            if nxt == "u" and source[i + 2:i + 3] == "{":
                close = source.find("}", i + 3)
                if close < 0:
                    return None, pos
                out.append(_chr(source[i + 3:close]))
                i = close + 1
                continue
            if nxt == "u" and re.fullmatch(r"[0-9a-fA-F]{4}", source[i + 2:i + 6] or ""):
                out.append(chr(int(source[i + 2:i + 6], 16)))
                i += 6
                continue
            if nxt == "x" and re.fullmatch(r"[0-9a-fA-F]{2}", source[i + 2:i + 4] or ""):
                out.append(chr(int(source[i + 2:i + 4], 16)))
                i += 4
                continue
            if nxt == "\n":  # line continuation
                i += 2
                continue
            out.append(_ESCAPES.get(nxt, nxt))
            i += 2
            continue
        if quote == "`" and c == "$" and source[i + 1:i + 2] == "{":
            return None, pos  # template with a substitution: dynamic
        if c == "\n" and quote != "`":
            return None, pos
        out.append(c)
        i += 1
    return None, pos


def _utf16(text: str) -> str:
    """JS strings are UTF-16: ``\\ud83d\\udd27`` is one character (🔧), as the node's name has it.
    A lone surrogate stays as it is."""
    if not any("\ud800" <= c <= "\udfff" for c in text):
        return text
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "surrogatepass")


def _chr(hex_digits: str) -> str:
    try:
        return chr(int(hex_digits, 16))
    except ValueError:
        return ""


def _snippet(source: str, start: int) -> str:
    return source[start:start + 40].split("\n", 1)[0]
