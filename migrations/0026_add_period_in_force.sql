-- Whether a period [valid_from, valid_to) holds at `at` (valid_to null: not ended). MCN signings and
-- legal representations are kept as such periods. db/sql/signings.sql pages and counts the signings
-- of agencies in force at an instant through it, instead of writing the bounds out in each query.
-- Twin of credithub.domain.subjects.Validity.in_force_at; a parity test holds them together. A plain
-- SQL expression: the planner inlines it, so calling it costs what the condition written out did.
CREATE FUNCTION period_in_force(valid_from timestamptz, valid_to timestamptz, at timestamptz) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT valid_from <= at AND (valid_to IS NULL OR valid_to > at)
$$;
