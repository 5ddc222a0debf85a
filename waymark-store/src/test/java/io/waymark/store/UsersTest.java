package io.waymark.store;

import static io.waymark.store.testing.TestDb.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.waymark.Actor;
import io.waymark.Waymark;
import io.waymark.error.ConflictException;
import io.waymark.error.ForbiddenException;
import io.waymark.error.NotFoundException;
import io.waymark.error.TooManyRequestsException;
import io.waymark.error.UnauthorizedException;
import io.waymark.error.ValidationException;
import io.waymark.identity.AuditEvent;
import io.waymark.identity.Passwords;
import io.waymark.identity.User;
import io.waymark.identity.Users;
import io.waymark.json.Json;
import io.waymark.store.testing.BothDatabases;
import io.waymark.store.testing.Team;
import io.waymark.store.testing.TestDb;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class UsersTest {
    private static final String PASSWORD = "correct horse battery";

    private static User withPassword(Waymark e, Actor admin, String email) {
        return e.users().create(admin, json("{'email': '" + email + "', 'name': 'Pat', 'password': '" + PASSWORD + "'}"));
    }

    private static List<String> audit(Waymark e, Actor admin) {
        return e.audit().list(admin, null, null, null, 1000, null).stream().map(AuditEvent::type).toList();
    }

    @Test
    void passwordsAreHashedWithArgon2idAndSaltedAndVerified() {
        String h1 = Passwords.hash(PASSWORD);
        String h2 = Passwords.hash(PASSWORD);
        assertThat(h1).startsWith("$argon2id$v=19$m=19456,t=2,p=1$").doesNotContain(PASSWORD).isNotEqualTo(h2);
        assertThat(Passwords.verify(PASSWORD, h1)).isTrue();
        assertThat(Passwords.verify(PASSWORD + "!", h1)).isFalse();
        assertThat(Passwords.verify(PASSWORD, "$argon2id$v=19$m=1,t=1,p=1$AAAA$AAAA")).isFalse();
        assertThat(Passwords.verify(PASSWORD, null)).isFalse();
    }

    @BothDatabases
    void aLoginOpensASessionAndAWrongPasswordDoesNot(TestDb db) {
        Waymark e = db.engine();
        User u = withPassword(e, db.admin(), "Pat@Example.com");
        Users.Login login = e.users().login("pat@example.com", PASSWORD, null);
        assertThat(login.actor()).isEqualTo(new Actor(db.admin().orgId(), u.id()));
        assertThat(e.users().session(login.secret()).userId()).isEqualTo(u.id());
        assertThat(Users.csrfMatches(e.users().session(login.secret()), login.csrfToken())).isTrue();
        assertThat(Users.csrfMatches(e.users().session(login.secret()), login.secret())).isFalse();
        assertThatThrownBy(() -> e.users().login("pat@example.com", "wrong password!", null)).isInstanceOf(UnauthorizedException.class);
        assertThatThrownBy(() -> e.users().login("nobody@example.com", PASSWORD, null)).isInstanceOf(UnauthorizedException.class);
        assertThat(audit(e, db.admin())).contains("user.created", "login.succeeded", "login.failed");

        db.clock().advance(Users.SESSION_LIFETIME.plusSeconds(1));
        assertThatThrownBy(() -> e.users().session(login.secret())).isInstanceOf(UnauthorizedException.class);
    }

    @BothDatabases
    void repeatedFailuresLockTheAccountWithAGrowingBackOff(TestDb db) {
        Waymark e = db.engine();
        withPassword(e, db.admin(), "locked@example.com");
        for (int i = 0; i < Users.MAX_FAILURES; i++) {
            assertThatThrownBy(() -> e.users().login("locked@example.com", "wrong password!", null)).isInstanceOf(UnauthorizedException.class);
        }
        // Even the right password is refused while locked.
        assertThatThrownBy(() -> e.users().login("locked@example.com", PASSWORD, null))
                .isInstanceOfSatisfying(TooManyRequestsException.class, t -> assertThat(t.retryAfter()).isEqualTo(Duration.ofMinutes(1)));
        db.clock().advance(Duration.ofSeconds(61));
        assertThatThrownBy(() -> e.users().login("locked@example.com", "wrong password!", null)).isInstanceOf(UnauthorizedException.class);
        assertThatThrownBy(() -> e.users().login("locked@example.com", PASSWORD, null))
                .isInstanceOfSatisfying(TooManyRequestsException.class, t -> assertThat(t.retryAfter()).isEqualTo(Duration.ofMinutes(2)));
        db.clock().advance(Duration.ofMinutes(2));
        e.users().login("locked@example.com", PASSWORD, null);
        // A success resets the count.
        assertThatThrownBy(() -> e.users().login("locked@example.com", "wrong password!", null)).isInstanceOf(UnauthorizedException.class);
        e.users().login("locked@example.com", PASSWORD, null);
        assertThat(audit(e, db.admin())).contains("user.locked", "login.locked_out");
    }

    @BothDatabases
    void deactivatingAUserRevokesEverySessionAndTokenAtOnce(TestDb db) {
        Waymark e = db.engine();
        User u = withPassword(e, db.admin(), "leaver@example.com");
        Actor leaver = new Actor(db.admin().orgId(), u.id());
        String token = e.users().createToken(leaver, json("{'name': 'script'}")).secret();
        Users.Login login = e.users().login("leaver@example.com", PASSWORD, null);
        assertThat(e.orgs().authenticate(token)).isEqualTo(leaver);

        e.users().update(db.admin(), u.id(), json("{'active': false}"));

        // No wait: the token cache is forgotten on deactivation.
        assertThatThrownBy(() -> e.orgs().authenticate(token)).isInstanceOf(UnauthorizedException.class);
        assertThatThrownBy(() -> e.users().session(login.secret())).isInstanceOf(UnauthorizedException.class);
        assertThatThrownBy(() -> e.users().login("leaver@example.com", PASSWORD, null)).isInstanceOf(UnauthorizedException.class);
        assertThat(e.users().tokens(db.admin(), u.id())).allMatch(t -> t.revokedAt() != null);
        assertThatThrownBy(() -> e.records().list(leaver, "Leads", null, null, 10, null)).isInstanceOf(ForbiddenException.class);
        assertThat(audit(e, db.admin())).contains("user.deactivated");
    }

    @BothDatabases
    void revokedAndExpiredTokensStopWorking(TestDb db) {
        Waymark e = db.engine();
        Users.NewToken expiring = e.users().createToken(db.admin(), json("{'name': 'ci', 'expires_at': '2026-01-05T10:00:00Z'}"));
        Users.NewToken revoked = e.users().createToken(db.admin(), json("{'name': 'old'}"));
        assertThat(e.orgs().authenticate(expiring.secret())).isEqualTo(db.admin());
        assertThat(e.orgs().authenticate(revoked.secret())).isEqualTo(db.admin());

        e.users().revokeToken(db.admin(), revoked.token().id());
        assertThatThrownBy(() -> e.orgs().authenticate(revoked.secret())).isInstanceOf(UnauthorizedException.class);

        db.clock().advance(Duration.ofHours(1));
        assertThatThrownBy(() -> e.orgs().authenticate(expiring.secret())).isInstanceOf(UnauthorizedException.class);
        assertThatThrownBy(() -> e.users().createToken(db.admin(), json("{'name': 'past', 'expires_at': '2026-01-01T00:00:00Z'}")))
                .isInstanceOfSatisfying(ValidationException.class, v -> assertThat(v.errors().get(0).field()).isEqualTo("expires_at"));
        assertThat(audit(e, db.admin())).contains("token.created", "token.revoked");
    }

    @BothDatabases
    void othersTokensAndSessionsNeedTheRightToManageUsers(TestDb db) {
        Waymark e = db.engine();
        Team t = Team.of(e, db.admin());
        Users.NewToken rep2Token = e.users().createToken(t.rep2, json("{'name': 'mine'}"));
        assertThatThrownBy(() -> e.users().createToken(t.rep1, json("{'name': 'theirs', 'user': '" + t.rep2.userId() + "'}")))
                .isInstanceOf(ForbiddenException.class);
        assertThatThrownBy(() -> e.users().revokeToken(t.rep1, rep2Token.token().id())).isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> e.users().tokens(t.rep1, t.rep2.userId())).isInstanceOf(ForbiddenException.class);
        assertThat(e.orgs().authenticate(rep2Token.secret())).isEqualTo(t.rep2);
        e.users().revokeToken(t.admin, rep2Token.token().id());
        assertThatThrownBy(() -> e.orgs().authenticate(rep2Token.secret())).isInstanceOf(UnauthorizedException.class);
    }

    @BothDatabases
    void theOrganisationKeepsAnActiveUserWhoManagesUsers(TestDb db) {
        Waymark e = db.engine();
        Team t = Team.of(e, db.admin());
        assertThatThrownBy(() -> e.users().update(t.admin, t.admin.userId(), json("{'active': false}"))).isInstanceOf(ConflictException.class);
        UUID standard = e.users().get(t.admin, t.rep1.userId()).profileId();
        assertThatThrownBy(() -> e.users().update(t.admin, t.admin.userId(), json("{'profile': '" + standard + "'}")))
                .isInstanceOf(ConflictException.class);
        assertThat(e.access().permissions(t.admin).capabilities()).isNotEmpty();
    }

    @BothDatabases
    void changingAPasswordNeedsTheCurrentOneAndEndsOtherSessions(TestDb db) {
        Waymark e = db.engine();
        User u = withPassword(e, db.admin(), "changer@example.com");
        Actor me = new Actor(db.admin().orgId(), u.id());
        Users.Login first = e.users().login("changer@example.com", PASSWORD, null);
        Users.Login second = e.users().login("changer@example.com", PASSWORD, null);
        assertThatThrownBy(() -> e.users().setPassword(me, u.id(), json("{'password': 'a brand new secret'}"), second.sessionId()))
                .isInstanceOf(ValidationException.class);
        assertThatThrownBy(() -> e.users().setPassword(me, u.id(), json("{'password': 'short', 'current_password': '" + PASSWORD + "'}"),
                second.sessionId())).isInstanceOf(ValidationException.class);
        e.users().setPassword(me, u.id(), json("{'password': 'a brand new secret', 'current_password': '" + PASSWORD + "'}"), second.sessionId());
        assertThatThrownBy(() -> e.users().session(first.secret())).isInstanceOf(UnauthorizedException.class);
        assertThat(e.users().session(second.secret()).userId()).isEqualTo(u.id());
        e.users().login("changer@example.com", "a brand new secret", null);
    }

    @BothDatabases
    void theAuditLogPagesOldestFirstAndFiltersByTypeAndTime(TestDb db) {
        Waymark e = db.engine();
        for (int i = 0; i < 5; i++) {
            e.roles().create(db.admin(), json("{'name': 'Role " + i + "'}"));
            db.clock().advance(Duration.ofMinutes(1));
        }
        e.users().createToken(db.admin(), json("{'name': 'x'}"));
        List<String> names = new java.util.ArrayList<>();
        UUID after = null;
        int pages = 0;
        do {
            List<AuditEvent> page = e.audit().list(db.admin(), "role.created", null, null, 2, after);
            page.forEach(a -> names.add(a.detail().get("name").asText()));
            after = page.size() == 2 ? page.get(1).id() : null;
            pages++;
        } while (after != null);
        assertThat(names).containsExactly("Role 0", "Role 1", "Role 2", "Role 3", "Role 4");
        assertThat(pages).isEqualTo(3);
        assertThat(e.audit().list(db.admin(), null, TestDb.START.plus(Duration.ofMinutes(1)), TestDb.START.plus(Duration.ofMinutes(3)), 100, null))
                .extracting(a -> a.detail().path("name").asText()).containsExactly("Role 1", "Role 2");
        Team t = Team.of(e, db.admin());
        assertThatThrownBy(() -> e.audit().list(t.rep1, null, null, null, 10, null)).isInstanceOf(ForbiddenException.class);
    }

    @BothDatabases
    void userJsonNeverCarriesAPasswordOrItsHash(TestDb db) {
        Waymark e = db.engine();
        User u = withPassword(e, db.admin(), "json@example.com");
        String all = Json.write(e.users().get(db.admin(), u.id()).toJson()) + e.audit().list(db.admin(), null, null, null, 1000, null).stream()
                .map(a -> Json.write(a.toJson())).toList();
        assertThat(all).doesNotContain(PASSWORD).doesNotContain("argon2").contains("\"has_password\":true");
    }
}
