package io.waymark.record;

import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** Where attachments and their bytes are kept: in the database, beside the records. */
public interface AttachmentStore {
    void insert(Attachment attachment, byte[] content);

    /** The attachments of a record, oldest first. */
    List<Attachment> ofRecord(UUID orgId, UUID recordId);

    Optional<Attachment> find(UUID orgId, UUID id);

    /** Those of {@code ids} that are attachments of the record. */
    List<Attachment> ofRecord(UUID orgId, UUID recordId, Collection<UUID> ids);

    Optional<byte[]> content(UUID orgId, UUID id);

    boolean delete(UUID orgId, UUID id);
}
