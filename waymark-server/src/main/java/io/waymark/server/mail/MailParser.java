package io.waymark.server.mail;

import io.waymark.email.InboundMail;
import jakarta.mail.Address;
import jakarta.mail.BodyPart;
import jakarta.mail.MessagingException;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reduces a message read from the mailbox to an {@link InboundMail}: its ids and threading
 * headers, the headers that mark automatic replies, the first plain-text part and, for a
 * delivery status notification (multipart/report; RFC 3464), the failed recipient, action,
 * status and the Message-ID of the message it reports on.
 */
final class MailParser {
    private static final Pattern ID = Pattern.compile("<([^<>\\s]+)>");
    private static final Pattern RETURNED_ID = Pattern.compile("(?im)^Message-ID:\\s*<([^<>\\s]+)>");
    private static final List<String> AUTO_HEADERS = List.of("Auto-Submitted", "X-Autoreply", "X-Autorespond", "X-Autoresponder", "Precedence");
    private static final int MAX_TEXT = 10_000;

    private MailParser() {
    }

    static InboundMail parse(MimeMessage m) throws MessagingException, IOException {
        String id = m.getMessageID();
        List<String> ids = id == null ? List.of() : ids(id);
        String messageId = ids.isEmpty() ? standIn(m) : ids.get(0);
        Address[] from = m.getFrom();
        String sender = from != null && from.length > 0 && from[0] instanceof InternetAddress a ? a.getAddress() : null;
        Map<String, String> headers = new HashMap<>();
        for (String h : AUTO_HEADERS) {
            String v = m.getHeader(h, ",");
            if (v != null) {
                headers.put(h.toLowerCase(Locale.ROOT), v);
            }
        }
        InboundMail.DeliveryReport report = m.isMimeType("multipart/report") && m.getContent() instanceof Multipart mp ? report(mp) : null;
        return new InboundMail(messageId, sender, m.getSubject(), m.getSentDate() == null ? null : m.getSentDate().toInstant(),
                ids(m.getHeader("In-Reply-To", " ")), ids(m.getHeader("References", " ")), headers, report, text(m));
    }

    private static List<String> ids(String header) {
        List<String> out = new ArrayList<>();
        if (header == null) {
            return out;
        }
        Matcher x = ID.matcher(header);
        while (x.find()) {
            out.add(x.group(1));
        }
        return out;
    }

    /** For a message without a Message-ID: a stable id from what it says, so reading it again is recognised. */
    private static String standIn(MimeMessage m) throws MessagingException {
        String basis = m.getHeader("Date", ",") + "|" + m.getHeader("From", ",") + "|" + m.getSubject() + "|" + m.getHeader("To", ",");
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(basis.getBytes(StandardCharsets.UTF_8))) + "@no-message-id";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static InboundMail.DeliveryReport report(Multipart mp) throws MessagingException, IOException {
        String status = null;
        String original = null;
        for (int i = 0; i < mp.getCount(); i++) {
            BodyPart p = mp.getBodyPart(i);
            if (p.isMimeType("message/delivery-status")) {
                status = read(p);
            } else if (p.isMimeType("message/rfc822") && p.getContent() instanceof MimeMessage returned) {
                List<String> rid = returned.getMessageID() == null ? List.of() : ids(returned.getMessageID());
                original = rid.isEmpty() ? original : rid.get(0);
            } else if (p.isMimeType("text/rfc822-headers") || p.isMimeType("message/rfc822-headers")) {
                Matcher x = RETURNED_ID.matcher(read(p));
                if (x.find()) {
                    original = x.group(1);
                }
            }
        }
        if (status == null) {
            return null;
        }
        // Per-message fields come first, then one block per recipient; the first recipient block is reported.
        String[] blocks = status.replace("\r\n", "\n").split("\n\\s*\n");
        Map<String, String> fields = new HashMap<>();
        for (int b = blocks.length > 1 ? 1 : 0; b < blocks.length && !fields.containsKey("action"); b++) {
            fields.clear();
            for (String line : blocks[b].replaceAll("\n[ \t]+", " ").split("\n")) {
                int colon = line.indexOf(':');
                if (colon > 0) {
                    fields.put(line.substring(0, colon).strip().toLowerCase(Locale.ROOT), line.substring(colon + 1).strip());
                }
            }
        }
        String recipient = fields.getOrDefault("final-recipient", fields.get("original-recipient"));
        if (recipient != null && recipient.contains(";")) {
            recipient = recipient.substring(recipient.indexOf(';') + 1).strip();
        }
        String st = fields.get("status");
        if (st != null) {
            st = st.split("\\s+")[0];
        }
        return new InboundMail.DeliveryReport(original, recipient, fields.get("action") == null ? null : fields.get("action").toLowerCase(Locale.ROOT),
                st, fields.get("diagnostic-code"));
    }

    private static String read(Part p) throws MessagingException, IOException {
        try (InputStream in = p.getInputStream()) {
            return new String(in.readNBytes(200_000), StandardCharsets.UTF_8);
        }
    }

    private static String text(Part p) throws MessagingException, IOException {
        if (p.isMimeType("text/plain")) {
            Object c = p.getContent();
            String s = c instanceof String str ? str : read(p);
            return s.length() > MAX_TEXT ? s.substring(0, MAX_TEXT) : s;
        }
        if (p.isMimeType("multipart/*") && p.getContent() instanceof Multipart mp) {
            for (int i = 0; i < mp.getCount(); i++) {
                String t = text(mp.getBodyPart(i));
                if (t != null) {
                    return t;
                }
            }
        }
        return null;
    }
}
