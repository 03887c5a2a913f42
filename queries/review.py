"""The quarterly review's own questions, beside the screens' ones that the review pack reuses as they are."""

from __future__ import annotations

import polars as pl

from queries.model import Filters, Settings, Snapshot, Viewer
from queries.overview import objectives_most_behind
from queries.scope import with_names

DEFAULT_SETTINGS = Settings()


def objectives_most_behind_with_owners(
    snapshot: Snapshot, filters: Filters, viewer: Viewer, settings: Settings = DEFAULT_SETTINGS, limit: int = 5
) -> pl.DataFrame:
    """The Overview's objectives furthest behind pace (lowest progress / expected), with each objective's owner
    (the person named on the goal, else none) and owning unit."""
    behind = objectives_most_behind(snapshot, filters, viewer, settings, limit=limit)
    owners = with_names(snapshot, snapshot.goal.select("id", "owner_employee_id", "org_unit_id"))
    return behind.join(owners.select("id", "owner", "team"), on="id", how="left", maintain_order="left")
