"""The Scope on the tiny organisation (tests/tiny_org.py), worked out on paper, and the registry of derived frames.

Team Alpha (unit 4) holds Ann, Bob and Cat (Cat sits South); Beta (5) holds Lee, Max and Old (inactive), all South.
- Alpha: people 3, 4, 5; own goals of 2026 = 20, 22 (team goals of Alpha), 30 (Bob), 31 (Cat), 33 (Bob, development);
  it carries those plus 10 and 1 (20 and 22 ladder up to 10, 10 to 1). Of the carried goals, 10, 1 and 33 have no key
  results (10 and 1 take their progress from their children; 33 has nothing to measure), and 20 and 22 are the
  carried goals 10 reads: those five need rolling up again; 30 feeds 20, which has key results of its own, so not 30.
- South: people 5, 6, 7 (Old is inactive); goals 21 (Beta), 31 (Cat, individual: her region), 32 (Max).
- Alpha and South: Cat alone, and her goal 31.
"""

import threading
import time

import numpy as np
import polars as pl
import pytest

from queries.derived import FRAMES
from queries.model import BoundedMemo, Settings, Viewer, footprint
from queries.overview import overview_kpis
from queries.scope import scope_of
from tests.tiny_org import ALPHA, COMPANY, SOUTH, tiny_filters, tiny_snapshot

HR = Viewer("hr@acme.test", "hr")


class TestNarrowing:
    def test_a_team_is_its_subtree(self):
        scope = scope_of(tiny_snapshot(), tiny_filters(org_unit_id=ALPHA))
        assert sorted(scope.people()["id"].to_list()) == [3, 4, 5]
        assert sorted(scope.members["id"].to_list()) == [20, 22, 30, 31, 33]

    def test_a_region_is_where_people_sit(self):
        scope = scope_of(tiny_snapshot(), tiny_filters(region_ids=(SOUTH,)))
        assert sorted(scope.people()["id"].to_list()) == [5, 6, 7]
        assert sorted(scope.people(active_only=False)["id"].to_list()) == [5, 6, 7, 8]
        assert sorted(scope.members["id"].to_list()) == [21, 31, 32]

    def test_team_and_region_together(self):
        scope = scope_of(tiny_snapshot(), tiny_filters(org_unit_id=ALPHA, region_ids=(SOUTH,)))
        assert scope.people()["id"].to_list() == [5]
        assert scope.members["id"].to_list() == [31]

    def test_any_frame_is_narrowed_by_the_same_rule(self):
        scope = scope_of(tiny_snapshot(), tiny_filters(org_unit_id=ALPHA, region_ids=(SOUTH,)))
        frame = pl.DataFrame({"unit": [4, 4, 5, 3], "where": [1, 2, 2, 2]})
        assert scope.narrow(frame, unit="unit", region="where").rows() == [(4, 2)]


class TestGoalSets:
    def test_carried_and_needing_a_roll_up(self):
        goals = scope_of(tiny_snapshot(), tiny_filters(org_unit_id=ALPHA)).goals
        assert sorted(goals.carried.to_list()) == [1, 10, 20, 22, 30, 31, 33]
        assert sorted(goals.needing_roll_up.to_list()) == [1, 10, 20, 22, 33]

    def test_the_whole_organisation_carries_every_goal_of_the_year(self):
        snapshot = tiny_snapshot()
        scope = scope_of(snapshot, tiny_filters())
        assert scope.whole_organisation
        assert sorted(scope.goals.carried.to_list()) == sorted(scope.graph.goals["id"].to_list())

    def test_the_company_as_team_filter_is_the_whole_organisation(self):
        # Acme (unit 1) holds every unit: the same figures as no filter, objective 2 (no data) included.
        snapshot = tiny_snapshot()
        company = scope_of(snapshot, tiny_filters(org_unit_id=COMPANY))
        assert company.whole_organisation and not scope_of(snapshot, tiny_filters(org_unit_id=ALPHA)).whole_organisation
        assert sorted(company.objectives(Settings())["id"].to_list()) == [1, 2]
        assert company.progress(Settings()).equals(scope_of(snapshot, tiny_filters()).progress(Settings()))

    def test_built_once_per_filters(self):
        snapshot = tiny_snapshot()
        alpha = tiny_filters(org_unit_id=ALPHA)
        assert scope_of(snapshot, alpha) is scope_of(snapshot, tiny_filters(org_unit_id=ALPHA))
        assert scope_of(snapshot, tiny_filters(org_unit_id=ALPHA)) is not scope_of(snapshot, tiny_filters())


class TestDerivedFrames:
    def test_an_undeclared_frame_is_refused(self):
        with pytest.raises(KeyError, match="not declared"):
            tiny_snapshot().derived(("nowhere", 1), lambda: pl.DataFrame())

    def test_every_frame_the_screens_compute_is_declared(self):
        # Computing every screen's questions on the tiny organisation reaches every derived frame they use.
        from queries import checkins, overview, progress, strategy_map

        snapshot, filters, settings = tiny_snapshot(), tiny_filters(org_unit_id=ALPHA), Settings()
        for query in (overview.overview_kpis, overview.objective_progress, progress.objective_burnup,
                      progress.pace_heatmap, checkins.checkin_kpis, strategy_map.strategy_map):
            query(snapshot, filters, HR, settings)
        used = {key[0] if isinstance(key, tuple) else key for memo in snapshot._memos.values()
                for key in memo._items}
        assert used <= set(FRAMES)


class TestMemoBudget:
    """Arrays of 50 float64 weigh 400 bytes each: a budget of 1,000 bytes holds two of them."""

    @staticmethod
    def _array(calls: list[int], n: int):
        def compute():
            calls.append(n)
            return np.full(50, float(n))

        return compute

    def test_the_least_recently_used_go_first_beyond_the_budget(self):
        memo, calls = BoundedMemo(capacity=10, budget=1_000), []
        for n in (1, 2):
            memo.get(n, self._array(calls, n))
        memo.get(1, self._array(calls, 1))  # used again: 2 is now the least recently used
        memo.get(3, self._array(calls, 3))  # 1,200 bytes: 2 goes
        assert memo.bytes == 800
        memo.get(1, self._array(calls, 1))
        memo.get(2, self._array(calls, 2))
        assert calls == [1, 2, 3, 2]  # only 2 was computed again

    def test_the_entry_count_still_bounds_small_entries(self):
        memo = BoundedMemo(capacity=2, budget=1_000_000)
        for n in range(5):
            memo.get(n, lambda: "small")
        assert list(memo._items) == [3, 4]

    def test_an_entry_larger_than_the_budget_is_kept_alone(self):
        memo, calls = BoundedMemo(capacity=10, budget=1_000), []
        memo.get(1, self._array(calls, 1))
        memo.get("big", lambda: np.zeros(1_000))  # 8,000 bytes
        assert list(memo._items) == ["big"] and memo.bytes == 8_000

    def test_a_footprint_counts_frames_and_arrays_once_and_never_the_snapshot(self):
        frame = pl.DataFrame({"a": np.arange(100, dtype=np.int64)})  # 800 bytes
        holder = type("Holder", (), {})()
        holder.snapshot, holder.frame, holder.again = tiny_snapshot(), frame, frame
        assert footprint((holder, np.zeros(10), [frame])) == 800 + 80


class TestOneComputationPerKey:
    @staticmethod
    def _ask_in_thread(memo: BoundedMemo, compute) -> tuple[threading.Thread, list]:
        """A thread asking `memo` for "key"; its list gets the answer, or the exception it raised."""
        answers: list = []

        def ask() -> None:
            try:
                answers.append(memo.get("key", compute))
            except RuntimeError as error:
                answers.append(error)

        thread = threading.Thread(target=ask)
        thread.start()
        return thread, answers

    def test_callers_asking_meanwhile_wait_for_the_one_computation(self):
        memo, calls, started, release = BoundedMemo(), [], threading.Event(), threading.Event()

        def slow():
            calls.append("first")
            started.set()
            release.wait(10)
            return ["the frame"]

        first, first_answers = self._ask_in_thread(memo, slow)
        started.wait(10)
        second, second_answers = self._ask_in_thread(memo, lambda: calls.append("second") or ["another"])
        time.sleep(0.2)  # the second caller is now waiting for the first computation
        release.set()
        first.join(10), second.join(10)
        assert calls == ["first"]
        assert second_answers[0] is first_answers[0]

    def test_when_the_computation_raises_a_waiting_caller_computes_itself(self):
        memo, started, release = BoundedMemo(), threading.Event(), threading.Event()

        def failing():
            started.set()
            release.wait(10)
            raise RuntimeError("the first computation failed")

        first, first_answers = self._ask_in_thread(memo, failing)
        started.wait(10)
        second, second_answers = self._ask_in_thread(memo, lambda: "computed again")
        time.sleep(0.2)
        release.set()
        first.join(10), second.join(10)
        assert isinstance(first_answers[0], RuntimeError) and second_answers == ["computed again"]
        assert memo.get("key", lambda: "not asked") == "computed again"


class TestKpiRecords:
    def test_help_text_follows_the_settings(self):
        frame = overview_kpis(tiny_snapshot(), tiny_filters(), HR, Settings(checkin_window_days=14))
        helps = dict(frame.select("kpi", "help").rows())
        assert "14 days" in helps["checkin_coverage"]
        assert "90%" in helps["on_track"]

    def test_the_expected_figure_is_not_a_card_but_feeds_the_progress_help(self):
        frame = overview_kpis(tiny_snapshot(), tiny_filters(), HR, Settings())
        rows = {row["kpi"]: row for row in frame.to_dicts()}
        assert not rows["expected"]["card"]
        assert f"{rows['expected']['value']:.0%}" in rows["progress"]["help"]
        assert not rows["behind"]["rise_is_good"] and rows["on_track"]["rise_is_good"]
