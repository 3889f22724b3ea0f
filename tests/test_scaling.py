"""Scaling guards that count, not time: the pair-reachability oracle is exact in chunks, and the
conflict index asks one ancestor pass, never the full closure."""
import random

from wflint.analysis import graph


def _random_dag(n: int, seed: int):
    rng = random.Random(seed)
    order = [f"n{i}" for i in range(n)]
    edges = [(order[i], order[j]) for j in range(n) for i in rng.sample(range(j), k=min(j, 2))]
    return order, graph.adjacency(order, edges)


def test_ancestor_pairs_is_exact_in_one_pass_and_in_small_chunks():
    order, (succ, pred) = _random_dag(300, 3)
    rank = {n: i for i, n in enumerate(order)}
    rng = random.Random(5)
    queries: dict[str, list[str]] = {}
    for _ in range(2000):
        a, b = sorted(rng.sample(order, 2), key=rank.__getitem__)
        queries.setdefault(b, []).append(a)
    truth = {(a, b) for b, ancestors in queries.items() for a in ancestors if graph.reaches(succ, a, b, rank)}
    assert truth and len(truth) < sum(map(len, queries.values()))  # both answers occur
    assert graph.ancestor_pairs(order, pred, queries) == truth
    assert graph.ancestor_pairs(order, pred, queries, budget_bits=64) == truth  # many chunks


def test_upstream_is_the_feeders_and_their_ancestors_from_the_floor():
    order, (succ, pred) = _random_dag(200, 9)
    rank = {n: i for i, n in enumerate(order)}
    feeders = ["n150", "n170"]
    found = graph.upstream(pred, feeders, rank, 100)
    expected = {m for m in order[100:] if m in feeders or any(graph.reaches(succ, m, f, rank) for f in feeders)}
    assert found == expected
