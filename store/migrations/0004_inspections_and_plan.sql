-- inspections with judgements; the improvement plan's recommendations, versions, linked KPIs and log
CREATE SEQUENCE inspection_id_seq START 1;
CREATE TABLE inspections (
    inspection_id INTEGER PRIMARY KEY DEFAULT nextval('inspection_id_seq'),
    la_code VARCHAR NOT NULL,
    created_by VARCHAR NOT NULL,
    created_at TIMESTAMP NOT NULL,
    retired_by VARCHAR,
    retired_at TIMESTAMP
);
CREATE SEQUENCE inspection_version_id_seq START 1;
CREATE TABLE inspection_versions (
    version_id INTEGER PRIMARY KEY DEFAULT nextval('inspection_version_id_seq'),
    inspection_id INTEGER NOT NULL,
    kind VARCHAR NOT NULL CHECK (kind IN ('ilacs_standard', 'ilacs_short', 'focused_visit',
                                          'monitoring_visit', 'jtai')),
    inspected_on DATE NOT NULL,
    published_on DATE,
    report_ref VARCHAR,
    created_by VARCHAR NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE TABLE inspection_judgements (
    version_id INTEGER NOT NULL,
    area VARCHAR NOT NULL CHECK (area IN ('overall', 'leaders', 'help_protection', 'children_in_care',
                                          'care_leavers')),
    grade VARCHAR NOT NULL CHECK (grade IN ('outstanding', 'good', 'requires_improvement', 'inadequate')),
    PRIMARY KEY (version_id, area)
);
CREATE SEQUENCE recommendation_id_seq START 1;
CREATE TABLE recommendations (
    rec_id INTEGER PRIMARY KEY DEFAULT nextval('recommendation_id_seq'),
    la_code VARCHAR NOT NULL,
    ref VARCHAR NOT NULL,
    inspection_id INTEGER,
    created_by VARCHAR NOT NULL,
    created_at TIMESTAMP NOT NULL,
    retired_by VARCHAR,
    retired_at TIMESTAMP
);
CREATE SEQUENCE recommendation_version_id_seq START 1;
CREATE TABLE recommendation_versions (
    version_id INTEGER PRIMARY KEY DEFAULT nextval('recommendation_version_id_seq'),
    rec_id INTEGER NOT NULL,
    text VARCHAR NOT NULL,
    area VARCHAR NOT NULL,
    timescale VARCHAR,
    counts_from DATE,
    due_on DATE NOT NULL,
    owner VARCHAR,
    status VARCHAR NOT NULL CHECK (status IN ('not_started', 'in_progress', 'completed', 'evidenced')),
    rag VARCHAR CHECK (rag IN ('red', 'amber', 'green')),
    source VARCHAR NOT NULL,
    created_by VARCHAR NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE TABLE recommendation_kpis (
    version_id INTEGER NOT NULL,
    kpi_code VARCHAR NOT NULL,
    PRIMARY KEY (version_id, kpi_code)
);
CREATE SEQUENCE recommendation_log_id_seq START 1;
CREATE TABLE recommendation_log (
    log_id INTEGER PRIMARY KEY DEFAULT nextval('recommendation_log_id_seq'),
    rec_id INTEGER NOT NULL,
    kind VARCHAR NOT NULL CHECK (kind IN ('progress', 'impact')),
    noted_on DATE NOT NULL,
    text VARCHAR NOT NULL,
    source VARCHAR NOT NULL,
    created_by VARCHAR NOT NULL,
    created_at TIMESTAMP NOT NULL,
    retired_by VARCHAR,
    retired_at TIMESTAMP
);
CREATE INDEX recommendations_council ON recommendations (la_code);
