package io.waymark.store.testing;

import com.fasterxml.jackson.databind.JsonNode;
import io.waymark.Actor;
import io.waymark.Waymark;
import io.waymark.clock.SettableClock;
import io.waymark.identity.Orgs;
import io.waymark.json.Json;
import io.waymark.store.JdbcStore;
import java.time.Instant;
import java.util.UUID;

/**
 * One test's view of a database: a new engine with its own settable clock (starting at
 * {@link #START}) and a new organisation with the standard modules, so that tests on a shared
 * database do not see each other's data.
 */
public final class TestDb {
    /** Where every test's clock starts: a Monday morning. */
    public static final Instant START = Instant.parse("2026-01-05T09:00:00Z");

    private final String kind;
    private final JdbcStore store;
    private final SettableClock clock = new SettableClock(START);
    private final Waymark engine;
    private final Orgs.Created org;

    TestDb(String kind, JdbcStore store) {
        this.kind = kind;
        this.store = store;
        this.engine = store.engine(clock);
        this.org = engine.orgs().create("Test org " + UUID.randomUUID().toString().substring(0, 8), "admin@example.com", "Ada Admin", null);
    }

    public String kind() {
        return kind;
    }

    public JdbcStore store() {
        return store;
    }

    public Waymark engine() {
        return engine;
    }

    public SettableClock clock() {
        return clock;
    }

    /** The administrator of this test's organisation. */
    public Actor admin() {
        return org.admin();
    }

    /** The administrator's API token (for HTTP tests). */
    public String adminToken() {
        return org.token();
    }

    /** Another organisation on the same database, for isolation tests. */
    public Orgs.Created otherOrg() {
        return engine.orgs().create("Other org " + UUID.randomUUID().toString().substring(0, 8), "admin@other.example", "Olga Other", null);
    }

    /** Parses JSON written with single quotes for readability: {@code json("{'Last_Name': 'Patel'}")}. */
    public static JsonNode json(String singleQuoted) {
        return Json.read(singleQuoted.replace('\'', '"'));
    }
}
