"""Everything the product stands on: the DuckDB connection, migrations, writes, reads, time, words, refusals.

Nothing here imports the product above it, so any package may import it.
"""
