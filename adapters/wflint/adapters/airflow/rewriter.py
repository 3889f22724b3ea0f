"""IR-level ``RemoveOrder`` changes → edits of the DAG file with libcst (research §7).

Supported: ``set_downstream``/``set_upstream`` statements where unambiguous (``rewrite_sets``), and a ``>>``
chain of single tasks, where consecutive tasks whose ordering is removed
become one list (``a >> b >> c >> d`` → ``a >> [b, c] >> d``), and the same for ``chain(...)``
arguments (``chain(a, [b, c], d)``). Comments, ``Label``s and parentheses are kept; a list is never
put next to a list (``list >> list`` is a TypeError, and ``chain`` would pair lists up). Every other
shape raises ``RewriteError``: the finding stays display-only. Statements are matched to the
edges they create through the positions the reader recorded, never by variable names. The edit is
one replacement of the whole lines of the changed statements. The adapter imports this module (and
so libcst) only when it rewrites or verifies a fix.
"""
from __future__ import annotations

import functools
from collections.abc import Mapping

import libcst as cst
from libcst.metadata import CodeRange, MetadataWrapper, PositionProvider

from wflint.edits import TextEdit
from wflint.errors import RewriteError
from wflint.finding import FixChange, RemoveOrder
from wflint.ir import EdgeKind, Location, Workflow

Site = tuple[int, int, int, int]  # (line, byte col, end line, end byte col), as the reader records them
Order = tuple[str, str]


def rewrite(text: str, workflow: Workflow, changes: list[FixChange]) -> list[TextEdit]:
    removals = {(c.u, c.v) for c in changes if isinstance(c, RemoveOrder)}
    if not removals or not all(isinstance(c, RemoveOrder) for c in changes):
        raise RewriteError("only removing orderings can be rewritten in a DAG file")
    sites = _edge_sites(workflow)
    module, positions, key = _parsed(text)
    from .rewrite_sets import plan as plan_sets

    replacements, set_done = plan_sets(module, key, sites, workflow, removals)
    plan = _Planner(key, sites, removals, replacements)
    new_module = module.visit(plan)
    missing = removals - plan.done - set_done
    if missing:
        u, v = sorted(missing)[0]
        hint = plan.hints.get((u, v))
        if hint:
            raise RewriteError(f"the ordering {u} → {v} cannot be removed in place: {hint[0]}", hint[1])
        raise RewriteError(f"the ordering {u} → {v} is not written as a chain of single tasks, the only "
                           "shape wflint rewrites", "change it by hand")
    return [_lines_edit(text, new_module.code, [positions[node] for node in plan.changed])]


@functools.lru_cache(maxsize=1)
def _parsed(text: str) -> tuple[cst.Module, Mapping[cst.CSTNode, CodeRange], _SiteKey]:
    """The file's libcst tree, its positions and their site keys, made once per text: `check` tries
    each fix on the same text (``engine._fixes_as_applied``), and libcst trees are immutable."""
    module = cst.parse_module(text)
    positions = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    return module, positions, _SiteKey(positions, text.splitlines())


def _lines_edit(text: str, new: str, changed: list) -> TextEdit:
    """One edit of the whole lines that hold the ``changed`` (libcst) positions; the whole module
    if the text outside them is not what it was (libcst round-trips every other byte)."""
    import re

    starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def offset(pos) -> int:
        return starts[pos.line - 1] + pos.column if pos.line - 1 < len(starts) else len(text)

    if changed:
        lo = text.rfind("\n", 0, min(offset(p.start) for p in changed)) + 1
        end = text.find("\n", max(offset(p.end) for p in changed))
        hi = len(text) if end < 0 else end + 1
        keep = len(new) - (len(text) - hi)  # where the unchanged tail starts in ``new``
        if lo <= keep and new[:lo] == text[:lo] and new[keep:] == text[hi:]:
            return TextEdit(lo, hi, new[lo:keep])
    return TextEdit(0, len(text), new)


def verify(old: Workflow, new: Workflow, changes: list[FixChange]) -> str | None:
    """Only the intended orderings went away; no new ordering appeared; the rest is as before."""
    removals = {(c.u, c.v) for c in changes if isinstance(c, RemoveOrder)}
    kinds = (EdgeKind.DATA, EdgeKind.CONTROL, EdgeKind.IMPLICIT)
    if {(e.u, e.v, e.kind) for e in old.edges if e.kind in kinds} != \
            {(e.u, e.v, e.kind) for e in new.edges if e.kind in kinds}:
        return "the rewrite changed a data, control or implicit edge"
    old_closure = _closure(old)
    for e in new.edges:
        if (e.u, e.v) not in old_closure:
            return f"the rewrite added an ordering {e.u} → {e.v} that did not exist"
    new_closure = _closure(new)
    for e in old.edges:
        if (e.u, e.v) not in removals and e.kind is not EdgeKind.IMPLICIT and (e.u, e.v) not in new_closure:
            return f"the rewrite lost the ordering {e.u} → {e.v}"
    return None


def _closure(workflow: Workflow) -> set[tuple[str, str]]:
    succ: dict[str, list[str]] = {t: [] for t in workflow.tasks}
    for e in workflow.edges:
        if e.kind is not EdgeKind.IMPLICIT:
            succ[e.u].append(e.v)
    out = set()
    for start in succ:
        stack, seen = list(succ[start]), set()
        while stack:
            n = stack.pop()
            if n not in seen:
                seen.add(n)
                out.add((start, n))
                stack.extend(succ[n])
    return out


def _edge_sites(workflow: Workflow) -> dict[Site, list[Order]]:
    """(line, byte col, end line, end byte col) of the expression that made each declared edge."""
    sites: dict[Site, list[Order]] = {}
    for e in workflow.edges:
        if e.kind is EdgeKind.IMPLICIT or e.location is None or e.location.pointer[:1] != ("edge",):
            continue
        pos = workflow.source.resolve(Location(e.location.pointer))
        if pos.end_line is None or pos.end_column is None:
            continue  # no span to match a statement against: that edge cannot be rewritten in place
        sites.setdefault((pos.line, pos.column, pos.end_line, pos.end_column), []).append((e.u, e.v))
    return sites


class _SiteKey:
    """The site (as ``_edge_sites`` keys it) of the code from ``node`` to ``last``, from libcst positions."""

    def __init__(self, positions: Mapping[cst.CSTNode, CodeRange], lines: list[str]) -> None:
        self.positions, self.lines = positions, lines

    def __call__(self, node: cst.CSTNode, last: cst.CSTNode | None = None) -> Site | None:
        first = self.positions.get(node)
        end = self.positions.get(last if last is not None else node)
        if first is None or end is None:
            return None
        return (first.start.line, _byte_col(self.lines, first.start) + 1,
                end.end.line, _byte_col(self.lines, end.end) + 1)


class _Planner(cst.CSTTransformer):
    """Joins the operands of ``>>`` chains and ``chain(...)`` calls whose ordering is removed, and puts
    the ``replacements`` planned for whole statements (``set_downstream``) in place."""

    def __init__(self, key: _SiteKey, sites: dict[Site, list[Order]], removals: set[Order],
                 replacements: dict) -> None:
        super().__init__()
        self.key, self.sites, self.removals, self.replacements = key, sites, removals, replacements
        self.changed: list[cst.CSTNode] = []  # the original nodes replaced, for the edit's span
        self.done: set[Order] = set()
        self.hints: dict[Order, tuple[str, str]] = {}  # per ordering: why it is refused, what to do by hand
        self.splits: dict[cst.CSTNode, list[str]] = {}  # Expr → the task-creating operands it becomes
        self.pending_split: list[str] = []

    def leave_SimpleStatementLine(self, original, updated):
        new = self.replacements.get(original)
        if new is None and len(original.body) == 1:
            new = self.splits.get(original.body[0])
        if new is None:
            return updated
        self.changed.append(original)
        first = updated.with_changes(body=[cst.Expr(cst.parse_expression(new[0]))])
        rest = [cst.SimpleStatementLine([cst.Expr(cst.parse_expression(c))]) for c in new[1:]]
        return cst.FlattenSentinel([first, *rest])

    def leave_Expr(self, original, updated):
        value = original.value
        if isinstance(value, cst.BinaryOperation) and isinstance(value.operator, cst.RightShift):
            new = self.shift_chain(value, updated.value)
        elif isinstance(value, cst.Call) and _call_name(value) == "chain":
            new = self.chain_call(value, updated.value)
        else:
            return updated
        if self.pending_split:
            self.splits[original], self.pending_split = self.pending_split, []
            return updated
        if new is updated.value:
            return updated
        self.changed.append(original)
        return updated.with_changes(value=new)

    def shift_chain(self, original, updated):
        """``a >> b >> c``: operand i+1's edges were recorded at the BinaryOperation ending at it."""
        ops, opers = _flatten(original)
        new_ops, _ = _flatten(updated)
        if len(new_ops) != len(ops):
            return updated
        # ast places the edge made by ``... >> x`` from the first operand to the end of x.
        pairs = [self.sites.get(self.key(ops[0], ops[i + 1]), []) for i in range(len(ops) - 1)]
        return self.merge(ops, new_ops, opers, pairs, updated, kind="shift")

    def chain_call(self, original, updated):
        args = original.args
        if any(a.star or a.keyword for a in args) or len(args) < 2:
            return updated
        edges = self.sites.get(self.key(original), [])
        if any(isinstance(a.value, (cst.List, cst.Tuple)) for a in args):
            return updated
        if len(edges) != len(args) - 1:
            return updated
        pairs = [[e] for e in edges]
        ops = [a.value for a in args]
        new_ops = [a.value for a in updated.args]
        return self.merge(ops, new_ops, None, pairs, updated, kind="chain")

    def merge(self, ops, new_ops, opers, pairs, updated, kind):
        """Join operand i and i+1 into one list where their single edge is to be removed."""
        cut = [len(edges) == 1 and edges[0] in self.removals for edges in pairs]
        if all(bool(edges) and all(e in self.removals for e in edges) for edges in pairs):
            self.drop_orderings(pairs, new_ops, updated)
            return updated
        if not any(cut):
            return updated
        singles = [not isinstance(o, (cst.List, cst.Tuple)) and not _is_label(o) for o in ops]
        if any(c and not (singles[i] and singles[i + 1]) for i, c in enumerate(cut)):
            return updated
        blocks = _blocks(cut)
        listy = [isinstance(o, (cst.List, cst.Tuple, cst.ListComp)) for o in ops]
        if _lists_meet(blocks, listy):
            if not any(listy) and not any(_is_label(o) for o in ops):
                self.hint(pairs, cut, _chain_linear_hint(blocks, new_ops, updated))
            return updated
        self.done.update(pairs[i][0] for i, c in enumerate(cut) if c)
        columns = [p.start.column if (p := self.key.positions.get(o)) else 0 for o in ops]
        if kind == "chain":
            return _rebuild_call(updated, blocks, new_ops, columns)
        return _rebuild_shift(updated, blocks, new_ops, opers, columns)

    def drop_orderings(self, pairs, new_ops, updated) -> None:
        """No ordering of the statement is needed. Operands that create tasks (calls other than
        ``Label``) stay, each its own statement, so no task is lost; a statement of plain names
        only orders, and deleting it is left to the author."""
        orderings = [e for edges in pairs for e in edges]
        creating = [_code(o).strip() for o in new_ops if _creates_tasks(o)]
        if creating:
            self.pending_split = creating
            self.done.update(orderings)
            return
        for e in orderings:
            self.hints.setdefault(e, (f"the fix removes every ordering of `{_code(updated)}`, which would "
                                      "delete the statement, and wflint does not delete statements",
                                      "delete that statement by hand"))

    def hint(self, pairs, cut, text: tuple[str, str]) -> None:
        for edges, c in zip(pairs, cut):
            if c:
                self.hints.setdefault(edges[0], text)


def _blocks(cut: list[bool]) -> list[list[int]]:
    """Operand indexes grouped into runs joined by a removed ordering (each run becomes one list)."""
    blocks: list[list[int]] = [[0]]
    for i, c in enumerate(cut):
        if c:
            blocks[-1].append(i + 1)
        else:
            blocks.append([i + 1])
    return blocks


def _lists_meet(blocks: list[list[int]], listy: list[bool]) -> bool:
    """Whether two lists would stand next to each other (``list >> list`` is a TypeError)."""
    return any((len(a) > 1 or listy[a[0]]) and (len(b) > 1 or listy[b[0]]) for a, b in zip(blocks, blocks[1:]))


def _chain_linear_hint(blocks: list[list[int]], new_ops, updated) -> tuple[str, str]:
    parts = [_code(new_ops[blk[0]]) if len(blk) == 1
             else "[" + ", ".join(_code(new_ops[i]) for i in blk) + "]" for blk in blocks]
    return ("two lists would meet (list >> list is a TypeError)",
            f"write `chain_linear({', '.join(parts)})` instead of `{_code(updated)}` "
            f"(from airflow.sdk import chain_linear)")


class _CallFinder(cst.CSTVisitor):
    def __init__(self) -> None:
        super().__init__()
        self.found = False

    def visit_Call(self, node: cst.Call) -> bool:
        if _call_name(node) != "Label":
            self.found = True
        return not self.found


def _creates_tasks(node: cst.CSTNode) -> bool:
    """Whether evaluating ``node`` may create tasks: any call but ``Label(...)``."""
    finder = _CallFinder()
    node.visit(finder)
    return finder.found


def _code(node: cst.CSTNode) -> str:
    return cst.Module([]).code_for_node(node)


def _byte_col(lines: list[str], pos) -> int:
    if pos.line - 1 < len(lines):
        return len(lines[pos.line - 1][: pos.column].encode("utf-8"))
    return pos.column


def _call_name(call) -> str:
    func = call.func
    if isinstance(func, cst.Name):
        return func.value
    if isinstance(func, cst.Attribute):
        return func.attr.value
    return ""


def _is_label(node) -> bool:
    return isinstance(node, cst.Call) and _call_name(node) == "Label"


def _flatten(expr, top: bool = True):
    """Left-associated ``>>`` chain → operands and operators (the outer parentheses belong to the
    statement; inner parenthesised chains stay one operand)."""
    if isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, cst.RightShift) \
            and (top or not expr.lpar):
        ops, opers = _flatten(expr.left, top=False)
        return ops + [expr.right], opers + [expr.operator]
    return [expr], []


MAX_LINE = 99  # the longest line a one-line list may make


def _element_list(members, new_ops, separators, column: int):
    """``[a, b, c]`` on one line where the members were split over lines with nothing between them
    but line breaks (and it fits); else each member keeps its line and comment, lined up under the
    first (the separators the caller aligned)."""
    codes = [_code(new_ops[i]) for i in members]
    flat = "[" + ", ".join(codes) + "]"
    if not any(_has_comment(ws) for ws in separators) and "\n" not in flat and column + len(flat) < MAX_LINE:
        separators = [cst.SimpleWhitespace(" ")] * len(separators)
    elements = []
    for k, i in enumerate(members):
        if k < len(members) - 1:
            elements.append(cst.Element(new_ops[i], comma=cst.Comma(whitespace_after=separators[k])))
        else:
            elements.append(cst.Element(new_ops[i]))
    return cst.List(elements)


def _has_comment(ws) -> bool:
    if not isinstance(ws, cst.ParenthesizedWhitespace):
        return False
    return ws.first_line.comment is not None or any(line.comment is not None for line in ws.empty_lines)


def _aligned(ws, shift: int):
    """A line break before a list member, indented ``shift`` columns more or less (the member then
    stands under the first member, one column past the bracket)."""
    if not isinstance(ws, cst.ParenthesizedWhitespace):
        return cst.SimpleWhitespace(" ")
    indent = ws.last_line.value
    if shift < 0 and indent.strip(" "):
        shift = 0  # tabs: never cut into them
    return ws.with_changes(last_line=cst.SimpleWhitespace(" " * max(0, len(indent) + shift) if shift < 0
                                                          else indent + " " * shift))


def _line_start(operator, member_column: int) -> int:
    """The column a ``>> member`` line starts at: the member's, less the operator and its space."""
    after = operator.whitespace_after
    return member_column - 2 - (len(after.value) if isinstance(after, cst.SimpleWhitespace) else 1)


def _rebuild_shift(updated, blocks, new_ops, opers, columns):
    """Rebuild ``a >> [b, c] >> d`` keeping the outer parentheses and every comment."""
    kept_opers = []
    operands = []
    for n, block in enumerate(blocks):
        if len(block) == 1:
            operands.append(new_ops[block[0]])
        else:
            # The operators between members disappear; their comments move after the commas, and a
            # member on its own line starts where ">> " stood: lined up under the first member.
            seps = [_aligned(opers[i].whitespace_before, columns[block[0]] + 1 - _line_start(opers[i], columns[i + 1]))
                    for i in block[:-1]]
            operands.append(_element_list(block, new_ops, seps, columns[block[0]]))
        if n < len(blocks) - 1:
            kept_opers.append(opers[block[-1]])
    node = operands[0]
    for op, rhs in zip(kept_opers, operands[1:]):
        node = cst.BinaryOperation(left=node, operator=op, right=rhs)
    return node.with_changes(lpar=updated.lpar, rpar=updated.rpar)


def _rebuild_call(updated, blocks, new_ops, columns):
    args = list(updated.args)
    new_args = []
    for block in blocks:
        if len(block) == 1:
            new_args.append(args[block[0]])
            continue
        # One column past the bracket: continuation members line up under the first.
        seps = [_aligned(args[i].comma.whitespace_after, columns[block[0]] + 1 - columns[i + 1])
                if args[i].comma is not cst.MaybeSentinel.DEFAULT
                else cst.SimpleWhitespace(" ") for i in block[:-1]]
        merged = _element_list(block, new_ops, seps, columns[block[0]])
        last = args[block[-1]]
        new_args.append(last.with_changes(value=merged))
    return updated.with_changes(args=new_args)
