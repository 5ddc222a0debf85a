-- Identity and access: passwords, roles, profiles, groups, sessions, sharing rules and the audit log.
-- Runs unchanged on PostgreSQL and on H2 in PostgreSQL mode. Permissions are JSON text read by the engine.

-- Bumped on every change of users, roles, profiles, groups or sharing rules, so that every node
-- re-reads its cached permissions of the organisation.
ALTER TABLE orgs ADD COLUMN security_version BIGINT NOT NULL DEFAULT 0;

CREATE TABLE id_roles (
    id               UUID PRIMARY KEY,
    org_id           UUID NOT NULL REFERENCES orgs(id),
    name             VARCHAR(100) NOT NULL,
    parent_id        UUID REFERENCES id_roles(id),
    share_with_peers BOOLEAN NOT NULL,
    created_at       TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT id_roles_name_unique UNIQUE (org_id, name)
);

CREATE TABLE id_profiles (
    id           UUID PRIMARY KEY,
    org_id       UUID NOT NULL REFERENCES orgs(id),
    name         VARCHAR(100) NOT NULL,
    builtin      BOOLEAN NOT NULL,
    permissions  VARCHAR(20000) NOT NULL,
    created_at   TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT id_profiles_name_unique UNIQUE (org_id, name)
);

ALTER TABLE users ADD COLUMN password_hash VARCHAR(200);
ALTER TABLE users ADD COLUMN role_id UUID REFERENCES id_roles(id);
ALTER TABLE users ADD COLUMN profile_id UUID REFERENCES id_profiles(id);
ALTER TABLE users ADD COLUMN failed_logins INT NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN locked_until TIMESTAMP WITH TIME ZONE;
CREATE INDEX users_email ON users (email);
CREATE INDEX users_role ON users (org_id, role_id);

CREATE TABLE id_groups (
    id          UUID PRIMARY KEY,
    org_id      UUID NOT NULL REFERENCES orgs(id),
    name        VARCHAR(100) NOT NULL,
    description VARCHAR(1000),
    created_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT id_groups_name_unique UNIQUE (org_id, name)
);

CREATE TABLE id_group_members (
    group_id UUID NOT NULL REFERENCES id_groups(id),
    user_id  UUID NOT NULL REFERENCES users(id),
    org_id   UUID NOT NULL REFERENCES orgs(id),
    PRIMARY KEY (group_id, user_id)
);

-- Browser sessions; the cookie's secret and the CSRF token are stored only as SHA-256 hashes.
CREATE TABLE id_sessions (
    id           UUID PRIMARY KEY,
    org_id       UUID NOT NULL REFERENCES orgs(id),
    user_id      UUID NOT NULL REFERENCES users(id),
    secret_hash  CHAR(64) NOT NULL,
    csrf_hash    CHAR(64) NOT NULL,
    created_at   TIMESTAMP WITH TIME ZONE NOT NULL,
    expires_at   TIMESTAMP WITH TIME ZONE NOT NULL,
    revoked_at   TIMESTAMP WITH TIME ZONE,
    CONSTRAINT id_sessions_secret_unique UNIQUE (secret_hash)
);
CREATE INDEX id_sessions_user ON id_sessions (org_id, user_id);
CREATE INDEX api_tokens_user ON api_tokens (org_id, user_id);

-- A module's records opened to a role (optionally with its subordinates) or a group.
CREATE TABLE id_sharing_rules (
    id           UUID PRIMARY KEY,
    org_id       UUID NOT NULL REFERENCES orgs(id),
    module       VARCHAR(50) NOT NULL,
    grantee_kind VARCHAR(30) NOT NULL,
    grantee_id   UUID NOT NULL,
    access       VARCHAR(20) NOT NULL,
    created_at   TIMESTAMP WITH TIME ZONE NOT NULL
);

-- Security-relevant events. Never holds a password, a token or a hash.
CREATE TABLE id_audit (
    id         UUID PRIMARY KEY,
    org_id     UUID NOT NULL,
    at         TIMESTAMP WITH TIME ZONE NOT NULL,
    actor_id   UUID,
    type       VARCHAR(60) NOT NULL,
    target_id  UUID,
    detail     VARCHAR(4000) NOT NULL
);
CREATE INDEX id_audit_time ON id_audit (org_id, at, id);
