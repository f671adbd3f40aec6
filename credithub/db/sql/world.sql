-- Bulk loading of a generated world (demo data, benchmark datasets) with COPY.

-- reserve_ids --
-- $2 fresh ids from the sequence named $1 (e.g. 'subjects_id_seq'), so COPY can write them.
SELECT nextval($1::regclass) AS id FROM generate_series(1, $2);
