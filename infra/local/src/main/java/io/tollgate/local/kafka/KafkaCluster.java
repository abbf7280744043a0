package io.tollgate.local.kafka;

/**
 * A Kafka cluster a test or the launcher can talk to: the in-process broker here, a container
 * where Docker exists, or an existing cluster given by address.
 */
public interface KafkaCluster extends AutoCloseable {

  /** The {@code bootstrap.servers} value for clients. */
  String bootstrapServers();

  /** Stops what this object started; a no-op for clusters it does not own. */
  @Override
  void close();
}
