"""A key result's current value is optional: the latest progress update gives it, and with neither it is no data.

Hand-worked on the tiny organisation (tests/tiny_org.py), as of 2026-11-15, Q4:
- Without any current_value column, every key result has updates, so the roll-up is unchanged:
  KR102 0 -> 10, last update on or before 15 Nov is 9 (10 Nov) -> 0.9, goal 21 = 0.9; goal 20 = 0.275;
  goal 10 = (0.275 + 0.9 + 1.0) / 3 = 0.725.
- Cat's goal 31 has one key result, KR104 (0 -> 10, one update of 2 on 1 Nov: 0.2). Without that update and
  without a current value, KR104 has nothing measured: it gives no progress ("no data yet"), so goal 31's
  progress is null too, never 0; the rest of the tree keeps its figures (31 is an orphan).
"""

from __future__ import annotations

import polars as pl
import pytest
from sqlalchemy import text

from data.db import upgrade
from data.load import import_files, write
from data.validate import Incoming, Source
from queries.model import Settings
from queries.rollup import key_result_progress, period_progress
from queries.snapshot import load_snapshot
from tests.tiny_org import AS_OF, Q4, tiny_tables

EXAMPLE_ORDER = list(tiny_tables())


def sources(tables: dict[str, pl.DataFrame]) -> list[Source]:
    return [Source(f"{n}.csv", f.write_csv(date_format="%Y-%m-%d").encode()) for n, f in tables.items()]


def progress_by_goal(engine) -> dict[int, float | None]:
    rolled = period_progress(load_snapshot(engine, fresh=True), Q4, AS_OF, Settings())
    return dict(zip(rolled["id"].to_list(), rolled["progress"].to_list(), strict=True))


class TestOptionalCurrentValue:
    def test_left_out_the_latest_update_gives_it(self, engine):
        tables = tiny_tables()
        tables["key_result"] = tables["key_result"].drop("current_value")
        result = import_files(engine, sources(tables))
        assert result.written, result.report.problems
        with engine.connect() as connection:
            stored = connection.execute(text("SELECT COUNT(*) FROM key_result WHERE current_value IS NULL")).scalar()
        assert stored == tiny_tables()["key_result"].height
        rolled = progress_by_goal(engine)
        assert rolled[21] == pytest.approx(0.9)
        assert rolled[20] == pytest.approx(0.275)
        assert rolled[10] == pytest.approx(0.725)

    def test_with_neither_a_current_value_nor_an_update_it_is_no_data_never_zero(self, engine):
        tables = tiny_tables()
        tables["key_result"] = tables["key_result"].with_columns(
            pl.when(pl.col("id") == 104).then(None).otherwise(pl.col("current_value")).alias("current_value")
        )
        tables["progress_update"] = tables["progress_update"].filter(pl.col("key_result_id") != 104)
        assert import_files(engine, sources(tables)).written
        snapshot = load_snapshot(engine, fresh=True)
        kr = key_result_progress(snapshot.key_result, snapshot.progress_update, AS_OF)
        assert 104 not in kr["key_result_id"].to_list()  # nothing measured: no progress, not 0
        rolled = progress_by_goal(engine)
        assert rolled[31] is None
        assert rolled[10] == pytest.approx(0.725)


class TestMigration:
    def test_an_older_database_keeps_its_rows_triggers_and_checks(self, database_url):
        """Upgrading a database at revision 0005 that holds the tiny organisation: same rows, the data stamp's
        trigger still fires on key_result, the target-equals-start check still holds, and NULL is accepted."""
        from data.db import make_engine

        engine = make_engine(database_url)
        try:
            upgrade(engine, "0005")
            at_0005 = {n: f for n, f in tiny_tables().items() if n != "key_result_milestone"}  # added in 0007
            write(engine, {n: Incoming(n, n, f, tuple(f.columns)) for n, f in at_0005.items()})
            upgrade(engine)
            with engine.begin() as connection:
                assert connection.execute(text("SELECT COUNT(*) FROM key_result")).scalar() == 8
                version = connection.execute(text("SELECT version FROM data_version")).scalar()
                connection.execute(text("UPDATE key_result SET current_value = NULL WHERE id = 104"))
                assert connection.execute(text("SELECT version FROM data_version")).scalar() > version
            with pytest.raises(Exception, match="(?i)check"), engine.begin() as connection:
                connection.execute(text("UPDATE key_result SET target_value = start_value WHERE id = 100"))
            if engine.dialect.name == "sqlite":
                with engine.connect() as connection:
                    assert connection.execute(text("PRAGMA foreign_key_check")).all() == []
                    assert connection.execute(text("PRAGMA integrity_check")).scalar() == "ok"
            snapshot = load_snapshot(engine, fresh=True)
            assert snapshot.key_result.filter(pl.col("id") == 104)["current_value"].to_list() == [None]
        finally:
            engine.dispose()
