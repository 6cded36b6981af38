-- initial schema
CREATE TABLE councils (
    la_code VARCHAR PRIMARY KEY,
    name VARCHAR NOT NULL,
    region VARCHAR,
    old_la_code VARCHAR,
    is_demo BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE TABLE kpis (
    code VARCHAR PRIMARY KEY,
    name VARCHAR NOT NULL,
    definition VARCHAR NOT NULL,
    unit VARCHAR NOT NULL,
    polarity VARCHAR NOT NULL CHECK (polarity IN ('high', 'low', 'none', 'target')),
    kpi_group VARCHAR NOT NULL,
    decimals INTEGER NOT NULL,
    source VARCHAR NOT NULL,
    frequency VARCHAR NOT NULL,
    sort_order INTEGER NOT NULL
);
CREATE SEQUENCE upload_id_seq START 1;
CREATE TABLE uploads (
    upload_id INTEGER PRIMARY KEY DEFAULT nextval('upload_id_seq'),
    file_name VARCHAR NOT NULL,
    sha256 VARCHAR NOT NULL,
    size_bytes BIGINT NOT NULL,
    kind VARCHAR NOT NULL,
    uploaded_by VARCHAR NOT NULL,
    uploaded_at TIMESTAMP NOT NULL,
    rows_loaded INTEGER NOT NULL,
    status VARCHAR NOT NULL CHECK (status IN ('loaded', 'withdrawn')),
    withdrawn_by VARCHAR,
    withdrawn_at TIMESTAMP
);
CREATE TABLE observations (
    la_code VARCHAR NOT NULL,
    kpi_code VARCHAR NOT NULL,
    period DATE NOT NULL,
    value DOUBLE,
    numerator DOUBLE,
    denominator DOUBLE,
    status_code VARCHAR,
    note VARCHAR,
    upload_id INTEGER NOT NULL,
    is_current BOOLEAN NOT NULL DEFAULT TRUE,
    PRIMARY KEY (la_code, kpi_code, period, upload_id)
);
CREATE SEQUENCE target_id_seq START 1;
CREATE TABLE targets (
    target_id INTEGER PRIMARY KEY DEFAULT nextval('target_id_seq'),
    la_code VARCHAR NOT NULL,
    kpi_code VARCHAR NOT NULL,
    kind VARCHAR NOT NULL CHECK (kind IN ('local', 'inspection', 'floor')),
    value DOUBLE NOT NULL,
    start_period DATE NOT NULL,
    end_period DATE,
    glide_from DOUBLE,
    glide_until DATE,
    source VARCHAR NOT NULL,
    created_by VARCHAR NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE TABLE benchmarks (
    kpi_code VARCHAR NOT NULL,
    area_type VARCHAR NOT NULL CHECK (area_type IN ('england', 'region', 'la')),
    area_code VARCHAR NOT NULL,
    year INTEGER NOT NULL,
    period_end DATE NOT NULL,
    value DOUBLE,
    status_code VARCHAR,
    source VARCHAR NOT NULL,
    upload_id INTEGER
);
CREATE TABLE neighbours (
    la_code VARCHAR NOT NULL,
    neighbour_code VARCHAR NOT NULL,
    model VARCHAR NOT NULL,
    rank INTEGER NOT NULL,
    PRIMARY KEY (la_code, model, rank)
);
CREATE SEQUENCE annotation_id_seq START 1;
CREATE TABLE annotations (
    annotation_id INTEGER PRIMARY KEY DEFAULT nextval('annotation_id_seq'),
    la_code VARCHAR NOT NULL,
    kpi_code VARCHAR,
    period DATE NOT NULL,
    text VARCHAR NOT NULL,
    created_by VARCHAR NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX observations_current ON observations (la_code, kpi_code, is_current);
