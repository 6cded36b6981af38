-- published figures remember their release and the newest release wins whatever the loading order; a store remembers whether it is the demo; each council chooses its statistical-neighbour model; inspections remember the upload that brought them
ALTER TABLE benchmarks ADD COLUMN release_year INTEGER;
ALTER TABLE benchmarks ADD COLUMN release VARCHAR;
UPDATE benchmarks SET release_year = year;
CREATE VIEW published_figures AS
SELECT b.kpi_code, b.area_type, b.area_code, b.year, b.period_end, b.value, b.status_code, b.source,
       b.upload_id, b.release_year, b.release
FROM benchmarks b LEFT JOIN uploads u USING (upload_id)
WHERE b.upload_id IS NULL OR u.status = 'loaded'
QUALIFY row_number() OVER (PARTITION BY b.kpi_code, b.area_type, b.area_code, b.period_end
                           ORDER BY b.release_year DESC NULLS LAST, b.upload_id DESC NULLS LAST) = 1;
CREATE TABLE store_facts (
    fact VARCHAR PRIMARY KEY,
    value VARCHAR NOT NULL,
    set_at TIMESTAMP NOT NULL
);
CREATE SEQUENCE neighbour_choice_id_seq START 1;
CREATE TABLE neighbour_model_choices (
    choice_id INTEGER PRIMARY KEY DEFAULT nextval('neighbour_choice_id_seq'),
    la_code VARCHAR NOT NULL,
    model VARCHAR NOT NULL,
    chosen_by VARCHAR NOT NULL,
    chosen_at TIMESTAMP NOT NULL
);
ALTER TABLE inspections ADD COLUMN upload_id INTEGER;
