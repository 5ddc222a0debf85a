package io.waymark.record;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.waymark.Actor;
import io.waymark.Ids;
import io.waymark.error.FieldError;
import io.waymark.error.NotFoundException;
import io.waymark.error.PayloadTooLargeException;
import io.waymark.error.ValidationException;
import io.waymark.json.Json;
import io.waymark.signal.NewSignal;
import io.waymark.signal.SignalStore;
import io.waymark.tx.Transactor;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Files attached to records: a passport scan on a Trip, a screenshot on a Case. Whoever may see a
 * record may list and download its attachments; whoever may change it may add and remove them.
 * Adding and removing each append a signal on the record's subject ({@code attachment.added},
 * {@code attachment.removed}), so they show on its timeline. Blueprint transitions take attachment
 * ids as their During attachments ({@link #ofRecord(UUID, UUID, Collection)}).
 */
public final class Attachments {
    /** The largest attachment accepted: 10 MiB. */
    public static final int MAX_BYTES = 10 * 1024 * 1024;
    private static final Pattern CONTENT_TYPE = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9!#$&^_.+-]{0,126}/[a-zA-Z0-9][a-zA-Z0-9!#$&^_.+-]{0,126}");

    private final AttachmentStore store;
    private final Records records;
    private final SignalStore signals;
    private final Transactor tx;
    private final Clock clock;

    public Attachments(AttachmentStore store, Records records, SignalStore signals, Transactor tx, Clock clock) {
        this.store = store;
        this.records = records;
        this.signals = signals;
        this.tx = tx;
        this.clock = clock;
    }

    /**
     * Attaches a file to a record the actor may change.
     *
     * @param contentType the media type ({@code type/subtype}; parameters are dropped); null means
     *                    {@code application/octet-stream}
     */
    public Attachment add(Actor actor, String module, UUID recordId, String fileName, String contentType, byte[] content) {
        Record r = records.changeable(actor, module, recordId);
        List<FieldError> errors = new ArrayList<>();
        String name = fileName == null ? null : fileName.strip();
        if (name == null || name.isEmpty()) {
            errors.add(new FieldError("file_name", "is required"));
        } else if (name.length() > 255 || name.equals(".") || name.equals("..") || name.chars().anyMatch(c -> c < 0x20 || c == 0x7f || c == '/' || c == '\\')) {
            errors.add(new FieldError("file_name", "must be a plain file name of at most 255 characters, without path separators or control characters"));
        }
        String type = contentType == null || contentType.isBlank() ? "application/octet-stream" : contentType.split(";", 2)[0].strip();
        if (!CONTENT_TYPE.matcher(type).matches()) {
            errors.add(new FieldError("content_type", "must be a media type such as application/pdf"));
        }
        if (content == null || content.length == 0) {
            errors.add(new FieldError("body", "is empty; send the file's bytes as the request body"));
        }
        if (!errors.isEmpty()) {
            throw new ValidationException("The attachment is invalid", errors);
        }
        if (content.length > MAX_BYTES) {
            throw new PayloadTooLargeException("An attachment may be at most " + MAX_BYTES / (1024 * 1024) + " MB",
                    List.of(new FieldError("body", "is larger than " + MAX_BYTES + " bytes")));
        }
        Instant now = clock.instant();
        Attachment a = new Attachment(Ids.next(clock), actor.orgId(), r.module(), r.id(), name, type.toLowerCase(java.util.Locale.ROOT),
                content.length, sha256(content), now, actor.userId());
        tx.run(() -> {
            store.insert(a, content);
            signals.append(List.of(signal(actor, r, "attachment.added", a, now)));
        });
        return a;
    }

    /** The attachments of a record the actor may see, oldest first. */
    public List<Attachment> list(Actor actor, String module, UUID recordId) {
        Record r = records.get(actor, module, recordId);
        return store.ofRecord(actor.orgId(), r.id());
    }

    /** One attachment of a record the actor may see. */
    public Attachment get(Actor actor, String module, UUID recordId, UUID id) {
        Record r = records.get(actor, module, recordId);
        return attachmentOf(actor, r, id);
    }

    /** The bytes of one attachment of a record the actor may see. */
    public byte[] content(Actor actor, String module, UUID recordId, UUID id) {
        Record r = records.get(actor, module, recordId);
        Attachment a = attachmentOf(actor, r, id);
        return store.content(actor.orgId(), a.id()).orElseThrow(() -> missing(id));
    }

    /** Removes an attachment from a record the actor may change. */
    public void remove(Actor actor, String module, UUID recordId, UUID id) {
        Record r = records.changeable(actor, module, recordId);
        Attachment a = attachmentOf(actor, r, id);
        Instant now = clock.instant();
        tx.run(() -> {
            if (!store.delete(actor.orgId(), a.id())) {
                throw missing(id);
            }
            signals.append(List.of(signal(actor, r, "attachment.removed", a, now)));
        });
    }

    /**
     * Those of {@code ids} that are attachments of the record, by id (for callers that already
     * checked access to the record, such as a blueprint transition).
     */
    public Map<UUID, Attachment> ofRecord(UUID orgId, UUID recordId, Collection<UUID> ids) {
        Map<UUID, Attachment> out = new LinkedHashMap<>();
        store.ofRecord(orgId, recordId, ids).forEach(a -> out.put(a.id(), a));
        return out;
    }

    /** An attachment as the API shows it. */
    public static ObjectNode json(Attachment a) {
        ObjectNode o = Json.object();
        o.put("id", a.id().toString());
        o.put("module", a.module());
        o.put("record_id", a.recordId().toString());
        o.put("file_name", a.fileName());
        o.put("content_type", a.contentType());
        o.put("size", a.size());
        o.put("sha256", a.sha256());
        o.put("created_at", a.createdAt().toString());
        o.put("created_by", a.createdBy() == null ? null : a.createdBy().toString());
        return o;
    }

    private Attachment attachmentOf(Actor actor, Record r, UUID id) {
        Attachment a = store.find(actor.orgId(), id).orElseThrow(() -> missing(id));
        if (!a.recordId().equals(r.id())) {
            throw missing(id);
        }
        return a;
    }

    private static NotFoundException missing(UUID id) {
        return new NotFoundException("No attachment " + id + " on this record");
    }

    private NewSignal signal(Actor actor, Record r, String type, Attachment a, Instant now) {
        ObjectNode p = Json.object();
        p.put("attachment_id", a.id().toString());
        p.put("file_name", a.fileName());
        p.put("content_type", a.contentType());
        p.put("size", a.size());
        return new NewSignal(Ids.next(clock), actor.orgId(), type, r.subject(), r.module(), r.id(), io.waymark.signal.Causation.stamp(p), now,
                actor.userId());
    }

    private static String sha256(byte[] content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
