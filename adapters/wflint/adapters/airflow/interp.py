"""A small static interpreter for DAG files: runs the module's statements over known values only.

It never imports or executes the user's code. It walks the standard library's ``ast`` (fast to
import and parse, with line numbers on every node); libcst is kept for rewriting, where bytes
matter. Literals, names, lists, dicts, f-strings, loops and comprehensions over literal iterables,
helper functions defined in the file, ``with DAG``/``@dag``/``dag=``, TaskGroups and TaskFlow calls
are followed; anything else becomes ``UNKNOWN`` and the tasks or DAGs it touches are marked
dynamic instead of guessed. DAG and task creation lives in ``dags.DagBuilder``.
"""
from __future__ import annotations

import ast
import os
from collections.abc import Callable
from typing import Any

from . import deps, literals
from .dags import DagBuilder, adopt, either_class, timedelta_value
from .imports import ModuleLoader, is_foreign
from .model import (
    NO_DEFAULT,
    UNKNOWN,
    Anchored,
    BoundPartial,
    ClassVal,
    DagState,
    DecoratorVal,
    EitherVal,
    EnumMember,
    FuncVal,
    GroupState,
    GroupVal,
    InstanceVal,
    LocalModule,
    MethodVal,
    ModuleVal,
    NamespaceVal,
    PartialVal,
    SetList,
    Splat,
    Sym,
    TaskState,
    XComVal,
)
from .names import canonical
from .ops import is_operator_class

MAX_DEPTH = 12
MAX_ITER = 10_000  # items of one loop or comprehension unrolled; a longer one is marked, never cut silently
MAX_STEPS = 50_000  # loop iterations unrolled per file in all (nested loops): beyond, loops are marked


class _Return(Exception):
    def __init__(self, value) -> None:
        self.value = value


class Scope:
    def __init__(self, parent: Scope | None = None) -> None:
        self.vars: dict = {}
        self.parent = parent

    def get(self, name: str):
        scope: Scope | None = self
        while scope is not None:
            if name in scope.vars:
                return scope.vars[name]
            scope = scope.parent
        return _BUILTINS.get(name, UNKNOWN)

    def set(self, name: str, value) -> None:
        self.vars[name] = value


class Interpreter(DagBuilder, ModuleLoader):
    def __init__(self, module: ast.Module, module_name: str = "dagfile", path: str = "") -> None:
        self.module = module
        self.path = path
        self.globals = self.new_module_scope(module_name, path or f"{module_name}.py")
        self.anchors: list[ast.AST] = []  # the DAG file's calls being evaluated, innermost last
        self.unknown_conditions: list[str] = []  # the `if`s being read whose test is unknown, innermost last
        self.steps = 0  # loop iterations unrolled so far (MAX_STEPS)
        self.dags: list[DagState] = []
        self.dag_stack: list[DagState] = []
        self.group_stack: list[GroupState] = []
        self.depth = 0
        self.dynamic_depth = 0  # > 0 inside code whose execution is uncertain
        self.repeat_depth = 0  # how much of that is a loop over what cannot be read (copies, each the same)
        self.loop_depth = 0  # > 0 while unrolling a loop or comprehension over literal items
        self.notes: list[str] = []
        # ``a >> x`` with x unknown, by the shift's node: what comes before x, so that the ``>> b``
        # after it still orders a before b (presumed needed, whatever x turns out to be).
        self.through: dict[int, Any] = {}
        self.callees: list[Any] = []  # the callee of each call whose arguments are being evaluated
        self.bare_factories: list[str] = []  # factories whose DAG has no task and nothing unresolved
        self.init_modules()

    @staticmethod
    def new_module_scope(name: str, path: str) -> Scope:
        scope = Scope()
        scope.set("__name__", name)
        scope.set("__file__", path)
        return scope

    def site(self, node):
        """Where something made by ``node`` is reported: ``node`` itself in the DAG file, else the DAG
        file's call that led to the repository code holding it."""
        if is_foreign(node) and self.anchors:
            return Anchored(self.anchors[-1])
        return node

    # ------------------------------------------------------------------ statements
    def run(self) -> list[DagState]:
        self.block(self.module.body, self.globals)
        for value in list(self.globals.vars.values()):
            if isinstance(value, DagState):
                value.registered = True
        return [d for d in self.dags if d.registered and not d.imported]

    def run_factories(self) -> list[DagState]:
        """A file whose DAGs are made only by top-level functions it never calls (a factory that a
        loader elsewhere calls, ``create_dag(dag_params)``): each is read as if called once, its
        parameters unknown, except one annotated with a class of the file or its repository, made
        with that class's defaults. Such DAGs are dynamic: what a caller passes is not known."""
        called = {n.func.id for n in ast.walk(self.module) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}
        found: list[DagState] = []
        for node in self.module.body:
            if not isinstance(node, ast.FunctionDef) or node.name in called or not _makes_dag(node):
                continue
            if pytest_test(self.path, node.name):
                continue  # pytest calls it, no loader: importing the module registers no DAG
            fn = self.globals.vars.get(node.name)
            if not isinstance(fn, FuncVal) or fn.role != "plain":
                continue
            before = len(self.dags)
            self.dynamic_depth += 1
            try:
                self.invoke(fn, [], {p.arg: self.parameter_value(p) for p in node.args.args}, unknown_rest=True)
            except (_Return, deps.Dynamic):
                pass
            finally:
                self.dynamic_depth -= 1
            why = (f"the DAG is made by `{node.name}`, which this file does not call (a loader elsewhere does): "
                   "read with its parameters unknown or at their defaults")
            for dag in self.dags[before:]:
                if not dag.tasks and not dag.notes:  # a bare DAG (a helper module): no graph to read
                    self.bare_factories.append(node.name)
                    continue
                if not dag.imported:
                    dag.registered, dag.dynamic, dag.factory = True, True, node.name
                    dag.notes.insert(0, why)
                    found.append(dag)
        return found

    def parameter_value(self, param: ast.arg):
        """A factory's parameter: an instance of the class it is annotated with when that class is
        the file's or its repository's (its defaults are known), else unknown."""
        cls = self.expr(param.annotation, self.globals) if param.annotation is not None else None
        return self.instantiate(cls, [], {}) if isinstance(cls, NamespaceVal) else UNKNOWN

    def block(self, body, scope: Scope) -> None:
        for stmt in body:
            self.stmt(stmt, scope)

    def stmt(self, node, scope: Scope) -> None:
        if isinstance(node, ast.Expr):
            value = self.expr(node.value, scope)
            if value is UNKNOWN and isinstance(node.value, ast.Call) and self.repository_code(node.value, scope) \
                    and not any(k.arg == "task_id" for k in node.value.keywords):
                self.unfollowed_call(node.value, "a call into the repository's code, for its effect: it may create tasks")
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
            self.import_names(node, scope)
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

    def import_names(self, node: ast.Import, scope: Scope) -> None:
        """``import a.b`` binds ``a``; ``import a.b as c`` binds ``a.b``: the repository's module where
        it is one, else the airflow symbol or an opaque module name."""
        for alias in node.names:
            top = alias.name.split(".")[0]
            if canonical(alias.name) is None and not alias.name.startswith("airflow"):
                module = self.local_module(alias.asname and alias.name or top)
                if module is not None:
                    scope.set(alias.asname or top, module)
                    continue
            if alias.asname:
                scope.set(alias.asname, _module_or_sym(alias.name))
            else:
                scope.set(top, ModuleVal(top))

    def import_from(self, node: ast.ImportFrom, scope: Scope) -> None:
        """``from m import x``: from the repository's own module ``m`` (absolute or relative) where
        there is one; airflow names canonically; anything else an opaque module name. ``builtins``
        (python-future's ``from builtins import range``) is the interpreter's own module, found before
        any file of the repository: its names are the builtins."""
        if node.module == "builtins" and not node.level:
            for alias in node.names:
                if alias.name != "*":
                    scope.set(alias.asname or alias.name, _BUILTINS.get(alias.name, UNKNOWN))
            return
        module = None
        if node.level or not (node.module or "").startswith("airflow"):
            importer = scope.get("__file__")
            module = self.local_module(node.module or "", importer if isinstance(importer, str) else None,
                                       node.level)
        for alias in node.names:
            if alias.name == "*":
                if module is not None:
                    scope.vars.update({k: v for k, v in module.scope.vars.items() if not k.startswith("_")})
                continue
            local = alias.asname or alias.name
            if module is not None:
                scope.set(local, self.module_attribute(module, alias.name))
            elif node.level or node.module is None:
                scope.set(local, UNKNOWN)
            else:
                scope.set(local, _module_or_sym(f"{node.module}.{alias.name}"))

    def assign(self, target, value, scope: Scope) -> None:
        if isinstance(target, ast.Name):
            scope.set(target.id, value)
        elif isinstance(target, (ast.Tuple, ast.List)):
            names = list(target.elts)
            starred = next(((i, t) for i, t in enumerate(names) if isinstance(t, ast.Starred)), None)
            items = list(value) if isinstance(value, (list, tuple)) else None
            if items is not None and starred is not None and len(items) >= len(names) - 1:
                star, star_target = starred
                after = len(names) - star - 1
                items = items[:star] + [items[star:len(items) - after]] + items[len(items) - after:]
                names[star] = star_target.value
            elif items is None or len(items) != len(names):
                items = [UNKNOWN] * len(names)
                names = [t.value if isinstance(t, ast.Starred) else t for t in names]
            for t, v in zip(names, items):
                self.assign(t, v, scope)
        elif isinstance(target, ast.Subscript) and _is_globals_call(target.value):
            if isinstance(value, DagState):
                value.registered = True  # ``globals()[dag_id] = dag``: how factories register DAGs
            key = self.expr(target.slice, scope)
            if isinstance(key, str):
                self.globals.set(key, value)
        elif isinstance(target, ast.Subscript):
            container = self.expr(target.value, scope)
            key = self.expr(target.slice, scope)
            if isinstance(container, dict) and key is not UNKNOWN and _hashable(key):
                container[key] = value
            elif isinstance(container, list) and isinstance(key, int) and -len(container) <= key < len(container):
                container[key] = value
            elif isinstance(container, (dict, list)):
                self.forget(target.value, scope)  # `configs[name] = cfg`, name unknown: so is what it holds
        elif isinstance(target, ast.Attribute):
            owner = self.expr(target.value, scope)
            if isinstance(owner, TaskState):
                self.task_attribute(owner, target.attr, value)
            elif isinstance(owner, InstanceVal):
                owner.attrs[target.attr] = value

    def aug_assign(self, node: ast.AugAssign, scope: Scope) -> None:
        current = self.expr(node.target, scope) if isinstance(node.target, ast.Name) else UNKNOWN
        value = self.expr(node.value, scope)
        if isinstance(node.op, ast.Add) and isinstance(current, list) and isinstance(value, (list, tuple)):
            current.extend(value)
            return
        result = literals.binop(node.op, current, value)
        if isinstance(node.target, ast.Name):
            scope.set(node.target.id, result)

    def with_stmt(self, node: ast.With, scope: Scope) -> None:
        # The context stacks entered, in order, and the setup/teardown tasks to wire on exit.
        pushed: list[list[DagState] | list[GroupState] | tuple[str, list[TaskState], int, ast.With]] = []
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
                    managers, before, with_node = stack[1:]
                    self.close_setup_teardown(managers, before, self.site(with_node))
                else:
                    stack.pop()

    def for_stmt(self, node: ast.For, scope: Scope) -> None:
        items = self.expr(node.iter, scope)
        if not isinstance(items, (list, tuple, dict, str, range)):
            self.dynamic_depth += 1
            self.repeat_depth += 1
            try:
                self.assign(node.target, UNKNOWN, scope)
                self.block(node.body, scope)
            finally:
                self.dynamic_depth -= 1
                self.repeat_depth -= 1
            return
        self.loop_depth += 1
        before = {id(d): len(d.edges) for d in self.dags}
        try:
            for i, item in enumerate(items):
                self.steps += 1
                if i >= MAX_ITER or self.steps > MAX_STEPS:
                    self.mark_dynamic(f"a loop of {len(items)} items (line {node.lineno}) was read only up to "
                                      f"item {i}: too long to unroll statically")
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
            made = {id(d): len(d.tasks) for d in self.dags}
            wired = {id(d): len(d.edges) for d in self.dags}
            site = self.site(node)
            self.unknown_conditions.append(f"{getattr(site, '_wflint_file', '')}:{getattr(site, 'lineno', id(node))}")
            self.dynamic_depth += 1
            try:
                self.block(node.body, scope)
            finally:
                self.dynamic_depth -= 1
                under = tuple(self.unknown_conditions)
                self.unknown_conditions.pop()
            for dag in self.dags:  # an ordering made there may not exist when Airflow parses the file
                for u, v, _ in dag.edges[wired.get(id(dag), 0):]:
                    dag.conditional_edges.setdefault((u, v), under)  # an inner `if` has said more
            guarded = [d for d in self.dags if made.get(id(d)) != len(d.tasks)]
            if guarded and not self.import_depth:
                why = (f"the condition at line {getattr(site, 'lineno', '?')} could not be evaluated "
                       "(what it guards may not exist when Airflow parses the file)")
                for dag in guarded:
                    dag.notes.append(why)
                self.notes.append(why)
            return
        self.block(node.body if test else node.orelse, scope)


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
        """One expression's value, by the method for its node kind (``_EXPR_KINDS``); other kinds are UNKNOWN."""
        kind = _EXPR_KINDS.get(type(node)) or _expr_kind_by_base(type(node))
        return kind(self, node, scope) if kind is not None else UNKNOWN

    def _eval_name(self, node: ast.Name, scope: Scope):
        """A name is whatever the scopes (then the known builtins) bind it to."""
        return scope.get(node.id)

    def _eval_constant(self, node: ast.Constant, scope: Scope):
        """A literal is its own value."""
        return node.value

    def _eval_sequence(self, node: ast.List | ast.Tuple | ast.Set, scope: Scope):
        """A list, tuple or set display (a set kept as a list); a ``*x`` of an unknown value makes it unknown."""
        out: list = []
        for el in node.elts:
            if isinstance(el, ast.Starred):
                v = self._expr(el.value, scope)
                if not isinstance(v, (list, tuple, dict)):
                    return UNKNOWN
                out.extend(v)
            else:
                out.append(self._expr(el, scope))
        if isinstance(node, ast.Set):
            return _as_set(out)
        return tuple(out) if isinstance(node, ast.Tuple) else out

    def _eval_dict(self, node: ast.Dict, scope: Scope):
        """A dict display: ``**x`` merges x when it is a known dict, and an unknown key drops its item."""
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

    def _eval_attribute(self, node: ast.Attribute, scope: Scope):
        """``x.name``: what ``attribute`` knows of that name on x's value."""
        return self.attribute(self._expr(node.value, scope), node.attr)

    def _eval_bin_op(self, node: ast.BinOp, scope: Scope):
        """``a >> b >> c`` nests to the left, one node per operator: the spine is walked in a loop, not one
        call per operator, so a long chain of tasks stays within the recursion limit."""
        spine = [node]
        while isinstance(spine[-1].left, ast.BinOp):
            spine.append(spine[-1].left)
        value = self._expr(spine[-1].left, scope)
        for op_node in reversed(spine):
            value = self._operate(op_node, value, self._expr(op_node.right, scope))
        return value

    def _operate(self, node: ast.BinOp, left, right):
        """``>>`` and ``<<`` set task dependencies; any other operator computes a value (``literals.binop``)."""
        if isinstance(node.op, ast.RShift):
            return self.shift(deps.rshift, left, right, node)
        if isinstance(node.op, ast.LShift):
            return self.shift(deps.lshift, left, right, node)
        return literals.binop(node.op, left, right)

    def _eval_slice(self, node: ast.Slice, scope: Scope):
        """``a:b:c`` inside brackets: a slice when every given bound is a known int."""
        parts = [self._expr(p, scope) if p is not None else None for p in (node.lower, node.upper, node.step)]
        if any(p is not None and not isinstance(p, int) for p in parts):
            return UNKNOWN
        return slice(*parts)

    def _eval_subscript(self, node: ast.Subscript, scope: Scope):
        """``x[key]`` on a known container; any part of a task's XCom output is that output."""
        base = self._expr(node.value, scope)
        if isinstance(base, XComVal):
            return base
        key = self._expr(node.slice, scope)
        if isinstance(key, slice):
            return base[key] if isinstance(base, (list, tuple, str)) else UNKNOWN
        try:
            return base[key] if isinstance(base, (list, tuple, dict, str)) and key is not UNKNOWN else UNKNOWN
        except (KeyError, IndexError, TypeError):
            return UNKNOWN

    def _eval_list_comp(self, node: ast.ListComp | ast.GeneratorExp | ast.SetComp, scope: Scope):
        """A list, set or generator comprehension, unrolled into a list while its iterables are literal."""
        out: list = []
        if not self.comprehension(node.generators, scope, lambda s: out.append(self._expr(node.elt, s))):
            return UNKNOWN
        return _as_set(out) if isinstance(node, ast.SetComp) else out

    def _eval_dict_comp(self, node: ast.DictComp, scope: Scope):
        """A dict comprehension, unrolled while its iterables are literal; an unknown key drops its item."""
        out: dict = {}

        def put(s):
            k = self._expr(node.key, s)
            if _hashable(k):
                out[k] = self._expr(node.value, s)
        return out if self.comprehension(node.generators, scope, put) else UNKNOWN

    def _eval_bool_op(self, node: ast.BoolOp, scope: Scope):
        """``and``/``or`` short-circuit as Python does; an unknown operand reached makes the whole unknown."""
        result = UNKNOWN
        for value_node in node.values:
            result = self._expr(value_node, scope)
            if result is UNKNOWN:
                return UNKNOWN
            if isinstance(node.op, ast.And) and not result or isinstance(node.op, ast.Or) and result:
                return result
        return result

    def _eval_unary_op(self, node: ast.UnaryOp, scope: Scope):
        """``not x`` of a known value and ``-x`` of a number; other unary operators are unknown."""
        v = self._expr(node.operand, scope)
        if isinstance(node.op, ast.Not) and v is not UNKNOWN:
            return not v
        if isinstance(node.op, ast.USub) and isinstance(v, (int, float)):
            return -v
        return UNKNOWN

    def _eval_if_exp(self, node: ast.IfExp, scope: Scope):
        """``a if test else b``: only the branch a known test picks is evaluated. Of an unknown
        test, two names of operator classes are either one (``EitherVal``); anything else is unknown
        (a branch that calls is never run, so nothing is made twice)."""
        test = _truth(self._expr(node.test, scope))
        if test is not UNKNOWN:
            return self._expr(node.body if test else node.orelse, scope)
        if not (_is_reference(node.body) and _is_reference(node.orelse)):
            return UNKNOWN
        options = (self._expr(node.body, scope), self._expr(node.orelse, scope))
        if options[0] is options[1]:
            return options[0]
        return EitherVal(options) if all(either_class(o) for o in options) else UNKNOWN

    def _eval_named_expr(self, node: ast.NamedExpr, scope: Scope):
        """``(name := value)`` binds the name and is the value."""
        v = self._expr(node.value, scope)
        self.assign(node.target, v, scope)
        return v

    def shift(self, fn, left, right, node):
        """``left >> right`` / ``left << right``. Both give back ``right``, so in ``unknown >> a >> b``
        the edge ``a >> b`` is still made (the unknown one's edges are marked)."""
        left, right = adopt(self, [left, right])
        if left is UNKNOWN or right is UNKNOWN:
            self.mark_dynamic(f"a dependency operand could not be resolved ({_operand_words(node, left is UNKNOWN)})")
            chained = isinstance(node.left, ast.BinOp) and type(node.left.op) is type(node.op)
            before = left if left is not UNKNOWN else self.through.get(id(node.left)) if chained else None
            if before is not None and right is UNKNOWN:
                self.through[id(node)] = before
            elif before is not None:
                self.presume(fn, before, right, node)
            return right
        if isinstance(left, DagState) or isinstance(right, DagState):
            return deps.dag_shift(left, right)
        try:
            return fn(left, right, self.site(node))
        except deps.Dynamic as exc:  # an operand that is no task (a module, a helper's object): named
            bad_left = not isinstance(left, (TaskState, XComVal, GroupVal, list, tuple))
            raise deps.Dynamic(f"{exc} ({_operand_words(node, bad_left)})") from None

    def fstring(self, node: ast.JoinedStr, scope: Scope):
        out = []
        for part in node.values:
            if isinstance(part, ast.Constant):
                out.append(str(part.value))
                continue
            if not isinstance(part, ast.FormattedValue):  # never: an f-string holds only these two kinds
                return UNKNOWN
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
            identity = isinstance(op, (ast.Is, ast.IsNot)) and (left is None or right is None)
            if not identity and not (_plain(left) and _plain(right)):
                return UNKNOWN  # an imported name or object: its value (and equality) is not known
            if left is UNKNOWN or right is UNKNOWN or isinstance(left, ModuleVal) or isinstance(right, ModuleVal):
                return UNKNOWN  # ``x is None`` of an imported name
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
        self.steps += len(items)
        if len(items) > MAX_ITER or self.steps > MAX_STEPS:
            return False  # too long to unroll: the comprehension is unknown, never cut short
        for item in list(items):
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
        if name == "__name__" and isinstance(base, (NamespaceVal, ClassVal)):
            return base.name  # a class of the file or its repository: named as written
        if name == "__name__" and isinstance(base, FuncVal) and base.role == "plain":
            return base.node.name
        if isinstance(base, LocalModule):
            return self.module_attribute(base, name)
        if isinstance(base, NamespaceVal):
            return base.attrs.get(name, UNKNOWN)
        if isinstance(base, InstanceVal):
            if name in base.attrs:
                return base.attrs[name]
            member = base.cls.attrs.get(name, UNKNOWN)
            return BoundPartial(member, (base,), {}) if isinstance(member, FuncVal) else member
        if isinstance(base, EnumMember):
            return {"value": base.value, "name": base.name}.get(name, UNKNOWN)
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
                return UNKNOWN if base.unnamed else base.task_id
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
        pos: list[Any] = []  # the interpreter's values: anything the file computes
        kw: dict[str, Any] = {}
        for arg in node.args:
            if isinstance(arg, ast.Starred):
                value = self._expr(arg.value, scope)
                if isinstance(value, (list, tuple)):
                    pos.extend(value)
                elif isinstance(value, dict):
                    pos.extend(value.keys())
                else:
                    pos.append(Splat())
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
        anchored = not is_foreign(node)
        if anchored:
            self.anchors.append(node)
        try:
            func = self._expr(node.func, scope)
            self.callees.append(func)
            try:
                pos, kw = self.args(node, scope)
            finally:
                self.callees.pop()
            value = self.call_value(func, pos, kw, node, scope)
            if value is UNKNOWN and "task_id" in kw and not isinstance(func, (Sym, ClassVal)) \
                    and not self._in_operator_arguments():
                self.unfollowed_call(node, "it is given a task_id")
            elif value is UNKNOWN and isinstance(kw.get("dag"), DagState) and not isinstance(func, (Sym, ClassVal)) \
                    and not self._in_operator_arguments():
                self.mark_dynamic(f"a call at line {getattr(self.site(node), 'lineno', '?')} could not be followed "
                                  "(it is given the DAG: it may make its tasks)", kw["dag"])
            elif value is UNKNOWN and self.dag_stack and len(self.dag_stack[-1].unfollowed) < UNFOLLOWED_KEPT \
                    and not isinstance(func, (Sym, ClassVal)) and not self._in_operator_arguments():
                self.dag_stack[-1].unfollowed.append((getattr(self.site(node), "lineno", 0), _callee_text(node)))
            return value
        finally:
            if anchored:
                self.anchors.pop()

    def _in_operator_arguments(self) -> bool:
        """Whether the call being evaluated is an argument of an operator's constructor
        (``filename=object_name(task_id="extract")``): its value is a parameter, not a task."""
        parent = self.callees[-1] if self.callees else None
        return isinstance(parent, (ClassVal, EitherVal)) or isinstance(parent, Sym) and is_operator_class(parent.name, {})

    def repository_code(self, node: ast.Call, scope: Scope) -> bool:
        """Whether the callee comes from the DAG's own code (a helper, class, object or module of the
        file or its repository), not from a library, airflow, or a value of unknown origin."""
        root: ast.AST = node.func
        while isinstance(root, (ast.Attribute, ast.Call, ast.Subscript)):
            root = root.func if isinstance(root, ast.Call) else root.value
        if not isinstance(root, ast.Name):
            return False
        return isinstance(scope.get(root.id), (LocalModule, FuncVal, NamespaceVal, InstanceVal, BoundPartial,
                                                 ClassVal))

    def unfollowed_call(self, node: ast.Call, why: str) -> None:
        """A call wflint could not follow, inside a DAG: whatever tasks it makes are not seen."""
        if self.dag_stack or self.group_stack:
            line = getattr(self.site(node), "lineno", "?")
            self.mark_dynamic(f"a call at line {line} could not be followed ({why})")

    def call_value(self, func, pos, kw, node, scope: Scope):
        """Calling a value the interpreter knows; anything else gives UNKNOWN."""
        if isinstance(func, ModuleVal) and func.path == "datetime.timedelta":  # a delay, of literal numbers
            return timedelta_value(pos, kw)
        if isinstance(func, Sym):
            return self.call_symbol(func.name, pos, kw, node, scope)
        if isinstance(func, ClassVal) and func.base in ("DAG", "models.DAG"):
            # a repository's own DAG class (`class HMDAG(DAG)`): a DAG of the arguments it is given
            return self.call_symbol(func.base, pos, kw, node, scope)
        if isinstance(func, ClassVal):
            return self.make_operator(func.name, pos, kw, node, custom=func)
        if isinstance(func, EitherVal):
            return self.make_either(func, pos, kw, node)
        if isinstance(func, FuncVal):
            return self.call_function(func, pos, kw, node)
        if isinstance(func, NamespaceVal):
            return self.instantiate(func, pos, kw)
        if isinstance(func, BoundPartial):
            return self.call_value(func.target, [*func.args, *pos], {**func.kwargs, **kw}, node, scope)
        if isinstance(func, DecoratorVal):
            if pos and isinstance(pos[0], FuncVal):
                return self.apply_decorator(func, pos[0])
            return UNKNOWN
        if isinstance(func, MethodVal):
            value = self.call_method(func, pos, kw, node)
            if value is _CHANGED_UNKNOWN:
                self.forget(node.func.value if isinstance(node.func, ast.Attribute) else None, scope)
                return UNKNOWN
            return value
        if isinstance(func, ModuleVal):
            if "task_id" in kw and (task := self.make_foreign_operator(func.path, pos, kw, node)) is not None:
                return task
            return _call_stdlib(func.path, pos, kw)
        if callable(func) and getattr(func, "_builtin", False):
            try:
                return func(*pos, **kw)
            except Exception:
                return UNKNOWN
        return UNKNOWN

    def invoke(self, fn: FuncVal, pos, kw, unknown_rest: bool = False):
        """``unknown_rest``: no caller is seen (a factory read as if called), so ``*args`` and
        ``**kwargs`` hold what wflint cannot know, not nothing."""
        if self.depth >= MAX_DEPTH:
            return UNKNOWN
        scope = Scope(fn.closure)
        self.bind(fn.node, scope, pos, kw)
        for rest in (fn.node.args.vararg, fn.node.args.kwarg) if unknown_rest else ():
            if rest is not None:
                scope.set(rest.arg, UNKNOWN)
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
        if isinstance(target, SetList):
            return _set_method(target, name, pos)
        if isinstance(target, list):
            if name == "append" and pos:
                target.append(pos[0])
                return None
            if name == "extend" and pos and isinstance(pos[0], (list, tuple)):
                target.extend(pos[0])
                return None
            return _list_change(target, name, pos, kw)
        if isinstance(target, dict):
            if name in ("values", "keys", "items"):
                return list(getattr(target, name)())
            if name == "get" and pos and _hashable(pos[0]):
                return target.get(pos[0], pos[1] if len(pos) > 1 else None)
            if name == "update" and pos and isinstance(pos[0], dict) and not kw:
                target.update(pos[0])
                return None
            if name in ("pop", "setdefault") and 1 <= len(pos) <= 2 and _hashable(pos[0]) and not kw:
                return getattr(target, name)(*pos) if name == "setdefault" or pos[0] in target or len(pos) == 2 \
                    else _CHANGED_UNKNOWN  # a missing key without a default raises: not read further
            if name == "copy":
                return dict(target)
            return _CHANGED_UNKNOWN if name in _DICT_CHANGES else UNKNOWN
        if isinstance(target, str):
            return literals.str_method(target, name, pos, kw)
        return UNKNOWN


    def forget(self, node, scope: Scope) -> None:
        """A container changed in a way wflint cannot follow (a key or an argument it does not know,
        a method it does not model): the name (``configs``), attribute (``self.configs``) or entry
        (``cfg["steps"]``) holding it becomes unknown. Kept as it was, a dict a loader fills in a loop
        over files stayed ``{}``, and the loop over it that calls the DAG factory ran no time."""
        if isinstance(node, ast.Name):
            holder: Scope | None = scope
            while holder is not None and node.id not in holder.vars:
                holder = holder.parent
            (holder or scope).set(node.id, UNKNOWN)
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            owner = scope.get(node.value.id)
            if isinstance(owner, InstanceVal):
                owner.attrs[node.attr] = UNKNOWN
        elif isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name) \
                and isinstance(node.slice, ast.Constant):
            outer = scope.get(node.value.id)
            if isinstance(outer, dict) and _hashable(node.slice.value) and node.slice.value in outer:
                outer[node.slice.value] = UNKNOWN

    def mark_dynamic(self, why: str, dag: DagState | None = None) -> None:
        """Something in a DAG could not be resolved: its edges may be incomplete, so every task of
        the DAG (``dag`` where the unresolved thing names it, as a task's ``dag=`` does; of every
        DAG in the file, outside a DAG context) is dynamic, never guessed."""
        if dag is not None:
            dag.dynamic = True
            dag.notes.append(why)
            self.notes.append(why)
            return
        if self.import_depth and not self.dag_stack:
            return  # a repository module's own top level: it makes no task of this DAG file
        for dag in self.dag_stack[-1:] or self.dags:
            dag.dynamic = True
            dag.notes.append(why)
        self.notes.append(why)


def _is_reference(node) -> bool:
    """A name or a dotted attribute of one (``Op``, ``slack.SlackOperator``): evaluating it runs nothing."""
    while isinstance(node, ast.Attribute):
        node = node.value
    return isinstance(node, ast.Name)


def _operand_words(node, left: bool) -> str:
    """Which operand of ``a >> b`` is unknown, as written: in a chain ``a >> x >> b`` the left of
    the outer shift is the inner one, whose value is its right operand ``x``."""
    operand = getattr(node, "left" if left else "right", None)
    while isinstance(operand, ast.BinOp) and isinstance(operand.op, (ast.RShift, ast.LShift)):
        operand = operand.right
    if operand is None:
        return "an operand"
    text = ast.unparse(operand)
    if len(text) > 60 and isinstance(operand, ast.Call):  # the callee says what it is; its arguments are noise
        text = ast.unparse(operand.func) + "(…)"
    text = text if len(text) <= 60 else text[:59] + "…"
    where = getattr(operand, "_wflint_file", None)  # in the repository's helper, not the DAG file
    return f"`{text}` at line {getattr(operand, 'lineno', '?')}" + (f" of {os.path.basename(where)}" if where else "")


# Expression node kind → the Interpreter method that evaluates it (``Interpreter._expr``).
_EXPR_KINDS: dict[type, Callable[..., Any]] = {
    ast.Name: Interpreter._eval_name,
    ast.Constant: Interpreter._eval_constant,
    ast.JoinedStr: Interpreter.fstring,
    ast.List: Interpreter._eval_sequence,
    ast.Tuple: Interpreter._eval_sequence,
    ast.Set: Interpreter._eval_sequence,
    ast.Dict: Interpreter._eval_dict,
    ast.Attribute: Interpreter._eval_attribute,
    ast.Call: Interpreter.call,
    ast.BinOp: Interpreter._eval_bin_op,
    ast.Slice: Interpreter._eval_slice,
    ast.Subscript: Interpreter._eval_subscript,
    ast.ListComp: Interpreter._eval_list_comp,
    ast.GeneratorExp: Interpreter._eval_list_comp,
    ast.SetComp: Interpreter._eval_list_comp,
    ast.DictComp: Interpreter._eval_dict_comp,
    ast.Compare: Interpreter.compare,
    ast.BoolOp: Interpreter._eval_bool_op,
    ast.UnaryOp: Interpreter._eval_unary_op,
    ast.IfExp: Interpreter._eval_if_exp,
    ast.NamedExpr: Interpreter._eval_named_expr,
}


def _expr_kind_by_base(node_type: type):
    """The method for a subclass of a known node kind (as ``isinstance`` would match it), else None."""
    return next((_EXPR_KINDS[base] for base in node_type.__mro__[1:] if base in _EXPR_KINDS), None)


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


def _call_stdlib(path: str, pos, kw):
    """The few standard-library calls whose result is knowable: ``Path(...)``, ``functools.partial``,
    ``SimpleNamespace(a=...)`` (a task group may return its tasks in one)."""
    if path in ("pathlib.Path", "pathlib.PurePath"):
        return PathVal(pos[0]) if pos and isinstance(pos[0], str) else UNKNOWN
    if path == "functools.partial" and pos:
        return BoundPartial(pos[0], tuple(pos[1:]), dict(kw))
    if path == "functools.reduce" and len(pos) in (2, 3) and not kw:
        return _reduce(*pos)
    if path in ("types.SimpleNamespace", "argparse.Namespace") and not pos:  # its attributes are its keywords
        return InstanceVal(NamespaceVal(path.rsplit(".", 1)[1]), dict(kw))
    if path == "typing.cast" and len(pos) == 2 and not kw:
        return pos[1]  # a type checker's hint: the value itself at run time
    if path in ("copy.copy", "copy.deepcopy") and len(pos) == 1 and not kw:
        return _copied(pos[0], deep=path == "copy.deepcopy")
    if path == "dataclasses.asdict" and len(pos) == 1 and not kw:
        return _as_dict(pos[0])
    if path in ("collections.namedtuple", "typing.NamedTuple") and pos and isinstance(pos[0], str):
        return _named_tuple(pos[0], pos[1] if len(pos) > 1 else kw.get("field_names", kw.get("fields")),
                            kw.get("defaults", ()))
    return UNKNOWN


# ``operator`` functions ``functools.reduce`` folds with, as the binary operator each one is
_OPERATOR_FUNCTIONS = {
    **dict.fromkeys(("operator.add", "operator.iadd", "operator.concat", "operator.iconcat"), ast.Add()),
    **dict.fromkeys(("operator.or_", "operator.ior"), ast.BitOr()),
    **dict.fromkeys(("operator.and_", "operator.iand"), ast.BitAnd()),
    **dict.fromkeys(("operator.sub", "operator.isub"), ast.Sub()),
}


def _copied(value, deep: bool):
    """``copy.copy(x)`` / ``copy.deepcopy(x)`` of a value the interpreter knows: an object of the
    repository's classes keeps its class and a copy of its attributes (a builder's ``copy(self)``),
    a container is copied; anything else (an operator, an imported object) is unknown."""
    import copy

    if isinstance(value, InstanceVal):
        attrs = {k: _copied(v, deep) if deep else v for k, v in value.attrs.items()}
        return InstanceVal(value.cls, attrs)
    if isinstance(value, (str, int, float, bool, type(None))):
        return value
    if isinstance(value, (list, tuple, dict)) and (not deep or _plain(value)):
        return copy.deepcopy(value) if deep else copy.copy(value)
    return UNKNOWN


def _as_dict(value, depth: int = 0):
    """``dataclasses.asdict(obj)`` of a dataclass object of the repository: its fields, recursively."""
    if isinstance(value, InstanceVal) and value.cls.fields is not None and depth < 8:
        return {name: _as_dict(value.attrs.get(name, UNKNOWN), depth + 1) for name, _ in value.cls.fields}
    if isinstance(value, list):
        return [_as_dict(v, depth + 1) for v in value]
    return value


def _reduce(function, items, *initial):
    """``functools.reduce(operator.add, items[, initial])`` over known values."""
    op = _OPERATOR_FUNCTIONS.get(function.path) if isinstance(function, ModuleVal) else None
    if op is None or not isinstance(items, (list, tuple)) or len(items) > MAX_ITER:
        return UNKNOWN
    rest = list(items)
    if not initial and not rest:
        return UNKNOWN  # Python raises TypeError
    value = initial[0] if initial else rest.pop(0)
    for item in rest:
        value = literals.binop(op, value, item)
        if value is UNKNOWN:
            return UNKNOWN
    return value


def _named_tuple(name: str, given, defaults):
    """``namedtuple("C", ["a", "b"])`` / ``NamedTuple("C", [("a", str)])``: a class whose calls
    make objects with those attributes (as a dataclass's), the last fields' defaults given."""
    if isinstance(given, str):
        names = given.replace(",", " ").split()
    elif isinstance(given, (list, tuple)):
        names = [f[0] if isinstance(f, tuple) and f else f for f in given]
    else:
        return UNKNOWN
    if not all(isinstance(n, str) and n.isidentifier() for n in names):
        return UNKNOWN
    tail = list(defaults) if isinstance(defaults, (list, tuple)) else [UNKNOWN] * len(names)
    tail = tail[-len(names):] if names else []
    missing = [NO_DEFAULT] * (len(names) - len(tail))
    return NamespaceVal(name, {}, list(zip(names, missing + tail)))


def _as_set(items: list):
    """A set display's members, each once; a member Python could not hash makes it unknown."""
    try:
        return SetList(dict.fromkeys(items))
    except TypeError:
        return UNKNOWN


_SET_METHODS = ("union", "difference", "intersection", "symmetric_difference")


def _set_method(target: SetList, name: str, pos):
    """``s.union(x, ...)`` and the like (each argument any known collection), ``s.add(x)``, ``s.update(x)``."""
    try:
        if name in _SET_METHODS and all(isinstance(p, (list, tuple, dict, str)) for p in pos):
            value: SetList = target
            for other in pos:
                value = literals.set_operation(name, value, list(other))
            return literals.small(value)
        if name == "add" and len(pos) == 1:
            if pos[0] not in target:
                target.append(pos[0])
            return None
        if name == "update" and all(isinstance(p, (list, tuple, dict, str)) for p in pos):
            for other in pos:
                target.extend(x for x in dict.fromkeys(other) if x not in target)
            return None
    except TypeError:
        return UNKNOWN
    return UNKNOWN


# Methods that change a list or dict in place; where wflint does not model the call exactly, the
# container's contents become unknown (``Interpreter.forget``) rather than stay as they were.
_LIST_CHANGES = frozenset({"append", "extend", "insert", "remove", "pop", "clear", "sort", "reverse"})
_DICT_CHANGES = frozenset({"update", "pop", "popitem", "setdefault", "clear"})
_CHANGED_UNKNOWN = object()  # ``call_method``'s answer for such a call: UNKNOWN, and forget the container


def _list_change(target: list, name: str, pos, kw):
    """``l.insert(i, x)``, ``l.pop()``, ``l.remove(x)``, ``l.sort()``, ``l.reverse()``, done as Python
    does where it can be (None or the popped item); any other change, or one that fails, forgets."""
    if name not in _LIST_CHANGES:
        return UNKNOWN
    try:
        if kw or UNKNOWN in pos:
            return _CHANGED_UNKNOWN
        if name == "insert" and len(pos) == 2 and isinstance(pos[0], int) and not isinstance(pos[0], bool):
            return target.insert(*pos)
        if name in ("pop", "remove", "sort", "reverse", "clear") and len(pos) <= 1:
            if name == "sort" and any(x is UNKNOWN or not isinstance(x, (str, int, float)) for x in target):
                return _CHANGED_UNKNOWN
            return getattr(target, name)(*pos)
    except (TypeError, ValueError, IndexError):
        pass
    return _CHANGED_UNKNOWN


UNFOLLOWED_KEPT = 3  # calls named where a DAG's tasks may all come from calls wflint cannot follow


def _callee_text(node: ast.Call) -> str:
    """The called name as written, short: ``COMMON.getTask``, ``make_tasks``."""
    text = ast.unparse(node.func)
    return text if len(text) <= 40 else text[:37] + "..."


def _module_or_sym(path: str):
    name = canonical(path)
    return Sym(name) if name is not None else ModuleVal(path)


def _plain(value, depth: int = 0) -> bool:
    """Whether comparing ``value`` is faithful: literals and the interpreter's own objects (each a
    unique object, as in Python), not an opaque imported name whose real value is unknown."""
    if value is UNKNOWN or isinstance(value, (ModuleVal, Sym, MethodVal, Splat)):
        return False
    if isinstance(value, (list, tuple)):
        return depth < 4 and all(_plain(v, depth + 1) for v in value)
    if isinstance(value, dict):
        return depth < 4 and all(_plain(k, depth + 1) and _plain(v, depth + 1) for k, v in value.items())
    return True


def _is_globals_call(node) -> bool:
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "globals" \
        and not node.args


def _truth(value):
    """Truth of a value the interpreter knows; an imported module or object stays unknown. A task,
    a DAG, a function or a class is true (none defines ``__bool__`` or ``__len__``): ``if prev:``
    after ``prev = None`` and then a task is decided."""
    if value is None or isinstance(value, (bool, int, float, str, list, tuple, dict)):
        return bool(value)
    if isinstance(value, (TaskState, DagState, FuncVal, ClassVal)):
        return True
    return UNKNOWN


def _hashable(v) -> bool:
    try:
        hash(v)
    except TypeError:
        return False
    return v is not UNKNOWN


def _builtin(fn):
    fn._builtin = True
    return fn


def _set_of(*a):
    """``set(...)``/``frozenset(...)`` of a known sequence; empty without one."""
    if not a:
        return SetList()
    return _as_set(list(a[0])) if isinstance(a[0], (list, tuple, dict, str)) else UNKNOWN


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
    # A set of tasks is a list here: ``>>`` and ``chain`` treat its members alike, in any order.
    "set": _builtin(lambda *a: _set_of(*a)),
    "frozenset": _builtin(lambda *a: _set_of(*a)),  # its own function: ``isinstance`` tells the two apart
    "sorted": _builtin(_seq(sorted)),
    "reversed": _builtin(_seq(reversed)),
    "len": _builtin(lambda x: len(x) if isinstance(x, (list, tuple, dict, str)) else UNKNOWN),
    "str": _builtin(lambda x="": str(x) if isinstance(x, (str, int, float)) else UNKNOWN),
    "int": _builtin(lambda x=0: int(x) if isinstance(x, (str, int, float)) else UNKNOWN),
    "dict": _builtin(lambda *a, **kw: {**(a[0] if a and isinstance(a[0], dict) else {}), **kw}),
    "isinstance": _builtin(lambda value, kinds: _isinstance(value, kinds)),
}
for _name, _kind in (("list", list), ("tuple", tuple), ("set", set), ("dict", dict), ("str", str), ("int", int)):
    _BUILTINS[_name]._type = _kind  # what ``isinstance(x, list)`` tests for


def _isinstance(value, kinds):
    """``isinstance`` of a known literal against builtin types; anything else is unknown."""
    types = kinds if isinstance(kinds, tuple) else (kinds,)
    wanted = [getattr(t, "_type", None) for t in types]
    if value is UNKNOWN or None in wanted:
        return UNKNOWN
    real = set if isinstance(value, SetList) else type(value)
    if real not in (list, tuple, set, dict, str, int, float, bool, type(None)):
        return UNKNOWN
    return any(issubclass(real, kind) for kind in wanted)


def _makes_dag(node: ast.FunctionDef) -> bool:
    """Whether a function builds a DAG somewhere in its body (``DAG(...)`` or a ``@dag`` function)."""
    for inner in ast.walk(node):
        if isinstance(inner, ast.Call):
            called = inner.func
            name = called.id if isinstance(called, ast.Name) else called.attr if isinstance(called, ast.Attribute) else ""
            if name == "DAG":
                return True
        for decorator in getattr(inner, "decorator_list", ()):
            target = decorator.func if isinstance(decorator, ast.Call) else decorator
            if (target.id if isinstance(target, ast.Name) else getattr(target, "attr", "")) == "dag":
                return True
    return False


def pytest_test(path: str, function: str) -> bool:
    """A ``test*`` function of a module pytest collects by default (``test_*.py``, ``*_test.py``):
    pytest calls it, no DAG loader does."""
    base = os.path.basename(path)
    return function.startswith("test") and base.endswith(".py") and (base.startswith("test_") or base.endswith("_test.py"))
