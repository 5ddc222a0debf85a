package io.waymark.store.testing;

/** The two runs of a {@link BothDatabases} test, each with a fresh {@link TestDb}. */
public final class DatabaseInvocations extends PerDatabase<TestDb> {
    public DatabaseInvocations() {
        super(TestDb.class);
    }

    @Override
    protected TestDb fixture(String kind) {
        return new TestDb(kind, TestDatabases.get(kind));
    }
}
