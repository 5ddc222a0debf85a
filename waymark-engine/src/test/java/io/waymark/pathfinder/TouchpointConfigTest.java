package io.waymark.pathfinder;

import static org.assertj.core.api.Assertions.assertThat;

import io.waymark.json.Json;
import org.junit.jupiter.api.Test;

class TouchpointConfigTest {
    private static final TouchpointConfig CONFIG = TouchpointConfig.fromJson(Json.read("""
            {"touchpoints": [{"type": "*"}, {"type": "web.*", "label": "Web"}, {"type": "web.visit", "label": "Website", "attribute": "page"}],
             "identifiers": [{"kind": "phone", "attribute": "phone"}, {"kind": "email", "field": "Email"}]}"""));

    @Test
    void exactTypesWinOverFamiliesAndFamiliesOverEverything() {
        assertThat(CONFIG.touchpointOf("web.visit").label()).isEqualTo("Website");
        assertThat(CONFIG.touchpointOf("web.click").label()).isEqualTo("Web");
        assertThat(CONFIG.touchpointOf("chat.missed").type()).isEqualTo("*");
        // Waymark's own signals are never touchpoints by a wildcard.
        assertThat(CONFIG.touchpointOf("record.created")).isNull();
        assertThat(CONFIG.touchpointOf("timer.fired")).isNull();
    }

    @Test
    void namesCarryTheAttributeWhenThereIsOne() {
        TouchpointConfig.Touchpoint web = CONFIG.touchpointOf("web.visit");
        assertThat(web.name("web.visit", "/tours/bali")).isEqualTo("Website: /tours/bali");
        assertThat(web.name("web.visit", null)).isEqualTo("Website");
        assertThat(CONFIG.touchpointOf("chat.missed").name("chat.missed", "x")).isEqualTo("chat.missed");
    }

    @Test
    void identifiersCompareWithoutCaseOrPunctuation() {
        assertThat(new TouchpointConfig.Identifier("email", "email", null).normalise("  Asha@Example.COM ")).isEqualTo("asha@example.com");
        assertThat(new TouchpointConfig.Identifier("phone", "phone", null).normalise("+91 (98450) 12-345")).isEqualTo("919845012345");
        assertThat(new TouchpointConfig.Identifier("phone", "phone", null).normalise("n/a")).isNull();
        assertThat(new TouchpointConfig.Identifier("visitor_id", "v", null).normalise(" V-1 ")).isEqualTo("V-1");
    }

    @Test
    void jsonRoundTrips() {
        assertThat(TouchpointConfig.fromJson(CONFIG.toJson())).isEqualTo(CONFIG);
        assertThat(CONFIG.attributes()).containsExactly("page", "phone");
    }
}
