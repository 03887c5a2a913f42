"""Reusable Streamlit pieces: the data seam, the filter sidebar, KPI cards, charts and tables."""
