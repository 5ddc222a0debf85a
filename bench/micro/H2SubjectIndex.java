import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.Random;
import java.util.UUID;

/**
 * The H2 signal log's append with each shape of its subject index and primary key, without the
 * server: plain JDBC, the {@code signals} table and its indexes, ROWS rows (default 1,000,000)
 * in batches of 1,000 over 20,000 subjects, one thread, a fresh database under /tmp. It prints
 * the rate every 200,000 rows and over the run, and for the epoch variants the time of a read by
 * subject across every epoch (bench/README.md, "Ninth pass").
 *
 * <pre>java -cp waymark-server/target/waymark.jar bench/micro/H2SubjectIndex.java VARIANT [ROWS]</pre>
 *
 * VARIANT: {@code plain} (org_id, subject, seq), {@code epoch} (org_id, subject_epoch, subject,
 * seq) with the epoch seq / 1,024, {@code epoch-pos} the same with the primary key on the
 * position (partition × 2^40 + seq) as V21 has it, {@code none} no subject index.
 */
public class H2SubjectIndex {
    public static void main(String[] args) throws Exception {
        String variant = args[0];
        int total = args.length > 1 ? Integer.parseInt(args[1]) : 1_000_000;
        boolean epochs = variant.startsWith("epoch");
        boolean pos = variant.equals("epoch-pos");
        String dir = "/tmp/h2-subject-index-" + System.nanoTime();
        try (Connection c = DriverManager.getConnection("jdbc:h2:file:" + dir + "/w;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE")) {
            Statement s = c.createStatement();
            s.execute("CREATE TABLE signals (partition_no INT NOT NULL, seq BIGINT NOT NULL, id UUID NOT NULL, org_id UUID NOT NULL, "
                    + "type VARCHAR(100) NOT NULL, subject VARCHAR(200) NOT NULL, module VARCHAR(50), record_id UUID, payload JSON NOT NULL, "
                    + "occurred_at TIMESTAMP WITH TIME ZONE NOT NULL, recorded_at TIMESTAMP WITH TIME ZONE NOT NULL, actor UUID, "
                    + "subject_epoch BIGINT GENERATED ALWAYS AS (seq / 1024), "
                    + "pos BIGINT GENERATED ALWAYS AS (CAST(partition_no AS BIGINT) * 1099511627776 + seq), "
                    + (pos ? "PRIMARY KEY (pos)" : "PRIMARY KEY (partition_no, seq)") + ", CONSTRAINT signals_id_unique UNIQUE (id))");
            if (variant.equals("plain")) {
                s.execute("CREATE INDEX signals_subject ON signals (org_id, subject, seq)");
            } else if (epochs) {
                s.execute("CREATE INDEX signals_subject ON signals (org_id, subject_epoch, subject, seq)");
            } else if (!variant.equals("none")) {
                throw new IllegalArgumentException("variant: plain, epoch, epoch-pos or none");
            }
            s.execute("CREATE INDEX signals_record ON signals (org_id, record_id, occurred_at)");
            s.execute("CREATE INDEX signals_time ON signals (org_id, occurred_at)");
            c.setAutoCommit(false);
            UUID org = UUID.randomUUID();
            long[] head = new long[64];
            Random random = new Random(1);
            OffsetDateTime now = OffsetDateTime.now();
            long idHigh = System.currentTimeMillis() << 16;
            PreparedStatement ins = c.prepareStatement("INSERT INTO signals (partition_no, seq, id, org_id, type, subject, module, record_id, "
                    + "payload, occurred_at, recorded_at, actor) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ? FORMAT JSON, ?, ?, ?)");
            long start = System.nanoTime();
            long lap = start;
            int done = 0;
            for (int b = 0; b < total / 1000; b++) {
                for (int i = 0; i < 1000; i++) {
                    String subject = subject(random.nextInt(20_000));
                    int p = Math.floorMod(subject.hashCode(), 64);
                    ins.setInt(1, p);
                    ins.setLong(2, ++head[p]);
                    ins.setObject(3, new UUID(idHigh + done, random.nextLong()));
                    ins.setObject(4, org);
                    ins.setString(5, "web.visit");
                    ins.setString(6, subject);
                    ins.setString(7, null);
                    ins.setObject(8, null);
                    ins.setString(9, "{\"page\":\"/tours/" + done % 137 + "\",\"referrer\":\"search\"}");
                    ins.setObject(10, now.plusNanos(done * 1000L));
                    ins.setObject(11, now.plusNanos(done * 1000L));
                    ins.setObject(12, null);
                    ins.addBatch();
                    done++;
                }
                ins.executeBatch();
                c.commit();
                if ((b + 1) % 200 == 0) {
                    long t = System.nanoTime();
                    System.out.printf("%d rows: %.0f/s%n", done, 200_000 / ((t - lap) / 1e9));
                    lap = t;
                }
            }
            System.out.printf("%s: %.0f rows/s over %d%n", variant, done / ((System.nanoTime() - start) / 1e9), done);
            if (epochs) {
                long last = Arrays.stream(head).max().getAsLong() / 1024;
                StringBuilder in = new StringBuilder();
                for (long e = 0; e <= last; e++) {
                    in.append(e == 0 ? "" : ", ").append(e);
                }
                try (PreparedStatement q = c.prepareStatement("SELECT COUNT(*) FROM signals WHERE org_id = ? AND subject_epoch IN (" + in + ") AND subject = ?")) {
                    q.setObject(1, org);
                    q.setString(2, subject(5));
                    long count = 0;
                    for (int k = 0; k < 4000; k++) {
                        if (k == 2000) {
                            lap = System.nanoTime();
                        }
                        try (ResultSet rs = q.executeQuery()) {
                            rs.next();
                            count = rs.getLong(1);
                        }
                    }
                    System.out.printf("a read by subject over %d epochs (%d rows): %.1f µs%n", last + 1, count, (System.nanoTime() - lap) / 2000 / 1e3);
                }
            }
        }
    }

    private static String subject(int n) {
        return "visitor-" + new UUID(n * 7919L, n);
    }
}
