-- What a platform reported, as a digest of its content, so that the same violation id sent
-- again with other content is told apart from a repeat: a repeat changes nothing, a different
-- report under the same id is refused (409) instead of silently dropped. Records stored before
-- this migration (and authority records) have none: a repeat of them is taken as the same.
ALTER TABLE credit_records ADD COLUMN report_digest bytea;
