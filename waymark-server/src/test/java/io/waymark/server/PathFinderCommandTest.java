package io.waymark.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.waymark.json.Json;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The analyst's command line, run in-process through Main as {@code java -jar waymark.jar pathfinder …} runs it. */
class PathFinderCommandTest {
    @TempDir
    Path tmp;

    private record Run(int code, String out, String err) {
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new Main());
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int code = cli.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void jsonSummaryOfARealLog() {
        Run r = run("pathfinder", PathFinderApiTest.sharedLog("helpdesk.xes.gz").toString(), "--json");
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode j = Json.read(r.out());
        assertThat(j.get("cases").asInt()).isEqualTo(4580);
        assertThat(j.get("events").asInt()).isEqualTo(21348);
        assertThat(j.get("activities").asInt()).isEqualTo(14);
        assertThat(j.get("variants").asInt()).isEqualTo(226);
        assertThat(j.get("edges").asInt()).isEqualTo(55);
        assertThat(j.get("top_edges").get(0).get("from").asText()).isEqualTo("Resolve ticket");
        assertThat(j.get("top_edges").get(0).get("to").asText()).isEqualTo("Closed");
        assertThat(j.get("top_edges").get(0).get("count").asInt()).isEqualTo(4558);
        assertThat(j.get("start_activities").get(0).get("activity").asText()).isEqualTo("Assign seriousness");
        assertThat(j.get("start_activities").get(0).get("cases").asInt()).isEqualTo(4384);
        assertThat(j.get("end_activities").get(0).get("cases").asInt()).isEqualTo(4557);
    }

    @Test
    void textSummaryAndTheMapInEachFormat() throws IOException {
        String log = PathFinderApiTest.sharedLog("roadtraffic100traces.xes").toString();
        for (String ext : new String[] {"json", "csv", "dot"}) {
            Path out = tmp.resolve("map." + ext);
            Run r = run("pathfinder", log, "--classifier", "name+lifecycle", "--out", out.toString());
            assertThat(r.code()).as(r.err()).isZero();
            assertThat(r.out()).contains("Cases: 100   Events: 390   Activities: 10   Variants: 10   Edges: 18")
                    .contains("77  Create Fine+complete -> Send Fine+complete");
            String written = Files.readString(out);
            switch (ext) {
                case "json" -> assertThat(Json.read(written).get("edges").asInt()).isEqualTo(18);
                case "csv" -> assertThat(written).contains("edge,Create Fine+complete,Send Fine+complete,77,77,");
                default -> assertThat(written).startsWith("digraph pathmap {");
            }
        }
    }

    @Test
    void csvLogsWithAColumnMapping() throws IOException {
        Path csv = tmp.resolve("log.csv");
        Files.writeString(csv, "id,what,when\n1,A,2026-01-01T00:00:00Z\n1,B,2026-01-01T01:00:00Z\n");
        Run r = run("pathfinder", csv.toString(), "--case", "id", "--activity", "what", "--timestamp", "when", "--json");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(Json.read(r.out()).get("top_edges").get(0).get("count").asInt()).isEqualTo(1);
    }

    @Test
    void mistakesAreSaidPlainly() throws IOException {
        assertThat(run("pathfinder", tmp.resolve("missing.xes").toString()).err()).contains("no such file");
        Path bad = tmp.resolve("bad.xes");
        Files.writeString(bad, "<log>\n<trace>\n<event>\n</trace>");
        Run r = run("pathfinder", bad.toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("line 4");
        String log = PathFinderApiTest.sharedLog("running-example.xes").toString();
        assertThat(run("pathfinder", log, "--out", tmp.resolve("map.png").toString()).err()).contains("--out must be json, csv or dot");
        assertThat(run("pathfinder", log, "--classifier", "colour").code()).isEqualTo(2);
        assertThat(run("--port", "-1").code()).isNotZero(); // the server options still parse as before
    }
}
