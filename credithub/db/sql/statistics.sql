-- Statistics for dashboards, computed by PostgreSQL over the rows themselves.

-- compute --
-- What happened in [$1, $2), grouped by $3: MONTH (UTC month of the event), PLATFORM (the reporting
-- platform of the record concerned, the executing platform of an execution; null for authority
-- records and what rests on them), CATEGORY (of the record concerned), TIER (the subject's stored
-- tier now). Listings count when they took effect, exits when they ended (removed, or validUntil
-- passed), objections and repairs when filed; a decided objection brings its days to decision.
WITH entry_basis AS (
    SELECT DISTINCT ON (l.entry_id) l.entry_id, r.source_platform, r.category
    FROM list_entry_records l JOIN credit_records r ON r.id = l.record_id
    ORDER BY l.entry_id, r.id
), events AS (
    SELECT 'record' AS what, r.subject_id, r.reported_at AS at, r.source_platform AS platform, r.category,
           NULL::double precision AS days, NULL::boolean AS approved
    FROM credit_records r WHERE r.reported_at >= $1 AND r.reported_at < $2
    UNION ALL
    SELECT 'listing', e.subject_id, e.valid_from, b.source_platform, b.category, NULL, NULL
    FROM list_entries e LEFT JOIN entry_basis b ON b.entry_id = e.id
    WHERE e.valid_from >= $1 AND e.valid_from < $2
    UNION ALL
    SELECT 'exit', e.subject_id, entry_ends_at(e.valid_until, e.ended_at), b.source_platform, b.category, NULL, NULL
    FROM list_entries e LEFT JOIN entry_basis b ON b.entry_id = e.id
    WHERE entry_ends_at(e.valid_until, e.ended_at) >= $1 AND entry_ends_at(e.valid_until, e.ended_at) < $2
    UNION ALL
    SELECT 'objection', r.subject_id, o.filed_at, r.source_platform, r.category,
           extract(epoch FROM o.resolved_at - o.filed_at) / 86400, NULL
    FROM objections o JOIN credit_records r ON r.id = o.record_id
    WHERE o.filed_at >= $1 AND o.filed_at < $2
    UNION ALL
    SELECT 'repair', r.subject_id, a.applied_at, r.source_platform, r.category, NULL, a.status = 'APPROVED'
    FROM repair_applications a JOIN credit_records r ON r.id = a.record_id
    WHERE a.applied_at >= $1 AND a.applied_at < $2
    UNION ALL
    SELECT 'execution', x.subject_id, x.executed_at, x.platform, NULL, NULL, NULL
    FROM measure_executions x WHERE x.executed_at >= $1 AND x.executed_at < $2
)
SELECT CASE $3::text
           WHEN 'MONTH' THEN to_char(date_trunc('month', ev.at AT TIME ZONE 'UTC'), 'YYYY-MM')
           WHEN 'PLATFORM' THEN ev.platform
           WHEN 'CATEGORY' THEN ev.category
           WHEN 'TIER' THEN ss.tier
       END AS grp,
       count(*) FILTER (WHERE ev.what = 'record') AS records,
       count(*) FILTER (WHERE ev.what = 'listing') AS listings,
       count(*) FILTER (WHERE ev.what = 'exit') AS exits,
       count(*) FILTER (WHERE ev.what = 'objection') AS objections,
       count(*) FILTER (WHERE ev.what = 'objection' AND ev.days IS NOT NULL) AS objections_decided,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY ev.days) FILTER (WHERE ev.what = 'objection') AS median_days,
       count(*) FILTER (WHERE ev.what = 'repair') AS repairs,
       count(*) FILTER (WHERE ev.what = 'repair' AND ev.approved) AS repairs_approved,
       count(*) FILTER (WHERE ev.what = 'execution') AS executions
FROM events ev
LEFT JOIN subject_statuses ss ON $3::text = 'TIER' AND ss.subject_id = ev.subject_id
GROUP BY 1
ORDER BY 1 NULLS LAST;
