-- an upload remembers the plausibility warnings its uploader ticked as checked before it was loaded
ALTER TABLE uploads ADD COLUMN warnings_acknowledged INTEGER DEFAULT 0;
ALTER TABLE uploads ADD COLUMN acknowledged_warnings VARCHAR;
