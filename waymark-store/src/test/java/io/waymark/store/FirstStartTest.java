package io.waymark.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.waymark.Waymark;
import io.waymark.error.UnauthorizedException;
import io.waymark.identity.Orgs;
import io.waymark.store.testing.BothDatabases;
import io.waymark.store.testing.TestDatabases;
import io.waymark.store.testing.TestDb;

class FirstStartTest {

    @BothDatabases
    void theFirstStartMakesTheOrganisationAndPrintsARandomTokenOnce(TestDb db) {
        try (JdbcStore store = TestDatabases.fresh(db.kind())) {
            Waymark engine = store.engine(db.clock());
            Orgs.Created first = engine.orgs().bootstrap("Zylker Travels", null);
            assertThat(first.isNew()).isTrue();
            assertThat(first.token()).startsWith("wm_").hasSizeGreaterThan(40);
            assertThat(engine.orgs().authenticate(first.token())).isEqualTo(first.admin());
            assertThat(engine.metadata().catalog(first.admin().orgId()).find("Leads")).isPresent();

            Orgs.Created again = engine.orgs().bootstrap("Zylker Travels", null);
            assertThat(again.isNew()).isFalse();
            assertThat(again.token()).isNull();
            assertThat(again.admin()).isEqualTo(first.admin());
            assertThat(engine.orgs().authenticate(first.token())).isEqualTo(first.admin());
        }
    }

    @BothDatabases
    void aFixedAdminTokenIsUsedAndReplacedWhenItChanges(TestDb db) {
        try (JdbcStore store = TestDatabases.fresh(db.kind())) {
            Waymark engine = store.engine(db.clock());
            Orgs.Created first = engine.orgs().bootstrap("Zylker Travels", "ci-token-0123456789");
            assertThat(engine.orgs().authenticate("ci-token-0123456789")).isEqualTo(first.admin());

            engine.orgs().bootstrap("Zylker Travels", "rotated-token-987654321");
            assertThat(engine.orgs().authenticate("rotated-token-987654321")).isEqualTo(first.admin());
            assertThatThrownBy(() -> engine.orgs().authenticate("ci-token-0123456789")).isInstanceOf(UnauthorizedException.class);
            assertThatThrownBy(() -> engine.orgs().bootstrap("X", "short")).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @BothDatabases
    void tokensAreStoredOnlyAsHashes(TestDb db) throws Exception {
        try (var c = db.store().dataSource().getConnection();
             var ps = c.prepareStatement("SELECT COUNT(*) FROM api_tokens WHERE token_hash = ? OR token_hash LIKE 'wm_%'")) {
            ps.setString(1, db.adminToken());
            try (var rs = ps.executeQuery()) {
                rs.next();
                assertThat(rs.getLong(1)).isZero();
            }
        }
        assertThat(db.engine().orgs().authenticate(db.adminToken())).isEqualTo(db.admin());
    }
}
