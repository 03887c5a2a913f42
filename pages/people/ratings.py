"""Ratings: how a review cycle's final ratings fall against the guideline, what calibration changed, which
raters stand out, whether groups of people fare differently, and the 9-box. Small groups are never shown."""

import polars as pl
import streamlit as st

from components import rating_charts as charts
from components.charts import show
from components.context import current
from components.data import SETTINGS, ask
from components.format import count, day, pct
from components.tables import data_table
from queries import rating_bias as b
from queries import rating_leniency as lenient
from queries import ratings as q
from queries import stats

context = current()
filters, viewer = context.filters, context.viewer
MIN = SETTINGS.min_group_size
FLOOR = SETTINGS.impact_ratio_floor
PROTECTED = (
    f"Groups of fewer than {MIN} people rated are hidden, and so are further groups where needed, so that no one "
    "can work a hidden group out by subtracting from a total, from another grouping, or from the unit above."
)

st.title("Ratings")
st.caption(context.scope_label)

cycles = ask(q.review_cycles, filters, viewer)
if cycles.is_empty():
    st.info(f"No review cycle had closed by {day(filters.as_of)}. Pick a later period or as-of date in the sidebar.",
            icon=":material/event_busy:")
    st.stop()

cycle_names = {row["id"]: f"{row['name']} (closed {day(row['closed_on'])})" for row in cycles.iter_rows(named=True)}
if st.session_state.get("ratings_cycle") not in cycle_names:
    st.session_state["ratings_cycle"] = next(iter(cycle_names))
picker, grouping, outcome_picker = st.columns([3, 2, 2])
cycle_id = picker.selectbox(
    "Review cycle", list(cycle_names), key="ratings_cycle", format_func=cycle_names.__getitem__,
    help="Cycles closed by the as-of date in the sidebar; the latest is the default. Final ratings are the ones "
    "after calibration.",
)
cycle = cycles.filter(pl.col("id") == cycle_id).row(0, named=True)
by = grouping.radio(
    "Compare groups by", list(q.GROUPINGS), key="ratings_by", format_func=q.GROUPINGS.__getitem__, horizontal=True,
    help="Team: the units one level below the team filter (divisions for the whole company). Manager: the person "
    "who gave the rating.",
)
tops = list(range(cycle["scale_min"] + 1, cycle["scale_max"] + 1))
if st.session_state.get("ratings_top") not in tops:
    st.session_state["ratings_top"] = cycle["scale_max"] - 1
top_from = outcome_picker.selectbox(
    "Top ratings", tops, key="ratings_top", format_func=lambda r: f"{r} or above",
    help="The outcome the bias tests compare: the share of a group with a final rating this high.",
)
top_label = f"rated {top_from} or above"
group_title = q.GROUPINGS[by]

status = ask(q.scope_status, filters, viewer, cycle_id=cycle_id).row(0, named=True)
if not status["shown"]:
    st.info(status["message"], icon=":material/visibility_off:")
    st.stop()
summary = ask(q.ratings_summary, filters, viewer, cycle_id=cycle_id, top_from=top_from)

headline = summary.row(0, named=True)
guide = ask(q.rating_distribution, filters, viewer, cycle_id=cycle_id)
top_guideline = guide.filter(pl.col("rating") >= top_from)["guideline"].sum()
cells = st.columns(4)
cells[0].metric("People rated", count(headline["rated"]), border=True,
                help="People in scope with a final rating in this cycle (including people who have since left).")
cells[1].metric("Mean final rating", f"{headline['mean_final']:.2f}", border=True,
                help=f"Mean of the final (post-calibration) ratings on the {cycle['scale_min']}-{cycle['scale_max']} "
                "scale.")
has_guideline = guide["guideline"].null_count() < guide.height
versus = f"{(headline['top_share'] - top_guideline) * 100:+.1f} pp vs guideline"
cells[2].metric(f"Share {top_label}", pct(headline["top_share"]), border=True,
                delta=versus if has_guideline else None,
                delta_color="off",
                help=f"The guideline expects {pct(top_guideline)} {top_label}." if has_guideline else
                "This cycle has no rating guideline.")
moved_apart = headline["up_share"] is not None
cells[3].metric("Changed in calibration", pct(headline["moved_share"]), border=True,
                delta=f"{pct(headline['up_share'])} up, {pct(headline['down_share'])} down" if moved_apart else None,
                delta_color="off", delta_arrow="off",
                help="Share of people whose final rating differs from their manager's rating before calibration."
                + ("" if moved_apart else " Not split into up and down here (or not shown at all): with the "
                   "calibration grid, that would give away a square hidden to protect a small group."))


def hidden_note(by_key: str, noun: str) -> None:
    hidden = ask(q.hidden_groups, filters, viewer, cycle_id=cycle_id, by=by_key).row(0, named=True)
    if hidden["hidden_groups"]:
        st.caption(f":material/visibility_off: {hidden['hidden_groups']} of {hidden['groups']} {noun} hidden "
                   f"({count(hidden['hidden_people'])} people together, shown as “Other groups” where it helps). "
                   f"{PROTECTED}")


def distribution() -> None:
    left, right = st.columns([3, 2], gap="large")
    with left:
        st.subheader("Everyone in scope")
        show(charts.guideline_bars(guide), name="Ratings in scope against the guideline", key="ratings_guideline")
    with right:
        st.subheader("Against the guideline")
        data_table(
            guide.select("rating", "share", "guideline", (pl.col("gap") * 100).alias("gap")),
            "Ratings against the guideline",
            {
                "rating": st.column_config.NumberColumn("Rating", format="%d"),
                "share": st.column_config.NumberColumn("Share", format="percent"),
                "guideline": st.column_config.NumberColumn("Guideline", format="percent"),
                "gap": st.column_config.NumberColumn("Gap (pp)", format="%+.1f",
                                                     help="Share minus guideline, in percentage points."),
            },
        )
        st.caption(f"Distance from the guideline: **{pct(guide['distance'][0], 1)}** — the least share of people "
                   "whose rating would have to change for this scope to match the guideline exactly.")
    st.subheader(f"By {group_title.lower()}")
    table = ask(q.distribution_table, filters, viewer, cycle_id=cycle_id, by=by)
    distribution = ask(q.rating_distribution, filters, viewer, cycle_id=cycle_id, by=by)
    if table.height < 2:
        st.caption(f"Nothing to compare: one {group_title.lower()} group can be shown in this scope. Pick a larger "
                   "unit in the sidebar, or compare by another grouping above.")
        hidden_note(by, f"{group_title.lower()} groups")
        return
    largest = table.head(q.CHART_GROUPS)["group"]
    show(charts.gap_bars(distribution.filter(pl.col("group").is_in(largest.implode())), group_title=group_title),
         name=f"Gap to the guideline by {group_title.lower()}", key="ratings_gap")
    more = f" The chart shows the {q.CHART_GROUPS} largest groups; the table lists them all." if table.height > \
        q.CHART_GROUPS else ""
    st.caption("Bars to the right: more people at that rating than the guideline; to the left: fewer." + more)
    hidden_note(by, f"{group_title.lower()} groups")
    ratings = [c for c in table.columns if c not in ("group", "n", "distance")]
    data_table(
        table, f"Ratings by {group_title.lower()}",
        {
            "group": st.column_config.TextColumn(group_title, width="medium"),
            "n": st.column_config.NumberColumn("People rated", format="%d"),
            "distance": st.column_config.ProgressColumn(
                "Distance from guideline", format="percent", min_value=0,
                max_value=max(float(table["distance"].max() or 0.0), 0.01),
                help="Least share of the group whose rating would have to change to match the guideline."),
            **{r: st.column_config.NumberColumn(f"Rated {r}", format="percent") for r in ratings},
        },
        height=min(35 * (min(table.height, q.TABLE_ROWS) + 1) + 3, 420), limit=q.TABLE_ROWS, key="ratings_by_group",
    )

def calibration() -> None:
    left, right = st.columns([1, 1], gap="large")
    with left:
        st.subheader("Before and after calibration")
        matrix = ask(q.calibration_matrix, filters, viewer, cycle_id=cycle_id)
        scale = list(range(cycle["scale_min"], cycle["scale_max"] + 1))
        show(charts.rating_grid(matrix, row="pre", col="post", row_title="Manager's rating (before calibration)",
                                col_title="Final rating", row_order=scale, col_order=scale, diagonal=True),
             name="Ratings before and after calibration", key="ratings_calibration")
        hidden_cells = int(matrix["hidden"].sum())
        st.caption("Each square counts the people who went from the row's rating to the column's; the outlined "
                   "diagonal is unchanged." + (f" {hidden_cells} squares are blank to protect small groups: a "
                                               f"square below {MIN} people, and the squares hidden with it so that "
                                               "no row or column total gives it away." if hidden_cells else ""))
    with right:
        st.subheader(f"Shift by {group_title.lower()}")
        shift = ask(q.calibration_shift, filters, viewer, cycle_id=cycle_id, by=by)
        show(charts.shift_bars(shift.head(q.CHART_GROUPS), group_title=group_title),
             name=f"Calibration shift by {group_title.lower()}", key="ratings_shift")
        st.caption("Mean of (final rating - manager's rating): above zero, calibration raised the group overall.")
        hidden_note(by, f"{group_title.lower()} groups")

def leniency() -> None:
    basis = st.radio(
        "Rating", list(q.BASES), key="ratings_basis", horizontal=True,
        format_func={"pre": "Manager's own (before calibration)", "final": "Final (after calibration)"}.__getitem__,
        help="Leniency is a property of the rater, so their own rating before calibration is the usual yardstick.",
    )
    reference = ask(lenient.leniency_reference, filters, viewer, cycle_id=cycle_id, basis=basis)
    raters = ask(lenient.rater_leniency, filters, viewer, cycle_id=cycle_id, basis=basis)
    if reference.is_empty() or raters.is_empty():
        st.info(f"No manager in this scope rated {MIN} or more people, so no rater can be compared.",
                icon=":material/visibility_off:")
    else:
        ref = reference.row(0, named=True)
        limits = ask(lenient.funnel_limits, filters, viewer, cycle_id=cycle_id, basis=basis,
                     max_n=int(raters["n"].max()))
        show(charts.funnel_plot(ask(lenient.leniency_funnel, filters, viewer, cycle_id=cycle_id, basis=basis), limits,
                                rating_title="Mean rating given"),
             name="Rater leniency", key="ratings_funnel")
        st.caption(
            f"Organisation mean {ref['mean']:.2f} (standard deviation {ref['sd']:.2f}, {count(ref['n'])} people). "
            "Shaded: where 95% of managers' means fall by chance alone for a team of that size; dashed: 3 "
            "standard errors. z = (manager's mean - organisation mean) / (SD / √people rated). A point outside the "
            "dashed lines (|z| > 3) is flagged an outlier; between the lines, one to watch. A small team's mean "
            "swings more, so its limits are wider: a 4.2 from 5 people can be chance where it would not be from 20. "
            f"Of {raters.height} managers shown, about {raters.height * 0.05:.0f} would land outside the shaded band "
            "by chance alone; an outlier beyond the dashed lines is rarer (about 3 in 1,000)."
        )
        hidden_note("manager", "managers")
        flagged = raters.filter(pl.col("flag") != "within")
        st.subheader(f"Flagged raters ({flagged.height})")
        if flagged.is_empty():
            st.caption("No manager's mean lies outside the 95% limits.")
        else:
            data_table(
                flagged.select("group", "team", "n", "mean", "z", "flag"), "Flagged raters",
                {
                    "group": st.column_config.TextColumn("Manager"),
                    "team": st.column_config.TextColumn("Manager's unit"),
                    "n": st.column_config.NumberColumn("People rated", format="%d"),
                    "mean": st.column_config.NumberColumn("Mean rating", format="%.2f"),
                    "z": st.column_config.NumberColumn("z-score", format="%+.2f",
                                                       help="Standard errors above (+) or below (-) the mean."),
                    "flag": st.column_config.TextColumn("Flag", help="outlier: |z| > 3; watch: |z| > 1.96"),
                },
                limit=q.TABLE_ROWS, key="ratings_flagged",
            )

def say(findings: pl.DataFrame) -> None:
    """The queries' findings as callouts: a gap unlikely to be chance as a warning, anything else as a note."""
    for level, text in findings.iter_rows():
        (st.warning if level == "warning" else st.info)(text, icon=":material/balance:")


def bias_overview() -> str:
    """Every attribute at a glance; returns the attribute to look closer at."""
    screen = ask(b.bias_screen, filters, viewer, cycle_id=cycle_id, top_from=top_from)
    st.subheader("Every attribute at a glance")
    data_table(
        screen.drop("attribute"), "Bias tests by attribute",
        {
            "label": st.column_config.TextColumn("Attribute"),
            "groups": st.column_config.NumberColumn("Groups shown", format="%d"),
            "chi2_p_value": st.column_config.NumberColumn(
                "Whole distribution: p-value", format="%.4f",
                help="Chi-square test of every final rating across the attribute's groups (Monte Carlo when "
                "groups are small)."),
            "chi2_p_adjusted": st.column_config.NumberColumn(
                "Adjusted (Holm)", format="%.4f", help="Adjusted for the number of attributes tested."),
            "cramers_v": st.column_config.NumberColumn("Cramér's V", format="%.2f"),
            "lowest_group": st.column_config.TextColumn("Lowest group (top vs rest)"),
            "lowest_ratio": st.column_config.NumberColumn(
                "Its impact ratio", format="%.2f", help="Its share rated top / the highest group's share."),
            "lowest_p_value": st.column_config.NumberColumn(
                "Its adjusted p-value", format="%.4f",
                help="Top-vs-rest 2×2 test against the highest group, adjusted (Holm) for the groups compared."),
            "flagged": st.column_config.CheckboxColumn(
                "Gap to look at",
                help=f"A group with an impact ratio below {FLOOR:.2f} and an adjusted p-value below "
                f"{b.SIGNIFICANT}."),
        },
        key="ratings_bias_screen",
    )
    attributes = b.tested_attributes(viewer)
    flagged = screen.filter(pl.col("flagged")).sort("chi2_p_value", nulls_last=True)["attribute"]
    if st.session_state.get("ratings_attribute") not in attributes:
        st.session_state["ratings_attribute"] = flagged[0] if flagged.len() else attributes[0]
    return st.selectbox("Look closer at", attributes, key="ratings_attribute", format_func=q.ATTRIBUTES.__getitem__,
                        help="Opens on the attribute with the clearest gap, if any.")


def bias_detail(attribute: str) -> None:
    """The whole-distribution test and the top-vs-rest tests of one attribute."""
    name = q.ATTRIBUTES[attribute].lower()
    groups = ask(b.bias_by_group, filters, viewer, cycle_id=cycle_id, attribute=attribute, top_from=top_from)
    real = groups.filter(~pl.col("pooled"))
    if real.height < 2:
        st.info(f"Fewer than two groups of {MIN} or more people: nothing to compare in this scope.",
                icon=":material/visibility_off:")
        return
    say(ask(b.bias_findings, filters, viewer, cycle_id=cycle_id, attribute=attribute, top_from=top_from))
    overall = ask(b.rating_independence, filters, viewer, cycle_id=cycle_id, attribute=attribute)
    left, right = st.columns([3, 2], gap="large")
    with left:
        best = real.filter(pl.col("reference")).row(0, named=True)
        show(charts.rate_bars(groups, outcome=f"Share {top_label}", floor=FLOOR),
             name=f"Share {top_label} by {name}", key="ratings_bias_rates")
        st.caption(f"Top vs rest: dashed line at {FLOOR:.0%} of the highest group's rate ({best['group']}). "
                   "Bars left of it fail the four-fifths rule.")
    with right:
        st.markdown("**The whole distribution**")
        if overall.is_empty():
            st.caption("No test across groups: everyone got the same rating.")
        else:
            result = overall.row(0, named=True)
            one, two, three = st.container(), *st.columns(2)
            one.metric("p-value", stats.p_text(result["p_value"]).removeprefix("= "), border=True,
                       help=f"Chance of differences at least this large if ratings did not depend on {name}: "
                       f"{result['p_method']}.")
            two.metric("Chi-square", f"{result['chi2']:.1f}", border=True,
                       help=f"{result['dof']} degrees of freedom: (groups - 1) × (ratings given - 1).")
            three.metric("Cramér's V", f"{result['cramers_v']:.2f}", border=True,
                         help="Strength of the association, 0 (none) to 1 (the group decides the rating); about "
                         "0.1 is small, 0.3 medium, 0.5 large.")
    if groups.filter(pl.col("pooled")).height:
        st.caption(f":material/visibility_off: {PROTECTED} Hidden groups enter the tests only combined.")
    data_table(
        groups.drop("hits", "pooled"), f"Bias test by {name}",
        {
            "group": st.column_config.TextColumn(q.ATTRIBUTES[attribute]),
            "n": st.column_config.NumberColumn("People rated", format="%d"),
            "rate": st.column_config.NumberColumn(f"Share {top_label}", format="percent"),
            "impact_ratio": st.column_config.NumberColumn(
                "Impact ratio", format="%.2f", help="The group's rate / the highest group's rate."),
            "below_four_fifths": st.column_config.CheckboxColumn(
                "Below four-fifths", help=f"Impact ratio below {FLOOR:.2f}."),
            "reference": st.column_config.CheckboxColumn("Highest group"),
            "test": st.column_config.TextColumn(
                "Test (top vs rest, 2×2)",
                help="The 2×2 table of rated top or not × this group or the highest: Fisher's exact test when an "
                "expected count is below 5, else a two-proportion z-test."),
            "p_value": st.column_config.NumberColumn("p-value", format="%.4f"),
            "p_adjusted": st.column_config.NumberColumn(
                "Adjusted p-value", format="%.4f",
                help="Holm's adjustment for comparing several groups with the highest one, which is picked after "
                "looking: read this one."),
        },
        key="ratings_bias_groups",
    )


def adjusted_detail(attribute: str) -> None:
    """The same comparison for people with the same goal results (Cochran–Mantel–Haenszel)."""
    name = q.ATTRIBUTES[attribute].lower()
    st.subheader("For the same goal results")
    st.caption("Ladder holds both a person's goal results and their rating. Here people are compared only with "
               "people whose own goals ended about as complete (bands of the mean progress of their own measured "
               "goals at the cycle's close), so a gap cannot come from different results. People with no measured "
               "goal are left out.")
    say(ask(b.adjusted_findings, filters, viewer, cycle_id=cycle_id, attribute=attribute, top_from=top_from))
    cells = ask(b.adjusted_cells, filters, viewer, cycle_id=cycle_id, attribute=attribute, top_from=top_from)
    if cells.is_empty():
        st.caption(f"Too few people with measured goals in this scope to compare by {name}.")
        return
    data_table(
        cells.filter(~pl.col("hidden") & (pl.col("n") > 0)).drop("group_id", "hidden"),
        f"Share {top_label} by {name} and goal results",
        {
            "band": st.column_config.TextColumn("Goals complete"),
            "group": st.column_config.TextColumn(q.ATTRIBUTES[attribute]),
            "n": st.column_config.NumberColumn("People rated", format="%d"),
            "hits": st.column_config.NumberColumn(f"People {top_label}", format="%d"),
            "rate": st.column_config.NumberColumn(f"Share {top_label}", format="percent"),
        },
        key="ratings_adjusted_cells",
    )
    hidden_cells = int(cells["hidden"].sum())
    st.caption("Stratified impact ratio: the Mantel–Haenszel ratio of the two groups' shares, band by band; "
               "p-value: Cochran–Mantel–Haenszel test, Holm-adjusted for the groups compared."
               + (f" {hidden_cells} cells are hidden to protect small groups and left out of the test."
                  if hidden_cells else ""))


def bias() -> None:
    if not viewer.sees_sensitive:
        st.info("Bias tests need the HR role. They read sensitive attributes such as gender and age band, which "
                "Ladder only lets HR see, and only as figures for groups. Ask HR for this analysis.",
                icon=":material/lock:")
        return
    attribute = bias_overview()
    bias_detail(attribute)
    adjusted_detail(attribute)
    with st.expander("What these numbers mean, and what they do not", icon=":material/help:"):
        st.markdown(
            f"""
- **The whole distribution**: a chi-square test of every final rating across the groups. It asks whether the
  groups' ratings differ at all, at any point of the scale; Cramér's V says how strongly, from 0 to 1.
- **Top vs rest (2×2)**: the share of each group rated {top_from} or above against the highest group's share:
  the **impact ratio**; below {FLOOR:.2f} fails the *four-fifths rule*, a rule of thumb from US employment
  guidelines for when a difference deserves a closer look. Fisher's exact test or a z-test gives its p-value.
- **p-value**: how often a gap at least this large would appear by chance if ratings did not depend on the
  group at all. Below 0.05 is conventionally called significant. It says nothing about how *big* the gap is.
  With several comparisons one can cross 0.05 by chance alone: the **adjusted p-value** (Holm) allows for that.
- **For the same goal results**: the top-vs-rest comparison made within bands of goal results and pooled
  (Cochran–Mantel–Haenszel), so that a group whose goals ended less complete is not read as rated unfairly.

What they do **not** say: that anyone was treated unfairly, or why. Groups can differ in level, job, tenure or
team, and goal results are only one of the reasons ratings differ. A flag is a reason to look at how ratings
were given, not a verdict. Only groups of at least {MIN} people are shown.
"""
        )


def nine_box() -> None:
    st.subheader("Performance and potential")
    grid = ask(q.nine_box, filters, viewer, cycle_id=cycle_id)
    rows = [band for band in (*reversed(q.BANDS), q.NOT_RECORDED) if band in grid["potential"].to_list()]
    left, right = st.columns([3, 2], gap="large")
    with left:
        show(charts.rating_grid(grid, row="potential", col="performance", row_title="Potential",
                                col_title="Performance (final rating)", row_order=rows, col_order=list(q.BANDS),
                                cell_height=90),
             name="Performance and potential", key="ratings_nine_box")
    with right:
        st.caption(
            "People per cell, with their share of everyone rated. Performance: the final rating in thirds of the "
            f"{cycle['scale_min']}-{cycle['scale_max']} scale (low 1-2, moderate 3, high 4-5 on a 5-point scale). "
            "Potential: the potential rating in thirds of its scale. Top right: strong now and ready to grow; "
            f"bottom left: struggling on both counts. Blank cells are hidden to protect groups below {MIN} people."
        )

# Only the open tab runs its queries and draws its charts (the tabs rerun the page when switched).
SECTIONS = {"Distribution": distribution, "Calibration": calibration, "Rater leniency": leniency,
            "Bias tests": bias, "9-box": nine_box}
for tab, draw in zip(st.tabs(list(SECTIONS), key="ratings_tab", on_change="rerun"), SECTIONS.values(), strict=True):
    if tab.open:
        with tab:
            draw()

with st.expander("How small groups are protected", icon=":material/shield_person:"):
    st.markdown(
        f"""
Nothing on this screen — chart, table or download — shows a count, rate or mean for a group of fewer than
{MIN} people. A group's shares (say, 4% of a team rated 1) are shown once the group itself is large enough.

- **Groups** (teams, regions, managers, the groups of a bias test): a group below {MIN} is hidden. If that would
  leave a single hidden group, or hidden groups adding up to fewer than {MIN}, the next smallest groups are
  hidden too, so nobody can subtract the visible groups from the total to recover one.
- **Across views**: every pair of groupings (team, region, manager, work mode and, for HR, gender and age band),
  and each grouping against those of the unit above and of all regions, is checked for a group, or an overlap of
  two groups of fewer than {MIN} people, that adding and subtracting their figures would give back; more groups
  are hidden until there is none. A team or region its wider scope shows only inside "other groups" shows
  nothing on its own.
- **Grids** (calibration, 9-box): a square below {MIN} is blank, and more squares are blanked until every row and
  column has either no blank square or at least two adding up to {MIN} or more; an exact check then confirms no
  blank square can be worked out from the totals and the shares moved up and down.
- **Whole scope**: if fewer than {MIN} people are rated in the filters' scope, nothing is shown.

The precise guarantee, and what it does not cover, is in Ladder's `docs/privacy.md`.
"""
    )
