-- Email, webhooks, incoming-signal endpoints and web forms (issue 4, parts 5 and 6).
-- Runs unchanged on PostgreSQL and on H2 in PostgreSQL mode.

-- Email templates, webhooks, signal endpoints and web forms: JSON definitions, one table.
CREATE TABLE integration_definitions (
    id          UUID PRIMARY KEY,
    org_id      UUID NOT NULL REFERENCES orgs(id),
    kind        VARCHAR(30)  NOT NULL,
    name        VARCHAR(100) NOT NULL,
    body        VARCHAR(1000000) NOT NULL,
    version     BIGINT NOT NULL,
    created_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    modified_at TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT integration_definitions_name_unique UNIQUE (org_id, kind, name)
);
CREATE INDEX integration_definitions_list ON integration_definitions (org_id, kind, id);

-- Every email sent, tried or refused: the outbound log and the embedded mail catcher's mailbox.
CREATE TABLE email_messages (
    id                UUID PRIMARY KEY,
    org_id            UUID NOT NULL REFERENCES orgs(id),
    template_id       UUID,
    module            VARCHAR(50),
    record_id         UUID,
    subject           VARCHAR(200) NOT NULL,
    from_address      VARCHAR(254) NOT NULL,
    to_address        VARCHAR(254) NOT NULL,
    to_lower          VARCHAR(254) NOT NULL,
    subject_line      VARCHAR(1000) NOT NULL,
    html              VARCHAR(1000000),
    text_body         VARCHAR(1000000),
    header_message_id VARCHAR(300) NOT NULL,
    idempotency_key   VARCHAR(200),
    status            VARCHAR(20) NOT NULL,
    transport         VARCHAR(20),
    error             VARCHAR(2000),
    attempts          INT NOT NULL,
    links             VARCHAR(1000000) NOT NULL,
    created_at        TIMESTAMP WITH TIME ZONE NOT NULL,
    sent_at           TIMESTAMP WITH TIME ZONE,
    opened_at         TIMESTAMP WITH TIME ZONE,
    clicked_at        TIMESTAMP WITH TIME ZONE,
    replied_at        TIMESTAMP WITH TIME ZONE,
    bounced_at        TIMESTAMP WITH TIME ZONE,
    CONSTRAINT email_messages_header_unique UNIQUE (header_message_id),
    CONSTRAINT email_messages_key_unique UNIQUE (org_id, idempotency_key)
);
CREATE INDEX email_messages_list ON email_messages (org_id, id);
CREATE INDEX email_messages_to ON email_messages (org_id, to_lower, id);

-- Addresses that asked for no more email; every later send to them is refused.
CREATE TABLE email_unsubscribes (
    org_id      UUID NOT NULL REFERENCES orgs(id),
    address     VARCHAR(254) NOT NULL,
    message_id  UUID,
    at          TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (org_id, address)
);

-- The key that signs tracking links, made once per installation unless configured.
CREATE TABLE email_secret (
    id      INT PRIMARY KEY,
    secret  VARCHAR(200) NOT NULL
);
