-- users with roles and the audit log
CREATE TABLE users (
    email VARCHAR PRIMARY KEY,
    role VARCHAR NOT NULL CHECK (role IN ('viewer', 'analyst', 'admin')),
    note VARCHAR,
    changed_by VARCHAR NOT NULL,
    changed_at TIMESTAMP NOT NULL
);
CREATE SEQUENCE audit_id_seq START 1;
CREATE TABLE audit_log (
    entry_id BIGINT PRIMARY KEY DEFAULT nextval('audit_id_seq'),
    happened_at TIMESTAMP NOT NULL,
    actor VARCHAR NOT NULL,
    role VARCHAR NOT NULL,
    action VARCHAR NOT NULL,
    subject VARCHAR NOT NULL,
    before VARCHAR,
    after VARCHAR,
    prev_hash VARCHAR NOT NULL,
    hash VARCHAR NOT NULL
);
