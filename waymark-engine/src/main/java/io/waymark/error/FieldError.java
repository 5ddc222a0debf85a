package io.waymark.error;

/**
 * One problem with one input field. {@code field} is a path into the request: a field API name
 * ({@code Email}), an indexed one for bulk calls ({@code [3].Email}) or a request parameter
 * ({@code criteria}).
 */
public record FieldError(String field, String message) {
    public FieldError prefixed(String prefix) {
        return new FieldError(prefix + (field.isEmpty() || field.startsWith("[") ? field : "." + field), message);
    }
}
