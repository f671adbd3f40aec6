-- Notices to a subject: every listing proposal and decision, objection outcome and
-- repair outcome, with the notice of the right to repair that goes with each adverse decision
-- (两书同达). A notice goes to the subject through its platforms (a `notice.created` message in
-- the outbox, written in the transaction of the decision) and is kept with its delivery state.
CREATE TABLE notices (
    id               bigserial PRIMARY KEY,
    subject_id       bigint NOT NULL REFERENCES subjects (id),
    kind             text NOT NULL CHECK (kind IN ('LISTING_PROPOSED', 'LISTING_DECIDED', 'OBJECTION_UPHELD',
                                                   'OBJECTION_REJECTED', 'REPAIR_APPROVED', 'REPAIR_REJECTED',
                                                   'RIGHT_TO_REPAIR')),
    title            text NOT NULL,
    body             text NOT NULL,
    record_id        bigint REFERENCES credit_records (id),
    list_entry_id    bigint REFERENCES list_entries (id),
    objection_id     bigint REFERENCES objections (id),
    repair_id        bigint REFERENCES repair_applications (id),
    repairable_from  timestamptz,  -- a right-to-repair notice: when an application can first be granted
    created_at       timestamptz NOT NULL,
    created_by       text NOT NULL,
    -- QUEUED: messages to the subject's platforms are in the outbox; DELIVERED: a platform took
    -- one; NO_CHANNEL: no platform can carry it (serve it another way: regulators see it here).
    delivery         text NOT NULL CHECK (delivery IN ('QUEUED', 'DELIVERED', 'NO_CHANNEL')),
    delivered_at     timestamptz,
    acknowledged_at  timestamptz,  -- the subject read it (once subjects sign in)
    CONSTRAINT notices_delivered CHECK ((delivery = 'DELIVERED') = (delivered_at IS NOT NULL))
);
CREATE INDEX notices_subject_idx ON notices (subject_id, id);
