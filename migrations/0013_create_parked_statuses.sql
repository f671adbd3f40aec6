-- Subjects whose credit status cannot be computed (a fact the engine cannot read, a bug): the
-- status refresher parks them here with the error instead of failing its whole batch again and
-- again. A parked subject is left alone until its facts or the catalog change (the refresh
-- queue brings it back) or an operator retries it (`python -m credithub parked retry`).

CREATE TABLE parked_statuses (
    subject_id      bigint PRIMARY KEY REFERENCES subjects (id),
    facts_version   bigint NOT NULL,
    config_version  bigint NOT NULL,
    error           text NOT NULL,
    parked_at       timestamptz NOT NULL,
    attempts        integer NOT NULL DEFAULT 1
);
CREATE INDEX parked_statuses_parked_at_idx ON parked_statuses (parked_at, subject_id);
