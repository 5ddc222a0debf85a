package io.waymark.email;

import java.nio.ByteBuffer;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;
import java.util.UUID;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signed, unguessable tokens in tracking, click and unsubscribe links. A token carries what it
 * is for, the message id, a link index and an expiry time, followed by 128 bits of
 * HMAC-SHA256 over them with the server secret: a token cannot be forged or changed without the
 * secret, and the message's own id is never enough to make one.
 */
public final class TrackingTokens {
    /** What a token opens. */
    public enum Purpose {
        OPEN('o'), CLICK('c'), UNSUBSCRIBE('u');

        final byte code;

        Purpose(char code) {
            this.code = (byte) code;
        }
    }

    /** A verified token's content. */
    public record Claim(Purpose purpose, UUID messageId, int link, Instant expires) {
    }

    private static final int BODY = 1 + 16 + 2 + 8;
    private static final int MAC = 16;
    private final SecretKeySpec key;

    public TrackingTokens(byte[] secret) {
        this.key = new SecretKeySpec(secret, "HmacSHA256");
    }

    public String issue(Purpose purpose, UUID messageId, int link, Instant expires) {
        ByteBuffer b = ByteBuffer.allocate(BODY + MAC);
        b.put(purpose.code).putLong(messageId.getMostSignificantBits()).putLong(messageId.getLeastSignificantBits())
                .putShort((short) link).putLong(expires.getEpochSecond());
        byte[] body = java.util.Arrays.copyOf(b.array(), BODY);
        b.put(mac(body), 0, MAC);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b.array());
    }

    /**
     * The claim of a genuine token for {@code purpose} that has not expired at {@code now}; empty
     * for anything else (garbage, a forged or altered token, another purpose, expired).
     */
    public Optional<Claim> verify(String token, Purpose purpose, Instant now) {
        if (token == null || token.length() > 100) {
            return Optional.empty();
        }
        byte[] raw;
        try {
            raw = Base64.getUrlDecoder().decode(token);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        if (raw.length != BODY + MAC) {
            return Optional.empty();
        }
        byte[] body = java.util.Arrays.copyOf(raw, BODY);
        byte[] given = java.util.Arrays.copyOfRange(raw, BODY, BODY + MAC);
        if (!MessageDigest.isEqual(java.util.Arrays.copyOf(mac(body), MAC), given)) {
            return Optional.empty();
        }
        ByteBuffer b = ByteBuffer.wrap(body);
        byte code = b.get();
        UUID id = new UUID(b.getLong(), b.getLong());
        int link = Short.toUnsignedInt(b.getShort());
        Instant expires = Instant.ofEpochSecond(b.getLong());
        if (code != purpose.code || !now.isBefore(expires)) {
            return Optional.empty();
        }
        return Optional.of(new Claim(purpose, id, link, expires));
    }

    /** Why a token was refused, for the log: expired, forged or malformed. */
    public String diagnose(String token, Purpose purpose) {
        if (token == null) {
            return "missing";
        }
        try {
            byte[] raw = Base64.getUrlDecoder().decode(token);
            if (raw.length != BODY + MAC) {
                return "malformed";
            }
            byte[] body = java.util.Arrays.copyOf(raw, BODY);
            if (!MessageDigest.isEqual(java.util.Arrays.copyOf(mac(body), MAC), java.util.Arrays.copyOfRange(raw, BODY, BODY + MAC))) {
                return "forged (bad signature)";
            }
            return body[0] != purpose.code ? "issued for another purpose" : "expired";
        } catch (IllegalArgumentException e) {
            return "malformed";
        }
    }

    private byte[] mac(byte[] body) {
        try {
            Mac m = Mac.getInstance("HmacSHA256");
            m.init(key);
            return m.doFinal(body);
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException(e);
        }
    }
}
