-- Kiosk and wizard definitions: one row per saved version; a save never changes an older row.
CREATE TABLE flow_definitions (
    org_id      UUID NOT NULL,
    id          UUID NOT NULL,
    version     INTEGER NOT NULL,
    kind        VARCHAR(16) NOT NULL,
    name        VARCHAR(200) NOT NULL,
    active      BOOLEAN NOT NULL,
    body        JSONB NOT NULL,
    created_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    created_by  UUID NOT NULL,
    PRIMARY KEY (org_id, id, version)
);
CREATE INDEX ix_flow_definitions_kind ON flow_definitions (org_id, kind, name);

-- Kiosk sessions and wizard runs (including drafts), each pinned to the version it started on.
CREATE TABLE flow_runs (
    id             UUID PRIMARY KEY,
    org_id         UUID NOT NULL,
    kind           VARCHAR(16) NOT NULL,
    definition_id  UUID NOT NULL,
    version        INTEGER NOT NULL,
    user_id        UUID NOT NULL,
    status         VARCHAR(16) NOT NULL,
    record_id      UUID,
    state          JSONB NOT NULL,
    created_at     TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at     TIMESTAMP WITH TIME ZONE NOT NULL,
    expires_at     TIMESTAMP WITH TIME ZONE NOT NULL,
    revision       BIGINT NOT NULL
);
CREATE INDEX ix_flow_runs_user ON flow_runs (org_id, kind, user_id, status, updated_at);
CREATE INDEX ix_flow_runs_expiry ON flow_runs (kind, status, expires_at);
