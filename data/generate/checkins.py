"""The demo company's check-ins: every report of a manager, at the manager's cadence."""

from __future__ import annotations

import numpy as np
import polars as pl

from data.generate.catalogue import (
    CADENCE_GAP_DAYS,
    CADENCE_HELD_SHARE,
    CADENCE_SHARES,
    CHECKIN_KIND_SHARES,
    LAPSING,
    RESCHEDULED_SHARE,
)
from data.generate.company import DemoCompany
from data.generate.draws import DrawRun, dates, is_weekend, model_frame, pick, within_group
from data.schema import CHECKIN_KINDS

SLICE_REPORTS = 100_000  # about 4M meetings per slice at the weekly, biweekly and four-weekly cadences


def checkins(company: DemoCompany) -> dict[str, pl.DataFrame]:
    """Every report of a manager, at the manager's cadence, from 1 January of last year to today."""
    rng = company.rng
    n = company.n_employees
    cadence_of_manager = rng.choice(4, size=n, p=CADENCE_SHARES)
    lapse_day = company.today_day - rng.integers(45, 121, n)
    reports = np.flatnonzero(company.manager > 0)
    manager_position = company.manager[reports] - 1
    cadence = cadence_of_manager[manager_position]
    window_start = company.period_start[0]
    start = np.maximum(window_start, company.hire_day[reports] + 7)
    end = np.minimum(company.today_day, company.leave_day[reports])
    end = np.where(cadence == LAPSING, np.minimum(end, lapse_day[manager_position]), end)
    gap = np.array(CADENCE_GAP_DAYS)[cadence]
    # Each pair meets on its own weekday; the series keeps it (gaps are whole weeks).
    meeting_weekday = rng.integers(0, 5, len(reports))
    to_weekday = (meeting_weekday - (start + 3)) % 7
    first = start + to_weekday + 7 * (rng.random(len(reports)) * (gap // 7)).astype(np.int64)
    counts = np.where(end >= first, (end - first) // gap + 1, 0)

    # The meetings are drawn a slice of reports at a time; each run of draws comes out as drawn in one call.
    n_meetings = int(counts.sum())
    rescheduled = DrawRun(rng, lambda g, size: g.random(size), n_meetings).reader()
    shift_by = DrawRun(rng, lambda g, size: g.choice((-2, -1, 1, 2), size=size), n_meetings).reader()
    held_draw = DrawRun(rng, lambda g, size: g.random(size), n_meetings).reader()
    held_share = np.array(CADENCE_HELD_SHARE)[cadence]
    slices = []
    for first_report in range(0, len(reports), SLICE_REPORTS):
        mine = slice(first_report, min(first_report + SLICE_REPORTS, len(reports)))
        row = np.repeat(np.arange(mine.start, mine.stop), counts[mine])
        held = first[row] + within_group(counts[mine]) * gap[row]
        # A rescheduled meeting moves a day or two, to the other side when that would hit a weekend.
        shift = (rescheduled(len(row)) < RESCHEDULED_SHARE) * shift_by(len(row))
        held = np.where(is_weekend(held + shift), held - shift, held + shift)
        kept = (held_draw(len(row)) < held_share[row]) & (held >= start[row]) & (held <= end[row])
        slices.append((row[kept], held[kept]))
    total = sum(len(row) for row, _ in slices)
    kind = DrawRun(rng, lambda g, size: g.choice(3, size=size, p=CHECKIN_KIND_SHARES), total).reader()
    parts, first_id = [], 1
    for row, held in slices:
        parts.append(
            model_frame(
                "checkin",
                id=np.arange(first_id, first_id + len(row)),
                employee_id=reports[row] + 1,
                manager_id=company.manager[reports][row],
                held_at=dates(held),
                kind=pick(CHECKIN_KINDS, kind(len(row))),
            )
        )
        first_id += len(row)
    return {"checkin": pl.concat(parts, rechunk=False)}
