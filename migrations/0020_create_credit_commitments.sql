-- Public credit commitments (信用承诺): a subject's own written promise, with a term. Whether one
-- is kept or broken is derived when it is read (credithub.domain.commitments.compute_standing):
-- a general or serious record of the subject that occurred within the term breaks it, and a
-- record later withdrawn no longer does. Nothing here is ever updated.
CREATE TABLE credit_commitments (
    id          bigserial PRIMARY KEY,
    subject_id  bigint NOT NULL REFERENCES subjects (id),
    content     text NOT NULL CHECK (length(content) BETWEEN 1 AND 2000),
    purpose     text CHECK (length(purpose) BETWEEN 1 AND 200),  -- what it was made for (an application, a repair)
    term_from   timestamptz NOT NULL,
    term_until  timestamptz NOT NULL CHECK (term_until > term_from),
    made_by     text NOT NULL,
    made_at     timestamptz NOT NULL
);
CREATE INDEX credit_commitments_subject_idx ON credit_commitments (subject_id, id);
