package io.tollgate.ingress.publish;

/** Counters of the publish path (implemented by the gateway's Prometheus metrics). */
public interface PublishMetrics {
  void published();

  void spilled();

  void replayed();

  void failed();

  /** A record Kafka refuses for good (too large, unserializable): moved to the dead-letter file. */
  void quarantined();

  /** For tests and tools without metrics. */
  PublishMetrics NONE = new PublishMetrics() {
    @Override
    public void published() {
    }

    @Override
    public void spilled() {
    }

    @Override
    public void replayed() {
    }

    @Override
    public void failed() {
    }

    @Override
    public void quarantined() {
    }
  };
}
