package io.waymark.store.testing;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.Extension;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestTemplateInvocationContext;
import org.junit.jupiter.api.extension.TestTemplateInvocationContextProvider;

/**
 * Runs a test template once per database kind ([h2], [postgresql]) and hands the test a fixture
 * of type {@code T} made for that kind before each run. A PostgreSQL run is skipped, or failed
 * when PostgreSQL is required, as {@link TestDatabases#assumeAvailable} decides.
 */
public abstract class PerDatabase<T> implements TestTemplateInvocationContextProvider {
    private final Class<T> type;

    protected PerDatabase(Class<T> type) {
        this.type = type;
    }

    /** The fixture of one test run on {@code kind}. */
    protected abstract T fixture(String kind);

    @Override
    public boolean supportsTestTemplate(ExtensionContext context) {
        return true;
    }

    @Override
    public Stream<TestTemplateInvocationContext> provideTestTemplateInvocationContexts(ExtensionContext context) {
        return Stream.of(invocation(TestDatabases.H2), invocation(TestDatabases.POSTGRESQL));
    }

    private TestTemplateInvocationContext invocation(String kind) {
        return new TestTemplateInvocationContext() {
            @Override
            public String getDisplayName(int index) {
                return "[" + kind + "]";
            }

            @Override
            public List<Extension> getAdditionalExtensions() {
                Object[] holder = new Object[1];
                BeforeEachCallback before = ctx -> {
                    TestDatabases.assumeAvailable(kind);
                    holder[0] = fixture(kind);
                };
                ParameterResolver resolver = new ParameterResolver() {
                    @Override
                    public boolean supportsParameter(ParameterContext p, ExtensionContext e) {
                        return p.getParameter().getType() == type;
                    }

                    @Override
                    public Object resolveParameter(ParameterContext p, ExtensionContext e) {
                        return holder[0];
                    }
                };
                return List.of(before, resolver);
            }
        };
    }
}
