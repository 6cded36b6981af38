"""The logic behind the pages: queries, KPI maths and chart builders, free of Streamlit."""
