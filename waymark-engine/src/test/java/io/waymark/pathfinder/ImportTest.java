package io.waymark.pathfinder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

class ImportTest {
    private static EventLog csv(String text, CsvMapping m) throws IOException {
        return new CsvReader(m).read(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)));
    }

    private static EventLog xes(String text) throws IOException {
        return new XesReader().read(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)));
    }

    private static byte[] gzip(String text) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(text.getBytes(StandardCharsets.UTF_8));
        }
        return out.toByteArray();
    }

    @Test
    void csvGroupsCasesAndOrdersThemByTime() throws IOException {
        EventLog log = csv("""
                id,step,when,who
                2,Web,2026-01-02T10:00:00Z,x
                1,"Email, opened",2026-01-01T10:05:00+01:00,y
                1,Web,2026-01-01 08:00:00,z
                2,"Multi
                line",2026-01-02T11:00:00.250Z,q
                1,Chat,2026-01-01T09:05:00Z,w
                """, CsvMapping.of("id", "step", "when"));
        assertThat(log.caseCount()).isEqualTo(2);
        assertThat(log.caseId(0)).isEqualTo("2");
        PathMap m = Discovery.discover(log, MapRequest.all(Classifier.NAME));
        // Case 1: Web 08:00Z, Email 09:05Z (10:05+01:00), Chat 09:05Z (same time: file order)
        assertThat(m.variants()).extracting(v -> String.join(">", v.activities()))
                .containsExactly("Web>Multi\nline", "Web>Email, opened>Chat");
        assertThat(log.eventTime(1)).isEqualTo(Instant.parse("2026-01-02T11:00:00.250Z").toEpochMilli());
    }

    @Test
    void csvWithSemicolonsAndLifecycleColumn() throws IOException {
        EventLog log = csv("case;act;ts;lc\r\na;Call;2026-01-01T10:00Z;start\r\na;Call;2026-01-01T10:30Z;complete\r\n",
                new CsvMapping("case", "act", "ts", "lc", ';'));
        assertThat(Discovery.discover(log, MapRequest.all(Classifier.NAME_LIFECYCLE)).activityCount()).isEqualTo(2);
        assertThat(Discovery.discover(log, MapRequest.all(Classifier.NAME)).activityCount()).isEqualTo(1);
    }

    @Test
    void csvErrorsNameTheLine() {
        CsvMapping m = CsvMapping.of("id", "step", "when");
        assertThatThrownBy(() -> csv("id,step,when\n1,Web,2026-01-01T10:00:00Z\n1,Web,yesterday\n", m))
                .isInstanceOf(LogFormatException.class).hasMessageContaining("line 3").hasMessageContaining("'yesterday'");
        assertThatThrownBy(() -> csv("id,step,when\n1,Web\n", m)).hasMessageContaining("line 2").hasMessageContaining("2 fields");
        assertThatThrownBy(() -> csv("id,step,when\n1,\"Web,2026-01-01T10:00:00Z\n", m)).hasMessageContaining("line 2")
                .hasMessageContaining("never closed");
        assertThatThrownBy(() -> csv("id,activity,when\n", m)).hasMessageContaining("no column 'step'");
        assertThatThrownBy(() -> csv("", m)).hasMessageContaining("empty");
        assertThatThrownBy(() -> csv("id,step,when\n,Web,2026-01-01T10:00:00Z\n", m)).hasMessageContaining("line 2")
                .hasMessageContaining("case column");
    }

    @Test
    void xesGzipIsRecognisedByItsBytes() throws IOException {
        String text = "<log><trace><string key=\"concept:name\" value=\"a\"/><event><string key=\"concept:name\" value=\"X\"/>"
                + "<date key=\"time:timestamp\" value=\"2026-01-01T00:00:00.000+01:00\"/></event></trace></log>";
        EventLog log = new XesReader().read(new ByteArrayInputStream(gzip(text)));
        assertThat(log.eventCount()).isEqualTo(1);
        assertThat(log.eventTime(0)).isEqualTo(Instant.parse("2025-12-31T23:00:00Z").toEpochMilli());
    }

    @Test
    void xesUsesGlobalDefaultsAndIgnoresNestedAttributes() throws IOException {
        EventLog log = xes("""
                <log><global scope="event"><string key="concept:name" value="UNKNOWN"/><string key="lifecycle:transition" value="complete"/></global>
                <string key="meta"><string key="concept:name" value="not a trace"/></string>
                <trace><string key="concept:name" value="t"/>
                <event><string key="concept:name" value="A"/><list key="l"><string key="concept:name" value="nested"/></list></event>
                <event><string key="org:resource" value="r"/></event></trace>
                <trace></trace></log>""");
        assertThat(log.caseCount()).isEqualTo(2);
        assertThat(Discovery.discover(log, MapRequest.all(Classifier.NAME_LIFECYCLE)).variants().get(0).activities())
                .containsExactly("A+complete", "UNKNOWN+complete");
    }

    @Test
    void aTraceNameAfterItsEventsStillNamesTheCase() throws IOException {
        EventLog log = xes("<log><trace><event><string key=\"concept:name\" value=\"A\"/></event><string key=\"concept:name\" value=\"late\"/></trace>"
                + "<trace><event><string key=\"concept:name\" value=\"B\"/></event></trace></log>");
        assertThat(log.caseId(0)).isEqualTo("late");
        assertThat(log.caseId(1)).isEqualTo("trace 2");
    }

    @Test
    void xesErrorsNameTheLineAndElement() {
        assertThatThrownBy(() -> xes("<log>\n<trace>\n<event>\n<string key=\"concept:name\" value=\"A\">\n</event></trace></log>"))
                .isInstanceOf(LogFormatException.class).hasMessageContaining("line 5").hasMessageContaining("Malformed XES");
        assertThatThrownBy(() -> xes("<log>\n<trace>\n<event>\n<string key=\"x\" value=\"A\"/></event></trace></log>"))
                .hasMessageContaining("line 3").hasMessageContaining("no concept:name");
        assertThatThrownBy(() -> xes("<log><trace>\n<event><string key=\"concept:name\" value=\"A\"/><date key=\"time:timestamp\" value=\"soon\"/></event></trace></log>"))
                .hasMessageContaining("line 2").hasMessageContaining("'soon'");
        assertThatThrownBy(() -> xes("<html></html>")).hasMessageContaining("not an XES file");
        assertThatThrownBy(() -> xes("<!DOCTYPE log [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><log>&x;</log>"))
                .isInstanceOf(LogFormatException.class);
        assertThatThrownBy(() -> new XesReader().read(new ByteArrayInputStream(new byte[] {0x1f, (byte) 0x8b, 1, 2, 3})))
                .isInstanceOf(Exception.class);
    }

    @Test
    void logsLargerThanTheLimitAreRefused() {
        String text = "<log><trace><event><string key=\"concept:name\" value=\"A\"/></event><event><string key=\"concept:name\" value=\"B\"/></event></trace></log>";
        assertThatThrownBy(() -> new XesReader(1).read(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8))))
                .isInstanceOf(LogFormatException.class).hasMessageContaining("more than 1 events");
    }

    @Test
    void timestampsInTheUsualShapes() {
        assertThat(Timestamps.parse("2012-10-09T14:50:17+00:00")).isEqualTo(Instant.parse("2012-10-09T14:50:17Z").toEpochMilli());
        assertThat(Timestamps.parse("2010-12-30T14:32:00.000+01:00")).isEqualTo(Instant.parse("2010-12-30T13:32:00Z").toEpochMilli());
        assertThat(Timestamps.parse("2026-05-01T09:30")).isEqualTo(Instant.parse("2026-05-01T09:30:00Z").toEpochMilli());
        assertThat(Timestamps.parse("2026-05-01")).isEqualTo(Instant.parse("2026-05-01T00:00:00Z").toEpochMilli());
        assertThat(Timestamps.parse("1969-12-31T23:59:59.5-0130")).isEqualTo(Instant.parse("1970-01-01T01:29:59.500Z").toEpochMilli());
        assertThat(Timestamps.parse("2024-02-29T00:00:00Z")).isEqualTo(Instant.parse("2024-02-29T00:00:00Z").toEpochMilli());
        assertThatThrownBy(() -> Timestamps.parse("2023-02-29T00:00:00Z")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Timestamps.parse("2026-13-01T00:00:00Z")).isInstanceOf(IllegalArgumentException.class);
    }
}
