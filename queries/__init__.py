"""The questions Ladder asks of the goals database: pure Python over a Polars snapshot, no Streamlit."""
