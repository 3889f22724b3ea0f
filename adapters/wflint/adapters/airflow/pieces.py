"""Parse a very large DAG file a few thousand statements at a time, into the same ``ast``.

``ast.parse`` holds the C parser's tree and the Python one at once: on a 9 MB file of 100,000
operators that is a gigabyte at its peak. The longest run of statements at one indentation (a
``with DAG(...)`` body, or the module's top level) is cut at the starts of its statements; each
piece is parsed alone (under an ``if 1:`` where the body is indented, so columns stay), its lines
moved down to where they are in the file, and the pieces' statements replace that body in a
parse of the rest. Whatever looks unusual (tabs or carriage returns, a piece that does not parse,
a body not where it was expected) gives None, and the file is parsed whole as before, errors and all.
"""
from __future__ import annotations

import ast
import bisect
import re
from collections.abc import Callable

LARGE = 2_000_000  # characters: below this a file is parsed whole
PIECE = 2_000  # statements of the long body parsed at a time
# What the scan must step over to find where statements start: strings (which may hold
# brackets, hashes and newlines), comments, brackets, line continuations, newlines.
_STRINGS = "|".join((
    r'"""(?:[^"\\]|\\.|"(?!""))*"""', r"'''(?:[^'\\]|\\.|'(?!''))*'''",
    r'"(?:[^"\\\n]|\\.)*"', r"'(?:[^'\\\n]|\\.)*'",
))
_TOKEN = re.compile(rf"(?P<string>{_STRINGS})|(?P<comment>#[^\n]*)|(?P<open>[(\[{{])|(?P<close>[)\]}}])"
                    r"|(?P<continued>\\\n)|(?P<newline>\n)", re.S)
_CLAUSES = ("else", "elif", "except", "finally")  # continue the statement before: never a piece's start
_UNUSUAL = re.compile(r"\r|\f|^[ ]*\t", re.M)


def parse_in_pieces(text: str, parse: Callable[[str], ast.Module]) -> ast.Module | None:
    """The module ``parse(text)`` would give, parsed piece by piece; None where that is not sure."""
    if len(text) < LARGE or text.startswith("\ufeff") or _UNUSUAL.search(text):
        return None
    lines = text.split("\n")
    every_start = _statement_starts(text)
    body = _longest_body(lines, every_start)
    if body is None:
        return None
    indent, starts = body
    cuts = _cuts(lines, starts)
    statements: list[ast.stmt] = []
    try:
        for i, first in enumerate(cuts):
            last = cuts[i + 1] - 1 if i + 1 < len(cuts) else _body_end(lines, starts, every_start)
            statements += _piece(lines, first, last, indent, parse)
        if indent == 0:
            return ast.Module(body=statements, type_ignores=[])
        return _graft(lines, starts, statements, parse)
    except (SyntaxError, ValueError, RecursionError):  # parsed whole, the file says what is wrong
        return None


def _statement_starts(text: str) -> list[int]:
    """1-based numbers of the lines where a logical line starts (blank and comment lines too)."""
    starts, depth, line = [1], 0, 1
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup
        if kind == "newline":
            line += 1
            if depth == 0:
                starts.append(line)
        elif kind == "string":
            line += match.group().count("\n")
        elif kind == "continued":
            line += 1
        elif kind == "open":
            depth += 1
        elif kind == "close":
            depth = max(0, depth - 1)
    return starts


def _longest_body(lines: list[str], starts: list[int]) -> tuple[int, list[int]] | None:
    """(indentation, its statements' lines) of the longest run of statements at one indentation."""
    open_runs: list[tuple[int, list[int]]] = []
    best: tuple[int, list[int]] | None = None
    for number in starts:
        text = lines[number - 1] if number <= len(lines) else ""
        stripped = text.lstrip(" ")
        if not stripped or stripped.startswith("#"):
            continue
        indent = len(text) - len(stripped)
        while open_runs and open_runs[-1][0] > indent:
            closed = open_runs.pop()
            best = closed if best is None or len(closed[1]) > len(best[1]) else best
        if open_runs and open_runs[-1][0] == indent:
            open_runs[-1][1].append(number)
        else:
            open_runs.append((indent, [number]))
    for run in open_runs:
        best = run if best is None or len(run[1]) > len(best[1]) else best
    return best if best is not None and len(best[1]) > PIECE else None


def _cuts(lines: list[str], starts: list[int]) -> list[int]:
    """The statements each piece starts with: every PIECE-th, moved past clauses and decorators."""
    cuts = [starts[0]]
    since = 0
    for before, number in zip(starts, starts[1:]):
        since += 1
        word = lines[number - 1].lstrip(" ")
        if since >= PIECE and not word.startswith(_CLAUSES) and not lines[before - 1].lstrip(" ").startswith("@"):
            cuts.append(number)
            since = 0
    return cuts


def _body_end(lines: list[str], starts: list[int], every_start: list[int]) -> int:
    """The body's last line: before the next statement indented less than its own, or the file's end."""
    indent = len(lines[starts[0] - 1]) - len(lines[starts[0] - 1].lstrip(" "))
    for number in every_start[bisect.bisect_right(every_start, starts[-1]):]:
        text = lines[number - 1] if number <= len(lines) else ""
        stripped = text.lstrip(" ")
        if stripped and not stripped.startswith("#") and len(text) - len(stripped) < indent:
            return number - 1
    return len(lines)


def _piece(lines: list[str], first: int, last: int, indent: int, parse: Callable[[str], ast.Module]) -> list[ast.stmt]:
    """The statements of lines first..last, parsed where they stand in the file."""
    chunk = "\n".join(lines[first - 1:last])
    # Blank lines in front put the piece where it stands: the tokenizer steps over them far faster
    # than ``ast.increment_lineno`` walks the piece's nodes afterwards (a third of the whole read).
    if indent == 0:
        found = parse("\n" * (first - 1) + chunk + "\n").body
    else:
        module = parse("\n" * (first - 2) + "if 1:\n" + chunk + "\n")
        if len(module.body) != 1 or not isinstance(module.body[0], ast.If):
            raise SyntaxError("not one block")
        found = module.body[0].body
    if not found or _first_line(found[0]) != first:
        raise SyntaxError("the piece does not start where it was cut")
    return found


def _first_line(statement: ast.stmt) -> int:
    """Where a statement's text starts: a decorated definition's ``lineno`` is its ``def`` line."""
    decorators = getattr(statement, "decorator_list", None)
    return decorators[0].lineno if decorators else statement.lineno


def _graft(lines: list[str], starts: list[int], statements: list[ast.stmt],
           parse: Callable[[str], ast.Module]) -> ast.Module | None:
    """The file parsed with the body blanked but for its last statement, that body then replaced
    by ``statements``: the enclosing block ends where the last statement does, as in the file."""
    last = starts[-1]
    skeleton = lines[:starts[0] - 1] + [""] * (last - starts[0]) + lines[last - 1:]
    module = parse("\n".join(skeleton))
    for node in ast.walk(module):
        for field in ("body", "orelse", "finalbody"):
            block = getattr(node, field, None)
            if isinstance(block, list) and block and isinstance(block[0], ast.stmt) and _first_line(block[0]) == last:
                if len(block) != 1 or _first_line(statements[-1]) != last:
                    return None
                block[:] = statements
                return module
    return None
