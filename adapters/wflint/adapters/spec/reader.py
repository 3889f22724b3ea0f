"""Read ``*.wflint.yaml`` into the IR.

The published contract is ``spec.schema.json`` (shipped beside this file; a test keeps this reader
and the schema in agreement on every fixture and on generated documents). The checks here are the
schema's, done directly so that a valid file costs no jsonschema import, with messages that name
the key and its line.
"""
from __future__ import annotations

import os

from wflint.analysis.durations import parse_duration, parse_limit
from wflint.errors import ParseError
from wflint.ir import (
    ApiLimit,
    ApiUse,
    Dangling,
    Duration,
    DurationSource,
    Edge,
    EdgeKind,
    Effect,
    ExecutionModel,
    Join,
    Limits,
    Location,
    Mode,
    PoolLimit,
    SourceIndex,
    Task,
    Workflow,
)
from wflint.sourcemap import load_json, load_yaml

DEFAULT_DURATION_S = 1.0
TOP_KEYS = {"name", "description", "current", "tasks", "limits"}
TASK_KEYS = {"title", "kind", "duration", "needs", "after", "reads", "writes", "api", "pool", "items", "join"}
LIMIT_KEYS = {"apis", "pools", "concurrency"}
PARALLEL_FEATURE = ("run the group's tasks concurrently with your orchestrator's parallel construct "
                    "(fan-out, then a join that waits for every branch)")
# A spec or brief names no engine: the constructs of the two languages such code is usually in.
FAIL_TOGETHER = ("In code: `await Promise.all([...])` in JavaScript, `asyncio.TaskGroup` in Python (the first failure "
                 "cancels the rest) or `asyncio.gather(...)` (the first failure is raised; the rest run on)")
FINISH_THE_REST = ("In code: `Promise.allSettled([...])` or `asyncio.gather(..., return_exceptions=True)`, then look at each "
                   "result; hold calls to a rate-limited API or a pool under their limit with a semaphore "
                   "(`asyncio.Semaphore(n)`, p-limit)")


class SpecError(Exception):
    def __init__(self, pointer: tuple, message: str) -> None:
        super().__init__(message)
        self.pointer = pointer


def read_spec(path: str, text: str) -> list[Workflow]:
    loader = load_json if path.endswith(".json") or text.lstrip().startswith("{") else load_yaml
    try:
        data, index = loader(text, path)
    except ParseError:
        if loader is load_json:  # JSON-looking YAML (flow style) is still YAML
            data, index = load_yaml(text, path)
        else:
            raise
    try:
        return [_workflow(path, data, index)]
    except SpecError as exc:
        pos = index.resolve(Location(exc.pointer))
        raise ParseError(path, str(exc), pos.line, pos.column) from None


def _where(pointer: tuple) -> str:
    return ".".join(str(p) for p in pointer) or "document"


def _fail(pointer: tuple, message: str):
    raise SpecError(pointer, f"{_where(pointer)}: {message}")


def _mapping(value, pointer: tuple, allowed: set[str] | None = None) -> dict:
    if not isinstance(value, dict):
        _fail(pointer, f"expected a mapping, got {_kind(value)}")
    if allowed is not None:
        for key in value:
            if key not in allowed:
                _fail(pointer + (key,), f"unknown key {key!r} (allowed: {', '.join(sorted(allowed))})")
    return value


def _kind(value) -> str:
    return {dict: "a mapping", list: "a list", str: "text", type(None): "nothing"}.get(type(value), type(value).__name__)


def _names(value, pointer: tuple) -> list[str]:
    """A name or a list of names."""
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        _fail(pointer, "expected a name or a list of names")
    return value


def _positive_int(value, pointer: tuple) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        _fail(pointer, f"expected a whole number of at least 1, got {value!r}")
    return value


def _workflow(path: str, data, index: SourceIndex) -> Workflow:
    doc = _mapping(data, (), TOP_KEYS)
    current = doc.get("current", "sequential")
    if current not in ("sequential", "graph"):
        _fail(("current",), f"expected 'sequential' or 'graph', got {current!r}")
    raw_tasks = _mapping(doc.get("tasks"), ("tasks",))
    if not raw_tasks:
        _fail(("tasks",), "no tasks")
    names = list(raw_tasks)
    position = {name: i for i, name in enumerate(names)}
    tasks: dict[str, Task] = {}
    edges: list[Edge] = []
    dangling: list[Dangling] = []
    for key, raw in raw_tasks.items():
        pointer = ("tasks", key)
        spec = _mapping(raw if raw is not None else {}, pointer, TASK_KEYS)
        tasks[key] = _task(key, spec, pointer)
        for field, kind in (("needs", EdgeKind.DATA), ("after", EdgeKind.ORDER)):
            if field not in spec:
                continue
            if field == "after" and current == "sequential":
                _fail(pointer + ("after",), "'after' orders tasks only with 'current: graph' "
                      "(with 'current: sequential' the listed order is the design)")
            for i, other in enumerate(_names(spec[field], pointer + (field,))):
                where = Location(pointer + (field, i) if isinstance(spec[field], list) else pointer + (field,))
                if other not in raw_tasks:
                    dangling.append(Dangling(key, other, where, f"{field}: {other}"))
                elif current == "sequential" and position[other] > position[key]:
                    _fail(where.pointer, f"needs {other!r}, which is listed after it; with 'current: "
                          "sequential' tasks run in the listed order (move it up or use 'current: graph')")
                else:
                    detail = f"{key} needs {other}'s output" if kind is EdgeKind.DATA else f"{key} is declared after {other}"
                    edges.append(Edge(other, key, kind, where, detail))
    limits = _limits(doc.get("limits"), ("limits",)) if "limits" in doc else Limits()
    name = doc.get("name", os.path.basename(path).split(".")[0])
    if not isinstance(name, str):
        _fail(("name",), "expected text")
    if not isinstance(doc.get("description", ""), str):
        _fail(("description",), "expected text")
    model = ExecutionModel(
        name="spec",
        mode=current,
        order=tuple(names) if current == "sequential" else (),
        parallel_feature=PARALLEL_FEATURE, fail_together=FAIL_TOGETHER, finish_the_rest=FINISH_THE_REST,
    )
    return Workflow(name=name, format="spec", path=path, execution_model=model, tasks=tasks,
                    edges=edges, limits=limits, dangling=dangling, source=index)


def _task(key: str, spec: dict, pointer: tuple) -> Task:
    title = spec.get("title", key)
    if not isinstance(title, str):
        _fail(pointer + ("title",), "expected text")
    if "duration" in spec:
        try:
            duration = Duration(parse_duration(spec["duration"]), DurationSource.DECLARED)
        except ValueError as exc:
            _fail(pointer + ("duration",), str(exc))
    else:
        duration = Duration(DEFAULT_DURATION_S, DurationSource.DEFAULT)
    for field, value in spec.items():  # an empty value (``api:``) is not "absent": the schema rejects it
        if value is None:
            _fail(pointer + (field,), "expected a value, got nothing")
    items = _positive_int(spec["items"], pointer + ("items",)) if "items" in spec else None
    effects = [Effect(r, mode, Location(pointer + (field,)))
               for field, mode in (("reads", Mode.READ), ("writes", Mode.WRITE))
               for r in (_names(spec[field], pointer + (field,)) if field in spec else [])]
    join = spec.get("join", "all")
    if join not in ("all", "any", "each"):
        _fail(pointer + ("join",), f"expected 'all', 'any' or 'each', got {join!r}")
    kind = spec.get("kind", "task")
    if not isinstance(kind, str):
        _fail(pointer + ("kind",), "expected text")
    return Task(
        id=key, name=title, kind=kind, location=Location(pointer), duration=duration, items=items,
        effects=effects, apis=_apis(spec.get("api"), pointer + ("api",), items is not None),
        pools=_names(spec["pool"], pointer + ("pool",)) if "pool" in spec else [], join=Join(join),
    )


def _apis(value, pointer: tuple, per_item: bool) -> list[ApiUse]:
    if value is None:
        return []
    if isinstance(value, dict):
        uses = []
        for api, calls in value.items():
            if isinstance(calls, bool) or not isinstance(calls, (int, float)) or calls <= 0:
                _fail(pointer + (api,), f"expected a positive number of calls, got {calls!r}")
            uses.append(ApiUse(api, float(calls), per_item))
        return uses
    return [ApiUse(api, 1.0, per_item) for api in _names(value, pointer)]


def _limits(value, pointer: tuple) -> Limits:
    raw = _mapping(value, pointer, LIMIT_KEYS)
    limits = Limits()
    for api, value in _mapping(raw.get("apis", {}), pointer + ("apis",)).items():
        limits.apis[api] = _api_limit(api, value, pointer + ("apis", api))
    for pool, size in _mapping(raw.get("pools", {}), pointer + ("pools",)).items():
        limits.pools[pool] = PoolLimit(pool, _positive_int(size, pointer + ("pools", pool)), Location(pointer + ("pools", pool)))
    if "concurrency" in raw:
        limits.concurrency = _positive_int(raw["concurrency"], pointer + ("concurrency",))
        limits.concurrency_source = "declared in limits.concurrency"
    return limits


def _api_limit(api: str, value, pointer: tuple) -> ApiLimit:
    """``10/s`` (a bucket of 10), or ``{rate: 10/s, burst: 20}`` for an API that admits another burst."""
    if isinstance(value, dict):
        spec = _mapping(value, pointer, {"rate", "burst"})
        if "rate" not in spec:
            _fail(pointer, "expected a 'rate' (and optionally a 'burst')")
        rate_text = spec["rate"]
        burst = spec.get("burst")
        if burst is not None and (isinstance(burst, bool) or not isinstance(burst, (int, float)) or burst < 1):
            _fail(pointer + ("burst",), f"expected a number of requests of at least 1, got {burst!r}")
    else:
        rate_text, burst = value, None
    try:
        rate, written = parse_limit(rate_text)
    except ValueError as exc:
        _fail(pointer + (("rate",) if isinstance(value, dict) else ()), str(exc))
    text = str(rate_text) + (f", burst {burst:g}" if burst is not None else "")
    return ApiLimit(api, rate, text, Location(pointer), float(burst) if burst is not None else written)
