-- Objections that cannot be used to stall, and corrections as an outcome.
--
-- `suspends`: whether filing the objection suspended the record's measures. Every objection filed
-- before this migration did (that was the only rule), so existing rows are true.
-- `outcome`: what an upheld objection did to its record (WITHDRAW before this migration).

ALTER TABLE objections ADD COLUMN suspends boolean NOT NULL DEFAULT true;
ALTER TABLE objections ADD COLUMN outcome text CHECK (outcome IN ('WITHDRAW', 'CORRECT'));
UPDATE objections SET outcome = 'WITHDRAW' WHERE status = 'UPHELD';
ALTER TABLE objections ADD CONSTRAINT objections_outcome CHECK ((status = 'UPHELD') = (outcome IS NOT NULL));

-- A corrected record keeps what it said before: append-only, like its status history.
CREATE TABLE record_corrections (
    id             bigserial PRIMARY KEY,
    record_id      bigint NOT NULL REFERENCES credit_records (id),
    objection_id   bigint REFERENCES objections (id),
    from_category  text NOT NULL,
    from_severity  text,
    to_category    text NOT NULL,
    to_severity    text,
    actor          text NOT NULL,
    reason         text NOT NULL,
    at             timestamptz NOT NULL
);
CREATE INDEX record_corrections_record_idx ON record_corrections (record_id, id);
