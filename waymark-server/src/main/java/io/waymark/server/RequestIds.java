package io.waymark.server;

import io.javalin.http.Context;
import java.util.UUID;
import java.util.regex.Pattern;
import org.slf4j.MDC;

/**
 * Gives every request an id, echoed in {@code X-Request-Id} and put in the logging context, so
 * that a client's report can be matched with the server's log lines. A caller's own id (from a
 * proxy or gateway) is kept when it looks harmless; anything else is replaced so that it cannot
 * forge log lines.
 */
final class RequestIds {
    static final String HEADER = "X-Request-Id";
    static final String MDC_REQUEST_ID = "request_id";
    static final String MDC_ORG = "org";
    private static final Pattern SANE = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

    private RequestIds() {
    }

    static void begin(Context ctx) {
        // Jetty reuses threads: never inherit a previous request's context.
        MDC.clear();
        String incoming = ctx.header(HEADER);
        String id = incoming != null && SANE.matcher(incoming).matches() ? incoming : UUID.randomUUID().toString();
        MDC.put(MDC_REQUEST_ID, id);
        ctx.header(HEADER, id);
    }

    static void end() {
        MDC.clear();
    }
}
