-- Journey Builder (issue 7): journeys with their draft and published versions, the instances
-- (one customer's run through one version) and each instance's path; per-action counters.

CREATE TABLE jr_journeys (
    id            UUID PRIMARY KEY,
    org_id        UUID NOT NULL,
    name          VARCHAR(200) NOT NULL,
    status        VARCHAR(10) NOT NULL,       -- draft, active, inactive
    draft         JSONB NOT NULL,
    latest        INT NOT NULL,               -- the newest published version, 0 before the first
    revision      BIGINT NOT NULL,
    created_at    TIMESTAMP WITH TIME ZONE NOT NULL,
    modified_at   TIMESTAMP WITH TIME ZONE NOT NULL
);
CREATE INDEX jr_journeys_org ON jr_journeys (org_id, created_at);

CREATE TABLE jr_versions (
    journey_id    UUID NOT NULL,
    version       INT NOT NULL,
    org_id        UUID NOT NULL,
    definition    JSONB NOT NULL,
    published_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    published_by  UUID NOT NULL,
    PRIMARY KEY (journey_id, version)
);

-- Kept small on purpose (a million of them must fit in under 1 KB each): no JSON, short states.
CREATE TABLE jr_instances (
    id            UUID PRIMARY KEY,
    org_id        UUID NOT NULL,
    journey_id    UUID NOT NULL,
    version       INT NOT NULL,
    subject       VARCHAR(200) NOT NULL,
    state         VARCHAR(60) NOT NULL,
    status        VARCHAR(10) NOT NULL,       -- active, succeeded, failed, ended
    module        VARCHAR(100),
    record_id     UUID,
    visit         INT NOT NULL,               -- steps taken; names the timers of the current state
    entered_at    TIMESTAMP WITH TIME ZONE NOT NULL,
    started_at    TIMESTAMP WITH TIME ZONE NOT NULL,
    ended_at      TIMESTAMP WITH TIME ZONE
);
-- The dispatcher looks instances up by subject; the API and analytics by journey and state.
CREATE INDEX jr_instances_subject ON jr_instances (org_id, subject);
CREATE INDEX jr_instances_journey ON jr_instances (journey_id, status, state);

CREATE TABLE jr_steps (
    instance_id   UUID NOT NULL,
    n             INT NOT NULL,
    org_id        UUID NOT NULL,
    journey_id    UUID NOT NULL,
    version       INT NOT NULL,
    kind          VARCHAR(12) NOT NULL,       -- entered, transition, timeout, deadline, automatic, manual, migrated, ended, followed
    from_state    VARCHAR(60),
    to_state      VARCHAR(60),
    via           VARCHAR(60),                -- the transition's key
    signal_id     UUID,
    signal_type   VARCHAR(100),
    actor_id      UUID,
    at            TIMESTAMP WITH TIME ZONE NOT NULL,
    detail        JSONB,
    PRIMARY KEY (instance_id, n)
);
CREATE INDEX jr_steps_journey ON jr_steps (journey_id, at);

CREATE TABLE jr_action_stats (
    journey_id    UUID NOT NULL,
    version       INT NOT NULL,
    action_key    VARCHAR(150) NOT NULL,
    org_id        UUID NOT NULL,
    action_type   VARCHAR(50) NOT NULL,
    runs          BIGINT NOT NULL,
    succeeded     BIGINT NOT NULL,
    failed        BIGINT NOT NULL,
    PRIMARY KEY (journey_id, version, action_key)
);
