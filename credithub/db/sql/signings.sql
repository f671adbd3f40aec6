-- MCN signings: an agency has signed an anchor for a period.

-- list_page_for_agencies --
-- One page of signings per agency, newest id first: $1 agency ids, $2 limit per agency,
-- $3 before id (cursor), $4 in force at (null: every signing, ended ones included), $5 only anchors
-- with an account on this platform (null: all; a platform lists only its own subjects).
SELECT g.id, g.agency_id, g.anchor_id, g.valid_from, g.valid_to, g.source_platform
FROM unnest($1::bigint[]) AS a (id)
CROSS JOIN LATERAL (
    SELECT m.* FROM mcn_signings m
    WHERE m.agency_id = a.id
      AND ($3::bigint IS NULL OR m.id < $3)
      AND ($4::timestamptz IS NULL OR period_in_force(m.valid_from, m.valid_to, $4))
      AND ($5::text IS NULL OR EXISTS (SELECT 1 FROM accounts x WHERE x.subject_id = m.anchor_id AND x.platform = $5))
    ORDER BY m.id DESC
    LIMIT $2
) g;

-- count_for_agencies --
-- How many signings match per agency: $1 agency ids, $2 in force at (null: every signing), $3 platform.
SELECT m.agency_id, count(*) AS total
FROM mcn_signings m
WHERE m.agency_id = ANY($1::bigint[])
  AND ($2::timestamptz IS NULL OR period_in_force(m.valid_from, m.valid_to, $2))
  AND ($3::text IS NULL OR EXISTS (SELECT 1 FROM accounts x WHERE x.subject_id = m.anchor_id AND x.platform = $3))
GROUP BY m.agency_id;

-- list_for_anchors --
-- Every signing of the given anchors (a handful each), newest first.
SELECT id, agency_id, anchor_id, valid_from, valid_to, source_platform
FROM mcn_signings
WHERE anchor_id = ANY($1::bigint[])
ORDER BY anchor_id, valid_from DESC, id DESC;

-- insert --
-- Add a signing: $1 agency id, $2 anchor id, $3 valid from, $4 valid to, $5 source platform.
INSERT INTO mcn_signings (agency_id, anchor_id, valid_from, valid_to, source_platform)
VALUES ($1, $2, $3, $4, $5)
RETURNING id, agency_id, anchor_id, valid_from, valid_to, source_platform;

-- upsert --
-- Record a signing period, or its end: $1 agency id, $2 anchor id, $3 valid from, $4 valid to,
-- $5 source platform. A period is identified by (agency, anchor, valid from).
INSERT INTO mcn_signings (agency_id, anchor_id, valid_from, valid_to, source_platform)
VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (agency_id, anchor_id, valid_from) DO UPDATE SET valid_to = excluded.valid_to
RETURNING id, agency_id, anchor_id, valid_from, valid_to, source_platform;

-- upsert_representation --
-- Record a legal representation period, or its end: $1 person id, $2 subject id, $3 valid from,
-- $4 valid to, $5 source platform.
INSERT INTO legal_representatives (person_id, subject_id, valid_from, valid_to, source_platform)
VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (person_id, subject_id, valid_from) DO UPDATE SET valid_to = excluded.valid_to
RETURNING id;
