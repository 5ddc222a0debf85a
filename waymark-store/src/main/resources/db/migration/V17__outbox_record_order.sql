-- A record's transactional actions run in the order they were decided, whichever worker or node
-- takes them: a worker that claims an entry checks, by this index, that no earlier entry of the
-- same record is still pending (held by another worker, or waiting for a retry), and leaves it
-- for later if one is. Without it, two workers ran a lead's two field updates in the wrong order
-- now and then (40 of 22,000 leads in `bench/run journeys` kept the first value).
CREATE INDEX outbox_entries_record_order ON outbox_entries (record_id, status, seq);

-- Within a node, each outbox worker takes its own share of the entries (shard = the signal-log
-- partition of the entry's subject, 0..63; worker i of k takes shard mod k = i): the node's
-- workers do not hold back each other's entries, nor wait on each other's partition locks when
-- they append the results.
ALTER TABLE outbox_entries ADD COLUMN shard SMALLINT DEFAULT 0 NOT NULL;
