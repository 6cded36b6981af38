-- targets and statistical-neighbour groups remember the upload that brought them, so it can be withdrawn
ALTER TABLE targets ADD COLUMN upload_id INTEGER;
CREATE TABLE neighbours_by_upload (
    la_code VARCHAR NOT NULL,
    neighbour_code VARCHAR NOT NULL,
    model VARCHAR NOT NULL,
    rank INTEGER NOT NULL,
    upload_id INTEGER
);
INSERT INTO neighbours_by_upload SELECT la_code, neighbour_code, model, rank, NULL FROM neighbours;
DROP TABLE neighbours;
ALTER TABLE neighbours_by_upload RENAME TO neighbours;
