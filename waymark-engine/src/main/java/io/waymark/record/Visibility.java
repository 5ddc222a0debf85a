package io.waymark.record;

import java.util.Set;
import java.util.UUID;

/**
 * Which records of a module a reader may see, for the record store to apply in its queries: all
 * of them, none, or those whose owner is the reader or a user holding one of {@code roles}.
 * Records of a module without an owner field are visible whenever the module is.
 */
public record Visibility(boolean all, boolean none, UUID self, Set<UUID> roles) {
    public static final Visibility ALL = new Visibility(true, false, null, Set.of());
    public static final Visibility NONE = new Visibility(false, true, null, Set.of());

    public Visibility {
        roles = Set.copyOf(roles);
    }

    /** Records owned by {@code self} or by users in {@code roles}. */
    public static Visibility owners(UUID self, Set<UUID> roles) {
        return new Visibility(false, false, self, roles);
    }
}
