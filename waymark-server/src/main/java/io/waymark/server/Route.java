package io.waymark.server;

/**
 * One registered endpoint: an HTTP method and a path template in Javalin's form
 * ({@code /api/v1/records/{module}/{id}}), which is also OpenAPI's form.
 *
 * @param method upper-case HTTP method, e.g. {@code GET}
 */
public record Route(String method, String path) {
}
