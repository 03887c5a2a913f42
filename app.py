"""Ladder: is the work of our people laddering up to our strategy?

Start it with `python app.py [streamlit options]` (what `make run` does) or `streamlit run app.py`.
"""

import streamlit as st

if __name__ == "__main__" and not st.runtime.exists():
    from components.server import serve

    raise SystemExit(serve(__file__))

from components.shell import allowed_pages, error_boundary, log_view, start

st.set_page_config(page_title="Ladder", page_icon=":material/stairs:", layout="wide")

pages = {
    "Strategy review": [
        st.Page("pages/review/overview.py", title="Overview", icon=":material/dashboard:", default=True),
        st.Page("pages/review/strategy_map.py", title="Strategy map", icon=":material/account_tree:"),
        st.Page("pages/review/progress.py", title="Progress", icon=":material/trending_up:"),
        st.Page("pages/review/present.py", title="Present", icon=":material/co_present:", url_path="present"),
    ],
    "People & alignment": [
        st.Page("pages/people/ratings.py", title="Ratings", icon=":material/leaderboard:"),
        st.Page("pages/people/checkins.py", title="Check-ins", icon=":material/event_repeat:"),
        st.Page("pages/people/alignment.py", title="Alignment", icon=":material/link:"),
    ],
    "My team": [
        st.Page("pages/team/my_team.py", title="My team", icon=":material/groups:"),
    ],
    "Admin": [
        st.Page("pages/admin/access_log.py", title="Access log", icon=":material/history:"),
        st.Page("pages/admin/data.py", title="Data", icon=":material/upload_file:"),
    ],
}

# Anything unexpected, in the frame or in a screen, is one line with a reference on screen, never a trace.
with error_boundary():
    context = start()
    page = st.navigation(allowed_pages(pages, context.viewer))
    log_view(page, context)
    page.run()
