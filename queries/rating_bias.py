"""Bias tests: do ratings depend on gender, age band, work mode or region, overall and for equal goal results?

Every table here is built from the scope's protected groups (queries/ratings.py): hidden groups enter only as
their pooled row, and the cells of the results-adjusted comparison (band of goal attainment x group) go through
the grid rule of queries/privacy.py, with only strata whose two cells are shown entering the test. The wording
of every finding is decided here, so the screen says only what the statistics support.
"""

from __future__ import annotations

import polars as pl

from queries import stats
from queries.alignment import owner_goal_stats
from queries.model import Filters, Settings, Snapshot, Viewer
from queries.privacy import hide_small_grid
from queries.ratings import (
    ATTRIBUTES,
    DEFAULT_SETTINGS,
    GROUPINGS,
    OTHER,
    SENSITIVE_ATTRIBUTES,
    _cycle,
    _group_order,
    _labelled,
    _pooled,
    cycle_scale,
    group_labels,
)

SIGNIFICANT = 0.05  # the conventional p-value below which a gap is called unlikely to be chance
ATTAINMENT_BANDS = ((0.0, 0.5, "under 50%"), (0.5, 0.7, "50–70%"), (0.7, 0.9, "70–90%"), (0.9, 1.01, "90–100%"))


def tested_attributes(viewer: Viewer) -> list[str]:
    """The attributes a viewer may test: the sensitive ones only under the HR role."""
    return [a for a in ATTRIBUTES if viewer.sees_sensitive or a not in SENSITIVE_ATTRIBUTES]


def _attribute_people(
    snapshot: Snapshot, filters: Filters, viewer: Viewer, settings: Settings, cycle_id: int, attribute: str
) -> tuple[pl.DataFrame, int, pl.DataFrame]:
    """The scope's rated people keyed by their (protected) group of the attribute, the number of hidden groups,
    and the groups' labels."""
    if attribute not in tested_attributes(viewer):
        empty = {"employee_id": pl.Int64, "group_id": pl.String, "post_calibration": pl.Int64}
        return pl.DataFrame(schema=empty), 0, pl.DataFrame(
            schema={"group_id": pl.String, "group": pl.String})
    grouped, hidden = _pooled(snapshot, filters, viewer, settings, cycle_id, attribute)
    labels = (group_labels(snapshot, filters, attribute) if attribute in GROUPINGS
              else grouped.select("group_id", pl.col("group_id").alias("group")).unique())
    return grouped, hidden, labels


def _bias_groups(
    snapshot: Snapshot, filters: Filters, viewer: Viewer, settings: Settings, cycle_id: int, attribute: str,
    top_from: int,
) -> pl.DataFrame:
    """Per shown group (and the pooled row): n, hits = rated >= top_from, rate."""
    grouped, hidden, labels = _attribute_people(snapshot, filters, viewer, settings, cycle_id, attribute)
    return (
        grouped.group_by("group_id")
        .agg(pl.len().cast(pl.Int64).alias("n"), (pl.col("post_calibration") >= top_from).sum().cast(pl.Int64)
             .alias("hits"))
        .with_columns((pl.col("hits") / pl.col("n")).alias("rate"))
        .pipe(_labelled, labels, hidden)
        .pipe(_group_order)
    )


def _bias_rows(groups: pl.DataFrame, settings: Settings) -> pl.DataFrame:
    schema = {"group": pl.String, "n": pl.Int64, "hits": pl.Int64, "rate": pl.Float64, "impact_ratio": pl.Float64,
              "below_four_fifths": pl.Boolean, "reference": pl.Boolean, "test": pl.String, "p_value": pl.Float64,
              "pooled": pl.Boolean, "p_adjusted": pl.Float64}
    real = groups.filter(pl.col("group_id") != OTHER)
    if real.is_empty():
        return pl.DataFrame(schema=schema)
    best = real.sort(["rate", "n"], descending=True).row(0, named=True)
    rows = []
    for group in groups.iter_rows(named=True):
        pooled = group["group_id"] == OTHER
        is_reference = not pooled and group["group_id"] == best["group_id"]
        ratio = None if pooled else stats.impact_ratio(group["rate"], best["rate"])
        test = None
        if not pooled and not is_reference:
            test = stats.compare_with_reference(group["hits"], group["n"], best["hits"], best["n"])
        rows.append({
            "group": group["group"], "n": group["n"], "hits": group["hits"], "rate": group["rate"],
            "impact_ratio": ratio,
            "below_four_fifths": None if ratio is None else ratio < settings.impact_ratio_floor,
            "reference": is_reference,
            "test": None if test is None else test.test,
            "p_value": None if test is None else test.p_value,
            "pooled": pooled,
        })
    adjusted = stats.holm_adjust([row["p_value"] for row in rows])
    for row, p_adjusted in zip(rows, adjusted, strict=True):
        row["p_adjusted"] = p_adjusted
    return pl.DataFrame(rows, schema=schema)


def bias_by_group(
    snapshot: Snapshot, filters: Filters, viewer: Viewer, settings: Settings = DEFAULT_SETTINGS, *,
    cycle_id: int, attribute: str, top_from: int,
) -> pl.DataFrame:
    """The top-vs-rest 2x2 test per group of the attribute: n, rate = share with a final rating >= top_from,
    impact ratio = rate / the highest group's rate (four-fifths flag below `impact_ratio_floor`), and a test
    against the highest group: Fisher's exact when an expected count is below 5, else the two-proportion z-test;
    `p_adjusted` is Holm's adjustment over the attribute's comparisons (the highest group is picked after
    looking, so raw p-values overstate the evidence)."""
    return _bias_rows(_bias_groups(snapshot, filters, viewer, settings, cycle_id, attribute, top_from), settings)


def _rating_table(snapshot: Snapshot, grouped: pl.DataFrame, cycle_id: int) -> list[list[int]]:
    counts = grouped.group_by("group_id", "post_calibration").agg(pl.len().alias("n"))
    groups = sorted(counts["group_id"].unique().to_list())
    index = {(g, r): n for g, r, n in counts.iter_rows()}
    return [[int(index.get((g, r), 0)) for r in cycle_scale(snapshot, cycle_id)] for g in groups]


def rating_independence(
    snapshot: Snapshot, filters: Filters, viewer: Viewer, settings: Settings = DEFAULT_SETTINGS, *,
    cycle_id: int, attribute: str,
) -> pl.DataFrame:
    """The test of the whole distribution: chi-square of groups x every final rating (ratings nobody got left
    out), dof = (groups - 1)(ratings - 1), Cramér's V, and a Monte-Carlo p-value when an expected count is below
    5. Hidden groups enter as their pooled row only, so the statistic reveals nothing about any one of them."""
    schema = {"groups": pl.Int64, "n": pl.Int64, "chi2": pl.Float64, "dof": pl.Int64, "p_value": pl.Float64,
              "p_method": pl.String, "cramers_v": pl.Float64, "min_expected": pl.Float64}
    grouped, _, _ = _attribute_people(snapshot, filters, viewer, settings, cycle_id, attribute)
    table = _rating_table(snapshot, grouped, cycle_id) if grouped.height else []
    result = stats.rating_independence(table) if len(table) >= 2 else None
    if result is None:
        return pl.DataFrame(schema=schema)
    return pl.DataFrame([{
        "groups": len(table), "n": result.n, "chi2": result.chi2, "dof": result.dof, "p_value": result.p_value,
        "p_method": result.p_method, "cramers_v": result.cramers_v, "min_expected": result.min_expected,
    }], schema=schema)


def bias_screen(
    snapshot: Snapshot, filters: Filters, viewer: Viewer, settings: Settings = DEFAULT_SETTINGS, *,
    cycle_id: int, top_from: int,
) -> pl.DataFrame:
    """Every attribute the viewer may test, at a glance: the whole-distribution chi-square p-value (Holm-adjusted
    over the attributes tested) and Cramér's V, and from the top-vs-rest tests the group with the lowest impact
    ratio with its adjusted p-value; flagged when a group below four-fifths has an adjusted p-value below 0.05."""
    rows = []
    for attribute in tested_attributes(viewer):
        groups = bias_by_group(snapshot, filters, viewer, settings, cycle_id=cycle_id, attribute=attribute,
                               top_from=top_from).filter(~pl.col("pooled") & ~pl.col("reference"))
        overall = rating_independence(snapshot, filters, viewer, settings, cycle_id=cycle_id, attribute=attribute)
        lowest = groups.sort("impact_ratio", nulls_last=True).head(1).to_dicts()
        worst = groups.filter(pl.col("below_four_fifths")).sort("p_adjusted", nulls_last=True).head(1).to_dicts()
        low = lowest[0] if lowest else {}
        rows.append({
            "attribute": attribute, "label": ATTRIBUTES[attribute], "groups": groups.height + (1 if low else 0),
            "chi2_p_value": overall["p_value"][0] if overall.height else None,
            "cramers_v": overall["cramers_v"][0] if overall.height else None,
            "lowest_group": low.get("group"), "lowest_ratio": low.get("impact_ratio"),
            "lowest_p_value": low.get("p_adjusted"),
            "flagged": bool(worst) and worst[0]["p_adjusted"] is not None and worst[0]["p_adjusted"] < SIGNIFICANT,
        })
    adjusted = stats.holm_adjust([row["chi2_p_value"] for row in rows])
    for row, p in zip(rows, adjusted, strict=True):
        row["chi2_p_adjusted"] = p
    schema = {"attribute": pl.String, "label": pl.String, "groups": pl.Int64, "chi2_p_value": pl.Float64,
              "chi2_p_adjusted": pl.Float64, "cramers_v": pl.Float64, "lowest_group": pl.String,
              "lowest_ratio": pl.Float64, "lowest_p_value": pl.Float64, "flagged": pl.Boolean}
    return pl.DataFrame(rows, schema=schema).select(list(schema))


def bias_findings(
    snapshot: Snapshot, filters: Filters, viewer: Viewer, settings: Settings = DEFAULT_SETTINGS, *,
    cycle_id: int, attribute: str, top_from: int,
) -> pl.DataFrame:
    """What the tests of one attribute say, in words (level "warning" for a gap unlikely to be chance, "info"
    otherwise): the whole-distribution test first, then each group below four-fifths against the highest."""
    name = ATTRIBUTES[attribute].lower()
    rows = []
    overall = rating_independence(snapshot, filters, viewer, settings, cycle_id=cycle_id, attribute=attribute)
    if overall.height:
        o = overall.row(0, named=True)
        how = "" if o["p_method"] == "chi-square" else f", {o['p_method']} since some groups are small"
        if o["p_value"] < SIGNIFICANT:
            text = (f"The whole distribution of final ratings differs between {name} groups more than chance would "
                    f"explain (chi-square {o['chi2']:.1f} on {o['dof']} degrees of freedom, p "
                    f"{stats.p_text(o['p_value'])}{how}; Cramér's V {o['cramers_v']:.2f}).")
        else:
            text = (f"Across all ratings, the {name} groups differ no more than chance would explain (chi-square "
                    f"{o['chi2']:.1f} on {o['dof']} degrees of freedom, p {stats.p_text(o['p_value'])}{how}).")
        rows.append({"level": "warning" if o["p_value"] < SIGNIFICANT else "info", "text": text})
    groups = bias_by_group(snapshot, filters, viewer, settings, cycle_id=cycle_id, attribute=attribute,
                           top_from=top_from)
    real = groups.filter(~pl.col("pooled"))
    if real.height >= 2:
        best = real.filter(pl.col("reference")).row(0, named=True)
        for row in real.filter(pl.col("below_four_fifths").fill_null(False)).iter_rows(named=True):
            said = (f"**{row['group']}**: {row['rate']:.0%} rated {top_from} or above against {best['rate']:.0%} "
                    f"for {best['group']} — impact ratio {row['impact_ratio']:.2f}, below four-fifths.")
            unlikely = row["p_adjusted"] is not None and row["p_adjusted"] < SIGNIFICANT
            tail = (f"A gap this large would be unlikely (top-vs-rest test, p {stats.p_text(row['p_adjusted'])}, "
                    f"adjusted for {real.height - 1} comparisons) if ratings did not depend on {name}."
                    if unlikely else
                    f"At these group sizes the gap could still be chance (top-vs-rest test, p "
                    f"{stats.p_text(row['p_adjusted'])}, adjusted for {real.height - 1} comparisons).")
            rows.append({"level": "warning" if unlikely else "info", "text": f"{said} {tail}"})
    return pl.DataFrame(rows, schema={"level": pl.String, "text": pl.String})


# --- results-adjusted gaps: the same comparison within bands of goal attainment ----------------------------------


def goal_attainment(snapshot: Snapshot, cycle_id: int, settings: Settings) -> pl.DataFrame:
    """Per person: attainment = the mean roll-up progress of their own measured business goals of the cycle's
    period at the cycle's close, and its band (ATTAINMENT_BANDS); people with no measured goal have none."""
    cycle = _cycle(snapshot, cycle_id)
    owners = owner_goal_stats(snapshot, cycle["period_id"], cycle["closed_on"], settings)
    attainment = (pl.col("progress_sum") / pl.col("measured_goals")).clip(0.0, 1.0)
    band = pl.lit(None, pl.String)
    for low, high, label in reversed(ATTAINMENT_BANDS):
        within = (pl.col("attainment") >= low) & (pl.col("attainment") < high)
        band = pl.when(within).then(pl.lit(label)).otherwise(band)
    return (
        owners.filter(pl.col("measured_goals") > 0)
        .select(pl.col("owner_employee_id").alias("employee_id"), attainment.alias("attainment"))
        .with_columns(band.alias("band"))
    )


def adjusted_cells(
    snapshot: Snapshot, filters: Filters, viewer: Viewer, settings: Settings = DEFAULT_SETTINGS, *,
    cycle_id: int, attribute: str, top_from: int,
) -> pl.DataFrame:
    """Per (band of goal attainment, group of the attribute) cell: n, hits = rated >= top_from, rate; the grid
    rule hides small cells and their complements (queries/privacy.py). People with no measured goal are left out."""
    schema = {"band": pl.String, "group_id": pl.String, "group": pl.String, "n": pl.Int64, "hits": pl.Int64,
              "rate": pl.Float64, "hidden": pl.Boolean}
    grouped, hidden, labels = _attribute_people(snapshot, filters, viewer, settings, cycle_id, attribute)
    banded = grouped.join(goal_attainment(snapshot, cycle_id, settings), on="employee_id", how="inner")
    if banded.height < settings.min_group_size:
        return pl.DataFrame(schema=schema)
    counts = banded.group_by("band", "group_id").agg(
        pl.len().cast(pl.Int64).alias("n"), (pl.col("post_calibration") >= top_from).sum().cast(pl.Int64).alias("hits")
    )
    bands = pl.DataFrame({"band": [label for _, _, label in ATTAINMENT_BANDS]})
    cells = (
        bands.join(counts.select("group_id").unique(), how="cross")
        .join(counts, on=["band", "group_id"], how="left")
        .with_columns(pl.col("n").fill_null(0), pl.col("hits").fill_null(0))
        .with_columns((pl.col("hits") / pl.col("n")).alias("rate"))
    )
    order = {label: i for i, (_, _, label) in enumerate(ATTAINMENT_BANDS)}
    protected = hide_small_grid(cells, settings.min_group_size, row="band", col="group_id")
    return (
        protected.pipe(_labelled, labels, hidden)
        .sort(pl.col("band").replace_strict(order, return_dtype=pl.Int64), "group")
        .select(list(schema))
    )


def adjusted_gaps(
    snapshot: Snapshot, filters: Filters, viewer: Viewer, settings: Settings = DEFAULT_SETTINGS, *,
    cycle_id: int, attribute: str, top_from: int,
) -> pl.DataFrame:
    """Per group against the highest-rated group, within bands of goal attainment: the Cochran-Mantel-Haenszel
    chi-square and p-value (Holm-adjusted over the groups), the Mantel-Haenszel odds ratio and the stratified
    impact ratio (Mantel-Haenszel rate ratio), over the bands where both cells are shown; and, for words, the
    largest such band with the two rates in it."""
    schema = {"group": pl.String, "reference": pl.String, "strata": pl.Int64, "chi2": pl.Float64,
              "p_value": pl.Float64, "p_adjusted": pl.Float64, "odds_ratio": pl.Float64,
              "impact_ratio": pl.Float64, "example_band": pl.String, "example_rate": pl.Float64,
              "example_reference_rate": pl.Float64}
    cells = adjusted_cells(snapshot, filters, viewer, settings, cycle_id=cycle_id, attribute=attribute,
                           top_from=top_from).filter(~pl.col("hidden") & (pl.col("n") > 0))
    overall = bias_by_group(snapshot, filters, viewer, settings, cycle_id=cycle_id, attribute=attribute,
                            top_from=top_from)
    shown = cells.filter(pl.col("group_id") != OTHER).group_by("group").agg(pl.len().alias("strata"))
    if cells.is_empty() or shown.is_empty():
        return pl.DataFrame(schema=schema)
    # The reference is the highest-rated group among those shown in the most bands, so that as many bands as
    # possible can be compared with it.
    widest = shown.filter(pl.col("strata") == shown["strata"].max()).join(overall, on="group", how="inner")
    reference = widest.sort(["rate", "n"], descending=True)["group"][0]
    mine = cells.filter(pl.col("group") == reference).select("band", pl.col("n").alias("ref_n"),
                                                              pl.col("hits").alias("ref_hits"))
    rows = []
    for group in cells.filter((pl.col("group") != reference) & (pl.col("group_id") != OTHER))["group"].unique(
            maintain_order=True):
        paired = cells.filter(pl.col("group") == group).join(mine, on="band", how="inner")
        result = stats.stratified_comparison(list(paired.select("hits", "n", "ref_hits", "ref_n").iter_rows()))
        if result is None:
            continue
        example = paired.sort(pl.col("n") + pl.col("ref_n"), descending=True).row(0, named=True)
        rows.append({
            "group": group, "reference": reference, "strata": result.strata, "chi2": result.chi2,
            "p_value": result.p_value, "odds_ratio": result.odds_ratio, "impact_ratio": result.impact_ratio,
            "example_band": example["band"], "example_rate": example["hits"] / example["n"],
            "example_reference_rate": example["ref_hits"] / example["ref_n"],
        })
    for row, p in zip(rows, stats.holm_adjust([row["p_value"] for row in rows]), strict=True):
        row["p_adjusted"] = p
    return pl.DataFrame(rows, schema=schema)


def adjusted_findings(
    snapshot: Snapshot, filters: Filters, viewer: Viewer, settings: Settings = DEFAULT_SETTINGS, *,
    cycle_id: int, attribute: str, top_from: int,
) -> pl.DataFrame:
    """The results-adjusted comparison in plain words, one line per group (level as in `bias_findings`)."""
    name = ATTRIBUTES[attribute].lower()
    rows = []
    gaps = adjusted_gaps(snapshot, filters, viewer, settings, cycle_id=cycle_id, attribute=attribute,
                         top_from=top_from)
    for gap in gaps.iter_rows(named=True):
        fewer = gap["example_rate"] < gap["example_reference_rate"]
        unlikely = gap["p_adjusted"] < SIGNIFICANT
        ratio = "—" if gap["impact_ratio"] is None else f"{gap['impact_ratio']:.2f}"
        bands = "band" if gap["strata"] == 1 else f"{gap['strata']} bands"
        text = (
            f"Among people whose goals ended {gap['example_band']} complete, people whose {name} is {gap['group']} "
            f"were rated {top_from} or above {'less' if fewer else 'more'} often than people whose {name} is "
            f"{gap['reference']}: {gap['example_rate']:.0%} vs {gap['example_reference_rate']:.0%}. Over the "
            f"{bands} of goal results compared, the stratified impact ratio is {ratio} (Cochran–Mantel–Haenszel p "
            f"{stats.p_text(gap['p_adjusted'])}, adjusted for {gaps.height} comparisons): "
            + ("a gap between people with the same results that chance would rarely produce."
               if unlikely else "for people with the same results, a gap chance could produce.")
        )
        rows.append({"level": "warning" if unlikely and (gap["impact_ratio"] or 1) < 1 else "info", "text": text})
    return pl.DataFrame(rows, schema={"level": pl.String, "text": pl.String})
