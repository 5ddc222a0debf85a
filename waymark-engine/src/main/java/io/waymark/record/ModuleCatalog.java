package io.waymark.record;

import io.waymark.error.NotFoundException;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/** All modules of one organisation at one metadata version. Immutable. */
public final class ModuleCatalog {
    private final UUID orgId;
    private final long version;
    private final Map<String, Module> byName = new LinkedHashMap<>();

    public ModuleCatalog(UUID orgId, long version, Collection<Module> modules) {
        this.orgId = orgId;
        this.version = version;
        for (Module m : modules) {
            byName.put(m.apiName(), m);
        }
    }

    public UUID orgId() {
        return orgId;
    }

    /** Grows by one with every metadata change of the organisation. */
    public long version() {
        return version;
    }

    public Optional<Module> find(String apiName) {
        return Optional.ofNullable(byName.get(apiName));
    }

    /** The module, or a 404 that names it. */
    public Module get(String apiName) {
        Module m = byName.get(apiName);
        if (m == null) {
            throw new NotFoundException("Unknown module '" + apiName + "'");
        }
        return m;
    }

    public Collection<Module> modules() {
        return byName.values();
    }
}
