"""The cross-view audit in array form hides exactly the groups its first, plainer form does.

`tests/privacy_reference.py` keeps the audit as first written: Tarjan's bridges in Python, a search from both ends
of each leaking edge, the partition rule re-run on every hide. `queries/privacy.py` finds bridges with array
operations, reads the two sides of a bridge off one spanning forest per pass and stops re-running the rule once
it holds. Every step keeps the order of the first form (the edges, the leaks, the groups picked), so the two must
agree group for group: on random graphs, random pairs of partitions, random sets of linked partitions shaped like
a real scope (a partition of hundreds of small groups beside coarse ones, views of a wider scope that cannot be
changed), random organisations and the demo organisation's every scope.
"""

from __future__ import annotations

import itertools
from dataclasses import replace

import numpy as np

from queries import privacy
from queries import ratings as q
from tests import privacy_reference as reference
from tests.test_privacy_linked import HR, MIN, SETTINGS, openable_scopes, random_organisation


def random_graph(rng: np.random.Generator) -> tuple[int, list[tuple[int, int]]]:
    """A simple undirected graph: a few components, some trees (all bridges), some with cycles, isolated nodes."""
    nodes = int(rng.integers(1, 60))
    edges: set[tuple[int, int]] = set()
    for _ in range(int(rng.integers(0, 2 * nodes + 1))):
        u, v = (int(x) for x in rng.integers(0, nodes, 2))
        if u != v and (v, u) not in edges:
            edges.add((u, v))
    return nodes, sorted(edges, key=lambda _: rng.random())


def random_partition(rng: np.random.Generator, people: int, groups: int, skew: float) -> np.ndarray:
    """Group codes for `people`, group sizes skewed (a few large groups, many of one to four people)."""
    weights = rng.pareto(skew, groups) + 0.05
    return rng.choice(groups, size=people, p=weights / weights.sum())


class TestBridges:
    def test_the_array_bridges_are_tarjans_on_random_graphs(self):
        rng = np.random.default_rng(11)
        for _ in range(400):
            nodes, edges = random_graph(rng)
            us = np.array([u for u, _ in edges], dtype=np.int64)
            vs = np.array([v for _, v in edges], dtype=np.int64)
            mask = privacy._Forest(nodes, us, vs).bridges()
            assert set(np.flatnonzero(mask).tolist()) == reference.bridges(nodes, edges), (nodes, edges)

    def test_a_path_is_all_bridges_and_a_ring_none(self):
        """Path 0-1-2-3: three bridges. Ring 0-1-2-3-0: none. The two joined by edge 3-4 (path 4-5): bridges
        3-4 and 4-5 only."""
        path = np.array([0, 1, 2]), np.array([1, 2, 3])
        assert privacy._Forest(4, *path).bridges().tolist() == [True, True, True]
        ring = np.array([0, 1, 2, 3]), np.array([1, 2, 3, 0])
        assert privacy._Forest(4, *ring).bridges().tolist() == [False] * 4
        both = np.array([0, 1, 2, 3, 3, 4]), np.array([1, 2, 3, 0, 4, 5])
        assert privacy._Forest(6, *both).bridges().tolist() == [False] * 4 + [True, True]


class TestPairs:
    def test_the_leaks_are_the_references_in_the_same_order(self):
        rng = np.random.default_rng(12)
        for _ in range(300):
            people = int(rng.integers(5, 400))
            first = random_partition(rng, people, int(rng.integers(1, 80)), 1.2)
            second = random_partition(rng, people, int(rng.integers(1, 12)), 2.0)
            first_hidden = {int(g) for g in np.unique(first) if rng.random() < 0.3}
            second_hidden = {int(g) for g in np.unique(second) if rng.random() < 0.2}
            fast = privacy.pair_leaks(privacy.Grouping(first, set(first_hidden)),
                                      privacy.Grouping(second, set(second_hidden)), MIN)
            plain = reference.pair_leaks(reference.Grouping(first, set(first_hidden)),
                                         reference.Grouping(second, set(second_hidden)), MIN)
            assert fast == plain

    def test_protecting_a_pair_hides_what_the_reference_hides(self):
        rng = np.random.default_rng(13)
        for _ in range(200):
            people = int(rng.integers(5, 300))
            first = random_partition(rng, people, int(rng.integers(1, 60)), 1.0)
            second = random_partition(rng, people, int(rng.integers(1, 8)), 2.0)
            fixed = rng.random() < 0.3
            fast = privacy.Grouping(first, set()), privacy.Grouping(second, set(), own=not fixed)
            plain = reference.Grouping(first, set()), reference.Grouping(second, set(), own=not fixed)
            for grouping in (*fast, *plain):
                grouping.hide((), MIN) if grouping.own else None
            assert privacy.protect_pair(*fast, MIN) == reference.protect_pair(*plain, MIN)
            assert [g.hidden for g in fast] == [g.hidden for g in plain]


def linked_scope(rng: np.random.Generator, module) -> tuple[list, list]:
    """A scope shaped like a real one, in `module`'s classes: its people in a fine partition (managers: many
    groups of 1-8), coarse ones (teams, regions, work modes) and, over a wider scope's people, the same
    partitions extended by one known OUTSIDE group (sharing the scope's hidden sets) against fixed views of the
    wider scope with their own hidden groups."""
    inside = int(rng.integers(20, 500))
    outside = int(rng.integers(0, 300))
    fine = random_partition(rng, inside + outside, int(rng.integers(5, (inside + outside) // 3 + 6)), 0.8)
    coarse = [random_partition(rng, inside + outside, int(rng.integers(2, 9)), 2.5) for _ in range(3)]
    wider = [fine, *coarse]
    owns, fixed_pairs = [], []
    for codes in wider:
        labels, own_codes = np.unique(codes[:inside], return_inverse=True)
        owns.append(module.Grouping(own_codes, set()))
    if outside:
        for own, codes in zip(owns, wider, strict=True):
            index = {int(v): i for i, v in enumerate(np.unique(codes[:inside]))}
            extended_codes = np.array([index[int(v)] for v in codes[:inside]] + [len(index)] * outside)
            extended = module.Grouping(extended_codes, set(), hideable=len(index))
            extended.hidden = own.hidden
            for other in wider:
                sizes = np.bincount(other)
                fixed_hidden = set(reference.hide_line(sizes.tolist(), MIN))
                fixed_pairs.append((extended, module.Grouping(other, fixed_hidden, own=False)))
    return owns, fixed_pairs


class TestLinked:
    def test_linked_scopes_hide_what_the_reference_hides(self):
        for seed in range(40):
            fast_owns, fast_pairs = linked_scope(np.random.default_rng(seed), privacy)
            plain_owns, plain_pairs = linked_scope(np.random.default_rng(seed), reference)
            shown = privacy.protect_linked(fast_owns, fast_pairs, MIN)
            assert shown == reference.protect_linked(plain_owns, plain_pairs, MIN), seed
            assert [g.hidden for g in fast_owns] == [g.hidden for g in plain_owns], seed


def compare_every_scope(snapshot, scopes, cycle_id: int) -> list:
    """Each scope's (shown, reason, hidden groups) from `queries.ratings` and from the reference, side by side."""
    memo: dict = {}
    fast, plain = [], []
    for filters in scopes:
        guard = q.protection(snapshot, filters, HR, SETTINGS, cycle_id=cycle_id)
        fast.append((filters, guard.shown, guard.reason, guard.hidden))
        shown, reason, hidden, _ = reference.protection(snapshot, filters, HR, SETTINGS, cycle_id, memo)
        plain.append((filters, shown, reason, hidden))
    return fast, plain


class TestRatings:
    def test_random_organisations_hide_the_same_groups(self):
        for seed in range(8):
            snapshot = random_organisation(seed)
            fast, plain = compare_every_scope(snapshot, openable_scopes(snapshot), 1)
            assert fast == plain, seed

    def test_the_demo_organisation_hides_the_same_groups(self, demo_database_url):
        """Every unit of the demo with all regions and with each region alone, in its latest closed cycle."""
        from datetime import date

        from data.db import make_engine
        from queries.model import Filters
        from queries.periods import clamp_as_of, current_period_id
        from queries.snapshot import load_snapshot

        snapshot = load_snapshot(make_engine(demo_database_url), fresh=True)
        today = date(2026, 11, 25)
        period = current_period_id(snapshot, today)
        base = Filters(period_id=period, as_of=clamp_as_of(snapshot, period, today))
        cycle = int(q.closed_cycles(snapshot, base.as_of)["id"][0])
        units = [None, *snapshot.org_unit["id"].to_list()]
        regions = [(), *[(r,) for r in snapshot.region["id"].to_list()]]
        scopes = [replace(base, org_unit_id=u, region_ids=r) for u, r in itertools.product(units, regions)]
        fast, plain = compare_every_scope(snapshot, scopes, cycle)
        assert sum(shown for _, shown, _, _ in fast) > 1, "the demo shows no scope: the test proves nothing"
        assert sum(len(h) for _, _, _, hidden in fast for h in hidden.values()) > 0
        assert fast == plain


def test_a_leak_on_the_pools_smaller_side_is_mended_from_the_other_side():
    """First partition (own): A 1 person, B 5, G 6, C 32; second (a fixed view): X holds A, B, G and 2 of C, and
    Y1..Y6 hold 5 of C each. With a minimum of 5, A is hidden and B with it (1 + 5 = 6), so the pool of the first
    partition links A and B: the cycle pool-A-X-B-pool covers them. The 2 people of C in X are a leak: the edge
    C-X is a bridge, with X, A, B, G and the pool on one side (5 nodes) and C, Y1..Y6 on the other (7). The pool
    is on the smaller side, so hiding G (on that side) would close no cycle through C-X; hiding C (on the other
    side, the smallest visible group there) does: pool-C-X-A-pool. Both forms of the audit hide A, B and C."""
    first = np.array([0] + [1] * 5 + [2] * 6 + [3] * 32)
    second = np.array([0] * 12 + [0] * 2 + [1 + k // 5 for k in range(30)])
    for module in (privacy, reference):
        own, fixed = module.Grouping(first, set()), module.Grouping(second, set(), own=False)
        own.hide((), MIN)
        assert own.hidden == {0, 1}
        assert [leak[:-1] for leak in module.pair_leaks(own, fixed, MIN)] == [("atom", 3, 0)]
        assert module.protect_pair(own, fixed, MIN)
        assert own.hidden == {0, 1, 3}, module.__name__
        assert module.pair_leaks(own, fixed, MIN) == []
