-- The state a list entry shows at an instant: an entry in force is ENDED once its valid_until has
-- passed (nobody has to end it). Twin of credithub.domain.lists.ListEntry.state_at; a parity test
-- holds them together. listEntries(filter: {state}) filters on this, not on the stored state, so
-- an expired entry is found under ENDED and never under IN_FORCE.
CREATE FUNCTION entry_state_at(state text, valid_until timestamptz, at timestamptz) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN state = 'IN_FORCE' AND valid_until IS NOT NULL AND valid_until <= at THEN 'ENDED' ELSE state END
$$;
