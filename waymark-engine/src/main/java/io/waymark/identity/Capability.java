package io.waymark.identity;

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
    MANAGE_USERS,
    /** Email templates, SMTP and mailbox settings, webhooks, incoming-signal endpoints and web forms. */
    MANAGE_INTEGRATIONS
}
