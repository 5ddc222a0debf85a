-- Cadences: follow-up sequences (issue 6). A cadence keeps its editable draft; publishing copies it
-- into an immutable version. An enrollment is one record's run through one version; active_key is
-- the cadence id while the enrollment is active or paused and NULL once it ended, so the unique
-- index allows at most one live enrollment per record per cadence (NULLs never collide).
CREATE TABLE cad_cadences (
    id          UUID PRIMARY KEY,
    org_id      UUID NOT NULL,
    name        VARCHAR(200) NOT NULL,
    module      VARCHAR(100) NOT NULL,
    draft       JSONB NOT NULL,
    latest      INTEGER NOT NULL,
    revision    BIGINT NOT NULL,
    created_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    modified_at TIMESTAMP WITH TIME ZONE NOT NULL
);
CREATE INDEX cad_cadences_org ON cad_cadences (org_id, created_at);

CREATE TABLE cad_versions (
    cadence_id   UUID NOT NULL REFERENCES cad_cadences (id) ON DELETE CASCADE,
    version      INTEGER NOT NULL,
    org_id       UUID NOT NULL,
    definition   JSONB NOT NULL,
    published_at TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (cadence_id, version)
);

CREATE TABLE cad_enrollments (
    id          UUID PRIMARY KEY,
    org_id      UUID NOT NULL,
    cadence_id  UUID NOT NULL REFERENCES cad_cadences (id) ON DELETE CASCADE,
    version     INTEGER NOT NULL,
    module      VARCHAR(100) NOT NULL,
    record_id   UUID NOT NULL,
    subject     VARCHAR(200) NOT NULL,
    status      VARCHAR(20) NOT NULL,
    reason      VARCHAR(40),
    active_key  VARCHAR(120),
    state       JSONB NOT NULL,
    revision    BIGINT NOT NULL,
    enrolled_at TIMESTAMP WITH TIME ZONE NOT NULL,
    ended_at    TIMESTAMP WITH TIME ZONE
);
CREATE UNIQUE INDEX cad_enrollments_live ON cad_enrollments (active_key);
CREATE INDEX cad_enrollments_subject ON cad_enrollments (org_id, subject);
CREATE INDEX cad_enrollments_cadence ON cad_enrollments (cadence_id, status);
