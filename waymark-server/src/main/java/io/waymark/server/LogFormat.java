package io.waymark.server;

import ch.qos.logback.core.PropertyDefinerBase;
import java.util.Locale;

/**
 * Chooses the console appender in logback.xml from {@code WAYMARK_LOG_FORMAT}: {@code JSON} for
 * "json", {@code TEXT} for anything else, so that a mistyped value still logs (as text) instead
 * of referencing an appender that does not exist.
 */
public final class LogFormat extends PropertyDefinerBase {
    @Override
    public String getPropertyValue() {
        String v = System.getenv("WAYMARK_LOG_FORMAT");
        return v != null && v.strip().toLowerCase(Locale.ROOT).equals("json") ? "JSON" : "TEXT";
    }
}
