"""The review pack on the tiny organisation (tests/tiny_org.py): its slides, its figures against the screens' queries,
the viewer's scope, and the command line failing closed.

Hand-worked figures (AS_OF 2026-11-15, Q4, whole organisation): objective 1 "Grow revenue" rolls up to 0.725, shown
as 72%; objective 2 has nothing measured, so Progress = 0.725 -> "72%" and "No data yet" = 1; two objectives."""

import io
from datetime import date, datetime
from pathlib import Path

import polars as pl
import pytest
from pptx import Presentation
from pypdf import PdfReader

from components.kpis import written
from components.pack_files import pdf_bytes, pptx_bytes
from components.review_pack import PackHeader, main, review_sections, runner
from data.review_notes import NOTE_SCHEMA, add_note
from queries.access import scoped_snapshot
from queries.model import Settings, Viewer
from queries.notes import scope_notes
from queries.overview import objective_progress, overview_kpis
from tests.tiny_org import AS_OF, tiny_filters, tiny_snapshot, write_tiny

HR = Viewer("hr@acme.example", "hr")
CEO = Viewer("ceo@acme.example", "executive", 1)
ANN = Viewer("ann@acme.example", "manager", 3)  # Alpha lead: Ann, Bob, Cat
SETTINGS = Settings()
TITLES = [
    "Quarterly review · 2026-Q4", "KPI summary", "Objectives against pace", "Objectives most behind",
    "Pace by region", "What changed since the last review", "Alignment gaps", "Check-in coverage",
]
NOTES_TITLE = "Notes and decisions"


NOTES = pl.DataFrame(
    [
        {"id": 1, "goal_id": 1, "kind": "decision", "text": "<script>alert(1)</script> see [x](http://e)",
         "owner": "Exec team", "due_on": date(2026, 12, 1), "written_by": "ceo@acme.example",
         "written_at": datetime(2026, 11, 15, 10)},
        {"id": 2, "goal_id": 21, "kind": "note", "text": "Beta's infra budget", "owner": None, "due_on": None,
         "written_by": "hr@acme.example", "written_at": datetime(2026, 11, 15, 11)},
    ],
    schema=NOTE_SCHEMA,
)


def sections_for(viewer: Viewer, **filters):
    snapshot = scoped_snapshot(tiny_snapshot(), viewer)
    chosen = tiny_filters(**filters)
    header = PackHeader("scope", "2026-Q4", AS_OF, snapshot.loaded_at, snapshot.stamp)
    notes = scope_notes(snapshot, chosen, NOTES)
    return review_sections(runner(snapshot, chosen, viewer, SETTINGS), viewer, header, notes), snapshot, chosen


def deck(viewer: Viewer, **filters):
    sections, snapshot, chosen = sections_for(viewer, **filters)
    return Presentation(io.BytesIO(pptx_bytes(sections))), snapshot, chosen


def slide_tables(presentation) -> dict[str, list[list[str]]]:
    """Each slide's native table as rows of cell text, by slide title."""
    tables = {}
    for slide in presentation.slides:
        for shape in slide.shapes:
            if shape.has_table:
                rows = [[cell.text for cell in row.cells] for row in shape.table.rows]
                tables[slide.shapes.title.text] = rows
    return tables


def all_text(presentation) -> str:
    parts = []
    for slide in presentation.slides:
        for shape in slide.shapes:
            if shape.has_text_frame:
                parts.append(shape.text_frame.text)
            if shape.has_table:
                parts.extend(cell.text for row in shape.table.rows for cell in row.cells)
    return "\n".join(parts)


class TestSlides:
    def test_hr_gets_every_slide_and_the_ratings(self):
        presentation, _, _ = deck(HR)
        titles = [slide.shapes.title.text for slide in presentation.slides]
        assert titles == [*TITLES, "Ratings distribution", NOTES_TITLE]

    def test_an_executive_gets_no_ratings_slide(self):
        presentation, _, _ = deck(CEO)
        assert [slide.shapes.title.text for slide in presentation.slides] == [*TITLES, NOTES_TITLE]

    def test_notes_are_written_as_plain_text(self):
        """The decision on objective 1 keeps its markup as characters; the note on Beta's goal 21 is in scope for
        the whole organisation too (21 ladders up to 10, carried)."""
        presentation, _, _ = deck(HR)
        rows = slide_tables(presentation)[NOTES_TITLE]
        assert rows[0] == ["Objective or goal", "Kind", "Note", "Owner", "Due"]
        assert ["Grow revenue", "Decision", "<script>alert(1)</script> see [x](http://e)", "Exec team",
                "2026-12-01"] in rows
        assert ["Scale infra", "Note", "Beta's infra budget", "—", "—"] in rows

    def test_charts_are_pictures_and_tables_are_native(self):
        presentation, _, _ = deck(HR)
        pace = next(s for s in presentation.slides if s.shapes.title.text == "Objectives against pace")
        kinds = {shape.shape_type for shape in pace.shapes}
        assert any(shape.has_table for shape in pace.shapes)
        assert 13 in kinds  # MSO_SHAPE_TYPE.PICTURE


class TestFiguresEqualTheScreens:
    def test_kpi_slide_is_the_overview_cards(self):
        presentation, snapshot, chosen = deck(HR)
        rows = slide_tables(presentation)["KPI summary"]
        by_label = {row[0]: row[1:] for row in rows[1:]}
        assert by_label["Progress"][0] == "72%"  # 0.725, worked out in the module docstring
        assert by_label["Company objectives"][0] == "2"
        assert by_label["No data yet"][0] == "1"
        cards = overview_kpis(snapshot, chosen, HR, SETTINGS).filter(pl.col("card"))
        for row in cards.iter_rows(named=True):
            assert by_label[row["label"]][0] == written(row["unit"], row["value"], row["previous"])[0]

    def test_pace_table_is_the_overview_objectives(self):
        presentation, snapshot, chosen = deck(HR)
        rows = slide_tables(presentation)["Objectives against pace"][1:]
        screen = objective_progress(snapshot, chosen, HR, SETTINGS)
        assert [row[0] for row in rows] == screen["title"].to_list()
        assert rows[screen["title"].to_list().index("Grow revenue")][1] == "72%"

    def test_a_manager_pack_has_the_managers_figures(self):
        presentation, snapshot, chosen = deck(ANN)
        by_label = {row[0]: row[1] for row in slide_tables(presentation)["KPI summary"][1:]}
        cards = overview_kpis(snapshot, chosen, ANN, SETTINGS).filter(pl.col("card"))
        for row in cards.iter_rows(named=True):
            assert by_label[row["label"]] == written(row["unit"], row["value"], row["previous"])[0]

    def test_pdf_text_carries_the_kpi_figures(self):
        sections, snapshot, chosen = sections_for(HR)
        text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf_bytes(sections))).pages)
        assert "KPI summary" in text
        cards = overview_kpis(snapshot, chosen, HR, SETTINGS).filter(pl.col("card"))
        for row in cards.iter_rows(named=True):
            assert f"{row['label']}" in text
            assert written(row["unit"], row["value"], row["previous"])[0] in text
        assert "72%" in text


class TestScope:
    def test_a_managers_pack_holds_nothing_outside_the_subtree(self):
        """Ann's subtree is Ann, Bob and Cat in Alpha. Beta (Lee, Max, goal 21 "Scale infra"), Dana, the CEO (the
        objectives' owner) and every rating stay out."""
        presentation, _, _ = deck(ANN)
        text = all_text(presentation)
        for outside in ("Beta", "Lee", "Max", "Dana", "Ceo", "Scale infra", "Ratings distribution"):
            assert outside not in text
        # Of the notes, only the one on objective 1, which she can see, is in her pack; not the one on Beta's goal.
        notes = slide_tables(presentation)[NOTES_TITLE]
        assert [row[0] for row in notes[1:]] == ["Grow revenue"]
        assert "Alpha" in text or "Grow revenue" in text

    def test_the_same_viewer_unfiltered_sees_more_than_a_team(self):
        wide = all_text(deck(HR)[0])
        assert "Ceo" in wide  # the objectives' owner, shown to HR on the most-behind slide


@pytest.fixture
def tiny_database(engine, database_url, monkeypatch, tmp_path):
    write_tiny(engine)
    monkeypatch.setenv("LADDER_DATABASE_URL", database_url)
    monkeypatch.setenv("LADDER_CACHE_DIR", "off")
    monkeypatch.setenv("LADDER_TODAY", AS_OF.isoformat())
    return tmp_path


class TestCommandLine:
    def test_writes_the_deck_for_a_known_viewer(self, tiny_database: Path, database_url):
        """Ann's pack for Alpha holds the note on objective 1, not the one on Beta's goal 21."""
        for goal_id, text in ((1, "Fund the platform"), (21, "Beta's infra budget")):
            add_note(database_url, goal_id=goal_id, kind="note", text=text, owner=None, due_on=None,
                     written_by="hr@acme.example")
        out = tiny_database / "review.pptx"
        assert main(["--period", "2026-Q4", "--team", "4", "--as-viewer", "ann@acme.example", "--out", str(out)]) == 0
        presentation = Presentation(str(out))
        assert [slide.shapes.title.text for slide in presentation.slides] == [*TITLES, NOTES_TITLE]
        assert [row[2] for row in slide_tables(presentation)[NOTES_TITLE][1:]] == ["Fund the platform"]
        for outside in ("Beta", "Lee", "Max", "Dana", "Ceo", "Scale infra"):
            assert outside not in all_text(presentation)

    def test_writes_the_pdf(self, tiny_database: Path):
        out = tiny_database / "review.pdf"
        assert main(["--period", "2026-Q4", "--as-viewer", "hr@acme.example", "--out", str(out)]) == 0
        assert "Ratings distribution" in "".join(page.extract_text() for page in PdfReader(str(out)).pages)

    @pytest.mark.parametrize(
        ("arguments", "said"),
        [
            (["--period", "2026-Q4", "--as-viewer", "nobody@acme.example"], "not a viewer with access"),
            (["--period", "2026-Q4", "--team", "5", "--as-viewer", "ann@acme.example"], "No team has the id"),
            (["--period", "2031-Q9", "--as-viewer", "hr@acme.example"], "No period is called"),
            (["--period", "2026-Q4", "--as-of", "2026-01-01", "--as-viewer", "hr@acme.example"], "outside"),
        ],
        ids=["unknown viewer", "team outside the manager's subtree", "unknown period", "date outside the period"],
    )
    def test_fails_closed(self, tiny_database: Path, arguments, said, capsys):
        out = tiny_database / "review.pptx"
        assert main([*arguments, "--out", str(out)]) == 1
        assert not out.exists()
        assert said in capsys.readouterr().err


def test_what_changed_is_measured_against_the_pinned_review():
    """Pinned with KR100's target at 100; now it is 80: objective 1 moves 72% -> 74% (0.7354167, see
    tests/test_goalposts.py) and the slide names the flag with its +1.0 pp effect."""
    from types import SimpleNamespace

    from components.review_pack import pin_comparison
    from queries.goalposts import goalposts_now

    pinned = goalposts_now(tiny_snapshot(), tiny_filters(), SETTINGS)
    pin = SimpleNamespace(as_of=AS_OF, frames={"objectives": pinned.objectives, "goals": pinned.goals,
                                               "key_results": pinned.key_results, "links": pinned.links})
    lowered = tiny_snapshot().key_result.with_columns(
        pl.when(pl.col("id") == 100).then(80.0).otherwise(pl.col("target_value")).alias("target_value"))
    snapshot, chosen = tiny_snapshot(key_result=lowered), tiny_filters()
    header = PackHeader("scope", "2026-Q4", AS_OF, snapshot.loaded_at, snapshot.stamp)
    sections = review_sections(runner(snapshot, chosen, HR, SETTINGS), HR, header, NOTES.clear(),
                               pinned=pin_comparison(snapshot, chosen, SETTINGS, pin))
    changed = next(s for s in sections if s.title == "What changed since the last review")
    assert "Goalposts moved: Grow revenue +1.0 pp from 1 lowered target." in changed.lines
    assert ("Grow revenue", "72%", "74%", "+1.0 pp", "at risk", "at risk") in changed.table.rows
