"""Property tests of the importer: malformed files of every kind are refused in words, and nothing is written.

Each kind of damage draws 30 file sets (300 in all) from the example files of the tiny organisation:
broken encodings, rows cut short, cells of the wrong type, huge values, formula injections, loops in the
manager, unit, period and goal chains, references to nothing, repeated ids, damaged structure and values
outside their sensible range. For each, the import must report at least one problem with its file and a
sentence, write nothing, and leave the SQLite file byte for byte as it was (sha256 before and after).
"""

from __future__ import annotations

import hashlib
from datetime import date, timedelta
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from data.db import make_engine, upgrade
from data.formats import FORMATS, FORMULA_STARTS, ID_MAX_LENGTH
from data.goal_graph import cycle_members
from data.load import import_files
from data.validate import Source, validate
from queries.rollup import goal_cycles
from tests.tiny_org import write_tiny

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "docs" / "examples" / "csv"
TODAY = date(2026, 11, 25)
# The example files as text cells, exactly as a spreadsheet would hold them.
BASE = {name: pl.read_csv(EXAMPLES / f"{name}.csv", infer_schema=False) for name in FORMATS}
EXAMPLES_PER_KIND = 30
NON_VALUES = {"inf", "infinity", "nan", "true", "false", "yes", "no", "t", "f", "y", "n"}


@pytest.fixture(scope="module")
def tiny_database(tmp_path_factory):
    """A SQLite file holding the tiny organisation; every property must leave it exactly as it is."""
    path = tmp_path_factory.mktemp("properties") / "ladder.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    write_tiny(engine)
    yield engine, path
    engine.dispose()


def digest(path: Path) -> str:
    """sha256 of the database file and its write-ahead log."""
    content = path.read_bytes()
    wal = path.with_name(path.name + "-wal")
    return hashlib.sha256(content + (wal.read_bytes() if wal.exists() else b"")).hexdigest()


# --- drawing damaged file sets ------------------------------------------------------------------------------


def csv_of(frame: pl.DataFrame) -> bytes:
    return frame.write_csv().encode("utf-8")


def with_cell(frame: pl.DataFrame, row: int, column: str, value: str | None) -> pl.DataFrame:
    at_row = pl.int_range(pl.len()) == row
    return frame.with_columns(pl.when(at_row).then(pl.lit(value, pl.String)).otherwise(pl.col(column)).alias(column))


def columns_of(kind) -> list[tuple[str, str]]:
    """(table, column) pairs whose format matches `kind(column)`, in tables that have rows."""
    return [(t.name, c.name) for t in FORMATS.values() for c in t.columns if kind(c) and BASE[t.name].height]


def a_cell(draw, kind) -> tuple[str, str, int]:
    table, column = draw(st.sampled_from(columns_of(kind)))
    return table, column, draw(st.integers(0, BASE[table].height - 1))


def changed(table: str, frame: pl.DataFrame) -> dict[str, bytes]:
    return {f"{table}.csv": csv_of(frame)}


def broken_encoding(draw) -> dict[str, bytes]:
    table = draw(st.sampled_from([t for t in FORMATS if BASE[t].height]))
    content = csv_of(BASE[table])
    if draw(st.booleans()):
        return {f"{table}.csv": content.decode().encode(draw(st.sampled_from(["utf-16", "utf-16-le", "utf-32"])))}
    bad = draw(
        st.sampled_from([b"\xff", b"\xfe", b"\xc3\x28", b"\xa0\xa1", b"\xe2\x82", b"\xe9", b"\x80", b"\xf0\x28"])
    )
    at = draw(st.integers(0, len(content)))
    return {f"{table}.csv": content[:at] + bad + content[at:]}


def truncated_row(draw) -> dict[str, bytes]:
    table = draw(st.sampled_from([t for t in FORMATS if BASE[t].height and BASE[t].width > 1]))
    lines = csv_of(BASE[table]).decode().splitlines(keepends=True)
    index = draw(st.integers(1, len(lines) - 1))
    line = lines[index]
    cut = draw(st.integers(1, line.rstrip("\n").rfind(",")))
    if draw(st.booleans()):
        # The file stops in the middle of the row, as a broken download does.
        return {f"{table}.csv": "".join(lines[:index]).encode() + line[:cut].encode()}
    lines[index] = line[:cut] + "\n"
    return {f"{table}.csv": "".join(lines).encode()}


def wrong_type(draw) -> dict[str, bytes]:
    table, column, row = a_cell(draw, lambda c: c.dtype != pl.String and not c.identifier)  # ids may be text
    dtype = FORMATS[table].column(column).dtype
    words = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFXYZ", min_size=2, max_size=12).filter(
        lambda w: w.lower() not in NON_VALUES
    )
    special = {pl.Int64: ["1.5", "12abc", "3,000", "0x1F", "seven"], pl.Float64: ["12,5.0", "1..2", "50%", "ten"],
               pl.Date: ["2026-02-30", "31/12/2026", "2026-13-01", "yesterday", "46000"],
               pl.Boolean: ["maybe", "2", "ja", "oui"]}[dtype]  # fmt: skip
    value = draw(st.one_of(words, st.sampled_from(special)))
    return changed(table, with_cell(BASE[table], row, column, value))


def huge_value(draw) -> dict[str, bytes]:
    table, column, row = a_cell(draw, lambda c: c.dtype != pl.Boolean and (c.dtype != pl.String or c.max_length))
    spec = FORMATS[table].column(column)
    if spec.identifier:  # any number or text is an id; only its length is bounded
        value = "9" * draw(st.integers(ID_MAX_LENGTH + 1, ID_MAX_LENGTH + 5000))
    elif spec.dtype == pl.Int64:
        value = str(draw(st.one_of(st.integers(2**31, 10**30), st.integers(-(10**30), -(2**31) - 1))))
    elif spec.dtype == pl.Float64:
        value = draw(st.sampled_from(["1e400", "-1e999", "9" * 400, "inf", "NaN"]))
    elif spec.dtype == pl.Date:
        value = draw(st.dates(date(2101, 1, 1), date(9999, 12, 31)) | st.dates(date(1000, 1, 1), date(1899, 12, 31)))
        value = value.isoformat()
    else:
        value = "x" * draw(st.integers(spec.max_length + 1, spec.max_length + 5000))
    return changed(table, with_cell(BASE[table], row, column, value))


def formula_injection(draw) -> dict[str, bytes]:
    table, column, row = a_cell(draw, lambda c: c.dtype == pl.String)
    payload = draw(
        st.sampled_from(
            [
                "=cmd|' /C calc'!A0",
                '=HYPERLINK("http://evil.example","x")',
                "+1+cmd|' /C calc'!A0",
                "-2+3+cmd|' /C notepad'!A1",
                "@SUM(1+1)*cmd|' /C calc'!A0",
                "=1+1",
            ]
        )  # fmt: skip
        | st.tuples(st.sampled_from([s for s in FORMULA_STARTS if s.strip()]), st.text(min_size=1, max_size=30)).map(
            "".join
        )
    )
    return changed(table, with_cell(BASE[table], row, column, payload))


def _descendants(frame: pl.DataFrame, key: str, parent: str, of: str) -> list[str]:
    children: dict[str, list[str]] = {}
    for child, up in frame.select(key, parent).iter_rows():
        if up is not None:
            children.setdefault(up, []).append(child)
    found, stack = [], [of]
    while stack:
        node = stack.pop()
        found.append(node)
        stack.extend(children.get(node, []))
    return found


def a_loop(draw) -> dict[str, bytes]:
    table = draw(st.sampled_from(["employee", "org_unit", "period", "goal", "goal_link"]))
    if table == "goal_link":
        goals = BASE["goal"]
        top = draw(st.sampled_from(["1", "10", "20", "21"]))
        below = draw(st.sampled_from(_descendants(goals, "id", "parent_id", top)))
        link = pl.DataFrame({"id": ["2"], "goal_id": [top], "target_goal_id": [below], "link_type": ["contributes"],
                             "weight": ["1.0"]})  # fmt: skip
        return changed("goal_link", pl.concat([BASE["goal_link"], link]))
    frame, chain = BASE[table], FORMATS[table].chain
    parents = [p for p in frame[chain].drop_nulls().unique().sort()]
    top = draw(st.sampled_from(parents))
    below = draw(st.sampled_from(_descendants(frame, "id", chain, top)))
    row = frame["id"].to_list().index(top)
    return changed(table, with_cell(frame, row, chain, below))


def missing_reference(draw) -> dict[str, bytes]:
    table, column, row = a_cell(draw, lambda c: c.references is not None)
    return changed(table, with_cell(BASE[table], row, column, str(draw(st.integers(100_000, 2**31 - 1)))))


def repeated_id(draw) -> dict[str, bytes]:
    table = draw(st.sampled_from([t for t in FORMATS if BASE[t].height]))
    row = draw(st.integers(0, BASE[table].height - 1))
    return changed(table, pl.concat([BASE[table], BASE[table].slice(row, 1)]))


def damaged_structure(draw) -> dict[str, bytes]:
    table = draw(st.sampled_from([t for t in FORMATS if BASE[t].height]))
    frame = BASE[table]
    damage = draw(st.sampled_from(["drop required", "unknown column", "unknown table", "empty", "nameless column"]))
    if damage == "drop required":
        column = draw(st.sampled_from([c.name for c in FORMATS[table].columns if c.required]))
        return changed(table, frame.drop(column))
    if damage == "unknown column":
        name = draw(st.from_regex(r"\A[a-z]{3,12}\Z").filter(lambda n: n not in frame.columns))
        return changed(table, frame.with_columns(pl.lit("x").alias(name)))
    if damage == "unknown table":
        name = draw(st.from_regex(r"\A[a-z]{3,12}\Z").filter(lambda n: n not in FORMATS))
        return {f"{name}.csv": csv_of(frame)}
    if damage == "empty":
        return {f"{table}.csv": draw(st.sampled_from([b"", b"\n\n", b"   \n"]))}
    return changed(table, frame.with_columns(pl.lit("stray").alias("")))


def out_of_range(draw) -> dict[str, bytes]:
    rule = draw(st.sampled_from(["update outside period", "update in future", "checkin before hire",
                                 "checkin in future", "rating off scale", "target equals start", "confidence",
                                 "negative weight", "period backwards", "guideline share"]))  # fmt: skip
    if rule == "update outside period":
        row = draw(st.sampled_from([0, 1, 2, 3, 4, 5, 6, 7, 8, 12]))  # updates of 2026-Q4 goals
        day = draw(st.dates(date(2025, 1, 1), date(2026, 9, 30)))
        return changed("progress_update", with_cell(BASE["progress_update"], row, "at", day.isoformat()))
    if rule == "update in future" or rule == "checkin in future":
        table, column = ("progress_update", "at") if rule == "update in future" else ("checkin", "held_at")
        day = draw(st.dates(TODAY + timedelta(days=400), date(2100, 12, 31)))
        row = draw(st.integers(0, BASE[table].height - 1))
        return changed(table, with_cell(BASE[table], row, column, day.isoformat()))
    if rule == "checkin before hire":
        row = draw(st.integers(0, BASE["checkin"].height - 1))
        day = draw(st.dates(date(1990, 1, 1), date(2019, 12, 31)))
        return changed("checkin", with_cell(BASE["checkin"], row, "held_at", day.isoformat()))
    if rule == "rating off scale":
        column = draw(st.sampled_from(["pre_calibration", "post_calibration", "potential"]))
        value = draw(st.integers(6, 1000) | st.integers(-1000, 0))
        row = draw(st.integers(0, BASE["rating"].height - 1))
        return changed("rating", with_cell(BASE["rating"], row, column, str(value)))
    if rule == "target equals start":
        row = draw(st.integers(0, BASE["key_result"].height - 1))
        frame = BASE["key_result"]
        return changed("key_result", with_cell(frame, row, "target_value", frame["start_value"][row]))
    if rule == "confidence":
        value = draw(st.floats(1.001, 1e9) | st.floats(-1e9, -0.001))
        row = draw(st.integers(0, BASE["progress_update"].height - 1))
        return changed("progress_update", with_cell(BASE["progress_update"], row, "confidence", repr(value)))
    if rule == "negative weight":
        table = draw(st.sampled_from(["goal", "goal_link", "key_result"]))
        value = draw(st.floats(-1e9, -0.001))
        return changed(table, with_cell(BASE[table], 0, "weight", repr(value)))
    if rule == "period backwards":
        row = draw(st.integers(0, BASE["period"].height - 1))
        return changed("period", with_cell(BASE["period"], row, "end_date", "1999-12-31"))
    value = draw(st.floats(1.001, 1e6) | st.floats(-1e6, -0.001))
    return changed("rating_guideline", with_cell(BASE["rating_guideline"], 0, "target_share", repr(value)))


KINDS = {
    "broken encoding": broken_encoding,
    "row cut short": truncated_row,
    "wrong type": wrong_type,
    "huge value": huge_value,
    "formula injection": formula_injection,
    "loop": a_loop,
    "missing reference": missing_reference,
    "repeated id": repeated_id,
    "damaged structure": damaged_structure,
    "out of range": out_of_range,
}


@st.composite
def malformed_file_sets(draw, kind: str) -> list[Source]:
    damaged = KINDS[kind](draw)
    if draw(st.booleans()):
        # The damaged files alone, against the organisation in the database ...
        files = damaged
    else:
        # ... or inside the whole file set.
        files = {f"{name}.csv": csv_of(frame) for name, frame in BASE.items()} | damaged
    return [Source(name, content) for name, content in files.items()]


# --- the properties -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", list(KINDS))
@settings(max_examples=EXAMPLES_PER_KIND, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_malformed_files_are_refused_in_words_and_leave_the_database_untouched(tiny_database, kind, data):
    engine, path = tiny_database
    sources = data.draw(malformed_file_sets(kind))
    before = digest(path)
    result = import_files(engine, sources, today=TODAY)
    problems = result.report.problems
    note(str(problems))
    assert not result.ok and not result.written
    assert problems.height >= 1
    for file, _row, _column, problem in problems.iter_rows():
        assert file, "every problem names its file"
        assert len(problem) >= 20 and problem.endswith((".", ".)")), problem
        assert "Traceback" not in problem and "Error:" not in problem
    assert digest(path) == before


@pytest.fixture(scope="module")
def title_database(tmp_path_factory):
    path = tmp_path_factory.mktemp("titles") / "ladder.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    write_tiny(engine)
    yield engine, path
    engine.dispose()


titles = (
    st.text(st.characters(exclude_categories=("Cs", "Cc"), include_characters="\n"), min_size=1, max_size=300)
    .map(str.strip)
    .filter(lambda t: t and not t.startswith(FORMULA_STARTS))
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(new_titles=st.lists(titles, min_size=BASE["goal"].height, max_size=BASE["goal"].height))
def test_any_plain_text_survives_a_round_trip_and_a_second_import_changes_nothing(title_database, new_titles):
    engine, path = title_database
    goals = BASE["goal"].with_columns(pl.Series("title", new_titles))
    sources = [Source("goal.csv", csv_of(goals))]
    result = import_files(engine, sources, today=TODAY)
    assert result.written, result.report.problems
    with engine.connect() as connection:
        stored = dict(connection.exec_driver_sql("SELECT id, title FROM goal").fetchall())
    assert [stored[int(i)] for i in goals["id"]] == new_titles
    before = digest(path)
    assert import_files(engine, sources, today=TODAY).written
    assert digest(path) == before


def reaches_itself(edges: list[tuple[int, int]]) -> set[int]:
    """Goals from which the edges lead back to the goal itself, found the slow, obvious way."""
    following: dict[int, set[int]] = {}
    for child, parent in edges:
        following.setdefault(child, set()).add(parent)
    looping = set()
    for start in following:
        seen, stack = set(), list(following[start])
        while stack:
            node = stack.pop()
            if node == start:
                looping.add(start)
                break
            if node not in seen:
                seen.add(node)
                stack.extend(following.get(node, ()))
    return looping


@settings(max_examples=150, deadline=None)
@given(
    parents=st.lists(st.one_of(st.none(), st.integers(1, 12)), min_size=12, max_size=12),
    links=st.lists(st.tuples(st.integers(1, 12), st.integers(1, 12)), max_size=6, unique=True),
)
def test_goal_loops_agree_with_the_roll_up_engine_and_the_report_names_exactly_the_goals_on_them(parents, links):
    goals = pl.DataFrame({"id": list(range(1, 13)), "parent_id": parents, "weight": [1.0] * 12},
                         schema={"id": pl.Int64, "parent_id": pl.Int64, "weight": pl.Float64})  # fmt: skip
    link_frame = pl.DataFrame(
        {"goal_id": [a for a, _ in links], "target_goal_id": [b for _, b in links],
         "link_type": ["contributes"] * len(links), "weight": [1.0] * len(links)},
        schema={"goal_id": pl.Int64, "target_goal_id": pl.Int64, "link_type": pl.String, "weight": pl.Float64},
    )  # fmt: skip
    edges = [(i, p) for i, p in enumerate(parents, start=1) if p is not None] + list(links)
    proper = pl.DataFrame([e for e in edges if e[0] != e[1]], schema=["child", "parent"], orient="row")
    # The roll-up engine reads a goal that is its own parent as a root; an import refuses it as a loop.
    assert cycle_members(proper).to_list() == goal_cycles(goals, link_frame)

    goal_file = goals.select(
        "id", "parent_id", pl.format("Goal {}", "id").alias("title"), pl.lit("team").alias("level"),
        pl.lit(1).alias("org_unit_id"), pl.lit(1).alias("period_id"),
    )  # fmt: skip
    link_file = link_frame.with_row_index("id", offset=1).select("id", "goal_id", "target_goal_id", "link_type")
    report = validate([Source("goal.csv", csv_of(goal_file)), Source("goal_link.csv", csv_of(link_file))])
    loops = report.problems.filter(pl.col("problem").str.contains("ladder"))
    named = {
        (goal_file if file == "goal.csv" else link_file)["id" if file == "goal.csv" else "goal_id"][row - 2]
        for file, row in loops.select("file", "row").iter_rows()
    }
    assert named == reaches_itself(edges)
