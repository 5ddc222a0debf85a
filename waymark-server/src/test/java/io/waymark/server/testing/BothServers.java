package io.waymark.server.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.TestTemplate;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Runs a test over HTTP twice: against a server on H2 and one on PostgreSQL. The test takes an
 * {@link Api}: a client for a fresh organisation, holding its admin token and the server's
 * settable clock (reset to {@link io.waymark.store.testing.TestDb#START} before each test).
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@TestTemplate
@ExtendWith(ServerInvocations.class)
public @interface BothServers {
}
