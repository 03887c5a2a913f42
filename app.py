"""Ladder: is the work of our people laddering up to our strategy?"""

import streamlit as st

from components.shell import start

st.set_page_config(page_title="Ladder", page_icon=":material/stairs:", layout="wide")

start()

pages = {
    "Strategy review": [
        st.Page("pages/review/overview.py", title="Overview", icon=":material/dashboard:", default=True),
    ],
    "People & alignment": [
        st.Page("pages/people/ratings.py", title="Ratings", icon=":material/leaderboard:"),
        st.Page("pages/people/checkins.py", title="Check-ins", icon=":material/event_repeat:"),
        st.Page("pages/people/alignment.py", title="Alignment", icon=":material/link:"),
    ],
    "My team": [
        st.Page("pages/team/my_team.py", title="My team", icon=":material/groups:"),
    ],
}

st.navigation(pages).run()
