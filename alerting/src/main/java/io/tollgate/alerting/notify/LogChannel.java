package io.tollgate.alerting.notify;

import io.tollgate.schemas.Alert;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Writes alerts to the log (and the launcher's console): the channel of local runs without Slack or SMTP. */
public final class LogChannel implements Channel {
  private static final Logger LOG = LoggerFactory.getLogger("tollgate.alerts");

  @Override
  public String name() {
    return "log";
  }

  @Override
  public Result deliver(Alert a) {
    LOG.warn("ALERT [{}] {} (spend ${}{}, rule {}, id {})", a.getSeverity(), a.getMessage(), SlackChannel.usd(a.getSpendNanos()),
        a.getThresholdNanos() == null ? "" : " / threshold $" + SlackChannel.usd(a.getThresholdNanos()), a.getRuleId(), a.getAlertId());
    return Result.ok();
  }
}
