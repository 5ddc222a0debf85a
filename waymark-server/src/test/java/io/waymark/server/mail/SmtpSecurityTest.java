package io.waymark.server.mail;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import com.icegreen.greenmail.util.ServerSetupTest;
import io.waymark.email.MailTransport;
import io.waymark.email.OutgoingMail;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What the SMTP transport's security settings promise: with {@code TLS} or {@code STARTTLS} a
 * message never leaves over a connection that is not encrypted with a certificate the JVM trusts.
 * GreenMail's SMTPS port presents a self-signed certificate, and its plain port offers no trusted
 * upgrade: both must refuse, deliver nothing, and say why; plain SMTP (the control) delivers.
 */
class SmtpSecurityTest {
    private GreenMail mail;

    @BeforeEach
    void start() {
        mail = new GreenMail(ServerSetup.dynamicPort(new ServerSetup[] {ServerSetupTest.SMTP, ServerSetupTest.SMTPS}));
        mail.start();
    }

    @AfterEach
    void stop() {
        mail.stop();
    }

    private static OutgoingMail message() {
        return new OutgoingMail("<tls-test@waymark>", "travel@zylker.test", "Zylker Travels", "asha@example.com", "Your trip", "Hello", null, Map.of());
    }

    private static SmtpTransport transport(int port, SmtpTransport.Security security) {
        return new SmtpTransport(new SmtpTransport.Settings("127.0.0.1", port, security, null, null, Duration.ofSeconds(5)));
    }

    @Test
    void implicitTlsRefusesAnUntrustedCertificateAndDeliversNothing() {
        assertThatThrownBy(() -> transport(mail.getSmtps().getPort(), SmtpTransport.Security.TLS).send(message()))
                .isInstanceOf(MailTransport.DeliveryException.class).hasMessageContaining("SSLHandshakeException")
                .satisfies(e -> assertThat(((MailTransport.DeliveryException) e).retryable()).as("a certificate failure is final").isFalse());
        assertThat(mail.getReceivedMessages()).isEmpty();
    }

    @Test
    void requiredStarttlsRefusesAServerWithoutATrustedUpgradeAndDeliversNothing() {
        assertThatThrownBy(() -> transport(mail.getSmtp().getPort(), SmtpTransport.Security.STARTTLS).send(message()))
                .isInstanceOf(MailTransport.DeliveryException.class).hasMessageContaining("STARTTLS is required");
        assertThat(mail.getReceivedMessages()).isEmpty();
    }

    @Test
    void plainSmtpDeliversAsTheControl() throws Exception {
        transport(mail.getSmtp().getPort(), SmtpTransport.Security.NONE).send(message());
        assertThat(mail.getReceivedMessages()).hasSize(1);
        assertThat(mail.getReceivedMessages()[0].getSubject()).isEqualTo("Your trip");
    }
}
