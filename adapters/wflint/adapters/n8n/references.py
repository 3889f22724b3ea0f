"""Find the nodes an n8n expression or Code-node source refers to (research/n8n.md §3).

Names are read as parsed string literals (all three JS quote kinds, escapes decoded) and compared
with the set of node names by the caller: never by substring, since "HTTP Request" is a prefix of
"HTTP Request1". A reference whose name is not a plain literal (``$(name)``, ``$('A' + x)``,
a template with ``${}``) is *dynamic*: it could name any node.
"""
from __future__ import annotations

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


@dataclass
class Scan:
    """What scanning a node's parameters found: the nodes it reads and whether it reads its input items."""

    references: list[Reference]
    reads_input: bool


def scan(source: str, python: bool = False) -> Scan:
    """Every node reference in one expression or code string."""
    refs: list[Reference] = []
    for pattern in ((_PY_CALL,) if python else (_CALL,)):
        for m in pattern.finditer(source):
            opener = re.sub(r"\s+", "", m.group(1))
            refs.append(_literal_argument(source, m.start(), m.end(), _CLOSERS[opener]))
    for m in (_PY_DOT if python else _DOT).finditer(source):
        refs.append(Reference(m.group(1), m.group(0)))
    reads_input = bool((_PY_INPUT if python else _INPUT).search(source))
    return Scan(refs, reads_input)


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
