-- Pull sync: cursors per platform and stream, and the items a feed could not give us.

-- get_cursor --
-- Where a stream stands: $1 platform, $2 stream. Nothing before the first pull.
SELECT cursor FROM sync_cursors WHERE platform = $1 AND stream = $2;

-- save_page --
-- Move a stream past a page taken: $1 platform, $2 stream, $3 cursor, $4 items taken, $5 at,
-- $6 caught up (the feed said nothing more is waiting). Clears the last error.
INSERT INTO sync_cursors AS s (platform, stream, cursor, pages, items, updated_at, caught_up_at)
VALUES ($1, $2, $3, 1, $4, $5::timestamptz, CASE WHEN $6::boolean THEN $5::timestamptz END)
ON CONFLICT (platform, stream) DO UPDATE SET
    cursor = excluded.cursor, pages = s.pages + 1, items = s.items + excluded.items, updated_at = excluded.updated_at,
    caught_up_at = COALESCE(excluded.caught_up_at, s.caught_up_at), last_error = NULL, last_error_at = NULL;

-- save_error --
-- Keep why a pull stopped, leaving the cursor where it was: $1 platform, $2 stream, $3 error, $4 at.
INSERT INTO sync_cursors AS s (platform, stream, updated_at, last_error, last_error_at)
VALUES ($1, $2, $4, $3, $4)
ON CONFLICT (platform, stream) DO UPDATE SET last_error = excluded.last_error, last_error_at = excluded.last_error_at;

-- reset --
-- Start streams over from the beginning (a full reconciliation): $1 platform, $2 streams.
UPDATE sync_cursors SET cursor = NULL WHERE platform = $1 AND stream = ANY($2::text[]);

-- insert_rejects --
-- Keep items a feed gave that the hub could not take: $1 platform, $2 stream, $3 item ids,
-- $4 errors (pairwise), $5 at. A later pull of the same item replaces the entry.
INSERT INTO sync_rejects (platform, stream, item_id, error, at)
SELECT $1, $2, item_id, error, $5 FROM unnest($3::text[], $4::text[]) AS r (item_id, error)
ON CONFLICT (platform, stream, item_id) DO UPDATE SET error = excluded.error, at = excluded.at;

-- list_cursors --
-- Every stream's state: $1 platform (null: all).
SELECT platform, stream, cursor, pages, items, updated_at, caught_up_at, last_error, last_error_at
FROM sync_cursors WHERE ($1::text IS NULL OR platform = $1) ORDER BY platform, stream;

-- list_rejects --
-- Refused items, newest first: $1 platform (null: all), $2 limit.
SELECT platform, stream, item_id, error, at FROM sync_rejects
WHERE ($1::text IS NULL OR platform = $1) ORDER BY at DESC, item_id LIMIT $2;
