"""A small static interpreter for DAG files: runs the module's statements over known values only.

It never imports or executes the user's code. Literals, names, lists, dicts, f-strings, loops and
comprehensions over literal iterables, helper functions defined in the file, ``with DAG``/``@dag``/
``dag=``, TaskGroups and TaskFlow calls are followed; anything else becomes ``UNKNOWN`` and the
tasks or DAGs it touches are marked dynamic instead of guessed.
"""
from __future__ import annotations

import libcst as cst

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
    def __init__(self, module: cst.Module, module_name: str = "dagfile", path: str = "") -> None:
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
        self.notes: list[str] = []
        self.functions: dict[str, cst.FunctionDef] = {}  # every def in the file, by name

    # ------------------------------------------------------------------ statements
    def run(self) -> list[DagState]:
        for fn in _all_functions(self.module):
            self.functions.setdefault(fn.name.value, fn)
        self.block(self.module.body, self.globals)
        for value in list(self.globals.vars.values()):
            if isinstance(value, DagState):
                value.registered = True
        return [d for d in self.dags if d.registered]

    def block(self, body, scope: Scope) -> None:
        for stmt in body:
            self.stmt(stmt, scope)

    def stmt(self, node, scope: Scope) -> None:
        if isinstance(node, cst.SimpleStatementLine):
            for small in node.body:
                self.small(small, scope)
        elif isinstance(node, cst.FunctionDef):
            scope.set(node.name.value, self.define_function(node, scope))
        elif isinstance(node, cst.ClassDef):
            scope.set(node.name.value, self.define_class(node, scope))
        elif isinstance(node, cst.With):
            self.with_stmt(node, scope)
        elif isinstance(node, cst.For):
            self.for_stmt(node, scope)
        elif isinstance(node, cst.If):
            self.if_stmt(node, scope)
        elif isinstance(node, cst.Try):
            self.block(node.body.body, scope)
            if node.orelse:
                self.block(node.orelse.body.body, scope)
            if node.finalbody:
                self.block(node.finalbody.body.body, scope)
        elif isinstance(node, cst.While):
            self.dynamic_depth += 1
            try:
                self.block(node.body.body, scope)
            finally:
                self.dynamic_depth -= 1

    def small(self, node, scope: Scope) -> None:
        if isinstance(node, cst.Expr):
            self.expr(node.value, scope)
        elif isinstance(node, cst.Assign):
            value = self.expr(node.value, scope)
            for target in node.targets:
                self.assign(target.target, value, scope)
        elif isinstance(node, cst.AnnAssign) and node.value is not None:
            self.assign(node.target, self.expr(node.value, scope), scope)
        elif isinstance(node, cst.AugAssign):
            self.aug_assign(node, scope)
        elif isinstance(node, cst.Return):
            raise _Return(self.expr(node.value, scope) if node.value else None)
        elif isinstance(node, cst.Import):
            for alias in node.names:
                path = _dotted(alias.name)
                if alias.asname:
                    scope.set(alias.asname.name.value, _module_or_sym(path))
                else:
                    top = path.split(".")[0]
                    scope.set(top, ModuleVal(top))
        elif isinstance(node, cst.ImportFrom):
            self.import_from(node, scope)

    def import_from(self, node: cst.ImportFrom, scope: Scope) -> None:
        if node.relative or node.module is None or isinstance(node.names, cst.ImportStar):
            if not isinstance(node.names, cst.ImportStar):
                for alias in node.names:
                    scope.set(_local(alias), UNKNOWN)
            return
        base = _dotted(node.module)
        for alias in node.names:
            scope.set(_local(alias), _module_or_sym(f"{base}.{_dotted(alias.name)}"))

    def assign(self, target, value, scope: Scope) -> None:
        if isinstance(target, cst.Name):
            scope.set(target.value, value)
        elif isinstance(target, (cst.Tuple, cst.List)):
            items = value if isinstance(value, (list, tuple)) else None
            names = [e.value for e in target.elements]
            if items is None or len(items) != len(names):
                items = [UNKNOWN] * len(names)
            for t, v in zip(names, items):
                self.assign(t, v, scope)
        elif isinstance(target, cst.Subscript):
            container = self.expr(target.value, scope)
            key = self.index(target, scope)
            if isinstance(container, dict) and key is not UNKNOWN:
                container[key] = value
            elif isinstance(container, list) and isinstance(key, int) and -len(container) <= key < len(container):
                container[key] = value
        elif isinstance(target, cst.Attribute):
            owner = self.expr(target.value, scope)
            if isinstance(owner, TaskState):
                self.task_attribute(owner, target.attr.value, value)

    def aug_assign(self, node: cst.AugAssign, scope: Scope) -> None:
        current = self.expr(node.target, scope) if isinstance(node.target, cst.Name) else UNKNOWN
        value = self.expr(node.value, scope)
        if isinstance(node.operator, cst.AddAssign) and isinstance(current, list) and isinstance(value, (list, tuple)):
            current.extend(value)
            return
        result = _binop(node.operator, current, value)
        if isinstance(node.target, cst.Name):
            scope.set(node.target.value, result)

    def with_stmt(self, node: cst.With, scope: Scope) -> None:
        pushed = []
        for item in node.items:
            value = self.expr(item.item, scope)
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
            if item.asname is not None:
                self.assign(item.asname.name, value, scope)
        try:
            self.block(node.body.body, scope)
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

    def for_stmt(self, node: cst.For, scope: Scope) -> None:
        items = self.expr(node.iter, scope)
        if not isinstance(items, (list, tuple, dict, str, range)):
            self.dynamic_depth += 1
            try:
                self.assign(node.target, UNKNOWN, scope)
                self.block(node.body.body, scope)
            finally:
                self.dynamic_depth -= 1
            return
        for i, item in enumerate(items):
            if i >= MAX_ITER:
                break
            self.assign(node.target, item, scope)
            self.block(node.body.body, scope)
        if node.orelse:
            self.block(node.orelse.body.body, scope)

    def if_stmt(self, node: cst.If, scope: Scope) -> None:
        test = self.expr(node.test, scope)
        if test is UNKNOWN:
            self.dynamic_depth += 1
            try:
                self.block(node.body.body, scope)
            finally:
                self.dynamic_depth -= 1
            return
        if test:
            self.block(node.body.body, scope)
        elif isinstance(node.orelse, cst.If):
            self.if_stmt(node.orelse, scope)
        elif node.orelse is not None:
            self.block(node.orelse.body.body, scope)

    # ------------------------------------------------------------------ definitions
    def define_function(self, node: cst.FunctionDef, scope: Scope):
        value = FuncVal(node, scope)
        for deco in reversed(node.decorators):
            d = self.expr(deco.decorator, scope)
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

    def define_class(self, node: cst.ClassDef, scope: Scope):
        base = ""
        for arg in node.bases:
            value = self.expr(arg.value, scope)
            if isinstance(value, Sym):
                base = value.name
            elif isinstance(value, ClassVal):
                base = value.base if value.base else base
        if not base:
            return UNKNOWN
        fields = None
        for stmt in node.body.body:
            if isinstance(stmt, cst.SimpleStatementLine):
                for small in stmt.body:
                    target = (small.targets[0].target if isinstance(small, cst.Assign)
                              else small.target if isinstance(small, cst.AnnAssign) else None)
                    if isinstance(target, cst.Name) and target.value == "template_fields" and small.value is not None:
                        v = self.expr(small.value, scope)
                        fields = tuple(v) if isinstance(v, (list, tuple)) else (v,) if isinstance(v, str) else None
        return ClassVal(node.name.value, base, fields)

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
        if isinstance(node, cst.Name):
            if node.value in ("True", "False", "None"):
                return {"True": True, "False": False, "None": None}[node.value]
            return scope.get(node.value)
        if isinstance(node, (cst.SimpleString, cst.Integer, cst.Float)):
            try:
                return node.evaluated_value
            except Exception:  # noqa: BLE001 - odd literals stay unknown
                return UNKNOWN
        if isinstance(node, cst.ConcatenatedString):
            left, right = self._expr(node.left, scope), self._expr(node.right, scope)
            return left + right if isinstance(left, str) and isinstance(right, str) else UNKNOWN
        if isinstance(node, cst.FormattedString):
            return self.fstring(node, scope)
        if isinstance(node, (cst.List, cst.Tuple, cst.Set)):
            out = []
            for el in node.elements:
                if isinstance(el, cst.StarredElement):
                    v = self._expr(el.value, scope)
                    if not isinstance(v, (list, tuple, dict)):
                        return UNKNOWN
                    out.extend(v)
                else:
                    out.append(self._expr(el.value, scope))
            return out if isinstance(node, cst.List) else tuple(out) if isinstance(node, cst.Tuple) else out
        if isinstance(node, cst.Dict):
            out = {}
            for el in node.elements:
                if isinstance(el, cst.StarredDictElement):
                    v = self._expr(el.value, scope)
                    if isinstance(v, dict):
                        out.update(v)
                    continue
                key = self._expr(el.key, scope)
                if _hashable(key):
                    out[key] = self._expr(el.value, scope)
            return out
        if isinstance(node, cst.Attribute):
            return self.attribute(self._expr(node.value, scope), node.attr.value)
        if isinstance(node, cst.Call):
            return self.call(node, scope)
        if isinstance(node, cst.BinaryOperation):
            left = self._expr(node.left, scope)
            right = self._expr(node.right, scope)
            if isinstance(node.operator, cst.RightShift):
                return self.shift(deps.rshift, left, right, node)
            if isinstance(node.operator, cst.LeftShift):
                return self.shift(deps.lshift, left, right, node)
            return _binop(node.operator, left, right)
        if isinstance(node, cst.Subscript):
            base = self._expr(node.value, scope)
            if isinstance(base, XComVal):
                return base
            key = self.index(node, scope)
            try:
                return base[key] if isinstance(base, (list, tuple, dict, str)) and key is not UNKNOWN else UNKNOWN
            except (KeyError, IndexError, TypeError):
                return UNKNOWN
        if isinstance(node, (cst.ListComp, cst.GeneratorExp, cst.SetComp)):
            out = []
            if not self.comprehension(node.for_in, scope, lambda s: out.append(self._expr(node.elt, s))):
                return UNKNOWN
            return out
        if isinstance(node, cst.DictComp):
            out = {}

            def put(s):
                k = self._expr(node.key, s)
                if _hashable(k):
                    out[k] = self._expr(node.value, s)
            return out if self.comprehension(node.for_in, scope, put) else UNKNOWN
        if isinstance(node, cst.Comparison):
            return self.compare(node, scope)
        if isinstance(node, cst.BooleanOperation):
            left = self._expr(node.left, scope)
            if left is UNKNOWN:
                return UNKNOWN
            if isinstance(node.operator, cst.And):
                return self._expr(node.right, scope) if left else left
            return left if left else self._expr(node.right, scope)
        if isinstance(node, cst.UnaryOperation):
            v = self._expr(node.expression, scope)
            if isinstance(node.operator, cst.Not) and v is not UNKNOWN:
                return not v
            if isinstance(node.operator, cst.Minus) and isinstance(v, (int, float)):
                return -v
            return UNKNOWN
        if isinstance(node, cst.IfExp):
            test = self._expr(node.test, scope)
            if test is UNKNOWN:
                return UNKNOWN
            return self._expr(node.body if test else node.orelse, scope)
        if isinstance(node, cst.NamedExpr):
            v = self._expr(node.value, scope)
            self.assign(node.target, v, scope)
            return v
        return UNKNOWN

    def shift(self, fn, left, right, node):
        if left is UNKNOWN or right is UNKNOWN:
            self.mark_dynamic("a dependency operand could not be resolved")
            return UNKNOWN
        return fn(left, right, node)

    def index(self, node: cst.Subscript, scope: Scope):
        if len(node.slice) != 1 or not isinstance(node.slice[0].slice, cst.Index):
            return UNKNOWN
        return self._expr(node.slice[0].slice.value, scope)

    def fstring(self, node: cst.FormattedString, scope: Scope):
        out = []
        for part in node.parts:
            if isinstance(part, cst.FormattedStringText):
                out.append(part.value)
                continue
            v = self._expr(part.expression, scope)
            if v is UNKNOWN or part.format_spec or part.conversion:
                return UNKNOWN
            if not isinstance(v, (str, int, float, bool)) and v is not None:
                return UNKNOWN
            out.append(str(v))
        return "".join(out)

    def compare(self, node: cst.Comparison, scope: Scope):
        left = self._expr(node.left, scope)
        for target in node.comparisons:
            right = self._expr(target.comparator, scope)
            if left is UNKNOWN or right is UNKNOWN:
                return UNKNOWN
            op = target.operator
            try:
                if isinstance(op, cst.Equal):
                    ok = left == right
                elif isinstance(op, cst.NotEqual):
                    ok = left != right
                elif isinstance(op, cst.In):
                    ok = left in right
                elif isinstance(op, cst.NotIn):
                    ok = left not in right
                elif isinstance(op, cst.Is):
                    ok = left is right
                elif isinstance(op, cst.IsNot):
                    ok = left is not right
                elif isinstance(op, cst.LessThan):
                    ok = left < right
                elif isinstance(op, cst.GreaterThan):
                    ok = left > right
                elif isinstance(op, cst.LessThanEqual):
                    ok = left <= right
                elif isinstance(op, cst.GreaterThanEqual):
                    ok = left >= right
                else:
                    return UNKNOWN
            except TypeError:
                return UNKNOWN
            if not ok:
                return False
            left = right
        return True

    def comprehension(self, for_in: cst.CompFor, scope: Scope, emit) -> bool:
        items = self._expr(for_in.iter, scope)
        if not isinstance(items, (list, tuple, dict, str, range)):
            return False
        inner = Scope(scope)
        for item in list(items)[:MAX_ITER]:
            self.assign(for_in.target, item, inner)
            conds = [self._expr(c.search, inner) for c in for_in.ifs]
            if any(c is UNKNOWN for c in conds):
                return False
            if not all(conds):
                continue
            if for_in.inner_for_in is not None:
                if not self.comprehension(for_in.inner_for_in, inner, emit):
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
    def args(self, node: cst.Call, scope: Scope):
        pos, kw = [], {}
        for arg in node.args:
            value = self._expr(arg.value, scope)
            if arg.star == "*":
                if isinstance(value, (list, tuple)):
                    pos.extend(value)
                elif isinstance(value, dict):
                    pos.extend(value.keys())
                else:
                    pos.append(_Splat())
            elif arg.star == "**":
                if isinstance(value, dict):
                    kw.update({k: v for k, v in value.items() if isinstance(k, str)})
                else:
                    kw["**"] = UNKNOWN
            elif arg.keyword is not None:
                kw[arg.keyword.value] = value
            else:
                pos.append(value)
        return pos, kw

    def call(self, node: cst.Call, scope: Scope):
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
            self.block(fn.node.body.body if isinstance(fn.node.body, cst.IndentedBlock) else fn.node.body.body, scope)
        except _Return as ret:
            return ret.value
        finally:
            self.depth -= 1
        return None

    def bind(self, node: cst.FunctionDef, scope: Scope, pos, kw) -> None:
        params = node.params
        ordered = list(params.posonly_params) + list(params.params)
        for i, p in enumerate(ordered):
            name = p.name.value
            if i < len(pos):
                scope.set(name, pos[i])
            elif name in kw:
                scope.set(name, kw.pop(name))
            elif p.default is not None:
                scope.set(name, self.expr(p.default, scope.parent or scope))
            else:
                scope.set(name, UNKNOWN)
        for p in params.kwonly_params:
            name = p.name.value
            if name in kw:
                scope.set(name, kw.pop(name))
            else:
                scope.set(name, self.expr(p.default, scope.parent or scope) if p.default else UNKNOWN)
        if isinstance(params.star_arg, cst.Param):
            scope.set(params.star_arg.name.value, tuple(pos[len(ordered):]))
        if params.star_kwarg is not None:
            scope.set(params.star_kwarg.name.value, dict(kw))

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
        return self.dag_stack[-1] if self.dag_stack else None

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
            self.data_edges(task, mapped_kw, node)
        return task

    def make_taskflow(self, fn: FuncVal, pos, kw, node, mapped_kw=None, partial_kw=None):
        options = dict(fn.options)
        dag = self.current_dag(options)
        if dag is None:
            return UNKNOWN
        group = self.current_group(options, dag)
        label = options.get("task_id", fn.node.name.value)
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
        label = options.pop("group_id", fn.node.name.value)
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
        label = fn.node.name.value
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
        dag_id = options.pop("dag_id", fn.node.name.value)
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


def _dotted(node) -> str:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return f"{_dotted(node.value)}.{node.attr.value}"
    return ""


def _local(alias: cst.ImportAlias) -> str:
    if alias.asname is not None:
        return alias.asname.name.value
    return _dotted(alias.name).split(".")[0]


def _module_or_sym(path: str):
    name = canonical(path)
    return Sym(name) if name is not None else ModuleVal(path)


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
        if isinstance(op, (cst.Add, cst.AddAssign)):
            if isinstance(left, list) and isinstance(right, list):
                return left + right
            if isinstance(left, (str, int, float, tuple)) and type(left) is type(right):
                return left + right
        if isinstance(op, (cst.Modulo, cst.ModuloAssign)) and isinstance(left, str):
            return left % right
        if isinstance(op, (cst.Multiply, cst.MultiplyAssign)) and isinstance(left, (int, float, str, list)) \
                and isinstance(right, (int, float)):
            return left * right
        if isinstance(op, (cst.Subtract, cst.SubtractAssign)) and isinstance(left, (int, float)) \
                and isinstance(right, (int, float)):
            return left - right
    except (TypeError, ValueError):
        return UNKNOWN
    return UNKNOWN


def _all_functions(module: cst.Module):
    for stmt in module.body:
        if isinstance(stmt, cst.FunctionDef):
            yield stmt


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
