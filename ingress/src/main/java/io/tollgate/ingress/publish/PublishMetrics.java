package io.tollgate.ingress.publish;

/** Counters of the publish path (implemented by the gateway's Prometheus metrics). */
public interface PublishMetrics {
  /** Acknowledged by Kafka (an event of this run). */
  void published();

  /** Acknowledged by Kafka, an event an earlier run had left in the hand-off log (or its old spill file). */
  void replayed();

  /** A send failed for now (Kafka unreachable, timed out); the event stays in the log and is resent. */
  void retried();

  /** An event that could not be recorded at all (unserializable, the log unwritable): lost. */
  void failed();

  /** A record Kafka refuses for good (too large, unserializable): moved to the dead-letter file. */
  void quarantined();

  /** For tests and tools without metrics. */
  PublishMetrics NONE = new PublishMetrics() {
    @Override
    public void published() {
    }

    @Override
    public void replayed() {
    }

    @Override
    public void retried() {
    }

    @Override
    public void failed() {
    }

    @Override
    public void quarantined() {
    }
  };
}
