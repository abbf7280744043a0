package io.tollgate.alerting.notify;

/**
 * What an SMTP reply code means for the delivery (RFC 5321 4.2.1): 5yz is a permanent negative
 * completion (unknown mailbox, relaying denied, message rejected, authentication failed) — the same
 * message will be refused again, so it is dead-lettered; 4yz is transient (mailbox busy, greylisting,
 * server shutting down) and so is a failure without a reply code (connection refused, timeout).
 */
final class SmtpFailures {
  private SmtpFailures() {
  }

  /**
   * @param replyCode the server's reply code, or -1 when the failure carried none (network)
   * @param reason    a short, secret-free reason
   */
  static Channel.Result classify(int replyCode, String reason) {
    String error = "SMTP failed" + (replyCode > 0 ? " (" + replyCode + ")" : "") + ": " + reason;
    return replyCode >= 500 && replyCode < 600 ? Channel.Result.permanent(error) : Channel.Result.retry(null, error);
  }
}
