package io.waymark.record;

import java.time.Instant;
import java.util.UUID;

/**
 * A file attached to a record (its metadata; the bytes are read separately).
 *
 * @param size   the content's length in bytes
 * @param sha256 the content's SHA-256, hex
 */
public record Attachment(UUID id, UUID orgId, String module, UUID recordId, String fileName, String contentType, long size,
                         String sha256, Instant createdAt, UUID createdBy) {
}
