package io.waymark.store;

import static io.waymark.store.testing.TestDb.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.waymark.error.FieldError;
import io.waymark.error.PayloadTooLargeException;
import io.waymark.error.ValidationException;
import io.waymark.record.Record;
import io.waymark.signal.Signal;
import io.waymark.signal.SignalLog;
import io.waymark.signal.SignalPage;
import io.waymark.signal.SignalQuery;
import io.waymark.store.testing.BothDatabases;
import io.waymark.store.testing.TestDb;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

class SignalLogTest {

    private static List<Signal> bySubject(TestDb db, String subject) {
        return db.engine().signals().query(db.admin(), new SignalQuery(subject, null, null, null, null, 1000, null)).signals();
    }

    @BothDatabases
    void externalSignalsKeepTheirOrderAndPayloadPerSubject(TestDb db) {
        SignalLog log = db.engine().signals();
        List<JsonNode> batch = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            batch.add(json("{'type': 'web.visit', 'subject': 'visitor-7', 'payload': {'page': '/tours/" + i + "', 'nested': {'n': " + i + "}}}"));
        }
        log.ingest(db.admin(), batch);
        List<Signal> history = bySubject(db, "visitor-7");
        assertThat(history).hasSize(20);
        for (int i = 0; i < 20; i++) {
            assertThat(history.get(i).payload().get("page").asText()).isEqualTo("/tours/" + i);
            assertThat(history.get(i).payload().get("nested").get("n").asInt()).isEqualTo(i);
        }
        assertThat(history).extracting(Signal::seq).isSorted();
    }

    @BothDatabases
    void textThatArrayLiteralsWouldHaveToEscapeIsStoredAsGiven(TestDb db) {
        // PostgreSQL receives a batch as arrays, one per column: quotes, backslashes, braces,
        // commas, the word NULL, empty text and characters beyond the BMP must come back unchanged.
        List<String> awkward = List.of("say \"hi\"", "back\\slash \\\"", "{a,b}", "NULL", "", " spaced ", "naïve ☃ 😀", "tab\tnew\nline");
        List<JsonNode> batch = new ArrayList<>();
        for (String text : awkward) {
            com.fasterxml.jackson.databind.node.ObjectNode s = io.waymark.json.Json.object();
            s.put("type", "web.visit").put("subject", "odd " + text);
            s.putObject("payload").put("text", text).putNull("nothing");
            batch.add(s);
        }
        List<Signal> stored = db.engine().signals().ingest(db.admin(), batch);
        for (int i = 0; i < awkward.size(); i++) {
            List<Signal> read = bySubject(db, "odd " + awkward.get(i));
            assertThat(read).as(awkward.get(i)).hasSize(1);
            assertThat(read.get(0).id()).isEqualTo(stored.get(i).id());
            assertThat(read.get(0).payload().get("text").asText()).isEqualTo(awkward.get(i));
            assertThat(read.get(0).payload().get("nothing").isNull()).isTrue();
            assertThat(read.get(0).recordId()).isNull();
        }
    }

    @BothDatabases
    void occurrenceTimesAreStoredAsGivenFromTheFirstCenturiesOnToday(TestDb db) {
        // The first is year 0 in ISO's reckoning once in UTC (1 BC), and PostgreSQL writes it as BC.
        List<String> given = List.of("0001-01-01T00:00:00+05:00", "0001-01-01T05:00:00+05:00", "1969-12-31T23:59:59.999999Z", "2020-05-01T09:30:00.123456Z");
        List<JsonNode> batch = new ArrayList<>();
        for (String at : given) {
            batch.add(json("{'type': 'web.visit', 'subject': 'time-traveller', 'occurred_at': '" + at + "'}"));
        }
        List<Signal> stored = db.engine().signals().ingest(db.admin(), batch);
        List<Instant> expected = given.stream().map(t -> java.time.OffsetDateTime.parse(t).toInstant()).toList();
        assertThat(stored).extracting(Signal::occurredAt).containsExactlyElementsOf(expected);
        assertThat(bySubject(db, "time-traveller")).extracting(Signal::occurredAt).containsExactlyElementsOf(expected);
    }

    @BothDatabases
    void aSignalNamingARecordJoinsTheRecordsSubject(TestDb db) {
        Record lead = db.engine().records().create(db.admin(), "Leads", json("{'Last_Name': 'Patel'}"));
        db.engine().signals().ingest(db.admin(), List.of(json("{'type': 'email.opened', 'module': 'Leads', 'record_id': '" + lead.id() + "'}")));
        assertThat(bySubject(db, lead.subject())).extracting(Signal::type).containsExactly("record.created", "email.opened");
    }

    @BothDatabases
    void badSignalsAreRefusedWhereTheyAreWrongAndNoneOfTheBatchIsStored(TestDb db) {
        List<JsonNode> batch = List.of(
                json("{'type': 'web.visit', 'subject': 'fine'}"),
                json("{'type': 'record.created', 'subject': 's'}"),
                json("{'type': 'Web Visit', 'subject': 's'}"),
                json("{'type': 'chat.started'}"),
                json("{'type': 'form.submitted', 'subject': 's', 'payload': [1, 2], 'occurred_at': 'yesterday', 'colour': 'red'}"),
                json("{'type': 'call.logged', 'module': 'Leads', 'record_id': '" + UUID.randomUUID() + "'}"));
        assertThatThrownBy(() -> db.engine().signals().ingest(db.admin(), batch))
                .isInstanceOfSatisfying(ValidationException.class, e -> assertThat(e.errors()).extracting(FieldError::field)
                        .containsExactlyInAnyOrder("[1].type", "[2].type", "[3].subject", "[4].payload", "[4].occurred_at", "[4].colour", "[5].record_id"));
        assertThat(bySubject(db, "fine")).isEmpty();
    }

    @BothDatabases
    void nulCharactersAreRefusedWhereTheyAreAndNothingIsStored(TestDb db) {
        // PostgreSQL cannot store U+0000 in text or jsonb (it failed there with a database error
        // while H2 stored it): both refuse it, naming the field.
        com.fasterxml.jackson.databind.node.ObjectNode inSubject = io.waymark.json.Json.object();
        inSubject.put("type", "web.visit").put("subject", "nul\u0000subject");
        com.fasterxml.jackson.databind.node.ObjectNode inValue = io.waymark.json.Json.object();
        inValue.put("type", "web.visit").put("subject", "nul-1");
        inValue.putObject("payload").putObject("form").putArray("answers").add("fine").add("a\u0000b");
        com.fasterxml.jackson.databind.node.ObjectNode inKey = io.waymark.json.Json.object();
        inKey.put("type", "web.visit").put("subject", "nul-2");
        inKey.putObject("payload").put("k\u0000", 1);
        JsonNode fine = json("{'type': 'web.visit', 'subject': 'nul-3', 'payload': {'text': 'no NUL here, only the word \\\\u0000'}}");
        assertThatThrownBy(() -> db.engine().signals().ingest(db.admin(), List.of(inSubject, inValue, inKey, fine)))
                .isInstanceOfSatisfying(ValidationException.class, e -> assertThat(e.errors()).extracting(FieldError::field)
                        .containsExactly("[0].subject", "[1].payload.form.answers[1]", "[2].payload.k\\u0000"));
        for (String subject : List.of("nul-1", "nul-2", "nul-3")) {
            assertThat(bySubject(db, subject)).isEmpty();
        }
        db.engine().signals().ingest(db.admin(), List.of(fine));
        assertThat(bySubject(db, "nul-3").get(0).payload().get("text").asText()).isEqualTo("no NUL here, only the word \\u0000");
    }

    @BothDatabases
    void aResentSignalIsStoredOnce(TestDb db) {
        UUID id = UUID.randomUUID();
        JsonNode signal = json("{'id': '" + id + "', 'type': 'email.clicked', 'subject': 'c-1', 'payload': {'url': 'https://zylker.com'}}");
        Signal first = db.engine().signals().ingest(db.admin(), List.of(signal)).get(0);
        Signal again = db.engine().signals().ingest(db.admin(), List.of(signal, signal)).get(1);
        assertThat(again.seq()).isEqualTo(first.seq());
        assertThat(bySubject(db, "c-1")).hasSize(1);
    }

    @BothDatabases
    void theLogIsReadByTypeAndTimeAcrossPages(TestDb db) {
        Instant t0 = TestDb.START.minus(Duration.ofDays(30));
        List<JsonNode> batch = new ArrayList<>();
        for (int i = 0; i < 9; i++) {
            batch.add(json("{'type': '" + (i % 3 == 0 ? "chat.missed" : "web.visit") + "', 'subject': 's" + i + "', 'occurred_at': '"
                    + t0.plus(Duration.ofDays(i)) + "'}"));
        }
        db.engine().signals().ingest(db.admin(), batch);
        List<Signal> seen = new ArrayList<>();
        String cursor = null;
        do {
            SignalPage page = db.engine().signals().query(db.admin(), new SignalQuery(null, null, "web.visit", t0, t0.plus(Duration.ofDays(8)), 2, cursor));
            seen.addAll(page.signals());
            cursor = page.next();
        } while (cursor != null);
        assertThat(seen).extracting(Signal::subject).containsExactly("s1", "s2", "s4", "s5", "s7");
        assertThat(db.engine().signals().query(db.admin(), new SignalQuery(null, null, "chat.*", null, null, 100, null)).signals()).hasSize(3);
    }

    @BothDatabases
    void aLongHistoryIsReadWholeAndInOrderPageByPage(TestDb db) {
        // 3,100 signals in one partition: on H2 the subject index is cut into epochs of 1,024 per
        // partition, and a read by subject crosses them. A second subject of the same partition
        // has one signal at the start and one at the end, three epochs apart.
        UUID org = db.admin().orgId();
        String loyal = "loyal";
        String sparse = null;
        for (int i = 0; sparse == null; i++) {
            if (SignalLog.partitionOf(org, "sparse-" + i) == SignalLog.partitionOf(org, loyal)) {
                sparse = "sparse-" + i;
            }
        }
        db.engine().signals().ingest(db.admin(), List.of(json("{'type': 'web.visit', 'subject': '" + sparse + "', 'payload': {'n': 0}}")));
        for (int b = 0; b < 31; b++) {
            List<JsonNode> batch = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                int n = b * 100 + i;
                batch.add(json("{'type': '" + (n % 10 == 0 ? "email.opened" : "web.visit") + "', 'subject': '" + loyal + "', 'payload': {'n': " + n + "}}"));
            }
            db.engine().signals().ingest(db.admin(), batch);
        }
        db.engine().signals().ingest(db.admin(), List.of(json("{'type': 'web.visit', 'subject': '" + sparse + "', 'payload': {'n': 1}}")));

        for (int pageSize : List.of(1000, 333)) {
            List<Signal> seen = new ArrayList<>();
            String cursor = null;
            do {
                SignalPage page = db.engine().signals().query(db.admin(), new SignalQuery(loyal, null, null, null, null, pageSize, cursor));
                assertThat(page.signals()).hasSizeLessThanOrEqualTo(pageSize);
                seen.addAll(page.signals());
                cursor = page.next();
            } while (cursor != null);
            assertThat(seen).extracting(s -> s.payload().get("n").asInt()).as("page size %d", pageSize)
                    .containsExactlyElementsOf(java.util.stream.IntStream.range(0, 3100).boxed().toList());
            assertThat(seen).extracting(Signal::seq).isSorted();
        }
        List<Signal> opened = db.engine().signals().query(db.admin(), new SignalQuery(loyal, null, "email.opened", null, null, 1000, null)).signals();
        assertThat(opened).extracting(s -> s.payload().get("n").asInt())
                .containsExactlyElementsOf(java.util.stream.IntStream.range(0, 310).map(i -> i * 10).boxed().toList());
        assertThat(bySubject(db, sparse)).extracting(s -> s.payload().get("n").asInt()).containsExactly(0, 1);
        SignalPage first = db.engine().signals().query(db.admin(), new SignalQuery(sparse, null, null, null, null, 1, null));
        assertThat(first.signals()).extracting(s -> s.payload().get("n").asInt()).containsExactly(0);
        SignalPage second = db.engine().signals().query(db.admin(), new SignalQuery(sparse, null, null, null, null, 1, first.next()));
        assertThat(second.signals()).extracting(s -> s.payload().get("n").asInt()).containsExactly(1);
        assertThat(second.next()).isNull();
    }

    @BothDatabases
    void anotherOrganisationsSignalsAreInvisible(TestDb db) {
        db.engine().signals().ingest(db.otherOrg().admin(), List.of(json("{'type': 'web.visit', 'subject': 'shared-name'}")));
        assertThat(bySubject(db, "shared-name")).isEmpty();
    }

    @BothDatabases
    void tooManySignalsInOneCallAreRefused(TestDb db) {
        List<JsonNode> batch = new ArrayList<>();
        for (int i = 0; i <= SignalLog.MAX_BATCH; i++) {
            batch.add(json("{'type': 'web.visit', 'subject': 's'}"));
        }
        assertThatThrownBy(() -> db.engine().signals().ingest(db.admin(), batch)).isInstanceOf(PayloadTooLargeException.class);
    }
}
