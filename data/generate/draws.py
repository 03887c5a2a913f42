"""Small vectorised draws and conversions the generator's steps share."""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from datetime import date

import numpy as np
import polars as pl

from data.generate.catalogue import AGE_BAND_SHARES_BY_LEVELS, AGE_BANDS
from data.schema import table_schema

EPOCH = date(1970, 1, 1)
_SKIP_DRAWS = 2_000_000  # draws per call while moving a generator past a run


def day_number(d: date) -> int:
    return (d - EPOCH).days


def dates(days: np.ndarray) -> pl.Series:
    return pl.Series(np.asarray(days, dtype=np.int32)).cast(pl.Date)


def ids_or_null(ids: np.ndarray) -> pl.Series:
    """Ids where positive, NULL where 0 (the generator's 'none')."""
    series = pl.Series(np.asarray(ids, dtype=np.int64))
    return pl.select(pl.when(series > 0).then(series)).to_series()


def pick(values: Sequence[str], index: np.ndarray) -> pl.Series:
    return pl.Series(list(values), dtype=pl.String).gather(np.asarray(index, dtype=np.int64))


def join_text(*parts: pl.Series | str) -> pl.Series:
    """Concatenate string columns and literals row by row."""
    return pl.select(pl.concat_str([pl.lit(part) if isinstance(part, str) else part for part in parts])).to_series()


def pick_from_pools(rng: np.random.Generator, pools: Sequence[Sequence[str]], pool: np.ndarray) -> pl.Series:
    """A uniformly random entry of `pools[pool[i]]` for every row i."""
    flat = [entry for entries in pools for entry in entries]
    sizes = np.array([len(entries) for entries in pools])
    starts = np.cumsum(sizes) - sizes
    return pick(flat, starts[pool] + (rng.random(len(pool)) * sizes[pool]).astype(np.int64))


def within_group(counts: np.ndarray) -> np.ndarray:
    """For groups laid end to end with these sizes, each row's position inside its group."""
    starts = np.cumsum(counts) - counts
    return np.arange(int(counts.sum())) - np.repeat(starts, counts)


def pick_in_group(rng: np.random.Generator, starts: np.ndarray, counts: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """A uniformly random member of each row's group (groups laid out contiguously)."""
    return starts[groups] + (rng.random(len(groups)) * counts[groups]).astype(np.int64)


def draw_weight(rng: np.random.Generator, n: int) -> np.ndarray:
    """Mostly 1, sometimes doubled or halved."""
    return np.choose(rng.choice(3, size=n, p=(0.85, 0.08, 0.07)), (1.0, 2.0, 0.5))


def bucket(scores: np.ndarray, shares: Sequence[float]) -> np.ndarray:
    """1..len(shares) by the empirical quantiles of `scores`, so the buckets hold these shares."""
    cuts = np.quantile(scores, np.cumsum(shares)[:-1]) if len(scores) else np.zeros(len(shares) - 1)
    return 1 + np.searchsorted(cuts, scores, side="right")


def is_weekend(days: np.ndarray) -> np.ndarray:
    return (days + 3) % 7 >= 5  # 1970-01-01 was a Thursday; Monday = 0


def draw_age_band(rng: np.random.Generator, level: np.ndarray) -> np.ndarray:
    band = np.zeros(len(level), dtype=np.int64)
    for levels, shares in AGE_BAND_SHARES_BY_LEVELS:
        mask = np.isin(level, levels)
        band[mask] = rng.choice(len(AGE_BANDS), size=int(mask.sum()), p=shares)
    return band


def model_frame(table_name: str, /, **columns: object) -> pl.DataFrame:
    """A frame with exactly the model's columns, in the model's order and types."""
    schema = table_schema(table_name)
    if list(columns) != list(schema):
        raise ValueError(f"{table_name}: columns {list(columns)} do not match the model {list(schema)}")
    return pl.DataFrame(columns).cast(schema)


def quarter_slot(quarter_index: np.ndarray | int) -> np.ndarray | int:
    """Period slots 0-1 are last year and this year; 2-9 their quarters in order."""
    return 2 + quarter_index


def email_part(name: str) -> str:
    return "".join(ch for ch in name.lower() if ch.isalnum())


# --- public API ------------------------------------------------------------------------------------


class DrawRun:
    """`total` draws of one kind that the company's generator makes in one go, read back slice by slice.

    The generator is moved past the whole run at once (drawn in slices and dropped), so every later draw
    comes out as if the run had been drawn in one call; `reader()` starts a copy at the run's first draw.
    NumPy's draws do not depend on how a run is split into calls, so the slices join into that one call.
    """

    def __init__(self, rng: np.random.Generator, draw: Callable[[np.random.Generator, int], np.ndarray], total: int):
        self._start = copy.deepcopy(rng.bit_generator.state)
        self._kind = type(rng.bit_generator)
        self._draw = draw
        for first in range(0, total, _SKIP_DRAWS):
            draw(rng, min(_SKIP_DRAWS, total - first))

    def reader(self) -> Callable[[int], np.ndarray]:
        bit_generator = self._kind()
        bit_generator.state = copy.deepcopy(self._start)
        rng = np.random.Generator(bit_generator)
        return lambda size: self._draw(rng, size)
