package io.waymark.email;

import java.util.regex.Pattern;

/** A readable plain-text version of an HTML body, for the text part of a message. */
final class HtmlText {
    private static final Pattern BREAKS = Pattern.compile("(?i)<\\s*(br|/p|/div|/h[1-6]|/li|/tr)\\s*/?>");
    private static final Pattern LINKS = Pattern.compile("(?is)<a\\s[^>]*href\\s*=\\s*\"([^\"]*)\"[^>]*>(.*?)</a>");
    private static final Pattern DROP = Pattern.compile("(?is)<(script|style|head)[^>]*>.*?</\\1>");
    private static final Pattern TAGS = Pattern.compile("<[^>]+>");

    private HtmlText() {
    }

    static String of(String html) {
        if (html == null) {
            return "";
        }
        String s = DROP.matcher(html).replaceAll("");
        s = LINKS.matcher(s).replaceAll("$2 ($1)");
        s = BREAKS.matcher(s).replaceAll("\n");
        s = TAGS.matcher(s).replaceAll("");
        s = s.replace("&nbsp;", " ").replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&#39;", "'")
                .replace("&#x27;", "'").replace("&#x3D;", "=").replace("&#x60;", "`").replace("&amp;", "&");
        return s.replaceAll("[ \\t]+\\n", "\n").replaceAll("\\n{3,}", "\n\n").strip();
    }
}
