"""The demo company's key results, their phased targets (milestones) and their progress history."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

import numpy as np
import polars as pl

from data.generate.catalogue import (
    BUSINESS_METRICS,
    DEVELOPMENT_METRICS,
    LEVEL_COMPANY,
    LEVEL_DEPARTMENT,
    LEVEL_TEAM,
    Metric,
)
from data.generate.company import DemoCompany
from data.generate.draws import DrawRun, dates, draw_weight, model_frame, pick, within_group


def _metrics(company: DemoCompany) -> tuple[np.ndarray, np.ndarray]:
    """Each key result's goal (by position) and metric (index into business + development metrics).

    1-4 key results on team and individual goals (mostly 1-2), one on development goals, 15% of
    department goals have 1-2; objectives roll up from below."""
    rng, goal = company.rng, company.goal
    n_goals = len(goal["id"])
    level, development = goal["level"], goal["development"]
    kr_count = np.select(
        [level == LEVEL_COMPANY, level == LEVEL_DEPARTMENT, development, level == LEVEL_TEAM],
        [
            0,
            np.where(rng.random(n_goals) < 0.15, 1 + (rng.random(n_goals) < 0.4), 0),
            1,
            1 + rng.choice(4, size=n_goals, p=(0.40, 0.38, 0.17, 0.05)),
        ],
        default=1 + rng.choice(4, size=n_goals, p=(0.75, 0.18, 0.05, 0.02)),
    )
    owner = np.repeat(np.arange(n_goals), kr_count)
    n = len(owner)
    # Each division draws from the metrics that fit its work.
    fits = np.array(
        [[not m.divisions or d.name in m.divisions for m in BUSINESS_METRICS] for d in company.divisions], dtype=float
    )
    cumulative = np.cumsum(fits / fits.sum(axis=1, keepdims=True), axis=1)
    division = company.unit_division[goal["unit"][owner]]
    business = (rng.random(n)[:, None] > cumulative[np.maximum(division, 0)]).sum(axis=1)
    business = np.minimum(business, len(BUSINESS_METRICS) - 1)  # guards float rounding at the top end
    learning = rng.integers(0, len(DEVELOPMENT_METRICS), n)
    metric = np.where(development[owner], len(BUSINESS_METRICS) + learning, business)
    return owner, metric


def _attribute(metrics: tuple[Metric, ...], metric: np.ndarray, name: str) -> np.ndarray:
    return np.array([getattr(m, name) if getattr(m, name) is not None else np.inf for m in metrics])[metric]


def _targets(company: DemoCompany, metric: np.ndarray) -> dict[str, np.ndarray]:
    """Start, target (never equal), rounding scale, ceiling and direction per key result."""
    rng = company.rng
    attribute = partial(_attribute, BUSINESS_METRICS + DEVELOPMENT_METRICS, metric)
    decimals = attribute("decimals").astype(np.int64)
    scale = 10.0**decimals
    start = np.round(rng.uniform(attribute("start_low"), attribute("start_high")) * scale) / scale
    change = rng.uniform(attribute("change_low"), attribute("change_high"))
    change = np.where(attribute("relative").astype(bool), change * start, change)
    change = np.maximum(np.round(change * scale) / scale, 1 / scale)  # target never equals start
    decrease = np.array([m.direction == "decrease" for m in BUSINESS_METRICS + DEVELOPMENT_METRICS])[metric]
    ceiling = attribute("ceiling")
    target = np.where(decrease, start - change, np.minimum(start + change, ceiling))
    target = np.where(target == start, start - 1 / scale, target)
    return {"start": start, "target": target, "scale": scale, "ceiling": ceiling, "decrease": decrease}


# Key results per slice of the update history: the history of a million people is drawn a slice at a time,
# so the generator never holds every update's intermediate arrays at once.
SLICE_KEY_RESULTS = 250_000


@dataclass(frozen=True)
class _Cadence:
    """Each key result's update cadence: the draws of `_update_days`, made once for every key result."""

    period_start: np.ndarray
    period_end: np.ndarray
    last_day: np.ndarray
    gap: np.ndarray
    first_offset: np.ndarray
    regular: np.ndarray  # regular updates per key result
    stopped: np.ndarray
    jitter: DrawRun  # a day or two either way for every regular update, in key-result order
    closing_day: np.ndarray
    closing_draw: np.ndarray  # < 0.85: the owner scores the finished period


def _cadence(company: DemoCompany, is_development: np.ndarray, slot: np.ndarray) -> _Cadence:
    """Every 1-3 weeks (development: 4-8 weeks) from the period start to today, ~5% never and ~8% stopping
    part-way, plus a closing update in the last days of most finished periods."""
    rng, n = company.rng, len(slot)
    period_start, period_end = company.period_start[slot], company.period_end[slot]
    gap = np.where(
        is_development, rng.choice((30, 45, 60), size=n), rng.choice((7, 14, 21), size=n, p=(0.15, 0.45, 0.40))
    )
    first_offset = (rng.random(n) * gap).astype(np.int64) + 3
    last_day = np.minimum(company.today_day, period_end)
    horizon = last_day - period_start
    regular = np.where(horizon >= first_offset, (horizon - first_offset) // gap + 1, 0)
    never_updated = rng.random(n) < 0.05
    stopped = rng.random(n) < 0.08
    regular = np.where(never_updated, 0, np.where(stopped, np.ceil(regular * rng.uniform(0.3, 0.8, n)), regular))
    regular = regular.astype(np.int64)
    jitter = DrawRun(rng, lambda g, size: g.integers(-2, 3, size), int(regular.sum()))
    closing_day = period_end - rng.integers(0, 6, n)
    closing_draw = rng.random(n)
    return _Cadence(
        period_start, period_end, last_day, gap, first_offset, regular, stopped, jitter, closing_day, closing_draw
    )


def _update_days(
    company: DemoCompany, cadence: _Cadence, krs: slice, jitter: Callable[[int], np.ndarray]
) -> tuple[np.ndarray, np.ndarray]:
    """(key result of each update, day of each update) for the key results `krs`, sorted; `jitter` reads
    their regular updates' draws, in order."""
    c = cadence
    regular = c.regular[krs]
    kr_of_update = np.repeat(np.arange(krs.start, krs.stop), regular)
    at = c.period_start[kr_of_update] + c.first_offset[kr_of_update] + within_group(regular) * c.gap[kr_of_update]
    at = np.clip(at + jitter(len(at)), c.period_start[kr_of_update], c.last_day[kr_of_update])
    # Most owners score a finished period in its last days, after their last regular update.
    last_regular = np.where(regular > 0, at[np.maximum(np.cumsum(regular) - 1, 0)] if len(at) else 0, 0)
    closing_day = c.closing_day[krs]
    closing = (
        (c.period_end[krs] < company.today_day)
        & (regular > 0)
        & ~c.stopped[krs]
        & (closing_day > last_regular + 2)
        & (c.closing_draw[krs] < 0.85)
    )
    kr_of_update = np.concatenate((kr_of_update, krs.start + np.flatnonzero(closing)))
    at = np.concatenate((at, closing_day[closing]))
    order = np.lexsort((at, kr_of_update))
    return kr_of_update[order], at[order]


def _update_values(
    company: DemoCompany, slot: np.ndarray, kr_of_update: np.ndarray, at: np.ndarray, kr: dict, pace: np.ndarray,
    shape: np.ndarray, noise: tuple[Callable[[int], np.ndarray], ...],
) -> tuple[np.ndarray, pl.Series]:
    """Value and confidence of each update: pace x elapsed^shape plus noise.

    Mostly front-loaded, so a key result on pace still looks on track a week or two after its last
    update; counts (start 0) never go backwards; confidence follows how far ahead or behind pace it is.
    `noise` reads the draws of the value's noise, the confidence's noise and the unscored updates, in order."""
    value_noise, confidence_noise, unscored = noise
    start, target, scale = kr["start"], kr["target"], kr["scale"]
    period_start, period_end = company.period_start[slot], company.period_end[slot]
    elapsed = (at - period_start[kr_of_update]) / (period_end - period_start)[kr_of_update]
    fraction = pace[kr_of_update] * elapsed ** shape[kr_of_update] + value_noise(len(at))
    monotone = (start == 0)[kr_of_update]
    # A per-group running maximum in one pass: lift each key result's rows above the previous one's.
    lifted = fraction + 10.0 * kr_of_update
    running_max = np.maximum.accumulate(lifted) - 10.0 * kr_of_update
    fraction = np.where(monotone, running_max, fraction)
    value = start[kr_of_update] + (target - start)[kr_of_update] * fraction
    value = np.clip(value, 0.0, kr["ceiling"][kr_of_update])
    value = np.round(value * scale[kr_of_update]) / scale[kr_of_update]

    ahead = (fraction + 0.05) / (elapsed + 0.05)
    confidence = np.round(np.clip(0.65 + 0.5 * (ahead - 0.9) + confidence_noise(len(at)), 0.05, 0.99), 2)
    confidence = pl.select(pl.when(pl.Series(unscored(len(at)) >= 0.03)).then(pl.Series(confidence))).to_series()
    return value, confidence


# Phased targets: (share of business key results, path as (share of the period elapsed, share of the way to target)).
# Sales that close at quarter end are back-loaded, launches land in steps, clean-ups and migrations are front-loaded.
PHASE_SHAPES: tuple[tuple[float, tuple[tuple[float, float], ...]], ...] = (
    (0.10, ((1 / 3, 0.15), (2 / 3, 0.40))),  # back-loaded
    (0.05, ((0.45, 0.0), (0.5, 0.5), (0.95, 0.5))),  # stepwise: half lands mid-period, the rest at the end
    (0.05, ((1 / 3, 0.60), (2 / 3, 0.90))),  # front-loaded
)


def _path(shape: int, elapsed: np.ndarray) -> np.ndarray:
    """The share of the way to target a key result of PHASE_SHAPES[shape] is due to have reached."""
    points = PHASE_SHAPES[shape][1]
    return np.interp(elapsed, [0.0, *(x for x, _ in points), 1.0], [0.0, *(y for _, y in points), 1.0])


def _phases(company: DemoCompany, owner: np.ndarray) -> np.ndarray:
    """Each key result's phase shape (index into PHASE_SHAPES, -1 for the calendar's straight line). Drawn from a
    child of the company's generator, so every other table stays as it was drawn before phased targets."""
    rng = company.rng.spawn(1)[0]
    shares = np.array([share for share, _ in PHASE_SHAPES])
    drawn = np.searchsorted(np.cumsum(shares), rng.random(len(owner)), side="right")
    return np.where(~company.goal["development"][owner] & (drawn < len(PHASE_SHAPES)), drawn, -1)


def _phased_values(
    company: DemoCompany, phase: np.ndarray, slot: np.ndarray, kr_of_update: np.ndarray, at: np.ndarray,
    value: np.ndarray, kr: dict,
) -> np.ndarray:
    """The updates of phased key results moved onto their path: the share of the way to target is scaled by
    path(elapsed) / elapsed, so an owner on pace stays on the phased pace; counts never go backwards."""
    start, target, scale = kr["start"][kr_of_update], kr["target"][kr_of_update], kr["scale"][kr_of_update]
    period_start, period_end = company.period_start[slot][kr_of_update], company.period_end[slot][kr_of_update]
    elapsed = np.clip((at - period_start) / (period_end - period_start), 1e-3, 1.0)
    fraction = (value - start) / (target - start)
    shape = phase[kr_of_update]
    for index in range(len(PHASE_SHAPES)):
        mine = shape == index
        fraction[mine] = fraction[mine] * _path(index, elapsed[mine]) / elapsed[mine]
    lifted = fraction + 10.0 * kr_of_update
    running_max = np.maximum.accumulate(lifted) - 10.0 * kr_of_update
    fraction = np.where((kr["start"] == 0)[kr_of_update], running_max, fraction)
    phased = np.clip(start + (target - start) * fraction, 0.0, kr["ceiling"][kr_of_update])
    return np.where(shape >= 0, np.round(phased * scale) / scale, value)


def _milestones(company: DemoCompany, phase: np.ndarray, slot: np.ndarray, kr: dict) -> pl.DataFrame:
    """The milestones of the phased key results: each shape's points, due on day round(share x n) of the period."""
    parts_kr, parts_day, parts_value = [], [], []
    for index, (_, points) in enumerate(PHASE_SHAPES):
        mine = np.flatnonzero(phase == index)
        days = company.period_end[slot[mine]] - company.period_start[slot[mine]] + 1
        for share, due in points:
            parts_kr.append(mine)
            parts_day.append(company.period_start[slot[mine]] + np.round(share * days).astype(np.int64) - 1)
            value = kr["start"][mine] + (kr["target"] - kr["start"])[mine] * due
            parts_value.append(np.round(value * kr["scale"][mine]) / kr["scale"][mine])
    key_result, day, value = (np.concatenate(p) for p in (parts_kr, parts_day, parts_value))
    order = np.lexsort((day, key_result))
    return model_frame(
        "key_result_milestone",
        id=np.arange(1, len(order) + 1),
        key_result_id=key_result[order] + 1,
        at=dates(day[order]),
        value=value[order],
    )


def _history(
    company: DemoCompany, owner: np.ndarray, slot: np.ndarray, kr: dict, phase: np.ndarray,
    pace: np.ndarray, shape: np.ndarray, slices: list[tuple[np.ndarray, np.ndarray]],
) -> tuple[np.ndarray, pl.DataFrame]:
    """Each key result's current value (the latest update's, else the start) and the update history, a slice
    of key results at a time; `slices` holds each slice's (key result, day) of every update, in order."""
    total = sum(len(at) for _, at in slices)
    rng = company.rng
    noise = tuple(
        DrawRun(rng, draw, total).reader()
        for draw in (
            lambda g, size: g.normal(0, 0.03, size),  # the value's
            lambda g, size: g.normal(0, 0.08, size),  # the confidence's
            lambda g, size: g.random(size),  # < 0.03: no confidence given
        )
    )
    current = kr["start"].copy()
    parts, first_id = [], 1
    for first, (kr_of_update, at) in zip(range(0, len(owner), SLICE_KEY_RESULTS), slices, strict=True):
        krs = slice(first, min(first + SLICE_KEY_RESULTS, len(owner)))
        kr_of_update, at = kr_of_update.astype(np.int64), at.astype(np.int64)
        value, confidence = _update_values(company, slot, kr_of_update, at, kr, pace, shape, noise)
        value = _phased_values(company, phase, slot, kr_of_update, at, value, kr)
        updates = np.bincount(kr_of_update - first, minlength=krs.stop - first)
        last_update = np.cumsum(updates) - 1
        if len(value):
            current[krs] = np.where(updates > 0, value[np.maximum(last_update, 0)], current[krs])
        parts.append(
            model_frame(
                "progress_update",
                id=np.arange(first_id, first_id + len(at)),
                key_result_id=kr_of_update + 1,
                at=dates(at),
                value=value,
                confidence=confidence,
            )
        )
        first_id += len(at)
    return current, pl.concat(parts, rechunk=False)


def key_results(company: DemoCompany) -> dict[str, pl.DataFrame]:
    """Key results with their update history; current value = the latest update's, else the start."""
    goal = company.goal
    owner, metric = _metrics(company)
    n = len(owner)
    kr = _targets(company, metric)
    slot = goal["slot"][owner]
    cadence = _cadence(company, goal["development"][owner], slot)
    jitter = cadence.jitter.reader()
    slices = []
    for first in range(0, n, SLICE_KEY_RESULTS):
        kr_of_update, at = _update_days(company, cadence, slice(first, min(first + SLICE_KEY_RESULTS, n)), jitter)
        slices.append((kr_of_update.astype(np.int32), at.astype(np.int32)))
    pace = np.clip(goal["pace"][owner] * company.rng.normal(1.0, 0.12, n), 0.0, 1.25)
    shape = company.rng.uniform(0.5, 1.0, n)
    phase = _phases(company, owner)
    current, progress_update = _history(company, owner, slot, kr, phase, pace, shape, slices)
    metrics = BUSINESS_METRICS + DEVELOPMENT_METRICS
    return {
        "key_result": model_frame(
            "key_result",
            id=np.arange(1, n + 1),
            goal_id=goal["id"][owner],
            metric=pick([m.name for m in metrics], metric),
            start_value=kr["start"],
            target_value=kr["target"],
            current_value=current,
            direction=pick(("increase", "decrease"), kr["decrease"].astype(np.int64)),
            weight=draw_weight(company.rng, n),
        ),
        "key_result_milestone": _milestones(company, phase, slot, kr),
        "progress_update": progress_update,
    }
