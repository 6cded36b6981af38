-- DuckDB answers every query on these tables with a sequential scan and its zone maps (EXPLAIN shows no index
-- scan for a council's current values), so the two indexes were only kept up to date: a third of a regional
-- history's load (0.7 s of 2.3 s on 624,000 rows). The primary keys stay: they refuse a repeated value.
DROP INDEX observations_current;
DROP INDEX breakdown_values_current;
