package io.waymark.server;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.http.MethodNotAllowedResponse;
import io.javalin.router.EndpointNotFound;
import io.waymark.error.TooManyRequestsException;
import io.waymark.error.WaymarkException;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns every exception into problem details. The engine's exceptions already know their status
 * and field errors; Javalin's own (no route, wrong method, body too large) are rewritten so that
 * clients never see a plain-text or HTML error; anything else is a bug and is logged with its
 * stack trace, which never reaches the client.
 */
final class ErrorMapping {
    private static final Logger log = LoggerFactory.getLogger(ErrorMapping.class);

    private ErrorMapping() {
    }

    static void install(Javalin app) {
        app.exception(WaymarkException.class, (e, ctx) -> {
            if (e instanceof TooManyRequestsException t) {
                ctx.header("Retry-After", Long.toString(Math.max(1, (t.retryAfter().toMillis() + 999) / 1000)));
            }
            Problems.send(ctx, e.status(), e.title(), e.getMessage(), e.errors());
        });
        app.exception(ApiProblem.class, (e, ctx) -> Problems.send(ctx, e.status(), e.title(), e.getMessage(), e.errors()));
        app.exception(HttpResponseException.class, ErrorMapping::javalin);
        app.exception(Exception.class, (e, ctx) -> {
            log.error("Unhandled error on {} {}", ctx.method(), ctx.path(), e);
            Problems.send(ctx, 500, "Internal server error",
                    "An unexpected error occurred; quote the X-Request-Id header when reporting it", List.of());
        });
    }

    private static void javalin(HttpResponseException e, Context ctx) {
        int status = e.getStatus();
        String detail;
        if (e instanceof EndpointNotFound) {
            detail = "No resource at " + ctx.method() + " " + ctx.path();
        } else if (e instanceof MethodNotAllowedResponse) {
            String allowed = e.getDetails().getOrDefault("availableMethods", "");
            if (!allowed.isEmpty()) {
                ctx.header("Allow", allowed.replace(" ", ""));
            }
            detail = "Method " + ctx.method() + " is not allowed on " + ctx.path() + (allowed.isEmpty() ? "" : "; allowed: " + allowed);
        } else if (status == 413) {
            detail = "The request body is larger than the limit";
        } else {
            detail = e.getMessage();
        }
        Problems.send(ctx, status, Problems.title(status), detail, List.of());
    }
}
