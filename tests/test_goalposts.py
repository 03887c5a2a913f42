"""The goalpost audit on hand-worked change sets (tests/tiny_org.py, Q4, whole organisation, as of 2026-11-15).

At the pinned review: goal 20 = (0.5 × 1 + 0.2 × 3) / 4 = 0.275 (KR100 0→100 at 50, KR101 10→0 at 8, weight 3);
21 = 0.9 (KR102 0→10 at 9); 22 = 1.0; 10 = (0.275 + 0.9 + 1.0) / 3 = 0.725; objective 1 "Grow revenue" = 0.725.
Each change below is made to the data after the pin; its flag's effect = progress now - progress with the change
put back, in percentage points:

- lowered target: KR100's target 100 → 80: 20 = (50/80 + 0.6) / 4 = 0.30625; 10 = (0.30625 + 1.9) / 3 =
  0.7354167; effect +1.0417 pp.
- raised target: KR102's target 10 → 12: 21 = 0.75; 10 = (0.275 + 0.75 + 1.0) / 3 = 0.675; effect -5.0 pp.
- changed weight: goal 21's weight 1 → 2: 10 = (0.275 + 2 × 0.9 + 1.0) / 4 = 0.76875; effect +4.375 pp.
- re-parented: goal 21 moves from 10 to objective 2: 10 = (0.275 + 1.0) / 2 = 0.6375, effect on 1 -8.75 pp; objective
  2 had nothing measured and now has 0.9: its effect has no figure (None).
- contributes → supports: at the pin Cat's orphan 31 (0.2) also contributed to 10 (weight 1), now it only supports:
  then 10 = (0.275 + 0.9 + 1.0 + 0.2) / 4 = 0.59375, now 0.725: effect +13.125 pp; and 31 is a new orphan, whose
  effect (its links put back) is the same +13.125 pp.
- archived while behind: goal 20 (behind at the pin: 0.275 against 0.5 expected) archived: 10 = (0.9 + 1.0) / 2 =
  0.95; effect +22.5 pp. Bob's 30, under 20, now reaches no objective: a new orphan; putting its own parent back
  does not bring 20 back, so 0 pp.
- new orphan with no effect: Bob's 30 loses its parent 20; 20 has key results, so nothing moves: one row, 0 pp; the
  same goal is also re-parented, again 0 pp.
"""

import polars as pl
import pytest

from queries.goalposts import goalpost_audit, goalposts_now, objective_moves, scope_key
from queries.model import Settings
from tests.tiny_org import tiny_filters, tiny_snapshot

SETTINGS = Settings()
FILTERS = tiny_filters()


def changed(table: str, ids: pl.Expr, **values) -> dict:
    snapshot = tiny_snapshot()
    frame = getattr(snapshot, table)
    return {table: frame.with_columns(pl.when(ids).then(pl.lit(v)).otherwise(pl.col(c)).alias(c)
                                      for c, v in values.items())}


def audit(then_tables: dict | None = None, **now_tables) -> dict[tuple[str, int | None], float | None]:
    then = goalposts_now(tiny_snapshot(**(then_tables or {})), FILTERS, SETTINGS)
    flags = goalpost_audit(tiny_snapshot(**now_tables), FILTERS, SETTINGS, then)
    return {(row["flag"], row["objective_id"]): row["effect_pp"] for row in flags.iter_rows(named=True)}


def test_nothing_moved_nothing_flagged():
    assert audit() == {}


def test_lowered_target():
    flags = audit(**changed("key_result", pl.col("id") == 100, target_value=80.0))
    assert flags.keys() == {("target_lowered", 1)}
    assert flags[("target_lowered", 1)] == pytest.approx((0.7354167 - 0.725) * 100, abs=1e-4)


def test_raised_target():
    flags = audit(**changed("key_result", pl.col("id") == 102, target_value=12.0))
    assert flags == {("target_raised", 1): pytest.approx(-5.0)}


def test_changed_weight():
    flags = audit(**changed("goal", pl.col("id") == 21, weight=2.0))
    assert flags == {("weight_changed", 1): pytest.approx(4.375)}


def test_re_parented():
    flags = audit(**changed("goal", pl.col("id") == 21, parent_id=2))
    assert flags == {("re_parented", 1): pytest.approx(-8.75), ("re_parented", 2): None}


def test_contributes_switched_to_supports():
    then = {"goal_link": tiny_snapshot().goal_link.with_columns(pl.lit("contributes").alias("link_type"),
                                                                 pl.lit(10, pl.Int64).alias("target_goal_id"))}
    now = {"goal_link": then["goal_link"].with_columns(pl.lit("supports").alias("link_type"))}
    flags = audit(then, **now)
    assert flags == {("now_supports", 1): pytest.approx(13.125), ("new_orphan", 1): pytest.approx(13.125)}


def test_archived_while_behind():
    flags = audit(**changed("goal", pl.col("id") == 20, archived=True))
    assert flags == {("archived_behind", 1): pytest.approx(22.5), ("new_orphan", None): 0.0}


def test_a_new_orphan_that_moves_nothing_is_still_flagged():
    flags = audit(**changed("goal", pl.col("id") == 30, parent_id=None))
    assert flags == {("re_parented", None): 0.0, ("new_orphan", None): 0.0}


def test_objective_moves_since_the_pin():
    """The lowered target moves objective 1 from 0.725 to 0.7354167; objective 2 stays without data."""
    then = goalposts_now(tiny_snapshot(), FILTERS, SETTINGS)
    moves = objective_moves(tiny_snapshot(**changed("key_result", pl.col("id") == 100, target_value=80.0)), FILTERS,
                            SETTINGS, then)
    row = moves.filter(pl.col("goal_id") == 1).row(0, named=True)
    assert row["progress_then"] == pytest.approx(0.725) and row["progress_now"] == pytest.approx(0.7354167)
    assert row["change_pp"] == pytest.approx(1.04167, abs=1e-4)


def test_the_scope_key_ignores_the_date_and_the_order_of_regions():
    assert scope_key(tiny_filters(region_ids=(2, 1))) == scope_key(tiny_filters(region_ids=(1, 2), as_of=FILTERS.as_of))
    assert scope_key(tiny_filters(org_unit_id=4)) != scope_key(FILTERS)


def test_a_pin_is_stored_and_read_back_without_changing_the_data_stamp(engine, database_url):
    """The last pin of a scope comes back frame for frame; another scope's pin is not it."""
    from datetime import date

    from data.review_pins import last_pin, save_pin
    from data.stamp import read_stamp
    from tests.tiny_org import write_tiny

    write_tiny(engine)
    before = read_stamp(engine)
    posts = goalposts_now(tiny_snapshot(), FILTERS, SETTINGS)
    frames = {"objectives": posts.objectives, "goals": posts.goals, "key_results": posts.key_results,
              "links": posts.links}
    save_pin(database_url, scope_key="other", period_id=1, as_of=date(2026, 11, 1), pinned_by="x@y", frames=frames)
    pin_id = save_pin(database_url, scope_key=scope_key(FILTERS), period_id=FILTERS.period_id, as_of=FILTERS.as_of,
                      pinned_by="hr@acme.example", frames=frames)
    assert read_stamp(engine) == before
    pin = last_pin(database_url, scope_key(FILTERS))
    assert pin.id == pin_id and pin.as_of == FILTERS.as_of
    for name, frame in frames.items():
        assert pin.frames[name].sort(pin.frames[name].columns).equals(frame.sort(frame.columns)), name
    assert last_pin(database_url, "nobody's scope") is None
