"""`python -m bench.privacy_sweep --url URL`: how many hidden rating groups an attacker can work out exactly.

The attacker opens every scope a viewer with the HR role can open (every unit, and none, each with all regions
and with each single region), for every closed review cycle, and combines every pair of views: two groupings
of one scope (team, region, manager, work mode, gender, age band), or a grouping of a scope and one of its
parent scope (the unit above, or the same unit in every region). A set of people is worked out exactly when the
pair's published figures determine its counts (queries/privacy.py `pair_leaks`, which tests/test_privacy_linked.py
checks against linear programming). Counted twice:

- before: each view protected on its own (the partition rule, every scope of at least the minimum shown);
- after: Ladder's protection (`queries.ratings.protection`).

Printed: hidden groups of 1 to min - 1 people recovered, and intersections of two groups of 1 to min - 1 people
recovered, each counted once however many pairs give it away.
"""

from __future__ import annotations

import argparse
import itertools
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import polars as pl  # noqa: E402

from data.db import make_engine  # noqa: E402
from queries import ratings as q  # noqa: E402
from queries.model import Filters, Settings, Viewer  # noqa: E402
from queries.privacy import Grouping, hide_line, pair_leaks  # noqa: E402
from queries.snapshot import load_snapshot  # noqa: E402

HR = Viewer("sweep@ladder", "hr")


def views(snapshot, filters: Filters, cycle_id: int, settings: Settings, protected: bool):
    """(keys, hidden per grouping) of a scope as shown, or None when it shows nothing."""
    if protected:
        guard = q.protection(snapshot, filters, HR, settings, cycle_id=cycle_id)
        return (guard.keys, guard.hidden) if guard.shown else None
    rated = q.rated_in_scope(snapshot, filters, cycle_id)
    if rated.height < settings.min_group_size:
        return None
    keys = q._group_keys(snapshot, filters, HR, rated)
    hidden = {}
    for name in q.audited_groupings(HR):
        sizes = keys.group_by(name).agg(pl.len()).sort(name)
        marked = hide_line(sizes["len"].to_list(), settings.min_group_size)
        hidden[name] = frozenset(sizes[name][i] for i in marked)
    return keys, hidden


def grouping(keys: pl.DataFrame, people: pl.Series, name: str, hidden) -> tuple[Grouping, list[str]]:
    frame = people.to_frame("employee_id").join(keys.select("employee_id", name), on="employee_id", how="left")
    values = frame[name].fill_null(q.OUTSIDE)
    labels = sorted(v for v in values.unique().to_list() if v != q.OUTSIDE)
    index = {v: i for i, v in enumerate(labels)} | {q.OUTSIDE: len(labels)}
    codes = values.replace_strict(index, return_dtype=pl.Int64).to_numpy()
    return Grouping(codes, {index[g] for g in hidden if g in index}, hideable=len(labels)), labels


def recovered(
    snapshot, cycle_id: int, settings: Settings, protected: bool, every_region: bool = True
) -> tuple[set, set, int]:
    units = [None, *snapshot.org_unit.sort("id")["id"].to_list()]
    regions = [(), *[(r,) for r in snapshot.region.sort("id")["id"].to_list()]]
    scopes = list(itertools.product(units, regions))
    if not every_region:
        scopes = [(unit, region_ids) for unit, region_ids in scopes if unit is None or not region_ids]
    groups, atoms = set(), set()
    shown = {}
    for unit, region_ids in scopes:
        filters = Filters(period_id=0, as_of=date.today(), region_ids=region_ids, org_unit_id=unit)
        shown[filters] = views(snapshot, filters, cycle_id, settings, protected)
    for filters, view in shown.items():
        if view is None:
            continue
        keys, hidden = view
        names = q.audited_groupings(HR)
        pairs = [((filters, a), (filters, b), keys["employee_id"]) for a, b in itertools.combinations(names, 2)]
        for _, parent_filters in q._parent_scopes(snapshot, filters):
            if shown.get(parent_filters) is not None:
                people = shown[parent_filters][0]["employee_id"]
                pairs += [((filters, a), (parent_filters, b), people) for a in names for b in names]
        for (first_scope, first), (second_scope, second), people in pairs:
            a, a_labels = grouping(shown[first_scope][0], people, first, shown[first_scope][1][first])
            b, b_labels = grouping(shown[second_scope][0], people, second, shown[second_scope][1][second])
            for leak in pair_leaks(a, b, settings.min_group_size):
                if leak[0] == "first":
                    groups.add((cycle_id, first_scope, first, a_labels[leak[1]]))
                elif leak[0] == "second":
                    groups.add((cycle_id, second_scope, second, b_labels[leak[1]]))
                else:
                    atoms.add((cycle_id, first_scope, first, leak[1], second_scope, second, leak[2]))
    return groups, atoms, sum(view is not None for view in shown.values())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--min-group-size", type=int, default=Settings().min_group_size)
    parser.add_argument("--units-in-all-regions-only", action="store_true",
                        help="every unit with all regions, and only the whole organisation region by region "
                        "(for the medium profile, whose thousands of units times regions take too long)")
    args = parser.parse_args()
    engine = make_engine(args.url)
    snapshot = load_snapshot(engine)
    engine.dispose()
    settings = Settings(min_group_size=args.min_group_size)
    for protected in (False, True):
        started = time.perf_counter()
        groups, atoms, scopes = set(), set(), 0
        for cycle_id in snapshot.review_cycle.sort("id")["id"].to_list():
            g, a, n = recovered(snapshot, cycle_id, settings, protected, not args.units_in_all_regions_only)
            groups |= g
            atoms |= a
            scopes += n
        label = "after (Ladder's protection)" if protected else "before (each view on its own)"
        print(f"{label}: {len(groups)} hidden groups recovered exactly, {len(atoms)} intersections of fewer than "
              f"{settings.min_group_size} people recovered exactly; {scopes} (scope, cycle) views shown "
              f"({time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
