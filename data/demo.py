"""The demo marker: demo mode, where anyone may choose whom to view as, shows only a database that says it is
the demo organisation.

`data.generate` writes the marker (one row in `demo_marker`) after it has written the demo organisation, and
`data.load` removes it before it writes imported files, unless told to keep it. The marker table is not a
snapshot table; writing it bumps the data stamp (data/stamp.py) by hand, so that a snapshot, and whether it
may be shown in demo mode, are always decided together.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import Engine, text

from data.stamp import BUMP

_LOG = logging.getLogger("ladder.demo")


def mark_demo(engine: Engine, written_by: str) -> None:
    """Record that this database holds the demo organisation written by `written_by`."""
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM demo_marker"))
        connection.execute(
            text("INSERT INTO demo_marker (id, written_at, written_by) VALUES (1, :at, :by)"),
            {"at": datetime.now().replace(microsecond=0), "by": written_by[:100]},
        )
        connection.execute(text(BUMP))


def clear_demo(engine: Engine) -> None:
    """Record that this database holds real data: demo mode will not show it any more."""
    with engine.begin() as connection:
        # Asked first: a database that is not a demo is not written to at all (not a byte moves).
        if connection.execute(text("SELECT COUNT(*) FROM demo_marker")).scalar_one():
            connection.execute(text("DELETE FROM demo_marker"))
            connection.execute(text(BUMP))


def is_demo_database(engine: Engine) -> bool:
    """Whether the database carries the demo marker; any doubt (no table, no connection) is a no."""
    try:
        with engine.connect() as connection:
            return connection.execute(text("SELECT COUNT(*) FROM demo_marker")).scalar_one() > 0
    except Exception as error:  # noqa: BLE001 - every driver raises its own kind; the answer is "not a demo"
        _LOG.warning("Could not read the demo marker, so demo mode stays closed: %s", error)
        return False
