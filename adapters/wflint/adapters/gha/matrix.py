"""How many jobs a ``strategy.matrix`` expands to, following GitHub's include/exclude rules.

Axes multiply; an ``exclude`` entry removes every combination it matches; an ``include`` entry
extends the combinations whose original values it does not contradict, or adds a new one when it
fits none. A matrix built from an expression (``fromJSON(...)``) has no static size: ``None``.
"""
from __future__ import annotations

from itertools import product

ENUMERATION_CAP = 4096  # beyond this the product is reported without applying include/exclude


def _dynamic(value) -> bool:
    return isinstance(value, str) and "${{" in value


def matrix_size(matrix) -> int | None:
    if matrix is None:
        return 1
    if not isinstance(matrix, dict):
        return None
    axes = {k: v for k, v in matrix.items() if k not in ("include", "exclude")}
    include, exclude = matrix.get("include", []), matrix.get("exclude", [])
    if any(not isinstance(v, list) or any(_dynamic(x) for x in v) for v in axes.values()):
        return None
    if any(not isinstance(x, list) for x in (include, exclude) if x is not None):
        return None
    include, exclude = include or [], exclude or []
    total = 1
    for values in axes.values():
        total *= len(values)
    if axes and total == 0:
        return len(include)
    if total > ENUMERATION_CAP:
        return total
    keys = list(axes)
    combos = [dict(zip(keys, values)) for values in product(*axes.values())] if keys else []
    for rule in exclude:
        if isinstance(rule, dict):
            combos = [c for c in combos if not all(_same(c.get(k), v) for k, v in rule.items() if k in c)
                      or not any(k in c for k in rule)]
    added = 0
    for entry in include:
        if not isinstance(entry, dict):
            continue
        fits = any(all(_same(c[k], v) for k, v in entry.items() if k in keys) for c in combos)
        if not fits or not combos:
            added += 1
    return len(combos) + added


def _same(a, b) -> bool:
    return a == b or str(a) == str(b)
