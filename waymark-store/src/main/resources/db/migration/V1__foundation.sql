-- Waymark foundation schema. Runs unchanged on PostgreSQL and on H2 in PostgreSQL mode.
-- Records live in one table per module (created at run time by the store, named in modules.storage);
-- everything else is here. Every table of organisation data carries org_id.

CREATE TABLE orgs (
    id            UUID PRIMARY KEY,
    name          VARCHAR(200) NOT NULL,
    time_zone     VARCHAR(64)  NOT NULL,
    metadata_version BIGINT    NOT NULL DEFAULT 0,
    created_at    TIMESTAMP WITH TIME ZONE NOT NULL
);

CREATE TABLE users (
    id          UUID PRIMARY KEY,
    org_id      UUID NOT NULL REFERENCES orgs(id),
    email       VARCHAR(254) NOT NULL,
    name        VARCHAR(200) NOT NULL,
    is_admin    BOOLEAN NOT NULL,
    active      BOOLEAN NOT NULL,
    created_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT users_email_unique UNIQUE (org_id, email)
);

CREATE TABLE api_tokens (
    id          UUID PRIMARY KEY,
    org_id      UUID NOT NULL REFERENCES orgs(id),
    user_id     UUID NOT NULL REFERENCES users(id),
    name        VARCHAR(100) NOT NULL,
    token_hash  CHAR(64) NOT NULL,
    created_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    expires_at  TIMESTAMP WITH TIME ZONE,
    revoked_at  TIMESTAMP WITH TIME ZONE,
    CONSTRAINT api_tokens_hash_unique UNIQUE (token_hash)
);

CREATE TABLE modules (
    id              UUID PRIMARY KEY,
    org_id          UUID NOT NULL REFERENCES orgs(id),
    api_name        VARCHAR(50)  NOT NULL,
    singular_label  VARCHAR(100) NOT NULL,
    plural_label    VARCHAR(100) NOT NULL,
    standard        BOOLEAN NOT NULL,
    display_fields  VARCHAR(1000) NOT NULL,
    subject_field   VARCHAR(50),
    storage         VARCHAR(63) NOT NULL,
    CONSTRAINT modules_name_unique UNIQUE (org_id, api_name)
);

CREATE TABLE fields (
    id              UUID PRIMARY KEY,
    org_id          UUID NOT NULL REFERENCES orgs(id),
    module_id       UUID NOT NULL REFERENCES modules(id),
    api_name        VARCHAR(50)  NOT NULL,
    definition      VARCHAR(20000) NOT NULL,
    storage_column  VARCHAR(63)  NOT NULL,
    position        INT NOT NULL,
    deleted         BOOLEAN NOT NULL,
    CONSTRAINT fields_name_unique UNIQUE (module_id, api_name)
);

CREATE TABLE layouts (
    id          UUID PRIMARY KEY,
    org_id      UUID NOT NULL REFERENCES orgs(id),
    module_id   UUID NOT NULL REFERENCES modules(id),
    name        VARCHAR(100) NOT NULL,
    is_default  BOOLEAN NOT NULL,
    sections    VARCHAR(20000) NOT NULL,
    CONSTRAINT layouts_name_unique UNIQUE (module_id, name)
);

-- Deleted records, kept whole so that nothing is lost and the timeline still reads.
CREATE TABLE deleted_records (
    id          UUID NOT NULL,
    org_id      UUID NOT NULL,
    module_id   UUID NOT NULL,
    data        VARCHAR(1000000) NOT NULL,
    deleted_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    deleted_by  UUID,
    PRIMARY KEY (org_id, id)
);

-- The signal log. (partition, seq) is the order consumers see; seq is handed out under the lock of
-- the partition's row in signal_partitions, so it grows in commit order.
CREATE TABLE signal_partitions (
    partition_no INT PRIMARY KEY,
    head         BIGINT NOT NULL
);

CREATE TABLE signals (
    partition_no INT NOT NULL,
    seq          BIGINT NOT NULL,
    id           UUID NOT NULL,
    org_id       UUID NOT NULL,
    type         VARCHAR(100) NOT NULL,
    subject      VARCHAR(200) NOT NULL,
    module       VARCHAR(50),
    record_id    UUID,
    payload      JSONB NOT NULL,
    occurred_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    recorded_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    actor        UUID,
    PRIMARY KEY (partition_no, seq),
    CONSTRAINT signals_id_unique UNIQUE (id)
);
CREATE INDEX signals_subject ON signals (org_id, subject, seq);
CREATE INDEX signals_record ON signals (org_id, record_id, occurred_at);
CREATE INDEX signals_time ON signals (org_id, occurred_at);

CREATE TABLE consumer_checkpoints (
    consumer     VARCHAR(100) NOT NULL,
    partition_no INT NOT NULL,
    seq          BIGINT NOT NULL,
    PRIMARY KEY (consumer, partition_no)
);

CREATE TABLE consumer_dead_letters (
    consumer     VARCHAR(100) NOT NULL,
    signal_id    UUID NOT NULL,
    org_id       UUID NOT NULL,
    partition_no INT NOT NULL,
    seq          BIGINT NOT NULL,
    attempts     INT NOT NULL,
    error        VARCHAR(4000) NOT NULL,
    failed_at    TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (consumer, partition_no, seq)
);
