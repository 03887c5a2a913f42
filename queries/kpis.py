"""One record per headline figure: what it is called, how it is written, whether a rise is good news, and the help
text that explains it, with the thresholds it depends on taken from the settings. Each screen's records sit next to
the query that computes them; the KPI cards (components/kpis.py) only draw what a record says."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Literal

import polars as pl

from queries.model import Settings

Unit = Literal["share", "count", "days", "rate"]

KPI_SCHEMA = {
    "kpi": pl.String, "label": pl.String, "unit": pl.String, "rise_is_good": pl.Boolean, "card": pl.Boolean,
    "help": pl.String, "value": pl.Float64, "previous": pl.Float64,
}


class _Figure:
    """A figure for a help text: formatted with the text's spec, or a dash when there is none."""

    def __init__(self, value: object) -> None:
        self.value = value

    def __format__(self, spec: str) -> str:
        return "—" if self.value is None else format(self.value, spec)


@dataclass(frozen=True)
class Kpi:
    """A headline figure. `help` may name settings in braces (`{checkin_window_days}`) and the figures of the same
    row (`{expected}`), filled in when the row is built."""

    key: str
    label: str
    unit: Unit = "share"
    rise_is_good: bool = True
    help: str = ""
    card: bool = True  # False: a figure other cards' help text reads, not a card of its own

    def help_for(self, settings: Settings, figures: Mapping[str, object]) -> str:
        return self.help.format(**asdict(settings), **figures)


def kpi_frame(
    kpis: Sequence[Kpi],
    current: Mapping[str, float | int | None],
    previous: Mapping[str, float | int | None],
    settings: Settings,
) -> pl.DataFrame:
    """One row per KPI: its record's fields, the value in scope now and the value at the comparison point."""

    def number(value: float | int | None) -> float | None:
        return None if value is None else float(value)

    figures = {key: _Figure(value) for key, value in current.items()}
    return pl.DataFrame(
        [
            {
                "kpi": kpi.key, "label": kpi.label, "unit": kpi.unit, "rise_is_good": kpi.rise_is_good,
                "card": kpi.card, "help": kpi.help_for(settings, figures), "value": number(current.get(kpi.key)),
                "previous": number(previous.get(kpi.key)),
            }
            for kpi in kpis
        ],
        schema=KPI_SCHEMA,
    )
