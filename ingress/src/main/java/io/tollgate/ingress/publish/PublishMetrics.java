package io.tollgate.ingress.publish;

/** Counters of the publish path (implemented by the gateway's Prometheus metrics). */
public interface PublishMetrics {
  void published();

  void spilled();

  void replayed();

  void failed();

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
  };
}
