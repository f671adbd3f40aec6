-- Objections, credit repair applications, and the append-only audit trail.

CREATE TABLE objections (
    id                 bigserial PRIMARY KEY,
    record_id          bigint NOT NULL REFERENCES credit_records (id),
    filed_by           text NOT NULL,
    filed_by_platform  text REFERENCES platforms (code),
    reason             text NOT NULL CHECK (length(reason) BETWEEN 1 AND 2000),
    filed_at           timestamptz NOT NULL,
    due_at             timestamptz NOT NULL CHECK (due_at > filed_at),
    status             text NOT NULL DEFAULT 'OPEN' CHECK (status IN ('OPEN', 'UPHELD', 'REJECTED')),
    resolved_by        text,
    resolved_at        timestamptz,
    resolution_note    text,
    CONSTRAINT objections_resolution CHECK ((status = 'OPEN') = (resolved_at IS NULL))
);
CREATE UNIQUE INDEX objections_one_open_per_record ON objections (record_id) WHERE status = 'OPEN';
CREATE INDEX objections_record_idx ON objections (record_id, id);
CREATE INDEX objections_due_idx ON objections (due_at) WHERE status = 'OPEN';

CREATE TABLE repair_applications (
    id                   bigserial PRIMARY KEY,
    record_id            bigint NOT NULL REFERENCES credit_records (id),
    applied_by           text NOT NULL,
    applied_by_platform  text REFERENCES platforms (code),
    evidence             text NOT NULL CHECK (length(evidence) BETWEEN 1 AND 10000),
    commitment           text NOT NULL CHECK (length(commitment) BETWEEN 1 AND 10000),
    applied_at           timestamptz NOT NULL,
    status               text NOT NULL DEFAULT 'PENDING' CHECK (status IN ('PENDING', 'APPROVED', 'REJECTED')),
    decided_by           text,
    decided_at           timestamptz,
    decision_note        text,
    CONSTRAINT repair_applications_decision CHECK ((status = 'PENDING') = (decided_at IS NULL))
);
CREATE UNIQUE INDEX repair_applications_one_pending_per_record ON repair_applications (record_id)
    WHERE status = 'PENDING';
CREATE INDEX repair_applications_record_idx ON repair_applications (record_id, id);

-- Every read of credit information: who, which subject, what operation, when.
CREATE TABLE audit_reads (
    id          bigserial PRIMARY KEY,
    at          timestamptz NOT NULL,
    client_id   bigint NOT NULL,
    client      text NOT NULL,
    role        text NOT NULL,
    platform    text,
    operation   text NOT NULL,
    subject_id  bigint NOT NULL
);
CREATE INDEX audit_reads_subject_idx ON audit_reads (subject_id, id);
CREATE INDEX audit_reads_client_idx ON audit_reads (client_id, id);

-- Every write: who, what, and the entity before and after.
CREATE TABLE audit_writes (
    id         bigserial PRIMARY KEY,
    at         timestamptz NOT NULL,
    actor      text NOT NULL,
    action     text NOT NULL,
    entity     text NOT NULL,
    entity_id  text NOT NULL,
    subject_id bigint,
    before     jsonb,
    after      jsonb
);
CREATE INDEX audit_writes_entity_idx ON audit_writes (entity, entity_id, id);
CREATE INDEX audit_writes_subject_idx ON audit_writes (subject_id, id) WHERE subject_id IS NOT NULL;

-- Append-only, enforced by the database itself: no UPDATE, DELETE or TRUNCATE, for anyone.
CREATE FUNCTION refuse_audit_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit rows are append-only (% on %)', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER audit_reads_append_only BEFORE UPDATE OR DELETE ON audit_reads
    FOR EACH ROW EXECUTE FUNCTION refuse_audit_change();
CREATE TRIGGER audit_reads_no_truncate BEFORE TRUNCATE ON audit_reads
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_audit_change();
CREATE TRIGGER audit_writes_append_only BEFORE UPDATE OR DELETE ON audit_writes
    FOR EACH ROW EXECUTE FUNCTION refuse_audit_change();
CREATE TRIGGER audit_writes_no_truncate BEFORE TRUNCATE ON audit_writes
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_audit_change();

-- Repair exclusions are per regime. The removal of a subject from the court's list of dishonest
-- judgment debtors is decided by the court once the obligation is performed (最高人民法院关于公布
-- 失信被执行人名单信息的若干规定), not by credit repair.
UPDATE rule_sets SET rules = jsonb_set(rules, '{repair}', '{"excluded_categories": ["COURT_DISHONEST_DEBTOR"]}');
