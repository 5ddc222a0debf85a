package io.waymark.store;

/** The few places where H2 and PostgreSQL need different SQL. */
enum Dialect {
    H2, POSTGRESQL;

    static Dialect of(String url) {
        if (url.startsWith("jdbc:h2:")) {
            return H2;
        }
        if (url.startsWith("jdbc:postgresql:")) {
            return POSTGRESQL;
        }
        throw new IllegalArgumentException("Unsupported database URL (H2 or PostgreSQL expected): " + url);
    }

    /** Row locking that lets another node pass by instead of waiting (H2 runs on one node). */
    String lockSkipLocked() {
        return this == POSTGRESQL ? " FOR UPDATE SKIP LOCKED" : " FOR UPDATE";
    }
}
