package io.waymark.store.testing;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.Extension;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestTemplateInvocationContext;
import org.junit.jupiter.api.extension.TestTemplateInvocationContextProvider;
import org.junit.jupiter.api.extension.BeforeEachCallback;

/** The two invocations of a {@link BothDatabases} test: [h2] and [postgresql]. */
public final class DatabaseInvocations implements TestTemplateInvocationContextProvider {
    @Override
    public boolean supportsTestTemplate(ExtensionContext context) {
        return true;
    }

    @Override
    public Stream<TestTemplateInvocationContext> provideTestTemplateInvocationContexts(ExtensionContext context) {
        return Stream.of(invocation(TestDatabases.H2), invocation(TestDatabases.POSTGRESQL));
    }

    private static TestTemplateInvocationContext invocation(String kind) {
        return new TestTemplateInvocationContext() {
            @Override
            public String getDisplayName(int invocationIndex) {
                return "[" + kind + "]";
            }

            @Override
            public List<Extension> getAdditionalExtensions() {
                TestDb[] holder = new TestDb[1];
                BeforeEachCallback before = ctx -> {
                    TestDatabases.assumeAvailable(kind);
                    holder[0] = new TestDb(kind, TestDatabases.get(kind));
                };
                ParameterResolver resolver = new ParameterResolver() {
                    @Override
                    public boolean supportsParameter(ParameterContext p, ExtensionContext e) {
                        return p.getParameter().getType() == TestDb.class;
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
