package io.waymark.identity;

import io.waymark.Actor;

/**
 * The one place that decides whether an actor may do something. Services call it before they
 * act; the HTTP layer does not repeat the checks.
 *
 * <p>Until profiles exist every user of an organisation is its administrator, so every
 * authenticated actor holds every capability. Profiles (the identity issue) replace this.
 */
public class Access {
    /**
     * Throws {@link io.waymark.error.ForbiddenException} (403) when the actor lacks the capability.
     */
    public void require(Actor actor, Capability capability) {
        java.util.Objects.requireNonNull(actor, "actor");
        java.util.Objects.requireNonNull(capability, "capability");
    }

    /**
     * The name of the actor's profile (e.g. {@code Administrator}), which wizard lock rules can
     * exempt. Until profiles exist every user is an administrator.
     */
    public String profileName(Actor actor) {
        java.util.Objects.requireNonNull(actor, "actor");
        return "Administrator";
    }
}
