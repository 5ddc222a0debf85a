package io.waymark.store;

import java.sql.Statement;
import java.util.List;
import java.util.zip.CRC32;
import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;

/**
 * A migration of statements that only one of the databases runs (on PostgreSQL, say, partial
 * indexes, which H2 does not have): on the other it changes nothing. Its checksum is taken over
 * the statements, so that Flyway's validation notices if they are ever edited.
 */
abstract class OneDatabaseMigration extends BaseJavaMigration {
    private final Dialect dialect;
    private final List<String> statements;

    OneDatabaseMigration(Dialect dialect, List<String> statements) {
        this.dialect = dialect;
        this.statements = statements;
    }

    @Override
    public void migrate(Context context) throws Exception {
        if (Dialect.of(context.getConnection().getMetaData().getURL()) != dialect) {
            return;
        }
        try (Statement s = context.getConnection().createStatement()) {
            for (String sql : statements) {
                s.execute(sql);
            }
        }
    }

    @Override
    public Integer getChecksum() {
        CRC32 crc = new CRC32();
        crc.update(String.join(";", statements).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return (int) crc.getValue();
    }
}
