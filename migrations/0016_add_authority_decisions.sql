-- Public authorities' decisions (dual publicity, 双公示) as credit records: the decision date,
-- the source's own end of publicity, versions of a decision the authority re-publishes changed,
-- and the purpose a read of credit information was made for.

-- The decision date (处罚决定日期, 认定时间). A record counts, and its publicity window runs,
-- from it when the source gives it, else from occurred_at. valid_until keeps the source's own end
-- (公示截止期, or a positive record's term): windows never run past it.
ALTER TABLE credit_records ADD COLUMN decided_at timestamptz;
-- 1 when first published; +1 for every changed re-publication of the same decision.
ALTER TABLE credit_records ADD COLUMN version integer NOT NULL DEFAULT 1 CHECK (version >= 1);
-- SHA-256 of the decision as the source published it: a re-import of the same row changes nothing.
ALTER TABLE credit_records ADD COLUMN source_digest bytea CHECK (source_digest IS NULL OR length(source_digest) = 32);

-- Earlier versions of a record, kept when the source re-publishes it changed.
CREATE TABLE credit_record_versions (
    record_id    bigint NOT NULL REFERENCES credit_records (id),
    version      integer NOT NULL,
    replaced_at  timestamptz NOT NULL,
    replaced_by  text NOT NULL,
    fields       jsonb NOT NULL,
    PRIMARY KEY (record_id, version)
);

-- Why a client read credit information (a credit report's purpose; a declared purpose).
ALTER TABLE audit_reads ADD COLUMN IF NOT EXISTS purpose text;  -- 0010 may have added it already

-- Positive authority records count for incentives through the catalog, like any record.
INSERT INTO measures (code, kind, mandatory, legal_basis, legal_basis_ref, legal_basis_level, description,
                      subject_kinds, scope, trigger, duration_months) VALUES
('PRIORITY_SERVICE', 'INCENTIVE', false,
 '《关于健全社会信用体系的意见》（2025）：守信激励；《纳税信用管理办法》：A级纳税人激励措施',
 NULL, 'NORMATIVE_DOCUMENT', 'Priority handling of onboarding, campaigns and payouts for subjects an authority rated or listed as trustworthy.',
 ARRAY['MERCHANT', 'ANCHOR', 'MCN_AGENCY'], 'ALL_PLATFORMS',
 '{"type": "RECORD", "categories": ["A_LEVEL_TAXPAYER", "RED_LIST"], "severities": null}', NULL);
