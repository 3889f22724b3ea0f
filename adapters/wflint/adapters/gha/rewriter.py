"""Turn IR-level changes into text splices on the original workflow (docs/architecture.md).

Every edit replaces a span of the original text, so comments, quoting, flow lists and indentation
elsewhere stay byte for byte. Supported: ``RemoveOrder``/``RemoveEdge`` (drop a `needs:` entry,
or the key with its last entry, through the core's ``yamlsplice``), ``AddConcurrency`` (a
job-level block, or the workflow's when ``task`` is empty; a `queue:` policy when it has one) and
``ParallelSteps`` (wrap adjacent steps in `- parallel:`), placed from libyaml node positions.
Nodes shared through YAML anchors are never edited.
"""
from __future__ import annotations

import re

from wflint.edits import EditLog, TextEdit, ordered
from wflint.errors import RewriteError
from wflint.facets import Concurrency, Instances, Publishing, Steps
from wflint.finding import AddConcurrency, AddOrder, FixChange, ParallelSteps, RemoveEdge, RemoveOrder, change_kind
from wflint.patterns import lazy
from wflint.yamlsplice import SpliceError, remove_item, remove_key

from .events import EventGraph
from .facts import JobFacts

_QUOTE_FREE = re.compile(r"^[A-Za-z0-9$][^:#'\"\n]*$")


class _Text:
    """The source with line starts, to turn libyaml marks into string offsets."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.shared: set[int] = set()  # ids of nodes used more than once (anchors and aliases)
        self.starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def offset(self, mark) -> int:
        return self.starts[mark.line] + mark.column

    def line_start(self, offset: int) -> int:
        return self.text.rfind("\n", 0, offset) + 1

    def line_end(self, offset: int) -> int:
        """Offset just past the newline ending the line that holds ``offset``."""
        end = self.text.find("\n", offset)
        return len(self.text) if end < 0 else end + 1


REMOVALS = (RemoveOrder, RemoveEdge)  # both drop the `needs:` entry
SUPPORTED = (*REMOVALS, AddOrder, AddConcurrency, ParallelSteps)


def rewrite(text: str, workflow, changes: list[FixChange]) -> list[TextEdit]:
    """The edits of ``text`` that make ``changes``: the removals first, then the insertions placed
    on the text they left."""
    for change in changes:
        if not isinstance(change, SUPPORTED):
            raise RewriteError(f"the GitHub Actions rewriter cannot apply `{change_kind(change)}`")
    log = EditLog(text)
    removals = [c for c in changes if isinstance(c, REMOVALS)]
    others = [c for c in changes if isinstance(c, (AddOrder, AddConcurrency, ParallelSteps))]
    if removals:
        workflow = _remove_needs(log, workflow, removals, fresh_after=bool(others))
    if others:
        log.apply(*_insert(log.text, workflow, others))
    return log.edits


def _compose(text: str):
    import yaml

    root = yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    src = _Text(text)
    src.shared = _shared_nodes(root) if "&" in text else set()
    return root, src


def _insert(text: str, workflow, changes: list[AddOrder | AddConcurrency | ParallelSteps]) -> list[TextEdit]:
    """Text added at computed places: a `needs:` entry, a job's `concurrency:`, a `parallel:` group."""
    root, src = _compose(text)
    edits: list[TextEdit] = []
    for change in changes:
        if isinstance(change, AddOrder):
            edits.append(_add_needs(src, _job(src, root, change.v), change.u))
        elif isinstance(change, AddConcurrency) and not change.task:
            edits.append(_workflow_concurrency(src, root, change.group, change.queue))
        elif isinstance(change, AddConcurrency):
            edits.append(_add_concurrency(src, _job(src, root, change.task), change.group, change.queue))
        else:
            edits.append(_parallel_steps(src, _job(src, root, change.task), workflow.tasks[change.task], change.steps))
    return ordered(text, edits)  # RewriteError when two touch the same text


def _get(mapping, key: str):
    import yaml

    if not isinstance(mapping, yaml.MappingNode):
        return None, None
    for k, v in mapping.value:
        if isinstance(k, yaml.ScalarNode) and k.value == key:
            return k, v
    return None, None


def _job(src: _Text, root, job_id: str):
    _, jobs = _get(root, "jobs")
    key, value = _get(jobs, job_id)
    if key is None:
        raise RewriteError(f"no job `{job_id}` in the file")
    _own(src, value)
    return key, value


def _shared_nodes(root) -> set[int]:
    """Nodes reached more than once (an anchor and its aliases), and everything inside them."""
    import yaml

    seen: set[int] = set()
    shared: set[int] = set()
    stack = [(root, False)]
    while stack:
        node, inside = stack.pop()
        if inside or id(node) in seen:
            shared.add(id(node))
            inside = True
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            stack.extend((n, inside) for pair in node.value for n in pair)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((n, inside) for n in node.value)
    return shared


def _own(src: _Text, node) -> None:
    """Refuse a node used in more than one place (YAML anchor/alias): an edit would change all."""
    if id(node) in src.shared:
        raise RewriteError("the node is shared through a YAML anchor; editing it would change every use")


def _own_lines(src: _Text, start: int, end: int) -> tuple[int, int]:
    """The whole lines from ``start`` to ``end``, if nothing but blanks precede start on its line
    and nothing but a comment follows end on its line."""
    if end > start and end == src.line_start(end):  # a block scalar ends at the next line's start
        end -= 1
    begin = src.line_start(start)
    stop = src.line_end(end)
    before, after = src.text[begin:start], src.text[end:stop]
    if before.strip(" -") or (after.strip() and not after.strip().startswith("#")):
        raise RewriteError("the node shares its line with other content")
    return begin, stop


def _last_end(node) -> int | None:
    """The end mark of the last scalar or flow collection inside ``node`` (a block collection's own
    end mark lies at the start of whatever follows it)."""
    import yaml

    if isinstance(node, yaml.ScalarNode) or node.flow_style:
        return node.end_mark
    children = node.value if isinstance(node, yaml.SequenceNode) else [v for pair in node.value for v in pair]
    return _last_end(children[-1]) if children else node.end_mark


# --------------------------------------------------------------------------- needs

def _remove_needs(log: EditLog, workflow, changes: list[RemoveOrder | RemoveEdge], fresh_after: bool):
    """Drop each entry with ``yamlsplice`` (a block item's line, a flow item with its separator,
    the whole key with its last entry), re-reading the file for fresh positions before each
    removal after the first. The workflow as last read (re-read at the end if ``fresh_after``)."""
    from .reader import read_workflow

    root, src = _compose(log.text)
    for change in changes:
        key, needs = _get(_job(src, root, change.v)[1], "needs")
        if key is None:
            raise RewriteError(f"job `{change.v}` has no `needs:`")
        for node in [needs] + (list(needs.value) if isinstance(needs.value, list) else []):
            _own(src, node)
    stale = False  # the text changed since ``workflow`` was read
    for change in changes:
        if stale:
            workflow, stale = read_workflow(workflow.path, log.text)[0], False
        count = len(_entries(workflow, change))
        if not count:
            raise RewriteError(f"`needs: {change.u}` of job `{change.v}` is not in the file")
        for _ in range(count):  # one entry each, the last first
            if stale:
                workflow, stale = read_workflow(workflow.path, log.text)[0], False
            pointer = _entries(workflow, change)[-1]
            length = len(_entries(workflow, change, every=True))
            try:
                if len(pointer) == 4:
                    log.apply(remove_item(log.text, workflow.source, pointer[:3], pointer[3], length))
                else:
                    log.apply(remove_key(log.text, workflow.source, pointer))
            except SpliceError as exc:
                raise RewriteError(f"cannot remove `needs: {change.u}` from {change.v}: {exc}") from None
            stale = True
    if stale and fresh_after:
        workflow = read_workflow(workflow.path, log.text)[0]
    return workflow


def _add_needs(src: _Text, job, need: str) -> TextEdit:
    """``need`` added to the job's `needs:`: a new key, a scalar made a flow list, an entry at the
    end of a flow list, or a new item line after the last one of a block list."""
    import yaml

    key, body = job
    needs_key, needs = _get(body, "needs")
    entry = _scalar(need)
    if needs_key is None:
        return _new_key_line(src, job, f"needs: [{entry}]")
    _own(src, needs)
    if isinstance(needs, yaml.ScalarNode):
        start, end = src.offset(needs.start_mark), src.offset(needs.end_mark)
        return TextEdit(start, end, f"[{src.text[start:end]}, {entry}]")
    if not isinstance(needs, yaml.SequenceNode):
        raise RewriteError("`needs:` is neither a job id nor a list")
    if needs.flow_style:
        close = src.offset(needs.end_mark) - 1
        return TextEdit(close, close, f", {entry}" if needs.value else entry)
    last = needs.value[-1]
    begin = src.line_start(src.offset(last.start_mark))
    prefix = src.text[begin:src.offset(last.start_mark)]
    if prefix.strip() != "-":
        raise RewriteError("the last `needs:` entry does not start its line")
    at = src.line_end(src.offset(_last_end(last)))
    return TextEdit(at, at, ("" if src.text[at - 1:at] == "\n" else "\n") + f"{prefix}{entry}\n")


def _new_key_line(src: _Text, job, line: str) -> TextEdit:
    """A line at the top of a block-mapping job, indented like its first key."""
    key, body = job
    if body.flow_style or not body.value:
        raise RewriteError("the job is not a block mapping")
    first = body.value[0][0]
    at = src.line_start(src.offset(first.start_mark))
    if src.text[at:src.offset(first.start_mark)].strip():
        raise RewriteError("the job's first key does not start its line")
    return TextEdit(at, at, " " * first.start_mark.column + line + "\n")


def _entries(workflow, change: RemoveOrder | RemoveEdge, every: bool = False) -> list[tuple]:
    """Pointers of the job's `needs:` entries naming ``change.u`` (or all of them, dangling too)."""
    where = ("jobs", change.v, "needs")
    edges = [e for e in workflow.edges if e.v == change.v and (every or e.u.lower() == change.u.lower())]
    found = [e.location.pointer for e in edges if e.location is not None and e.location.pointer[:3] == where]
    if every:
        found += [d.location.pointer for d in workflow.dangling
                  if d.task == change.v and d.location is not None and d.location.pointer[:3] == where]
    return sorted(found)


# --------------------------------------------------------------------------- concurrency

def _add_concurrency(src: _Text, job, group: str, queue: str = "") -> TextEdit:
    key, body = job
    if body.flow_style or not body.value:
        raise RewriteError("the job is not a block mapping")
    if _get(body, "concurrency")[0] is not None:
        raise RewriteError("the job already has `concurrency:`")
    first = body.value[0][0]
    indent = first.start_mark.column
    step = max(2, indent - key.start_mark.column)
    at = src.line_start(src.offset(first.start_mark))
    if src.text[at:src.offset(first.start_mark)].strip():
        raise RewriteError("the job's first key does not start its line")
    pad, inner = " " * indent, " " * (indent + step)
    block = f"{pad}concurrency:\n{inner}group: {_scalar(group)}\n{inner}cancel-in-progress: false\n"
    if queue:
        block += f"{inner}queue: {_scalar(queue)}\n"
    return TextEdit(at, at, block)


def _workflow_concurrency(src: _Text, root, group: str, queue: str = "") -> TextEdit:
    """A top-level `concurrency:` block, just before `jobs:` (for every job of the workflow)."""
    if _get(root, "concurrency")[0] is not None:
        raise RewriteError("the workflow already has `concurrency:`")
    key, jobs = _get(root, "jobs")
    at = src.offset(key.start_mark)
    if key.start_mark.column != 0 or root.flow_style:
        raise RewriteError("`jobs:` does not start its line")
    step = max(2, jobs.value[0][0].start_mark.column if getattr(jobs, "value", None) else 2)
    inner = " " * step
    block = f"concurrency:\n{inner}group: {_scalar(group)}\n{inner}cancel-in-progress: false\n"
    return TextEdit(at, at, block + (f"{inner}queue: {_scalar(queue)}\n" if queue else ""))


def _scalar(value: str) -> str:
    if _QUOTE_FREE.match(value) and not value.endswith(" "):
        return value
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


# --------------------------------------------------------------------------- parallel steps

def _parallel_steps(src: _Text, job, task, step_ids) -> TextEdit:
    import yaml

    facet = task.facet(Steps)
    records = facet.by_id() if facet else {}
    try:
        indexes = [records[sid].pointer for sid in step_ids]
    except KeyError as exc:
        raise RewriteError(f"no step {exc} in job `{task.id}`") from None
    if any(len(p) != 4 for p in indexes):
        raise RewriteError("a step is already inside a parallel group")
    positions = [p[3] for p in indexes]
    if positions != list(range(positions[0], positions[0] + len(positions))) or not 2 <= len(positions) <= 10:
        raise RewriteError("the steps are not 2 to 10 adjacent steps")
    _, steps = _get(job[1], "steps")
    if not isinstance(steps, yaml.SequenceNode) or steps.flow_style:
        raise RewriteError("`steps:` is not a block list")
    for node in [steps] + steps.value[positions[0]:positions[-1] + 1]:
        _own(src, node)
    first, last = steps.value[positions[0]], steps.value[positions[-1]]
    start, end = _own_lines(src, src.offset(first.start_mark), src.offset(_last_end(last)))
    head = src.text[start:src.offset(first.start_mark)]
    if not head.strip().startswith("-"):
        raise RewriteError("a step does not start its own `- ` line")
    dash = head.index("-")
    lines = src.text[start:end].splitlines(keepends=True)
    body = "".join("    " + line if line.strip() else line for line in lines)
    if not body.endswith("\n"):
        body += "\n"
    return TextEdit(start, end, " " * dash + "- parallel:\n" + body)


# --------------------------------------------------------------------------- verify

def verify(old, new, changes: list[FixChange]) -> str | None:
    """The edit did exactly what was meant, and every job with side effects still waits, on every
    event, for each job it waited for (``keeps_waits``)."""
    return exact(old, new, changes) or keeps_waits(old, new, changes) or groups_apart(old, new, changes)


def groups_apart(old, new, changes: list[FixChange]) -> str | None:
    """A job given a group shares it with no job it ran beside before (same run, no `needs:`
    path between them) unless both write one target: a group must serialize the race only. Its
    matrix instances count as such jobs (``instances_apart``)."""
    graph = EventGraph.of(old)
    for change in changes:
        if not isinstance(change, AddConcurrency) or not change.task:
            continue
        if refused := instances_apart(old.tasks[change.task], change):
            return refused
        mine = _targets(old.tasks[change.task])
        for other, task in new.tasks.items():
            if other == change.task or _concurrency(task).group != change.group:
                continue
            beside = any(change.task in waits and other in waits and other not in waits[change.task]
                         and change.task not in waits[other] for waits in graph.waits.values())
            if beside and not mine & _targets(old.tasks[other]):
                return f"`{change.task}` and `{other}` ran side by side and would share group {change.group!r}"
    return None


def instances_apart(task, change: AddConcurrency) -> str | None:
    """Matrix instances that ran at once keep running at once: the key names a matrix value, or
    they write one target and queue in turn (`queue: max`; without it a group cancels all but
    one pending instance)."""
    instances = task.facet(Instances)
    if instances is None or instances.at_once < 2 or _PER_INSTANCE.search(change.group):
        return None
    publishing = task.facet(Publishing)
    shared = publishing is not None and bool(publishing.targets) and not publishing.per_instance
    if shared and change.queue == "max":
        return None
    return (f"the {instances.at_once} matrix instances of `{change.task}` ran side by side and would share "
            f"group {change.group!r}")


_PER_INSTANCE = lazy(r"\$\{\{[^}]*\bmatrix\.")  # a key holding a matrix value differs per instance


def _targets(task) -> set[str]:
    publishing = task.facet(Publishing)
    return set(publishing.targets + publishing.unique) if publishing else set()


def keeps_waits(old, new, changes: list[FixChange]) -> str | None:
    """A job with side effects keeps, on every event, each job it waited for, unless the change is
    about that job's own `needs:` (a removal into it, which rules offer only for pure order)."""
    own = {c.v for c in changes if isinstance(c, REMOVALS)}
    lost = EventGraph.of(old).lost_waits(EventGraph.of(new), _side_effecting(old) - own)
    return f"a job with side effects lost a job it waited for: {lost}" if lost else None


def exact(old, new, changes: list[FixChange]) -> str | None:
    """Did the edit do exactly what was meant? Other edges and all tasks must be unchanged."""
    removed = {(c.u, c.v) for c in changes if isinstance(c, REMOVALS)}
    added = {(c.u, c.v) for c in changes if isinstance(c, AddOrder)}
    before = {(e.u, e.v) for e in old.edges if (e.u, e.v) not in removed} | added
    after = {(e.u, e.v) for e in new.edges}
    if set(old.tasks) != set(new.tasks):
        return "the rewrite changed the set of jobs"
    if removed & after:
        return "a removed `needs:` entry is still there"
    if before != after:
        return "the rewrite changed other `needs:` edges"
    data_after = {(e.u, e.v) for e in new.edges if e.kind.value == "data"}
    if any((e.u, e.v) not in data_after for e in old.edges if e.kind.value == "data" and (e.u, e.v) in before):
        return "an edge that carried data no longer does"  # gates may change when one is removed
    for change in changes:
        if isinstance(change, AddConcurrency) and not change.task:
            if any(_concurrency(t).workflow_group != change.group for t in new.tasks.values()):
                return f"the workflow did not get the concurrency group {change.group!r}"
            continue
        if isinstance(change, AddConcurrency):
            task = new.tasks.get(change.task)
            got = _concurrency(task) if task is not None else None
            if (got is None or got.group != change.group or got.cancel_in_progress is not False
                    or (got.queue or "") != change.queue):
                return f"job `{change.task}` did not get the concurrency group {change.group!r}"
        if isinstance(change, ParallelSteps):
            steps = _steps(new.tasks[change.task])
            groups = {steps[sid].group if sid in steps else None for sid in change.steps}
            if len(groups) != 1 or None in groups:
                return f"the steps of `{change.task}` are not one parallel group"
            if len(steps) != len(_steps(old.tasks[change.task])):
                return f"the rewrite changed the number of steps of `{change.task}`"
    return None


def _side_effecting(workflow) -> set[str]:
    """Jobs that publish, deploy or push, or whose effects wflint cannot know."""
    return {t for t, task in workflow.tasks.items()
            if task.opaque or task.facet(Publishing) is not None or _publishes(task)}


def _publishes(task) -> bool:
    facts = task.facet(JobFacts)
    return facts is not None and facts.publish_like


def _concurrency(task) -> Concurrency:
    return task.facet(Concurrency) or Concurrency()


def _steps(task) -> dict:
    facet = task.facet(Steps)
    return facet.by_id() if facet else {}
