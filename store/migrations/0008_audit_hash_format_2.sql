-- audit fingerprints cover the entry's number and tell a missing value from an empty one (format 2); entries written before keep format 1 and are checked with the formula they were written with
ALTER TABLE audit_log ADD COLUMN hash_format INTEGER DEFAULT 1;
UPDATE audit_log SET hash_format = 1;
