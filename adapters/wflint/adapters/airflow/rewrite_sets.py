"""``set_downstream``/``set_upstream`` statements, rewritten where the result is unambiguous.

Removing b→c from ``a.set_downstream(b); b.set_downstream(c); c.set_downstream(d)`` must keep
a before c and b before d (what ``a >> [b, c] >> d`` means). When b has exactly one upstream and
c at most one downstream, each made once by such a statement, the statement that made b→c is
replaced by ``a.set_downstream(c)`` and ``b.set_downstream(d)`` (or the ``set_upstream`` mirror).
Anything else (loops, lists, several upstreams) is left to the other rewrites or to the user.
"""
from __future__ import annotations

from wflint.ir import EdgeKind, Workflow

METHODS = ("set_downstream", "set_upstream")


def plan(module, key, sites: dict, workflow: Workflow, removals: set) -> tuple[dict, set]:
    """{original statement line: [replacement expression code]}, and the orderings that removes."""
    import libcst as cst

    code = cst.Module([]).code_for_node
    made: dict[tuple[str, str], tuple] = {}  # edge → (statement, call, method)
    for stmt in _statements(module):
        call = stmt.body[0].value
        edges = sites.get(key(call, call), [])
        if len(edges) == 1:
            made[edges[0]] = (stmt, call, call.func.attr.value)
    into: dict[str, list[str]] = {}
    out_of: dict[str, list[str]] = {}
    for e in workflow.edges:
        if e.kind is not EdgeKind.IMPLICIT:
            into.setdefault(e.v, []).append(e.u)
            out_of.setdefault(e.u, []).append(e.v)
    replacements: dict = {}
    done: set = set()
    for b, c in sorted(removals):
        if (b, c) not in made:
            continue
        stmt, call, method = made[(b, c)]
        preds, succs = into.get(b, []), list(out_of.get(c, []))
        if len(preds) > 1 or len(succs) > 1 or not (preds or succs) or stmt in replacements:
            continue
        pred_edge = (preds[0], b) if preds else None
        succ_edge = (c, succs[0]) if succs else None
        if any(e is not None and (e not in made or e in removals) for e in (pred_edge, succ_edge)):
            continue
        a_code = _end_code(made[pred_edge], upstream=True, code=code) if pred_edge else None
        d_code = _end_code(made[succ_edge], upstream=False, code=code) if succ_edge else None
        b_code, c_code = _ends(call, method, code)
        lines = []
        if a_code:
            lines.append(f"{a_code}.set_downstream({c_code})" if method == "set_downstream"
                         else f"{c_code}.set_upstream({a_code})")
        if d_code:
            lines.append(f"{b_code}.set_downstream({d_code})" if method == "set_downstream"
                         else f"{d_code}.set_upstream({b_code})")
        replacements[stmt] = lines
        done.add((b, c))
    return replacements, done


def _ends(call, method: str, code) -> tuple[str, str]:
    """(upstream code, downstream code) of one statement."""
    receiver, arg = code(call.func.value), code(call.args[0].value)
    return (receiver, arg) if method == "set_downstream" else (arg, receiver)


def _end_code(made, upstream: bool, code) -> str:
    _, call, method = made
    up, down = _ends(call, method, code)
    return up if upstream else down


def _statements(module):
    """Statement lines that are exactly ``x.set_downstream(y)`` / ``y.set_upstream(x)`` of names."""
    import libcst as cst

    found = []

    class Collect(cst.CSTVisitor):
        def visit_SimpleStatementLine(self, node) -> None:
            if len(node.body) != 1 or not isinstance(node.body[0], cst.Expr):
                return
            call = node.body[0].value
            if (isinstance(call, cst.Call) and isinstance(call.func, cst.Attribute)
                    and call.func.attr.value in METHODS and len(call.args) == 1
                    and not call.args[0].keyword and not call.args[0].star
                    and isinstance(call.args[0].value, (cst.Name, cst.Attribute))
                    and isinstance(call.func.value, (cst.Name, cst.Attribute))):
                found.append(node)

    module.visit(Collect())
    return found
