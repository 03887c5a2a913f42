"""The Strategy map on the tiny organisation (tests/tiny_org.py), with numbers worked out on paper, and its page.

Tiny org as the map sees it for 2026-Q4 as of 15 Nov 2026 (business goals of Q4 and of the year, none archived):

    1 Grow revenue (objective)        <- 10 Ship platform <- 20 Launch API <- 30 Bob: API docs
                                                          <- 21 Scale infra <- 32 Max: autoscaling
    2 Delight customers (objective, nothing ladders up to it: "no support")
    31 Cat: side project (no parent; its "supports" link to 20 does not count: an orphan)

goals in scope below each goal in the tree: 30, 32, 31, 2: 0;  20, 21: 1;  10: 4 (20, 21, 30, 32);  1: 5
contributing goals of objective 1 (alignment): 10, 20, 21, 30, 32 = 5; of objective 2: 0
"""

import re

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from components.strategy_map import map_html, radial_layout
from queries.model import Settings, Viewer
from queries.strategy_map import (
    ORPHANS,
    _tree_counts,
    map_goals,
    map_links,
    objective_support,
    orphan_goals,
    strategy_map,
)
from tests.reference import tree_counts_by_joins
from tests.tiny_org import NORTH, SOUTH, tiny_filters, tiny_snapshot

SETTINGS = Settings()
VIEWER = Viewer("exec@acme.test", "executive")
REMOTE = re.compile(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", re.IGNORECASE)


def node_ids(nodes: pl.DataFrame) -> list[str]:
    return sorted(nodes["node_id"].to_list())


def with_two_more_teams():
    """Goals 23 and 24: two more Q4 Beta team goals under 10, so 10 has four children."""
    snap = tiny_snapshot()
    extra = snap.goal.filter(pl.col("id") == 21).vstack(snap.goal.filter(pl.col("id") == 21))
    extra = extra.with_columns(pl.Series("id", [23, 24]), pl.Series("title", ["Cut costs", "Hire well"]))
    return tiny_snapshot(goal=pl.concat([snap.goal, extra]))


class TestMapGoals:
    def test_tree_counts_and_gaps(self):
        goals = map_goals(tiny_snapshot(), tiny_filters(), SETTINGS)
        by_id = {row["id"]: row for row in goals.to_dicts()}
        assert set(by_id) == {1, 2, 10, 20, 21, 30, 31, 32}  # 22 is Q3, 33 development, 34 archived
        assert {i: by_id[i]["below"] for i in by_id} == {1: 5, 2: 0, 10: 4, 20: 1, 21: 1, 30: 0, 31: 0, 32: 0}
        assert by_id[31]["primary_parent"] is None and by_id[31]["orphan"]
        assert by_id[30]["primary_parent"] == 20 and by_id[30]["primary_link"] == "parent"
        assert (by_id[1]["contributing"], by_id[1]["support"]) == (5, None)
        assert (by_id[2]["contributing"], by_id[2]["support"]) == (0, "none")

    def test_a_contributes_link_hangs_a_goal_without_parent(self):
        snap = tiny_snapshot()
        links = snap.goal_link.with_columns(pl.lit("contributes").alias("link_type"))  # 31 now contributes to 20
        goals = map_goals(tiny_snapshot(goal_link=links), tiny_filters(), SETTINGS)
        row = goals.filter(pl.col("id") == 31).to_dicts()[0]
        assert (row["primary_parent"], row["primary_link"], row["orphan"]) == (20, "contributes", False)

    def test_progress_is_carried_by_the_scope(self):
        # South carries 21 (0.9) and 32, so 10 and 1 roll up from 21 alone: 0.9.
        goals = map_goals(tiny_snapshot(), tiny_filters(region_ids=(SOUTH,)), SETTINGS)
        progress = dict(zip(goals["id"].to_list(), goals["progress"].to_list(), strict=True))
        assert progress[1] == pytest.approx(0.9) and progress[10] == pytest.approx(0.9)
        assert 20 not in progress  # North's goal is not on South's map
        # Objective 2 is still on the map, with nothing to measure in this scope.
        assert progress[2] is None

    def test_thin_support_is_a_setting(self):
        goals = map_goals(tiny_snapshot(), tiny_filters(), Settings(thin_support=6))
        assert goals.filter(pl.col("id") == 1)["support"][0] == "thin"  # 5 contributing goals < 6


@st.composite
def map_trees(draw) -> pl.DataFrame:
    """Goals with at most one primary parent each: another goal (any, so cycles and self-links happen), a goal not
    on the map, or none; some of them in scope."""
    ids = draw(st.lists(st.integers(1, 40), max_size=14, unique=True))
    parents = [draw(st.one_of(st.none(), st.sampled_from([*ids, 99]))) for _ in ids]
    in_scope = [draw(st.booleans()) for _ in ids]
    return pl.DataFrame(
        {"id": ids, "primary_parent": parents, "in_scope": in_scope},
        schema={"id": pl.Int64, "primary_parent": pl.Int64, "in_scope": pl.Boolean},
    )


class TestTreeCounts:
    @settings(max_examples=200, deadline=None)
    @given(map_trees())
    def test_positions_count_as_the_joins_do(self, goals):
        assert_frame_equal(_tree_counts(goals), tree_counts_by_joins(goals))

    def test_a_cycle_counts_each_goal_once_and_never_below_itself(self):
        """3 -> 2 -> 1 -> 2 (a cycle of 1 and 2), all in scope: 3 counts below 2 and 1; 2 below 1; 1 below 2."""
        goals = pl.DataFrame({"id": [1, 2, 3], "primary_parent": [2, 1, 2], "in_scope": [True, True, True]})
        counts = _tree_counts(goals)
        assert dict(zip(counts["id"], counts["below"], strict=True)) == {1: 2, 2: 2, 3: 0}
        assert dict(zip(counts["id"], counts["children"], strict=True)) == {1: 1, 2: 2, 3: 0}


class TestSelection:
    def test_every_objective_two_layers_down(self):
        nodes = strategy_map(tiny_snapshot(), tiny_filters(), VIEWER, SETTINGS, depth=2)
        assert node_ids(nodes) == sorted(["g1", "g2", ORPHANS, "g10", "g31", "g20", "g21"])
        hidden = dict(zip(nodes["node_id"].to_list(), nodes["hidden"].to_list(), strict=True))
        assert (hidden["g20"], hidden["g21"], hidden["g10"]) == (1, 1, 0)  # 30 and 32 lie one layer deeper
        parents = dict(zip(nodes["node_id"].to_list(), nodes["parent_node_id"].to_list(), strict=True))
        assert parents["g31"] == ORPHANS and parents["g20"] == "g10" and parents["g1"] is None

    def test_depth_first_order_for_the_tree_table(self):
        nodes = strategy_map(tiny_snapshot(), tiny_filters(), VIEWER, SETTINGS, depth=3)
        order = nodes.sort("order")["node_id"].to_list()
        assert order.index("g10") == order.index("g1") + 1
        assert order.index("g30") == order.index("g20") + 1  # a child right under its parent
        assert order.index("g31") == order.index(ORPHANS) + 1

    def test_a_goal_as_root(self):
        nodes = strategy_map(tiny_snapshot(), tiny_filters(), VIEWER, SETTINGS, root=10, depth=1)
        assert node_ids(nodes) == ["g10", "g20", "g21"]
        assert nodes.filter(pl.col("node_id") == "g10")["parent_goal_id"][0] == 1

    def test_a_root_not_on_the_map_gives_nothing(self):
        assert strategy_map(tiny_snapshot(), tiny_filters(), VIEWER, SETTINGS, root=22).is_empty()  # Q3 goal

    def test_one_snapshot_keeps_each_choice_and_its_links_apart(self):
        """The nodes are memoised per filters, root, depth and budget: one snapshot answering them in a row gives
        each its own nodes (those of the tests above), and the links always join the nodes of the same choice."""
        snap = tiny_snapshot()
        choices = [
            ({}, {"depth": 2}, ["g1", "g2", ORPHANS, "g10", "g31", "g20", "g21"]),
            ({}, {"root": 10, "depth": 1}, ["g10", "g20", "g21"]),
            ({}, {"depth": 1}, ["g1", "g2", ORPHANS, "g10", "g31"]),
            ({"region_ids": (NORTH,)}, {"depth": 1}, ["g1", "g2", "g10"]),
            ({}, {"depth": 2}, ["g1", "g2", ORPHANS, "g10", "g31", "g20", "g21"]),
        ]
        for filters, options, expected in choices:
            nodes = strategy_map(snap, tiny_filters(**filters), VIEWER, SETTINGS, **options)
            assert node_ids(nodes) == sorted(expected), (filters, options)
            links = map_links(snap, tiny_filters(**filters), VIEWER, SETTINGS, **options)
            assert set(links["source"]) | set(links["target"]) <= set(expected), (filters, options)

    def test_the_budget_refunds_the_more_node_when_all_children_fit(self):
        # 7 nodes: 1, 2, "Not laddering up"; each root first shows its best child: 10 under 1, 31 under the orphans
        # node (5 nodes). Then 20 costs 2 (itself and "+1 more" for 10's other child), and 21 costs nothing, since
        # the "+1 more" node gives way to it.
        nodes = strategy_map(tiny_snapshot(), tiny_filters(), VIEWER, SETTINGS, depth=2, max_nodes=7)
        assert node_ids(nodes) == sorted(["g1", "g2", ORPHANS, "g10", "g31", "g20", "g21"])
        # With 6, 20 no longer fits: 10 shows none of its two children.
        nodes = strategy_map(tiny_snapshot(), tiny_filters(), VIEWER, SETTINGS, depth=2, max_nodes=6)
        assert node_ids(nodes) == sorted(["g1", "g2", ORPHANS, "g10", "g31"])
        assert nodes.filter(pl.col("node_id") == "g10")["hidden"][0] == 2

    def test_children_that_do_not_fit_collapse_into_more(self):
        # 10 has four children (20, 21, 23, 24): with 8 nodes, 1, 2, orphans, 10, 31, then 20 (+more), 21 fit, and
        # the "+2 more" node stands for 23 and 24.
        nodes = strategy_map(with_two_more_teams(), tiny_filters(), VIEWER, SETTINGS, depth=2, max_nodes=8)
        assert nodes.height == 8
        more = nodes.filter(pl.col("kind") == "more").to_dicts()
        assert [(m["node_id"], m["parent_node_id"], m["hidden"], m["title"]) for m in more] == [
            ("more-g10", "g10", 2, "+2 more")
        ]
        assert {"g20", "g21"} <= set(nodes["node_id"].to_list())  # the measured ones come before the empty ones

    @pytest.mark.parametrize("max_nodes", [3, 4, 5, 8, 300])
    def test_never_more_nodes_than_the_budget(self, max_nodes):
        nodes = strategy_map(with_two_more_teams(), tiny_filters(), VIEWER, SETTINGS, depth=4, max_nodes=max_nodes)
        assert nodes.height <= max(max_nodes, 3)  # the roots (two objectives and "Not laddering up") always show


class TestLinksAndGaps:
    def test_links_by_kind(self):
        links = map_links(tiny_snapshot(), tiny_filters(), VIEWER, SETTINGS, depth=3)
        kinds = {(r["source"], r["target"]): r["link_type"] for r in links.to_dicts()}
        assert kinds == {
            ("g10", "g1"): "parent", ("g20", "g10"): "parent", ("g21", "g10"): "parent",
            ("g30", "g20"): "parent", ("g32", "g21"): "parent", ("g31", ORPHANS): "orphans",
            ("g31", "g20"): "supports",
        }  # fmt: skip

    def test_orphans_and_objective_support(self):
        snap, filters = tiny_snapshot(), tiny_filters()
        assert orphan_goals(snap, filters, VIEWER, SETTINGS)["id"].to_list() == [31]
        support = objective_support(snap, filters, VIEWER, SETTINGS)
        assert support.select("id", "contributing", "support").rows() == [(2, 0, "none")]

    def test_north_has_no_orphans(self):
        assert orphan_goals(tiny_snapshot(), tiny_filters(region_ids=(NORTH,)), VIEWER, SETTINGS).is_empty()


class TestHtml:
    def html(self) -> str:
        snap, filters = tiny_snapshot(), tiny_filters()
        nodes = strategy_map(snap, filters, VIEWER, SETTINGS, depth=3)
        return map_html(nodes, map_links(snap, filters, VIEWER, SETTINGS, depth=3))

    def test_works_offline(self):
        html = self.html()
        assert "vis.Network" in html and "<script src" not in html
        assert not REMOTE.search(html), REMOTE.search(html)

    def test_the_remote_check_can_fail(self):
        assert REMOTE.search('<link href="https://cdn.example/x.css">')
        assert REMOTE.search("<script src='//cdn.example/x.js'>")

    def test_carries_every_node_with_its_tooltip(self):
        html = self.html()
        for node in ("g1", "g2", "g10", "g20", "g21", "g30", "g31", "g32", ORPHANS):
            assert f'"id": "{node}"' in html
        assert "Alignment gap: reaches no company objective" in html
        assert "Alignment gap: no goal in scope ladders up to this objective" in html

    def test_has_a_png_button_that_saves_the_canvas_on_white(self):
        html = self.html()
        assert '<button id="png" type="button"' in html
        assert 'link.download = "ladder-strategy-map.png";' in html
        assert "toBlob(" in html and 'fillStyle = "#ffffff"' in html

    def test_the_png_is_named_after_the_heading(self):
        snap, filters = tiny_snapshot(), tiny_filters()
        nodes = strategy_map(snap, filters, VIEWER, SETTINGS, depth=3)
        html = map_html(nodes, map_links(snap, filters, VIEWER, SETTINGS, depth=3), heading="Goals of Beta")
        assert 'link.download = "ladder-goals-of-beta.png";' in html

    def test_titles_cannot_break_out_of_the_script(self):
        snap = tiny_snapshot()
        goals = snap.goal.with_columns(
            pl.when(pl.col("id") == 20).then(pl.lit("</script><img src=x onerror=alert(1)>"))
            .otherwise(pl.col("title")).alias("title")
        )
        hostile = tiny_snapshot(goal=goals)
        nodes = strategy_map(hostile, tiny_filters(), VIEWER, SETTINGS, depth=3)
        html = map_html(nodes, map_links(hostile, tiny_filters(), VIEWER, SETTINGS, depth=3))
        assert "</script><img" not in html

    def test_layout_gives_every_node_a_place_on_its_ring(self):
        nodes = strategy_map(tiny_snapshot(), tiny_filters(), VIEWER, SETTINGS, depth=3)
        places, room = radial_layout(nodes)
        assert all(r > 0 for r in room.values())
        assert set(places) == set(nodes["node_id"].to_list())
        radius = {n: round((x * x + y * y) ** 0.5) for n, (x, y) in places.items()}
        assert radius["g30"] > radius["g20"] > radius["g10"] > radius["g1"] > 0


class TestPage:
    PAGE = "pages/review/strategy_map.py"

    @staticmethod
    def map_caption(at) -> str:
        return next(c.value for c in at.caption if "goals on the map" in c.value)

    def test_renders_map_table_and_gaps(self, app_test):
        at = app_test(page=self.PAGE)
        assert not at.exception
        assert [t.value for t in at.title] == ["Strategy map"]
        assert [t.label for t in at.tabs] == ["Map", "Tree table"]
        assert at.get("iframe"), "the map is drawn in an iframe"
        assert "ladder-strategy-map.png" in at.get("iframe")[0].proto.srcdoc, "the map's frame has its PNG button"
        assert len(at.dataframe) >= 1
        assert "Alignment gaps" in [s.value for s in at.subheader]

    def test_a_filter_changes_the_map(self, app_test):
        at = app_test(page=self.PAGE)
        before = self.map_caption(at)
        at.sidebar.multiselect(key="f_regions").set_value([1]).run()
        assert not at.exception
        assert self.map_caption(at) != before
        assert "region" in at.query_params

    def test_root_and_depth_live_in_their_own_url_parameters(self, app_test):
        at = app_test(page=self.PAGE)
        choices = at.selectbox(key="map_root").options
        assert choices[0] == "Every company objective" and len(choices) > 1
        at.selectbox(key="map_root").select_index(1).run()
        at.select_slider(key="map_depth").set_value(3).run()
        assert not at.exception
        assert at.query_params["root"].isdigit() and at.query_params["depth"] == "3"
        assert at.query_params["period"] == "2026-Q4"  # the shared filters stay
        assert self.map_caption(at) != ""

    def test_a_bad_root_in_the_link_is_dropped_with_a_notice(self, app_test):
        at = app_test(page=self.PAGE, query={"root": "999999", "depth": "9"})
        assert not at.exception
        assert any("not on the map" in w.value for w in at.warning)
        assert at.select_slider(key="map_depth").value == 2

