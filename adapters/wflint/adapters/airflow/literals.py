"""The closed set of operations the Airflow interpreter performs on values read from a DAG file.

A DAG file is untrusted input (a pull request, a staged file): its constant expressions are
evaluated only where both sides are literals (str, int, float, bool, None and lists, tuples and
dicts of them) and the result stays small. ``str.format`` never follows ``.attr`` or ``[key]`` in
a field (``'{0.__init__.__globals__}'.format(x)`` would reach the interpreter's own objects and,
through them, the environment of whoever runs wflint), and no width, repeat or replacement may
build a string, list or number bigger than a DAG could sensibly hold. Anything else is
``UNKNOWN``: the task id becomes dynamic, never a guess.
"""
from __future__ import annotations

import ast
import re
import string
from typing import Any

from .model import UNKNOWN, SetList

MAX_SIZE = 100_000  # characters of a string, items of a list: far beyond any task id or list of tables
MAX_INT_BITS = 256
MAX_NESTING = 20
_FIELD_NAME = re.compile(r"\d*|[A-Za-z_]\w*")
_SPEC = re.compile(r"(?:.?[<>=^])?[+\- ]?z?#?0?(\d*)[,_]?(?:\.(\d+))?[bcdeEfFgGnosxX%]?")
_PERCENT_WIDTH = re.compile(r"%[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?")


def is_literal(value: Any, depth: int = 0) -> bool:
    """Plain data, nothing that leads back into the interpreter."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return True
    if depth >= MAX_NESTING or value is UNKNOWN:
        return False
    if isinstance(value, (list, tuple)):
        return all(is_literal(v, depth + 1) for v in value)
    if isinstance(value, dict):
        return all(is_literal(k, depth + 1) and is_literal(v, depth + 1) for k, v in value.items())
    return False


def small(value: Any) -> Any:
    """The value, or UNKNOWN where it is too big to be a DAG's constant."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value.bit_length() > MAX_INT_BITS:
        return UNKNOWN
    if isinstance(value, (str, list, tuple, dict)) and len(value) > MAX_SIZE:
        return UNKNOWN
    return value


def _spec_is_small(spec: str) -> bool:
    match = _SPEC.fullmatch(spec)
    if not match:
        return False
    return all(int(n) <= 1000 for n in match.groups() if n)


def format_str(template: str, pos: list, kw: dict) -> Any:
    """``template.format(*pos, **kw)`` over literals, with plain field names and small specs only."""
    if not all(is_literal(v) for v in [*pos, *kw.values()]):
        return UNKNOWN
    try:
        fields = list(string.Formatter().parse(template))
    except ValueError:
        return UNKNOWN
    for _, name, spec, conversion in fields:
        if name is None:
            continue
        if not _FIELD_NAME.fullmatch(name) or conversion not in (None, "s", "r"):
            return UNKNOWN
        if spec and ("{" in spec or not _spec_is_small(spec)):
            return UNKNOWN
    try:
        return small(template.format(*pos, **kw))
    except (IndexError, KeyError, ValueError, TypeError):
        return UNKNOWN


def percent(template: str, right: Any) -> Any:
    """``template % right`` over literals, without ``*`` widths or widths past 1000."""
    if not is_literal(right):
        return UNKNOWN
    for width, precision in _PERCENT_WIDTH.findall(template):
        if "*" in (width, precision) or any(n and int(n) > 1000 for n in (width, precision)):
            return UNKNOWN
    try:
        return small(template % right)
    except (TypeError, ValueError, KeyError, OverflowError):
        return UNKNOWN


def repeat(left: Any, times: Any) -> Any:
    """``left * times``: a number, or a string or list repeated a small number of times."""
    if isinstance(left, (str, list)):
        if not isinstance(times, int) or isinstance(times, bool):
            return UNKNOWN
        return UNKNOWN if len(left) * max(times, 0) > MAX_SIZE else left * times
    if isinstance(left, (int, float)) and isinstance(times, (int, float)):
        return small(left * times)
    return UNKNOWN


def str_method(target: str, name: str, pos: list, kw: dict) -> Any:
    """The few ``str`` methods DAG files build ids with, on literal arguments, with a bounded result."""
    if not all(is_literal(v) for v in [*pos, *kw.values()]):
        return UNKNOWN
    if name == "format":
        return format_str(target, pos, kw)
    if name == "replace" and len(pos) >= 2 and all(isinstance(p, str) for p in pos[:2]):
        old, new = pos[0], pos[1]
        hits = target.count(old) if old else len(target) + 1
        if len(target) + hits * len(new) > MAX_SIZE:
            return UNKNOWN
    if name == "join" and pos and isinstance(pos[0], (list, tuple)) and _joined_size(target, pos[0]) > MAX_SIZE:
        return UNKNOWN
    if name not in ("upper", "lower", "strip", "replace", "join", "split"):
        return UNKNOWN
    try:
        return small(getattr(target, name)(*pos, **kw))
    except (TypeError, ValueError):
        return UNKNOWN


def _joined_size(separator: str, items: list | tuple) -> int:
    return sum(len(x) for x in items if isinstance(x, str)) + len(separator) * max(len(items) - 1, 0)


SET_OPERATORS = {ast.BitOr: "union", ast.Sub: "difference", ast.BitAnd: "intersection",
                 ast.BitXor: "symmetric_difference"}


def set_operation(name: str, left: list, right: list) -> SetList:
    """``left | right`` and the like on sets the file builds, members kept in first-seen order."""
    theirs = dict.fromkeys(right)
    mine = dict.fromkeys(left)
    if name == "union":
        return SetList({**mine, **theirs})
    if name == "difference":
        return SetList(x for x in mine if x not in theirs)
    if name == "intersection":
        return SetList(x for x in mine if x in theirs)
    return SetList([x for x in mine if x not in theirs] + [x for x in theirs if x not in mine])


def binop(op: ast.operator, left: Any, right: Any) -> Any:
    """``left op right`` for the operators DAG files build ids and lists with; anything else UNKNOWN.
    Lists and tuples may hold tasks (``[a, b] + [c]``); only their size is bounded."""
    if left is UNKNOWN or right is UNKNOWN:
        return UNKNOWN
    try:
        if isinstance(op, ast.Add):
            if isinstance(left, list) and isinstance(right, list):
                return small(left + right)
            if type(left) in (str, int, float, tuple) and type(left) is type(right):
                return small(left + right)
        if isinstance(op, ast.Mod) and isinstance(left, str):
            return percent(left, right)
        if isinstance(op, ast.Mult):
            return repeat(left, right)
        if isinstance(op, ast.Sub) and isinstance(left, (int, float)) and isinstance(right, (int, float)):
            return small(left - right)
        if isinstance(left, SetList) and isinstance(right, SetList) and type(op) in SET_OPERATORS:
            return small(set_operation(SET_OPERATORS[type(op)], left, right))
    except (TypeError, ValueError, OverflowError):
        return UNKNOWN
    return UNKNOWN
