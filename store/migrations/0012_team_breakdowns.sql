-- a KPI's values by team, locality or service are kept beside the whole council's, never mixed with them, with the council's list of teams and every rename and merge
CREATE SEQUENCE team_id_seq START 1;
CREATE TABLE teams (
    team_id INTEGER PRIMARY KEY DEFAULT nextval('team_id_seq'),
    la_code VARCHAR NOT NULL,
    kind VARCHAR NOT NULL CHECK (kind IN ('team', 'locality', 'service')),
    name VARCHAR NOT NULL,
    merged_into INTEGER,
    merged_from DATE,
    created_by VARCHAR NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE TABLE team_names (
    la_code VARCHAR NOT NULL,
    name_key VARCHAR NOT NULL,
    team_id INTEGER NOT NULL,
    name VARCHAR NOT NULL,
    PRIMARY KEY (la_code, name_key)
);
CREATE SEQUENCE team_change_id_seq START 1;
CREATE TABLE team_changes (
    change_id INTEGER PRIMARY KEY DEFAULT nextval('team_change_id_seq'),
    la_code VARCHAR NOT NULL,
    team_id INTEGER NOT NULL,
    change VARCHAR NOT NULL CHECK (change IN ('added', 'renamed', 'merged')),
    before_name VARCHAR,
    after_name VARCHAR,
    into_team_id INTEGER,
    effective DATE,
    upload_id INTEGER,
    changed_by VARCHAR NOT NULL,
    changed_at TIMESTAMP NOT NULL
);
CREATE TABLE breakdown_values (
    la_code VARCHAR NOT NULL,
    kpi_code VARCHAR NOT NULL,
    period DATE NOT NULL,
    team_id INTEGER NOT NULL,
    value DOUBLE,
    numerator DOUBLE,
    denominator DOUBLE,
    status_code VARCHAR,
    note VARCHAR,
    upload_id INTEGER NOT NULL,
    is_current BOOLEAN NOT NULL DEFAULT TRUE,
    PRIMARY KEY (la_code, kpi_code, period, team_id, upload_id)
);
CREATE INDEX breakdown_values_current ON breakdown_values (la_code, kpi_code, is_current);
ALTER TABLE targets ADD COLUMN team_id INTEGER;
