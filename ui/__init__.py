"""The thin Streamlit layer: the shared connection, cached queries and the sidebar selection."""
