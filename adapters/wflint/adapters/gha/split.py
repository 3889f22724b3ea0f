"""Run contexts split on the values every job of one run sees alike.

Two deploy jobs, one under `if: inputs.environment == 'staging'` and one under `if:
inputs.environment == 'production'`, or a pair under `contains(github.event.head_commit.message,
'[skip docs]')` and its negation, never run in one run: whatever the value is, it is the same for
every job of the run (``events.run_constant``). Evaluated once per job as unknown, each may run in
every context, and wflint reported the pair as a race. Here each context is split into the cases
of such values that the jobs' conditions share: a name compared with literals is one of them or
none of them (``events.Other``), a string test is true or false. The cases cover every value, so a
pair that no case runs both of never meets; cases the conditions do not tell apart cost nothing
but a few more contexts.
"""
from __future__ import annotations

from dataclasses import replace
from itertools import product

from .events import UNKNOWN, Other, RunContext, Truth, condition_tree, evaluate, run_constant

MAX_VALUES = 3  # values split on; more would multiply the contexts for rare gains
MAX_CASES = 12  # cases per context
_STRING_TESTS = ("contains", "startswith", "endswith")


def split_on_shared_values(conditions: list[str], contexts: list[RunContext]) -> list[RunContext]:
    """``contexts``, each split into the cases of the values that two or more of the jobs'
    ``conditions`` test (and the context does not fix)."""
    atoms = _shared_atoms([condition_tree(c) for c in conditions])
    if not atoms:
        return contexts
    out: list[RunContext] = []
    for context in contexts:
        open_atoms = [(atom, cases) for atom, cases in atoms if evaluate(atom, context) is UNKNOWN]
        if not open_atoms:
            out.append(context)
            continue
        for chosen in product(*(cases for _, cases in open_atoms)):
            assumed = tuple((atom, value) for (atom, _), value in zip(open_atoms, chosen))
            words = ", ".join(_case_words(atom, value) for atom, value in assumed)
            out.append(replace(context, assumed=assumed, case=words))
    return out


def _shared_atoms(trees: list[tuple | None]) -> list[tuple[tuple, tuple]]:
    """(sub-expression, its cases) of the run-constant values two or more conditions test, the
    most shared first, as many as ``MAX_VALUES`` and ``MAX_CASES`` allow."""
    jobs_of: dict[tuple, int] = {}
    literals: dict[tuple, set] = {}
    for tree in trees:
        if tree is None:
            continue
        found: dict[tuple, None] = {}
        _collect(tree, found, literals)
        for atom in found:
            jobs_of[atom] = jobs_of.get(atom, 0) + 1
    chosen: list[tuple[tuple, tuple]] = []
    cases_now = 1
    for atom in sorted((a for a, n in jobs_of.items() if n >= 2), key=lambda a: -jobs_of[a]):
        cases = _cases(atom, literals.get(atom, set()))
        if len(chosen) == MAX_VALUES or cases_now * len(cases) > MAX_CASES:
            continue
        chosen.append((atom, cases))
        cases_now *= len(cases)
    return chosen


def _collect(node: tuple, found: dict[tuple, None], literals: dict[tuple, set]) -> None:
    """The run-constant values ``node`` tests: names taken as true or false or compared with
    literals (each literal kept, lower-cased as GitHub compares strings), and string tests of them."""
    kind = node[0]
    if kind == "name" and run_constant(node[1]):
        found[node] = None
    elif kind == "call" and node[1] in _STRING_TESTS and _tests_run_constant(node[2]):
        found[node] = None
    elif kind == "cmp" and node[1] in ("==", "!="):
        for side, other in ((node[2], node[3]), (node[3], node[2])):
            if side[0] == "name" and run_constant(side[1]) and other[0] == "lit" and other[1] is not UNKNOWN:
                found[side] = None
                literals.setdefault(side, set()).add(other[1].lower() if isinstance(other[1], str) else other[1])
    elif kind in ("||", "&&"):
        _collect(node[1], found, literals)
        _collect(node[2], found, literals)
    elif kind == "!":
        _collect(node[1], found, literals)


def _tests_run_constant(args: tuple) -> bool:
    """A string test of a run-constant name against a literal string."""
    return len(args) == 2 and args[0][0] == "name" and run_constant(args[0][1]) and args[1][0] == "lit" \
        and isinstance(args[1][1], str)


def _cases(atom: tuple, literals: set) -> tuple:
    """The values a case of ``atom`` can take: a string test is true or false; a name is each
    literal it is compared with or none of them, and where it is compared with none, true or false
    (``Truth``: as a condition only; compared with anything, unknown)."""
    if atom[0] == "call":
        return (True, False)
    if not literals:
        return (Truth(True), Truth(False))
    ordered = sorted(literals, key=repr)
    return (*ordered, Other(tuple(ordered)))


def _case_words(atom: tuple, value) -> str:
    """``inputs.environment is 'staging'``, ``contains(github.event.head_commit.message, '[skip]') is false``."""
    if type(value) is Truth:
        return f"{_spelled(atom)} is {'true' if value.value else 'false'}"
    if type(value) is Other:
        return f"{_spelled(atom)} is none of {', '.join(_spelled(('lit', v)) for v in value.literals)}"
    return f"{_spelled(atom)} is {_spelled(('lit', value))}"


def _spelled(node: tuple) -> str:
    kind = node[0]
    if kind == "name":
        return node[1]
    if kind == "call":
        return f"{node[1]}({', '.join(_spelled(a) for a in node[2])})"
    value = node[1]
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    return str(value)
