package io.waymark.email;

/**
 * Port: delivers a rendered message. The server plugs in SMTP when it is configured; otherwise
 * {@link #CATCHER} keeps messages in Waymark's database only (they are stored anyway) so that a
 * demo works offline.
 */
public interface MailTransport {
    /** Keeps every message in the database and sends nothing. */
    MailTransport CATCHER = new MailTransport() {
        @Override
        public String name() {
            return "catcher";
        }

        @Override
        public void send(OutgoingMail mail) {
        }
    };

    /** {@code smtp}, {@code catcher} … (stored with each message). */
    String name();

    /**
     * Hands the message over. Must be safe to repeat with the same {@link OutgoingMail#messageId()}
     * (receivers drop duplicates by Message-ID).
     *
     * @throws DeliveryException when the message could not be handed over
     */
    void send(OutgoingMail mail) throws DeliveryException;

    /** The message was not handed over; {@code retryable} says whether trying again may help. */
    final class DeliveryException extends Exception {
        private final boolean retryable;

        public DeliveryException(String message, boolean retryable, Throwable cause) {
            super(message, cause);
            this.retryable = retryable;
        }

        public boolean retryable() {
            return retryable;
        }
    }
}
