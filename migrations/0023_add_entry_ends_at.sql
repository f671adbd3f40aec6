-- When a list entry stops being in force: its valid_until or its end, whichever comes first (null:
-- neither is set). Twin of credithub.domain.lists.ListEntry.ends_at; a parity test holds them
-- together. The engine's loader (db/sql/facts.sql) hands each entry over as (valid_from, ends_at),
-- and the dashboards' statistics count an exit at this instant, so both read it here rather than
-- writing least(...) themselves. entry_in_force(valid_from, valid_until, ended_at, at) is the same
-- as entry_in_force(valid_from, entry_ends_at(valid_until, ended_at), NULL, at).
CREATE FUNCTION entry_ends_at(valid_until timestamptz, ended_at timestamptz) RETURNS timestamptz
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT least(valid_until, ended_at)
$$;
