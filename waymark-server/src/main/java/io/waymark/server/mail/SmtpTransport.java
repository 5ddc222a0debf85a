package io.waymark.server.mail;

import io.waymark.email.MailTransport;
import io.waymark.email.OutgoingMail;
import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.SendFailedException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.io.IOException;
import java.io.UnsupportedEncodingException;
import java.time.Duration;
import java.util.Date;
import java.util.Locale;
import java.util.Objects;
import java.util.Properties;
import org.eclipse.angus.mail.smtp.SMTPAddressFailedException;
import org.eclipse.angus.mail.smtp.SMTPSendFailedException;

/**
 * Sends email through an SMTP server (Angus Mail): plain, STARTTLS or implicit TLS, with or
 * without authentication. The Message-ID is Waymark's own, so a retried send carries the same one
 * and replies and bounces find their way back.
 *
 * <p>Failures are sorted for the outbox: a server that cannot be reached, times out, refuses the
 * login or answers 4xx is retryable; a malformed address or a 5xx answer about the recipient or
 * the message is permanent.
 */
public final class SmtpTransport implements MailTransport {
    /** How the connection is protected. */
    public enum Security {
        /** Plain text (only for a relay on a trusted network or tests). */
        NONE,
        /** Upgrade with STARTTLS, and refuse to send if the server cannot. */
        STARTTLS,
        /** TLS from the first byte (usually port 465). */
        TLS;

        public static Security parse(String s) {
            return valueOf(s.strip().toUpperCase(Locale.ROOT).replace("SSL", "TLS"));
        }
    }

    /**
     * Where and how to reach the SMTP server.
     *
     * @param user     null for no authentication
     * @param timeout  for connecting, reading and writing
     */
    public record Settings(String host, int port, Security security, String user, String password, Duration timeout) {
        public Settings {
            Objects.requireNonNull(host, "host");
            if (port < 1 || port > 65_535) {
                throw new IllegalArgumentException("SMTP port must be between 1 and 65535");
            }
            Objects.requireNonNull(security, "security");
            Objects.requireNonNull(timeout, "timeout");
        }
    }

    private final Settings settings;
    private final Session session;

    public SmtpTransport(Settings settings) {
        this.settings = settings;
        Properties p = new Properties();
        String proto = settings.security() == Security.TLS ? "smtps" : "smtp";
        p.put("mail.transport.protocol", proto);
        p.put("mail." + proto + ".host", settings.host());
        p.put("mail." + proto + ".port", Integer.toString(settings.port()));
        p.put("mail." + proto + ".auth", Boolean.toString(settings.user() != null));
        String ms = Long.toString(settings.timeout().toMillis());
        p.put("mail." + proto + ".connectiontimeout", ms);
        p.put("mail." + proto + ".timeout", ms);
        p.put("mail." + proto + ".writetimeout", ms);
        if (settings.security() == Security.STARTTLS) {
            p.put("mail.smtp.starttls.enable", "true");
            p.put("mail.smtp.starttls.required", "true");
        }
        if (settings.security() != Security.NONE) {
            p.put("mail." + proto + ".ssl.checkserveridentity", "true");
        }
        this.session = Session.getInstance(p);
    }

    @Override
    public String name() {
        return "smtp";
    }

    @Override
    public void send(OutgoingMail mail) throws DeliveryException {
        MimeMessage message;
        try {
            message = build(mail);
        } catch (AddressException e) {
            throw new DeliveryException("invalid address: " + e.getMessage(), false, e);
        } catch (MessagingException | UnsupportedEncodingException e) {
            throw new DeliveryException("cannot build the message: " + e.getMessage(), false, e);
        }
        try (Transport t = session.getTransport()) {
            t.connect(settings.host(), settings.port(), settings.user(), settings.password());
            t.sendMessage(message, message.getAllRecipients());
        } catch (AuthenticationFailedException e) {
            throw new DeliveryException("SMTP login to " + settings.host() + " refused: " + e.getMessage(), true, e);
        } catch (SendFailedException e) {
            throw classify(e);
        } catch (MessagingException e) {
            throw classify(e);
        }
    }

    private DeliveryException classify(MessagingException e) {
        for (Throwable t = e; t != null; t = t instanceof MessagingException m && m.getNextException() != null ? m.getNextException() : t.getCause()) {
            if (t instanceof SMTPAddressFailedException a) {
                return new DeliveryException("recipient refused: " + a.getReturnCode() + " " + oneLine(a.getMessage()), a.getReturnCode() < 500, e);
            }
            if (t instanceof SMTPSendFailedException s) {
                return new DeliveryException("SMTP server refused the message: " + s.getReturnCode() + " " + oneLine(s.getMessage()),
                        s.getReturnCode() < 500, e);
            }
            if (t instanceof javax.net.ssl.SSLException ssl) {
                // An untrusted or failed TLS handshake does not heal by itself: retrying would only repeat it.
                return new DeliveryException("TLS with SMTP server " + settings.host() + ":" + settings.port() + " failed: " + ssl, false, e);
            }
            if (t instanceof IOException io) {
                return new DeliveryException("SMTP server " + settings.host() + ":" + settings.port() + " not reachable: " + io, true, e);
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return new DeliveryException("SMTP error: " + oneLine(e.getMessage()), true, e);
    }

    private static String oneLine(String s) {
        return s == null ? "" : s.replaceAll("\\s+", " ").strip();
    }

    private MimeMessage build(OutgoingMail mail) throws MessagingException, UnsupportedEncodingException {
        String messageId = "<" + mail.messageId() + ">";
        MimeMessage m = new MimeMessage(session) {
            @Override
            protected void updateMessageID() throws MessagingException {
                setHeader("Message-ID", messageId);
            }
        };
        m.setFrom(mail.fromName() == null ? new InternetAddress(mail.fromAddress(), true)
                : new InternetAddress(mail.fromAddress(), mail.fromName(), "UTF-8"));
        m.setRecipient(Message.RecipientType.TO, new InternetAddress(mail.to(), true));
        m.setSubject(mail.subject(), "UTF-8");
        m.setSentDate(new Date());
        if (mail.html() == null) {
            m.setText(mail.text(), "UTF-8");
        } else {
            MimeMultipart alternative = new MimeMultipart("alternative");
            MimeBodyPart text = new MimeBodyPart();
            text.setText(mail.text(), "UTF-8");
            MimeBodyPart html = new MimeBodyPart();
            html.setText(mail.html(), "UTF-8", "html");
            alternative.addBodyPart(text);
            alternative.addBodyPart(html);
            m.setContent(alternative);
        }
        for (var h : mail.headers().entrySet()) {
            m.setHeader(h.getKey(), h.getValue());
        }
        m.saveChanges();
        return m;
    }
}
