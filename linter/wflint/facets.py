"""Typed facts adapters attach to tasks and workflows, beyond the IR's core fields.

A facet is a frozen dataclass. An adapter attaches it with ``task.put(Facet(...))``; a rule or
the analysis reads it with ``task.facet(Facet)`` (``None`` where the adapter knows no such fact).
A rule names the facets it needs in ``@rule(..., needs=(Facet,))`` and the engine skips it on a
workflow that carries none of them, so a rule never runs on facts that were not there.

The facets below are the ones rules and the analysis read: engine-neutral words for what an
engine does (routes of a branch, step lanes of a job, concurrency settings, item fan-out). An
adapter may declare private facets of its own beside its reader; nothing outside it reads them.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import field

from wflint.records import dataclass

from .ir import Facet, Location

__all__ = ["Facet", "Routes", "Starts", "StartNames", "TriggerRule", "LoopCopy", "ItemFanout", "ChildRun", "PerItem",
           "ExecutionOrder",
           "OrderScenario",
           "JoinCheck", "InstanceWrites", "Instances", "InvalidSetting", "ConstantSetting", "Notes", "Structure",
           "Unresolved", "ReadAsIfCalled", "PerArrival", "Unobserved",
           "Step", "Steps", "Concurrency", "Publishing", "Waiting", "PoolQueueing", "RunSettings", "EngineVersion"]


# --- branching, triggers and runs ---------------------------------------------------------------


@dataclass(frozen=True)
class Routes(Facet):
    """Outputs of each branching task that lead to this task: branch task id → output indexes.

    Two tasks on different outputs of one branching task never handle the same item, so they are
    alternatives, never parallel branches (n8n IF/Switch).
    """

    by_router: Mapping[str, tuple[int, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class LineageReads(Facet):
    """Tasks this one reads by following its own items back through its inputs (n8n's
    ``$('X').item``): the read finds X only where X is on that path, not merely earlier in the run.
    ``failure`` is the engine's own words for what happens otherwise."""

    producers: tuple[str, ...] = ()
    failure: str = ""


@dataclass(frozen=True, slots=True)
class Starts(Facet):
    """The start points (triggers, or the task itself when nothing feeds it) that reach this task.

    Two tasks no common start reaches never run in the same execution; nor do two with ``cases``
    and none in common.
    """

    starts: tuple[str, ...] = ()
    # Finer than ``starts``, where the adapter can tell them apart: the runs a task takes part in by
    # the values every task of a run sees alike (GitHub jobs under `if: inputs.env == 'staging'` and
    # `'production'`). Empty: not told apart. Only for whether two tasks meet, never for wording.
    cases: tuple[str, ...] = ()


@dataclass(frozen=True)
class StartNames(Facet):
    """How to call the starts of ``Starts`` in words, where their ids are not words (GitHub run
    contexts): start → its wording, and start → its kind (the event), so that a run every start of
    one kind begins is called by the kind alone."""

    wording: Mapping[str, str] = field(default_factory=dict)
    kind: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class TriggerRule(Facet):
    """When a task runs after its upstream tasks finish (Airflow trigger rules, branch operators)."""

    rule: str = ""  # as the engine spells it, e.g. "none_failed"
    role: str = ""  # "setup" | "teardown" | ""
    chooses_branch: bool = False  # runs only the downstream path it returns
    # ... and that is one path per run, as far as the adapter could read (Airflow follows every id
    # of a list a branch callable returns); False where it may be several, or is unknown.
    picks_one: bool = True
    # A skipped upstream task skips it (Airflow none_skipped; the default all_success does too,
    # as every task with no failure policy): after a branch choice it never runs.
    skips_if_one_skips: bool = False
    # Its own code reads the states of the tasks before it (a notifier listing what failed): a
    # failure it runs after is what it reports, not hidden.
    reads_states: bool = False
    handles_failure: bool = False  # runs because an upstream task failed (a failure handler)
    # Runs once an upstream task succeeded and fails (upstream_failed) when none did (Airflow
    # one_success): a failed branch is hidden only by another that succeeds in the same run.
    needs_a_success: bool = False
    # It tells someone itself when it fails (Airflow: an `on_failure_callback`, or mail to its
    # `email`): a failure of it is not hidden by a join that runs anyway.
    alerts_on_failure: bool = False


@dataclass(frozen=True)
class SetupTime(Facet):
    """Measured time a task spends getting ready before its own work (a GitHub job's runner set-up,
    checkout and tool set-up steps, from run data): what each extra copy of it would pay again."""

    seconds: float
    runs: int = 1  # how many runs the median is taken over


@dataclass(frozen=True, slots=True)
class Structure(Facet):
    """A task that is structure, not work: a start/end marker, a deliberate wait, a gate, or a
    schema setup (DDL that makes a table before the task that fills it, in milliseconds).

    Orderings into and out of it are part of the design and never suggested for removal; a marker
    takes no time, a wait its configured delay.
    """

    kind: str  # "marker" | "wait" | "gate" | "setup" (schema made before the work that fills it)
    what: str = ""  # in words, e.g. "EmptyOperator marker"
    # a wait for a moment in time, not for data (Airflow's TimeSensor): beside work into a join that
    # runs on the first success, it is a deadline ("the data, or at nine, whichever comes first")
    clock: bool = False


@dataclass(frozen=True)
class LoopCopy(Facet):
    """A task made by one iteration of a loop in the source (Airflow ``for`` loops)."""

    site: str  # where the loop is, one name for every copy it makes
    linked_from: tuple[str, ...] = ()  # copies of the previous iterations it was chained after


@dataclass(frozen=True)
class PerItem(Facet):
    """Work a task does one item after another (a brief's ``200 × 0.5s``): its items could run side
    by side, as fast as its pool and its APIs' limits allow (analysis/fanout.py)."""

    items: int
    each_s: float  # one item's time


@dataclass(frozen=True)
class ItemFanout(Facet):
    """How many items a task emits and how it runs per item (n8n runs a node once per input item)."""

    emitted: int | None = None  # items this task is known to emit (n8n pinData)
    per_item_s: float | None = None  # default seconds one run takes, where it runs once per item
    runs_once: bool = False  # runs once whatever its input (n8n Execute Once)


@dataclass(frozen=True)
class ChildRun(Facet):
    """A task whose work is a run of another workflow (an n8n Execute Workflow node): whether it
    waits for that run to end before going on, and whether it starts one run per input item (then,
    waiting, the runs go one after another)."""

    waits: bool
    per_item: bool
    setting: str  # the option that makes it not wait, as the engine's editor names it
    paced: bool = False  # in a loop that hands it one batch at a time (n8n Loop Over Items): on purpose


@dataclass(frozen=True)
class OrderScenario:
    """One execution of a sequential engine: from one start, each branch taking one output."""

    start: str
    choices: tuple[tuple[str, int], ...]  # branching task → the output taken (0-based)
    runs: tuple[str, ...]  # the tasks it runs, first runs in order, under the current setting
    other_runs: tuple[str, ...]  # ... under the other setting
    outputs: tuple[str, ...] = ()  # each choice's output in the engine's words ("true", "error")
    # Loops the legacy order stops after their first pass: a join in the loop body that needed the
    # engine to force its other input waits for ever on the next pass, so the loop never finishes.
    legacy_stalls: tuple[str, ...] = ()
    # Every run of the execution under the current setting, for 1, 2 and 3 items from the start:
    # (task, the items it ran on) in order, a task once per run (a loop's body once per pass).
    run_logs: tuple[tuple[tuple[str, tuple[int, ...]], ...], ...] = ()


@dataclass(frozen=True)
class ExecutionOrder(Facet):
    """A sequential engine's choice of order among tasks the graph leaves unordered (n8n)."""

    explicit: bool  # the file sets the order
    modern: bool  # the file sets the engine's current order (n8n v1)
    value: object  # the setting as written (None when absent)
    agree: bool  # the current and the modern order run the tasks the same way
    first_runs: tuple[str, ...]  # each task's first run, in the engine's order
    other_runs: tuple[str, ...] = ()  # the same under the other setting (the modern one, for a legacy file)
    location: Location | None = None  # where the setting is, or would go
    # One execution per start (an enabled trigger) and per way a single item can go through the
    # branches: ``first_runs`` has every output of every branch emit at once, as only several items
    # taking different ways do. ``scenarios_complete`` is False where there were too many to list.
    scenarios: tuple[OrderScenario, ...] = ()
    scenarios_complete: bool = False
    # Every branch point gets at most one item per run, so only the scenarios can happen, never
    # ``first_runs``' every-output-at-once.
    one_item_per_branch: bool = False
    # Tasks that pass their input on and do nothing else (n8n's disabled nodes): whether and when
    # they run is no difference a run shows.
    inert: frozenset[str] = frozenset()


@dataclass(frozen=True)
class JoinCheck(Facet):
    """An adapter's check of a join task's wiring (n8n Merge inputs)."""

    issues: tuple[str, ...] = ()
    fix: str = "display"  # applicability of inserting a join in front of the task


@dataclass(frozen=True)
class PerArrival(Facet):
    """A task built to run once per branch that reaches it, each run whole before the next (an n8n
    Loop Over Items with Reset under v1: each branch's items are a new set of batches)."""

    why: str = ""


@dataclass(frozen=True)
class Unobserved(Facet):
    """A task whose runs nobody sees: it and every task after it work in memory only, read only
    what ran before its branches, and hand their output to no one (no caller, no response). Run
    once per branch, or early, it repeats nothing anyone gets (the adapter's judgement)."""

    why: str = ""


@dataclass(frozen=True)
class Instances(Facet):
    """How many copies of the task run at once (a matrix job's instances, up to its `max-parallel`):
    each takes a place under the engine's concurrency cap."""

    at_once: int = 1
    total: int = 1


@dataclass(frozen=True)
class InstanceWrites(Facet):
    """Resources every concurrent instance of this task writes (one artifact per matrix job)."""

    resources: tuple[str, ...] = ()


@dataclass(frozen=True)
class ReadAsIfCalled(Facet):
    """The workflow exists only when code elsewhere calls ``factory`` (an Airflow DAG factory the
    file defines and never calls; the engine finds no workflow in the file itself): read as if
    called once, with what a caller passes unknown. Where a caller is in the repository, that
    file is the workflow's real reading."""

    factory: str
    called_elsewhere: bool = False  # another file of the repository calls it (a loader wflint reads)


@dataclass(frozen=True)
class Unresolved(Facet):
    """What the adapter could not read of a workflow, in words (a helper it could not follow,
    ids built from data read at parse time): the graph is then partial."""

    reasons: tuple[str, ...] = ()


@dataclass(frozen=True)
class InvalidSetting(Facet):
    """A setting of a task that its engine rejects when the task runs (a negative Wait amount, an
    unknown unit). Analysis gives the task 0 s."""

    what: str  # the setting and its value, in words
    why: str  # what the engine does with it
    location: Location | None = None


@dataclass(frozen=True)
class ConstantSetting(Facet):
    """A setting written as an expression that has one value in every run the workflow can have,
    because it tests for a ref or an event no run has (a branch the triggers leave out): the case
    it was written to tell apart never comes. On the workflow for a workflow-wide setting."""

    what: str  # the setting as written
    value: bool
    never: tuple[str, ...]  # what it tests for that no run has, in words ("the branch `main`")
    location: Location | None = None


@dataclass(frozen=True)
class Notes(Facet):
    """Free text the author attached to a task (n8n node notes), where suppressions may live."""

    text: str


# --- steps inside a task (GitHub Actions jobs) --------------------------------------------------


@dataclass(frozen=True, slots=True)
class Step:
    """One step of a job, as the step rules see it."""

    id: str  # task-like id: ``job.stepid`` or ``job#index``
    step_id: str | None  # the step's own ``id:``
    index: int
    name: str
    pointer: tuple[str | int, ...]
    kind: str  # "run" | "uses" | "wait" | "wait-all" | "cancel" | "other"
    uses: str = ""
    condition: str = ""  # its ``if:``
    background: bool = False
    group: int | None = None  # the parallel group it belongs to, if any
    waits: bool = False  # a ``wait``/``wait-all`` step
    refs: tuple[str, ...] = ()  # step ids whose outputs or outcome it reads
    files: tuple[str, ...] = ()  # job files it writes: "env", "path", "output"
    read_only: bool = False  # only checks the workspace
    checkout_without_path: bool = False
    condition_reads_steps: bool = False  # its ``if:`` depends on other steps' outcome
    finalizer: bool = False  # runs on failure or always (``always()``, ``failure()``)
    opaque_action: bool = False  # a local action wflint could not read
    locks: tuple[str, ...] = ()  # tool locks it takes (a build directory, a package cache): holders wait in turn
    # an action known to change the job's shared state (a tool on PATH, a restored cache, credentials),
    # False: known not to (a checkout, an artifact); None: what the action changes is not known
    writes_job_state: bool | None = None


@dataclass(frozen=True, slots=True)
class Steps(Facet):
    """The steps of a job and which of them may run at the same time."""

    steps: tuple[Step, ...] = ()
    concurrent_pairs: tuple[tuple[str, str], ...] = ()

    def by_id(self) -> dict[str, Step]:
        return {s.id: s for s in self.steps}


# --- concurrency across runs and what a job publishes -------------------------------------------


@dataclass(frozen=True, slots=True)
class Concurrency(Facet):
    """Concurrency groups that keep runs of a task from overlapping (GitHub ``concurrency:``)."""

    group: str | None = None  # the task's own group
    cancel_in_progress: object = None  # as written: True, False, an expression, or None
    queue: str | None = None
    workflow_group: str | None = None  # the whole workflow's group


@dataclass(frozen=True, slots=True)
class Publishing(Facet):
    """What a task deploys, pushes or publishes, and how often runs that do it start."""

    # Targets runs may race on, e.g. "env:production", "git:gh-pages"; a "*" stands for a part of the
    # name only the run knows ("git:issue/*"), so two runs may write different ones.
    targets: tuple[str, ...] = ()
    unique: tuple[str, ...] = ()  # targets each run writes its own of (a package version, a release per tag)
    mutable: bool = False  # some target is proven overwritten in place (an environment, a branch, Pages)
    frequent: bool = False  # started by triggers that fire often (every push, workflow_run...)
    apart: str = ""  # why runs that publish never overlap (a schedule slower than a run), in words
    called_only: bool = False  # only started by other workflows, which may hold the group
    callable: bool = False  # some run is another workflow's call (whose matrix may run it many times at once)
    suggested_group: str = ""  # a concurrency group key per target, in the engine's syntax
    queue: str = ""  # the queue policy a group for it should have ("max": keep every pending run)
    cancelling_group: str = ""  # a group that cancels a run in progress where it publishes (a hazard)
    per_instance: bool = False  # each concurrent instance (matrix job) writes a target of its own
    rivals: tuple[str, ...] = ()  # other workflows' tasks writing one of its floating targets, in words
    rivals_often: bool = False  # one side of such a pair starts often
    # the job's runs that write none of ``targets`` (a pull request's run of a job that pushes only
    # on main), in words: a group for the target would hold them too
    quiet_runs: tuple[str, ...] = ()
    # the job's runs where no step that writes them is sure to run (its `if:` reads a job's output,
    # a step's, a file's hash) while in other runs one is: they may write none of them, and a group
    # for the target would hold them too
    unsure_runs: tuple[str, ...] = ()
    # targets whose instance the job names per run (a Pages deploy to `--branch=${{ ... }}`: a preview
    # per commit, production for main): one group for the target would hold every such run too
    named_per_run: tuple[str, ...] = ()


# --- how an engine queues, picks and spaces tasks -------------------------------------------------


@dataclass(frozen=True)
class Waiting(Facet):
    """A wait (a sensor) that gives its pool slot and its place under the concurrency cap back
    between checks (Airflow ``mode="reschedule"``, a deferred sensor): it holds neither while it
    waits, so it queues nothing behind it."""

    how: str = ""  # as written, e.g. "mode='reschedule'"


@dataclass(frozen=True)
class PoolQueueing(Facet):
    """The engine queues a task whose pool is full until a slot frees, and never fails it for that
    (Airflow pools): a full pool costs time, not the run."""

    engine: str = ""  # the engine's name, for messages


@dataclass(frozen=True)
class RunSettings(Facet):
    """How the engine picks and spaces this task's runs. Among ready tasks held back by a pool or a
    cap, the higher ``priority`` starts first (``weight_rule`` says how weights add up:
    ``downstream`` the task's and everything below it, ``upstream`` above it, ``absolute`` its own).
    ``waits_for_previous_run``/``waits_for_previous_downstream`` order one run after the previous
    (Airflow ``depends_on_past``/``wait_for_downstream``); ``at_once_across_runs`` caps its copies
    running at once over all runs (``max_active_tis_per_dag``)."""

    priority_weight: int = 1
    weight_rule: str = "downstream"
    waits_for_previous_run: bool = False
    waits_for_previous_downstream: bool = False
    at_once_across_runs: int | None = None


@dataclass(frozen=True)
class EngineVersion(Facet):
    """The engine's major version the file is written for, and what says so; its defaults apply."""

    major: int
    evidence: str = ""
