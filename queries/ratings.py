"""Ratings: distribution against the guideline, calibration, rater leniency, bias tests and the 9-box.

Every figure is for a group of at least `Settings.min_group_size` people; groups below it, and the groups
hidden with them so that subtraction cannot reveal them, appear only inside one "other groups" row
(queries/privacy.py states the rules). The people rated are those of the cycle whose current team and region
fall in the filters (leavers included: a rating given stays a fact of its cycle).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

import numpy as np
import polars as pl

from queries.model import Filters, Settings, Snapshot, Viewer
from queries.privacy import HIDDEN, Grouping, hide_small_cells, hide_small_grid, protect_linked, sums_reveal
from queries.scope import org_closure, scope_of

DEFAULT_SETTINGS = Settings()

GROUPINGS = {"team": "Team", "region": "Region", "manager": "Manager"}
ATTRIBUTES = {"gender": "Gender", "age_band": "Age band", "work_mode": "Work mode", "region": "Region"}
SENSITIVE_ATTRIBUTES = ("gender", "age_band")
BASES = {"pre": "pre_calibration", "final": "post_calibration"}
BANDS = ("low", "moderate", "high")
NOT_RECORDED = "not recorded"
OTHER = "~other"  # the key of the row that pools a partition's hidden groups
SCOPE = "~scope"
SIGNIFICANT = 0.05  # the conventional p-value below which a gap is called unlikely to be chance
CHART_GROUPS = 20  # groups drawn in a chart (the largest); tables list up to TABLE_ROWS
TABLE_ROWS = 200


# --- cycles -----------------------------------------------------------------------------------------------------


def closed_cycles(snapshot: Snapshot, as_of: date) -> pl.DataFrame:
    """Review cycles closed on or before `as_of`, newest first."""
    return snapshot.review_cycle.filter(pl.col("closed_on").is_not_null() & (pl.col("closed_on") <= as_of)).sort(
        ["closed_on", "id"], descending=True
    )


def review_cycles(
    snapshot: Snapshot, filters: Filters, viewer: Viewer, settings: Settings = DEFAULT_SETTINGS
) -> pl.DataFrame:
    """The cycles a viewer can pick: closed by the filters' as-of date, newest (the default) first."""
    return closed_cycles(snapshot, filters.as_of).select("id", "name", "closed_on", "scale_min", "scale_max")


def _cycle(snapshot: Snapshot, cycle_id: int) -> dict:
    rows = snapshot.review_cycle.filter(pl.col("id") == cycle_id).to_dicts()
    if not rows:
        raise KeyError(f"unknown review cycle {cycle_id}")
    return rows[0]


def cycle_scale(snapshot: Snapshot, cycle_id: int) -> list[int]:
    cycle = _cycle(snapshot, cycle_id)
    return list(range(cycle["scale_min"], cycle["scale_max"] + 1))


def cycle_ratings(snapshot: Snapshot, cycle_id: int) -> pl.DataFrame:
    """The cycle's ratings with each person's unit, region and work mode and the reviewer's name; memoised."""

    def compute() -> pl.DataFrame:
        people = snapshot.employee.select(
            pl.col("id").alias("employee_id"), "org_unit_id", "region_id", "work_mode"
        )
        reviewers = snapshot.employee.select(pl.col("id").alias("reviewer_id"), pl.col("name").alias("reviewer"))
        return (
            snapshot.rating.filter(pl.col("cycle_id") == cycle_id)
            .select("employee_id", "reviewer_id", "pre_calibration", "post_calibration", "potential")
            .join(people, on="employee_id", how="inner")
            .join(reviewers, on="reviewer_id", how="left")
        )

    return snapshot.derived(("cycle_ratings", cycle_id), compute)


def rated_in_scope(snapshot: Snapshot, filters: Filters, cycle_id: int) -> pl.DataFrame:
    """The cycle's ratings of the people `scope's `people(active_only=False)` selects (leavers included): the
    same team-subtree and region rules, applied straight to the ratings, which carry each person's unit and
    region, so a filter change costs one pass over the cycle."""
    return scope_of(snapshot, filters).narrow(cycle_ratings(snapshot, cycle_id))


# --- groups -----------------------------------------------------------------------------------------------------


def _unique_labels(frame: pl.DataFrame) -> pl.DataFrame:
    """Make `group` labels unique (two teams may share a name) by adding the key to repeated ones."""
    repeated = pl.col("group").is_duplicated()
    return frame.with_columns(
        pl.when(repeated).then(pl.format("{} (#{})", "group", "group_id")).otherwise(pl.col("group")).alias("group")
    )


def _team_groups(snapshot: Snapshot, filters: Filters) -> pl.DataFrame:
    """unit id -> the unit one level below the team filter (or below the company) that contains it."""
    units = snapshot.org_unit
    if filters.org_unit_id is None:
        top = units.filter(pl.col("parent_id").is_null())["id"]
    else:
        top = pl.Series([filters.org_unit_id])
    children = units.filter(pl.col("parent_id").is_in(top.implode())).select("id", "name")
    closure = org_closure(snapshot)
    below = (
        closure.join(children, left_on="ancestor_id", right_on="id", how="inner")
        .select(pl.col("unit_id").alias("org_unit_id"), pl.col("ancestor_id").alias("group_unit"), "name")
    )
    at_top = units.filter(pl.col("id").is_in(top.implode())).select(
        pl.col("id").alias("org_unit_id"), pl.col("id").alias("group_unit"), "name"
    )
    return pl.concat([below, at_top]).unique("org_unit_id")


def _reviewer_labels(snapshot: Snapshot) -> pl.DataFrame:
    """Every reviewer's id (as a group key) and unique display name; memoised per snapshot."""

    def compute() -> pl.DataFrame:
        ids = snapshot.rating.select(pl.col("reviewer_id").alias("id")).unique()
        names = snapshot.employee.join(ids, on="id", how="semi").select(
            pl.col("id").cast(pl.String).alias("group_id"), pl.col("name").alias("group")
        )
        missing = pl.DataFrame({"group_id": ["?"], "group": ["No reviewer recorded"]})
        return _unique_labels(pl.concat([names, missing]))

    return snapshot.derived("reviewer_labels", compute)


def _reviewer_units(snapshot: Snapshot) -> pl.DataFrame:
    """Every reviewer's id (as a group key) and the name of their own unit; memoised per snapshot."""

    def compute() -> pl.DataFrame:
        ids = snapshot.rating.select(pl.col("reviewer_id").alias("id")).unique()
        units = snapshot.org_unit.select(pl.col("id").alias("org_unit_id"), pl.col("name").alias("team"))
        return snapshot.employee.join(ids, on="id", how="semi").join(units, on="org_unit_id", how="left").select(
            pl.col("id").cast(pl.String).alias("group_id"), "team"
        )

    return snapshot.derived("reviewer_units", compute)


def group_labels(snapshot: Snapshot, filters: Filters, by: str | None) -> pl.DataFrame:
    """(group_id, group) display names of a grouping, unique within it."""
    if by is None:
        return pl.DataFrame({"group_id": [SCOPE], "group": ["Everyone in scope"]})
    if by == "team":
        teams = _team_groups(snapshot, filters).select(pl.col("group_unit").cast(pl.String).alias("group_id"),
                                                         pl.col("name").alias("group"))
        labels = pl.concat([teams.unique("group_id"), pl.DataFrame({"group_id": ["?"], "group": ["Elsewhere"]})])
        return _unique_labels(labels)
    if by == "region":
        regions = snapshot.region.select(pl.col("id").cast(pl.String).alias("group_id"), pl.col("name").alias("group"))
        return _unique_labels(pl.concat([regions, pl.DataFrame({"group_id": ["?"], "group": ["Unknown region"]})]))
    if by == "manager":
        return _reviewer_labels(snapshot)
    raise ValueError(f"unknown grouping {by!r}")


def with_group_id(snapshot: Snapshot, filters: Filters, rated: pl.DataFrame, by: str | None) -> pl.DataFrame:
    """The rated people with `group_id`: one level down the org tree, region or reviewer (labels come later,
    from `group_labels`, on the few aggregated rows)."""
    if by is None:
        key = pl.lit(SCOPE)
    elif by == "team":
        teams = _team_groups(snapshot, filters).select("org_unit_id", "group_unit")
        rated = rated.join(teams, on="org_unit_id", how="left")
        key = pl.col("group_unit").cast(pl.String).fill_null("?")
    elif by == "region":
        key = pl.col("region_id").cast(pl.String).fill_null("?")
    elif by == "manager":
        key = pl.col("reviewer_id").cast(pl.String).fill_null("?")
    else:
        raise ValueError(f"unknown grouping {by!r}")
    return rated.with_columns(key.alias("group_id"))


def _with_attribute(snapshot: Snapshot, viewer: Viewer, rated: pl.DataFrame, attribute: str) -> pl.DataFrame:
    if attribute in SENSITIVE_ATTRIBUTES:
        if not viewer.sees_sensitive:
            return rated.clear().with_columns(pl.lit(None, pl.String).alias("group_id"))
        values = snapshot.employee_sensitive.select("employee_id", pl.col(attribute).alias("group_id"))
        grouped = rated.join(values, on="employee_id", how="left")
    elif attribute == "work_mode":
        grouped = rated.with_columns(pl.col("work_mode").alias("group_id"))
    elif attribute == "region":
        names = snapshot.region.select(pl.col("id").alias("region_id"), pl.col("name").alias("group_id"))
        grouped = rated.join(names, on="region_id", how="left")
    else:
        raise ValueError(f"unknown attribute {attribute!r}")
    return grouped.with_columns(pl.col("group_id").fill_null(NOT_RECORDED))


# --- protection: which groups a scope hides, decided across every view of it and of its parent scopes -----------

AUDITED = ("team", "region", "manager", "work_mode", "gender", "age_band")
OUTSIDE = "~outside"  # people of a parent scope outside this one: known as a whole (parent total - this total)
SMALL_SCOPE = "small"
PARENT_HIDDEN = "parent"


@dataclass(frozen=True)
class Protection:
    """What one scope may show for one cycle: whether anything at all (`shown`, else `reason`), the hidden groups
    of every grouping and attribute, and each rated person's group in each (`keys`, for the parent's children);
    for a shown scope also `codes`, per grouping the same groups as the audit numbers them (`_encoded`), so a
    child scope's audit reads its parent's views without encoding them again."""

    shown: bool
    reason: str
    hidden: dict[str, frozenset[str]]
    keys: pl.DataFrame
    codes: dict[str, tuple[np.ndarray, dict[str, int]]] = field(default_factory=dict)


def audited_groupings(viewer: Viewer) -> tuple[str, ...]:
    """The groupings a viewer can open: the sensitive attributes only for HR."""
    return tuple(g for g in AUDITED if viewer.sees_sensitive or g not in SENSITIVE_ATTRIBUTES)


def _group_keys(snapshot: Snapshot, filters: Filters, viewer: Viewer, rated: pl.DataFrame) -> pl.DataFrame:
    """employee_id and, per audited grouping, the id of the person's group in it (as the screen's queries key it)."""
    columns = [rated["employee_id"]]
    for name in audited_groupings(viewer):
        if name in GROUPINGS:
            column = with_group_id(snapshot, filters, rated, name)["group_id"]
        else:
            column = _with_attribute(snapshot, viewer, rated, name)["group_id"]
        columns.append(column.alias(name))
    return pl.DataFrame(columns)


def _parent_scopes(snapshot: Snapshot, filters: Filters) -> list[tuple[str, Filters]]:
    """The scopes one step wider that a viewer of this one can open: the parent unit (same regions), keyed by the
    grouping that holds this scope as one of its groups, and the same unit in every region."""
    parents = []
    if filters.org_unit_id is not None:
        rows = snapshot.org_unit.filter(pl.col("id") == filters.org_unit_id)["parent_id"]
        parent = rows[0] if rows.len() else None
        known = parent is not None and snapshot.org_unit.filter(pl.col("id") == parent).height > 0
        parents.append(("team", replace(filters, org_unit_id=parent if known else None)))
    if filters.region_ids:
        parents.append(("region", replace(filters, region_ids=())))
    return parents


def _encoded(column: pl.Series) -> tuple[np.ndarray, dict[str, int]]:
    """Each person's group as an index into the grouping's group ids in sorted order (in the column's order), and
    that numbering (group id -> index)."""
    index = {g: i for i, g in enumerate(sorted(column.unique().to_list()))}
    return column.replace_strict(index, return_dtype=pl.Int64).to_numpy(), index


def protection(
    snapshot: Snapshot, filters: Filters, viewer: Viewer, settings: Settings = DEFAULT_SETTINGS, *, cycle_id: int
) -> Protection:
    """The scope's protection, memoised per (cycle, unit, regions, whether sensitive attributes are shown)."""
    key = ("rating_protection", cycle_id, filters.org_unit_id, filters.region_ids, viewer.sees_sensitive,
           settings.min_group_size)
    return snapshot.derived(key, lambda: _protection(snapshot, filters, viewer, settings, cycle_id))


def _protection(snapshot: Snapshot, filters: Filters, viewer: Viewer, settings: Settings, cycle_id: int) -> Protection:
    """Every grouping's hidden groups: the partition rule on each, then every pair of groupings, and each grouping
    against each grouping of the parent scopes (as those show them), audited until no set of 1 to min - 1 people
    can be worked out (queries/privacy.py). A scope that its parent shows only inside "other groups" shows
    nothing, or subtracting it from the parent would give that pool away."""
    min_size = settings.min_group_size
    rated = rated_in_scope(snapshot, filters, cycle_id)
    keys = _group_keys(snapshot, filters, viewer, rated)
    if rated.height < min_size:
        return Protection(False, SMALL_SCOPE, {}, keys)
    names = audited_groupings(viewer)
    codes = {name: _encoded(keys[name]) for name in names}
    own = {name: Grouping(codes[name][0], set(), own=True, hideable=len(codes[name][1])) for name in names}
    fixed_pairs = []
    for gate, parent_filters in _parent_scopes(snapshot, filters):
        parent = protection(snapshot, parent_filters, viewer, settings, cycle_id=cycle_id)
        if not parent.shown:
            return Protection(False, PARENT_HIDDEN, {}, keys)
        if parent.keys.height == rated.height:
            continue  # the same people: the same views
        # Each of the parent's people's row in this scope's keys (null outside it).
        rows = parent.keys.select("employee_id").join(keys.select("employee_id").with_row_index("row"),
                                                      on="employee_id", how="left", maintain_order="left")["row"]
        inside = rows.is_not_null().to_numpy()
        if parent.keys[gate].filter(inside).is_in(list(parent.hidden[gate])).any():
            return Protection(False, PARENT_HIDDEN, {}, keys)
        at = rows.fill_null(0).cast(pl.Int64).to_numpy()
        fixed = {}
        for other in names:
            parent_codes, parent_index = parent.codes[other]
            hidden = {parent_index[g] for g in parent.hidden[other] if g in parent_index}
            fixed[other] = Grouping(parent_codes, hidden, own=False, hideable=len(parent_index))
        for name in names:
            own_codes, index = codes[name]
            # The parent's people in this scope's groups, everyone outside it in one more group (OUTSIDE).
            extended = Grouping(np.where(inside, own_codes[at], len(index)), set(), own=True, hideable=len(index))
            extended.hidden = own[name].hidden  # one set: hiding in either is hiding in both
            fixed_pairs += [(extended, fixed[other]) for other in names]
    if not protect_linked(list(own.values()), fixed_pairs, min_size):
        return Protection(False, PARENT_HIDDEN, {}, keys)
    hidden = {}
    for name, grouping in own.items():
        ids = {i: g for g, i in codes[name][1].items()}
        hidden[name] = frozenset(ids[i] for i in grouping.hidden)
    return Protection(True, "", hidden, keys, codes)


def scope_status(
    snapshot: Snapshot, filters: Filters, viewer: Viewer, settings: Settings = DEFAULT_SETTINGS, *, cycle_id: int
) -> pl.DataFrame:
    """Whether the scope's ratings may be shown, and if not, why, in words for the screen."""
    guard = protection(snapshot, filters, viewer, settings, cycle_id=cycle_id)
    k = settings.min_group_size
    message = {
        "": "",
        SMALL_SCOPE: f"Fewer than {k} people in this scope were rated in this cycle. To protect them nothing is "
        "shown; widen the regions or team in the sidebar.",
        PARENT_HIDDEN: "This scope's ratings are shown only as part of a wider one: on their own, subtracted from "
        f"the wider scope's figures, they would give away a group of fewer than {k} people elsewhere. Pick the "
        "unit above it in the sidebar, or all regions.",
    }[guard.reason]
    return pl.DataFrame({"shown": [guard.shown], "reason": [guard.reason], "message": [message]})


def _pooled(
    snapshot: Snapshot, filters: Filters, viewer: Viewer, settings: Settings, cycle_id: int, by: str | None
) -> tuple[pl.DataFrame, int]:
    """The scope's rated people with `group_id` of the grouping (or attribute) `by`, hidden groups replaced by one
    pooled key (OTHER), dropped too when the pool is below the minimum; and how many groups are hidden."""
    guard = protection(snapshot, filters, viewer, settings, cycle_id=cycle_id)
    rated = rated_in_scope(snapshot, filters, cycle_id)
    if not guard.shown:
        return rated.clear().with_columns(pl.lit(None, pl.String).alias("group_id")), 0
    if by is None:
        return rated.with_columns(pl.lit(SCOPE).alias("group_id")), 0
    grouped = rated.join(guard.keys.select("employee_id", pl.col(by).alias("group_id")), on="employee_id",
                         how="left")
    hidden = list(guard.hidden[by])
    if not hidden:
        return grouped, 0
    is_hidden = pl.col("group_id").is_in(hidden)
    pooled = grouped.with_columns(pl.when(is_hidden).then(pl.lit(OTHER)).otherwise(pl.col("group_id"))
                                  .alias("group_id"))
    if grouped.filter(is_hidden).height < settings.min_group_size:
        pooled = pooled.filter(pl.col("group_id") != OTHER)
    return pooled, len(hidden)


def scope_rated(
    snapshot: Snapshot, filters: Filters, viewer: Viewer, settings: Settings = DEFAULT_SETTINGS, *, cycle_id: int
) -> pl.DataFrame:
    """The scope's rated people if the scope may be shown, else none."""
    rated = rated_in_scope(snapshot, filters, cycle_id)
    return rated if protection(snapshot, filters, viewer, settings, cycle_id=cycle_id).shown else rated.clear()


def _labelled(frame: pl.DataFrame, labels: pl.DataFrame, hidden: int) -> pl.DataFrame:
    """Aggregated rows (one or more per `group_id`) with their `group` label; the pooled row says how many
    groups it holds."""
    return frame.join(labels, on="group_id", how="left").with_columns(
        pl.when(pl.col("group_id") == OTHER).then(pl.lit(f"Other groups ({hidden}, hidden)"))
        .otherwise(pl.col("group")).alias("group")
    )


def _group_order(frame: pl.DataFrame) -> pl.DataFrame:
    """Real groups first (largest first), the pooled row last."""
    return frame.sort(
        [pl.col("group_id") == OTHER, pl.col("n"), pl.col("group")], descending=[False, True, False]
    )


# --- headline ---------------------------------------------------------------------------------------------------


def ratings_summary(
    snapshot: Snapshot, filters: Filters, viewer: Viewer, settings: Settings = DEFAULT_SETTINGS, *,
    cycle_id: int, top_from: int,
) -> pl.DataFrame:
    """People rated in scope, mean final rating, share rated >= top_from, share moved up / down in calibration."""
    rated = scope_rated(snapshot, filters, viewer, settings, cycle_id=cycle_id)
    if rated.is_empty():
        return pl.DataFrame(schema={"rated": pl.Int64, "mean_final": pl.Float64, "top_share": pl.Float64,
                                    "up_share": pl.Float64, "down_share": pl.Float64, "moved_share": pl.Float64})
    summary = rated.select(
        pl.len().cast(pl.Int64).alias("rated"),
        pl.col("post_calibration").mean().alias("mean_final"),
        (pl.col("post_calibration") >= top_from).mean().alias("top_share"),
        (pl.col("post_calibration") > pl.col("pre_calibration")).mean().alias("up_share"),
        (pl.col("post_calibration") < pl.col("pre_calibration")).mean().alias("down_share"),
    ).with_columns((pl.col("up_share") + pl.col("down_share")).alias("moved_share"))
    apart, together = _moved_sums_reveal(rated, cycle_scale(snapshot, cycle_id), settings)
    blank = ["up_share", "down_share"] * apart + ["moved_share"] * together
    return summary.with_columns(pl.lit(None, pl.Float64).alias(column) for column in blank)


# --- distribution -----------------------------------------------------------------------------------------------


def guideline(snapshot: Snapshot, cycle_id: int) -> pl.DataFrame:
    """The cycle's target share per rating over its whole scale (null where the guideline is silent)."""
    scale = pl.DataFrame({"rating": cycle_scale(snapshot, cycle_id)}, schema={"rating": pl.Int64})
    targets = snapshot.rating_guideline.filter(pl.col("cycle_id") == cycle_id).select(
        "rating", pl.col("target_share").alias("guideline")
    )
    return scale.join(targets, on="rating", how="left")


def rating_distribution(
    snapshot: Snapshot, filters: Filters, viewer: Viewer, settings: Settings = DEFAULT_SETTINGS, *,
    cycle_id: int, by: str | None = None,
) -> pl.DataFrame:
    """Per group and rating: share = people with that final rating / people rated in the group; gap = share -
    guideline; distance = sum |gap| / 2, the least share of the group that would have to move to match it."""
    grouped, hidden = _pooled(snapshot, filters, viewer, settings, cycle_id, by)
    schema = {
        "group_id": pl.String, "group": pl.String, "n": pl.Int64, "rating": pl.Int64, "count": pl.Int64,
        "share": pl.Float64, "guideline": pl.Float64, "gap": pl.Float64, "distance": pl.Float64,
    }
    if grouped.is_empty():
        return pl.DataFrame(schema=schema)
    counts = grouped.group_by("group_id", pl.col("post_calibration").alias("rating")).agg(
        pl.len().cast(pl.Int64).alias("count")
    )
    # Order the groups once (largest first, pooled last), then lay the ratings out in that order.
    groups = (
        counts.group_by("group_id").agg(pl.col("count").sum().alias("n"))
        .pipe(_labelled, group_labels(snapshot, filters, by), hidden)
        .pipe(_group_order)
    )
    return (
        groups.join(guideline(snapshot, cycle_id).sort("rating"), how="cross", maintain_order="left_right")
        .join(counts, on=["group_id", "rating"], how="left", maintain_order="left")
        .with_columns(pl.col("count").fill_null(0))
        .with_columns((pl.col("count") / pl.col("n")).alias("share"))
        .with_columns((pl.col("share") - pl.col("guideline")).alias("gap"))
        .with_columns((pl.col("gap").abs().sum().over("group_id") / 2).alias("distance"))
        .select(list(schema))
    )


# --- calibration ------------------------------------------------------------------------------------------------


def calibration_matrix(
    snapshot: Snapshot, filters: Filters, viewer: Viewer, settings: Settings = DEFAULT_SETTINGS, *, cycle_id: int
) -> pl.DataFrame:
    """People per (pre-calibration, final) rating pair over the scale, with row and column totals; small cells
    and their complements hidden (queries/privacy.py)."""
    rated = scope_rated(snapshot, filters, viewer, settings, cycle_id=cycle_id)
    return _grid(rated, "pre_calibration", "post_calibration", cycle_scale(snapshot, cycle_id),
                 cycle_scale(snapshot, cycle_id), settings, names=("pre", "post"))


def _moved_sums_reveal(rated: pl.DataFrame, scale: list[int], settings: Settings) -> tuple[bool, bool]:
    """Whether the shares moved up and down (apart, then together) would give away a square the calibration
    grid hides: they are sums of the squares above and below its diagonal."""
    index = {r: i for i, r in enumerate(scale)}
    counts = np.zeros((len(scale), len(scale)), dtype=np.int64)
    for pre, post, n in rated.group_by("pre_calibration", "post_calibration").agg(pl.len()).iter_rows():
        counts[index[pre], index[post]] = n
    hidden = hide_small_cells(counts, settings.min_group_size)
    up, down = np.triu(np.ones(counts.shape, bool), 1), np.tril(np.ones(counts.shape, bool), -1)
    return sums_reveal(counts, hidden, [up, down]), sums_reveal(counts, hidden, [up | down])


def _grid(
    rated: pl.DataFrame, row: str, col: str, rows: list, cols: list, settings: Settings, *, names: tuple[str, str]
) -> pl.DataFrame:
    r, c = names
    schema = {r: pl.Int64 if isinstance(rows[0], int) else pl.String,
              c: pl.Int64 if isinstance(cols[0], int) else pl.String}
    full = pl.DataFrame({r: rows}, schema={r: schema[r]}).join(
        pl.DataFrame({c: cols}, schema={c: schema[c]}), how="cross"
    )
    if rated.is_empty():
        return pl.DataFrame(
            schema=schema | {"n": pl.Int64, "share": pl.Float64, f"{r}_total": pl.Int64, f"{c}_total": pl.Int64,
                             HIDDEN: pl.Boolean}
        )
    counts = rated.group_by(pl.col(row).alias(r), pl.col(col).alias(c)).agg(pl.len().alias("n"))
    total = rated.height
    cells = (
        full.join(counts, on=[r, c], how="left")
        .with_columns(pl.col("n").fill_null(0).cast(pl.Int64))
        .with_columns(
            (pl.col("n") / total).alias("share"),
            pl.col("n").sum().over(r).alias(f"{r}_total"),
            pl.col("n").sum().over(c).alias(f"{c}_total"),
        )
    )
    return hide_small_grid(
        cells, settings.min_group_size, row=r, col=c, keep=(f"{r}_total", f"{c}_total")
    ).sort(r, c)


def calibration_shift(
    snapshot: Snapshot, filters: Filters, viewer: Viewer, settings: Settings = DEFAULT_SETTINGS, *,
    cycle_id: int, by: str | None = None,
) -> pl.DataFrame:
    """Per group: mean shift = mean(final - pre-calibration rating), and the shares moved up and down."""
    grouped, hidden = _pooled(snapshot, filters, viewer, settings, cycle_id, by)
    shift = pl.col("post_calibration") - pl.col("pre_calibration")
    return (
        grouped.group_by("group_id")
        .agg(
            pl.len().cast(pl.Int64).alias("n"),
            shift.mean().alias("mean_shift"),
            (shift > 0).mean().alias("up_share"),
            (shift < 0).mean().alias("down_share"),
            pl.col("pre_calibration").mean().alias("mean_pre"),
            pl.col("post_calibration").mean().alias("mean_final"),
        )
        .pipe(_labelled, group_labels(snapshot, filters, by), hidden)
        .pipe(_group_order)
    )


# --- 9-box ------------------------------------------------------------------------------------------------------


def _band(value: pl.Expr, low: int, high: int) -> pl.Expr:
    """Thirds of a scale: on 1-5, 1-2 low, 3 moderate, 4-5 high; on 1-3, one value each."""
    third = (high - low) / 3
    return (
        pl.when(value < low + third).then(pl.lit(BANDS[0]))
        .when(value > high - third).then(pl.lit(BANDS[2]))
        .otherwise(pl.lit(BANDS[1]))
    )


def nine_box(
    snapshot: Snapshot, filters: Filters, viewer: Viewer, settings: Settings = DEFAULT_SETTINGS, *, cycle_id: int
) -> pl.DataFrame:
    """People per (performance band of the final rating, potential band) cell, thirds of each scale; people
    without a potential rating form their own row, so the grid always adds up to everyone rated."""
    cycle = _cycle(snapshot, cycle_id)
    rated = scope_rated(snapshot, filters, viewer, settings, cycle_id=cycle_id)
    potentials = cycle_ratings(snapshot, cycle_id)["potential"].drop_nulls()
    low, high = (int(potentials.min()), int(potentials.max())) if potentials.len() else (1, 3)
    banded = rated.with_columns(
        _band(pl.col("post_calibration"), cycle["scale_min"], cycle["scale_max"]).alias("performance"),
        pl.when(pl.col("potential").is_null()).then(pl.lit(NOT_RECORDED))
        .otherwise(_band(pl.col("potential"), low, high)).alias("potential_band"),
    )
    rows = [*BANDS, NOT_RECORDED] if banded["potential_band"].is_in([NOT_RECORDED]).any() else list(BANDS)
    return _grid(banded, "potential_band", "performance", rows, list(BANDS), settings,
                 names=("potential", "performance"))


# --- what a partition hides, and the distribution as a table -------------------------------------------------------


def hidden_groups(
    snapshot: Snapshot, filters: Filters, viewer: Viewer, settings: Settings = DEFAULT_SETTINGS, *,
    cycle_id: int, by: str,
) -> pl.DataFrame:
    """How many groups of the partition are hidden, and how many people they hold together (a figure that is
    itself at least the minimum group size, or zero)."""
    guard = protection(snapshot, filters, viewer, settings, cycle_id=cycle_id)
    schema = {"groups": pl.Int64, "hidden_groups": pl.Int64, "hidden_people": pl.Int64}
    if not guard.shown:
        return pl.DataFrame({"groups": [0], "hidden_groups": [0], "hidden_people": [0]}, schema=schema)
    sizes = guard.keys.group_by(by).agg(pl.len().alias("n"))
    hidden = sizes.filter(pl.col(by).is_in(list(guard.hidden[by])))
    return pl.DataFrame(
        {"groups": [sizes.height], "hidden_groups": [hidden.height], "hidden_people": [int(hidden["n"].sum())]},
        schema=schema,
    )


def distribution_table(
    snapshot: Snapshot, filters: Filters, viewer: Viewer, settings: Settings = DEFAULT_SETTINGS, *,
    cycle_id: int, by: str | None = None,
) -> pl.DataFrame:
    """One row per visible group: people rated, share per final rating (columns "1".."5") and the distance from
    the guideline (sum |share - guideline| / 2)."""
    distribution = rating_distribution(snapshot, filters, viewer, settings, cycle_id=cycle_id, by=by)
    if distribution.is_empty():
        return pl.DataFrame(schema={"group": pl.String, "n": pl.Int64, "distance": pl.Float64})
    wide = distribution.with_columns(pl.col("rating").cast(pl.String)).pivot(
        on="rating", index=["group_id", "group", "n", "distance"], values="share"
    )
    return wide.pipe(_group_order).drop("group_id")
