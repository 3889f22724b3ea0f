"""How many downstream paths an Airflow branch task follows per run: its callable's returns.

A branch callable returns one task id, a list of them (Airflow follows every id in it), or None
(skip them all). ``_choosing_ancestor`` in SAF005 claims a join after the choice is skipped on every
run; that holds only when each run follows one path, so the claim needs every return read.
"""
from __future__ import annotations

import ast

ONE, SEVERAL, UNKNOWN = "one", "several", "unknown"
# Branch operators configured by keyword instead of a callable (each value: an id or a list of ids).
_FOLLOW_KEYWORDS = ("follow_task_ids_if_true", "follow_task_ids_if_false")


def branch_picks(callable_node: ast.FunctionDef | None, kwargs: dict, custom_class: bool) -> str:
    """``ONE`` path per run, ``SEVERAL`` (some run may follow a list of two or more), or ``UNKNOWN``
    (a return wflint cannot read, a callable outside the file, a repository's own branch class)."""
    if custom_class:
        return UNKNOWN  # its own choose_branch may return anything
    if callable_node is not None:
        return _worst(_return_picks(ret.value) for ret in _returns(callable_node))
    if any(k in kwargs for k in _FOLLOW_KEYWORDS):
        return _worst(_value_picks(kwargs.get(k)) for k in _FOLLOW_KEYWORDS if k in kwargs)
    return UNKNOWN


def _returns(fn: ast.FunctionDef):
    """The function's own return statements (not those of functions or lambdas defined inside)."""
    stack: list[ast.AST] = list(fn.body)
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Return):
            yield node
        elif not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            stack.extend(ast.iter_child_nodes(node))


def _return_picks(value: ast.expr | None) -> str:
    if value is None or isinstance(value, ast.Constant) and value.value is None:
        return ONE  # skips every path: none at all is not several
    if isinstance(value, ast.IfExp):
        return _worst([_return_picks(value.body), _return_picks(value.orelse)])
    if _is_text(value):
        return ONE
    if isinstance(value, (ast.List, ast.Tuple, ast.Set)):
        if any(isinstance(e, ast.Starred) for e in value.elts):
            return UNKNOWN
        return SEVERAL if len(value.elts) > 1 else ONE
    return UNKNOWN  # a name, a call, a comprehension: a list of any length


def _is_text(value: ast.expr) -> bool:
    """A string however it is built: a literal, an f-string, or ``+``/``%`` on one."""
    if isinstance(value, ast.Constant):
        return isinstance(value.value, str)
    if isinstance(value, ast.JoinedStr):
        return True
    return isinstance(value, ast.BinOp) and isinstance(value.op, (ast.Add, ast.Mod)) and _is_text(value.left)


def _value_picks(value) -> str:
    if isinstance(value, str):
        return ONE
    if isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
        return SEVERAL if len(value) > 1 else ONE
    return UNKNOWN


def _worst(picks) -> str:
    found = set(picks)
    return SEVERAL if SEVERAL in found else UNKNOWN if UNKNOWN in found else ONE
