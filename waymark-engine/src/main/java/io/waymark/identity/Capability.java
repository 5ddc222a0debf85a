package io.waymark.identity;

import java.util.Locale;
import java.util.Optional;

/**
 * What a profile may manage beyond plain record access. Every engine call that changes a
 * definition (a workflow rule, a blueprint, a journey …) requires the matching capability of its
 * {@link io.waymark.Actor}, through {@link Access#require(io.waymark.Actor, Capability)}.
 */
public enum Capability {
    MANAGE_WORKFLOW_RULES,
    MANAGE_BLUEPRINTS,
    MANAGE_APPROVALS,
    MANAGE_REVIEWS,
    MANAGE_CADENCES,
    MANAGE_JOURNEYS,
    MANAGE_PATH_FINDER,
    MANAGE_KIOSKS,
    MANAGE_WIZARDS,
    /** Users, roles, groups, profiles, sharing rules, other users' tokens and sessions, and the audit log. */
    MANAGE_USERS,
    /** Email templates, SMTP and mailbox settings, webhooks, incoming-signal endpoints and web forms. */
    MANAGE_INTEGRATIONS,
    /** Modules, fields and layouts. */
    MANAGE_MODULES,
    /** Read the raw signal log of the whole organisation (it carries record values of every module). */
    READ_SIGNALS,
    /** Send signals to the log through the API (integrations, trackers). */
    SEND_SIGNALS;

    /** The name used in JSON: lower case, e.g. {@code manage_users}. */
    public String apiName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<Capability> parse(String s) {
        for (Capability c : values()) {
            if (c.apiName().equals(s)) {
                return Optional.of(c);
            }
        }
        return Optional.empty();
    }
}
