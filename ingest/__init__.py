"""Reading, validating and loading data into the DuckDB store."""
