-- Workers take due entries "ORDER BY next_attempt_at, seq LIMIT n". Without seq in the index,
-- entries due at the same instant (a decision's whole batch) were all read and sorted for every
-- claim: 20,000 entries queued at once cost a scan of the remaining ones per batch of 200.
CREATE INDEX outbox_entries_due_order ON outbox_entries (status, transactional, next_attempt_at, seq);
DROP INDEX outbox_entries_due;
