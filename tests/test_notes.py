"""Notes and decisions: stored in Ladder's own table without touching the data stamp, refused when unusable, seen
by a manager only on goals they can see, and beside the goals in the screens' tables (tests/tiny_org.py)."""

from datetime import date, datetime

import polars as pl
import pytest

from data.review_notes import NOTE_SCHEMA, NoteRefused, add_note, read_notes
from data.stamp import read_stamp
from queries.access import may_write_notes, scoped_snapshot
from queries.model import Viewer
from queries.notes import latest_note, scope_notes, visible_notes
from tests.tiny_org import ALPHA, BETA, tiny_filters, tiny_snapshot, write_tiny

ANN = Viewer("ann@acme.example", "manager", 3)  # Alpha lead: sees Alpha's, Bob's and Cat's goals, 1, 2 and 10


def note(goal_id: int, text: str, at: datetime, kind: str = "note", owner: str | None = None,
         due_on: date | None = None) -> dict:
    return {"id": goal_id * 100 + at.hour, "goal_id": goal_id, "kind": kind, "text": text, "owner": owner,
            "due_on": due_on, "written_by": "hr@acme.example", "written_at": at}


NOTES = pl.DataFrame(
    [
        note(1, "Fund the platform", datetime(2026, 11, 1, 9), "decision", "Exec team", date(2026, 12, 1)),
        note(1, "Revisit in January", datetime(2026, 11, 2, 9)),
        note(21, "Beta's infra budget", datetime(2026, 11, 3, 9)),
        note(20, "API launch slips", datetime(2026, 11, 4, 9)),
        note(999, "A goal no longer in the data", datetime(2026, 11, 5, 9)),
    ],
    schema=NOTE_SCHEMA,
)


class TestStore:
    def test_a_note_is_stored_and_read_back_without_changing_the_data_stamp(self, engine, database_url):
        write_tiny(engine)
        before = read_stamp(engine)
        add_note(database_url, goal_id=1, kind="decision", text="  <b>Ship</b> [x](http://e)  ", owner="Exec team",
                 due_on=date(2026, 12, 1), written_by="ceo@acme.example", at=datetime(2026, 11, 15, 10))
        assert read_stamp(engine) == before
        stored = read_notes(database_url).row(0, named=True)
        assert (stored["goal_id"], stored["kind"], stored["text"], stored["owner"], stored["due_on"]) == (
            1, "decision", "<b>Ship</b> [x](http://e)", "Exec team", date(2026, 12, 1))

    @pytest.mark.parametrize(
        ("kind", "text", "owner", "said"),
        [("note", "   ", None, "Write the note"), ("memo", "x", None, "not 'memo'"),
         ("note", "x" * 2001, None, "at most 2,000"), ("note", "x", "o" * 201, "at most 200")],
        ids=["empty", "unknown kind", "text too long", "owner too long"],
    )
    def test_unusable_notes_are_refused_in_words(self, engine, database_url, kind, text, owner, said):
        with pytest.raises(NoteRefused, match=said):
            add_note(database_url, goal_id=1, kind=kind, text=text, owner=owner, due_on=None, written_by="x@y")
        assert read_notes(database_url).is_empty()


class TestWhoSeesWhat:
    def test_only_executives_and_hr_write(self):
        assert may_write_notes(Viewer("e", "executive")) and may_write_notes(Viewer("h", "hr"))
        assert not may_write_notes(ANN) and not may_write_notes(Viewer("n", "none"))

    def test_a_manager_sees_notes_only_on_goals_they_can_see(self):
        """Ann sees goals 1, 2, 10 (company and department), 20 (Alpha) and Bob's and Cat's; not Beta's 21, nor a
        goal that is gone (999)."""
        seen = visible_notes(scoped_snapshot(tiny_snapshot(), ANN), NOTES)
        assert sorted(seen["goal_id"].unique().to_list()) == [1, 20]

    def test_hr_sees_every_note_on_a_known_goal(self):
        seen = visible_notes(tiny_snapshot(), NOTES)
        assert sorted(seen["goal_id"].unique().to_list()) == [1, 20, 21]

    def test_a_team_scope_holds_the_notes_on_what_it_carries(self):
        """Alpha carries its goals 20, 22, 30, 31, 33, 34 and, above them, 10 and objective 1: the notes on 1 and 20;
        Beta carries 21, 32, 10 and 1: the notes on 1 and 21."""
        snapshot = tiny_snapshot()
        alpha = scope_notes(snapshot, tiny_filters(org_unit_id=ALPHA), NOTES)
        beta = scope_notes(snapshot, tiny_filters(org_unit_id=BETA), NOTES)
        assert sorted(alpha["goal_id"].unique().to_list()) == [1, 20]
        assert sorted(beta["goal_id"].unique().to_list()) == [1, 21]


class TestBesideTheGoals:
    def test_the_newest_note_per_goal_as_one_line(self):
        """Objective 1 has two notes; the newer (2 Nov) is shown, and the count says 2."""
        latest = {row["goal_id"]: row for row in latest_note(tiny_snapshot(), NOTES).iter_rows(named=True)}
        assert latest[1]["note"] == "Note: Revisit in January" and latest[1]["notes"] == 2
        assert latest[20]["note"] == "Note: API launch slips"

    def test_owner_and_due_date_follow_the_text(self):
        older = NOTES.filter(pl.col("text") == "Fund the platform")
        line = latest_note(tiny_snapshot(), older)["note"][0]
        assert line == "Decision: Fund the platform (Exec team, due 2026-12-01)"
