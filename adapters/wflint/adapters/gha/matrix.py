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
    return _Combinations(combos, keys).size_after(exclude, include)


class _Combinations:
    """The expanded combinations, indexed by the values of each set of axes a rule names, so that
    each include or exclude entry is one look-up (a matrix with 10,000 entries stays fast)."""

    def __init__(self, combos: list[dict], keys: list[str]) -> None:
        self.combos, self.keys = combos, keys
        self.alive = [True] * len(combos)
        self.index: dict[tuple[str, ...], dict[tuple[str, ...], list[int]]] = {}

    def matching(self, rule: dict) -> list[int]:
        named = tuple(sorted(k for k in rule if k in self.keys))
        table = self.index.get(named)
        if table is None:
            table = self.index[named] = {}
            for i, combo in enumerate(self.combos):
                table.setdefault(tuple(str(combo[k]) for k in named), []).append(i)
        return table.get(tuple(str(rule[k]) for k in named), [])

    def size_after(self, exclude: list, include: list) -> int:
        for rule in exclude:
            if isinstance(rule, dict) and any(k in self.keys for k in rule):
                for i in self.matching(rule):
                    self.alive[i] = False
        left = sum(self.alive)
        added = sum(1 for entry in include if isinstance(entry, dict)
                    and (not left or not any(self.alive[i] for i in self.matching(entry))))
        return left + added
