package io.waymark.server;

import io.waymark.json.Json;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.handler.ErrorHandler;

/**
 * Jetty answers some requests before Javalin sees them (a malformed URI, headers too large);
 * this keeps those answers problem details too, instead of Jetty's HTML page.
 */
final class JettyErrors extends ErrorHandler {
    /** Requests Jetty cannot even parse (a malformed URI, oversized headers). */
    @Override
    public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
        String detail = reason == null || reason.isBlank() ? Problems.title(status) : reason;
        fields.put(HttpHeader.CONTENT_TYPE, Problems.CONTENT_TYPE);
        return ByteBuffer.wrap(Json.write(Problems.body(status, Problems.title(status), detail, List.of())).getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void handle(String target, Request baseRequest, HttpServletRequest request, HttpServletResponse response) throws IOException {
        int status = response.getStatus() < 400 ? 500 : response.getStatus();
        Object message = request.getAttribute(RequestDispatcher.ERROR_MESSAGE);
        // Jetty's messages describe the protocol error, never our internals, so they are safe to show.
        String detail = status >= 500 ? "The server could not handle the request" : message == null ? Problems.title(status) : message.toString();
        byte[] body = Json.write(Problems.body(status, Problems.title(status), detail, List.of())).getBytes(StandardCharsets.UTF_8);
        response.setStatus(status);
        response.setContentType(Problems.CONTENT_TYPE);
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
        baseRequest.setHandled(true);
    }
}
