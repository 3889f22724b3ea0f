"""The task-graph IR every adapter produces and every rule reads (docs/architecture.md).

Engine knowledge stops at the adapter: once a file is a ``Workflow``, nothing downstream knows
whether it came from n8n, Airflow, GitHub Actions or a spec file, except through the explicit
``execution_model`` and the facts recorded on tasks and edges.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import field
from enum import Enum
from typing import TypeVar

from wflint.records import dataclass


class DurationSource(str, Enum):
    """Where a duration came from, strongest first (docs/architecture.md)."""

    MEASURED = "measured"
    CONFIGURED = "configured"
    DECLARED = "declared"
    DEFAULT = "default"


class EdgeKind(str, Enum):
    ORDER = "order"  # declared ordering only: the sole kind that may be relaxed
    DATA = "data"  # v reads u's output
    CONTROL = "control"  # branch / trigger-rule semantics
    IMPLICIT = "implicit"  # data flow the engine does not see as an edge


class Mode(str, Enum):
    READ = "read"
    WRITE = "write"


class Join(str, Enum):
    """How a task with several incoming branches waits for them."""

    ALL = "all"  # waits for every upstream branch (a real join)
    ANY = "any"  # starts when the first upstream finishes
    EACH = "each"  # runs once per upstream branch that reaches it


@dataclass(frozen=True, slots=True)
class Location:
    """A symbolic place in the source: a path of keys/indexes (JSON pointer, YAML path).

    Resolved to line and column only when rendering, through the workflow's ``SourceIndex``.
    """

    pointer: tuple[str | int, ...] = ()

    def child(self, *keys: str | int) -> Location:
        return Location(self.pointer + tuple(keys))

    def __str__(self) -> str:
        return "/" + "/".join(str(k) for k in self.pointer)


@dataclass(frozen=True, slots=True)
class Position:
    """A place in the source text, so findings and edits can point at the exact line and column."""

    line: int  # 1-based
    column: int  # 1-based
    end_line: int | None = None
    end_column: int | None = None


class SourceIndex:
    """Maps symbolic locations to positions; the longest known prefix of a pointer wins."""

    def __init__(self, positions: Mapping[tuple, Position] | None = None) -> None:
        self._positions: dict[tuple, Position] = dict(positions or {})

    def add(self, pointer: tuple, position: Position) -> None:
        self._positions.setdefault(pointer, position)

    def resolve(self, location: Location | None) -> Position:
        if location is None:
            return Position(1, 1)
        pointer = location.pointer
        while True:
            found = self._known(pointer)
            if found is not None:
                return found
            if not pointer:
                return Position(1, 1)
            pointer = pointer[:-1]

    def _known(self, pointer: tuple) -> Position | None:
        """The position recorded for exactly ``pointer`` (subclasses may keep them otherwise)."""
        return self._positions.get(pointer)


class Facet:
    """Base of the typed facts adapters attach to tasks and workflows (see ``facets.py``)."""

    __slots__ = ()  # so that a slotted facet has no instance dict


F = TypeVar("F", bound=Facet)


class Faceted:
    """Carries facets, one value per facet class: ``put`` attaches, ``facet`` reads (or None)."""

    __slots__ = ()  # a slotted subclass (Task) has no instance dict
    facets: dict[type[Facet], Facet]

    def facet(self, kind: type[F]) -> F | None:
        return self.facets.get(kind)  # type: ignore[return-value]  # ``put`` files each under its own class

    def put(self, value: Facet) -> None:
        self.facets[type(value)] = value


@dataclass(frozen=True, slots=True)
class Duration:
    """How long a task takes and where that figure came from, so a default is never shown as measured."""

    seconds: float
    source: DurationSource


@dataclass(frozen=True, slots=True)
class Effect:
    """A task's access to an external resource, e.g. ``postgres:warehouse/public.orders``."""

    resource: str
    mode: Mode
    location: Location | None = None
    # A write that only adds a new object (a row, a record, a file) and overwrites nothing: two
    # appends to one resource never conflict with each other, only with its reads and other writes.
    # An update of named fields only is one too, beside a plain write of ``resource#field`` per
    # field it sets: two of them conflict where they set one field, never for different fields.
    append: bool = False

    @property
    def system(self) -> str:
        """The part before the first ':' (``crm`` for ``crm:customers``)."""
        return self.resource.split(":", 1)[0]


@dataclass(frozen=True, slots=True)
class ApiUse:
    """Calls a task makes to a rate-limited API, per run (times ``items`` when ``per_item``)."""

    api: str
    calls: float = 1.0
    per_item: bool = False


@dataclass(slots=True)
class Task(Faceted):
    """One unit of work the engine schedules, with what it touches (effects), the APIs it calls and its engine facts."""

    id: str
    name: str
    kind: str
    location: Location
    duration: Duration
    items: int | None = None
    effects: list[Effect] = field(default_factory=list)
    apis: list[ApiUse] = field(default_factory=list)
    pools: list[str] = field(default_factory=list)
    join: Join = Join.ALL
    failure_policy: str | None = None  # e.g. "continue", "stop"; None = engine default
    opaque: bool = False  # effects cannot be known (arbitrary code)
    dynamic: bool = False  # names or edges could not be resolved statically
    facets: dict[type[Facet], Facet] = field(default_factory=dict)  # typed adapter facts (facets.py)
    # On an engine that runs one task at a time: tasks with the same non-empty key could be merged
    # into one task fed one item per call, whose calls the engine sends concurrently (n8n's HTTP
    # Request node): together they take about the longest one's time.
    batch: str = ""

    def calls(self, use: ApiUse) -> float:
        return use.calls * (self.items or 1) if use.per_item else use.calls

    def api_calls(self) -> dict[str, float]:
        """Calls per run to each API it uses (several uses of one API add up)."""
        out: dict[str, float] = {}
        for use in self.apis:
            out[use.api] = out.get(use.api, 0.0) + self.calls(use)
        return out

    @property
    def reads(self) -> Iterator[Effect]:
        return (e for e in self.effects if e.mode is Mode.READ)

    @property
    def writes(self) -> Iterator[Effect]:
        return (e for e in self.effects if e.mode is Mode.WRITE)


@dataclass(frozen=True, slots=True)
class Edge:
    """An ordering between two tasks and why it exists (data, control or a declared dependency)."""

    u: str
    v: str
    kind: EdgeKind
    location: Location | None = None
    detail: str = ""  # why the edge exists, in words ("reads $('Fetch').json.id")
    # The conditions wflint could not evaluate that it is made under (an Airflow `if` on the file
    # system; ids, outermost first): the engine may not make it, so it implies another ordering
    # only for one made under the same conditions.
    conditions: tuple[str, ...] = ()
    # An implicit read the reader makes only once it has checked that u ran (n8n's
    # `$('X').isExecuted ? $('X')... : ...`): kept where the design orders u first (the value it
    # reads), never a missing ordering where it does not (it reads the other way then).
    guarded: bool = False
    # The statement that makes it together with others, where each has a place of its own (a GitHub
    # `needs:` list, an entry each): what is said of their orderings is said once, of the statement.
    statement: Location | None = None


@dataclass(frozen=True)
class ApiLimit:
    """A rate limit as a token bucket: ``burst`` requests at once, refilled at ``per_second``.

    ``N per window`` admits N at once (a limit of 10/s a burst of 10, 600/min a burst of 600)
    unless a burst is configured; without either, one second of the rate (at least one request).
    """

    name: str
    per_second: float
    text: str  # as written, e.g. "10/s"
    location: Location | None = None
    burst: float | None = None

    @property
    def bucket(self) -> float:
        return self.burst if self.burst is not None else max(1.0, self.per_second)


@dataclass(frozen=True)
class PoolLimit:
    """A named pool of slots tasks share (an Airflow pool, a connection pool), which caps how many run at once."""

    name: str
    size: int
    location: Location | None = None


@dataclass
class Limits:
    """The workflow's resource limits: API rates, pools and the engine's own cap on concurrent tasks."""

    apis: dict[str, ApiLimit] = field(default_factory=dict)
    pools: dict[str, PoolLimit] = field(default_factory=dict)
    concurrency: int | None = None  # engine cap on tasks running at once
    concurrency_source: str = ""  # e.g. "max_active_tasks default"


@dataclass(frozen=True)
class ExecutionModel:
    """How the engine runs the declared graph today.

    ``sequential``: one task at a time in ``order`` (the listed order, or the engine's real
    order, e.g. n8n). ``graph``: tasks run as soon as their upstream edges allow, up to limits.
    """

    name: str  # e.g. "spec", "n8n", "airflow", "github-actions"
    mode: str  # "sequential" | "graph"
    order: tuple[str, ...] = ()  # execution order for "sequential"
    runs_parallel: bool = True  # False where the engine runs one task at a time whatever the graph
    parallel_feature: str = ""  # the engine's native construct, for recommendations
    # The engine's constructs for a parallel group's partial failure, in words for a recommendation:
    # one failed branch fails the group, or the other branches finish and a later task decides.
    # Each a sentence that names where it applies ("In Airflow: ...").
    fail_together: str = ""
    finish_the_rest: str = ""
    # Non-empty where a declared ordering is also a gate (the downstream task is skipped when the
    # upstream one fails): removing it changes failure behaviour, so it is never a safe fix.
    order_gates: str = ""
    notes: tuple[str, ...] = ()
    # For a sequential engine that serializes a graph (n8n): what decides the order of tasks the
    # graph leaves unordered. Set, the declared edges are the design and ``order`` only the
    # engine's tie-break, so pairs the edges leave unordered are checked for races and references.
    tiebreak: str = ""
    # Non-empty where joining parallel branches takes a task of its own (n8n's Merge node): the
    # kind of task a rewrite that parallelizes a chain may add in front of the chain's consumer.
    join_task: str = ""
    # Non-empty where each task pays a set-up of its own before its work (a GitHub job: a fresh
    # runner, checkout, tools): in words, for the cost side of parallelism (``cost.py``).
    task_setup: str = ""


@dataclass(frozen=True)
class Dangling:
    """A reference to a task that does not exist (GRA002); the edge itself is dropped."""

    task: str  # the task holding the reference
    target: str  # the name it refers to
    location: Location | None = None
    detail: str = ""
    # The engine never evaluates it: the task holding it never runs as the file is wired (an n8n
    # node no enabled trigger reaches, in a workflow whose wiring n8n reads).
    dead: bool = False
    # Evaluated only where the alternatives before it are empty (`$json.id || $('Gone').first()...`):
    # it fails those runs only.
    fallback: bool = False


@dataclass
class Workflow(Faceted):
    """One workflow of a file as every rule sees it: tasks, orderings, limits and how its engine executes them."""

    name: str
    format: str
    path: str
    execution_model: ExecutionModel
    tasks: dict[str, Task]
    edges: list[Edge]
    limits: Limits = field(default_factory=Limits)
    dangling: list[Dangling] = field(default_factory=list)
    source: SourceIndex = field(default_factory=SourceIndex)
    location: Location = field(default_factory=Location)  # where the workflow itself starts
    facets: dict[type[Facet], Facet] = field(default_factory=dict)  # typed adapter facts (facets.py)
    _edge_index: tuple | None = field(default=None, init=False, repr=False, compare=False)

    def facet_kinds(self) -> set[type[Facet]]:
        """Every facet kind the workflow or one of its tasks carries (what a rule's ``needs`` asks)."""
        return set(self.facets).union(*(t.facets for t in self.tasks.values()))

    def task_order(self) -> list[str]:
        """Tasks in declaration order (dicts keep insertion order)."""
        return list(self.tasks)

    def edge(self, u: str, v: str) -> Edge | None:
        """The declared edge u→v, if any (first one, where several kinds join the same pair)."""
        if self._edge_index is None or len(self._edge_index[1]) != len(self.edges):
            index: dict[tuple[str, str], Edge] = {}
            for e in self.edges:
                index.setdefault((e.u, e.v), e)
            self._edge_index = (index, list(self.edges))
        return self._edge_index[0].get((u, v))

    def edges_of(self, kinds: Iterable[EdgeKind]) -> list[Edge]:
        wanted = set(kinds)
        return [e for e in self.edges if e.kind in wanted]
