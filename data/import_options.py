"""How to read files as real systems export them: strict by default, and each looser reading an explicit option.

The default reads what docs/import-format.md describes: commas between values, dates as YYYY-MM-DD, shares
as fractions (0.25). Excel in much of Europe writes semicolons, HR systems write 31/12/2026 or 12/31/2026,
and spreadsheets write 25%. Ladder never guesses which: when a file looks like one of those, the report
says which option would read it, in the words of both the command line and the Data screen.
"""

from __future__ import annotations

from dataclasses import dataclass

SEPARATORS = {",": "Comma (,)", ";": "Semicolon (;)"}
# The date option's values, and the strptime formats each reads besides YYYY-MM-DD.
DATE_ORDERS: dict[str, tuple[str, ...]] = {
    "YYYY-MM-DD": (),
    "DD/MM/YYYY": ("%d/%m/%Y", "%d.%m.%Y", "%d-%m-%Y"),
    "MM/DD/YYYY": ("%m/%d/%Y",),
}


@dataclass(frozen=True)
class ReadOptions:
    """The separator of CSV files, the order of day and month in dates, and whether 25% reads as 0.25."""

    separator: str = ","
    date_order: str = "YYYY-MM-DD"
    percent: bool = False

    def __post_init__(self) -> None:
        if self.separator not in SEPARATORS:
            raise ValueError(f"The separator must be one of {', '.join(SEPARATORS)}, not {self.separator!r}.")
        if self.date_order not in DATE_ORDERS:
            raise ValueError(f"The date option must be one of {', '.join(DATE_ORDERS)}, not {self.date_order!r}.")


STRICT = ReadOptions()


def separator_hint(separator: str) -> str:
    screen = SEPARATORS[separator]
    return f"the separator option '{separator}' (--separator '{separator}', or '{screen}' on the Data screen)"


def date_hint(order: str) -> str:
    return f"the date option {order} (--dates {order}, or '{order}' on the Data screen)"


PERCENT_HINT = "the percent option (--percent, or 'Read 25% as 0.25' on the Data screen)"
