package io.waymark.inbound;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * A public web form whose submissions create or update a record of {@code module}.
 *
 * @param matchField  when set, a submission whose value of this field equals an existing record's
 *                    updates that record instead of creating one (e.g. {@code Email})
 * @param ownerId     the owner of the records the form creates
 * @param redirectUrl where a browser goes after a successful submission, or null for a thank-you page
 * @param active      an inactive form takes no submissions
 */
public record WebForm(UUID id, UUID orgId, String name, String title, String module, List<FormField> fields, String matchField, UUID ownerId,
                      String redirectUrl, boolean active, long version, Instant createdAt, Instant modifiedAt) {
    /** One input: the record field it fills, its label and whether it must be filled. */
    public record FormField(String field, String label, String type, boolean required, List<String> options) {
    }
}
