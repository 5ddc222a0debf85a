-- Files attached to records (issue 5: a blueprint transition's During attachments). The bytes sit
-- beside their metadata; reads of the metadata never touch them.
CREATE TABLE attachments (
    id            UUID PRIMARY KEY,
    org_id        UUID NOT NULL,
    module        VARCHAR(50) NOT NULL,
    record_id     UUID NOT NULL,
    file_name     VARCHAR(255) NOT NULL,
    content_type  VARCHAR(255) NOT NULL,
    size_bytes    BIGINT NOT NULL,
    sha256        VARCHAR(64) NOT NULL,
    content       BYTEA NOT NULL,
    created_at    TIMESTAMP WITH TIME ZONE NOT NULL,
    created_by    UUID
);
CREATE INDEX attachments_record ON attachments (org_id, record_id, created_at);
