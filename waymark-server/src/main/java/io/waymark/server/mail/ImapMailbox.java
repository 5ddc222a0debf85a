package io.waymark.server.mail;

import io.waymark.email.Email;
import io.waymark.email.InboundMail;
import jakarta.mail.Flags;
import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Store;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.search.FlagTerm;
import java.time.Duration;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The mailbox that replies and bounces come back to, read over IMAP. Each {@link #poll()} reads
 * the unread messages, hands each to {@link Email#receive} and marks it read; a message whose
 * handling failed is marked unread again, so the next poll retries it. Reading a message twice
 * is harmless: the signals it produces have ids fixed by its Message-ID.
 */
public final class ImapMailbox implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ImapMailbox.class);

    /**
     * Where the mailbox is.
     *
     * @param ssl    IMAPS (TLS from the first byte) instead of plain IMAP
     * @param folder usually INBOX
     */
    public record Settings(String host, int port, boolean ssl, String user, String password, String folder, Duration timeout) {
        public Settings {
            Objects.requireNonNull(host, "host");
            Objects.requireNonNull(user, "user");
            Objects.requireNonNull(folder, "folder");
            Objects.requireNonNull(timeout, "timeout");
        }
    }

    private final Settings settings;
    private final Email email;
    private final Session session;
    private ScheduledExecutorService scheduler;

    public ImapMailbox(Settings settings, Email email) {
        this.settings = settings;
        this.email = email;
        Properties p = new Properties();
        String proto = settings.ssl() ? "imaps" : "imap";
        String ms = Long.toString(settings.timeout().toMillis());
        p.put("mail." + proto + ".connectiontimeout", ms);
        p.put("mail." + proto + ".timeout", ms);
        p.put("mail." + proto + ".writetimeout", ms);
        if (settings.ssl()) {
            p.put("mail.imaps.ssl.checkserveridentity", "true");
        }
        this.session = Session.getInstance(p);
    }

    /** What one poll did. */
    public record Result(int read, int recognised, int failed) {
    }

    /**
     * Reads the unread messages once. Deterministic: returns when every message has been handled.
     *
     * @throws MessagingException when the mailbox cannot be reached (nothing is marked read then)
     */
    public synchronized Result poll() throws MessagingException {
        int read = 0;
        int recognised = 0;
        int failed = 0;
        try (Store store = session.getStore(settings.ssl() ? "imaps" : "imap")) {
            store.connect(settings.host(), settings.port(), settings.user(), settings.password());
            Folder folder = store.getFolder(settings.folder());
            folder.open(Folder.READ_WRITE);
            try {
                Message[] unread = folder.search(new FlagTerm(new Flags(Flags.Flag.SEEN), false));
                for (Message m : unread) {
                    read++;
                    try {
                        // One fetch of the whole message, then parsing locally: far fewer IMAP round trips than part by part.
                        InboundMail in = MailParser.parse(new MimeMessage((MimeMessage) m));
                        if (!email.receive(in).isEmpty()) {
                            recognised++;
                        }
                        m.setFlag(Flags.Flag.SEEN, true);
                    } catch (Exception e) {
                        failed++;
                        log.warn("Could not handle inbound message {}; it stays unread for the next poll", m.getMessageNumber(), e);
                        try {
                            m.setFlag(Flags.Flag.SEEN, false);
                        } catch (MessagingException ignored) {
                            // The connection is gone; the server did not record the read either.
                        }
                    }
                }
            } finally {
                folder.close(false);
            }
        }
        return new Result(read, recognised, failed);
    }

    /** Polls every {@code interval} in the background until {@link #close()}. */
    public synchronized void start(Duration interval) {
        if (scheduler != null) {
            throw new IllegalStateException("already started");
        }
        scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "waymark-imap");
            t.setDaemon(true);
            return t;
        });
        scheduler.scheduleWithFixedDelay(() -> {
            try {
                Result r = poll();
                if (r.read() > 0) {
                    log.info("Mailbox poll: {} read, {} recognised, {} failed", r.read(), r.recognised(), r.failed());
                }
            } catch (Exception e) {
                log.warn("Mailbox {}@{} could not be polled: {}", settings.user(), settings.host(), e.toString());
            }
        }, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public synchronized void close() {
        if (scheduler != null) {
            scheduler.shutdownNow();
            scheduler = null;
        }
    }
}
