"""Read the plain-text brief (docs/architecture.md) into the IR.

Four sections, each introduced by its heading line::

    Current sequential task list      1. Fetch customer data from CRM (2s).
    Data dependencies                 Task 3 needs Task 1 and Task 2.
    API rate limits                   CRM: 10 req/s
    Infrastructure constraints        Single database connection pool (max 10)

A sentence that matches none of the forms is an error with its line: the brief is never guessed.
Dependencies listed are taken as all there are; an API or pool applies to the tasks whose titles
name it.
"""
from __future__ import annotations

import re
from typing import NoReturn

from wflint.analysis.durations import parse_duration
from wflint.errors import ParseError
from wflint.ir import (
    ApiLimit,
    ApiUse,
    Dangling,
    Duration,
    DurationSource,
    Edge,
    EdgeKind,
    ExecutionModel,
    Limits,
    Location,
    PoolLimit,
    Position,
    SourceIndex,
    Task,
    Workflow,
)

from .reader import PARALLEL_FEATURE

SECTIONS = {
    "tasks": re.compile(r"^current\s+(sequential\s+)?task\s+list$"),
    "deps": re.compile(r"^(data\s+)?dependencies$"),
    "apis": re.compile(r"^(api\s+)?rate\s+limits$"),
    "infra": re.compile(r"^(infrastructure\s+)?constraints$"),
}
_UNIT_WORDS = [(re.compile(r"\s*(seconds?|secs?)\b"), "s"), (re.compile(r"\s*(minutes?|mins?)\b"), "m"),
               (re.compile(r"\s*(hours?|hrs?)\b"), "h"), (re.compile(r"\s*(milliseconds?)\b"), "ms")]
TASK_LINE = re.compile(r"^(?:task\s+)?(\d+)[.):]\s+(.+?)\s*\(([^()]*)\)\s*\.?$", re.I)
NUMS = r"(\d+(?:\s*(?:,|and|&)\s*(?:tasks?\s+)?\d+)*)"
DEP_LINE = re.compile(rf"^tasks?\s+{NUMS}\s+(?:needs?|depends?\s+on|requires?|uses?\s+(?:the\s+)?output\s+of)"
                      rf"\s+(?:the\s+output\s+of\s+)?(?:tasks?\s+)?{NUMS}\s*\.?$", re.I)
NO_DEPS = re.compile(r"^(none|no\s+(other\s+)?(data\s+)?dependencies)\.?$", re.I)
RATE_LINE = re.compile(r"^(.+?)(?:\s+api)?\s*:\s*(\d+(?:\.\d+)?)\s*(?:req(?:uest)?s?|calls?)?\s*"
                       r"(?:/|per)\s*(s|sec|second|m|min|minute|h|hr|hour)\.?$", re.I)
POOL_LINE = re.compile(r"^(?:a\s+|one\s+|single\s+)*(.*?\bpool\b.*?)\s*\(\s*(?:max(?:imum)?|size)?\s*:?\s*(\d+)"
                       r"(?:\s+connections?)?\s*\)\.?$", re.I)
CONCURRENCY_LINE = re.compile(r"^(?:at\s+most|max(?:imum)?)\s+(\d+)\s+(?:concurrent\s+)?tasks?(?:\s+at\s+once)?\.?$", re.I)
_POOL_WORDS = {"database": ("database", "db", "sql", "table", "query"), "db": ("database", "db", "sql", "table")}


def read_brief(path: str, text: str) -> list[Workflow]:
    parser = _Brief(path)
    for number, line in enumerate(text.splitlines(), start=1):
        parser.line(number, line)
    return [parser.workflow()]


def _heading(line: str) -> str | None:
    cleaned = re.sub(r"^[#*\s]+|[*:\s]+$", "", line).lower()
    return next((name for name, pattern in SECTIONS.items() if pattern.match(cleaned)), None)


def _numbers(text: str) -> list[str]:
    return re.findall(r"\d+", text)


class _Brief:
    def __init__(self, path: str) -> None:
        self.path = path
        self.section: str | None = None
        self.tasks: dict[str, Task] = {}
        self.edges: list[Edge] = []
        self.dangling: list[Dangling] = []
        self.limits = Limits()
        self.positions: dict[tuple, Position] = {}
        self.pending: list[tuple[int, str, list[str], list[str]]] = []

    def fail(self, number: int, reason: str, column: int = 1) -> NoReturn:
        raise ParseError(self.path, reason, number, column)

    def line(self, number: int, raw: str) -> None:
        line = raw.strip().lstrip("-*• ").strip()
        if not line:
            return
        heading = _heading(raw)
        if heading:
            self.section = heading
            return
        column = len(raw) - len(raw.lstrip()) + 1
        if self.section is None:
            if raw.lstrip().startswith("#"):
                return  # a title line before the first section
            self.fail(number, f"text before the first section heading: {line!r} "
                      "(expected 'Current sequential task list')", column)
        getattr(self, "_" + self.section)(number, line, column)

    def _tasks(self, number: int, line: str, column: int) -> None:
        m = TASK_LINE.match(line)
        if not m:
            self.fail(number, f"cannot read task line {line!r} (expected e.g. '1. Fetch data from CRM (2s).')", column)
        ident, title, duration_text = m.groups()
        text = duration_text.strip()
        for pattern, unit in _UNIT_WORDS:
            text = pattern.sub(unit, text)
        try:
            seconds = parse_duration(text)
        except ValueError:
            self.fail(number, f"task {ident}: cannot read duration {duration_text!r} (use e.g. 2s, 1.5 min, 250ms)", column)
        if ident in self.tasks:
            self.fail(number, f"task {ident} is listed twice", column)
        pointer = ("tasks", ident)
        self.positions[pointer] = Position(number, column)
        self.tasks[ident] = Task(id=ident, name=title.rstrip("."), kind="task", location=Location(pointer),
                                 duration=Duration(seconds, DurationSource.DECLARED))

    def _deps(self, number: int, line: str, column: int) -> None:
        if NO_DEPS.match(line):
            return
        m = DEP_LINE.match(line)
        if not m:
            self.fail(number, f"cannot read dependency {line!r} (expected e.g. 'Task 3 needs Task 1 and Task 2.')", column)
        self.positions[("deps", number)] = Position(number, column)
        self.pending.append((number, line, _numbers(m.group(1)), _numbers(m.group(2))))

    def _apis(self, number: int, line: str, column: int) -> None:
        m = RATE_LINE.match(line)
        if not m:
            self.fail(number, f"cannot read rate limit {line!r} (expected e.g. 'CRM: 10 req/s')", column)
        name = m.group(1).strip()
        per = {"s": 1, "sec": 1, "second": 1, "m": 60, "min": 60, "minute": 60, "h": 3600, "hr": 3600, "hour": 3600}
        rate = float(m.group(2)) / per[m.group(3).lower()]
        if rate <= 0:
            self.fail(number, f"rate limit of {name} must be positive", column)
        key = name.lower()
        self.positions[("limits", "apis", key)] = Position(number, column)
        self.limits.apis[key] = ApiLimit(key, rate, f"{m.group(2)}/{m.group(3)}", Location(("limits", "apis", key)))

    def _infra(self, number: int, line: str, column: int) -> None:
        m = POOL_LINE.match(line)
        if m:
            name = m.group(1).strip().lower()
            self.positions[("limits", "pools", name)] = Position(number, column)
            self.limits.pools[name] = PoolLimit(name, int(m.group(2)), Location(("limits", "pools", name)))
            return
        m = CONCURRENCY_LINE.match(line)
        if m:
            self.limits.concurrency = int(m.group(1))
            self.limits.concurrency_source = f"brief line {number}"
            return
        self.fail(number, f"cannot read constraint {line!r} (expected e.g. 'Single database connection pool "
                  "(max 10)' or 'At most 4 tasks at once')", column)

    def workflow(self) -> Workflow:
        if not self.tasks:
            self.fail(1, "no tasks: expected a 'Current sequential task list' section with numbered tasks")
        order = list(self.tasks)
        rank = {t: i for i, t in enumerate(order)}
        for number, line, consumers, producers in self.pending:
            for consumer in consumers:
                for producer in producers:
                    where = Location(("deps", number))
                    if consumer not in self.tasks:
                        self.dangling.append(Dangling(producer, consumer, where, line))
                    elif producer not in self.tasks:
                        self.dangling.append(Dangling(consumer, producer, where, line))
                    elif rank[producer] >= rank[consumer]:
                        self.fail(number, f"task {consumer} needs task {producer}, which is not listed before it")
                    else:
                        self.edges.append(Edge(producer, consumer, EdgeKind.DATA, where,
                                               f"task {consumer} needs task {producer}"))
        self._assign_apis_and_pools()
        model = ExecutionModel(name="spec", mode="sequential", order=tuple(order), parallel_feature=PARALLEL_FEATURE)
        return Workflow(name=self.path.rsplit("/", 1)[-1].split(".")[0], format="spec", path=self.path,
                        execution_model=model, tasks=self.tasks, edges=self.edges, limits=self.limits,
                        dangling=self.dangling, source=SourceIndex(self.positions))

    def _assign_apis_and_pools(self) -> None:
        """An API or pool applies to the tasks whose titles name it (as a whole word)."""
        for api in self.limits.apis:
            word = re.compile(rf"\b{re.escape(api)}\b", re.I)
            for task in self.tasks.values():
                if word.search(task.name):
                    task.apis.append(ApiUse(api))
        for pool in self.limits.pools:
            words = next((w for key, w in _POOL_WORDS.items() if key in pool), ())
            for task in self.tasks.values():
                if any(re.search(rf"\b{w}\b", task.name, re.I) for w in words):
                    task.pools.append(pool)
