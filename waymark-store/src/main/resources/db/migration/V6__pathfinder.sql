-- Path Finder: each organisation's touchpoint configuration, and imported logs kept for analysis.

CREATE TABLE pf_config (
    org_id      UUID PRIMARY KEY REFERENCES orgs(id),
    config      VARCHAR(200000) NOT NULL,   -- TouchpointConfig as JSON text
    updated_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_by  UUID
);

-- The log itself is the compact binary form of io.waymark.pathfinder.EventLog, deflated.
CREATE TABLE pf_datasets (
    id            UUID PRIMARY KEY,
    org_id        UUID NOT NULL REFERENCES orgs(id),
    name          VARCHAR(200) NOT NULL,
    format        VARCHAR(10) NOT NULL,
    cases         INT NOT NULL,
    events        BIGINT NOT NULL,
    event_classes INT NOT NULL,
    has_lifecycle BOOLEAN NOT NULL,
    stored_bytes  BIGINT NOT NULL,
    created_at    TIMESTAMP WITH TIME ZONE NOT NULL,
    created_by    UUID,
    log           BYTEA NOT NULL
);
CREATE INDEX pf_datasets_org ON pf_datasets (org_id, created_at);
