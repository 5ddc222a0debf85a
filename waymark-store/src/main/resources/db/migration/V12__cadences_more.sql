-- Cadences, continued (issue 6): a whole cadence can be paused; re-enrollment rules look up a
-- record's earlier enrollments in a cadence; the daily sending limit counts each sender's cadence
-- emails per day (the day in the organisation's zone).
ALTER TABLE cad_cadences ADD COLUMN paused BOOLEAN DEFAULT FALSE NOT NULL;

CREATE INDEX cad_enrollments_record ON cad_enrollments (cadence_id, record_id);

CREATE TABLE cad_send_counts (
    org_id UUID NOT NULL,
    sender UUID NOT NULL,
    send_day DATE NOT NULL,
    sent   INTEGER NOT NULL,
    PRIMARY KEY (org_id, sender, send_day)
);

-- The display name of a message's sender (a cadence's fixed sender or the record's owner); NULL:
-- the organisation's configured from-name.
ALTER TABLE email_messages ADD COLUMN from_name VARCHAR(200);
