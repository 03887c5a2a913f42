"""Small-group protection: the rules on hand-made partitions and grids, then every group cell of the Ratings screen
on the demo organisation under many filter combinations — none below the minimum, none recoverable by subtraction."""

from __future__ import annotations

import itertools
from datetime import date

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from queries import rating_bias as b
from queries import rating_leniency as lenient
from queries import ratings as q
from queries.model import Filters, Settings, Viewer
from queries.privacy import (
    HIDDEN,
    cell_bounds,
    determined_by_sums,
    fixed_by_totals,
    hide_line,
    hide_small_cells,
    hide_small_groups,
    line_is_safe,
    pinned_cells,
    sums_reveal,
)

MIN = 5


class TestPartitionRule:
    @pytest.mark.parametrize(
        ("sizes", "hidden"),
        [
            ([6, 7, 8], set()),  # everyone visible
            ([10, 3, 12], {0, 1}),  # 3 alone could be subtracted back: the next smallest (10) goes too
            ([3, 1, 20], {0, 1, 2}),  # 3 + 1 = 4 < 5 is still too small to hide in: 20 goes too
            ([2, 4, 30, 9], {0, 1}),  # 2 + 4 = 6 >= 5: enough
            ([2], {0}),  # the whole partition
            ([5, 40], set()),  # exactly the minimum is shown
        ],
    )
    def test_hidden_sets(self, sizes, hidden):
        assert hide_line(sizes, MIN) == hidden
        assert line_is_safe(sizes, hidden, MIN)

    def test_a_lone_hidden_group_is_unsafe(self):
        assert not line_is_safe([10, 3, 12], {1}, MIN)
        assert not line_is_safe([10, 1, 1], {1, 2}, MIN)  # 1 + 1: both pinned down
        assert not line_is_safe([10, 3, 12], set(), MIN)

    def test_hidden_rows_are_blanked_except_what_is_kept(self):
        groups = pl.DataFrame({"group_id": ["a", "b", "c"], "n": [10, 3, 12], "mean": [3.1, 4.7, 2.9]})
        marked = hide_small_groups(groups, MIN, keep=("group_id",))
        assert marked[HIDDEN].to_list() == [True, True, False]
        assert marked["n"].to_list() == [None, None, 12]
        assert marked["mean"].to_list() == [None, None, 2.9]
        assert marked["group_id"].to_list() == ["a", "b", "c"]


class TestGridRule:
    def test_a_single_small_cell_takes_a_rectangle_with_it(self):
        # Totals are visible, so the 2 needs a partner in its row and in its column, and so do the partners.
        counts = np.array([[2, 10, 20], [30, 40, 50], [60, 70, 80]])
        hidden = hide_small_cells(counts, MIN)
        assert hidden[0, 0]
        assert hidden.sum() == 4
        assert hidden[0, 1] and hidden[1, 0] and hidden[1, 1]
        assert_grid_safe(counts, hidden)

    def test_bounds_pin_a_lone_hidden_cell(self):
        counts = np.array([[2, 10], [30, 40]])
        lone = np.array([[True, False], [False, False]])
        assert cell_bounds(counts, lone)[(0, 0)] == (2, 2)
        pair = np.array([[True, True], [True, True]])
        low, high = cell_bounds(counts, pair)[(0, 0)]
        assert low < 2 < high

    def test_empty_rows_and_columns_are_left_alone(self):
        counts = np.array([[0, 0, 0], [0, 12, 7], [0, 9, 30]])
        assert not hide_small_cells(counts, MIN).any()

    def test_a_grid_below_the_minimum_is_hidden_whole(self):
        assert hide_small_cells(np.array([[1, 0], [2, 1]]), MIN).all()

    @settings(max_examples=100, deadline=None)
    @given(
        st.integers(2, 5).flatmap(
            lambda rows: st.integers(2, 5).flatmap(
                lambda cols: st.lists(
                    st.lists(st.sampled_from([0, 0, 1, 2, 3, 4, 5, 8, 20, 60]), min_size=cols, max_size=cols),
                    min_size=rows, max_size=rows,
                )
            )
        )
    )
    def test_any_grid_ends_safe(self, rows):
        counts = np.array(rows)
        assert_grid_safe(counts, hide_small_cells(counts, MIN))

    @settings(max_examples=80, deadline=None)
    @given(st.data())
    def test_the_fast_audit_agrees_with_linear_programming(self, data):
        shape = (data.draw(st.integers(2, 5)), data.draw(st.integers(2, 5)))
        values = st.sampled_from([0, 0, 1, 2, 3, 7, 20])
        counts = np.array([[data.draw(values) for _ in range(shape[1])] for _ in range(shape[0])])
        hidden = np.array([[data.draw(st.booleans()) for _ in range(shape[1])] for _ in range(shape[0])])
        exact = {cell for cell, (low, high) in cell_bounds(counts, hidden).items() if low == high > 0}
        assert pinned_cells(counts, hidden) == exact


def assert_grid_safe(counts: np.ndarray, hidden: np.ndarray, min_size: int = MIN) -> None:
    """No visible cell of 1..min-1, every row and column obeys the partition rule, and no hidden cell holding
    people can be pinned to its value from the visible cells and the row and column totals (beyond the cells the
    totals alone pin, which the totals already tell)."""
    if counts.sum() < min_size:
        assert hidden[counts > 0].all(), "a grid below the minimum must be hidden whole"
        return
    visible_small = (~hidden) & (counts > 0) & (counts < min_size)
    assert not visible_small.any(), f"visible cells below {min_size}:\n{counts}\n{hidden}"
    rows = [r for r in range(counts.shape[0]) if counts[r].sum()]
    cols = [c for c in range(counts.shape[1]) if counts[:, c].sum()]
    for r in rows:
        line = [(r, c) for c in cols]
        assert line_is_safe([counts[x] for x in line], [k for k, x in enumerate(line) if hidden[x]], min_size)
    for c in cols:
        line = [(r, c) for r in rows]
        assert line_is_safe([counts[x] for x in line], [k for k, x in enumerate(line) if hidden[x]], min_size)
    pinned = pinned_cells(counts, hidden) - fixed_by_totals(counts)
    assert not pinned, f"hidden cells {pinned} can be worked out:\n{counts}\n{hidden}"


# --- every group cell of the Ratings screen on the demo organisation ---------------------------------------------

DEMO_AS_OF = date(2026, 11, 25)
HR = Viewer("hr@demo", "hr")
SETTINGS = Settings()


@pytest.fixture(scope="module")
def demo(demo_database_url):
    from data.db import make_engine
    from queries.snapshot import load_snapshot

    engine = make_engine(demo_database_url)
    try:
        return load_snapshot(engine)
    finally:
        engine.dispose()


def filter_combinations(snapshot) -> list[Filters]:
    period_id = int(snapshot.period.filter(pl.col("name") == "2026-Q4")["id"][0])
    regions = snapshot.region.sort("id")["id"].to_list()
    region_sets = [(), *[(r,) for r in regions], tuple(regions[:2]), tuple(regions[2:5])]
    units = snapshot.org_unit.sort("id")
    unit_ids = [None, *units.filter(pl.col("kind") != "company")["id"].to_list()]
    combos = []
    for unit, regions_ in itertools.product(unit_ids, region_sets):
        # Every unit with every region set would repeat itself; all units unfiltered, a spread of units by region.
        if regions_ and unit is not None and unit % 3:
            continue
        combos.append(Filters(period_id=period_id, as_of=DEMO_AS_OF, region_ids=regions_, org_unit_id=unit))
    return combos


def true_sizes(frame: pl.DataFrame, key: str) -> dict[str, int]:
    return dict(frame.group_by(key).agg(pl.len()).iter_rows())


def check_partition(shown: pl.DataFrame, truth: dict[str, int], context: str) -> None:
    """Visible groups show their true size and it is at least MIN; hidden groups are none, or all, or at least two
    holding MIN people together, and the pooled row (if any) holds exactly them."""
    visible = shown.filter(pl.col("group_id") != q.OTHER)
    for group_id, n in visible.select("group_id", "n").iter_rows():
        assert n >= MIN, f"{context}: group {group_id} shows n = {n}"
        assert truth[group_id] == n, f"{context}: group {group_id} shows {n}, truly {truth[group_id]}"
    hidden = [g for g in truth if g not in set(visible["group_id"].to_list())]
    sizes = [truth[g] for g in truth]
    assert line_is_safe(sizes, [k for k, g in enumerate(truth) if g in hidden], MIN), (
        f"{context}: hidden groups {[(g, truth[g]) for g in hidden]} can be recovered by subtraction"
    )
    pooled = shown.filter(pl.col("group_id") == q.OTHER)
    if pooled.height:
        assert pooled["n"][0] == sum(truth[g] for g in hidden) >= MIN, context


def check_grid(
    grid: pl.DataFrame, rated: pl.DataFrame, row: str, col: str, source_row: str, source_col: str, context: str
) -> None:
    """The grid shows true counts where visible, nothing where hidden, and is safe by `assert_grid_safe`."""
    rows, cols = sorted(grid[row].unique().to_list()), sorted(grid[col].unique().to_list())
    truth = {(r, c): n for r, c, n in rated.group_by(source_row, source_col).agg(pl.len()).iter_rows()}
    counts = np.array([[truth.get((r, c), 0) for c in cols] for r in rows])
    hidden = np.zeros(counts.shape, dtype=bool)
    for r, c, n, is_hidden in grid.select(row, col, "n", HIDDEN).iter_rows():
        i, j = rows.index(r), cols.index(c)
        hidden[i, j] = is_hidden
        if not is_hidden:
            assert n == counts[i, j], f"{context}: cell ({r}, {c}) shows {n}, truly {counts[i, j]}"
        else:
            assert n is None, f"{context}: hidden cell ({r}, {c}) still carries {n}"
    assert_grid_safe(counts, hidden)


class TestRatingsScreenOnTheDemo:
    """Every partition, toggle and grid of the Ratings screen, for every cycle and many scopes."""

    def test_every_group_cell_is_protected(self, demo):
        combos = filter_combinations(demo)
        assert len(combos) > 40
        checked = hidden_seen = 0
        for filters in combos:
            for cycle_id in q.review_cycles(demo, filters, HR)["id"].to_list():
                context = f"cycle {cycle_id}, {filters}"
                rated = q.rated_in_scope(demo, filters, cycle_id)
                summary = q.ratings_summary(demo, filters, HR, cycle_id=cycle_id, top_from=4)
                guard = q.protection(demo, filters, HR, SETTINGS, cycle_id=cycle_id)
                assert guard.shown == (rated.height >= MIN and guard.reason != q.PARENT_HIDDEN), context
                if not guard.shown:
                    assert summary.is_empty(), context
                    for by in (None, *q.GROUPINGS):
                        assert q.rating_distribution(demo, filters, HR, cycle_id=cycle_id, by=by).is_empty()
                    assert q.calibration_matrix(demo, filters, HR, cycle_id=cycle_id)["n"].drop_nulls().sum() == 0
                    continue
                assert summary["rated"][0] == rated.height >= MIN
                for by in q.GROUPINGS:
                    truth = true_sizes(q.with_group_id(demo, filters, rated, by), "group_id")
                    distribution = q.rating_distribution(demo, filters, HR, cycle_id=cycle_id, by=by)
                    groups = distribution.select("group_id", "n").unique()
                    check_partition(groups, truth, f"{context}, distribution by {by}")
                    sums = distribution.group_by("group_id").agg(pl.col("count").sum(), pl.col("n").first())
                    assert (sums["count"] == sums["n"]).all()
                    shift = q.calibration_shift(demo, filters, HR, cycle_id=cycle_id, by=by)
                    check_partition(shift, truth, f"{context}, calibration shift by {by}")
                    hidden = q.hidden_groups(demo, filters, HR, cycle_id=cycle_id, by=by).row(0, named=True)
                    assert hidden["hidden_people"] == 0 or hidden["hidden_people"] >= MIN
                    assert hidden["hidden_groups"] != 1
                    hidden_seen += hidden["hidden_groups"]
                    checked += len(truth)
                raters = lenient.rater_leniency(demo, filters, HR, cycle_id=cycle_id)
                reviewer_truth = true_sizes(q.with_group_id(demo, filters, rated, "manager"), "group_id")
                check_partition(raters, reviewer_truth, f"{context}, rater leniency")
                funnel = lenient.leniency_funnel(demo, filters, HR, cycle_id=cycle_id)
                assert funnel.is_empty() or funnel["n"].min() >= MIN
                assert funnel["raters"].sum() == raters.height
                for attribute in q.ATTRIBUTES:
                    options = {"cycle_id": cycle_id, "attribute": attribute, "top_from": 4}
                    grouped = (q.with_group_id(demo, filters, rated, attribute) if attribute in q.GROUPINGS
                               else q._with_attribute(demo, HR, rated, attribute))
                    truth = true_sizes(grouped, "group_id")
                    bias = b._bias_groups(demo, filters, HR, SETTINGS, cycle_id, attribute, 4)
                    check_partition(bias, truth, f"{context}, bias by {attribute}")
                    shown = b.bias_by_group(demo, filters, HR, **options)
                    assert shown.is_empty() or shown["n"].min() >= MIN
                    overall = b.rating_independence(demo, filters, HR, cycle_id=cycle_id, attribute=attribute)
                    assert overall.is_empty() or overall["n"][0] == rated.height
                matrix = q.calibration_matrix(demo, filters, HR, cycle_id=cycle_id)
                check_grid(matrix, rated, "pre", "post", "pre_calibration", "post_calibration",
                           f"{context}, calibration")
                box = q.nine_box(demo, filters, HR, cycle_id=cycle_id)
                nine = nine_box_truth(demo, rated, cycle_id)
                check_grid(box, nine, "potential", "performance", "potential_band", "performance",
                           f"{context}, 9-box")
        # The test must have met small groups, or it proves nothing.
        assert checked > 500 and hidden_seen > 100


def nine_box_truth(snapshot, rated: pl.DataFrame, cycle_id: int) -> pl.DataFrame:
    """Performance and potential bands worked out again from the raw ratings (1-2 / 3 / 4-5 and 1 / 2 / 3)."""
    potential = q.cycle_ratings(snapshot, cycle_id)["potential"]
    assert (potential.min(), potential.max()) == (1, 3)
    return rated.with_columns(
        pl.col("post_calibration").replace_strict({1: "low", 2: "low", 3: "moderate", 4: "high", 5: "high"})
        .alias("performance"),
        pl.col("potential").replace_strict({1: "low", 2: "moderate", 3: "high"}, default="not recorded")
        .alias("potential_band"),
    )


class TestGridWithPublishedSums:
    """The headline shows the shares moved up and down in calibration: sums of the cells above and below the
    diagonal of the calibration grid. Hiding more squares until those sums give nothing away can blank the whole
    grid (the demo's company-wide grid), so the headline leaves the split out instead where it would."""

    COUNTS = np.array([[20, 10, 10], [10, 2, 3], [10, 3, 2]])  # pre 2-4 (rows) x final 2-4 (columns)
    UP = np.triu(np.ones((3, 3), dtype=bool), 1)
    DOWN = np.tril(np.ones((3, 3), dtype=bool), -1)

    def test_the_moved_shares_pin_a_rectangle_the_totals_alone_do_not(self):
        """Hide the 2 x 2 block of pre 3-4 x final 3-4 (2, 3 / 3, 2). Totals alone allow +t, -t, +t, -t around
        it; but that moves t people from "up" (3 -> 4) and t from "down" (4 -> 3): with those sums published,
        t = 0 and every cell is known."""
        block = np.zeros((3, 3), dtype=bool)
        block[1:, 1:] = True
        assert not pinned_cells(self.COUNTS, block)
        assert determined_by_sums(self.COUNTS, block, [self.UP, self.DOWN]) == {(1, 1), (1, 2), (2, 1), (2, 2)}

    def test_the_headline_leaves_out_a_split_that_would_give_a_square_away(self):
        """The demo's grid with its one small square, 4 -> 5 (4 people): the grid alone hides it among others, but
        the count moved up minus the visible squares above the diagonal would give it back."""
        counts = np.array([[72, 12, 0, 0, 0], [16, 175, 20, 0, 0], [0, 75, 731, 15, 0], [0, 0, 113, 265, 4],
                           [0, 0, 0, 79, 171]])
        hidden = hide_small_cells(counts, MIN)
        up, down = np.triu(np.ones((5, 5), bool), 1), np.tril(np.ones((5, 5), bool), -1)
        assert sums_reveal(counts, hidden, [up, down])
        assert not sums_reveal(counts, np.ones((5, 5), bool), [up, down])
