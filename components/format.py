"""One way to write numbers on screen."""

from __future__ import annotations

from datetime import date, datetime

EMPTY = "—"


def pct(value: float | None, digits: int = 0) -> str:
    """0.4237 -> '42%'; None -> '—'."""
    if value is None:
        return EMPTY
    return f"{value * 100:.{digits}f}%"


def pct_points(delta: float | None) -> str | None:
    """A change of shares in percentage points: 0.031 -> '+3.1 pp'."""
    if delta is None:
        return None
    return f"{delta * 100:+.1f} pp"


def count(value: float | int | None) -> str:
    if value is None:
        return EMPTY
    return f"{int(round(value)):,}"


def day(value: date | datetime | None) -> str:
    if value is None:
        return EMPTY
    return value.strftime("%d %b %Y")


def moment(value: datetime) -> str:
    return value.strftime("%d %b %Y, %H:%M")
