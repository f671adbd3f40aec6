-- What a viewer is shown of a credit record, written once for every query that pages or counts
-- records (db/sql/records.sql).
--
-- record_counts_from: a record counts, and its publicity window runs, from the source's decision
-- date when it gives one, else from when the fact occurred. Twin of
-- credithub.domain.records.compute_counts_from; the fact loader reads it too (db/sql/facts.sql).
--
-- record_window_end: when a record stops being shown and producing measures — the end of its
-- maximum publicity window (max_months of its severity under the rule set in force), run from when
-- it counts (its decision date, else when it occurred), or the source's own end if earlier; a
-- positive record (no severity) ends only where its source says. Twin of
-- credithub.domain.rules.compute_window_end.
--
-- record_visibility: FULL, REDACTED or HIDDEN, for a viewer's scope (credithub.domain.visibility
-- .RecordScope, passed as its fields; `published` are the severities other platforms see and
-- `max_months` their windows, pairwise). Twin of compute_record_visibility. These two are STABLE,
-- not IMMUTABLE: adding months to a timestamptz depends on the session's time zone (the hub's
-- sessions run in UTC). All three are plain SQL expressions, so the planner inlines them into the
-- queries that call them. A parity test holds each to its Python twin.
CREATE FUNCTION record_counts_from(occurred_at timestamptz, decided_at timestamptz) RETURNS timestamptz
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT coalesce(decided_at, occurred_at)
$$;

CREATE FUNCTION record_window_end(severity text, counts_from timestamptz, valid_until timestamptz,
                                  max_months int) RETURNS timestamptz
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN severity IS NULL THEN valid_until
                ELSE least(counts_from + make_interval(months => max_months), valid_until) END
$$;

CREATE FUNCTION record_visibility(subject_id bigint, status text, source_platform text, severity text,
                                  counts_from timestamptz, valid_until timestamptz,
                                  include_repaired boolean, sees_all boolean, own_platform text,
                                  own_subject bigint, published text[], max_months int[],
                                  at timestamptz) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT CASE
        WHEN status = 'REPAIRED' AND NOT include_repaired THEN 'HIDDEN'
        WHEN own_subject IS NOT NULL THEN CASE WHEN subject_id = own_subject THEN 'FULL' ELSE 'HIDDEN' END
        WHEN sees_all THEN 'FULL'
        WHEN source_platform = own_platform THEN 'FULL'
        WHEN severity IS NOT NULL AND NOT coalesce(severity = ANY (published), false) THEN 'HIDDEN'
        WHEN record_window_end(severity, counts_from, valid_until,
                               max_months[array_position(published, severity)]) <= at THEN 'HIDDEN'
        ELSE 'REDACTED'
    END
$$;
