"""Every frame derived from a snapshot, declared once: what is kept, per what key, and what is stored on disk.

Queries ask `snapshot.derived((name, *key), compute)`; the name must be declared here, and its declaration alone
decides where the frame is kept:

- `shared`: frames many filter choices start from (a year's roll-up, the org-subtree closure); one memo per
  snapshot bounded in bytes (BUDGET), so they live as long as the data they were computed from and no longer, and
  a process's memory stays level however many periods people open (a stored frame pushed out is mapped again);
- `per_filters`: frames of one filter choice (a scope, its roll-up, its people); a memo of their own, so many
  people changing filters never push the shared frames out;
- `replay`: one day's replay of the update history for the burn-ups; many small frames, kept apart for the same
  reason;
- `persist`: also written beside the stored snapshot (queries/store.py), so the next process starting on the same
  data maps it instead of computing it; its key must describe the frame completely (its repr names the file).

Query results per (query, filters, viewer) are memoised once more at the caching seam (components/data.py); that
memo and the snapshot itself are the only other caches.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Memo = Literal["shared", "per_filters", "replay"]

MB = 1024 * 1024
# Bytes kept per snapshot in each memo (the frames' estimated sizes, queries/model.py `footprint`), and at most so
# many entries; the least recently used go first. At the large profile a year's roll-up is about 35 MB and a goal
# graph about 40 MB, so the shared budget holds what several periods' screens start from.
BUDGET: dict[str, int] = {"shared": 384 * MB, "per_filters": 96 * MB, "replay": 32 * MB}
CAPACITY: dict[str, int] = {"shared": 48, "per_filters": 32, "replay": 64}


@dataclass(frozen=True)
class Frame:
    """A derived frame: where it is kept and whether it is stored on disk."""

    memo: Memo = "shared"
    persist: bool = False


FRAMES: dict[str, Frame] = {
    # the calendar and the org
    "periods": Frame(),
    "org_closure": Frame(),
    "manager_closure": Frame(),
    "visible_unit_ids": Frame(),
    "visible_region_ids": Frame(),
    "visible_unit_paths": Frame(),
    "visible_unit_labels": Frame(),
    "demo_managers": Frame(),
    "names_by_email": Frame(),
    # the roll-up universe of a year and its progress
    "kr_progress": Frame(persist=True),
    "period_progress": Frame(persist=True),
    "year_edges": Frame(),
    "year_goals": Frame(),
    "goal_graph": Frame(),
    "own_progress": Frame(),
    "measured_on_graph": Frame(),
    "organisation_rows": Frame(),
    "milestone_points": Frame(),
    "goal_periods": Frame(),
    "phase_inputs": Frame(),
    "phase_resting": Frame(),
    "phase_by_period": Frame(),
    "phased_goals": Frame(memo="replay"),
    "business_below_company": Frame(),
    # forecasts
    "forecast_walks": Frame(persist=True),
    "forecast_own_samples": Frame(),
    "owner_confidence": Frame(),
    "forecast_backtest": Frame(),
    "burnup_replay": Frame(),
    "replayed_day": Frame(memo="replay"),
    "replayed_grid": Frame(memo="replay"),
    # alignment
    "alignment": Frame(persist=True),
    "aligned_goals": Frame(),
    "owner_goal_stats": Frame(),
    # check-ins
    "active_checkins": Frame(),
    "person_cadence": Frame(),
    "checkin_intervals": Frame(),
    "checked_in": Frame(),
    "weekly_unit_checkins": Frame(),
    "unit_progress": Frame(),
    # ratings
    "cycle_ratings": Frame(),
    "rated_in_cycle": Frame(),
    "reviewer_labels": Frame(),
    "reviewer_units": Frame(),
    # one filter choice
    "scope": Frame(memo="per_filters"),
    "scope_people": Frame(memo="per_filters"),
    "scope_cadence": Frame(memo="per_filters"),
    "scope_goals": Frame(memo="per_filters"),
    "scope_progress": Frame(memo="per_filters"),
    "scope_objectives": Frame(memo="per_filters"),
    "objective_forecast": Frame(memo="per_filters"),
    "strategy_map_goals": Frame(memo="per_filters"),
    "strategy_map_tree": Frame(memo="per_filters"),
    "strategy_map_nodes": Frame(memo="per_filters"),
    "rating_protection": Frame(memo="per_filters"),
}


def frame_of(key: object) -> Frame:
    """The declaration of a derived frame's key (its name, or a tuple starting with its name)."""
    name = key[0] if isinstance(key, tuple) else key
    try:
        return FRAMES[name]  # type: ignore[index]
    except (KeyError, TypeError):
        raise KeyError(f"derived frame {name!r} is not declared in queries/derived.py") from None
