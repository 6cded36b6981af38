-- history for targets and notes; RAG rules, commentary and SPC rebases
ALTER TABLE targets ADD COLUMN replaces INTEGER;
ALTER TABLE targets ADD COLUMN retired_by VARCHAR;
ALTER TABLE targets ADD COLUMN retired_at TIMESTAMP;
ALTER TABLE annotations ADD COLUMN retired_by VARCHAR;
ALTER TABLE annotations ADD COLUMN retired_at TIMESTAMP;
CREATE SEQUENCE rag_rule_id_seq START 1;
CREATE TABLE rag_rules (
    rule_id INTEGER PRIMARY KEY DEFAULT nextval('rag_rule_id_seq'),
    la_code VARCHAR NOT NULL,
    kpi_code VARCHAR NOT NULL,
    method VARCHAR NOT NULL CHECK (method IN ('target_floor', 'tolerance', 'close')),
    tolerance_pct DOUBLE NOT NULL CHECK (tolerance_pct >= 0 AND tolerance_pct <= 100),
    created_by VARCHAR NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE SEQUENCE commentary_id_seq START 1;
CREATE TABLE commentary (
    commentary_id INTEGER PRIMARY KEY DEFAULT nextval('commentary_id_seq'),
    la_code VARCHAR NOT NULL,
    kpi_code VARCHAR NOT NULL,
    period DATE NOT NULL,
    text VARCHAR NOT NULL,
    created_by VARCHAR NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE SEQUENCE rebase_id_seq START 1;
CREATE TABLE spc_rebases (
    rebase_id INTEGER PRIMARY KEY DEFAULT nextval('rebase_id_seq'),
    la_code VARCHAR NOT NULL,
    kpi_code VARCHAR NOT NULL,
    period DATE NOT NULL,
    reason VARCHAR NOT NULL,
    created_by VARCHAR NOT NULL,
    created_at TIMESTAMP NOT NULL,
    retired_by VARCHAR,
    retired_at TIMESTAMP
);
