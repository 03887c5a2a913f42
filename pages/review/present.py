"""Present: the review's sections one screen at a time for a projector; large type, no sidebar, Previous / Next
buttons and the Left / Right keys. A link such as /present?period=2026-Q4&team=42 opens it on that scope."""

import streamlit as st

from components.context import current
from components.review_pack import section_builders
from components.review_panel import review_inputs

SLIDE = "present_slide"
# The sidebar and the app's header give the screen to the slide; type is sized for the back of a room.
PRESENT_STYLE = """<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stHeader"] {display: none;}
[data-testid="stMainBlockContainer"] {max-width: 100%; padding: 1.5rem 3rem;}
.st-key-present_slide_body {min-height: 84vh;}
.st-key-present_slide_body h1 {font-size: 3.4rem;}
[data-testid="stText"] {font-size: 1.7rem; font-family: inherit; white-space: pre-wrap;}
[data-testid="stTable"] td, [data-testid="stTable"] th {font-size: 1.2rem;}
</style>"""

context = current()
st.html(PRESENT_STYLE)
run, header, notes, pinned = review_inputs(context)
builders = section_builders(run, context.viewer, header, notes, pinned)
slide = min(max(st.session_state.get(SLIDE, 0), 0), len(builders) - 1)


def go(step: int) -> None:
    st.session_state[SLIDE] = min(max(slide + step, 0), len(builders) - 1)


with st.container(key="present_slide_body", gap="medium"):
    section = builders[slide][1]()
    st.title(section.title, anchor=False)
    for line in section.lines:
        st.text(line)
    if section.image is not None and section.table is not None:
        picture, table = st.columns([1, 1], gap="large")
        picture.image(section.image, width="stretch")
        table.table({heading: [row[i] for row in section.table.rows] for i, heading in
                     enumerate(section.table.columns)}, border="horizontal", hide_index=True)
    elif section.image is not None:
        st.image(section.image, width="stretch")
    elif section.table is not None:
        st.table({heading: [row[i] for row in section.table.rows] for i, heading in
                  enumerate(section.table.columns)}, border="horizontal", hide_index=True)

with st.container(horizontal=True, horizontal_alignment="distribute", vertical_alignment="center"):
    st.button("Previous", icon=":material/arrow_back:", key="present_previous", shortcut="Left",
              disabled=slide == 0, on_click=go, args=(-1,))
    st.caption(f"{slide + 1} / {len(builders)} · {context.scope_label}")
    st.button("Next", icon=":material/arrow_forward:", key="present_next", shortcut="Right",
              disabled=slide == len(builders) - 1, on_click=go, args=(1,))
