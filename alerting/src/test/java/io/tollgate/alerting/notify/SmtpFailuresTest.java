package io.tollgate.alerting.notify;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.MessagingException;
import jakarta.mail.SendFailedException;
import jakarta.mail.internet.InternetAddress;
import org.eclipse.angus.mail.smtp.SMTPAddressFailedException;
import org.eclipse.angus.mail.smtp.SMTPSendFailedException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class SmtpFailuresTest {

  @Test
  void fiveHundredsArePermanentFourHundredsAndNetworkFailuresAreRetried() {
    assertThat(SmtpFailures.classify(550, "mailbox unavailable").permanent()).isTrue();
    assertThat(SmtpFailures.classify(554, "rejected").error()).isEqualTo("SMTP failed (554): rejected");
    assertThat(SmtpFailures.classify(451, "try again later").permanent()).isFalse();
    assertThat(SmtpFailures.classify(421, "closing").permanent()).isFalse();
    assertThat(SmtpFailures.classify(-1, "Connection refused").permanent()).isFalse();
  }

  @Test
  void theReplyCodeIsFoundWhereAngusPutsIt() throws Exception {
    SMTPAddressFailedException rcpt = new SMTPAddressFailedException(new InternetAddress("x@example.com"), "RCPT TO",
        550, "550 5.1.1 no such user");
    SendFailedException wrapped = new SendFailedException("Invalid Addresses", rcpt);
    assertThat(EmailChannel.replyCode(wrapped)).isEqualTo(550);
    assertThat(EmailChannel.replyCode(new SMTPSendFailedException("DATA", 452, "452 4.3.1 full", null, null, null, null)))
        .isEqualTo(452);
    assertThat(EmailChannel.replyCode(new AuthenticationFailedException("535 5.7.8 bad credentials\nmore"))).isEqualTo(535);
    assertThat(EmailChannel.replyCode(new MessagingException("Couldn't connect to host"))).isEqualTo(-1);
  }
}
