-- Automation runtime (issue 4): the outbox, workflow rules and their history, and db-scheduler's
-- table for persistent timers.

CREATE TABLE outbox_entries (
    id               UUID PRIMARY KEY,
    org_id           UUID NOT NULL,
    source           VARCHAR(200) NOT NULL,
    action_type      VARCHAR(50) NOT NULL,
    config           JSONB NOT NULL,
    module           VARCHAR(100),
    record_id        UUID,
    subject          VARCHAR(200),
    actor_id         UUID NOT NULL,
    transactional    BOOLEAN NOT NULL,
    status           VARCHAR(10) NOT NULL,
    attempts         INT NOT NULL,
    max_attempts     INT NOT NULL,
    next_attempt_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    last_error       VARCHAR(2000),
    result           JSONB,
    cause_signal     UUID,
    depth            INT NOT NULL,
    created_at       TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at       TIMESTAMP WITH TIME ZONE NOT NULL
);
-- Workers look for due entries by status and kind; done and failed entries stay for the API.
CREATE INDEX outbox_entries_due ON outbox_entries (status, transactional, next_attempt_at);
CREATE INDEX outbox_entries_org ON outbox_entries (org_id, id);
CREATE INDEX outbox_entries_source ON outbox_entries (org_id, source, id);

CREATE TABLE wf_rules (
    id           UUID PRIMARY KEY,
    org_id       UUID NOT NULL,
    module       VARCHAR(100) NOT NULL,
    active       BOOLEAN NOT NULL,
    definition   JSONB NOT NULL,
    version      BIGINT NOT NULL,
    created_at   TIMESTAMP WITH TIME ZONE NOT NULL,
    modified_at  TIMESTAMP WITH TIME ZONE NOT NULL
);
CREATE INDEX wf_rules_module ON wf_rules (org_id, module, active, created_at);

CREATE TABLE wf_history (
    id           UUID PRIMARY KEY,
    org_id       UUID NOT NULL,
    rule_id      UUID NOT NULL,
    module       VARCHAR(100) NOT NULL,
    record_id    UUID,
    signal_id    UUID,
    event        VARCHAR(40) NOT NULL,
    branch       VARCHAR(300),
    detail       JSONB NOT NULL,
    occurred_at  TIMESTAMP WITH TIME ZONE NOT NULL
);
CREATE INDEX wf_history_rule ON wf_history (org_id, rule_id, id);

-- db-scheduler's own table (its documented PostgreSQL schema, which H2 in PostgreSQL mode accepts).
CREATE TABLE scheduled_tasks (
    task_name             VARCHAR(100) NOT NULL,
    task_instance         VARCHAR(300) NOT NULL,
    task_data             BYTEA,
    execution_time        TIMESTAMP WITH TIME ZONE NOT NULL,
    picked                BOOLEAN NOT NULL,
    picked_by             VARCHAR(50),
    last_success          TIMESTAMP WITH TIME ZONE,
    last_failure          TIMESTAMP WITH TIME ZONE,
    consecutive_failures  INT,
    last_heartbeat        TIMESTAMP WITH TIME ZONE,
    version               BIGINT NOT NULL,
    priority              SMALLINT,
    PRIMARY KEY (task_name, task_instance)
);
CREATE INDEX scheduled_tasks_execution_time ON scheduled_tasks (execution_time);
CREATE INDEX scheduled_tasks_last_heartbeat ON scheduled_tasks (last_heartbeat);
CREATE INDEX scheduled_tasks_priority_execution_time ON scheduled_tasks (priority DESC, execution_time ASC);
