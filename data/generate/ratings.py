"""The demo company's review cycles, rating guideline and ratings (pre- and post-calibration)."""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl

from data.generate.catalogue import (
    CALIBRATION_NOISE,
    GUIDELINE_SHARES,
    LENIENT_RATER_SHARE,
    POTENTIAL_SHARES,
    RATED_SHARE,
    RATER_SHIFT,
    RATING_INFLATION,
    REMOTE_PENALTY,
    SEVERE_RATER_SHARE,
)
from data.generate.company import DemoCompany
from data.generate.draws import bucket, day_number, model_frame, quarter_slot
from data.schema import WORK_MODES


def review_cycles(company: DemoCompany) -> dict[str, pl.DataFrame]:
    previous, current = company.years
    annual_close, mid_year_close = date(current, 1, 31), date(current, 7, 15)
    # A cycle that has not closed yet by `today` is still open: its ratings are drafts.
    company.cycle_close_day = np.array([day_number(annual_close), day_number(mid_year_close)])
    company.cycle_period_end = np.array([company.period_end[0], company.period_end[quarter_slot(5)]])
    cycle_ids = np.array([1, 2])
    return {
        "review_cycle": model_frame(
            "review_cycle",
            id=cycle_ids,
            name=[f"{previous} annual review", f"{current} mid-year review"],
            period_id=[previous * 10, current * 10 + 2],
            scale_min=[1, 1],
            scale_max=[5, 5],
            closed_on=[d if d <= company.today else None for d in (annual_close, mid_year_close)],
        ),
        "rating_guideline": model_frame(
            "rating_guideline",
            id=np.arange(1, 11),
            cycle_id=np.repeat(cycle_ids, 5),
            rating=np.tile(np.arange(1, 6), 2),
            target_share=np.tile(GUIDELINE_SHARES, 2),
        ),
    }


def ratings(company: DemoCompany) -> dict[str, pl.DataFrame]:
    """Latent performance + rater effect -> pre-calibration; calibration removes most rater effect."""
    rng = company.rng
    n = company.n_employees
    talent = rng.normal(0, 1, n)
    rater_draw = rng.random(n)
    lenient = rater_draw < LENIENT_RATER_SHARE
    severe = (rater_draw >= LENIENT_RATER_SHARE) & (rater_draw < LENIENT_RATER_SHARE + SEVERE_RATER_SHARE)
    rater_effect = np.select([lenient, severe], [RATER_SHIFT, -RATER_SHIFT], default=rng.normal(0, 0.15, n))
    # Calibration committees catch inflated ratings better than deflated ones.
    calibration_correction = np.select([lenient, severe], [0.9, 0.4], default=0.8)
    remote = company.work_mode == WORK_MODES.index("remote")
    cycle_frames = []
    for cycle_index in range(2):
        eligible = (
            (company.manager > 0)
            & (company.hire_day <= company.cycle_period_end[cycle_index] - 90)
            & (company.leave_day > company.cycle_close_day[cycle_index])
            & (rng.random(n) < RATED_SHARE)
        )
        person = np.flatnonzero(eligible)
        reviewer_position = company.manager[person] - 1
        performance = 0.75 * talent[person] + 0.66 * rng.normal(0, 1, len(person))
        if cycle_index == 1:
            performance = performance - REMOTE_PENALTY * remote[person]
        pre_score = performance + RATING_INFLATION + rater_effect[reviewer_position]
        # Cut points that put a neutral rater's ratings on the guideline.
        cuts = np.quantile(performance, np.cumsum(GUIDELINE_SHARES)[:-1])
        pre = 1 + np.searchsorted(cuts, pre_score)
        correction = calibration_correction[reviewer_position] * rater_effect[reviewer_position]
        calibrated = pre_score - RATING_INFLATION - correction + rng.normal(0, CALIBRATION_NOISE, len(person))
        post = np.clip(bucket(calibrated, GUIDELINE_SHARES), pre - 1, pre + 1)
        potential = bucket(0.6 * calibrated + 0.8 * rng.normal(0, 1, len(person)), POTENTIAL_SHARES)
        cycle_frames.append(
            {
                "cycle_id": np.full(len(person), cycle_index + 1),
                "employee_id": person + 1,
                "reviewer_id": company.manager[person],
                "pre_calibration": pre,
                "post_calibration": post,
                "potential": potential,
            }
        )
    columns = {key: np.concatenate([frame[key] for frame in cycle_frames]) for key in cycle_frames[0]}
    return {"rating": model_frame("rating", id=np.arange(1, len(columns["cycle_id"]) + 1), **columns)}
