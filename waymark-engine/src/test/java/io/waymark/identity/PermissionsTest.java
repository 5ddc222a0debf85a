package io.waymark.identity;

import static org.assertj.core.api.Assertions.assertThat;

import io.waymark.error.FieldError;
import io.waymark.json.Json;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PermissionsTest {

    private static Permissions parse(String json, List<FieldError> errors) {
        return Permissions.fromJson(Json.read(json.replace('\'', '"')), "permissions", errors);
    }

    @Test
    void aNamedModuleOverridesTheDefaultForEveryOtherModule() {
        List<FieldError> errors = new ArrayList<>();
        Permissions p = parse("{'modules': {'*': ['view', 'create'], 'Leads': ['view']}, 'capabilities': ['manage_users']}", errors);
        assertThat(errors).isEmpty();
        assertThat(p.allows("Leads", ModuleAction.VIEW)).isTrue();
        assertThat(p.allows("Leads", ModuleAction.CREATE)).isFalse();
        assertThat(p.allows("Trips", ModuleAction.CREATE)).isTrue();
        assertThat(p.allows("Trips", ModuleAction.EXPORT)).isFalse();
        assertThat(p.has(Capability.MANAGE_USERS)).isTrue();
        assertThat(p.has(Capability.MANAGE_JOURNEYS)).isFalse();
        assertThat(p.viewAllRecords()).isFalse();
    }

    @Test
    void theJsonFormRoundTrips() {
        for (Permissions p : List.of(Permissions.ADMINISTRATOR, Permissions.STANDARD, Permissions.NONE)) {
            List<FieldError> errors = new ArrayList<>();
            assertThat(Permissions.fromJson(p.toJson(), "p", errors)).isEqualTo(p);
            assertThat(errors).isEmpty();
        }
    }

    @Test
    void everyMistakeIsNamed() {
        List<FieldError> errors = new ArrayList<>();
        Permissions p = parse("{'modules': {'Leads': ['create', 'fly'], 'Deals': 'all'}, 'capabilities': ['rule_the_world'], "
                + "'view_all_records': 'yes', 'colour': 'red'}", errors);
        assertThat(p).isNull();
        assertThat(errors).extracting(FieldError::field).containsExactlyInAnyOrder("permissions.colour", "permissions.view_all_records",
                "permissions.modules.Leads", "permissions.modules.Leads", "permissions.modules.Deals", "permissions.capabilities");
    }

    @Test
    void administratorsHoldEveryCapabilityAndStandardUsersNone() {
        for (Capability c : Capability.values()) {
            assertThat(Permissions.ADMINISTRATOR.has(c)).isTrue();
            assertThat(Permissions.STANDARD.has(c)).isFalse();
        }
        assertThat(Permissions.STANDARD.allows("Leads", ModuleAction.EXPORT)).isFalse();
        assertThat(Permissions.STANDARD.allows("Leads", ModuleAction.DELETE)).isTrue();
    }
}
