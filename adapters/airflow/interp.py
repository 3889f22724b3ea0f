"""A small static interpreter for DAG files: runs the module's statements over known values only.

It never imports or executes the user's code. It walks the standard library's ``ast`` (fast to
import and parse, with line numbers on every node); libcst is kept for rewriting, where bytes matter. Literals, names, lists, dicts, f-strings, loops and
comprehensions over literal iterables, helper functions defined in the file, ``with DAG``/``@dag``/
``dag=``, TaskGroups and TaskFlow calls are followed; anything else becomes ``UNKNOWN`` and the
tasks or DAGs it touches are marked dynamic instead of guessed.
"""
from __future__ import annotations

import ast

from . import deps
from .model import (UNKNOWN, AssetVal, ClassVal, DagState, DecoratorVal, FuncVal, GroupState, GroupVal, LabelVal,
                    MethodVal, ModuleVal, PartialVal, Sym, TaskState, XComVal)
from .names import (BRANCH_DECORATORS, BRANCH_OPERATORS, MODIFIER_DECORATORS, SHORT_CIRCUIT_DECORATORS,
                    SHORT_CIRCUIT_OPERATORS, canonical)
from .ops import is_operator_class, template_fields

MAX_DEPTH = 12
MAX_ITER = 500
TASK_DECORATORS_PREFIX = ("task", "setup", "teardown")


class _Return(Exception):
    def __init__(self, value) -> None:
        self.value = value


class Scope:
    def __init__(self, parent: "Scope | None" = None) -> None:
        self.vars: dict = {}
        self.parent = parent

    def get(self, name: str):
        scope = self
        while scope is not None:
            if name in scope.vars:
                return scope.vars[name]
            scope = scope.parent
        return _BUILTINS.get(name, UNKNOWN)

    def set(self, name: str, value) -> None:
        self.vars[name] = value


class Interpreter:
    def __init__(self, module: ast.Module, module_name: str = "dagfile", path: str = "") -> None:
        self.module = module
        self.path = path
        self.globals = Scope()
        self.globals.set("__name__", module_name)
        self.globals.set("__file__", path or f"{module_name}.py")
        self.dags: list[DagState] = []
        self.dag_stack: list[DagState] = []
        self.group_stack: list[GroupState] = []
        self.depth = 0
        self.dynamic_depth = 0  # > 0 inside code whose execution is uncertain
        self.loop_depth = 0  # > 0 while unrolling a loop or comprehension over literal items
        self.notes: list[str] = []

    # ------------------------------------------------------------------ statements
    def run(self) -> list[DagState]:
        self.block(self.module.body, self.globals)
        for value in list(self.globals.vars.values()):
            if isinstance(value, DagState):
                value.registered = True
        return [d for d in self.dags if d.registered]

    def block(self, body, scope: Scope) -> None:
        for stmt in body:
            self.stmt(stmt, scope)

    def stmt(self, node, scope: Scope) -> None:
        if isinstance(node, ast.Expr):
            self.expr(node.value, scope)
        elif isinstance(node, ast.Assign):
            value = self.expr(node.value, scope)
            for target in node.targets:
                self.assign(target, value, scope)
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            self.assign(node.target, self.expr(node.value, scope), scope)
        elif isinstance(node, ast.AugAssign):
            self.aug_assign(node, scope)
        elif isinstance(node, ast.Return):
            raise _Return(self.expr(node.value, scope) if node.value else None)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    scope.set(alias.asname, _module_or_sym(alias.name))
                else:
                    top = alias.name.split(".")[0]
                    scope.set(top, ModuleVal(top))
        elif isinstance(node, ast.ImportFrom):
            self.import_from(node, scope)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            scope.set(node.name, self.define_function(node, scope))
        elif isinstance(node, ast.ClassDef):
            scope.set(node.name, self.define_class(node, scope))
        elif isinstance(node, ast.With):
            self.with_stmt(node, scope)
        elif isinstance(node, ast.For):
            self.for_stmt(node, scope)
        elif isinstance(node, ast.If):
            self.if_stmt(node, scope)
        elif isinstance(node, ast.Try):
            self.block(node.body, scope)
            self.block(node.orelse, scope)
            self.block(node.finalbody, scope)
        elif isinstance(node, ast.While):
            self.dynamic_depth += 1
            try:
                self.block(node.body, scope)
            finally:
                self.dynamic_depth -= 1

    def import_from(self, node: ast.ImportFrom, scope: Scope) -> None:
        for alias in node.names:
            if alias.name == "*":
                continue
            local = alias.asname or alias.name
            if node.level or node.module is None:
                scope.set(local, UNKNOWN)
            else:
                scope.set(local, _module_or_sym(f"{node.module}.{alias.name}"))

    def assign(self, target, value, scope: Scope) -> None:
        if isinstance(target, ast.Name):
            scope.set(target.id, value)
        elif isinstance(target, (ast.Tuple, ast.List)):
            items = value if isinstance(value, (list, tuple)) else None
            names = list(target.elts)
            if items is None or len(items) != len(names):
                items = [UNKNOWN] * len(names)
            for t, v in zip(names, items):
                self.assign(t, v, scope)
        elif isinstance(target, ast.Subscript):
            container = self.expr(target.value, scope)
            key = self.expr(target.slice, scope)
            if isinstance(container, dict) and key is not UNKNOWN:
                container[key] = value
            elif isinstance(container, list) and isinstance(key, int) and -len(container) <= key < len(container):
                container[key] = value
        elif isinstance(target, ast.Attribute):
            owner = self.expr(target.value, scope)
            if isinstance(owner, TaskState):
                self.task_attribute(owner, target.attr, value)

    def aug_assign(self, node: ast.AugAssign, scope: Scope) -> None:
        current = self.expr(node.target, scope) if isinstance(node.target, ast.Name) else UNKNOWN
        value = self.expr(node.value, scope)
        if isinstance(node.op, ast.Add) and isinstance(current, list) and isinstance(value, (list, tuple)):
            current.extend(value)
            return
        result = _binop(node.op, current, value)
        if isinstance(node.target, ast.Name):
            scope.set(node.target.id, result)

    def with_stmt(self, node: ast.With, scope: Scope) -> None:
        pushed = []
        for item in node.items:
            value = self.expr(item.context_expr, scope)
            if isinstance(value, DagState):
                value.registered = True
                self.dag_stack.append(value)
                pushed.append(self.dag_stack)
            elif isinstance(value, GroupVal):
                self.group_stack.append(value.group)
                pushed.append(self.group_stack)
            elif isinstance(value, (XComVal, TaskState)) and any(t.is_setup or t.is_teardown
                                                                 for t in deps._ends(value, False)):
                pushed.append(("setup_teardown", deps._ends(value, False), self.created_count(), node))
            if item.optional_vars is not None:
                self.assign(item.optional_vars, value, scope)
        try:
            self.block(node.body, scope)
        finally:
            for stack in reversed(pushed):
                if isinstance(stack, tuple):
                    self.close_setup_teardown(*stack[1:])
                else:
                    stack.pop()

    def created_count(self) -> int:
        return sum(len(d.tasks) for d in self.dags)

    def close_setup_teardown(self, managers: list, before: int, node) -> None:
        """``with teardown(setup()):`` wraps the work created inside between them (simplified)."""
        created = [t for d in self.dags for t in d.tasks.values()][before:]
        work = [t for t in created if not t.is_setup and not t.is_teardown]
        if not work:
            return
        dag = managers[0].dag
        roots = [t for t in work if not t.upstream] or [work[0]]
        leaves = [t for t in work if not t.downstream] or [work[-1]]
        teardowns = [m for m in managers if m.is_teardown]
        setups = [m for m in managers if m.is_setup]
        for t in teardowns:
            setups += [dag.tasks[u] for u in t.upstream if dag.tasks[u].is_setup and dag.tasks[u] not in setups]
        for s in setups:
            teardowns += [dag.tasks[d] for d in s.downstream if dag.tasks[d].is_teardown
                          and dag.tasks[d] not in teardowns]
        for s in setups:
            for r in roots:
                deps.link(s, r, node)
        for t in teardowns:
            for leaf in leaves:
                deps.link(leaf, t, node)

    def for_stmt(self, node: ast.For, scope: Scope) -> None:
        items = self.expr(node.iter, scope)
        if not isinstance(items, (list, tuple, dict, str, range)):
            self.dynamic_depth += 1
            try:
                self.assign(node.target, UNKNOWN, scope)
                self.block(node.body, scope)
            finally:
                self.dynamic_depth -= 1
            return
        self.loop_depth += 1
        before = {id(d): len(d.edges) for d in self.dags}
        try:
            for i, item in enumerate(items):
                if i >= MAX_ITER:
                    break
                self.assign(node.target, item, scope)
                self.block(node.body, scope)
        finally:
            self.loop_depth -= 1
            for d in self.dags:
                d.loop_edges.update((u, v) for u, v, _ in d.edges[before.get(id(d), 0):])
        self.block(node.orelse, scope)

    def if_stmt(self, node: ast.If, scope: Scope) -> None:
        test = _truth(self.expr(node.test, scope))
        if test is UNKNOWN:
            self.dynamic_depth += 1
            try:
                self.block(node.body, scope)
            finally:
                self.dynamic_depth -= 1
            return
        self.block(node.body if test else node.orelse, scope)

    # ------------------------------------------------------------------ definitions
    def define_function(self, node: ast.FunctionDef, scope: Scope):
        value = FuncVal(node, scope)
        for deco in reversed(node.decorator_list):
            d = self.expr(deco, scope)
            value = self.apply_decorator(d, value)
        return value

    def apply_decorator(self, deco, fn):
        if not isinstance(fn, FuncVal):
            return fn
        name, options = None, {}
        if isinstance(deco, Sym):
            name = deco.name
        elif isinstance(deco, DecoratorVal):
            name, options = deco.name, deco.options
        if name is None:
            return UNKNOWN if fn.role == "plain" and deco is UNKNOWN else fn
        if name in MODIFIER_DECORATORS:
            return fn
        if name == "dag":
            return FuncVal(fn.node, fn.closure, "dag", name, options)
        if name == "task_group":
            return FuncVal(fn.node, fn.closure, "task_group", name, options)
        if name == "asset" or name.startswith("asset."):
            return self.make_asset_dag(fn, name, options)
        if name.split(".")[0] in TASK_DECORATORS_PREFIX:
            if fn.role == "task" and name in ("setup", "teardown"):
                return FuncVal(fn.node, fn.closure, "task", fn.decorator, {**fn.options, **options}, (name,))
            if name in ("setup", "teardown"):
                return FuncVal(fn.node, fn.closure, "task", "task", options, (name,))
            return FuncVal(fn.node, fn.closure, "task", name, options, fn.modifiers)
        return fn

    def define_class(self, node: ast.ClassDef, scope: Scope):
        base = ""
        for arg in node.bases:
            value = self.expr(arg, scope)
            if isinstance(value, Sym):
                base = value.name
            elif isinstance(value, ClassVal):
                base = value.base if value.base else base
        if not base:
            return UNKNOWN
        fields = None
        for small in node.body:
            target = (small.targets[0] if isinstance(small, ast.Assign)
                      else small.target if isinstance(small, ast.AnnAssign) else None)
            if isinstance(target, ast.Name) and target.id == "template_fields" and small.value is not None:
                v = self.expr(small.value, scope)
                fields = tuple(v) if isinstance(v, (list, tuple)) else (v,) if isinstance(v, str) else None
        return ClassVal(node.name, base, fields)

    # ------------------------------------------------------------------ expressions
    def expr(self, node, scope: Scope):
        try:
            return self._expr(node, scope)
        except deps.Dynamic as exc:
            self.mark_dynamic(str(exc))
            return UNKNOWN
        except RecursionError:
            return UNKNOWN

    def _expr(self, node, scope: Scope):
        if isinstance(node, ast.Name):
            return scope.get(node.id)
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, ast.JoinedStr):
            return self.fstring(node, scope)
        if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
            out = []
            for el in node.elts:
                if isinstance(el, ast.Starred):
                    v = self._expr(el.value, scope)
                    if not isinstance(v, (list, tuple, dict)):
                        return UNKNOWN
                    out.extend(v)
                else:
                    out.append(self._expr(el, scope))
            return tuple(out) if isinstance(node, ast.Tuple) else out
        if isinstance(node, ast.Dict):
            out = {}
            for key_node, value_node in zip(node.keys, node.values):
                if key_node is None:
                    v = self._expr(value_node, scope)
                    if isinstance(v, dict):
                        out.update(v)
                    continue
                key = self._expr(key_node, scope)
                if _hashable(key):
                    out[key] = self._expr(value_node, scope)
            return out
        if isinstance(node, ast.Attribute):
            return self.attribute(self._expr(node.value, scope), node.attr)
        if isinstance(node, ast.Call):
            return self.call(node, scope)
        if isinstance(node, ast.BinOp):
            left = self._expr(node.left, scope)
            right = self._expr(node.right, scope)
            if isinstance(node.op, ast.RShift):
                return self.shift(deps.rshift, left, right, node)
            if isinstance(node.op, ast.LShift):
                return self.shift(deps.lshift, left, right, node)
            return _binop(node.op, left, right)
        if isinstance(node, ast.Subscript):
            base = self._expr(node.value, scope)
            if isinstance(base, XComVal):
                return base
            key = self._expr(node.slice, scope)
            try:
                return base[key] if isinstance(base, (list, tuple, dict, str)) and key is not UNKNOWN else UNKNOWN
            except (KeyError, IndexError, TypeError):
                return UNKNOWN
        if isinstance(node, (ast.ListComp, ast.GeneratorExp, ast.SetComp)):
            out = []
            if not self.comprehension(node.generators, scope, lambda s: out.append(self._expr(node.elt, s))):
                return UNKNOWN
            return out
        if isinstance(node, ast.DictComp):
            out = {}

            def put(s):
                k = self._expr(node.key, s)
                if _hashable(k):
                    out[k] = self._expr(node.value, s)
            return out if self.comprehension(node.generators, scope, put) else UNKNOWN
        if isinstance(node, ast.Compare):
            return self.compare(node, scope)
        if isinstance(node, ast.BoolOp):
            result = UNKNOWN
            for i, value_node in enumerate(node.values):
                result = self._expr(value_node, scope)
                if result is UNKNOWN:
                    return UNKNOWN
                if isinstance(node.op, ast.And) and not result or isinstance(node.op, ast.Or) and result:
                    return result
            return result
        if isinstance(node, ast.UnaryOp):
            v = self._expr(node.operand, scope)
            if isinstance(node.op, ast.Not) and v is not UNKNOWN:
                return not v
            if isinstance(node.op, ast.USub) and isinstance(v, (int, float)):
                return -v
            return UNKNOWN
        if isinstance(node, ast.IfExp):
            test = _truth(self._expr(node.test, scope))
            if test is UNKNOWN:
                return UNKNOWN
            return self._expr(node.body if test else node.orelse, scope)
        if isinstance(node, ast.NamedExpr):
            v = self._expr(node.value, scope)
            self.assign(node.target, v, scope)
            return v
        return UNKNOWN

    def shift(self, fn, left, right, node):
        if left is UNKNOWN or right is UNKNOWN:
            self.mark_dynamic("a dependency operand could not be resolved")
            return UNKNOWN
        return fn(left, right, node)

    def fstring(self, node: ast.JoinedStr, scope: Scope):
        out = []
        for part in node.values:
            if isinstance(part, ast.Constant):
                out.append(str(part.value))
                continue
            v = self._expr(part.value, scope)
            if v is UNKNOWN or part.format_spec or part.conversion != -1:
                return UNKNOWN
            if not isinstance(v, (str, int, float, bool)) and v is not None:
                return UNKNOWN
            out.append(str(v))
        return "".join(out)

    def compare(self, node: ast.Compare, scope: Scope):
        left = self._expr(node.left, scope)
        for op, comparator in zip(node.ops, node.comparators):
            right = self._expr(comparator, scope)
            if left is UNKNOWN or right is UNKNOWN:
                return UNKNOWN
            try:
                if isinstance(op, ast.Eq):
                    ok = left == right
                elif isinstance(op, ast.NotEq):
                    ok = left != right
                elif isinstance(op, ast.In):
                    ok = left in right
                elif isinstance(op, ast.NotIn):
                    ok = left not in right
                elif isinstance(op, ast.Is):
                    ok = left is right
                elif isinstance(op, ast.IsNot):
                    ok = left is not right
                elif isinstance(op, ast.Lt):
                    ok = left < right
                elif isinstance(op, ast.Gt):
                    ok = left > right
                elif isinstance(op, ast.LtE):
                    ok = left <= right
                elif isinstance(op, ast.GtE):
                    ok = left >= right
                else:
                    return UNKNOWN
            except TypeError:
                return UNKNOWN
            if not ok:
                return False
            left = right
        return True

    def comprehension(self, generators: list, scope: Scope, emit) -> bool:
        for_in = generators[0]
        items = self._expr(for_in.iter, scope)
        if not isinstance(items, (list, tuple, dict, str, range)):
            return False
        inner = Scope(scope)
        self.loop_depth += 1
        try:
            return self._unroll(for_in, generators, items, inner, emit)
        finally:
            self.loop_depth -= 1

    def _unroll(self, for_in, generators, items, inner: Scope, emit) -> bool:
        for item in list(items)[:MAX_ITER]:
            self.assign(for_in.target, item, inner)
            conds = [self._expr(c, inner) for c in for_in.ifs]
            if any(c is UNKNOWN for c in conds):
                return False
            if not all(conds):
                continue
            if len(generators) > 1:
                if not self.comprehension(generators[1:], inner, emit):
                    return False
            else:
                emit(inner)
        return True

    def attribute(self, base, name: str):
        if isinstance(base, Sym):
            if base.name == "TriggerRule":
                return name.lower()
            return Sym(f"{base.name}.{name}")
        if isinstance(base, PathVal):
            return base.attr(name)
        if isinstance(base, ModuleVal):
            return _module_or_sym(f"{base.path}.{name}")
        if isinstance(base, TaskState):
            if name == "output":
                return XComVal((base,))
            if name in ("task_id",):
                return base.task_id
            return MethodVal(base, name)
        if isinstance(base, XComVal):
            if name == "output":
                return base
            return MethodVal(base, name)
        if isinstance(base, (FuncVal, PartialVal, GroupVal, DagState, list, dict, str, ClassVal)):
            if isinstance(base, DagState) and name == "dag_id":
                return base.dag_id
            return MethodVal(base, name)
        return UNKNOWN

    # ------------------------------------------------------------------ calls
    def args(self, node: ast.Call, scope: Scope):
        pos, kw = [], {}
        for arg in node.args:
            if isinstance(arg, ast.Starred):
                value = self._expr(arg.value, scope)
                if isinstance(value, (list, tuple)):
                    pos.extend(value)
                elif isinstance(value, dict):
                    pos.extend(value.keys())
                else:
                    pos.append(_Splat())
            else:
                pos.append(self._expr(arg, scope))
        for keyword in node.keywords:
            value = self._expr(keyword.value, scope)
            if keyword.arg is None:
                if isinstance(value, dict):
                    kw.update({k: v for k, v in value.items() if isinstance(k, str)})
                else:
                    kw["**"] = UNKNOWN
            else:
                kw[keyword.arg] = value
        return pos, kw

    def call(self, node: ast.Call, scope: Scope):
        func = self._expr(node.func, scope)
        pos, kw = self.args(node, scope)
        if isinstance(func, Sym):
            return self.call_symbol(func.name, pos, kw, node, scope)
        if isinstance(func, ClassVal):
            return self.make_operator(func.name, pos, kw, node, custom=func)
        if isinstance(func, FuncVal):
            return self.call_function(func, pos, kw, node)
        if isinstance(func, DecoratorVal):
            if pos and isinstance(pos[0], FuncVal):
                return self.apply_decorator(func, pos[0])
            return UNKNOWN
        if isinstance(func, MethodVal):
            return self.call_method(func, pos, kw, node)
        if isinstance(func, ModuleVal) and func.path in ("pathlib.Path", "pathlib.PurePath"):
            return PathVal(pos[0]) if pos and isinstance(pos[0], str) else UNKNOWN
        if callable(func) and getattr(func, "_builtin", False):
            try:
                return func(*pos, **kw)
            except Exception:  # noqa: BLE001 - a builtin on unknown values is unknown
                return UNKNOWN
        return UNKNOWN

    def call_symbol(self, name: str, pos, kw, node, scope):
        if name in ("DAG", "models.DAG"):
            return self.make_dag(pos, kw, node)
        if name == "TaskGroup":
            return self.make_group(pos, kw, node)
        if name in ("chain", "chain_linear"):
            if any(p is UNKNOWN or isinstance(p, _Splat) for p in pos):
                raise deps.Dynamic(f"{name}() of values that could not be resolved")
            (deps.chain if name == "chain" else deps.chain_linear)(pos, node)
            return None
        if name == "cross_downstream":
            a = pos[0] if pos else kw.get("from_tasks", UNKNOWN)
            b = pos[1] if len(pos) > 1 else kw.get("to_tasks", UNKNOWN)
            if not isinstance(a, (list, tuple)) or b is UNKNOWN:
                raise deps.Dynamic("cross_downstream() of values that could not be resolved")
            deps.cross_downstream(a, b, node)
            return None
        if name in ("Asset", "Dataset", "Asset.ref"):
            uri = pos[0] if pos else kw.get("uri", kw.get("name"))
            return AssetVal(uri) if isinstance(uri, str) else UNKNOWN
        if name == "Label":
            return LabelVal(pos[0] if pos and isinstance(pos[0], str) else "")
        if name == "XComArg":
            target = pos[0] if pos else kw.get("operator")
            return XComVal((target,)) if isinstance(target, TaskState) else UNKNOWN
        if name.startswith("TriggerRule."):
            return name.split(".", 1)[1].lower()
        if name in ("dag", "task_group") or name.split(".")[0] in TASK_DECORATORS_PREFIX + ("asset",):
            if pos and isinstance(pos[0], FuncVal):
                return self.apply_decorator(Sym(name), pos[0])
            if name.startswith("task") and "python_callable" in kw and isinstance(kw["python_callable"], FuncVal):
                return self.apply_decorator(DecoratorVal(name, kw), kw["python_callable"])
            return DecoratorVal(name, kw)
        if is_operator_class(name, kw):
            return self.make_operator(name, pos, kw, node)
        if name.startswith("TriggerRule"):
            return pos[0] if pos and isinstance(pos[0], str) else UNKNOWN
        return UNKNOWN

    def call_function(self, fn: FuncVal, pos, kw, node):
        if fn.role == "task":
            return self.make_taskflow(fn, pos, kw, node)
        if fn.role == "task_group":
            return self.run_task_group(fn, pos, kw, node)
        if fn.role == "dag":
            return self.run_dag_function(fn, pos, kw, node)
        return self.invoke(fn, pos, kw)

    def invoke(self, fn: FuncVal, pos, kw):
        if self.depth >= MAX_DEPTH:
            return UNKNOWN
        scope = Scope(fn.closure)
        self.bind(fn.node, scope, pos, kw)
        self.depth += 1
        try:
            self.block(fn.node.body, scope)
        except _Return as ret:
            return ret.value
        finally:
            self.depth -= 1
        return None

    def bind(self, node: ast.FunctionDef, scope: Scope, pos, kw) -> None:
        params = node.args
        ordered = list(params.posonlyargs) + list(params.args)
        defaults = [None] * (len(ordered) - len(params.defaults)) + list(params.defaults)
        kw = dict(kw)
        for i, (p, default) in enumerate(zip(ordered, defaults)):
            name = p.arg
            if i < len(pos):
                scope.set(name, pos[i])
            elif name in kw:
                scope.set(name, kw.pop(name))
            elif default is not None:
                scope.set(name, self.expr(default, scope.parent or scope))
            else:
                scope.set(name, UNKNOWN)
        for p, default in zip(params.kwonlyargs, params.kw_defaults):
            if p.arg in kw:
                scope.set(p.arg, kw.pop(p.arg))
            else:
                scope.set(p.arg, self.expr(default, scope.parent or scope) if default is not None else UNKNOWN)
        if params.vararg is not None:
            scope.set(params.vararg.arg, tuple(pos[len(ordered):]))
        if params.kwarg is not None:
            scope.set(params.kwarg.arg, kw)

    def call_method(self, m: MethodVal, pos, kw, node):
        target, name = m.target, m.name
        if isinstance(target, (TaskState, XComVal, GroupVal)):
            return self.task_method(target, name, pos, kw, node)
        if isinstance(target, FuncVal):
            if name == "override" and target.role in ("task", "task_group"):
                return FuncVal(target.node, target.closure, target.role, target.decorator,
                               {**target.options, **kw}, target.modifiers)
            if name == "partial" and target.role in ("task", "task_group"):
                return PartialVal(target, kw, node)
            if name in ("expand", "expand_kwargs") and target.role in ("task", "task_group"):
                return self.expand(PartialVal(target, {}, node), name, pos, kw, node)
            return UNKNOWN
        if isinstance(target, ClassVal) and name == "partial":
            return PartialVal(target, kw, node)
        if isinstance(target, PartialVal) and name in ("expand", "expand_kwargs"):
            return self.expand(target, name, pos, kw, node)
        if isinstance(target, list):
            if name == "append" and pos:
                target.append(pos[0])
                return None
            if name == "extend" and pos and isinstance(pos[0], (list, tuple)):
                target.extend(pos[0])
                return None
            return UNKNOWN
        if isinstance(target, dict):
            if name in ("values", "keys", "items"):
                return list(getattr(target, name)())
            if name == "get" and pos and _hashable(pos[0]):
                return target.get(pos[0], pos[1] if len(pos) > 1 else None)
            if name == "update" and pos and isinstance(pos[0], dict):
                target.update(pos[0])
                return None
            if name == "copy":
                return dict(target)
            return UNKNOWN
        if isinstance(target, str):
            if name in ("format", "upper", "lower", "strip", "replace", "join", "split"):
                try:
                    return getattr(target, name)(*pos, **kw)
                except Exception:  # noqa: BLE001
                    return UNKNOWN
        return UNKNOWN

    def task_method(self, target, name: str, pos, kw, node):
        if name in ("set_downstream", "set_upstream"):
            other = pos[0] if pos else kw.get("task_or_task_list", UNKNOWN)
            if other is UNKNOWN:
                raise deps.Dynamic(f"{name}() of a value that could not be resolved")
            if name == "set_downstream":
                deps.set_downstream(target, other, node)
            else:
                deps.set_downstream(other, target, node)
            return None
        if name in ("as_setup", "as_teardown"):
            for task in deps.roots(target) if isinstance(target, GroupVal) else deps._ends(target, False):
                if name == "as_setup":
                    task.is_setup = True
                else:
                    task.is_teardown = True
                    task.kwargs.setdefault("trigger_rule", "all_done_setup_success")
                    task.kwargs["trigger_rule"] = "all_done_setup_success"
            if name == "as_teardown":
                setups = kw.get("setups")
                if setups is not None and setups is not UNKNOWN:
                    for s in deps._ends(setups, False):
                        s.is_setup = True
                    deps.set_downstream(setups, target, node)
                if kw.get("on_failure_fail_dagrun"):
                    for task in deps._ends(target, False):
                        task.kwargs["on_failure_fail_dagrun"] = True
            return target
        if isinstance(target, XComVal) and name in ("map", "zip", "concat"):
            tasks = list(target.tasks)
            for p in pos:
                if isinstance(p, XComVal):
                    tasks.extend(p.tasks)
            return XComVal(tuple(tasks))
        if name == "override":
            return target
        return UNKNOWN

    def task_attribute(self, task: TaskState, name: str, value) -> None:
        """``op.trigger_rule = ...`` and friends after creation."""
        task.kwargs[name] = value
        task.explicit.add(name)
        if name in template_fields(task.operator) and not task.taskflow:
            self.data_edges(task, value, task.node)

    # ------------------------------------------------------------------ creation
    def current_dag(self, kw) -> DagState | None:
        explicit = kw.get("dag")
        if isinstance(explicit, DagState):
            return explicit
        group = kw.get("task_group")
        if isinstance(group, GroupVal):
            return group.dag
        if self.dag_stack:
            return self.dag_stack[-1]
        if self.group_stack:  # a TaskGroup(dag=...) context without a DAG context
            return next((d for d in self.dags if _group_dag(self.group_stack[-1], d)), None)
        return None

    def current_group(self, kw, dag: DagState) -> GroupState:
        group = kw.get("task_group")
        if isinstance(group, GroupVal):
            return group.group
        for g in reversed(self.group_stack):
            if _group_dag(g, dag):
                return g
        return dag.root

    def make_dag(self, pos, kw, node):
        dag_id = pos[0] if pos else kw.get("dag_id", UNKNOWN)
        if not isinstance(dag_id, str):
            dag_id = f"<dynamic:{len(self.dags)}>"
        dag = DagState(dag_id, node, kw, path=self.path)
        dag.root.node = node
        dag.root.default_args = {}
        dag.dynamic = self.dynamic_depth > 0 or dag_id.startswith("<dynamic")
        self.dags.append(dag)
        return dag

    def make_group(self, pos, kw, node, label: str | None = None, suffix: bool = False):
        dag = self.current_dag(kw)
        if dag is None:
            return UNKNOWN
        label = label if label is not None else (pos[0] if pos else kw.get("group_id", UNKNOWN))
        if not isinstance(label, str):
            raise deps.Dynamic("a TaskGroup id could not be resolved")
        parent = kw.get("parent_group")
        parent = parent.group if isinstance(parent, GroupVal) else self.current_group({}, dag)
        gid = dag.unique_group_id(parent, label) if suffix else parent.child_id(label)
        prefix = kw.get("prefix_group_id", True)
        defaults = kw.get("default_args") if isinstance(kw.get("default_args"), dict) else {}
        group = GroupState(gid, parent, prefix is not False, defaults, node=node)
        dag.group_ids.add(gid)
        parent.children.append(group)
        return GroupVal(group, dag)

    def resolved_kwargs(self, dag: DagState, group: GroupState, kw: dict) -> dict:
        """Task keywords over TaskGroup default_args (innermost first) over DAG default_args."""
        merged = dict(dag.default_args)
        chain_groups = []
        g = group
        while g is not None:
            chain_groups.append(g)
            g = g.parent
        for g in reversed(chain_groups):
            merged.update(g.default_args)
        merged.update(kw)
        return merged

    def new_task(self, dag: DagState, group: GroupState, task_id: str, operator: str, kw, node) -> TaskState:
        task = TaskState(task_id, operator, dag, group, node, self.resolved_kwargs(dag, group, kw), set(kw))
        task.dynamic = self.dynamic_depth > 0 or dag.dynamic
        if self.loop_depth and getattr(node, "lineno", None):
            task.loop_site = f"line {node.lineno}"
        dag.tasks[task_id] = task
        group.children.append(task)
        return task

    def make_operator(self, name, pos, kw, node, custom: ClassVal | None = None, mapped_kw=None):
        dag = self.current_dag(kw)
        label = kw.get("task_id", UNKNOWN)
        if dag is None:
            return UNKNOWN
        if not isinstance(label, str):
            self.mark_dynamic("a task_id could not be resolved")
            dag.dynamic = True
            return UNKNOWN
        group = self.current_group(kw, dag)
        task = self.new_task(dag, group, group.child_id(label), name, kw, node)
        base = custom.base if custom else name
        task.custom_class = custom is not None
        task.branch = name in BRANCH_OPERATORS or base in BRANCH_OPERATORS
        task.short_circuit = name in SHORT_CIRCUIT_OPERATORS or base in SHORT_CIRCUIT_OPERATORS
        callable_ = kw.get("python_callable")
        if isinstance(callable_, FuncVal):
            task.callable_node = callable_.node
        fields = custom.template_fields if custom and custom.template_fields is not None else template_fields(base)
        for key in list(kw) + list(mapped_kw or {}):
            if fields is None or key in fields:
                self.data_edges(task, (mapped_kw or {}).get(key, kw.get(key)), node)
        if mapped_kw is not None:
            task.mapped = True
            task.expand_keys = tuple(mapped_kw)
            task.map_length = _map_length(mapped_kw)
            self.data_edges(task, mapped_kw, node)
        return task

    def make_taskflow(self, fn: FuncVal, pos, kw, node, mapped_kw=None, partial_kw=None):
        options = dict(fn.options)
        dag = self.current_dag(options)
        if dag is None:
            return UNKNOWN
        group = self.current_group(options, dag)
        label = options.get("task_id", fn.node.name)
        if not isinstance(label, str):
            raise deps.Dynamic("a task_id could not be resolved")
        tid = dag.unique_task_id(group, label)
        op_kw = {k: v for k, v in options.items() if k not in ("multiple_outputs",)}
        task = self.new_task(dag, group, tid, f"@{fn.decorator}", op_kw, node)
        task.taskflow = True
        task.callable_node = fn.node
        task.branch = fn.decorator in BRANCH_DECORATORS
        task.short_circuit = fn.decorator in SHORT_CIRCUIT_DECORATORS
        if "setup" in fn.modifiers:
            task.is_setup = True
        if "teardown" in fn.modifiers:
            task.is_teardown = True
            task.kwargs["trigger_rule"] = "all_done_setup_success"
        self.data_edges(task, [pos, kw, partial_kw or {}, op_kw], node)
        if mapped_kw is not None:
            task.mapped = True
            task.expand_keys = tuple(mapped_kw) if isinstance(mapped_kw, dict) else ("<kwargs>",)
            task.map_length = _map_length(mapped_kw)
            self.data_edges(task, mapped_kw, node)
        return XComVal((task,))

    def expand(self, partial: PartialVal, how: str, pos, kw, node):
        mapped = kw if how == "expand" else (pos[0] if pos else kw.get("kwargs", UNKNOWN))
        target = partial.target
        if isinstance(target, FuncVal) and target.role == "task":
            return self.make_taskflow(target, [], {}, node, mapped_kw=mapped if isinstance(mapped, dict) else {"<kwargs>": mapped},
                                      partial_kw=partial.kwargs)
        if isinstance(target, FuncVal) and target.role == "task_group":
            result = self.run_task_group(target, [], dict(partial.kwargs), node, mapped=mapped)
            return result
        name = target.name if isinstance(target, (Sym, ClassVal)) else None
        if name is None:
            return UNKNOWN
        custom = target if isinstance(target, ClassVal) else None
        return self.make_operator(name, [], dict(partial.kwargs), node, custom=custom,
                                  mapped_kw=mapped if isinstance(mapped, dict) else {"<kwargs>": mapped})

    def data_edges(self, task: TaskState, value, node) -> None:
        """Every XComArg inside ``value`` feeds ``task``: a data edge, as Airflow adds one."""
        for source in _xcom_sources(value):
            if source is task or source.dag is not task.dag:
                continue
            if source.task_id not in task.data_from:
                task.data_from.append(source.task_id)
            deps.link(source, task, node)

    def run_task_group(self, fn: FuncVal, pos, kw, node, mapped=None):
        options = dict(fn.options)
        dag = self.current_dag(options)
        if dag is None:
            return UNKNOWN
        label = options.pop("group_id", fn.node.name)
        group_val = self.make_group([], {**options, "group_id": label}, node, label=label, suffix=True)
        if group_val is UNKNOWN:
            return UNKNOWN
        self.group_stack.append(group_val.group)
        try:
            inner_kw = dict(kw)
            if isinstance(mapped, dict):
                inner_kw.update(mapped)
            retval = self.invoke(fn, pos, inner_kw)
        finally:
            self.group_stack.pop()
        sources = _xcom_sources([pos, kw, mapped])
        if mapped is not None or sources:
            # Arguments reach the tasks that use them; a mapped group's inputs gate its roots.
            if mapped is not None:
                for root in deps.group_roots(group_val):
                    for s in sources:
                        deps.link(s, root, node)
        if retval is not None and retval is not UNKNOWN:
            return retval
        return group_val

    def make_asset_dag(self, fn: FuncVal, name: str, options: dict):
        """``@asset``: a DAG of one task, both named after the function, writing the asset."""
        label = fn.node.name
        dag = self.make_dag([label], options, fn.node)
        dag.registered = True
        task = self.new_task(dag, dag.root, label, f"@{name}", {}, fn.node)
        task.taskflow = True
        task.callable_node = fn.node
        uri = options.get("uri", options.get("name", label))
        outlets = options.get("outlets") if name != "asset" else [AssetVal(uri if isinstance(uri, str) else label)]
        task.kwargs["outlets"] = outlets if outlets is not None else []
        return AssetVal(uri if isinstance(uri, str) else label)

    def run_dag_function(self, fn: FuncVal, pos, kw, node):
        options = dict(fn.options)
        dag_id = options.pop("dag_id", fn.node.name)
        dag = self.make_dag([dag_id], options, node)
        dag.registered = True
        self.dag_stack.append(dag)
        try:
            self.invoke(fn, pos, kw)
        finally:
            self.dag_stack.pop()
        return dag

    def mark_dynamic(self, why: str) -> None:
        if self.dag_stack:
            self.dag_stack[-1].dynamic = True
        self.notes.append(why)


class PathVal:
    """``Path(__file__)`` and friends, for ids built from the file name."""

    def __init__(self, path: str) -> None:
        self.path = path

    def attr(self, name: str):
        import os.path
        base = os.path.basename(self.path)
        if name == "stem":
            return os.path.splitext(base)[0]
        if name == "name":
            return base
        if name == "parent":
            return PathVal(os.path.dirname(self.path))
        if name == "suffix":
            return os.path.splitext(base)[1]
        return UNKNOWN


class _Splat:
    """``*something`` that could not be expanded."""


def _xcom_sources(value, seen=None) -> list[TaskState]:
    out: list[TaskState] = []
    stack = [value]
    while stack:
        v = stack.pop()
        if isinstance(v, XComVal):
            out.extend(t for t in v.tasks if isinstance(t, TaskState))
        elif isinstance(v, dict):
            stack.extend(reversed(list(v.values())))
        elif isinstance(v, (list, tuple)):
            stack.extend(reversed(v))
    return out


def _group_dag(group: GroupState, dag: DagState) -> bool:
    g = group
    while g.parent is not None:
        g = g.parent
    return g is dag.root


def _module_or_sym(path: str):
    name = canonical(path)
    return Sym(name) if name is not None else ModuleVal(path)


def _map_length(mapped) -> int | None:
    """``expand(x=[1, 2], y=[3])`` makes the cross product: 2 instances; unknown inputs give None."""
    if isinstance(mapped, dict) and set(mapped) == {"<kwargs>"}:
        mapped = mapped["<kwargs>"]
        return len(mapped) if isinstance(mapped, (list, tuple)) else None
    if not isinstance(mapped, dict) or not mapped:
        return None
    total = 1
    for value in mapped.values():
        if not isinstance(value, (list, tuple, dict)):
            return None
        total *= len(value)
    return total


def _truth(value):
    """Truth of a value the interpreter knows; an imported module or object stays unknown."""
    if value is None or isinstance(value, (bool, int, float, str, list, tuple, dict)):
        return bool(value)
    return UNKNOWN


def _hashable(v) -> bool:
    try:
        hash(v)
    except TypeError:
        return False
    return v is not UNKNOWN


def _binop(op, left, right):
    if left is UNKNOWN or right is UNKNOWN:
        return UNKNOWN
    try:
        if isinstance(op, ast.Add):
            if isinstance(left, list) and isinstance(right, list):
                return left + right
            if isinstance(left, (str, int, float, tuple)) and type(left) is type(right):
                return left + right
        if isinstance(op, ast.Mod) and isinstance(left, str):
            return left % right
        if isinstance(op, ast.Mult) and isinstance(left, (int, float, str, list)) \
                and isinstance(right, (int, float)):
            return left * right
        if isinstance(op, ast.Sub) and isinstance(left, (int, float)) \
                and isinstance(right, (int, float)):
            return left - right
    except (TypeError, ValueError):
        return UNKNOWN
    return UNKNOWN


def _builtin(fn):
    fn._builtin = True
    return fn


def _range(*a):
    return list(range(*a)) if all(isinstance(x, int) for x in a) and len(range(*a)) <= MAX_ITER else UNKNOWN


def _seq(fn):
    def wrapped(*a, **kw):
        if any(x is UNKNOWN for x in a) or not all(isinstance(x, (list, tuple, dict, str)) for x in a):
            return UNKNOWN
        return list(fn(*a, **kw))
    return wrapped


_BUILTINS = {
    "range": _builtin(_range),
    "enumerate": _builtin(_seq(enumerate)),
    "zip": _builtin(_seq(zip)),
    "list": _builtin(lambda *a: list(a[0]) if a and isinstance(a[0], (list, tuple, dict, str)) else [] if not a else UNKNOWN),
    "tuple": _builtin(lambda *a: tuple(a[0]) if a and isinstance(a[0], (list, tuple, dict, str)) else UNKNOWN),
    "sorted": _builtin(_seq(sorted)),
    "reversed": _builtin(_seq(reversed)),
    "len": _builtin(lambda x: len(x) if isinstance(x, (list, tuple, dict, str)) else UNKNOWN),
    "str": _builtin(lambda x="": str(x) if isinstance(x, (str, int, float)) else UNKNOWN),
    "int": _builtin(lambda x=0: int(x) if isinstance(x, (str, int, float)) else UNKNOWN),
    "dict": _builtin(lambda *a, **kw: {**(a[0] if a and isinstance(a[0], dict) else {}), **kw}),
}
