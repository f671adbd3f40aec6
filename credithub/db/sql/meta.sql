-- Facts about this hub installation (hub_meta).

-- get --
-- The value under a key, or nothing.
SELECT value FROM hub_meta WHERE key = $1;

-- put_if_absent --
-- Store $2 under key $1 unless a value is there already; returns the value in force.
WITH inserted AS (
    INSERT INTO hub_meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING RETURNING value
)
SELECT value FROM inserted
UNION ALL
SELECT value FROM hub_meta WHERE key = $1 AND NOT EXISTS (SELECT 1 FROM inserted);

-- put --
-- Store $2 under key $1, replacing any value.
INSERT INTO hub_meta (key, value) VALUES ($1, $2)
ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = now();
