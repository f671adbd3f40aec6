-- The status refresh queue in the order the refresher takes it (claim_queued: oldest first,
-- then by subject). Without it every claim of a batch sorted the whole queue: with a million
-- subjects queued (a bulk load, an import touching many subjects) each batch of 500 paid for a
-- sort of the million, and recomputing them all took time quadratic in their number.
CREATE INDEX status_refresh_queue_age_idx ON status_refresh_queue (queued_at, subject_id);
