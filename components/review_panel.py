"""The 'Review pack' panel: one button builds the quarter's review for the sidebar's scope, with progress shown, and
offers it as PowerPoint and PDF. Nothing is built until the button is clicked."""

from __future__ import annotations

from collections.abc import Callable

import polars as pl
import streamlit as st

from components.context import PageContext
from components.data import SETTINGS, ask, viewer_snapshot
from components.export import file_stem
from components.notes import all_notes
from components.pack_files import PDF_MIME, PPTX_MIME, pdf_bytes, pptx_bytes
from components.pins import read_last_pin
from components.review_pack import PackHeader, PinComparison, Run, pin_comparison, review_sections
from queries.notes import scope_notes
from queries.periods import period_row

_BUILT = "_review_pack"


def review_pack_panel(context: PageContext) -> None:
    """The build button, then the two downloads of the pack built for exactly these filters and this viewer."""
    filters, viewer = context.filters, context.viewer
    key = (filters, viewer)
    if st.button("Build the review pack", icon=":material/slideshow:", key="review_pack_build",
                 help="The quarter's review for this scope as PowerPoint and PDF: KPIs, objectives against pace, "
                 "the most behind, pace by region, what changed, alignment gaps, check-ins"
                 + (", ratings" if viewer.role == "hr" else "") + "."):
        st.session_state[_BUILT] = (key, _build(context))
    built = st.session_state.get(_BUILT)
    if not built or built[0] != key:
        return
    pptx, pdf = built[1]
    stem = file_stem(f"review {period_row(viewer_snapshot(viewer), filters.period_id)['name']}")
    with st.container(horizontal=True, gap="small"):
        st.download_button("PowerPoint", pptx, f"{stem}.pptx", PPTX_MIME, key="review_pack_pptx",
                           icon=":material/download:", on_click="ignore")
        st.download_button("PDF", pdf, f"{stem}.pdf", PDF_MIME, key="review_pack_pdf", icon=":material/download:",
                           on_click="ignore")


def review_inputs(context: PageContext) -> tuple[Run, PackHeader, pl.DataFrame, PinComparison | None]:
    """What the review's sections read for this page's filters and viewer: the seam's runner, the title, the scope's
    notes and the comparison with the last pinned review."""
    filters, viewer = context.filters, context.viewer
    scoped = viewer_snapshot(viewer)
    header = PackHeader(context.scope_label, period_row(scoped, filters.period_id)["name"], filters.as_of,
                        scoped.loaded_at, scoped.stamp)

    def run(query: Callable[..., pl.DataFrame], **options: object) -> pl.DataFrame:
        return ask(query, filters, viewer, **options)

    notes = scope_notes(scoped, filters, all_notes())
    return run, header, notes, pin_comparison(scoped, filters, SETTINGS, read_last_pin(context))


def _build(context: PageContext) -> tuple[bytes, bytes]:
    with st.status("Building the review pack…", expanded=False) as status:
        bar = st.progress(0.0)

        def step(done: int, total: int, what: str) -> None:
            bar.progress(done / total, text=what)

        run, header, notes, pinned = review_inputs(context)
        sections = review_sections(run, context.viewer, header, notes, step, pinned=pinned)
        files = pptx_bytes(sections), pdf_bytes(sections)
        status.update(label=f"Review pack ready: {len(sections)} slides.", state="complete")
    return files
