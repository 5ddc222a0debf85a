import java.sql.Array;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Arrays;
import java.util.Random;
import java.util.UUID;

/**
 * How a batch of 1,000 signals is best handed to PostgreSQL as arrays (one per column, for
 * UNNEST), the three ways in turn on one connection, so that the machine's drift hits them alike:
 * every column as an Object[] (the driver writes one text literal, escaping each character, and
 * the server parses it back); text and integers as typed arrays (sent in binary); and UUIDs too,
 * as binary text that the statement's cast turns into UUIDs (what Columns.bindArrays does). The
 * statement casts and reads every value, as the append does, but writes nothing.
 *
 * <pre>java -cp waymark-server/target/waymark.jar bench/micro/ArrayBinding.java [ITERATIONS]</pre>
 *
 * PostgreSQL from WAYMARK_DB_URL (and _USER, _PASSWORD), else 127.0.0.1:5432 as postgres.
 */
public class ArrayBinding {
    static final String SQL = "SELECT count(*), sum(length(CAST(payload AS JSONB)::text)), count(DISTINCT id) FROM UNNEST(CAST(? AS INT[]), "
            + "CAST(? AS UUID[]), CAST(? AS UUID[]), CAST(? AS VARCHAR[]), CAST(? AS VARCHAR[]), CAST(? AS VARCHAR[]), CAST(? AS UUID[]), "
            + "CAST(? AS TEXT[]), CAST(? AS TEXT[]), CAST(? AS UUID[])) AS v(p, id, org_id, type, subject, module, record_id, payload, "
            + "occurred_at, actor) WHERE CAST(occurred_at AS TIMESTAMPTZ) IS NOT NULL";
    static final String[] TYPES = {"int4", "uuid", "uuid", "varchar", "varchar", "varchar", "uuid", "text", "text", "uuid"};
    static final String[] WAYS = {"Object[] as text", "text and integers in binary", "UUIDs too, as binary text"};

    public static void main(String[] args) throws Exception {
        int iterations = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        int warmUp = 200;
        int n = 1000;
        Object[][] columns = new Object[10][n];
        UUID org = UUID.randomUUID();
        Random random = new Random(1);
        for (int i = 0; i < n; i++) {
            columns[0][i] = i % 64;
            columns[1][i] = UUID.randomUUID();
            columns[2][i] = org;
            columns[3][i] = "email.opened";
            columns[4][i] = "lead-" + random.nextInt(100_000);
            columns[5][i] = i % 3 == 0 ? "Leads" : null;
            columns[6][i] = i % 2 == 0 ? UUID.randomUUID() : null;
            columns[7][i] = "{\"template\": \"welcome\", \"page\": \"/tours/" + i + "\", \"note\": \"said \\\"yes\\\"\"}";
            columns[8][i] = Instant.now().toString();
            columns[9][i] = i % 5 == 0 ? null : UUID.randomUUID();
        }
        String url = System.getenv().getOrDefault("WAYMARK_DB_URL", "jdbc:postgresql://127.0.0.1:5432/postgres");
        try (Connection c = DriverManager.getConnection(url, System.getenv().getOrDefault("WAYMARK_DB_USER", "postgres"),
                System.getenv().getOrDefault("WAYMARK_DB_PASSWORD", ""));
                PreparedStatement ps = c.prepareStatement(SQL)) {
            long[][] nanos = new long[WAYS.length][iterations];
            for (int it = 0; it < warmUp + iterations; it++) {
                for (int way = 0; way < WAYS.length; way++) {
                    long start = System.nanoTime();
                    for (int col = 0; col < TYPES.length; col++) {
                        ps.setArray(col + 1, array(c, TYPES[col], columns[col], way));
                    }
                    try (ResultSet rs = ps.executeQuery()) {
                        if (!rs.next() || rs.getLong(1) != n || rs.getLong(3) != n) {
                            throw new IllegalStateException("the statement did not read the batch back");
                        }
                    }
                    if (it >= warmUp) {
                        nanos[way][it - warmUp] = System.nanoTime() - start;
                    }
                }
            }
            double[] p50 = new double[WAYS.length];
            for (int way = 0; way < WAYS.length; way++) {
                Arrays.sort(nanos[way]);
                p50[way] = nanos[way][iterations / 2] / 1e6;
                System.out.printf("%-28s p50 %.3f ms, p10 %.3f ms, p90 %.3f ms%n", WAYS[way], p50[way], nanos[way][iterations / 10] / 1e6,
                        nanos[way][iterations * 9 / 10] / 1e6);
            }
            System.out.printf("array-binding: %.2f ms per 1,000-signal batch (%.2f ms as Object[] text)%n", p50[2], p50[0]);
        }
    }

    static Array array(Connection c, String type, Object[] values, int way) throws SQLException {
        if (way == 0) {
            return c.createArrayOf(type, values);
        }
        if (type.equals("uuid") && way == 2) {
            String[] text = new String[values.length];
            for (int i = 0; i < values.length; i++) {
                text[i] = values[i] == null ? null : values[i].toString();
            }
            return c.createArrayOf("varchar", text);
        }
        return switch (type) {
            case "varchar", "text" -> c.createArrayOf(type, Arrays.copyOf(values, values.length, String[].class));
            case "int4" -> c.createArrayOf(type, Arrays.copyOf(values, values.length, Integer[].class));
            default -> c.createArrayOf(type, values);
        };
    }
}
