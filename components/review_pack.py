"""The quarterly review pack: the review's sections as a PowerPoint deck and a PDF, for one scope and one viewer.

Every figure comes from the same query the screen runs, on the viewer's scoped snapshot, so a pack holds exactly
what its viewer may see for those filters (a manager's pack: their subtree only). The app runs the queries through
the seam (`components/data.py` `ask`); the command line runs them on a snapshot it reads itself:

    python -m components.review_pack --period 2026-Q4 --team 42 --as-viewer EMAIL --out review.pptx

It fails closed: an unknown viewer, a viewer without access, or a filter that the viewer cannot use writes no file,
prints why and exits non-zero.
"""

from __future__ import annotations

import argparse
import inspect
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import polars as pl

from components.charts import progress_vs_pace
from components.export import png_bytes
from components.format import EMPTY, count, day, moment, pct, pct_points
from components.kpis import written
from components.pack_files import MAX_TABLE_ROWS, PDF_MIME, PPTX_MIME, Section, Table, pdf_bytes, pptx_bytes
from components.progress_charts import pace_heatmap_chart
from components.rating_charts import guideline_bars
from queries import ratings as rating_queries
from queries.alignment import alignment_kpis, objective_support, orphan_goals, teams_without_alignment
from queries.checkins import checkin_kpis
from queries.goalposts import Goalposts, flag_sentence, goalpost_audit, objective_moves, scope_key
from queries.model import Filters, Settings, Viewer
from queries.notes import scope_notes
from queries.overview import objective_progress, overview_kpis
from queries.progress import default_comparison_date, objective_changes, pace_heatmap
from queries.review import objectives_most_behind_with_owners

Run = Callable[..., pl.DataFrame]  # run(query, **options): the query on the viewer's snapshot for the filters
Step = Callable[[int, int, str], None]  # step(done, total, what): progress while the pack is built


@dataclass(frozen=True)
class PackHeader:
    """What the title slide says: the scope in words, the period, the as-of date and the data's stamp."""

    scope_label: str
    period_name: str
    as_of: date
    loaded_at: datetime
    stamp: str | None


def _table(frame: pl.DataFrame, headings: dict[str, Callable[[object], str]]) -> tuple[Table, str | None]:
    """The frame's first MAX_TABLE_ROWS rows as text; a line saying how many were left out, if any."""
    shown = frame.head(MAX_TABLE_ROWS)
    rows = tuple(
        tuple(write(row[column]) for column, write in headings.items()) for row in shown.iter_rows(named=True)
    )
    table = Table(tuple(heading for heading in _labels(headings)), rows)
    more = f"The first {MAX_TABLE_ROWS} of {frame.height:,} rows." if frame.height > MAX_TABLE_ROWS else None
    return table, more


def _labels(headings: dict[str, Callable[[object], str]]) -> list[str]:
    return [getattr(write, "heading", column) for column, write in headings.items()]


def _column(heading: str, write: Callable[[object], str] = lambda v: EMPTY if v is None else str(v)):
    """A writer for one column that carries its heading."""

    def column(value: object) -> str:
        return write(value)

    column.heading = heading
    return column


def _kpi_table(kpis: pl.DataFrame) -> Table:
    """KPI cards as rows: the figure now, at the same point of the previous period, and the change, as the cards
    write them (components/kpis.py)."""
    rows = []
    for row in kpis.filter(pl.col("card")).iter_rows(named=True):
        now, change = written(row["unit"], row["value"], row["previous"])
        before, _ = written(row["unit"], row["previous"], None)
        rows.append((row["label"], now, before, change or EMPTY))
    return Table(("Figure", "Now", "Previous period", "Change"), tuple(rows))


def _pace(value: object) -> str:
    return EMPTY if value is None else f"{value:.2f}"


def kpi_section(run: Run) -> Section:
    return Section("KPI summary", table=_kpi_table(run(overview_kpis)), lines=(
        "Each figure now and at the same point of the previous period; shares in percent, changes in points.",))


def pace_section(run: Run) -> Section:
    objectives = run(objective_progress)
    table, more = _table(objectives, {
        "title": _column("Objective"), "progress": _column("Progress", pct), "expected": _column("Expected", pct),
        "status": _column("Status"), "contributing_goals": _column("Goals", count),
    })
    image = png_bytes(progress_vs_pace(objectives)) if objectives.height else None
    return Section("Objectives against pace", lines=tuple(filter(None, [more])), image=image, table=table)


def behind_section(run: Run) -> Section:
    behind = run(objectives_most_behind_with_owners)
    table, _ = _table(behind, {
        "title": _column("Objective"), "progress": _column("Progress", pct), "expected": _column("Expected", pct),
        "pace_ratio": _column("Pace", _pace), "status": _column("Status"), "owner": _column("Owner"),
        "team": _column("Team"),
    })
    lines = ("The objectives furthest behind pace (progress / expected), worst first.",) if behind.height else (
        "No objective in this scope has anything measured yet.",)
    return Section("Objectives most behind", lines=lines, table=table if behind.height else None)


def heatmap_section(run: Run) -> Section:
    cells = run(pace_heatmap, by="region")
    if cells.is_empty():
        return Section("Pace by region", lines=("No region in this scope carries an objective.",))
    return Section("Pace by region", image=png_bytes(pace_heatmap_chart(cells, column_title="Region")), lines=(
        "Pace = progress / expected progress at the as-of date: 1.00 is on pace, below 1 behind, above 1 ahead.",))


@dataclass(frozen=True)
class PinComparison:
    """The scope's last pinned review against now: objective moves and the goalpost audit (queries/goalposts.py)."""

    pinned_as_of: date
    moves: pl.DataFrame
    flags: pl.DataFrame


def pinned_changes_section(comparison: PinComparison) -> Section:
    table, more = _table(comparison.moves, {
        "title": _column("Objective"), "progress_then": _column("At the pin", pct),
        "progress_now": _column("Now", pct),
        "change_pp": _column("Change", lambda v: EMPTY if v is None else f"{v:+.1f} pp"),
        "status_then": _column("Status then"), "status_now": _column("Status now"),
    })
    flags = [flag_sentence(row, lambda v: "from or to no data" if v is None else f"{v:+.1f} pp")
             for row in comparison.flags.iter_rows(named=True)]
    lines = [f"Against the review pinned as of {day(comparison.pinned_as_of)}.",
             "Goalposts moved: " + "; ".join(flags) + "." if flags else "No goalposts moved since the pinned review."]
    return Section("What changed since the last review", lines=tuple(filter(None, [*lines, more])), table=table)


def changes_section(run: Run, as_of: date) -> Section:
    since = default_comparison_date(as_of)
    changes = run(objective_changes, since=since)
    table, more = _table(changes, {
        "title": _column("Objective"), "progress_then": _column("Then", pct), "progress": _column("Now", pct),
        "delta": _column("Change", lambda v: pct_points(v) or EMPTY), "status_then": _column("Status then"),
        "status": _column("Status now"),
    })
    lines = [f"Objectives on {day(since)} (the start of the quarter: the last quarterly review) and on {day(as_of)}."]
    return Section("What changed since the last review", lines=tuple(filter(None, [*lines, more])), table=table)


def alignment_section(run: Run) -> Section:
    kpis = {row["kpi"]: row for row in run(alignment_kpis).iter_rows(named=True)}
    orphans, teams = run(orphan_goals), run(teams_without_alignment)
    support = run(objective_support)
    lines = [
        f"Alignment: {pct(kpis['alignment']['value'])} of business goals below company level ladder up to a company "
        f"objective (organisation: {pct(kpis['org_alignment']['value'])}).",
        f"Orphan business goals: {orphans.height:,}. Teams whose goals reach no objective: {teams.height:,}.",
        "Objectives with no or thin support in this scope:" if support.height else
        "Every objective has contributing goals in this scope.",
    ]
    table, more = _table(support, {
        "title": _column("Objective"), "contributing_goals": _column("Contributing goals", count),
        "support": _column("Support"),
    })
    return Section("Alignment gaps", lines=tuple(filter(None, [*lines, more])),
                   table=table if support.height else None)


def checkin_section(run: Run) -> Section:
    return Section("Check-in coverage", table=_kpi_table(run(checkin_kpis)), lines=(
        "Active people with a manager; each figure now and at the same point of the previous period.",))


def ratings_section(run: Run) -> Section:
    """The Ratings screen's distribution for the latest cycle closed by the as-of date, protected as on screen."""
    title = "Ratings distribution"
    cycles = run(rating_queries.review_cycles)
    if cycles.is_empty():
        return Section(title, lines=("No review cycle had closed by the as-of date.",))
    cycle = cycles.row(0, named=True)
    status = run(rating_queries.scope_status, cycle_id=cycle["id"]).row(0, named=True)
    if not status["shown"]:
        return Section(title, lines=(f"{cycle['name']}: {status['message']}",))
    guide = run(rating_queries.rating_distribution, cycle_id=cycle["id"])
    table, _ = _table(guide, {
        "rating": _column("Rating"), "share": _column("Share", lambda v: pct(v, 1)),
        "guideline": _column("Guideline", pct), "gap": _column("Gap", lambda v: pct_points(v) or EMPTY),
    })
    lines = (f"{cycle['name']} (closed {day(cycle['closed_on'])}): final ratings of everyone in scope against the "
             "guideline.",)
    return Section(title, lines=lines, image=png_bytes(guideline_bars(guide)), table=table)


def notes_section(notes: pl.DataFrame) -> Section:
    """The scope's notes and decisions (queries/notes.py `scope_notes`), newest first, as plain text."""
    if notes.is_empty():
        return Section("Notes and decisions", lines=("No notes or decisions on this scope's goals yet.",))
    table, more = _table(notes, {
        "goal": _column("Objective or goal"), "kind": _column("Kind", lambda v: str(v).capitalize()),
        "text": _column("Note"), "owner": _column("Owner"),
        "due_on": _column("Due", lambda v: EMPTY if v is None else v.isoformat()),
    })
    return Section("Notes and decisions", lines=tuple(filter(None, [more])), table=table)


def title_section(header: PackHeader) -> Section:
    stamp = f", data stamp {header.stamp[:12]}" if header.stamp else ""
    return Section(f"Quarterly review · {header.period_name}", lines=(
        header.scope_label, f"As of {day(header.as_of)}", f"Data read {moment(header.loaded_at)}{stamp}"))


def section_builders(
    run: Run, viewer: Viewer, header: PackHeader, notes: pl.DataFrame, pinned: PinComparison | None = None
) -> list[tuple[str, Callable[[], Section]]]:
    """The review's sections in order, each built only when called: the ratings distribution only for HR; `notes`
    are the scope's visible ones; what changed is measured against the last pinned review when there is one, else
    the quarter's first day."""
    builders: list[tuple[str, Callable[[], Section]]] = [
        ("Title", lambda: title_section(header)),
        ("KPI summary", lambda: kpi_section(run)),
        ("Objectives against pace", lambda: pace_section(run)),
        ("Objectives most behind", lambda: behind_section(run)),
        ("Pace by region", lambda: heatmap_section(run)),
        ("What changed", lambda: pinned_changes_section(pinned) if pinned else changes_section(run, header.as_of)),
        ("Alignment gaps", lambda: alignment_section(run)),
        ("Check-in coverage", lambda: checkin_section(run)),
    ]
    if viewer.role == "hr":
        builders.append(("Ratings distribution", lambda: ratings_section(run)))
    builders.append(("Notes and decisions", lambda: notes_section(notes)))
    return builders


def review_sections(
    run: Run, viewer: Viewer, header: PackHeader, notes: pl.DataFrame, step: Step | None = None,
    pinned: PinComparison | None = None,
) -> list[Section]:
    """Every section of the review (see `section_builders`), reporting progress to `step`."""
    builders = section_builders(run, viewer, header, notes, pinned)
    sections = []
    for done, (what, build) in enumerate(builders):
        if step:
            step(done, len(builders), what)
        sections.append(build())
    if step:
        step(len(builders), len(builders), "Writing the files")
    return sections


def pin_comparison(snapshot, filters: Filters, settings: Settings, pin) -> PinComparison | None:
    """The last pinned review (data/review_pins.py `PinnedReview`) against now, or None without one."""
    if pin is None:
        return None
    then = Goalposts(**pin.frames)
    return PinComparison(pin.as_of, objective_moves(snapshot, filters, settings, then),
                         goalpost_audit(snapshot, filters, settings, then))


def runner(snapshot, filters: Filters, viewer: Viewer, settings: Settings) -> Run:
    """Queries run as the seam runs them: on the viewer's snapshot, with the settings when they take them."""

    def run(query: Callable[..., pl.DataFrame], **options: object) -> pl.DataFrame:
        if "settings" in inspect.signature(query).parameters:
            options["settings"] = settings
        return query(snapshot, filters, viewer, **options)

    return run


class PackRefused(Exception):
    """The pack cannot be built for this viewer and these filters; the message says why, in words."""


def _cli_filters(snapshot, args: argparse.Namespace, today: date) -> Filters:
    """The filters the arguments name, checked as a link's are; any value the viewer cannot use refuses the pack."""
    from queries.params import read_filter_link
    from queries.periods import clamp_as_of

    params = {name: value for name, value in (("period", args.period), ("team", args.team),
                                              ("region", args.region), ("as_of", args.as_of)) if value is not None}
    link = read_filter_link(params, snapshot, today)
    if link.notices:
        raise PackRefused(" ".join(notice.replace("\\", "") for notice in link.notices))
    if link.period_id is None:
        raise PackRefused(f"No period is called {args.period!r}.")
    as_of = link.as_of or clamp_as_of(snapshot, link.period_id, today)
    return Filters(period_id=link.period_id, as_of=as_of, region_ids=link.region_ids or (),
                   org_unit_id=link.org_unit_id)


def build_from_database(args: argparse.Namespace) -> tuple[bytes, str]:
    """The pack's bytes and MIME type for the arguments; raises PackRefused or DatabaseError with a message."""
    from components.shell import describe_scope
    from data import config
    from data.db import make_engine
    from data.review_notes import read_notes
    from data.review_pins import last_pin
    from queries.access import has_access, scoped_snapshot, viewer_for_email
    from queries.periods import period_row
    from queries.snapshot import load_snapshot
    from queries.store import store_from

    settings_file = config.current()
    engine = make_engine(settings_file.database_url)
    try:
        shared = load_snapshot(engine, store=store_from(settings_file.cache_dir))
    finally:
        engine.dispose()
    viewer = viewer_for_email(shared, args.as_viewer)
    if not has_access(shared, viewer):
        raise PackRefused(f"{args.as_viewer!r} is not a viewer with access to Ladder: no pack was written.")
    scoped = scoped_snapshot(shared, viewer)
    filters = _cli_filters(scoped, args, settings_file.today or date.today())
    header = PackHeader(describe_scope(scoped, filters), period_row(scoped, filters.period_id)["name"],
                        filters.as_of, shared.loaded_at, shared.stamp)
    try:
        stored_notes = read_notes(settings_file.database_url)
        stored_pin = last_pin(settings_file.database_url, scope_key(filters))
    except Exception as error:  # noqa: BLE001 - any driver's error: a pack without its notes would mislead
        raise PackRefused(f"The notes and pinned reviews could not be read: {error}") from error
    notes = scope_notes(scoped, filters, stored_notes)
    pinned = pin_comparison(scoped, filters, settings_file.settings, stored_pin)
    sections = review_sections(runner(scoped, filters, viewer, settings_file.settings), viewer, header, notes,
                               pinned=pinned)
    if args.out.suffix.lower() == ".pdf":
        return pdf_bytes(sections), PDF_MIME
    return pptx_bytes(sections), PPTX_MIME


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m components.review_pack", description=__doc__.splitlines()[0])
    parser.add_argument("--period", required=True, help="a period name, e.g. 2026-Q4")
    parser.add_argument("--team", help="an org unit id: the unit and everything below it")
    parser.add_argument("--region", help="region codes, comma separated")
    parser.add_argument("--as-of", dest="as_of", help="YYYY-MM-DD inside the period (default: today, clamped)")
    parser.add_argument("--as-viewer", dest="as_viewer", required=True, help="the e-mail of the viewer")
    parser.add_argument("--out", required=True, type=Path, help="review.pptx or review.pdf")
    args = parser.parse_args(argv)
    if args.out.suffix.lower() not in (".pptx", ".pdf"):
        print("The output file must end in .pptx or .pdf.", file=sys.stderr)
        return 2
    from data.config import ConfigError
    from data.db import DatabaseError

    try:
        content, _ = build_from_database(args)
    except (PackRefused, DatabaseError, ConfigError) as refusal:
        print(f"No review pack written: {refusal}", file=sys.stderr)
        return 1
    args.out.write_bytes(content)
    print(f"Wrote {args.out} ({len(content):,} bytes).")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
