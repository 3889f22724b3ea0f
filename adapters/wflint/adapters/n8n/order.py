"""The order in which n8n runs the nodes of one execution (research/n8n.md §2, n8n-engine.md §3a).

n8n pops one node at a time off an execution stack. After a node runs, its children go on the
stack: v1 puts them in front, sorted top-most then left-most by canvas position, so each child's
whole sub-tree runs before the next sibling (depth-first); v0 (legacy, also when
``executionOrder`` is absent) appends them in connection order (breadth-first). A node with more
than one wired input (Merge) waits until every wired input has data; waiting nodes are released
when nothing else can run. In v0 only, a Merge that gets its first data also starts the chains
feeding its other inputs that nothing else would run (from their top-most node). The simulation records the first run of each
node; nodes no trigger
reaches are appended in file order so every task has a place.
"""
from __future__ import annotations

from collections import deque
from collections.abc import Set


def execution_order(names: list[str], children: dict[str, list[tuple[str, int, int]]],
                    wired: dict[str, set[int]], position: dict[str, tuple[float, float]],
                    v1: bool, triggers: Set[str] = frozenset(), done_outputs: dict[str, int] | None = None,
                    start: str | None = None, silent: Set[tuple[str, int]] = frozenset(),
                    back: Set[tuple[str, str]] = frozenset(), forced_log: list[str] | None = None) -> list[str]:
    """``done_outputs``: Loop Over Items node → its *done* output, which emits only once the loop
    body has run for every batch (measured on n8n 2.8.4): its children come after the body.

    With ``start``, one execution from that node alone, where the outputs in ``silent`` (node,
    output) emit nothing: only the nodes it runs, in order. Without it, every start in turn and
    every output emitting, and nodes nothing reaches appended, so every node has a place. ``back``:
    connections that close a loop, which v0's search for the chains feeding a Merge does not climb
    (the way back into Loop Over Items comes after the pass, not before it). ``forced_log``
    collects the multi-input nodes whose other inputs v0 had to force."""
    run = _Execution(children, wired, position, v1, done_outputs or {}, silent, back, forced_log)
    if start is None:
        has_parent = {v for kids in children.values() for v, _, _ in kids}
        roots = [n for n in names if n not in has_parent]
    else:
        roots = [start]
    roots.sort(key=lambda n: (n not in triggers, run.key(n)))  # an execution starts at a trigger
    pending_roots = deque(roots)
    while True:
        run.drain()
        idle = _when_idle(run.waiting, run.seen, run.after_loops, pending_roots, children, back)
        if idle is None:
            break
        run.stack.append(idle)
    if start is None:
        run.ran.extend(n for n in names if n not in run.seen)
    return run.ran


class _Execution:
    """The state of one simulated execution (``execution_order``): the stack, what ran, the nodes
    waiting for more inputs, and the loops whose done output is due."""

    def __init__(self, children: dict[str, list[tuple[str, int, int]]], wired: dict[str, set[int]],
                 position: dict[str, tuple[float, float]], v1: bool, done_outputs: dict[str, int],
                 silent: Set[tuple[str, int]], back: Set[tuple[str, str]], forced_log: list[str] | None) -> None:
        self.children, self.wired, self.position, self.v1 = children, wired, position, v1
        self.done_outputs, self.silent, self.forced_log = done_outputs, silent, forced_log
        self.ran: list[str] = []
        self.seen: set[str] = set()
        self.waiting: dict[str, set[int]] = {}
        self.stack: deque[str] = deque()
        self.parents: dict[str, list[str]] = {}  # for v0's forced chains only
        for u, kids in children.items() if not v1 else ():
            for v, _, _ in kids:
                if (u, v) not in back:
                    self.parents.setdefault(v, []).append(u)
        self.after_loops: list[str] = []  # children of a loop's done output, due when its body has run
        # v1: (stack length before a loop's first run put its body in front, the loop) and the
        # loop's done children: the body runs through its passes right there, then the done output,
        # before what was on the stack below it (measured on n8n 2.8.4: a lower sibling reads it)
        self.marks: list[tuple[int, str]] = []
        self.parked: dict[str, list[str]] = {}

    def key(self, n: str) -> tuple[float, float]:
        return self.position[n][1], self.position[n][0]

    def drain(self) -> None:
        """Run what is on the stack, and each loop's done output once its body has drained."""
        while self.stack or self.marks:
            if self.marks and len(self.stack) <= self.marks[-1][0]:
                self.release_done()
                continue
            node = self.stack.popleft()
            if node in self.seen:
                continue  # a second run (once per branch) keeps its first place
            self.seen.add(node)
            self.ran.append(node)
            ready = self.ready_after(node)
            if self.v1:
                if len(ready) > 1:
                    ready.sort(key=self.key)
                self.stack.extendleft(reversed(ready))
            else:
                self.stack.extend(ready)

    def release_done(self) -> None:
        _, loop = self.marks.pop()
        due = self.parked.pop(loop, [])
        if self.waiting:  # a Merge of the body still waits: the pass ends when nothing else runs
            self.after_loops += due
        else:
            due.sort(key=self.key)
            self.stack.extendleft(reversed(due))

    def ready_after(self, node: str) -> list[str]:
        """The children ``node``'s run starts: not a loop's done output (due later), nor a node
        still waiting for data on another wired input (v0 forces the chains that feed it)."""
        ready: list[str] = []
        below = len(self.stack)
        for child, out, index in self.children.get(node, ()):
            if child in self.seen or child in ready or (node, out) in self.silent:
                continue
            if self.done_outputs.get(node) == out:
                if self.v1:
                    self.parked.setdefault(node, []).append(child)
                    if not self.marks or self.marks[-1][1] != node:
                        self.marks.append((below, node))
                else:
                    self.after_loops.append(child)
                continue
            if len(self.wired.get(child, ())) > 1:
                first_data = child not in self.waiting
                arrived = self.waiting.setdefault(child, set())
                arrived.add(index)
                if not arrived >= self.wired[child]:
                    if first_data and not self.v1:
                        forced = _forced(child, node, self.children, self.parents, self.seen,
                                         set(self.stack) | set(ready), self.silent)
                        if forced and self.forced_log is not None:
                            self.forced_log.append(child)
                        ready += forced
                    continue
                self.waiting.pop(child)
            ready.append(child)
        return ready


def loop_bodies(children: dict[str, list[tuple[str, int, int]]], done_outputs: dict[str, int],
                back: Set[tuple[str, str]]) -> dict[str, set[str]]:
    """Loop Over Items node → the nodes of its body: reached from its loop output, and leading back
    to it through a connection that closes the loop."""
    bodies: dict[str, set[str]] = {}
    for loop, done in done_outputs.items():
        reached: set[str] = set()
        stack = [v for v, o, _ in children.get(loop, ()) if o != done]
        while stack:
            n = stack.pop()
            if n not in reached and n != loop:
                reached.add(n)
                stack.extend(v for v, _, _ in children.get(n, ()))
        returning = {u for u, v in back if v == loop}
        bodies[loop] = {n for n in reached if _leads_to(n, returning, children, loop)}
    return bodies


def after_loops(children: dict[str, list[tuple[str, int, int]]], done_outputs: dict[str, int],
                back: Set[tuple[str, str]], bodies: dict[str, set[str]],
                order: list[str]) -> list[tuple[str, str, str]]:
    """(body node, done child, loop): a Loop Over Items node emits on its *done* output only once
    its body has run for every batch, so each node that closes the loop comes before each child of
    the done output, though no connection says so. Only pairs ``order`` (the one linear order of
    the run, which the analysis keeps every ordering of) places that way."""
    rank = {n: i for i, n in enumerate(order)}
    pairs = []
    for loop, done in done_outputs.items():
        body = bodies.get(loop, set())
        closing = sorted(u for u, v in back if v == loop and u in body)
        for child, out, _ in children.get(loop, ()):
            if out != done or child in body:
                continue
            pairs += [(u, child, loop) for u in closing if rank.get(u, -1) < rank.get(child, -1)]
    return pairs


def _leads_to(start: str, targets: set[str], children: dict[str, list[tuple[str, int, int]]], stop: str) -> bool:
    seen, stack = {start}, [start]
    while stack:
        n = stack.pop()
        if n in targets:
            return True
        for v, _, _ in children.get(n, ()):
            if v not in seen and v != stop:
                seen.add(v)
                stack.append(v)
    return False


def _when_idle(waiting: dict[str, set[int]], seen: set[str], after_loops: list[str], pending_roots: deque[str],
               children: dict[str, list[tuple[str, int, int]]], back: Set[tuple[str, str]]) -> str | None:
    """What runs when nothing is on the stack: a waiting node of the loop body, else the innermost
    loop's done branch, else any node waiting for more inputs (it runs with what it has), else the
    next start; None when the execution is over."""
    inside = _inside_pass(waiting, seen, after_loops, children, back) if back else None
    if inside is not None:  # a Merge inside the loop body runs with what it has, then the pass ends
        waiting.pop(inside)
        return inside
    if after_loops:
        return after_loops.pop()  # the innermost loop finishes first
    released = next((n for n in waiting if n not in seen), None)
    if released is not None:
        waiting.pop(released)
        return released
    while pending_roots and pending_roots[0] in seen:
        pending_roots.popleft()
    return pending_roots.popleft() if pending_roots else None


def _inside_pass(waiting: dict[str, set[int]], seen: set[str], after_loops: list[str],
                 children: dict[str, list[tuple[str, int, int]]], back: Set[tuple[str, str]]) -> str | None:
    """A node waiting for more inputs that no loop's done branch feeds: it is part of the pass
    (v1 runs it with partial data before the loop can finish; measured on n8n 2.8.4)."""
    after: set[str] = set()
    stack = list(after_loops)
    while stack:
        n = stack.pop()
        if n not in after:
            after.add(n)
            stack.extend(v for v, _, _ in children.get(n, ()) if (n, v) not in back)
    return next((n for n in waiting if n not in seen and n not in after), None) if after_loops else None


def scenarios(starts: list[str], children: dict[str, list[tuple[str, int, int]]], exclusive: Set[str],
              fixed: dict[str, int] | None = None,
              limit: int = 256) -> tuple[list[tuple[str, tuple[tuple[str, int], ...]]], bool]:
    """One execution per start and per way a single item can go through the exclusive routers it
    reaches (IF, Switch, an error output: each item leaves by one output; ``fixed`` ones by that
    output alone): (start, router → output taken). Routers are chosen lazily, so only the ones a
    choice reaches multiply the count.
    The flag says whether every way was listed (False past ``limit``)."""
    out: list[tuple[str, tuple[tuple[str, int], ...]]] = []
    for start in starts:
        stack: list[dict[str, int]] = [{}]
        while stack:
            choices = stack.pop()
            router = next((n for n in _reached(start, children, choices) if n in exclusive and n not in choices), None)
            if router is None:
                out.append((start, tuple(choices.items())))
                if len(out) >= limit:
                    return out, False
                continue
            outputs = {o for _, o, _ in children[router]}
            if fixed and router in fixed:
                outputs = {fixed[router]}
            for o in sorted(outputs, reverse=True):
                stack.append({**choices, router: o})
    return out, True


def silenced(children: dict[str, list[tuple[str, int, int]]], choices: tuple[tuple[str, int], ...]) -> set[tuple[str, int]]:
    """The outputs a scenario's routers do not take."""
    return {(router, o) for router, taken in choices for _, o, _ in children[router] if o != taken}


def _reached(start: str, children: dict[str, list[tuple[str, int, int]]], choices: dict[str, int]) -> list[str]:
    """Nodes an execution from ``start`` reaches, in breadth-first order, routers taking their choice."""
    seen, queue = {start}, deque([start])
    order = []
    while queue:
        node = queue.popleft()
        order.append(node)
        for child, out, _ in children.get(node, ()):
            if child not in seen and choices.get(node, out) == out:
                seen.add(child)
                queue.append(child)
    return order


def _meets(source: str, parents: dict[str, list[str]], wanted: set[str]) -> bool:
    """Is ``source``, or a node above it, one of ``wanted``? The walk up stops at the first found
    (where none is, it still walks every node above: a chain of Merges stays quadratic here)."""
    if source in wanted:
        return True
    above, stack = {source}, [source]
    while stack:
        for p in parents.get(stack.pop(), ()):
            if p not in above:
                if p in wanted:
                    return True
                above.add(p)
                stack.append(p)
    return False


def _forced(child: str, parent: str, children: dict, parents: dict[str, list[str]], seen: set[str],
            queued: set[str], silent: Set[tuple[str, int]] = frozenset()) -> list[str]:
    """Legacy v0 only: when a multi-input node first gets data, n8n runs the chains feeding its other
    inputs that nothing else will start, from the top-most node that has not run (measured on
    n8n 2.8.4: an input chain no trigger reaches runs before the Merge in v0, never in v1). A
    sibling on an output that emits nothing in this run (the other side of an IF) starts nothing."""
    siblings = {v for v, o, _ in children.get(parent, ()) if (parent, o) not in silent}
    out = []
    for source in parents.get(child, ()):
        if source == parent or source in seen or source in queued:
            continue
        if _meets(source, parents, queued | siblings):
            continue  # something on the way will run anyway
        start, walked = source, {source}
        while True:
            waiting = [p for p in parents.get(start, ()) if p not in seen and p not in walked]
            if not waiting:
                break
            start = waiting[0]
            walked.add(start)
        if start not in out:
            out.append(start)
    return out


def back_edges(names: list[str], children: dict[str, list[tuple[str, int, int]]],
               starts: list[str], loop_outputs: dict[str, int] | None = None) -> set[tuple[str, str]]:
    """Connections that close a loop: first every connection into a Loop Over Items node from its
    own body (what its loop output reaches), whichever way a search would meet it (two loops one
    node feeds back in lock-step: each its own closing connection); then every connection from a
    loop's nodes back into a node where the loop is entered (``_reentries``: a revision loop that
    goes back into several reviewers closes at each); then, by depth-first search, what still
    closes a cycle (a cycle nothing outside it feeds)."""
    state: dict[str, int] = {}  # 1 on the current path, 2 done
    back = _loop_closers(children, loop_outputs or {})
    back |= _reentries(names, children, back)
    for start in list(starts) + list(names):
        if start in state:
            continue
        state[start] = 1
        stack = [(start, iter(children.get(start, ())))]
        while stack:
            node, kids = stack[-1]
            step = next(kids, None)
            if step is None:
                state[node] = 2
                stack.pop()
                continue
            child = step[0]
            if (node, child) in back:
                continue
            if state.get(child) == 1:
                back.add((node, child))
            elif child not in state:
                state[child] = 1
                stack.append((child, iter(children.get(child, ()))))
    return back


def _reentries(names: list[str], children: dict[str, list[tuple[str, int, int]]],
               back: Set[tuple[str, str]]) -> set[tuple[str, str]]:
    """Connections back into where a loop is entered, whatever order a search would take them in.

    A loop is a strongly connected set of nodes; it is entered where a connection from outside it
    arrives. Each pass comes back to those entries, so every connection inside the loop into an
    entry closes it (n8n 2.8.4 runs each re-entered node once per pass: the first from outside,
    the later ones from the way back). Loops nested inside are found the same way once the outer
    closers are set aside. A loop nothing outside feeds has no entry: the search decides there."""
    closers: set[tuple[str, str]] = set()
    parents: dict[str, list[str]] = {n: [] for n in names}
    for u, kids in children.items():
        for v, _, _ in kids:
            parents.setdefault(v, []).append(u)
    regions = [set(names)]
    while regions:
        region = regions.pop()
        for loop in _cycles(region, children, back | closers):
            entries = {v for v in loop if any(u not in loop for u in parents[v] if (u, v) not in back)}
            found = {(u, v) for v in entries for u in parents[v] if u in loop and (u, v) not in back}
            if found:
                closers |= found
                regions.append(loop)
    return closers


def _cycles(region: set[str], children: dict[str, list[tuple[str, int, int]]],
            cut: Set[tuple[str, str]]) -> list[set[str]]:
    """The strongly connected sets of ``region`` that hold a cycle, connections in ``cut`` left out
    (Tarjan's algorithm, without recursion: a long chain must not exhaust Python's stack)."""
    def succ(n: str) -> list[str]:
        return [v for v, _, _ in children.get(n, ()) if v in region and (n, v) not in cut]

    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[set[str]] = []
    for root in sorted(region):
        if root in index:
            continue
        work = [(root, iter(succ(root)))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, kids = work[-1]
            child = next(kids, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(succ(child))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                members: set[str] = set()
                while True:
                    m = stack.pop()
                    on_stack.discard(m)
                    members.add(m)
                    if m == node:
                        break
                if len(members) > 1 or node in succ(node):
                    found.append(members)
    return found


def _loop_closers(children: dict[str, list[tuple[str, int, int]]], loop_outputs: dict[str, int]) -> set[tuple[str, str]]:
    """(u, loop) for every connection into a Loop Over Items node from a node its loop output reaches."""
    out: set[tuple[str, str]] = set()
    for loop, loop_out in loop_outputs.items():
        body: set[str] = set()
        stack = [v for v, o, _ in children.get(loop, ()) if o == loop_out]
        while stack:
            n = stack.pop()
            if n not in body and n != loop:
                body.add(n)
                stack.extend(v for v, _, _ in children.get(n, ()))
        out.update((u, loop) for u in body for v, _, _ in children.get(u, ()) if v == loop)
    return out


def linearize(first_run: list[str], children: dict[str, list[tuple[str, int, int]]],
              back: set[tuple[str, str]]) -> list[str]:
    """One place per node consistent with every forward connection, closest to n8n's run order.

    A node fed by two branches runs once per branch; it is placed at its last run so that every
    node it depends on comes first (its first run is kept when nothing forces it later).
    """
    import heapq

    rank = {n: i for i, n in enumerate(first_run)}
    indegree = dict.fromkeys(first_run, 0)
    succ: dict[str, list[str]] = {n: [] for n in first_run}
    for u, kids in children.items():
        for v, _, _ in kids:
            if (u, v) not in back and v not in succ[u]:
                succ[u].append(v)
                indegree[v] += 1
    ready = [(rank[n], n) for n, d in indegree.items() if d == 0]
    heapq.heapify(ready)
    out = []
    while ready:
        _, n = heapq.heappop(ready)
        out.append(n)
        for m in succ[n]:
            indegree[m] -= 1
            if indegree[m] == 0:
                heapq.heappush(ready, (rank[m], m))
    return out if len(out) == len(first_run) else first_run


def routes(names: list[str], children: dict[str, list[tuple[str, int, int]]],
           back: set[tuple[str, str]], routers: Set[str]) -> dict[str, dict[str, frozenset[int]]]:
    """node → {router: outputs of the router that lead to it}, for ``routers`` with several used outputs.

    A router (IF, Switch, an error output) sends each item down one output, so two nodes reached
    only through different outputs of one router never handle the same item: they are
    alternatives, not parallel branches. Loop Over Items counts too: its done output runs only
    after every pass of the loop body, never alongside it.
    """
    out: dict[str, dict[str, frozenset[int]]] = {n: {} for n in names}
    for router in names:
        if router not in routers:
            continue
        used = sorted({o for _, o, _ in children.get(router, ())})
        if len(used) < 2:
            continue
        reached: dict[str, set[int]] = {}
        for o in used:
            stack = [v for v, oo, _ in children[router] if oo == o and (router, v) not in back]
            seen: set[str] = set()
            while stack:
                n = stack.pop()
                if n in seen or n == router:
                    continue
                seen.add(n)
                reached.setdefault(n, set()).add(o)
                stack.extend(v for v, _, _ in children.get(n, ()) if (n, v) not in back)
        for n, outputs in reached.items():
            if len(outputs) < len(used):
                out[n][router] = frozenset(outputs)
    return out


def exclusive(a: dict[str, frozenset[int]], b: dict[str, frozenset[int]]) -> bool:
    """Are two nodes on different outputs of one router (never both for one item)?"""
    return any(r in b and not (a[r] & b[r]) for r in a)


def reach(step: dict[str, list[str]], start: str, rank: dict[str, int] | None = None, floor: int = 0) -> set[str]:
    """The nodes ``step`` leads to from ``start`` (itself included); with ``rank``, only through the
    nodes ranked ``floor`` or later (a node of no rank is always passed)."""
    rank = rank or {}
    seen, stack = {start}, [start]
    while stack:
        for n in step.get(stack.pop(), ()):
            if n not in seen and rank.get(n, floor) >= floor:
                seen.add(n)
                stack.append(n)
    return seen


def before_every_branch(parents: dict[str, list[str]], name: str) -> set[str]:
    """The nodes above every parent of ``name``: those that ran before each branch into it."""
    above = [reach(parents, p) for p in parents.get(name, ())]
    return set.intersection(*above) if above else set()
