"""`python -m etl`: the same commands as `python -m ingest` (load, kpi, export, ...), under the name the
council's runbooks and the issues use for the ETL layer."""
