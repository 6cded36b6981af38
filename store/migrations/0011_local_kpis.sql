-- a council adds its own measures to the KPI catalogue as local KPIs, retires a KPI rather than deleting it, and every change to the catalogue is kept as a version with who and when
ALTER TABLE kpis ADD COLUMN origin VARCHAR DEFAULT 'statutory';
UPDATE kpis SET origin = 'statutory' WHERE origin IS NULL;
ALTER TABLE kpis ADD COLUMN retired_at TIMESTAMP;
ALTER TABLE kpis ADD COLUMN retired_by VARCHAR;
CREATE TABLE kpi_versions (
    code VARCHAR NOT NULL,
    version INTEGER NOT NULL,
    change VARCHAR NOT NULL CHECK (change IN ('added', 'changed', 'retired', 'restored')),
    name VARCHAR NOT NULL,
    definition VARCHAR NOT NULL,
    unit VARCHAR NOT NULL,
    polarity VARCHAR NOT NULL,
    kpi_group VARCHAR NOT NULL,
    decimals INTEGER NOT NULL,
    frequency VARCHAR NOT NULL,
    denominator_kpi VARCHAR,
    subject VARCHAR NOT NULL,
    changed_by VARCHAR NOT NULL,
    changed_at TIMESTAMP NOT NULL,
    PRIMARY KEY (code, version)
);
