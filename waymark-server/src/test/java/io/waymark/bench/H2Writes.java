package io.waymark.bench;

import io.waymark.store.JdbcStore;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;

/**
 * What an embedded H2 database has written to its file: how many times it stored its changed
 * pages, and how many bytes. H2 writes every page changed since its last store in full (and the
 * undo log of transactions still open then), so the bytes written per signal measure what a
 * signal costs its store, whatever the machine's speed (bench/README.md, "Tenth pass").
 */
record H2Writes(long stores, long bytes) {

    /** The counts now; null on PostgreSQL, or without a store (a load run against a server elsewhere). */
    static H2Writes now(JdbcStore store) throws Exception {
        if (store == null || store.databaseKind().equals("postgresql")) {
            return null;
        }
        long stores = 0;
        long bytes = 0;
        try (Connection c = store.dataSource().getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT SETTING_NAME, SETTING_VALUE FROM INFORMATION_SCHEMA.SETTINGS "
                     + "WHERE SETTING_NAME IN ('info.CURRENT_VERSION', 'info.FILE_WRITE_BYTES')")) {
            while (rs.next()) {
                long v = Long.parseLong(rs.getString(2).trim());
                if (rs.getString(1).equals("info.CURRENT_VERSION")) {
                    stores = v;
                } else {
                    bytes = v;
                }
            }
        }
        return new H2Writes(stores, bytes);
    }

    /** Prints what was written between {@code before} and {@code after} for {@code signals} signals; nothing on PostgreSQL. */
    static void print(H2Writes before, H2Writes after, long signals) {
        if (before != null && after != null) {
            long bytes = after.bytes - before.bytes;
            System.out.printf("H2 stored %d times, %.0f MB written, %.0f bytes per signal%n", after.stores - before.stores, bytes / 1e6,
                    bytes / (double) signals);
        }
    }
}
