package io.tollgate.alerting.notify;

import io.tollgate.schemas.Alert;
import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.Authenticator;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.PasswordAuthentication;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.util.List;
import org.eclipse.angus.mail.smtp.SMTPAddressFailedException;
import org.eclipse.angus.mail.smtp.SMTPSendFailedException;
import org.eclipse.angus.mail.smtp.SMTPSenderFailedException;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;

/**
 * SMTP email (Jakarta Mail / Angus): plain-text and HTML parts. A 5xx reply is permanent (the
 * delivery is dead-lettered), a 4xx or a network failure is retried ({@link SmtpFailures}). The
 * password is never printed.
 */
public final class EmailChannel implements Channel {
  /**
   * @param host     SMTP host
   * @param port     SMTP port
   * @param security none, starttls or smtps
   * @param user     login, or null for none
   * @param password password (secret), or null
   * @param from     sender address
   * @param to       recipients
   */
  public record Smtp(String host, int port, String security, String user, String password, String from, List<String> to) {
    public Smtp {
      Objects.requireNonNull(host, "host");
      Objects.requireNonNull(from, "from");
      to = List.copyOf(to);
    }

    @Override
    public String toString() {
      return "Smtp[" + host + ":" + port + ", " + security + ", user=" + user + ", password=****, to=" + to + "]";
    }
  }

  /** Set (to {@code yes}) on a message that may repeat one sent before a notifier restart. */
  public static final String REPEAT_HEADER = "X-Tollgate-Possible-Repeat";
  private final Smtp smtp;
  private final Map<String, List<String>> recipientsByRule;
  private final Session session;

  public EmailChannel(Smtp smtp) {
    this(smtp, Map.of());
  }

  /** @param recipientsByRule rules with their own {@code email_to}; others go to {@link Smtp#to()} */
  public EmailChannel(Smtp smtp, Map<String, List<String>> recipientsByRule) {
    this.smtp = Objects.requireNonNull(smtp, "smtp");
    this.recipientsByRule = Map.copyOf(recipientsByRule);
    Properties p = new Properties();
    String proto = "smtps".equals(smtp.security()) ? "smtps" : "smtp";
    p.put("mail.transport.protocol", proto);
    p.put("mail." + proto + ".host", smtp.host());
    p.put("mail." + proto + ".port", Integer.toString(smtp.port()));
    p.put("mail." + proto + ".connectiontimeout", "10000");
    p.put("mail." + proto + ".timeout", "10000");
    if ("starttls".equals(smtp.security())) {
      p.put("mail.smtp.starttls.enable", "true");
      p.put("mail.smtp.starttls.required", "true");
    }
    boolean auth = smtp.user() != null && !smtp.user().isBlank();
    p.put("mail." + proto + ".auth", Boolean.toString(auth));
    this.session = Session.getInstance(p, auth ? new Authenticator() {
      @Override
      protected PasswordAuthentication getPasswordAuthentication() {
        return new PasswordAuthentication(smtp.user(), smtp.password());
      }
    } : null);
  }

  @Override
  public String name() {
    return "email";
  }

  @Override
  public Result deliver(Alert a) {
    return deliver(a, false);
  }

  /**
   * Every attempt of one alert carries the same {@code Message-ID} ({@link #messageId}), so mail
   * systems that drop a message they already hold by that id (Gmail does) show a repeat once; a
   * possible repeat also says so in a header ({@link #REPEAT_HEADER}) and in the text.
   */
  @Override
  public Result deliver(Alert a, boolean possibleRepeat) {
    try {
      String id = messageId(a.getAlertId(), smtp.from());
      MimeMessage m = new MimeMessage(session) {
        @Override
        protected void updateMessageID() throws MessagingException {
          setHeader("Message-ID", id);
        }
      };
      if (possibleRepeat) {
        m.setHeader(REPEAT_HEADER, "yes");
      }
      m.setFrom(new InternetAddress(smtp.from()));
      for (String to : recipientsByRule.getOrDefault(a.getRuleId(), smtp.to())) {
        m.addRecipient(Message.RecipientType.TO, new InternetAddress(to));
      }
      m.setSubject("[Tollgate " + a.getSeverity() + "] " + a.getMessage(), "UTF-8");
      String text = a.getMessage() + "\n\nSpend: $" + SlackChannel.usd(a.getSpendNanos()) + " this " + a.getPeriod()
          + " (since " + a.getWindowStart() + ")"
          + (a.getThresholdNanos() == null ? "" : "\nThreshold: $" + SlackChannel.usd(a.getThresholdNanos()))
          + (a.getBaselineMeanNanos() == null ? "" : "\nBaseline: $" + SlackChannel.usd(a.getBaselineMeanNanos())
              + (a.getZScore() == null ? "" : String.format(" (%.1f σ above)", a.getZScore())))
          + "\nRule: " + a.getRuleId() + " (" + a.getKind() + ")\nAlert id: " + a.getAlertId() + "\n"
          + details(a)
          + (possibleRepeat ? "\nPossible repeat: the notifier stopped while sending this alert, so it may have"
              + " arrived already (same Message-ID).\n" : "");
      MimeBodyPart plain = new MimeBodyPart();
      plain.setText(text, "UTF-8");
      MimeBodyPart html = new MimeBodyPart();
      html.setContent("<h2>" + escape(a.getMessage()) + "</h2><pre>" + escape(text) + "</pre>", "text/html; charset=UTF-8");
      MimeMultipart body = new MimeMultipart("alternative");
      body.addBodyPart(plain);
      body.addBodyPart(html);
      m.setContent(body);
      Transport.send(m);
      return Result.ok();
    } catch (MessagingException e) {
      String reason = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().lines().findFirst().orElse("");
      if (smtp.password() != null && !smtp.password().isEmpty()) {
        reason = reason.replace(smtp.password(), "****");
      }
      return SmtpFailures.classify(replyCode(e), reason);
    }
  }

  /**
   * The server's reply code behind a failure: Angus carries it on the SMTP exceptions, possibly
   * chained (an invalid recipient is the next exception of a SendFailedException); a refused login
   * only in its message. -1 when there is none (no connection, a timeout).
   */
  static int replyCode(Throwable failure) {
    for (Throwable t = failure; t != null; t = next(t)) {
      if (t instanceof SMTPSendFailedException f) {
        return f.getReturnCode();
      } else if (t instanceof SMTPAddressFailedException f) {
        return f.getReturnCode();
      } else if (t instanceof SMTPSenderFailedException f) {
        return f.getReturnCode();
      } else if (t instanceof AuthenticationFailedException) {
        String m = t.getMessage() == null ? "" : t.getMessage().strip();
        return m.matches("(?s)[45]\\d\\d\\b.*") ? Integer.parseInt(m.substring(0, 3)) : 535;
      }
    }
    return -1;
  }

  /** {@code <alert id@sender's domain>}, the id reduced to characters a Message-ID may hold. */
  static String messageId(String alertId, String from) {
    String domain = from.contains("@") ? from.substring(from.lastIndexOf('@') + 1).replaceAll("[^A-Za-z0-9.-]", "") : "";
    return "<" + alertId.replaceAll("[^A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]", "_") + "@"
        + (domain.isEmpty() ? "tollgate.invalid" : domain) + ">";
  }

  private static Throwable next(Throwable t) {
    Throwable next = t instanceof MessagingException m && m.getNextException() != null ? m.getNextException() : t.getCause();
    return next == t ? null : next;
  }

  private static String details(Alert a) {
    StringBuilder out = new StringBuilder();
    a.getDetails().forEach((k, v) -> out.append(k.replace('_', ' ')).append(": ").append(v).append('\n'));
    return out.isEmpty() ? "" : "\n" + out;
  }

  private static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }
}
