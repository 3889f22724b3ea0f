"""Small DAG helpers on adjacency dicts (linear time; networkx stays out of the hot path)."""
from __future__ import annotations

from collections import Counter, deque
from collections.abc import Iterable, Iterator
from collections.abc import Set as AbstractSet


class CycleError(Exception):
    def __init__(self, cycle: list[str]) -> None:
        super().__init__(" → ".join(cycle))
        self.cycle = cycle


def adjacency(nodes: Iterable[str], edges: Iterable[tuple[str, str]]) -> tuple[dict, dict]:
    """Successor and predecessor lists, without duplicate edges."""
    succ: dict[str, list[str]] = {n: [] for n in nodes}
    pred: dict[str, list[str]] = {n: [] for n in succ}
    for u, v in dict.fromkeys(edges):
        if u != v:
            succ[u].append(v)
            pred[v].append(u)
    return succ, pred


def topo_order(succ: dict[str, list[str]], pred: dict[str, list[str]]) -> list[str]:
    """Kahn's algorithm, stable in insertion order; raises CycleError naming one cycle."""
    indegree = {n: len(p) for n, p in pred.items()}
    queue = deque(n for n, d in indegree.items() if d == 0)
    order: list[str] = []
    while queue:
        n = queue.popleft()
        order.append(n)
        for m in succ[n]:
            indegree[m] -= 1
            if indegree[m] == 0:
                queue.append(m)
    if len(order) != len(succ):
        raise CycleError(_one_cycle(succ, {n for n, d in indegree.items() if d > 0}))
    return order


def ordered_after_itself(workflow) -> str | None:
    """A task with an edge to itself (``start >> start``), which ``adjacency`` leaves out."""
    return next((e.u for e in workflow.edges if e.u == e.v and e.u in workflow.tasks), None)


def find_cycle(workflow) -> list[str]:
    """One cycle of the declared graph (``[a, …, a]``; ``[a, a]`` for a task ordered after itself),
    or ``[]`` when there is none."""
    own = ordered_after_itself(workflow)
    if own:
        return [own, own]
    succ, pred = adjacency(workflow.tasks, ((e.u, e.v) for e in workflow.edges
                                            if e.u in workflow.tasks and e.v in workflow.tasks))
    try:
        topo_order(succ, pred)
    except CycleError as cycle:
        return cycle.cycle
    return []


def _one_cycle(succ: dict[str, list[str]], left: set[str]) -> list[str]:
    """One cycle among the nodes Kahn could not order. Walked backwards: each of them waits for a
    predecessor that is one of them too, while one downstream of a cycle may have no successor there."""
    pred: dict[str, list[str]] = {n: [] for n in left}
    for u in left:
        for v in succ[u]:
            if v in left:
                pred[v].append(u)
    start = next(n for n in succ if n in left)
    path, index = [start], {start: 0}
    node = start
    while True:
        node = pred[node][0]
        if node in index:
            return (path[index[node]:] + [node])[::-1]
        index[node] = len(path)
        path.append(node)


def reaches(succ: dict[str, list[str]], u: str, v: str, rank: dict[str, int], skip_direct: bool = False,
            blocked: AbstractSet[str] = frozenset()) -> bool:
    """Is there a path u → v? Searches only nodes ranked between them in a topological order;
    ``blocked``: nodes a path may not pass through (it may start or end at one)."""
    limit = rank[v]
    stack = [m for m in succ[u] if not (skip_direct and m == v)]
    seen = set(stack)
    while stack:
        n = stack.pop()
        if n == v:
            return True
        if n in blocked:
            continue
        for m in succ[n]:
            if m not in seen and rank[m] <= limit:
                seen.add(m)
                stack.append(m)
    return False


def upstream(pred: dict[str, list[str]], targets: Iterable[str], rank: dict[str, int], floor: int) -> set[str]:
    """``targets`` and every ancestor of theirs ranked ``floor`` or later: one search for "does any
    of these reach one of the targets", instead of one ``reaches`` per pair."""
    found = set(targets)
    stack = list(found)
    while stack:
        for p in pred[stack.pop()]:
            if p not in found and rank[p] >= floor:
                found.add(p)
                stack.append(p)
    return found


def ancestor_masks(order: list[str], pred: dict[str, list[str]], tracked: dict[str, int]) -> dict[str, int]:
    """Bitmask per node of its tracked ancestors (``tracked`` maps node → bit index)."""
    masks: dict[str, int] = {}
    for n in order:
        mask = 0
        for p in pred[n]:
            mask |= masks[p]
            bit = tracked.get(p)
            if bit is not None:
                mask |= 1 << bit
        masks[n] = mask
    return masks


def ancestor_pairs(order: list[str], pred: dict[str, list[str]], queries: dict[str, list[str]],
                   budget_bits: int = 1 << 30) -> set[tuple[str, str]]:
    """The pairs (a, b), for b → [a, …] in ``queries``, where a is an ancestor of b (``order`` is
    a topological order of ``pred``).

    Ancestor sets are bitmasks over the asked-about ancestors only, and a node's mask is dropped
    once its last successor has read it. Where the masks alive at once could pass ``budget_bits``,
    the ancestors are taken a chunk of bits at a time: memory stays bounded where the full closure
    of a large dense graph is quadratic.
    """
    rank = {n: i for i, n in enumerate(order)}
    asked = sorted({a for ancestors in queries.values() for a in ancestors}, key=rank.__getitem__)
    if not asked:
        return set()
    bit = {a: i for i, a in enumerate(asked)}
    last: dict[str, int] = {}
    for r, n in enumerate(order):
        for p in pred[n]:
            last[p] = r
    chunk = max(64, budget_bits // max(1, _most_alive(order, rank, last)))
    wanted: list[dict[str, list[str]]] = [{} for _ in range(0, len(asked), chunk)]
    for b, ancestors in queries.items():
        for a in ancestors:
            wanted[bit[a] // chunk].setdefault(b, []).append(a)
    found: set[tuple[str, str]] = set()
    for c, want in enumerate(wanted):
        if want:
            stop = max(rank[b] for b in want)
            _chunk_pass(order, pred, rank[asked[c * chunk]], stop, last, bit, c * chunk, chunk, want, found)
    return found


def _most_alive(order: list[str], rank: dict[str, int], last: dict[str, int]) -> int:
    """The most nodes whose mask ``ancestor_pairs`` keeps at once (made, not yet read by its last successor)."""
    change = [0] * (len(order) + 1)
    for n, r in last.items():
        change[rank[n]] += 1
        change[r + 1] -= 1
    alive = most = 0
    for step in change:
        alive += step
        most = max(most, alive)
    return most


def _chunk_pass(order: list[str], pred: dict[str, list[str]], start: int, stop: int, last: dict[str, int],
                bit: dict[str, int], low: int, size: int, want: dict[str, list[str]],
                found: set[tuple[str, str]]) -> None:
    """One pass of ``ancestor_pairs`` over ranks start..stop for the ancestors with bits low..low+size."""
    masks: dict[str, int] = {}
    for r in range(start, stop + 1):
        n = order[r]
        mask = 0
        for p in pred[n]:
            mask |= masks.get(p, 0)
            if last[p] == r:
                masks.pop(p, None)
        for a in want.get(n, ()):
            if mask >> (bit[a] - low) & 1:
                found.add((a, n))
        own = bit.get(n, -1) - low
        if 0 <= own < size:
            mask |= 1 << own
        if mask and last.get(n, -1) > r:
            masks[n] = mask


def masks_within(order: list[str], step: dict[str, list[str]], bit: dict[str, int], rank: dict[str, int],
                 lo: int, hi: int) -> dict[str, int]:
    """Bitmask per node of ``order`` (the nodes ranked ``lo`` to ``hi``, in the direction ``step``
    walks from) of the tracked nodes it reaches through ``step`` without leaving those ranks:
    ``ancestor_masks`` or ``descendant_masks`` for a window of the graph."""
    masks: dict[str, int] = {}
    for n in order:
        mask = 0
        for m in step[n]:
            if lo <= rank[m] <= hi:
                own = bit.get(m)
                mask |= masks.get(m, 0) if own is None else masks.get(m, 0) | 1 << own
        masks[n] = mask
    return masks


def descendant_masks(order: list[str], succ: dict[str, list[str]], bit: dict[str, int]) -> dict[str, int]:
    """Bitmask per node of the tracked nodes below it (``bit`` maps a tracked node → bit index): one
    pass in reverse topological order, so "is d below t" is one bit test instead of a search."""
    masks: dict[str, int] = {}
    for n in reversed(order):
        mask = 0
        for s in succ[n]:
            own = bit.get(s)
            mask |= masks[s] if own is None else masks[s] | (1 << own)
        masks[n] = mask
    return masks


def streamed_masks(order: list[str], inputs: dict[str, list[str]], bit: dict[str, int]) -> Iterator[tuple[str, int]]:
    """(node, bitmask of the tracked nodes it reaches through ``inputs``), node by node in ``order``
    (reversed topological order with successors: descendants; topological with predecessors: ancestors).

    A mask is dropped once the last node that reads it has: what stays alive is the frontier, not a
    mask per node, which on a long graph is the difference between megabytes and gigabytes.
    """
    readers = Counter(m for n in order for m in inputs[n])
    masks: dict[str, int] = {}
    for n in order:
        mask = 0
        for m in inputs[n]:
            own = bit.get(m)
            mask |= masks[m] if own is None else masks[m] | (1 << own)
            readers[m] -= 1
            if not readers[m]:
                del masks[m]
        yield n, mask
        if readers[n]:
            masks[n] = mask


def bits(mask: int):
    """The indices of the set bits, lowest first."""
    while mask:
        low = mask & -mask
        yield low.bit_length() - 1
        mask ^= low


class UnionFind:
    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, x: str) -> str:
        self.parent.setdefault(x, x)
        root = x
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[x] != root:
            self.parent[x], x = root, self.parent[x]
        return root

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[rb] = ra

    def groups(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for x in self.parent:
            out.setdefault(self.find(x), []).append(x)
        return out
